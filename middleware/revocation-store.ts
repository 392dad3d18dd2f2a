/**
 * The revocation list that makes a logged-out session's tokens unusable in this app before they
 * expire. Cognito's GlobalSignOut/RevokeToken stop Cognito's own APIs from accepting the tokens, but
 * a JWT verified locally would pass until `exp`; so `cognitoLogout()` records the token ids here and
 * `requireCognito()` refuses them.
 *
 * Ids are the tokens' `jti` and `origin_jti` (the latter ties together every token of one sign-in,
 * renewed ones included). An entry is kept only until the tokens it covers expire, so the list stays
 * bounded by the number of logouts within one token lifetime.
 */
import type { Clock } from '../lib/clock';
import { systemClock } from '../lib/clock';

/**
 * Where revoked token ids live. Implement it over a shared store (Redis…) when several app
 * instances must agree; both methods may be synchronous or return a promise.
 *
 * @example
 * const store: RevocationStore = {
 *   async revoke(ids, until) { for (const id of ids) await redis.set(`revoked:${id}`, '1', { EXAT: until }); },
 *   async isRevoked(ids) { return (await redis.exists(ids.map((id) => `revoked:${id}`))) > 0; },
 * };
 */
export interface RevocationStore {
  /**
   * Records `ids` as revoked until `untilEpochSeconds` (after which the tokens have expired anyway
   * and the entries may be dropped).
   */
  revoke(ids: string[], untilEpochSeconds: number): void | Promise<void>;
  /** True when any of `ids` is revoked. */
  isRevoked(ids: string[]): boolean | Promise<boolean>;
}

/**
 * Options of {@link MemoryRevocationStore}.
 *
 * @example
 * new MemoryRevocationStore({ maxEntries: 100_000 });
 */
export interface MemoryRevocationStoreOptions {
  /** Time source deciding when entries expire (default `Date.now`). */
  clock?: Clock;
  /**
   * Hard cap on the number of ids held (default 1 000 000). Beyond it the entries closest to expiry
   * are dropped first, so memory stays bounded even under a logout flood.
   */
  maxEntries?: number;
}

/**
 * A {@link RevocationStore} in this process's memory: right for one app instance.
 *
 * @example
 * const revocationStore = new MemoryRevocationStore();
 * app.use('/api', requireCognito({ revocationStore }));
 * app.post('/logout', cognitoLogout({ revocationStore }));
 */
export class MemoryRevocationStore implements RevocationStore {
  private readonly entries = new Map<string, number>();
  private readonly clock: Clock;
  private readonly maxEntries: number;
  private nextSweepAt = 0;

  constructor(options: MemoryRevocationStoreOptions = {}) {
    const { clock = systemClock, maxEntries = 1_000_000 } = options;
    if (typeof clock !== 'function') throw new TypeError('"clock" must be a function returning milliseconds');
    if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new TypeError('"maxEntries" must be a positive integer');
    this.clock = clock;
    this.maxEntries = maxEntries;
  }

  /**
   * @example
   * store.revoke([claims.jti, claims.origin_jti], claims.exp);
   */
  revoke(ids: string[], untilEpochSeconds: number): void {
    if (!Array.isArray(ids)) throw new TypeError('"ids" must be an array of strings');
    if (!Number.isFinite(untilEpochSeconds)) throw new TypeError('"untilEpochSeconds" must be a finite number');
    const nowSeconds = this.clock() / 1000;
    if (untilEpochSeconds <= nowSeconds) return;
    for (const id of ids) {
      if (typeof id !== 'string' || id.length === 0) continue;
      const current = this.entries.get(id);
      if (current === undefined || current < untilEpochSeconds) this.entries.set(id, untilEpochSeconds);
    }
    this.sweep(nowSeconds);
  }

  /**
   * @example
   * if (store.isRevoked([claims.jti, claims.origin_jti])) refuse();
   */
  isRevoked(ids: string[]): boolean {
    if (!Array.isArray(ids)) return false;
    const nowSeconds = this.clock() / 1000;
    for (const id of ids) {
      if (typeof id !== 'string') continue;
      const until = this.entries.get(id);
      if (until === undefined) continue;
      if (until > nowSeconds) return true;
      this.entries.delete(id);
    }
    return false;
  }

  /** Number of ids held (expired ones included until the next sweep). */
  get size(): number {
    return this.entries.size;
  }

  private sweep(nowSeconds: number): void {
    // A full pass at most once a minute, or whenever the cap is exceeded.
    if (nowSeconds < this.nextSweepAt && this.entries.size <= this.maxEntries) return;
    this.nextSweepAt = nowSeconds + 60;
    for (const [id, until] of this.entries) if (until <= nowSeconds) this.entries.delete(id);
    if (this.entries.size <= this.maxEntries) return;
    const byExpiry = [...this.entries].sort((a, b) => a[1] - b[1]);
    for (let i = 0; i < byExpiry.length - this.maxEntries; i++) this.entries.delete(byExpiry[i][0]);
  }
}

let shared: RevocationStore | undefined;

/**
 * The process-wide default store that `requireCognito()` and `cognitoLogout()` share when neither
 * is given a `revocationStore` — a {@link MemoryRevocationStore} created on first use.
 *
 * @example
 * defaultRevocationStore().isRevoked([jti]);
 */
export function defaultRevocationStore(): RevocationStore {
  shared ??= new MemoryRevocationStore();
  return shared;
}
