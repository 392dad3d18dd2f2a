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
import { DataFolder, READ_ONLY_OPERATIONS } from './persistence';
import { applySeed, type EmulatorSeed, type SeededPools } from './seed';
import { createRequestListener } from './server';
import { createSigningKeySync, rotate } from './signing-keys';
import { selectMessages, smsMessages, type OutboxFilter, type OutboxMessage } from './outbox';
import { EmulatorStore, type SmsMessage } from './store';
import { TRIGGER_TIMEOUT_MS, TriggerRegistry, type EmulatorTriggers, type TriggerInvocation } from './triggers';

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
  /**
   * Lambda triggers, as in-process functions receiving Lambda's event: an entry named after a
   * trigger (`PreSignUp`, `PreTokenGeneration`…) runs for every pool that has no function of its
   * own for it; every entry can also be named by a pool's `LambdaConfig` ARN
   * (`arn:aws:lambda:us-east-1:000000000000:function:<entry name>`).
   */
  triggers?: EmulatorTriggers;
  /** How long a trigger may take before `UnexpectedLambdaException`, in ms; default 5000 (Cognito's). */
  triggerTimeoutMs?: number;
  /**
   * A folder that keeps the emulator's state across restarts (created when missing): read at start,
   * written before answering each request that can change state. `seed` applies only when the folder
   * has no state yet. Unset (default): state lives in memory only.
   */
  dataDir?: string;
}

/** A running emulator. */
export interface Emulator {
  /** Base URL for SDK clients, e.g. `'http://127.0.0.1:49152'`. */
  endpoint: string;
  /** Whether the state was read from `dataDir` at start (the `seed` option was then not applied). */
  restored: boolean;
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
  /** Every Lambda trigger invocation so far (event, response or error), oldest first, optionally of one trigger. */
  triggerInvocations(trigger?: TriggerInvocation['trigger']): TriggerInvocation[];
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
  if (options.dataDir !== undefined && (typeof options.dataDir !== 'string' || options.dataDir.trim() === '')) {
    throw new TypeError('"dataDir" must be the path of a folder (a non-empty string)');
  }

  const clock = createClock();
  const store = new EmulatorStore();
  const triggerTimeoutMs = options.triggerTimeoutMs ?? TRIGGER_TIMEOUT_MS;
  if (!Number.isInteger(triggerTimeoutMs) || triggerTimeoutMs < 1) throw new TypeError('"triggerTimeoutMs" must be a positive integer');
  const triggers = new TriggerRegistry(options.triggers, triggerTimeoutMs);
  if (options.onMessage !== undefined) {
    if (typeof options.onMessage !== 'function') throw new TypeError('"onMessage" must be a function');
    store.onMessage = options.onMessage;
  }
  const data = options.dataDir === undefined ? undefined : await DataFolder.open(options.dataDir, store, region);
  const folder = data?.folder;
  let endpoint = '';
  const ctx: EmulatorContext = { store, clock, region, issuer: (poolId) => `${endpoint}/${poolId}`, endpoint: () => endpoint, triggers };
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
      ...(folder ? { save: (operation: string) => (READ_ONLY_OPERATIONS.has(operation) ? Promise.resolve() : folder.save()) } : {}),
    }),
  );
  server.keepAliveTimeout = 5000;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    // The port is taken (or the like): the data folder is free again for another start.
    await folder?.release();
    throw error;
  }
  const actualPort = (server.address() as AddressInfo).port;
  endpoint = `http://${displayHost(host)}:${actualPort}`;

  let stopped: Promise<void> | undefined;
  const emulator: Emulator = {
    endpoint,
    port: actualPort,
    region,
    restored: data?.restored === true,
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
      }).then(() => folder?.save()).finally(() => folder?.release());
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
      // Synchronous API: the write runs on; a failed one is retried by the next write (stop() at the latest).
      folder?.save().catch(() => undefined);
      return key.kid;
    },
    issuer: (poolId) => `${endpoint}/${poolId}`,
    seed: async (spec) => {
      try {
        return await applySeed(ctx, spec);
      } finally {
        await folder?.save();
      }
    },
    triggerInvocations: (trigger) =>
      triggers.invocations.filter((i) => trigger === undefined || i.trigger === trigger).map((i) => structuredClone(i)),
  };
  if (options.seed && data?.restored !== true) {
    try {
      await applySeed(ctx, options.seed);
      await folder?.save();
    } catch (error) {
      await emulator.stop();
      throw error;
    }
  }
  return emulator;
}
