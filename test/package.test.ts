// The built package as a consumer sees it: `require` and `import` of the public entry and of
// `express-cognito/emulator`, resolved by name through package.json "exports" (self-reference);
// then what `npm pack` puts in the tarball, and that tarball unpacked into a project outside the repo.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, posix } from 'node:path';

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

interface PackedFile {
  path: string;
  mode: number;
}

interface Manifest {
  main: string;
  types: string;
  bin: Record<string, string>;
  exports: Record<string, string | Record<string, string>>;
  dependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
}

const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Manifest;

/** The package name a bare specifier names: `@scope/name` or `name`. */
function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

describe('npm pack (the package as installed)', function () {
  let tmp: string;
  let tarball: string;
  let files: PackedFile[];
  let paths: Set<string>;
  let consumer: string;
  let installed: string;

  before(function () {
    this.timeout(60_000);
    if (!existsSync(join(root, 'dist', 'index.js'))) throw new Error('dist/ is missing: run `npm run build` (npm test does it first)');
    tmp = mkdtempSync(join(tmpdir(), 'express-cognito-pack-'));
    // --ignore-scripts: "prepare" would rebuild dist/; this suite checks the dist/ that `npm run build` made.
    const out = execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', tmp], { cwd: root, encoding: 'utf8' });
    const [result] = JSON.parse(out) as [{ filename: string; files: PackedFile[] }];
    tarball = join(tmp, result.filename);
    files = result.files;
    paths = new Set(files.map((f) => f.path));
    // Where `npm install <tarball>` would put it, in a project outside this repository.
    consumer = join(tmp, 'consumer');
    installed = join(consumer, 'node_modules', 'express-cognito');
    mkdirSync(installed, { recursive: true });
    execFileSync('tar', ['-xzf', tarball, '-C', installed, '--strip-components=1']);
  });

  after(function () {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('ships the entry points, declarations, ESM wrappers, the CLI (executable), LICENSE, README and package.json', function () {
    for (const path of ['dist/index.js', 'dist/index.d.ts', 'dist/esm/index.mjs', 'dist/esm/emulator.mjs',
      'dist/lib/emulator/index.js', 'dist/lib/emulator/index.d.ts', 'LICENSE', 'README.md', 'package.json']) {
      assert.ok(paths.has(path), `${path} is in the package`);
    }
    // Every file package.json points at is shipped.
    const targets = [manifest.main, manifest.types, ...Object.values(manifest.bin)];
    for (const entry of Object.values(manifest.exports)) targets.push(...(typeof entry === 'string' ? [entry] : Object.values(entry)));
    for (const target of targets) assert.ok(paths.has(posix.normalize(target)), `${target} (package.json) is in the package`);

    const cli = files.find((f) => f.path === 'dist/lib/emulator/cli.js');
    assert.ok(cli, 'the CLI is in the package');
    assert.equal(cli.mode & 0o111, 0o111, 'the CLI is executable in the tarball');
    assert.ok((statSync(join(installed, cli.path)).mode & 0o100) !== 0, 'and once unpacked');
    assert.match(readFileSync(join(installed, cli.path), 'utf8'), /^#!\/usr\/bin\/env node\n/);
  });

  it('leaves out the example app, the tests, docs/ and TypeScript sources', function () {
    const unwanted = [...paths].filter((p) =>
      p.startsWith('dist/example-app/') || p.startsWith('test') || p.startsWith('docs/') || p.startsWith('dist/test') ||
      p.startsWith('dist/docs') || p.startsWith('dist/bench') || (p.endsWith('.ts') && !p.endsWith('.d.ts')) || p.endsWith('.tsbuildinfo'));
    assert.deepEqual(unwanted, []);
    assert.ok(paths.size > 50, `a plausible file count (${paths.size})`);
  });

  it('requires only shipped files, its dependencies, its peer dependencies and Node built-ins', function () {
    const allowed = new Set([...Object.keys(manifest.dependencies), ...Object.keys(manifest.peerDependencies)]);
    const builtins = new Set(builtinModules);
    const wrong: string[] = [];
    for (const path of paths) {
      if (!/\.(c|m)?js$/.test(path)) continue;
      // Comments go first: tsc keeps the JSDoc, whose examples mention `require('express-cognito')`.
      const source = readFileSync(join(installed, path), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
      for (const m of source.matchAll(/\brequire\((['"])([^'"]+)\1\)|\bfrom (['"])([^'"]+)\3/g)) {
        const specifier = m[2] ?? m[4];
        if (specifier.startsWith('.')) {
          const base = posix.join(posix.dirname(path), specifier);
          if (![base, `${base}.js`, `${base}/index.js`].some((c) => paths.has(c))) wrong.push(`${path}: ${specifier}`);
        } else if (!specifier.startsWith('node:') && !builtins.has(specifier) && !allowed.has(packageName(specifier))) {
          wrong.push(`${path}: ${specifier}`);
        }
      }
    }
    assert.deepEqual(wrong, []);
  });

  it('has no source map that points at a file it does not ship', function () {
    const problems: string[] = [];
    for (const path of paths) {
      if (!path.endsWith('.js') && !path.endsWith('.mjs')) continue;
      const url = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(readFileSync(join(installed, path), 'utf8'))?.[1];
      if (url === undefined || url.startsWith('data:')) continue;
      const mapPath = posix.join(posix.dirname(path), url);
      if (!paths.has(mapPath)) problems.push(`${path}: ${url} is not shipped`);
    }
    for (const path of paths) {
      if (!path.endsWith('.map')) continue;
      const map = JSON.parse(readFileSync(join(installed, path), 'utf8')) as { sources: string[]; sourceRoot?: string; sourcesContent?: unknown[] };
      map.sources.forEach((source, i) => {
        const shipped = paths.has(posix.normalize(posix.join(posix.dirname(path), map.sourceRoot ?? '', source)));
        if (!shipped && typeof map.sourcesContent?.[i] !== 'string') problems.push(`${path}: ${source} is neither shipped nor inlined`);
      });
    }
    assert.deepEqual(problems, []);
  });

  it('works installed in a project outside the repository: require, import, a sign-in against its emulator, the CLI', function () {
    this.timeout(30_000);
    // `npm install --offline <tarball>` cannot work here: `npm ci` caches tarballs, not the registry
    // metadata an install of a tarball's dependencies needs. So the dependencies are linked from this
    // repository's node_modules, as npm would have installed them, and the package itself is the tarball.
    for (const name of Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies })) {
      mkdirSync(dirname(join(consumer, 'node_modules', name)), { recursive: true });
      symlinkSync(join(root, 'node_modules', name), join(consumer, 'node_modules', name), 'dir');
    }
    mkdirSync(join(consumer, 'node_modules', '.bin'));
    symlinkSync(join('..', 'express-cognito', manifest.bin['cognito-emulator']), join(consumer, 'node_modules', '.bin', 'cognito-emulator'));
    writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));

    const node = (file: string, source: string): string => {
      writeFileSync(join(consumer, file), source);
      return execFileSync(process.execPath, [join(consumer, file)], { cwd: consumer, encoding: 'utf8' });
    };
    const cjs = node('consumer.cjs', `
      const { Cognito, CognitoStrategy, requireCognito } = require('express-cognito');
      const { startEmulator, DEMO_SEED } = require('express-cognito/emulator');
      (async () => {
        const emulator = await startEmulator();
        try {
          const pool = (await emulator.seed(DEMO_SEED)).pools.demo;
          const clientId = Object.values(pool.clients)[0].clientId;
          const u = new Cognito(pool.poolId, clientId, { username: 'alice', endpoint: emulator.endpoint, region: emulator.region });
          await u.authenticate('Passw0rd!');
          console.log(JSON.stringify({
            from: require.resolve('express-cognito'),
            types: [typeof CognitoStrategy, typeof requireCognito].join(),
            signedIn: typeof u.accessToken === 'string' && u.accessToken.split('.').length === 3,
          }));
        } finally {
          await emulator.stop();
        }
      })().catch((e) => { console.error(e); process.exit(1); });
    `);
    const parsed = JSON.parse(cjs) as { from: string; types: string; signedIn: boolean };
    assert.equal(parsed.from, join(installed, 'dist', 'index.js'), 'resolved from the unpacked tarball, not the repository');
    assert.equal(parsed.types, 'function,function');
    assert.equal(parsed.signedIn, true);

    const esm = node('consumer.mjs', `
      import { Cognito, cognitoCsrf } from 'express-cognito';
      import { startEmulator } from 'express-cognito/emulator';
      console.log([typeof Cognito, typeof cognitoCsrf, typeof startEmulator].join());
    `);
    assert.equal(esm.trim(), 'function,function,function');

    // The binary as npm links it (node_modules/.bin), run through its shebang.
    const help = execFileSync(join(consumer, 'node_modules', '.bin', 'cognito-emulator'), ['--help'], { cwd: consumer, encoding: 'utf8' });
    assert.match(help, /^Usage: cognito-emulator /);
  });
});
