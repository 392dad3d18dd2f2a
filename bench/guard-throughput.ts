/**
 * Guarded-route throughput: the same JSON route unguarded and behind each guard, each server in its
 * own process (bench/guard-server.ts), loaded by autocannon (10 connections) on loopback; where
 * taskset(1) allows, the load generator runs on CPU 0 and every server on CPU 1. Rounds are
 * interleaved (every variant once per round, in a rotating order) and medians reported, with each
 * variant's ratio to the unguarded route measured in the same run, and the server's CPU time per
 * request (a figure that does not depend on the load generator sharing the machine).
 *
 *   npx tsx bench/guard-throughput.ts [--rounds 5] [--duration 3] [--rows b,c,e] [--pairs b/a,b/g] [--pairRounds 10]
 *   npx tsx bench/guard-throughput.ts --profile b [--duration 5]   # one row under node --cpu-prof:
 *                                                                  # prints where the server's CPU goes
 *
 * Prints figures, asserts nothing. `runGuardBench()` is exported for bench/run-all.ts.
 */
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { createBenchKey, mintAccessToken, mintIdToken, mintInChildren } from './bench-tokens';
import type { ServerStats, Variant } from './guard-server';

/** One row of the table. */
export interface GuardRow {
  /** Short label, e.g. `(b) requireCognito, bearer, same token`. */
  label: string;
  id: string;
  /** Median requests per second over the rounds. */
  rps: number;
  /** Lowest and highest requests per second of the rounds: how much the machine drifted. */
  rpsRange: [number, number];
  /**
   * Median over the rounds of (this row's req/s / the unguarded route's req/s in the same round): a
   * ratio of two loads measured seconds apart, which a shared machine's drift disturbs less than a
   * ratio of medians.
   */
  ratio: number;
  /** Median server CPU time per request, in µs. */
  cpuUsPerReq: number;
  /**
   * Median share of its core the load generator (this process, autocannon) used during the load,
   * 0–1: near 1, the client rather than the server limited the row.
   */
  clientCpuShare: number;
  /** Median p50 / p99 latency, ms. */
  p50: number;
  p99: number;
  /** Responses other than 2xx, over all rounds (must be 0). */
  non2xx: number;
  /** What the issue asks of this row, in words. */
  target: string;
  /** Whether the target is met (undefined when the row has no target). */
  met?: boolean;
  /**
   * For the rows with a paired baseline ({@link PAIRS}): the median over the rounds of this row's
   * req/s divided by its baseline's, the two measured back to back (in alternating order), so that
   * the machine's drift between them is seconds, not a whole round.
   */
  paired?: Record<string, PairedRatio>;
  /** Token-cache counters of the server after the last round (requireCognito and verifier rows). */
  cache?: { hits: number; misses: number; size: number };
}

/** Ratios of back-to-back loads: median and quartiles over the pairs. */
export interface PairedRatio {
  median: number;
  q1: number;
  q3: number;
  pairs: number;
}

function quantile(sorted: number[], q: number): number {
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (at - lo);
}

/** Median and quartiles of `values`. */
export function spread(values: number[]): PairedRatio {
  const sorted = [...values].sort((x, y) => x - y);
  return { median: quantile(sorted, 0.5), q1: quantile(sorted, 0.25), q3: quantile(sorted, 0.75), pairs: sorted.length };
}

/**
 * Rows measured again, each back to back with its baseline, in rounds of their own: the targets'
 * ratios. (b) and (d) against the unguarded routes, (c) against the plain-jose guard, (b) against
 * aws-jwt-verify's; and (a) against itself, the noise floor of such a ratio on this machine. For
 * context, (b) against a middleware that only calls next() (what mounting any middleware costs) and
 * against a bare TokenVerifier middleware (what the rest of requireCognito costs).
 */
export const PAIRS: ReadonlyArray<readonly [row: string, baseline: string]> = [
  ['a', 'a'], ['b', 'a'], ['d', 'a2'], ['c', 'f'], ['b', 'e'], ['b', 'a5'], ['b', 'g'],
];

/** Options of {@link runGuardBench}. */
export interface GuardBenchOptions {
  /** Measured rounds; the median is reported. Default 5. */
  rounds?: number;
  /** Seconds per measurement. Default 3. */
  duration?: number;
  /** Rounds of back-to-back pairs ({@link PAIRS}). Default 2 × rounds. */
  pairRounds?: number;
  /** Which pairs to measure back to back (row, baseline). Default {@link PAIRS}. */
  pairs?: ReadonlyArray<readonly [string, string]>;
  /** Seconds per load of a back-to-back pair. Default 1. */
  pairDuration?: number;
  /** autocannon connections. Default 10. */
  connections?: number;
  /**
   * Distinct tokens for the distinct-token rows, each server taking them in order: enough that no
   * server sees a token twice in a run (a repeated token may be a cache hit). Default 100,000.
   */
  poolSize?: number;
  /** Progress lines go here. Default: stderr. */
  log?: (line: string) => void;
  /** Run only the rows with these ids (`a`, `b`, … `h`); the unguarded row (a) is always run. */
  only?: readonly string[];
  /** Run the servers under `node --cpu-prof` and print a summary of where their CPU went. */
  profile?: boolean;
}

interface Spec {
  id: string;
  label: string;
  variant: Variant;
  /**
   * What the client sends: nothing, one bearer token, a new bearer token each request, the session
   * cookie; `same-ignored`: the bearer token to a route that ignores it.
   */
  tokens: 'none' | 'same' | 'same-ignored' | 'distinct' | 'session';
  target: string;
}

const SPECS: Spec[] = [
  { id: 'a', label: '(a) unguarded', variant: 'unguarded', tokens: 'none', target: 'baseline (1.00×)' },
  { id: 'b', label: '(b) requireCognito(), bearer, same token', variant: 'require', tokens: 'same', target: '≥ 0.90× unguarded and ≥ 1.4× (e)' },
  { id: 'c', label: '(c) requireCognito(), bearer, distinct tokens (misses)', variant: 'require', tokens: 'distinct', target: '≥ (f) plain jose' },
  { id: 'd', label: '(d) requireCognito(), session (MemoryStore)', variant: 'require-session', tokens: 'session', target: '≥ 0.85× the unguarded route with express-session (a2)' },
  { id: 'a3', label: '(a3) unguarded, the same bearer header sent and ignored (context for b)', variant: 'unguarded', tokens: 'same-ignored', target: '—' },
  { id: 'a4', label: '(a4) a no-op async middleware, same bearer header (context for b)', variant: 'async-noop', tokens: 'same-ignored', target: '—' },
  { id: 'a5', label: '(a5) a no-op middleware calling next() at once, same bearer header (context for b)', variant: 'sync-noop', tokens: 'same-ignored', target: '—' },
  { id: 'a2', label: '(a2) unguarded + express-session (context for d)', variant: 'unguarded-session', tokens: 'session', target: '—' },
  { id: 'e', label: '(e) aws-jwt-verify guard, same token', variant: 'aws-jwt-verify', tokens: 'same', target: 'issue measured ≈ 0.62×' },
  { id: 'f', label: '(f) plain jose guard, distinct tokens', variant: 'jose', tokens: 'distinct', target: 'issue measured ≈ 0.65×' },
  { id: 'g', label: '(g) TokenVerifier direct, same token', variant: 'verifier', tokens: 'same', target: '— (verifier alone)' },
  { id: 'h', label: '(h) TokenVerifier direct, distinct tokens', variant: 'verifier', tokens: 'distinct', target: '— (miss path alone)' },
];

interface Server {
  child: ChildProcess;
  port: number;
  cookie?: string;
}

function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Pins a process (all its threads, and those it creates later) to `cpu` with taskset(1): the load
 * generator on one core, every server on another, so that no row depends on where the scheduler put
 * it. Returns false when that is not possible (one core, no taskset).
 */
function pin(pid: number, cpu: string): boolean {
  if (cpus().length < 2) return false;
  try {
    execFileSync('taskset', ['-a', '-p', '-c', cpu, String(pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Whether the last {@link runGuardBench} pinned the load generator and the servers to separate cores. */
export let pinnedCores = false;

function startServer(variant: Variant, jwks: unknown, profileDir?: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const child = fork(require.resolve('./guard-server'), [], {
      execArgv: ['--require', 'tsx/cjs', ...(profileDir === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', profileDir])],
      env: { ...process.env, NODE_ENV: 'production', BENCH_VARIANT: variant, BENCH_JWKS: JSON.stringify(jwks), DEBUG: '' },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    child.once('message', (m: { port?: number }) => {
      if (!m.port) return reject(new Error('no port'));
      if (pinnedCores) pin(child.pid as number, '1');
      resolve({ child, port: m.port });
    });
    child.once('exit', (code) => reject(new Error(`${variant} server exited with ${code}`)));
  });
}

function stats(server: Server): Promise<ServerStats> {
  return new Promise((resolve) => {
    const onMessage = (m: { stats?: ServerStats }): void => {
      if (m.stats === undefined) return;
      server.child.off('message', onMessage);
      resolve(m.stats);
    };
    server.child.on('message', onMessage);
    server.child.send('stats');
  });
}

async function login(server: Server, tokens: { idToken: string; accessToken: string; refreshToken: string }): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${server.port}/bench/login`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(tokens),
  });
  const cookie = res.headers.get('set-cookie');
  if (res.status !== 200 || cookie === null) throw new Error(`session login failed: ${res.status}`);
  return cookie.split(';')[0];
}

/**
 * Runs every row and returns the table (medians), the unguarded route first.
 *
 * @example
 * const rows = await runGuardBench({ rounds: 5, duration: 3 });
 */
export async function runGuardBench(options: GuardBenchOptions = {}): Promise<GuardRow[]> {
  const { rounds = 5, duration = 3, connections = 10, poolSize = 100_000 } = options;
  const { pairRounds = 2 * rounds, pairDuration = 1, pairs = PAIRS } = options;
  const only = options.only;
  const specs = only === undefined ? SPECS : SPECS.filter((s) => only.includes(s.id) || (s.id === 'a' && !options.profile));
  const profileDir = options.profile ? mkdtempSync(join(tmpdir(), 'guard-prof-')) : undefined;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const key = createBenchKey();
  const same = mintAccessToken(key, 0);
  const sessionTokens = { idToken: mintIdToken(key, 0), accessToken: same, refreshToken: 'bench-refresh-token-never-used' };
  const pool: string[] = [];
  if (specs.some((spec) => spec.tokens === 'distinct')) {
    log(`guard bench: minting ${poolSize} distinct tokens…`);
    await mintInChildren(key, poolSize, (batch) => void pool.push(...batch));
  }

  const servers = new Map<string, Server>();
  pinnedCores = pin(process.pid, '0');
  log(pinnedCores ? 'guard bench: load generator pinned to CPU 0, servers to CPU 1' : 'guard bench: not pinned to cores');
  try {
    for (const spec of specs) {
      const server = await startServer(spec.variant, key.jwks, profileDir);
      if (spec.tokens === 'session') server.cookie = await login(server, sessionTokens);
      servers.set(spec.id, server);
    }
    // One position in the pool per row: each server sees the pool in order, every token once (unless
    // the pool runs out and wraps: the cache counters in the table would show hits then).
    const cursor = new Map<string, number>();
    const load = async (spec: Spec, seconds: number): Promise<autocannon.Result> => {
      const server = servers.get(spec.id) as Server;
      const headers: Record<string, string> = {};
      if (spec.tokens === 'same' || spec.tokens === 'same-ignored') headers.authorization = `Bearer ${same}`;
      if (spec.tokens === 'session') headers.cookie = server.cookie as string;
      const request: autocannon.Request = { method: 'GET', path: '/api/data', headers };
      if (spec.tokens === 'distinct') {
        request.setupRequest = (req) => {
          const at = cursor.get(spec.id) ?? 0;
          cursor.set(spec.id, at + 1);
          return { ...req, headers: { ...req.headers, authorization: `Bearer ${pool[at % pool.length]}` } };
        };
      }
      return autocannon({ url: `http://127.0.0.1:${server.port}`, connections, duration: seconds, requests: [request] });
    };

    // Sanity: each guarded server refuses a forged token and accepts ours.
    for (const spec of specs) {
      const server = servers.get(spec.id) as Server;
      const url = `http://127.0.0.1:${server.port}/api/data`;
      const okHeaders: Record<string, string> = spec.tokens === 'session' ? { cookie: server.cookie as string } : { authorization: `Bearer ${same}` };
      const ok = await fetch(url, { headers: okHeaders });
      if (ok.status !== 200) throw new Error(`${spec.label}: a valid token got ${ok.status}`);
      if (spec.tokens === 'same' || spec.tokens === 'distinct') {
        const forged = `${same.slice(0, -10)}${same.slice(-10) === 'AAAAAAAAAA' ? 'BBBBBBBBBB' : 'AAAAAAAAAA'}`;
        const bad = await fetch(url, { headers: { authorization: `Bearer ${forged}` } });
        if (bad.status !== 401) throw new Error(`${spec.label}: a forged token got ${bad.status}`);
      }
    }

    log('guard bench: warming up…');
    for (const spec of specs) await load(spec, 1);

    type Samples = { rps: number[]; cpu: number[]; client: number[]; p50: number[]; p99: number[]; non2xx: number; ratios: number[] };
    const samples = new Map<string, Samples>();
    for (const spec of specs) samples.set(spec.id, { rps: [], cpu: [], client: [], p50: [], p99: [], non2xx: 0, ratios: [] });
    for (let round = 0; round < rounds; round++) {
      // Rotate the order so that no variant always runs first (or right after a heavy one).
      const order = specs.map((_, i) => specs[(i + round) % specs.length]);
      for (const spec of order) {
        const server = servers.get(spec.id) as Server;
        const before = await stats(server);
        const clientBefore = process.cpuUsage();
        const wallBefore = process.hrtime.bigint();
        const result = await load(spec, duration);
        const clientUsed = process.cpuUsage(clientBefore);
        const wallUs = Number(process.hrtime.bigint() - wallBefore) / 1000;
        const after = await stats(server);
        const s = samples.get(spec.id)!;
        s.client.push((clientUsed.user + clientUsed.system) / wallUs);
        s.rps.push(result.requests.average);
        s.cpu.push((after.cpuUs - before.cpuUs) / Math.max(1, result.requests.total));
        s.p50.push(result.latency.p50);
        s.p99.push(result.latency.p99);
        s.non2xx += result.non2xx + result.errors + result.timeouts;
      }
      const base = samples.get('a')?.rps[round];
      for (const spec of specs) {
        const s = samples.get(spec.id)!;
        s.ratios.push(base === undefined ? NaN : s.rps[round] / base);
      }
      log(`guard bench: round ${round + 1}/${rounds} done`);
    }

    // The target ratios, back to back: many short pairs, alternating which of the two goes first so
    // that neither always gets the warmer (or the noisier) slot. (a) against itself is the noise floor.
    const pairedRatios = new Map<string, number[]>();
    for (let round = 0; round < pairRounds; round++) {
      for (const [row, baseline] of pairs) {
        const x = specs.find((sp) => sp.id === row);
        const y = specs.find((sp) => sp.id === baseline);
        if (x === undefined || y === undefined) continue;
        const [first, second] = round % 2 === 0 ? [y, x] : [x, y];
        const r1 = (await load(first, pairDuration)).requests.average;
        const r2 = (await load(second, pairDuration)).requests.average;
        // For the A/A pair, "row" is whichever ran second.
        const [rx, ry] = round % 2 === 0 ? [r2, r1] : [r1, r2];
        const key = `${row}/${baseline}`;
        pairedRatios.set(key, [...(pairedRatios.get(key) ?? []), rx / ry]);
      }
      if ((round + 1) % 5 === 0 || round + 1 === pairRounds) log(`guard bench: back-to-back round ${round + 1}/${pairRounds} done`);
    }

    const rows: GuardRow[] = [];
    for (const spec of specs) {
      const s = samples.get(spec.id)!;
      const row: GuardRow = {
        label: spec.label, id: spec.id, rps: median(s.rps), rpsRange: [Math.min(...s.rps), Math.max(...s.rps)], ratio: median(s.ratios),
        cpuUsPerReq: median(s.cpu), clientCpuShare: median(s.client), p50: median(s.p50), p99: median(s.p99),
        non2xx: s.non2xx, target: spec.target,
      };
      for (const [x, baseline] of pairs) {
        const ratios = pairedRatios.get(`${x}/${baseline}`);
        if (x === spec.id && ratios !== undefined) row.paired = { ...row.paired, [baseline]: spread(ratios) };
      }
      const cache = (await stats(servers.get(spec.id) as Server)).tokenCache;
      if (cache !== undefined) row.cache = { hits: cache.hits, misses: cache.misses, size: cache.size };
      rows.push(row);
    }
    const byId = (id: string): GuardRow | undefined => rows.find((r) => r.id === id);
    const [b, c, d, e, f] = ['b', 'c', 'd', 'e', 'f'].map(byId);
    // The targets are judged on the back-to-back ratios where they were measured (see PAIRS).
    if (b) b.met = (b.paired?.a?.median ?? b.ratio) >= 0.9 && (e === undefined || (b.paired?.e?.median ?? b.ratio / e.ratio) >= 1.4);
    if (c && f) c.met = (c.paired?.f?.median ?? c.ratio / f.ratio) >= 1;
    if (d) d.met = (d.paired?.a2?.median ?? d.ratio) >= 0.85;
    return rows;
  } finally {
    if (pinnedCores) pin(process.pid, `0-${cpus().length - 1}`);
    await Promise.all([...servers.values()].map((server) => new Promise<void>((resolve) => {
      server.child.once('exit', () => resolve());
      server.child.send('stop');
    })));
    if (profileDir !== undefined) for (const file of readdirSync(profileDir)) log(summarizeProfile(join(profileDir, file)));
  }
}

/**
 * The table as text.
 *
 * @example
 * console.log(formatGuardTable(await runGuardBench()));
 */
export function formatGuardTable(rows: GuardRow[]): string {
  const lines = [
    '| route | req/s (median) | × unguarded (median of per-round ratios) | back to back with its baseline: median ratio [quartiles] | server CPU µs/req | load generator CPU | p50 / p99 ms | non-2xx | target | met |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---|---|',
  ];
  for (const r of rows) {
    const cache = r.cache ? ` (cache: ${r.cache.hits} hits, ${r.cache.misses} misses)` : '';
    lines.push(`| ${r.label}${cache} | ${Math.round(r.rps)} | ${r.ratio.toFixed(2)}× | ${Object.entries(r.paired ?? {}).map(([base, p]) => `${p.median.toFixed(2)}× (${base}) [${p.q1.toFixed(2)}–${p.q3.toFixed(2)}]`).join(', ')} | ${r.cpuUsPerReq.toFixed(1)} | ${Math.round(100 * r.clientCpuShare)}% | ${r.p50} / ${r.p99} | ${r.non2xx} | ${r.target} | ${r.met === undefined ? '' : r.met ? 'yes' : 'NO'} |`);
  }
  return lines.join('\n');
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

/**
 * Where a profiled process's CPU went: samples by area (the nearest known frame on the stack) and
 * self time by function (top 25).
 *
 * @example
 * console.log(summarizeProfile("/tmp/prof/CPU.123.cpuprofile"));
 */
export function summarizeProfile(file: string): string {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: ProfileNode[] };
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const total = profile.nodes.reduce((sum, n) => sum + (n.hitCount ?? 0), 0);
  const self = new Map<string, number>();
  for (const n of profile.nodes) {
    const where = n.callFrame.url.replace(/^.*\/(node_modules\/)/, '$1').replace(/^.*\/work\/main\//, '');
    const name = `${n.callFrame.functionName || '(anonymous)'} ${where}:${n.callFrame.lineNumber + 1}`;
    self.set(name, (self.get(name) ?? 0) + (n.hitCount ?? 0));
  }
  // Each sample goes to the nearest frame on its stack that belongs to a known area: a middleware that
  // calls next() synchronously does not get the rest of the request charged to it (the router does).
  const areas: Array<[string, RegExp]> = [
    ['express/router/http (framework)', /node_modules\/(express|router|finalhandler|send|etag|fresh|content-type|on-finished)\/|node:_http|node:net|node:stream/],
    ['express-session', /node_modules\/(express-session|cookie|cookie-signature)\//], ['requireCognito', /middleware\/require-cognito/],
    ['TokenVerifier', /lib\/token-verifier/], ['token cache', /lib\/verified-token-cache/], ['jose', /node_modules\/jose\//],
    ['aws-jwt-verify', /node_modules\/aws-jwt-verify\//], ['revocation store', /middleware\/revocation-store/],
    ['session tokens', /middleware\/session-tokens/], ['bearer parsing', /middleware\/bearer-token/],
    ['bench server', /bench\/guard-server/],
  ];
  const byArea = new Map<string, number>();
  const walk = (id: number, area: string): void => {
    const n = nodes.get(id) as ProfileNode;
    const own = areas.find(([, re]) => re.test(n.callFrame.url))?.[0] ?? area;
    const name = n.callFrame.functionName;
    const bucket = name === '(garbage collector)' || name === '(idle)' || name === '(program)' ? name : own;
    byArea.set(bucket, (byArea.get(bucket) ?? 0) + (n.hitCount ?? 0));
    for (const child of n.children ?? []) walk(child, own);
  };
  const root = profile.nodes[0];
  walk(root.id, '(other: node internals, event loop)');
  const pct = (h: number): string => `${((100 * h) / total).toFixed(1)}%`;
  const lines = [`profile ${file} (${total} samples)`, '  by area (nearest known frame on the stack):'];
  for (const [area, hits] of [...byArea].sort((x, y) => y[1] - x[1])) lines.push(`    ${pct(hits).padStart(6)}  ${area}`);
  lines.push('  self time, top 25:');
  for (const [name, hits] of [...self].sort((x, y) => y[1] - x[1]).slice(0, 25)) lines.push(`    ${pct(hits).padStart(6)}  ${name}`);
  return lines.join('\n');
}

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
}

if (require.main === module) {
  const profile = process.argv.indexOf('--profile');
  const rowsArg = process.argv.indexOf('--rows');
  const only = profile !== -1 ? [process.argv[profile + 1]] : rowsArg !== -1 ? process.argv[rowsArg + 1].split(',') : undefined;
  const pairsArg = process.argv.indexOf('--pairs');
  const pairs = pairsArg === -1 ? undefined : process.argv[pairsArg + 1].split(',').map((p) => p.split('/') as [string, string]);
  runGuardBench({
    rounds: arg('rounds', profile === -1 ? 5 : 1), duration: arg('duration', 3),
    pairRounds: arg('pairRounds', 2 * arg('rounds', profile === -1 ? 5 : 1)), ...(pairs === undefined ? {} : { pairs }),
    ...(only === undefined ? {} : { only }), ...(profile === -1 ? {} : { profile: true }),
  }).then((rows) => {
    console.log(formatGuardTable(rows));
    const b = rows.find((r) => r.id === 'b');
    const e = rows.find((r) => r.id === 'e');
    if (b && e) console.log(`\n(b) / (e) = ${(b.ratio / e.ratio).toFixed(2)}×`);
  }, (e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  });
}
