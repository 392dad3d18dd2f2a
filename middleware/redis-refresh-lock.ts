/**
 * `withRedisRefreshLock(client, { redis })`: one refresh per refresh token across every instance of
 * an app, not just per process.
 *
 * `requireCognito()` renews in single flight within a process. Two instances serving the same
 * session at the same moment would still both spend its refresh token; with refresh-token rotation
 * (GetTokensFromRefreshToken) and no retry grace period the second spend fails and signs the user
 * out. This wraps the `CognitoIdentityProviderClient` the app passes as `client`: refresh calls
 * (InitiateAuth / AdminInitiateAuth with REFRESH_TOKEN_AUTH, GetTokensFromRefreshToken) take a lock
 * in Redis keyed by a hash of the refresh token; the instance that holds it calls Cognito and leaves
 * the answer in Redis for `retainMs`, encrypted with a key derived from the refresh token (readable
 * only by someone who already holds that refresh token); the others wait for it and use it. Every
 * other command goes straight through.
 *
 * If Redis fails, refreshes go straight to Cognito (the per-process single flight still applies).
 */
import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';
import createDebug from 'debug';
import type { CognitoClientLike } from '../lib/config';
import { ServiceUnavailableError } from '../lib/errors';
import { assertRedisClient, DEFAULT_REDIS_TIMEOUT_MS, keyPrefix, positiveInteger, redisCommand, type RedisClientLike } from './redis-client';

const debug = createDebug('express-cognito:refresh-lock');

/** Options of {@link withRedisRefreshLock}. */
export interface RedisRefreshLockOptions {
  /** A connected node-redis (v4, v5, v6) or ioredis client. Required. */
  redis: RedisClientLike;
  /** Key prefix (default `'express-cognito:refresh:'`). */
  prefix?: string;
  /** Longest time one instance holds the lock, in ms (default 15000; keep it above the SDK's timeout). */
  lockMs?: number;
  /** How long a refresh's answer stays available to the other instances, in ms (default 30000). */
  retainMs?: number;
  /** How long an instance waits for another one's refresh, in ms (default `lockMs` + 1000); then 503. */
  waitMs?: number;
  /** Interval between two looks at Redis while waiting, in ms (default 25). */
  pollMs?: number;
  /** Timeout of one Redis command, in ms (default 2000). */
  timeoutMs?: number;
}

interface RefreshCall {
  /** Secret-free name of this refresh (hash of client, refresh token, device). */
  id: string;
  /** Key material: the refresh token itself. */
  refreshToken: string;
}

// Deletes the lock only if it is still ours.
const RELEASE = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0";

/**
 * Wraps a Cognito SDK client so that refreshes of one refresh token are made once across instances.
 *
 * @param client the `CognitoIdentityProviderClient` (or anything with `send`) the app uses.
 * @param options `redis` (required) and the timings above.
 * @returns a client to pass as the `client` option of `requireCognito()` (and the strategy, logout).
 * @example
 * const redis = await createClient({ url: process.env.REDIS_URL }).connect();
 * const client = withRedisRefreshLock(new CognitoIdentityProviderClient({ region }), { redis });
 * app.use('/api', requireCognito({ client, revocationStore: new RedisRevocationStore({ client: redis }) }));
 */
export function withRedisRefreshLock(client: CognitoClientLike, options: RedisRefreshLockOptions): CognitoClientLike & { destroy(): void } {
  if (typeof client !== 'object' || client === null || typeof client.send !== 'function') {
    throw new TypeError('"client" must be a CognitoIdentityProviderClient (an object with a send() method)');
  }
  if (typeof options !== 'object' || options === null) throw new TypeError('withRedisRefreshLock options must be an object');
  assertRedisClient(options.redis, 'redis');
  const redis = options.redis;
  const prefix = keyPrefix(options.prefix, 'express-cognito:refresh:');
  const lockMs = positiveInteger(options.lockMs, 'lockMs', 15_000);
  const retainMs = positiveInteger(options.retainMs, 'retainMs', 30_000);
  const waitMs = positiveInteger(options.waitMs, 'waitMs', lockMs + 1_000);
  const pollMs = positiveInteger(options.pollMs, 'pollMs', 25);
  const timeoutMs = positiveInteger(options.timeoutMs, 'timeoutMs', DEFAULT_REDIS_TIMEOUT_MS);
  const cmd = (args: string[]): Promise<unknown> => redisCommand(redis, args, timeoutMs);

  async function refreshOnce(command: object, call: RefreshCall, rest: unknown[]): Promise<unknown> {
    const lockKey = `${prefix}lock:${call.id}`;
    const resultKey = `${prefix}result:${call.id}`;
    const owner = randomBytes(16).toString('base64url');
    const keptAnswer = async (): Promise<unknown> => {
      const kept = await cmd(['GET', resultKey]);
      return typeof kept === 'string' ? open(kept, call.refreshToken) : undefined;
    };
    const deadline = Date.now() + waitMs;
    for (;;) {
      const answer = await keptAnswer();
      if (answer !== undefined) {
        debug('refresh answered by another instance');
        return answer;
      }
      if ((await cmd(['SET', lockKey, owner, 'NX', 'PX', String(lockMs)])) !== null) break;
      if (Date.now() >= deadline) {
        debug('gave up waiting for another instance\'s refresh');
        throw new ServiceUnavailableError('Another instance is renewing this session; try again.');
      }
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
    try {
      // Look again now that the lock is ours: between the look above and the SET, the previous holder
      // may have kept its answer and released the lock. It keeps the answer before it releases, so
      // this look sees it; without it, that refresh token would be spent twice.
      const answer = await keptAnswer();
      if (answer !== undefined) {
        debug('refresh answered by another instance (after taking the lock)');
        return answer;
      }
      const output = await client.send(command, ...rest);
      await cmd(['SET', resultKey, seal(output, call.refreshToken), 'PX', String(retainMs)])
        .catch(() => debug('could not keep the refresh answer in Redis'));
      return output;
    } finally {
      await cmd(['EVAL', RELEASE, '1', lockKey, owner]).catch(() => debug('could not release the refresh lock'));
    }
  }

  return {
    async send(command: unknown, ...rest: unknown[]): Promise<unknown> {
      const call = refreshCall(command);
      if (call === undefined) return client.send(command, ...rest);
      try {
        return await refreshOnce(command as object, call, rest);
      } catch (e) {
        if (!(e instanceof Error && (e as { code?: unknown }).code === 'ERR_COGNITO_REDIS_UNAVAILABLE')) throw e;
        debug('Redis unavailable: refreshing without the cross-instance lock');
        return client.send(command, ...rest);
      }
    },
    destroy(): void {
      const d = (client as { destroy?: unknown }).destroy;
      if (typeof d === 'function') d.call(client);
    },
  };
}

/** The refresh a command makes, if it is one (recognised by its input, not its class name). */
function refreshCall(command: unknown): RefreshCall | undefined {
  const input = (command as { input?: unknown } | null)?.input;
  if (typeof input !== 'object' || input === null) return undefined;
  const i = input as {
    AuthFlow?: unknown; AuthParameters?: Record<string, unknown>; ClientId?: unknown; RefreshToken?: unknown; DeviceKey?: unknown;
  };
  let kind: string;
  let refreshToken: unknown;
  let device: unknown;
  if ((i.AuthFlow === 'REFRESH_TOKEN_AUTH' || i.AuthFlow === 'REFRESH_TOKEN') && typeof i.AuthParameters === 'object' && i.AuthParameters !== null) {
    kind = 'initiate';
    refreshToken = i.AuthParameters.REFRESH_TOKEN;
    device = i.AuthParameters.DEVICE_KEY;
  } else if (i.AuthFlow === undefined && typeof i.RefreshToken === 'string') {
    kind = 'rotate';
    refreshToken = i.RefreshToken;
    device = i.DeviceKey;
  } else {
    return undefined;
  }
  if (typeof refreshToken !== 'string' || refreshToken === '' || typeof i.ClientId !== 'string') return undefined;
  const id = createHash('sha256').update(`${kind}\0${i.ClientId}\0${typeof device === 'string' ? device : ''}\0${refreshToken}`).digest('base64url');
  return { id, refreshToken };
}

function keyFor(refreshToken: string): Buffer {
  return Buffer.from(hkdfSync('sha256', refreshToken, 'express-cognito', 'refresh answer', 32));
}

/** AES-256-GCM with a key only the refresh token's holder can derive. */
function seal(output: unknown, refreshToken: string): string {
  const { $metadata: _metadata, ...rest } = (output ?? {}) as Record<string, unknown>;
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyFor(refreshToken), iv);
  const body = Buffer.concat([cipher.update(JSON.stringify(rest), 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
}

function open(sealed: string, refreshToken: string): unknown {
  try {
    const raw = Buffer.from(sealed, 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', keyFor(refreshToken), raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    const text = Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
    const parsed = JSON.parse(text) as Record<string, unknown>;
    return { ...parsed, $metadata: { httpStatusCode: 200 } };
  } catch {
    return undefined;
  }
}
