/**
 * Transparent renewal under a burst: 100 concurrent requests on one session whose access token has
 * just expired, through the real app (express-session, Passport, `requireCognito()`) against the
 * emulator on loopback. Reports the total time of the burst, the refresh calls the emulator saw (the
 * design asks for exactly 1), and, as baselines measured in the same run, the same burst on a session
 * whose token is still valid and one request that renews alone.
 *
 *   npx tsx bench/renewal.ts [--concurrency 100]
 *
 * Prints figures, asserts nothing. `runRenewalBench()` is exported for bench/run-all.ts.
 */
import { startTestPool } from '../test/support/pool';
import { loginCookie, startBenchApp } from './web-app';

/** Result of {@link runRenewalBench}. */
export interface RenewalBenchResult {
  concurrency: number;
  /** Wall time of the burst on the expired session, ms (median of the rounds). */
  burstMs: number;
  /** The same burst on a session whose token is valid (no renewal), ms. */
  freshBurstMs: number;
  /** One request that renews alone, ms. */
  singleRenewalMs: number;
  /** Refresh calls (InitiateAuth REFRESH_TOKEN_AUTH or GetTokensFromRefreshToken) per burst, over the rounds. */
  refreshCalls: number[];
  /** Requests of the bursts that did not get a 200 with the one new token (must be 0). */
  failures: number;
}

const PASSWORD = 'Passw0rd!long-bench';
const HOUR = 3600_000;

function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

async function burst(url: string, cookie: string, n: number): Promise<{ ms: number; jtis: Set<string>; failures: number }> {
  const start = performance.now();
  const responses = await Promise.all(Array.from({ length: n }, async () => {
    const res = await fetch(`${url}/api/me`, { headers: { cookie } });
    return { status: res.status, body: (await res.json()) as { jti?: string } };
  }));
  const ms = performance.now() - start;
  const jtis = new Set(responses.filter((r) => r.status === 200).map((r) => String(r.body.jti)));
  return { ms, jtis, failures: responses.filter((r) => r.status !== 200).length };
}

/**
 * Runs `rounds` bursts (each on a fresh session, after moving the emulator clock past expiry).
 *
 * @example
 * const { burstMs, refreshCalls } = await runRenewalBench({ concurrency: 100 });
 */
export async function runRenewalBench(options: { concurrency?: number; rounds?: number } = {}): Promise<RenewalBenchResult> {
  const { concurrency = 100, rounds = 5 } = options;
  const pool = await startTestPool();
  const app = await startBenchApp({ ...pool, client: pool.sdk, clock: () => pool.emulator.clock.now() });
  try {
    await pool.createUser('bench-renewal', PASSWORD);
    const calls = (): number => pool.emulator.calls('InitiateAuth') + pool.emulator.calls('GetTokensFromRefreshToken');
    const bursts: number[] = [];
    const fresh: number[] = [];
    const singles: number[] = [];
    const refreshCalls: number[] = [];
    let failures = 0;
    // One warm-up round (JIT, connection pool), not reported.
    for (let round = -1; round < rounds; round++) {
      const expiring = await loginCookie(app.url, 'bench-renewal', PASSWORD);
      const alone = await loginCookie(app.url, 'bench-renewal', PASSWORD);
      await burst(app.url, expiring, concurrency); // the session's first requests (token verified and cached)
      const valid = await burst(app.url, expiring, concurrency); // baseline: nothing to renew
      pool.emulator.clock.advance(HOUR + 60_000);
      let start = performance.now();
      const one = await fetch(`${app.url}/api/me`, { headers: { cookie: alone } });
      await one.arrayBuffer();
      const singleMs = performance.now() - start;
      pool.emulator.resetCalls();
      start = performance.now();
      const renewed = await burst(app.url, expiring, concurrency);
      const refreshes = calls();
      if (round < 0) continue;
      fresh.push(valid.ms);
      singles.push(one.status === 200 ? singleMs : NaN);
      bursts.push(renewed.ms);
      refreshCalls.push(refreshes);
      failures += renewed.failures + (renewed.jtis.size === 1 ? 0 : 1) + valid.failures;
    }
    return { concurrency, burstMs: median(bursts), freshBurstMs: median(fresh), singleRenewalMs: median(singles), refreshCalls, failures };
  } finally {
    await app.close();
    await pool.stop();
  }
}

if (require.main === module) {
  const i = process.argv.indexOf('--concurrency');
  runRenewalBench(i === -1 ? {} : { concurrency: Number(process.argv[i + 1]) }).then((r) => {
    console.log(`renewal burst: ${r.concurrency} concurrent requests on one expired session`);
    console.log(`  burst with renewal   ${r.burstMs.toFixed(1)} ms  (refresh calls per burst: ${r.refreshCalls.join(', ')}; failures ${r.failures})`);
    console.log(`  burst, token valid   ${r.freshBurstMs.toFixed(1)} ms  (ratio ${(r.burstMs / r.freshBurstMs).toFixed(2)}×)`);
    console.log(`  one renewal alone    ${r.singleRenewalMs.toFixed(1)} ms`);
  }, (e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  });
}
