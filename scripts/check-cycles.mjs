// Fails when the package's own modules (index.ts, lib/, middleware/, strategies/) import each other in
// a cycle. Only imports that survive compilation count: `import type`, `export type` and named
// imports/exports whose every specifier is `type` are erased, so they cannot form a load-time cycle.
// Cycles are the strongly connected components of the import graph (Tarjan), plus self-imports.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const ENTRIES = ['index.ts', 'lib', 'middleware', 'strategies'];

/** Every .ts source file (not .d.ts) under the entries, as absolute paths. */
function sourceFiles() {
  const out = [];
  const walk = (path) => {
    if (statSync(path).isDirectory()) {
      for (const name of readdirSync(path).sort()) walk(join(path, name));
    } else if (path.endsWith('.ts') && !path.endsWith('.d.ts')) {
      out.push(path);
    }
  };
  for (const entry of ENTRIES) {
    const path = join(root, entry);
    if (existsSync(path)) walk(path);
  }
  return out;
}

/** `./x` from `file` → `x.ts` or `x/index.ts`; undefined for packages and unresolvable paths. */
function resolveSpecifier(file, specifier) {
  if (!specifier.startsWith('./') && !specifier.startsWith('../')) return undefined;
  const base = resolve(dirname(file), specifier);
  const candidates = [base, `${base}.ts`, join(base, 'index.ts')];
  if (base.endsWith('.js')) candidates.push(`${base.slice(0, -3)}.ts`);
  return candidates.find((c) => c.endsWith('.ts') && existsSync(c) && statSync(c).isFile());
}

/** True when an import or export declaration is erased at runtime. */
function isTypeOnly(node) {
  if (ts.isImportDeclaration(node)) {
    const clause = node.importClause;
    if (clause === undefined) return false; // `import './x'` runs the module
    if (clause.isTypeOnly) return true;
    if (clause.name !== undefined) return false; // a default import is a value
    const bindings = clause.namedBindings;
    return bindings !== undefined && ts.isNamedImports(bindings) && bindings.elements.length > 0 &&
      bindings.elements.every((e) => e.isTypeOnly);
  }
  if (ts.isExportDeclaration(node)) {
    if (node.isTypeOnly) return true;
    const clause = node.exportClause;
    return clause !== undefined && ts.isNamedExports(clause) && clause.elements.length > 0 &&
      clause.elements.every((e) => e.isTypeOnly);
  }
  if (ts.isImportEqualsDeclaration(node)) return node.isTypeOnly;
  return false;
}

/** The runtime module specifiers of one file: static imports/re-exports, `require()` and `import()`. */
function runtimeSpecifiers(file) {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const specifiers = [];
  const visit = (node) => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) {
      if (node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier) && !isTypeOnly(node)) {
        specifiers.push(node.moduleSpecifier.text);
      }
      return;
    }
    if (ts.isImportEqualsDeclaration(node)) {
      const ref = node.moduleReference;
      if (ts.isExternalModuleReference(ref) && ts.isStringLiteral(ref.expression) && !isTypeOnly(node)) {
        specifiers.push(ref.expression.text);
      }
      return;
    }
    if (ts.isCallExpression(node) && node.arguments.length >= 1 && ts.isStringLiteralLike(node.arguments[0])) {
      const callee = node.expression;
      const isRequire = ts.isIdentifier(callee) && callee.text === 'require';
      if (isRequire || callee.kind === ts.SyntaxKind.ImportKeyword) specifiers.push(node.arguments[0].text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return specifiers;
}

/** Tarjan's strongly connected components, iterative so that deep graphs cannot overflow the stack. */
function stronglyConnected(graph) {
  let index = 0;
  const indices = new Map();
  const lowlink = new Map();
  const onStack = new Set();
  const stack = [];
  const components = [];
  for (const start of graph.keys()) {
    if (indices.has(start)) continue;
    const work = [[start, 0]];
    indices.set(start, index);
    lowlink.set(start, index);
    index++;
    stack.push(start);
    onStack.add(start);
    while (work.length > 0) {
      const frame = work[work.length - 1];
      const [node, i] = frame;
      const edges = graph.get(node);
      if (i < edges.length) {
        frame[1] = i + 1;
        const next = edges[i];
        if (!indices.has(next)) {
          indices.set(next, index);
          lowlink.set(next, index);
          index++;
          stack.push(next);
          onStack.add(next);
          work.push([next, 0]);
        } else if (onStack.has(next)) {
          lowlink.set(node, Math.min(lowlink.get(node), indices.get(next)));
        }
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1][0];
        lowlink.set(parent, Math.min(lowlink.get(parent), lowlink.get(node)));
      }
      if (lowlink.get(node) === indices.get(node)) {
        const component = [];
        let member;
        do {
          member = stack.pop();
          onStack.delete(member);
          component.push(member);
        } while (member !== node);
        components.push(component);
      }
    }
  }
  return components;
}

/** One concrete loop through a component, for the message: a path from `start` back to itself. */
function loopThrough(graph, members, start) {
  const inside = new Set(members);
  const previous = new Map([[start, undefined]]);
  const queue = [start];
  while (queue.length > 0) {
    const node = queue.shift();
    for (const next of graph.get(node)) {
      if (!inside.has(next)) continue;
      if (next === start) {
        const path = [start];
        for (let at = node; at !== start; at = previous.get(at)) path.splice(1, 0, at);
        return [...path, start];
      }
      if (!previous.has(next)) {
        previous.set(next, node);
        queue.push(next);
      }
    }
  }
  return [start, start];
}

const files = sourceFiles();
const graph = new Map();
for (const file of files) {
  const targets = runtimeSpecifiers(file)
    .map((s) => resolveSpecifier(file, s))
    .filter((t) => t !== undefined && files.includes(t));
  graph.set(file, [...new Set(targets)]);
}

const name = (file) => relative(root, file);
const cycles = stronglyConnected(graph)
  .filter((c) => c.length > 1 || graph.get(c[0]).includes(c[0]))
  .map((c) => c.map(name).sort())
  .sort((a, b) => a[0].localeCompare(b[0]));

if (cycles.length === 0) {
  console.log(`import cycles: none (${files.length} modules)`);
} else {
  console.log(`import cycles: ${cycles.length} (${files.length} modules)`);
  for (const members of cycles) {
    const abs = members.map((m) => join(root, m));
    const loop = loopThrough(graph, abs, abs[0]).map(name);
    console.log(`\n- ${members.length} modules: ${members.join(', ')}`);
    console.log(`  e.g. ${loop.join(' -> ')}`);
  }
  process.exitCode = 1;
}
