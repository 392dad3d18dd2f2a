// lib/error-codes.ts: the catalogue is the package's codes, all of them and only them, and README's
// errors table is the catalogue (CONVENTIONS §14). The sources are read as text, so a code that is
// emitted anywhere (a class, a refusal, a strategy `fail()`) counts, whatever the types say.
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { COGNITO_ERROR_CODES, type CognitoErrorCode } from '../../lib/error-codes';

const root = join(__dirname, '..', '..');
const CATALOGUE = join(root, 'lib', 'error-codes.ts');
// The emulator speaks Cognito's wire errors (`__type`), not the package's codes.
const EXCLUDED = new Set([join(root, 'lib', 'emulator'), CATALOGUE]);
// Any mention of a whole code, in code or in a comment. A prefix (`ERR_COGNITO_TOKEN_${string}`,
// `ERR_COGNITO_TOKEN_*`) is no code and is skipped.
const CODE = /ERR_COGNITO_[A-Z0-9]+(?:_[A-Z0-9]+)*(?![\w$])/g;
// A code as a string literal in code: what is actually emitted (or compared with).
const LITERAL = /(['"])(ERR_COGNITO_[A-Z0-9]+(?:_[A-Z0-9]+)*)\1/g;

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (EXCLUDED.has(path)) continue;
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (name.endsWith('.ts')) out.push(path);
  }
  return out;
}

/** Each code the package's sources match with `pattern` (group `code`), with the first file it is in. */
function codesInSources(pattern: RegExp): Map<string, string> {
  const files = [join(root, 'index.ts'), ...['lib', 'middleware', 'strategies'].flatMap((d) => sourceFiles(join(root, d)))];
  const found = new Map<string, string>();
  for (const file of files) {
    for (const m of readFileSync(file, 'utf8').matchAll(pattern)) {
      const code = m[2] ?? m[0];
      if (!found.has(code)) found.set(code, relative(root, file));
    }
  }
  return found;
}

/** The rows of README's `## Errors` table that name a code: code → the row's cells. */
function readmeTable(): Map<string, string[]> {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const start = readme.search(/^## Errors$/m);
  assert.ok(start >= 0, 'README.md has no "## Errors" section');
  const rest = readme.slice(start + 1);
  const next = rest.search(/^## /m);
  const section = next >= 0 ? rest.slice(0, next) : rest;
  const rows = new Map<string, string[]>();
  for (const line of section.split('\n')) {
    if (!line.startsWith('|')) continue;
    const cells = line.split(/(?<!\\)\|/).slice(1, -1).map((c) => c.trim());
    for (const [code] of line.matchAll(CODE)) {
      assert.ok(!rows.has(code), `README's errors table lists ${code} twice`);
      rows.set(code, cells);
    }
  }
  return rows;
}

/** The `[status]` each entry of the catalogue is documented with. */
function documentedStatuses(): Map<string, number> {
  const text = readFileSync(CATALOGUE, 'utf8');
  const out = new Map<string, number>();
  for (const m of text.matchAll(/\/\*\* \[(\d{3})\][^\n]*\*\/\n\s*'(ERR_COGNITO_[A-Z0-9_]+)'/g)) out.set(m[2], Number(m[1]));
  return out;
}

describe('lib/error-codes', () => {
  const list: readonly string[] = COGNITO_ERROR_CODES;

  it('is a frozen list of distinct, well-formed codes', () => {
    assert.ok(Object.isFrozen(COGNITO_ERROR_CODES));
    assert.equal(new Set(list).size, list.length, 'a code is listed twice');
    for (const code of list) assert.match(code, /^ERR_COGNITO_[A-Z0-9]+(?:_[A-Z0-9]+)*$/);
  });

  it('lists every ERR_COGNITO_* code written in the sources (lib/ without the emulator, middleware/, strategies/)', () => {
    const found = codesInSources(CODE);
    assert.ok(found.size > 30, `only ${found.size} codes found: is the scan reading the sources?`);
    const missing = [...found].filter(([code]) => !list.includes(code)).map(([code, file]) => `${code} (${file})`);
    assert.deepEqual(missing, [], 'codes emitted but not in COGNITO_ERROR_CODES');
  });

  it('lists no code the sources never emit (as a string literal outside the catalogue)', () => {
    const found = codesInSources(LITERAL);
    assert.deepEqual(list.filter((code) => !found.has(code)), [], 'codes in COGNITO_ERROR_CODES that nothing emits');
  });

  it('documents each code with its HTTP status', () => {
    const statuses = documentedStatuses();
    for (const code of list) {
      const status = statuses.get(code);
      assert.ok(status !== undefined && status >= 400 && status <= 599, `${code} has no "/** [status] when … */" line`);
    }
  });

  it("README's errors table lists every code, with the same status, and no other code", () => {
    const rows = readmeTable();
    const statuses = documentedStatuses();
    assert.deepEqual(list.filter((code) => !rows.has(code)), [], 'codes missing from README.md');
    assert.deepEqual([...rows.keys()].filter((code) => !list.includes(code)), [], 'README.md lists codes that are not in COGNITO_ERROR_CODES');
    for (const code of list) {
      const cells = rows.get(code) as string[];
      assert.ok(cells.includes(String(statuses.get(code))), `README.md gives ${code} another status than lib/error-codes.ts (${statuses.get(code)})`);
    }
  });

  it('CognitoErrorCode is the union of the list (type-level)', () => {
    const first: CognitoErrorCode = COGNITO_ERROR_CODES[0];
    // @ts-expect-error a string that is not a listed code is not a CognitoErrorCode
    const other: CognitoErrorCode = 'ERR_COGNITO_NOT_A_CODE';
    assert.ok(list.includes(first));
    assert.ok(!list.includes(other));
  });
});
