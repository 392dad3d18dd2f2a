/**
 * `RedisRevocationStore`: the revocation list shared by every instance of an app, in Redis. A logout
 * on one instance makes the session's tokens refused by all of them, as session or bearer tokens.
 *
 * One key per revoked id (`<prefix><jti or origin_jti>`), expiring when the tokens it covers have
 * expired plus `graceSeconds` (the verifier accepts a token for `leewaySeconds` after its `exp`, and
 * instances' clocks differ a little). The client is the application's own node-redis (v4+) or ioredis
 * client: no Redis library is a dependency of this package.
 */
import { systemClock, type Clock } from '../lib/clock';
import { assertRedisClient, DEFAULT_REDIS_TIMEOUT_MS, keyPrefix, positiveInteger, redisCommand, type RedisClientLike } from './redis-client';
import type { RevocationStore } from './revocation-store';

/** Options of {@link RedisRevocationStore}. */
export interface RedisRevocationStoreOptions {
  /** A connected node-redis (v4, v5, v6) or ioredis client (or cluster). Required. */
  client: RedisClientLike;
  /** Key prefix (default `'express-cognito:revoked:'`). */
  prefix?: string;
  /**
   * Seconds an entry outlives the `until` it was given (default 300): covers the verifier's
   * `leewaySeconds` after `exp` and clock differences between instances.
   */
  graceSeconds?: number;
  /** Timeout of one Redis command, in ms (default 2000); then the call fails with a 503 error. */
  timeoutMs?: number;
  /** Time source the TTLs are computed from (default `Date.now`); the guard's clock in tests. */
  clock?: Clock;
}

/** Longest id stored; Cognito's `jti` / `origin_jti` are UUIDs. Longer ids are not Cognito's. */
const MAX_ID_LENGTH = 256;

// Sets the key unless it already lives longer: two logouts of one sign-in never shorten its entry.
const SET_MAX_TTL = "local t = redis.call('TTL', KEYS[1]) if t < tonumber(ARGV[1]) then redis.call('SET', KEYS[1], '1', 'EX', ARGV[1]) end return 1";

/**
 * A {@link RevocationStore} in Redis, for several app instances.
 *
 * Fails closed: when Redis cannot be reached within `timeoutMs`, `isRevoked` rejects with a 503
 * `RedisUnavailableError` (`ERR_COGNITO_REDIS_UNAVAILABLE`), so the guard refuses rather than lets a
 * possibly revoked token through; `revoke` rejects too, so a logout that could not be recorded
 * fails visibly instead of leaving the tokens usable.
 *
 * @example
 * import { createClient } from 'redis';
 * const redis = await createClient({ url: process.env.REDIS_URL }).connect();
 * const revocationStore = new RedisRevocationStore({ client: redis });
 * app.use('/api', requireCognito({ revocationStore }));
 * app.post('/logout', cognitoLogout({ revocationStore }));
 */
export class RedisRevocationStore implements RevocationStore {
  readonly #client: RedisClientLike;
  readonly #prefix: string;
  readonly #graceSeconds: number;
  readonly #timeoutMs: number;
  readonly #clock: Clock;

  constructor(options: RedisRevocationStoreOptions) {
    if (typeof options !== 'object' || options === null) throw new TypeError('RedisRevocationStore options must be an object');
    assertRedisClient(options.client, 'client');
    this.#client = options.client;
    this.#prefix = keyPrefix(options.prefix, 'express-cognito:revoked:');
    this.#graceSeconds = positiveInteger(options.graceSeconds, 'graceSeconds', 300, 0);
    this.#timeoutMs = positiveInteger(options.timeoutMs, 'timeoutMs', DEFAULT_REDIS_TIMEOUT_MS);
    const clock = options.clock ?? systemClock;
    if (typeof clock !== 'function') throw new TypeError('"clock" must be a function returning milliseconds');
    this.#clock = clock;
  }

  /**
   * Records `ids` as revoked until `untilEpochSeconds` + `graceSeconds`. Ids that are not non-empty
   * strings of at most 256 characters are ignored; an entry already kept longer stays as it is.
   *
   * @throws TypeError for a non-array `ids` or a non-finite `untilEpochSeconds`;
   *   RedisUnavailableError when Redis fails.
   * @example
   * await store.revoke([claims.jti, claims.origin_jti], claims.exp);
   */
  async revoke(ids: string[], untilEpochSeconds: number): Promise<void> {
    if (!Array.isArray(ids)) throw new TypeError('"ids" must be an array of strings');
    if (typeof untilEpochSeconds !== 'number' || !Number.isFinite(untilEpochSeconds)) {
      throw new TypeError('"untilEpochSeconds" must be a finite number');
    }
    const ttl = Math.ceil(untilEpochSeconds - this.#clock() / 1000) + this.#graceSeconds;
    if (ttl <= 0) return;
    const keys = [...new Set(ids.filter(validId))].map((id) => this.#prefix + id);
    await Promise.all(keys.map((key) => redisCommand(this.#client, ['EVAL', SET_MAX_TTL, '1', key, String(ttl)], this.#timeoutMs)));
  }

  /**
   * True when any of `ids` is revoked (one EXISTS per id, in parallel: cluster-safe).
   *
   * @throws RedisUnavailableError when Redis fails (fail closed).
   * @example
   * if (await store.isRevoked([claims.jti, claims.origin_jti])) refuse();
   */
  async isRevoked(ids: string[]): Promise<boolean> {
    if (!Array.isArray(ids)) return false;
    const keys = [...new Set(ids.filter(validId))].map((id) => this.#prefix + id);
    if (keys.length === 0) return false;
    const replies = await Promise.all(keys.map((key) => redisCommand(this.#client, ['EXISTS', key], this.#timeoutMs)));
    return replies.some((n) => Number(n) > 0);
  }
}

function validId(id: unknown): id is string {
  return typeof id === 'string' && id.length > 0 && id.length <= MAX_ID_LENGTH;
}
