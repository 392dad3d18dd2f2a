// Builds dist/: CommonJS + declarations with tsc, then thin ESM wrappers so that
// `import { X } from 'express-cognito'` gets real named exports on every Node version.
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync, chmodSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
rmSync(dist, { recursive: true, force: true });
execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });

const require = createRequire(import.meta.url);
const wrappers = { 'index.mjs': '../index.js', 'emulator.mjs': '../lib/emulator/index.js' };
mkdirSync(join(dist, 'esm'), { recursive: true });
for (const [file, target] of Object.entries(wrappers)) {
  const names = Object.keys(require(join(dist, 'esm', target))).filter((n) => n !== 'default' && n !== '__esModule');
  const body = [`import cjs from '${target}';`, ...names.map((n) => `export const ${n} = cjs.${n};`), 'export default cjs;', ''];
  writeFileSync(join(dist, 'esm', file), body.join('\n'));
}
const cli = join(dist, 'lib/emulator/cli.js');
if (existsSync(cli)) chmodSync(cli, 0o755);
