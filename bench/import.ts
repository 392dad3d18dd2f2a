/**
 * Start-up cost of the package for an app that only guards routes with bearer tokens: in fresh
 * processes, the time to `require('express-cognito')` (the built `dist/index.js`) and the time until
 * the first bearer-authenticated request has been served, against the same for `aws-jwt-verify`
 * (`CognitoJwtVerifier`, JWKS given with `cacheJwks`); and the RSS after the import.
 *
 * Each measurement is a fresh `node` process running a few lines of plain CommonJS (no tsx): it loads
 * `node:http`, then notes the time, requires the package, builds the guard (static JWKS: nothing is
 * fetched), serves one `GET /api` with a valid RS256 token from a `node:http` server to a `node:http`
 * client on loopback, and reports. A third kind of process, with no package and a guard that only calls
 * `next()`, gives the floor of that first request (server, client, loopback). Rounds run the three
 * kinds in a rotating order; figures are medians over the rounds, and the ratios are medians of the
 * per-round ratios (quartiles in brackets). The express-cognito process also reports how many
 * `@aws-sdk`/`@smithy` modules it holds after the import and after the request, and how long loading
 * the SDK takes when the first Cognito call does it (`sdk()` of `dist/lib/sdk.js`).
 *
 *   npx tsx bench/import.ts [--rounds 15]    (needs a build: npm run build)
 *
 * Prints figures, asserts nothing. `runImportBench()` is exported for bench/run-all.ts.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { BENCH_CLIENT_ID, BENCH_POOL_ID, createBenchKey, mintAccessToken } from './bench-tokens';

/** The kinds of process measured. */
export const IMPORT_VARIANTS = ['express-cognito', 'aws-jwt-verify', 'none'] as const;
export type ImportVariant = (typeof IMPORT_VARIANTS)[number];

/** What one fresh process measured. */
export interface ImportSample {
  /** `require()` of the package, ms. */
  importMs: number;
  /** From before the `require()` until the first guarded request was answered 200, ms. */
  firstRequestMs: number;
  /** RSS right before and right after the `require()`, bytes. */
  rssBefore: number;
  rssAfterImport: number;
  /** `@aws-sdk`/`@smithy` modules in `require.cache` after the import, and after the request. */
  sdkModulesAfterImport: number;
  sdkModulesAfterRequest: number;
  /** express-cognito only: loading the SDK afterwards (`sdk()`), ms. */
  sdkLoadMs?: number;
}

/** Medians of one variant over the rounds. */
export interface ImportFigures {
  importMs: number;
  firstRequestMs: number;
  rssAfterImport: number;
  /** RSS growth of the `require()`, bytes. */
  rssGrowth: number;
  /** Largest count over the rounds. */
  sdkModulesAfterImport: number;
  sdkModulesAfterRequest: number;
  sdkLoadMs?: number;
}

/** A median of per-round ratios with its quartiles. */
export interface Ratio {
  median: number;
  q1: number;
  q3: number;
}

/** Result of {@link runImportBench}. */
export interface ImportBenchResult {
  rounds: number;
  variants: Record<ImportVariant, ImportFigures>;
  /** express-cognito / aws-jwt-verify, per round. */
  importRatio: Ratio;
  firstRequestRatio: Ratio;
  rssRatio: Ratio;
  samples: Record<ImportVariant, ImportSample[]>;
  seconds: number;
}

interface ChildInput {
  variant: ImportVariant;
  /** Absolute path of the module to require (none for `none`). */
  module?: string;
  /** express-cognito: its `dist/lib/sdk.js`. */
  sdkModule?: string;
  token: string;
  jwks: unknown;
  userPoolId: string;
  clientId: string;
}

// The child, in plain CommonJS: nothing but node itself is loaded before the measured require().
const CHILD = String.raw`
const http = require('node:http');
const input = JSON.parse(process.argv[1]);
const SDK = /[\\/]node_modules[\\/]@(aws-sdk|smithy)[\\/]/;
const sdkModules = () => Object.keys(require.cache).filter((id) => SDK.test(id)).length;
const rssBefore = process.memoryUsage().rss;
const t0 = performance.now();
const pkg = input.module === undefined ? undefined : require(input.module);
const importMs = performance.now() - t0;
const rssAfterImport = process.memoryUsage().rss;
const sdkModulesAfterImport = sdkModules();
let guard;
if (input.variant === 'express-cognito') {
  guard = pkg.requireCognito({ userPoolId: input.userPoolId, clientId: input.clientId, jwks: input.jwks });
} else if (input.variant === 'aws-jwt-verify') {
  const verifier = pkg.CognitoJwtVerifier.create({ userPoolId: input.userPoolId, tokenUse: 'access', clientId: input.clientId });
  verifier.cacheJwks(input.jwks);
  guard = (req, res, next) => {
    const h = req.headers.authorization || '';
    verifier.verify(h.startsWith('Bearer ') ? h.slice(7) : '').then(() => next(), () => { res.statusCode = 401; res.end(); });
  };
} else {
  guard = (req, res, next) => next();
}
const server = http.createServer((req, res) => guard(req, res, (err) => {
  res.statusCode = err ? 500 : 200;
  res.end(err ? String(err) : 'ok');
}));
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  const request = http.get({ host: '127.0.0.1', port, path: '/api', headers: { authorization: 'Bearer ' + input.token } });
  request.on('response', (res) => {
    res.resume();
    res.on('end', () => {
      const firstRequestMs = performance.now() - t0;
      server.close();
      if (res.statusCode !== 200) {
        process.stderr.write(input.variant + ': the guard answered ' + res.statusCode + '\n');
        process.exit(1);
      }
      const out = { importMs, firstRequestMs, rssBefore, rssAfterImport, sdkModulesAfterImport, sdkModulesAfterRequest: sdkModules() };
      if (input.sdkModule !== undefined) {
        const t1 = performance.now();
        require(input.sdkModule).sdk();
        out.sdkLoadMs = performance.now() - t1;
      }
      process.stdout.write(JSON.stringify(out));
    });
  });
  request.on('error', (e) => { process.stderr.write(String(e) + '\n'); process.exit(1); });
});
`;

function median(values: number[]): number {
  return quantile(values, 0.5);
}

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

function ratio(values: number[]): Ratio {
  return { median: median(values), q1: quantile(values, 0.25), q3: quantile(values, 0.75) };
}

function figures(samples: ImportSample[]): ImportFigures {
  const of = (pick: (s: ImportSample) => number): number => median(samples.map(pick));
  const sdkLoads = samples.flatMap((s) => (s.sdkLoadMs === undefined ? [] : [s.sdkLoadMs]));
  return {
    importMs: of((s) => s.importMs),
    firstRequestMs: of((s) => s.firstRequestMs),
    rssAfterImport: of((s) => s.rssAfterImport),
    rssGrowth: of((s) => s.rssAfterImport - s.rssBefore),
    sdkModulesAfterImport: Math.max(...samples.map((s) => s.sdkModulesAfterImport)),
    sdkModulesAfterRequest: Math.max(...samples.map((s) => s.sdkModulesAfterRequest)),
    ...(sdkLoads.length > 0 ? { sdkLoadMs: median(sdkLoads) } : {}),
  };
}

function runChild(input: ChildInput, root: string): ImportSample {
  // No COGNITO_* variable may change the guard's configuration.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('COGNITO_') && k !== 'NODE_OPTIONS'));
  const stdout = execFileSync(process.execPath, ['-e', CHILD, JSON.stringify(input)], {
    cwd: root, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 60_000,
  });
  return JSON.parse(stdout) as ImportSample;
}

/**
 * Measures `rounds` fresh processes of each kind, in a rotating order.
 *
 * @example
 * const r = await runImportBench({ rounds: 15 });
 * console.log(r.variants['express-cognito'].importMs, r.importRatio.median);
 */
export function runImportBench(options: { rounds?: number } = {}): Promise<ImportBenchResult> {
  // The child processes run one after another, synchronously; the promise keeps the shape run-all.ts
  // awaits and turns a throw (dist/ not built) into a rejection.
  return new Promise((resolve) => resolve(measureImports(options)));
}

function measureImports(options: { rounds?: number }): ImportBenchResult {
  const { rounds = 15 } = options;
  const started = performance.now();
  const root = join(__dirname, '..');
  const dist = join(root, 'dist', 'index.js');
  const sdkModule = join(root, 'dist', 'lib', 'sdk.js');
  if (!existsSync(dist) || !existsSync(sdkModule)) throw new Error(`${dist} or ${sdkModule} is missing: run \`npm run build\` first`);
  const key = createBenchKey();
  const token = mintAccessToken(key, 1);
  const base = { token, jwks: key.jwks, userPoolId: BENCH_POOL_ID, clientId: BENCH_CLIENT_ID };
  const inputs: Record<ImportVariant, ChildInput> = {
    'express-cognito': { ...base, variant: 'express-cognito', module: dist, sdkModule },
    'aws-jwt-verify': { ...base, variant: 'aws-jwt-verify', module: require.resolve('aws-jwt-verify') },
    none: { ...base, variant: 'none' },
  };
  const samples: Record<ImportVariant, ImportSample[]> = { 'express-cognito': [], 'aws-jwt-verify': [], none: [] };
  // One unmeasured process of each kind first: the disk cache warms for every row alike.
  for (const variant of IMPORT_VARIANTS) runChild(inputs[variant], root);
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < IMPORT_VARIANTS.length; i++) {
      const variant = IMPORT_VARIANTS[(round + i) % IMPORT_VARIANTS.length];
      samples[variant].push(runChild(inputs[variant], root));
    }
  }
  const ours = samples['express-cognito'];
  const theirs = samples['aws-jwt-verify'];
  const perRound = (pick: (s: ImportSample) => number): Ratio => ratio(ours.map((s, i) => pick(s) / pick(theirs[i])));
  return {
    rounds,
    variants: { 'express-cognito': figures(ours), 'aws-jwt-verify': figures(theirs), none: figures(samples.none) },
    importRatio: perRound((s) => s.importMs),
    firstRequestRatio: perRound((s) => s.firstRequestMs),
    rssRatio: perRound((s) => s.rssAfterImport),
    samples,
    seconds: (performance.now() - started) / 1000,
  };
}

const MB = 1024 * 1024;

/**
 * The result as a Markdown table.
 *
 * @example
 * console.log(formatImportTable(await runImportBench()));
 */
export function formatImportTable(r: ImportBenchResult): string {
  const lines = [
    '| process | require() | first guarded request | RSS after require() | RSS growth of require() | SDK modules after require() / request |'
      .replace('SDK modules', '@aws-sdk/@smithy modules'),
    '|---|---:|---:|---:|---:|---:|',
  ];
  const labels: Record<ImportVariant, string> = {
    'express-cognito': "`require('express-cognito')` (dist) + `requireCognito()`",
    'aws-jwt-verify': "`require('aws-jwt-verify')` + `CognitoJwtVerifier`",
    none: 'no package, pass-through guard (floor)',
  };
  for (const variant of IMPORT_VARIANTS) {
    const f = r.variants[variant];
    const mb = (bytes: number): string => (bytes / MB).toFixed(1);
    lines.push(`| ${labels[variant]} | ${f.importMs.toFixed(1)} ms | ${f.firstRequestMs.toFixed(1)} ms | ${mb(f.rssAfterImport)} MB | ` +
      `+${mb(f.rssGrowth)} MB | ${f.sdkModulesAfterImport} / ${f.sdkModulesAfterRequest} |`);
  }
  const q = (x: Ratio): string => `${x.median.toFixed(2)}× [${x.q1.toFixed(2)}–${x.q3.toFixed(2)}]`;
  lines.push(`| express-cognito / aws-jwt-verify (per round) | ${q(r.importRatio)} | ${q(r.firstRequestRatio)} | ${q(r.rssRatio)} | | |`);
  return lines.join('\n');
}

if (require.main === module) {
  const i = process.argv.indexOf('--rounds');
  const rounds = i === -1 ? undefined : Number(process.argv[i + 1]);
  runImportBench(rounds === undefined ? {} : { rounds }).then((r) => {
    console.log(`${r.rounds} fresh processes of each kind, medians (${r.seconds.toFixed(1)} s):\n`);
    console.log(formatImportTable(r));
    const sdkLoad = r.variants['express-cognito'].sdkLoadMs;
    if (sdkLoad !== undefined) console.log(`\nexpress-cognito, loading the SDK afterwards, as the first Cognito call does (sdk()): ${sdkLoad.toFixed(1)} ms`);
  }, (e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  });
}
