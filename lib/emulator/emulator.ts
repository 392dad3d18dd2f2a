/**
 * `startEmulator`: a local Cognito user-pool service on loopback that the unmodified AWS SDK v3,
 * amazon-cognito-identity-js and the AWS CLI talk to, with a movable clock, fault injection, call
 * counting and an outbox of the messages it "sent", for tests.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createClock, type EmulatorClock } from './clock';
import type { EmulatorContext } from './context';
import { normaliseFaults, type EmulatorFaults } from './faults';
import { applySeed, type EmulatorSeed, type SeededPools } from './seed';
import { createRequestListener } from './server';
import { createSigningKeySync, rotate } from './signing-keys';
import { selectMessages, smsMessages, type OutboxFilter, type OutboxMessage } from './outbox';
import { EmulatorStore, type SmsMessage } from './store';

/** Options of {@link startEmulator}. */
export interface EmulatorOptions {
  /** TCP port; 0 (default) picks a free one. */
  port?: number;
  /** Interface to listen on; default `'127.0.0.1'`. */
  host?: string;
  /** Region used in pool ids and ARNs; default `'us-east-1'`. */
  region?: string;
  /** Pools, clients, groups and users to create before the promise resolves. */
  seed?: EmulatorSeed;
  /** Called with each e-mail and SMS as it is "sent" (also in `outbox()`); a throw is ignored. */
  onMessage?: (message: OutboxMessage) => void;
}

/** A running emulator. */
export interface Emulator {
  /** Base URL for SDK clients, e.g. `'http://127.0.0.1:49152'`. */
  endpoint: string;
  port: number;
  region: string;
  /** Closes the server and every open connection. */
  stop(): Promise<void>;
  /** The emulator's clock (token expiry, sessions, SRP timestamps, TOTP). */
  clock: EmulatorClock;
  /** Replaces the injected faults (each call sets the complete fault state). */
  setFaults(faults: EmulatorFaults): void;
  /** Removes every injected fault. */
  clearFaults(): void;
  /** Requests received for `operation` (`'InitiateAuth'`, `'jwks'`, …), or in total. */
  calls(operation?: string): number;
  /** Zeroes the call counts. */
  resetCalls(): void;
  /**
   * Text messages that carried a code (SMS MFA, verification and reset codes) sent so far,
   * optionally for one user (username, alias or phone number). Derived from {@link Emulator.outbox}.
   */
  smsOutbox(username?: string): SmsMessage[];
  /**
   * Every e-mail and text message the pools "sent" (codes, invitations, SMS MFA), oldest first,
   * optionally filtered; `username` matches the internal username, an alias or the destination.
   *
   * @example
   * const code = emulator.outbox({ username: 'ann', purpose: 'SIGN_UP' }).at(-1)?.code;
   */
  outbox(filter?: OutboxFilter): OutboxMessage[];
  /** Signs new tokens of the pool with a new key; the old key stays in the JWKS unless `retireOld`. Returns the new `kid`. */
  rotateSigningKey(poolId: string, options?: { retireOld?: boolean }): string;
  /** `iss` of the pool's tokens: `${endpoint}/${poolId}`. */
  issuer(poolId: string): string;
  /** Creates pools, clients, groups and users from a spec. */
  seed(spec: EmulatorSeed): Promise<SeededPools>;
}

function displayHost(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

/**
 * Starts an emulator.
 *
 * @throws TypeError for a bad option; the listen error (e.g. EADDRINUSE) otherwise.
 * @example
 * const emulator = await startEmulator({ seed: DEMO_SEED });
 * const sdk = new CognitoIdentityProviderClient({
 *   region: emulator.region, endpoint: emulator.endpoint,
 *   credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
 * });
 * // …
 * await emulator.stop();
 */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 0;
  const region = options.region ?? 'us-east-1';
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new TypeError('"port" must be an integer from 0 to 65535');
  if (typeof host !== 'string') throw new TypeError('"host" must be a string');
  if (!/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/.test(region)) throw new TypeError('"region" must look like "us-east-1"');

  const clock = createClock();
  const store = new EmulatorStore();
  if (options.onMessage !== undefined) {
    if (typeof options.onMessage !== 'function') throw new TypeError('"onMessage" must be a function');
    store.onMessage = options.onMessage;
  }
  let endpoint = '';
  const ctx: EmulatorContext = { store, clock, region, issuer: (poolId) => `${endpoint}/${poolId}`, endpoint: () => endpoint };
  let faults = normaliseFaults({});
  const counts = new Map<string, number>();
  const timers = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();

  const server: Server = createServer(
    createRequestListener({
      ctx,
      faults: () => faults,
      count: (operation) => counts.set(operation, (counts.get(operation) ?? 0) + 1),
      delay: (ms) =>
        new Promise<void>((resolve) => {
          const entry = { timer: setTimeout(() => { timers.delete(entry); resolve(); }, ms), resolve };
          timers.add(entry);
        }),
    }),
  );
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const actualPort = (server.address() as AddressInfo).port;
  endpoint = `http://${displayHost(host)}:${actualPort}`;

  let stopped: Promise<void> | undefined;
  const emulator: Emulator = {
    endpoint,
    port: actualPort,
    region,
    clock,
    stop() {
      stopped ??= new Promise<void>((resolve) => {
        for (const entry of timers) {
          clearTimeout(entry.timer);
          entry.resolve();
        }
        timers.clear();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return stopped;
    },
    setFaults(next) {
      faults = normaliseFaults(next);
    },
    clearFaults() {
      faults = normaliseFaults({});
    },
    calls(operation) {
      if (operation !== undefined) return counts.get(operation) ?? 0;
      let total = 0;
      for (const n of counts.values()) total += n;
      return total;
    },
    resetCalls() {
      counts.clear();
    },
    smsOutbox: (username) => smsMessages(store, username),
    outbox: (filter) => selectMessages(store, filter),
    rotateSigningKey(poolId, rotateOptions = {}) {
      const pool = store.pools.get(poolId);
      if (!pool) throw new TypeError(`no user pool ${poolId} in this emulator`);
      const key = createSigningKeySync();
      rotate(pool.keyRing, key, rotateOptions.retireOld === true);
      return key.kid;
    },
    issuer: (poolId) => `${endpoint}/${poolId}`,
    seed: (spec) => applySeed(ctx, spec),
  };
  if (options.seed) {
    try {
      await applySeed(ctx, options.seed);
    } catch (error) {
      await emulator.stop();
      throw error;
    }
  }
  return emulator;
}
