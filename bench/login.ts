/**
 * Login end to end: `POST /login` through Passport's `CognitoStrategy` (USER_SRP_AUTH: InitiateAuth,
 * SRP on this side, RespondToAuthChallenge, token verification, session regeneration) against the
 * emulator on loopback. The emulator runs in a process of its own (as Cognito would be elsewhere);
 * the app and the HTTP client share this one.
 *
 * Figures: median and p99 latency of sequential logins, logins per second with 10 concurrent
 * clients, and as the baseline measured in the same run, the same SRP login made directly with the
 * `Cognito` class (no HTTP in front, no Passport, no session).
 *
 *   npx tsx bench/login.ts [--logins 200] [--duration 3]
 *
 * Prints figures, asserts nothing. `runLoginBench()` is exported for bench/run-all.ts.
 */
import { fork } from 'node:child_process';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { Cognito } from '../lib/cognito';
import { startTestPool } from '../test/support/pool';
import { loginCookie, startBenchApp, type BenchPool } from './web-app';

/** Result of {@link runLoginBench}. */
export interface LoginBenchResult {
  /** Sequential logins through the app. */
  logins: number;
  medianMs: number;
  p99Ms: number;
  /** Logins per second with `concurrency` clients. */
  loginsPerSecond: number;
  concurrency: number;
  /** Baseline: the same login with `Cognito.authenticate()` directly, median ms. */
  directMedianMs: number;
  directP99Ms: number;
  /** Logins that failed (must be 0). */
  failures: number;
}

const PASSWORD = 'Passw0rd!long-bench';
const USERNAME = 'bench-login';

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function startEmulatorProcess(): Promise<{ pool: BenchPool; stop: () => Promise<void> }> {
  return new Promise((resolve, reject) => {
    const child = fork(__filename, ['--emulator'], { execArgv: ['--require', 'tsx/cjs'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    child.once('message', (m: { pool?: BenchPool; error?: string }) => {
      if (m.pool === undefined) return reject(new Error(m.error ?? 'emulator failed'));
      resolve({
        pool: m.pool,
        stop: () => new Promise<void>((done) => {
          child.once('exit', () => done());
          child.send('stop');
        }),
      });
    });
    child.once('error', reject);
  });
}

/**
 * Runs the login benchmark.
 *
 * @example
 * const { medianMs, p99Ms, loginsPerSecond } = await runLoginBench();
 */
export async function runLoginBench(options: { logins?: number; duration?: number; concurrency?: number } = {}): Promise<LoginBenchResult> {
  const { logins = 200, duration = 3, concurrency = 10 } = options;
  const emulator = await startEmulatorProcess();
  const client = new CognitoIdentityProviderClient({
    region: emulator.pool.region, endpoint: emulator.pool.endpoint, credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1,
  });
  const app = await startBenchApp({ ...emulator.pool, client });
  try {
    const { poolId, clientId, endpoint, region } = emulator.pool;
    const direct = async (): Promise<number> => {
      const start = performance.now();
      const u = new Cognito(poolId, clientId, { username: USERNAME, endpoint, region, client });
      await u.authenticate(PASSWORD);
      return performance.now() - start;
    };
    let failures = 0;
    const viaApp = async (): Promise<number> => {
      const start = performance.now();
      try {
        await loginCookie(app.url, USERNAME, PASSWORD);
      } catch {
        failures++;
      }
      return performance.now() - start;
    };
    for (let i = 0; i < 20; i++) {
      await direct();
      await viaApp();
    }
    failures = 0;
    // Interleaved, so that drift on a shared machine hits both alike.
    const directMs: number[] = [];
    const appMs: number[] = [];
    for (let i = 0; i < logins; i++) {
      directMs.push(await direct());
      appMs.push(await viaApp());
    }
    let done = 0;
    const until = performance.now() + duration * 1000;
    const start = performance.now();
    await Promise.all(Array.from({ length: concurrency }, async () => {
      while (performance.now() < until) {
        await viaApp();
        done++;
      }
    }));
    const elapsed = (performance.now() - start) / 1000;
    return {
      logins, medianMs: percentile(appMs, 50), p99Ms: percentile(appMs, 99), loginsPerSecond: done / elapsed, concurrency,
      directMedianMs: percentile(directMs, 50), directP99Ms: percentile(directMs, 99), failures,
    };
  } finally {
    await app.close();
    client.destroy();
    await emulator.stop();
  }
}

// Child side: the emulator with one pool, one app client and the bench user.
if (require.main === module && process.argv[2] === '--emulator') {
  void (async () => {
    try {
      const pool = await startTestPool();
      await pool.createUser(USERNAME, PASSWORD);
      process.send?.({ pool: { endpoint: pool.endpoint, region: pool.region, poolId: pool.poolId, clientId: pool.clientId } });
      process.on('message', (m) => {
        if (m === 'stop') void pool.stop().then(() => process.exit(0));
      });
      process.on('disconnect', () => process.exit(0));
    } catch (e) {
      process.send?.({ error: String(e) });
      process.exit(1);
    }
  })();
} else if (require.main === module) {
  const arg = (name: string): number | undefined => {
    const i = process.argv.indexOf(`--${name}`);
    return i === -1 ? undefined : Number(process.argv[i + 1]);
  };
  const logins = arg('logins');
  const duration = arg('duration');
  runLoginBench({ ...(logins === undefined ? {} : { logins }), ...(duration === undefined ? {} : { duration }) }).then((r) => {
    console.log(`login through CognitoStrategy (USER_SRP_AUTH) against the emulator, ${r.logins} sequential logins:`);
    console.log(`  end to end   median ${r.medianMs.toFixed(1)} ms, p99 ${r.p99Ms.toFixed(1)} ms`);
    console.log(`  direct       median ${r.directMedianMs.toFixed(1)} ms, p99 ${r.directP99Ms.toFixed(1)} ms (Cognito.authenticate, baseline)`);
    console.log(`  throughput   ${r.loginsPerSecond.toFixed(1)} logins/s with ${r.concurrency} concurrent clients; failures ${r.failures}`);
  }, (e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  });
}
