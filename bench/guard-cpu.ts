/**
 * Guarded-route CPU cost without the network: the apps of bench/guard-server.ts driven in-process
 * (a real `IncomingMessage`/`ServerResponse` pair on a socket that swallows what is written), each
 * variant in a process of its own, rounds interleaved, medians. What it measures is the JavaScript
 * work of one request — Express, the guard, the JSON answer — which the kernel's loopback and a load
 * generator sharing the machine add noise to in `bench/guard-throughput.ts`.
 *
 *   npx tsx bench/guard-cpu.ts [--rounds 7] [--requests 20000] [--rows b,d,a2]   (row a, the baseline, always runs)
 *
 * Prints figures, asserts nothing. `runGuardCpuBench()` is exported for bench/run-all.ts.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { Duplex } from 'node:stream';
import type { JSONWebKeySet } from 'jose';
import { createBenchKey, mintAccessToken, mintIdToken, mintInChildren } from './bench-tokens';
import { buildApp, type Variant } from './guard-server';
import { spread, type PairedRatio } from './guard-throughput';

/** One row: median CPU µs per request, and its ratio to the unguarded app's. */
export interface GuardCpuRow {
  id: string;
  label: string;
  usPerReq: number;
  /** Median over the rounds of (unguarded µs / this row's µs): comparable to a throughput ratio. */
  ratio: number;
  /** Back to back with a baseline (see {@link CPU_PAIRS}): baseline µs / this row's µs, median and quartiles. */
  paired?: Record<string, PairedRatio>;
}

/** Rows measured again back to back with their baselines: (b) and (d) as the targets read them, (a) with itself (noise). */
export const CPU_PAIRS: ReadonlyArray<readonly [row: string, baseline: string]> = [['a', 'a'], ['b', 'a'], ['d', 'a2']];

interface Spec {
  id: string;
  label: string;
  variant: Variant;
  tokens: 'none' | 'same' | 'distinct' | 'session';
}

const ALL_SPECS: Spec[] = [
  { id: 'a', label: '(a) unguarded', variant: 'unguarded', tokens: 'none' },
  { id: 'b', label: '(b) requireCognito(), bearer, same token', variant: 'require', tokens: 'same' },
  { id: 'c', label: '(c) requireCognito(), bearer, distinct tokens', variant: 'require', tokens: 'distinct' },
  { id: 'd', label: '(d) requireCognito(), session', variant: 'require-session', tokens: 'session' },
  { id: 'a5', label: '(a5) a no-op middleware calling next() at once, same bearer header', variant: 'sync-noop', tokens: 'same' },
  { id: 'a4', label: '(a4) a no-op async middleware, same bearer header', variant: 'async-noop', tokens: 'same' },
  { id: 'a2', label: '(a2) unguarded + express-session', variant: 'unguarded-session', tokens: 'session' },
  { id: 'e', label: '(e) aws-jwt-verify guard, same token', variant: 'aws-jwt-verify', tokens: 'same' },
  { id: 'f', label: '(f) plain jose guard, distinct tokens', variant: 'jose', tokens: 'distinct' },
];

function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? (sorted[mid]) : ((sorted[mid - 1]) + (sorted[mid])) / 2;
}

/** A socket that accepts every write and never sends anything. */
function sink(): Socket {
  const duplex = new Duplex({
    read() {},
    write(_chunk, _encoding, callback) {
      callback();
    },
  });
  return duplex as unknown as Socket;
}

type App = (req: IncomingMessage, res: ServerResponse) => void;

/** One request through the app; resolves with the response (status, headers) when it has finished. */
function inject(app: App, method: string, url: string, headers: Record<string, string>, body?: string): Promise<ServerResponse> {
  const socket = sink();
  const req = new IncomingMessage(socket);
  req.method = method;
  req.url = url;
  req.headers = { host: '127.0.0.1', ...headers, ...(body === undefined ? {} : { 'content-length': String(Buffer.byteLength(body)) }) };
  req.rawHeaders = Object.entries(req.headers).flatMap(([k, v]) => [k, String(v)]);
  if (body !== undefined) req.push(body);
  req.push(null);
  const res = new ServerResponse(req);
  res.assignSocket(socket);
  return new Promise((resolve, reject) => {
    // 'prefinish': end() has run and everything is queued (on this socket 'finish' is not always emitted).
    res.once('prefinish', () => resolve(res));
    res.on('error', reject);
    app(req, res);
  });
}

interface Setup {
  jwks: JSONWebKeySet;
  same: string;
  id: string;
  distinct: string[];
}

// Child side: receives the keys and tokens, builds the app, then measures on demand.
async function child(variant: Variant, tokens: Spec['tokens']): Promise<void> {
  const pool = await new Promise<Setup>((resolve) => process.once('message', (m: { setup: Setup }) => resolve(m.setup)));
  const jwks = pool.jwks;
  const app = (await buildApp(variant, jwks)) as unknown as App;
  const headers: Record<string, string> = {};
  if (tokens === 'same') headers.authorization = `Bearer ${pool.same}`;
  if (tokens === 'session') {
    const res = await inject(app, 'POST', '/bench/login', { 'content-type': 'application/json' },
      JSON.stringify({ idToken: pool.id, accessToken: pool.same, refreshToken: 'bench-refresh-token-never-used' }));
    headers.cookie = String(res.getHeader('set-cookie')).split(';')[0];
  }
  let next = 0;
  const once = async (): Promise<void> => {
    const h = tokens === 'distinct' ? { authorization: `Bearer ${pool.distinct[next++ % pool.distinct.length]}` } : headers;
    const res = await inject(app, 'GET', '/api/data', h);
    if (res.statusCode !== 200) throw new Error(`${variant}: HTTP ${res.statusCode}`);
  };
  process.on('message', (m: { measure?: number }) => {
    if (m.measure === undefined) return;
    void (async () => {
      const start = process.cpuUsage();
      for (let i = 0; i < (m.measure as number); i++) await once();
      const used = process.cpuUsage(start);
      process.send?.({ usPerReq: (used.user + used.system) / (m.measure as number) });
    })().catch((e: unknown) => process.send?.({ error: String(e) }));
  });
  process.send?.({ ready: true });
}

function startChild(spec: Spec, setup: Setup): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const c = fork(__filename, ['--child', spec.variant, spec.tokens], {
      execArgv: ['--require', 'tsx/cjs'], env: { ...process.env, NODE_ENV: 'production', DEBUG: '' }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    c.send({ setup: spec.tokens === 'distinct' ? setup : { ...setup, distinct: [] } });
    c.once('message', (m: { ready?: boolean }) => (m.ready ? resolve(c) : reject(new Error('child failed'))));
    c.once('exit', (code) => reject(new Error(`${spec.variant} exited with ${code}`)));
  });
}

function measure(c: ChildProcess, requests: number): Promise<number> {
  return new Promise((resolve, reject) => {
    c.once('message', (m: { usPerReq?: number; error?: string }) => (m.usPerReq !== undefined ? resolve(m.usPerReq) : reject(new Error(m.error))));
    c.send({ measure: requests });
  });
}

/**
 * Runs every variant; returns median µs per request and the median per-round ratio to (a).
 *
 * @example
 * const rows = await runGuardCpuBench({ rounds: 7 });
 */
export async function runGuardCpuBench(
  options: { rounds?: number; requests?: number; rows?: readonly string[]; pairRounds?: number; log?: (line: string) => void } = {},
): Promise<GuardCpuRow[]> {
  const { rounds = 7, requests = 20_000 } = options;
  const pairRounds = options.pairRounds ?? 2 * rounds;
  // Row (a) is every ratio's baseline: always measured.
  const SPECS = ALL_SPECS.filter((s) => s.id === 'a' || options.rows === undefined || options.rows.includes(s.id));
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const key = createBenchKey();
  const distinct: string[] = [];
  // Every request of a distinct-token row gets a token of its own (a repeated one could be a cache hit).
  const needed = SPECS.some((s) => s.tokens === 'distinct') ? Math.ceil(requests / 2) + rounds * requests : 1;
  log(`guard CPU bench: minting ${needed} distinct tokens…`);
  await mintInChildren(key, needed, (batch) => void distinct.push(...batch));
  const setup: Setup = { jwks: key.jwks, same: mintAccessToken(key, 0), id: mintIdToken(key, 0), distinct };
  const children = new Map<string, ChildProcess>();
  try {
    for (const spec of SPECS) children.set(spec.id, await startChild(spec, setup));
    for (const spec of SPECS) await measure(children.get(spec.id) as ChildProcess, requests / 2); // warm-up
    const samples = new Map<string, number[]>(SPECS.map((s) => [s.id, []]));
    const ratios = new Map<string, number[]>(SPECS.map((s) => [s.id, []]));
    for (let round = 0; round < rounds; round++) {
      const order = SPECS.map((_, i) => SPECS[(i + round) % SPECS.length]);
      for (const spec of order) samples.get(spec.id)!.push(await measure(children.get(spec.id) as ChildProcess, requests));
      const base = samples.get('a')![round];
      for (const spec of SPECS) ratios.get(spec.id)!.push(base / (samples.get(spec.id)![round]));
      log(`guard CPU bench: round ${round + 1}/${rounds} done`);
    }
    // Back to back, alternating which goes first; half-size measurements.
    const paired = new Map<string, number[]>();
    for (let round = 0; round < pairRounds; round++) {
      for (const [row, baseline] of CPU_PAIRS) {
        const x = children.get(row);
        const y = children.get(baseline);
        if (x === undefined || y === undefined) continue;
        const firstIsBase = round % 2 === 0;
        const u1 = await measure(firstIsBase ? y : x, requests / 2);
        const u2 = await measure(firstIsBase ? x : y, requests / 2);
        const [ux, uy] = firstIsBase ? [u2, u1] : [u1, u2];
        paired.set(`${row}/${baseline}`, [...(paired.get(`${row}/${baseline}`) ?? []), uy / ux]);
      }
    }
    if (pairRounds > 0) log(`guard CPU bench: ${pairRounds} back-to-back rounds done`);
    return SPECS.map((spec) => {
      const row: GuardCpuRow = {
        id: spec.id, label: spec.label, usPerReq: median(samples.get(spec.id)!), ratio: median(ratios.get(spec.id)!),
      };
      for (const [x, baseline] of CPU_PAIRS) {
        const values = paired.get(`${x}/${baseline}`);
        if (x === spec.id && values !== undefined) row.paired = { ...row.paired, [baseline]: spread(values) };
      }
      return row;
    });
  } finally {
    for (const c of children.values()) c.kill();
  }
}

/**
 * The table as text.
 *
 * @example
 * console.log(formatGuardCpuTable(await runGuardCpuBench()));
 */
export function formatGuardCpuTable(rows: GuardCpuRow[]): string {
  const lines = [
    '| app (in-process, no sockets) | CPU µs per request (median) | unguarded / this (median of per-round ratios) | back to back: baseline / this, median [quartiles] |',
    '|---|---:|---:|---:|',
  ];
  for (const r of rows) {
    const paired = Object.entries(r.paired ?? {}).map(([base, p]) => `${p.median.toFixed(2)}× (${base}) [${p.q1.toFixed(2)}–${p.q3.toFixed(2)}]`).join(', ');
    lines.push(`| ${r.label} | ${r.usPerReq.toFixed(1)} | ${r.ratio.toFixed(2)}× | ${paired} |`);
  }
  return lines.join('\n');
}

if (require.main === module && process.argv[2] === '--child') {
  child(process.argv[3] as Variant, process.argv[4] as Spec['tokens']).catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
} else if (require.main === module) {
  const arg = (name: string, fallback: number): number => {
    const i = process.argv.indexOf(`--${name}`);
    return i === -1 ? fallback : Number(process.argv[i + 1]);
  };
  const rows = process.argv.indexOf('--rows');
  runGuardCpuBench({ rounds: arg('rounds', 7), requests: arg('requests', 20_000), ...(rows === -1 ? {} : { rows: (process.argv[rows + 1]).split(',') }) }).then((rows) => console.log(formatGuardCpuTable(rows)), (e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  });
}
