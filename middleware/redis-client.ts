/**
 * The one way this package talks to Redis: raw commands through a client the application already
 * has, duck-typed so that the package has no runtime dependency on a Redis library.
 *
 * Supported: node-redis v4, v5 and v6 (`client.sendCommand(['SET', …])`) and ioredis
 * (`client.call('SET', …)`; an ioredis `Cluster` routes each single-key command to its node).
 * Every command has a timeout: node-redis queues commands while disconnected and would otherwise
 * leave a request hanging until Redis comes back.
 */
import { RedisUnavailableError } from '../lib/errors';

/** A node-redis (v4+) client: `sendCommand(args)`. */
export interface NodeRedisLike {
  sendCommand(args: string[]): Promise<unknown>;
}

/** An ioredis client or cluster: `call(command, ...args)`. */
export interface IoRedisLike {
  call(command: string, ...args: string[]): Promise<unknown>;
}

/** Any Redis client this package can use. */
export type RedisClientLike = NodeRedisLike | IoRedisLike;

/** Default timeout of one Redis command, in ms. */
export const DEFAULT_REDIS_TIMEOUT_MS = 2_000;

/**
 * Checks that `client` looks like a node-redis or ioredis client.
 *
 * @throws TypeError naming `name` otherwise.
 * @example
 * assertRedisClient(options.client, 'client');
 */
export function assertRedisClient(client: unknown, name: string): asserts client is RedisClientLike {
  const c = client as { call?: unknown; sendCommand?: unknown } | null;
  if (typeof c !== 'object' || c === null || (typeof c.call !== 'function' && typeof c.sendCommand !== 'function')) {
    throw new TypeError(`"${name}" must be a connected node-redis (v4+) or ioredis client`);
  }
}

/**
 * Sends one command (`args[0]` is the command name) and resolves with Redis's reply.
 *
 * @throws RedisUnavailableError on any failure or after `timeoutMs`.
 * @example
 * await redisCommand(client, ['SET', 'k', 'v', 'EX', '60'], 2000);
 */
export async function redisCommand(client: RedisClientLike, args: string[], timeoutMs: number): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Redis did not answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    // ioredis first: it also has a sendCommand, which takes a Command object instead.
    const io = client as Partial<IoRedisLike>;
    const sent = typeof io.call === 'function'
      ? io.call.call(client, args[0], ...args.slice(1))
      : (client as NodeRedisLike).sendCommand(args);
    return await Promise.race([sent, timeout]);
  } catch (e) {
    // Only the error's class travels: a Redis error text can echo the command's arguments.
    throw new RedisUnavailableError({ cause: new Error(e instanceof Error ? e.name : 'Redis error') });
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Validates a positive-integer option.
 *
 * @example
 * const timeoutMs = positiveInteger(options.timeoutMs, 'timeoutMs', 2000);
 */
export function positiveInteger(value: unknown, name: string, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw new TypeError(`"${name}" must be ${min === 0 ? 'a non-negative' : 'a positive'} integer`);
  }
  return value;
}

/**
 * Validates a key prefix: printable ASCII without spaces, at most 128 characters.
 *
 * @example
 * const prefix = keyPrefix(options.prefix, 'express-cognito:revoked:');
 */
export function keyPrefix(value: unknown, fallback: string): string {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !/^[\x21-\x7e]{0,128}$/.test(value)) {
    throw new TypeError('"prefix" must be printable ASCII without spaces, at most 128 characters');
  }
  return value;
}
