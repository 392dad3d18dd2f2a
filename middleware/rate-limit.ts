/**
 * Fixed-window rate limits for the account routes (per client IP and per username): code brute
 * force and password guessing stop at the limit, before Cognito's own (coarser, per-pool) limits.
 *
 * A {@link RateLimitStore} counts hits per key per window. Two ship: {@link MemoryRateLimitStore}
 * (one process; bounded; the injected clock, so tests move time instead of sleeping) and
 * {@link RedisRateLimitStore} (shared by every instance: one atomic `EVAL` of INCR + PEXPIRE through
 * the package's Redis edge, `./redis-client`, so the same clients, timeouts and fail-closed answer as
 * the revocation store). A store that fails throws {@link RedisUnavailableError}: the request is
 * refused (503), never let through uncounted.
 *
 * Written here rather than taken from rate-limiter-flexible: that library reads `Date.now()` and
 * timers itself (no clock to inject, so no deterministic tests without faking global timers), puts
 * no timeout on a Redis command (node-redis queues commands while disconnected: a request would hang)
 * and would be a second Redis edge beside `./redis-client`. What is needed here is one counter.
 */
import { createHash } from 'node:crypto';
import { systemClock, type Clock } from '../lib/clock';
import { assertRedisClient, DEFAULT_REDIS_TIMEOUT_MS, keyPrefix, positiveInteger, redisCommand, type RedisClientLike } from './redis-client';

/** One window's count so far (this hit included) and the time left in it. */
export interface RateLimitHit {
  count: number;
  resetInMs: number;
}

/** Where hits are counted. */
export interface RateLimitStore {
  /** Counts one hit on `key` in a window of `windowMs` (started by the key's first hit). */
  hit(key: string, windowMs: number): RateLimitHit | Promise<RateLimitHit>;
}

/** A limit: at most `limit` hits per `windowSeconds`. */
export interface RateLimitRule {
  limit: number;
  windowSeconds: number;
}

/** Default most keys a {@link MemoryRateLimitStore} keeps: 100,000 (a few MB). */
export const DEFAULT_RATE_LIMIT_KEYS = 100_000;

/**
 * Counts in this process's memory, with the given clock. At most `maxKeys` keys: past that, expired
 * windows are dropped, then the oldest (a flood of distinct keys forgets the oldest counts, it does
 * not grow without bound).
 *
 * @example
 * const store = new MemoryRateLimitStore({ clock: () => emulator.clock.now() });
 */
export class MemoryRateLimitStore implements RateLimitStore {
  readonly #windows = new Map<string, { count: number; resetAt: number }>();
  readonly #clock: Clock;
  readonly #maxKeys: number;

  constructor(options: { clock?: Clock; maxKeys?: number } = {}) {
    this.#clock = options.clock ?? systemClock;
    if (typeof this.#clock !== 'function') throw new TypeError('"clock" must be a function');
    this.#maxKeys = positiveInteger(options.maxKeys, 'maxKeys', DEFAULT_RATE_LIMIT_KEYS);
  }

  /** Keys held (for tests and metrics). */
  get size(): number {
    return this.#windows.size;
  }

  hit(key: string, windowMs: number): RateLimitHit {
    const now = this.#clock();
    let w = this.#windows.get(key);
    if (w === undefined || w.resetAt <= now) {
      this.#windows.delete(key);
      if (this.#windows.size >= this.#maxKeys) this.#evict(now);
      w = { count: 0, resetAt: now + windowMs };
      this.#windows.set(key, w);
    }
    w.count++;
    return { count: w.count, resetInMs: w.resetAt - now };
  }

  #evict(now: number): void {
    for (const [k, w] of this.#windows) if (w.resetAt <= now) this.#windows.delete(k);
    // Still full: the oldest windows (Map order is insertion order) go first.
    for (const k of this.#windows.keys()) {
      if (this.#windows.size < this.#maxKeys) break;
      this.#windows.delete(k);
    }
  }
}

// INCR, and the window's expiry set by its first hit; returns the count and the milliseconds left.
const HIT_SCRIPT = [
  "local n = redis.call('INCR', KEYS[1])",
  "if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end",
  "local ttl = redis.call('PTTL', KEYS[1])",
  "if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end",
  'return {n, ttl}',
].join('\n');

/** Options of {@link RedisRateLimitStore}. */
export interface RedisRateLimitStoreOptions {
  /** A connected node-redis (v4+) or ioredis client (or cluster). */
  client: RedisClientLike;
  /** Key prefix; default `'express-cognito:rate:'`. */
  keyPrefix?: string;
  /** Timeout of one Redis command, in ms; default 2000. */
  timeoutMs?: number;
}

/**
 * Counts in Redis, shared by every instance of the app: one `EVAL` per hit.
 *
 * @throws TypeError for a bad option.
 * @example
 * const store = new RedisRateLimitStore({ client: redis });
 */
export class RedisRateLimitStore implements RateLimitStore {
  readonly #client: RedisClientLike;
  readonly #prefix: string;
  readonly #timeoutMs: number;

  constructor(options: RedisRateLimitStoreOptions) {
    if (typeof options !== 'object' || options === null) throw new TypeError('RedisRateLimitStore options must be an object');
    assertRedisClient(options.client, 'client');
    this.#client = options.client;
    this.#prefix = keyPrefix(options.keyPrefix, 'express-cognito:rate:');
    this.#timeoutMs = positiveInteger(options.timeoutMs, 'timeoutMs', DEFAULT_REDIS_TIMEOUT_MS);
  }

  /** @throws RedisUnavailableError when Redis fails or does not answer in time. */
  async hit(key: string, windowMs: number): Promise<RateLimitHit> {
    const reply = await redisCommand(this.#client, ['EVAL', HIT_SCRIPT, '1', this.#prefix + key, String(windowMs)], this.#timeoutMs);
    const [count, ttl] = Array.isArray(reply) ? (reply as unknown[]).map(Number) : [NaN, NaN];
    if (!Number.isFinite(count) || !Number.isFinite(ttl)) return { count: Number.MAX_SAFE_INTEGER, resetInMs: windowMs };
    return { count, resetInMs: Math.max(0, ttl) };
  }
}

/**
 * Checks a rule (and throws a TypeError naming it when malformed).
 *
 * @example
 * const rule = checkRule({ limit: 5, windowSeconds: 900 }, 'rateLimits.code');
 */
export function checkRule(value: unknown, name: string): RateLimitRule {
  const r = value as Partial<RateLimitRule> | null;
  if (typeof r !== 'object' || r === null || !Number.isSafeInteger(r.limit) || (r.limit as number) < 1 ||
    !Number.isSafeInteger(r.windowSeconds) || (r.windowSeconds as number) < 1) {
    throw new TypeError(`"${name}" must be { limit, windowSeconds } with positive integers`);
  }
  return { limit: r.limit as number, windowSeconds: r.windowSeconds as number };
}

/**
 * The key of a counter: what is limited (`bucket`, e.g. `'code'`) and by what (`'ip'`, `'user'`),
 * with the value hashed (no username or address in a Redis key, and no key injection).
 * Usernames are compared case-insensitively, as Cognito does by default.
 *
 * @example
 * rateLimitKey('code', 'user', 'Ann');   // 'code:user:<sha256 of "ann">'
 */
export function rateLimitKey(bucket: string, by: 'ip' | 'user', value: string): string {
  const normal = by === 'user' ? value.normalize('NFKC').toLowerCase() : value;
  return `${bucket}:${by}:${createHash('sha256').update(normal).digest('base64url')}`;
}

/**
 * Counts one hit on each key under its rule; refused when any is over its limit.
 *
 * @returns `undefined` when allowed, else the seconds to wait (at least 1).
 * @throws RedisUnavailableError from a Redis store.
 * @example
 * const wait = await overLimit(store, [[rateLimitKey('code', 'ip', ip), rule]]);
 * if (wait !== undefined) return res.set('Retry-After', String(wait)).status(429).end();
 */
export async function overLimit(
  store: RateLimitStore, hits: ReadonlyArray<readonly [key: string, rule: RateLimitRule]>,
): Promise<number | undefined> {
  let wait: number | undefined;
  for (const [key, rule] of hits) {
    const h = await store.hit(key, rule.windowSeconds * 1000);
    if (h.count > rule.limit) wait = Math.max(wait ?? 0, Math.max(1, Math.ceil(h.resetInMs / 1000)));
  }
  return wait;
}
