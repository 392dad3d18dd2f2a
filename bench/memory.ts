/**
 * Memory of the verified-token cache: 100,000 distinct, genuinely signed access tokens verified (each
 * twice, so that every one is stored: a full cache admits a token on its second verification) by a
 * `TokenVerifier` with the default cache (10,000 entries), in a fresh process run with `--expose-gc`.
 * Reports RSS and heap before and after (after a full GC), the entries held, the heap per entry, and
 * the RSS growth against the documented bound (`TOKEN_CACHE_BYTES_PER_ENTRY` × `tokenCacheSize`);
 * then RSS again after 3 s of idleness (V8 gives back freed pages when idle), as a server between bursts.
 * The bound is compared with the growth right after the load, the larger of the two.
 *
 * Baseline measured in the same run: a second fresh process verifies the very same tokens, handed in
 * the same way, with the cache disabled (`tokenCacheSize: 0`). Its RSS grows too — V8's young
 * generation grows under the allocation rate of receiving and verifying 100,000 tokens and keeps its
 * pages — so the cache's own share is the difference between the two growths.
 *
 * Tokens are minted once (an RSA-2048 signature each, the costly part) by two child processes, held
 * by this process, and sent to each measuring process over IPC in batches of 1,000.
 *
 *   npx tsx bench/memory.ts [--tokens 100000] [--size 10000]
 *
 * Prints figures, asserts nothing. `runMemoryBench()` is exported for bench/run-all.ts.
 */
import { fork } from 'node:child_process';
import { TokenVerifier } from '../lib/token-verifier';
import { DEFAULT_TOKEN_CACHE_SIZE, TOKEN_CACHE_BYTES_PER_ENTRY } from '../lib/verified-token-cache';
import { BENCH_CLIENT_ID, BENCH_POOL_ID, createBenchKey, mintAccessToken, mintInChildren } from './bench-tokens';

/** One measuring process. */
export interface MemoryRun {
  cacheSize: number;
  /** Entries held at the end. */
  entries: number;
  rssBefore: number;
  /** RSS right after the load (and a full GC). */
  rssAfter: number;
  /** RSS after {@link SETTLE_MS} of idleness and another full GC. */
  rssSettled: number;
  heapBefore: number;
  heapAfter: number;
  /** Tokens refused (must be 0). */
  refused: number;
}

/** Result of {@link runMemoryBench}. */
export interface MemoryBenchResult {
  tokens: number;
  /** The default cache. */
  cached: MemoryRun;
  /** The baseline: the same tokens, cache disabled. */
  control: MemoryRun;
  /** Documented bound of the cache's RSS, bytes (`TOKEN_CACHE_BYTES_PER_ENTRY` × size). */
  boundBytes: number;
  /** RSS growth with the cache minus RSS growth without, right after the load, bytes: compared with the bound. */
  cacheRssBytes: number;
  /** The same once both processes have idled {@link SETTLE_MS}: what a server keeps between bursts. */
  cacheRssSettledBytes: number;
  /** (heap growth with the cache − heap growth without) / entries held, bytes. */
  heapPerEntry: number;
  seconds: number;
}

type Message = { batch: string[] } | 'done';

/** Idle time before the settled measurement, ms. */
export const SETTLE_MS = 3000;

// Child side: verify what the parent sends, report memory before and after.
async function measureChild(cacheSize: number): Promise<MemoryRun> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('run with --expose-gc');
  const key = createBenchKey(process.env.BENCH_PRIVATE_PEM);
  const verifier = new TokenVerifier({ userPoolId: BENCH_POOL_ID, clientId: BENCH_CLIENT_ID, jwks: key.jwks, tokenCacheSize: cacheSize });
  // Warm every code path, then forget the warm-up tokens.
  const warm = Array.from({ length: 100 }, (_, i) => mintAccessToken(key, -i));
  for (let round = 0; round < 20; round++) for (const token of warm) await verifier.verify(token, 'access');
  verifier.tokenCache?.clear();
  warm.length = 0;
  gc();
  gc();
  const before = process.memoryUsage();
  let refused = 0;
  await new Promise<void>((resolve) => {
    let chain = Promise.resolve();
    process.on('message', (m: Message) => {
      chain = chain.then(async () => {
        if (m === 'done') return resolve();
        // Twice each: a full cache admits a token on its second verification.
        for (const token of m.batch) {
          await verifier.verify(token, 'access').catch(() => refused++);
          await verifier.verify(token, 'access').catch(() => refused++);
        }
        process.send?.('next');
      });
    });
    process.send?.('next');
  });
  gc();
  gc();
  const after = process.memoryUsage();
  // Then idle for a while, as a server between bursts: V8 returns the pages it freed when idle.
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  gc();
  gc();
  const settled = process.memoryUsage();
  return {
    cacheSize, entries: verifier.tokenCache?.size ?? 0, rssBefore: before.rss, rssAfter: after.rss, rssSettled: settled.rss,
    heapBefore: before.heapUsed, heapAfter: after.heapUsed, refused,
  };
}

function runChild(tokens: string[], privatePem: string, cacheSize: number): Promise<MemoryRun> {
  return new Promise((resolve, reject) => {
    const child = fork(__filename, ['--child', String(cacheSize)], {
      execArgv: ['--expose-gc', '--require', 'tsx/cjs'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      env: { ...process.env, BENCH_PRIVATE_PEM: privatePem },
    });
    let sent = 0;
    child.on('message', (m: 'next' | { result?: MemoryRun; error?: string }) => {
      if (m === 'next') {
        if (sent >= tokens.length) child.send('done');
        else child.send({ batch: tokens.slice(sent, (sent += 1000)) });
      } else if (m.result !== undefined) {
        resolve(m.result);
      } else {
        reject(new Error(m.error));
      }
    });
    child.once('exit', (code) => code !== 0 && reject(new Error(`memory bench child exited with ${code}`)));
  });
}

/**
 * Mints the tokens, then measures the cached and the uncached verifier, each in a fresh process.
 *
 * @example
 * const r = await runMemoryBench({ tokens: 100_000 });
 * console.log(r.cacheRssBytes / r.boundBytes);
 */
export async function runMemoryBench(options: { tokens?: number; cacheSize?: number } = {}): Promise<MemoryBenchResult> {
  const { tokens: count = 100_000, cacheSize = DEFAULT_TOKEN_CACHE_SIZE } = options;
  const started = performance.now();
  const key = createBenchKey();
  const tokens: string[] = [];
  await mintInChildren(key, count, (batch) => void tokens.push(...batch));
  const control = await runChild(tokens, key.privatePem, 0);
  const cached = await runChild(tokens, key.privatePem, cacheSize);
  const growth = (r: MemoryRun): number => r.rssAfter - r.rssBefore;
  const settledGrowth = (r: MemoryRun): number => r.rssSettled - r.rssBefore;
  const heapGrowth = (r: MemoryRun): number => r.heapAfter - r.heapBefore;
  return {
    tokens: count, cached, control, boundBytes: TOKEN_CACHE_BYTES_PER_ENTRY * cacheSize,
    cacheRssBytes: growth(cached) - growth(control),
    cacheRssSettledBytes: settledGrowth(cached) - settledGrowth(control),
    heapPerEntry: cached.entries === 0 ? 0 : (heapGrowth(cached) - heapGrowth(control)) / cached.entries,
    seconds: (performance.now() - started) / 1000,
  };
}

const MB = 1024 * 1024;

if (require.main === module && process.argv[2] === '--child') {
  measureChild(Number(process.argv[3])).then(
    (result) => process.send?.({ result }, () => process.exit(0)),
    (e: unknown) => process.send?.({ error: String(e) }, () => process.exit(1)),
  );
} else if (require.main === module) {
  const arg = (name: string): number | undefined => {
    const i = process.argv.indexOf(`--${name}`);
    return i === -1 ? undefined : Number(process.argv[i + 1]);
  };
  const tokens = arg('tokens');
  const cacheSize = arg('size');
  runMemoryBench({ ...(tokens === undefined ? {} : { tokens }), ...(cacheSize === undefined ? {} : { cacheSize }) }).then((r) => {
    const line = (name: string, run: MemoryRun): string =>
      `  ${name.padEnd(22)} RSS ${(run.rssBefore / MB).toFixed(1)} → ${(run.rssAfter / MB).toFixed(1)} MB (+${((run.rssAfter - run.rssBefore) / MB).toFixed(1)}; ${(run.rssSettled / MB).toFixed(1)} after ${SETTLE_MS / 1000} s idle), ` +
      `heap ${(run.heapBefore / MB).toFixed(1)} → ${(run.heapAfter / MB).toFixed(1)} MB, ${run.entries} entries, ${run.refused} refused`;
    console.log(`${r.tokens} distinct verified tokens (${r.seconds.toFixed(1)} s):`);
    console.log(line(`tokenCacheSize ${r.cached.cacheSize}`, r.cached));
    console.log(line('tokenCacheSize 0', r.control));
    console.log(`  the cache's share      +${(r.cacheRssBytes / MB).toFixed(1)} MB RSS (+${(r.cacheRssSettledBytes / MB).toFixed(1)} MB after ${SETTLE_MS / 1000} s idle), ${Math.round(r.heapPerEntry)} B of heap per entry`);
    console.log(`  documented bound       ${(r.boundBytes / MB).toFixed(1)} MB → ${(r.cacheRssBytes / r.boundBytes).toFixed(2)}× the bound`);
  }, (e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  });
}
