// The built package as a consumer sees it: `require` and `import` of the public entry and of
// `express-cognito/emulator`, resolved by name through package.json "exports" (self-reference).
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..');

function run(file: string, source: string): string {
  // The consumer must sit inside the package for self-reference to resolve 'express-cognito'.
  const dir = mkdtempSync(join(root, 'test-output-consumer-'));
  const path = join(dir, file);
  writeFileSync(path, source);
  try {
    return execFileSync(process.execPath, [path], { cwd: root, encoding: 'utf8' });
  } finally {
    execFileSync('rm', ['-rf', dir]);
  }
}

describe('package entry points (dist/)', function () {
  before(function () {
    if (!existsSync(join(root, 'dist', 'index.js'))) {
      throw new Error('dist/ is missing: run `npm run build` (npm test does it first)');
    }
  });

  it('require("express-cognito") exposes the public API', function () {
    const out = run('consumer.cjs', `
      const m = require('express-cognito');
      const e = require('express-cognito/emulator');
      console.log(JSON.stringify({ root: Object.keys(m).sort(), emulator: typeof e.startEmulator }));
    `);
    const parsed = JSON.parse(out) as { root: string[]; emulator: string };
    for (const name of ['Cognito', 'CognitoError', 'TokenVerifier', 'CognitoStrategy', 'requireCognito', 'cognitoLogout']) {
      assert.ok(parsed.root.includes(name), `missing export ${name}`);
    }
    assert.equal(parsed.emulator, 'function');
  });

  it('import from "express-cognito" gives named exports', function () {
    const out = run('consumer.mjs', `
      import { Cognito, requireCognito, CognitoStrategy } from 'express-cognito';
      import def from 'express-cognito';
      import { startEmulator } from 'express-cognito/emulator';
      console.log([typeof Cognito, typeof requireCognito, typeof CognitoStrategy, typeof def.Cognito, typeof startEmulator].join(','));
    `);
    assert.equal(out.trim(), 'function,function,function,function,function');
  });
});
