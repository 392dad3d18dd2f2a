/**
 * A bounded cache of verified tokens, so that a token seen again skips the signature check (after
 * Envoy's jwt_authn cache). What a hit still costs is the per-request part: the caller re-checks
 * `exp`/`nbf`/`iat` with its own leeway and clock, `token_use` and the allowed app clients; the web
 * layer then checks revocation, groups and scopes as on any request.
 *
 * - Keyed by the SHA-256 of the whole token string ({@link tokenCacheKey}, 32 bytes), not by the
 *   token: a token that differs by one character is another key, and the cache holds no bearer
 *   credential (nothing in it can be replayed) and costs less per entry than keeping the token.
 * - Admission ({@link VerifiedTokenCache.offer}): a verified token is stored at once while there is
 *   room; in a full cache, only on its second verification, so that a flood of tokens presented once
 *   each evicts nothing and costs no churn.
 * - Least recently used entries are evicted beyond `maxEntries` (default
 *   {@link DEFAULT_TOKEN_CACHE_SIZE}); `0` disables the cache.
 * - An entry never outlives its token (`exp` plus the inserting verifier's leeway) nor `maxAgeSeconds`
 *   (default {@link DEFAULT_TOKEN_CACHE_MAX_AGE_SECONDS}) after it was verified.
 * - Entries signed by a key that left the JWKS are dropped: at once through the key set's
 *   `onKeysRemoved`, and, on a hit after the key set's `generation` moved, by asking `hasKey(kid)`.
 * - Tokens longer than {@link MAX_CACHED_TOKEN_LENGTH} are never cached (they are verified every
 *   time), which bounds the memory of one entry.
 *
 * Memory: an entry's heap is the frozen claims and a 32-byte key; its RSS is more, since V8 lets a
 * heap with more live data grow further before collecting and keeps the pages until it idles
 * (`bench/memory.ts` measures both; the figures are in docs/benchmarks.md). Documented bound, in
 * RSS right after a load of distinct tokens: {@link TOKEN_CACHE_BYTES_PER_ENTRY} (3 KB) per entry for
 * Cognito-sized tokens (up to 1.5 KB), so at most 30 MB for the default 10,000 entries however many
 * distinct tokens are seen; tokens near the 4 KB cap, in the same proportion, up to 12 KB each
 * (120 MB at the default size).
 */
import { hash } from 'node:crypto';

/** Default number of verified tokens kept: 10,000. */
export const DEFAULT_TOKEN_CACHE_SIZE = 10_000;
/** Default longest time a verified token is trusted without a new signature check: 300 s. */
export const DEFAULT_TOKEN_CACHE_MAX_AGE_SECONDS = 300;
/** Tokens longer than this (characters) are verified every time and never cached. Cognito's are 1–2 KB. */
export const MAX_CACHED_TOKEN_LENGTH = 4096;
/** The documented RSS bound of one entry, in bytes, for Cognito-sized tokens (up to 1.5 KB). */
export const TOKEN_CACHE_BYTES_PER_ENTRY = 3072;

/** Cache options, as the verifier and `requireCognito()` take them. */
export interface TokenCacheOptions {
  /**
   * Most verified tokens kept (least recently used are evicted first); `0` disables the cache.
   * Default {@link DEFAULT_TOKEN_CACHE_SIZE} (10,000: at most 30 MB of RSS for Cognito-sized tokens).
   */
  tokenCacheSize?: number;
  /**
   * Longest time, in seconds, a verified token is served from the cache before its signature is
   * checked again (it never outlives its `exp` either). Default {@link DEFAULT_TOKEN_CACHE_MAX_AGE_SECONDS} (300).
   */
  tokenCacheMaxAgeSeconds?: number;
}

/** The validated form of {@link TokenCacheOptions}. */
export interface ResolvedTokenCacheOptions {
  readonly maxEntries: number;
  readonly maxAgeSeconds: number;
}

/**
 * Validates the cache options once (a `TypeError` naming the option), filling in the defaults.
 *
 * @example
 * resolveTokenCacheOptions({ tokenCacheSize: 0 });   // { maxEntries: 0, maxAgeSeconds: 300 }: disabled
 */
export function resolveTokenCacheOptions(options: TokenCacheOptions = {}): ResolvedTokenCacheOptions {
  const maxEntries = integer(options.tokenCacheSize, 'tokenCacheSize', DEFAULT_TOKEN_CACHE_SIZE, 0);
  const maxAgeSeconds = integer(options.tokenCacheMaxAgeSeconds, 'tokenCacheMaxAgeSeconds', DEFAULT_TOKEN_CACHE_MAX_AGE_SECONDS, 1);
  return Object.freeze({ maxEntries, maxAgeSeconds });
}

function integer(value: unknown, name: string, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw new TypeError(`"${name}" must be ${min === 0 ? 'a non-negative' : 'a positive'} integer`);
  }
  return value;
}

/**
 * The cache key of a token: its SHA-256, as a 32-character binary (latin1) string (one-shot `crypto.hash`,
 * under a microsecond for a Cognito token).
 *
 * @example
 * const hit = cache.get(tokenCacheKey(token), clock());
 */
export function tokenCacheKey(token: string): string {
  return hash('sha256', token, 'binary');
}

/** The part of a `JwksCache` the token cache watches. */
export interface KeySetWatch {
  /** Increases whenever the set of keys changes. */
  readonly generation: number;
  /** True when a key with this `kid` is held now. */
  hasKey(kid: string): boolean;
  /** Calls `listener` with the `kid`s that left; returns a function that removes it. */
  onKeysRemoved(listener: (kids: readonly string[]) => void): () => void;
}

/** What is kept of a verified token: its claims and what a hit must re-check cheaply. */
export interface VerifiedToken<C = Readonly<Record<string, unknown>>> {
  /** The verified claims (deep-frozen by the verifier: every hit hands out this very object). */
  readonly claims: C;
  /** The `kid` of the key that signed it. */
  readonly kid: string;
  readonly tokenUse: 'id' | 'access';
  /** `aud` of an ID token, `client_id` of an access token. */
  readonly clientId: string;
  /** Seconds since the epoch. */
  readonly exp: number;
  readonly iat: number;
  readonly nbf: number | undefined;
}

interface Entry<C> {
  readonly value: VerifiedToken<C>;
  /** When the entry stops being served: min(verified + max age, exp + leeway), in ms. */
  readonly staleAtMs: number;
  /** The key set's generation when the entry's key was last seen in it. */
  generation: number;
  /** The cache's insertion count when the entry was last moved to the young end. */
  tick: number;
}

/** Counters, for benchmarks and diagnostics. */
export interface TokenCacheStats {
  readonly size: number;
  readonly hits: number;
  readonly misses: number;
  readonly evictions: number;
}

/**
 * A bounded LRU map from {@link tokenCacheKey} to {@link VerifiedToken}. One is shared by every
 * verifier of a user pool (see `TokenVerifier`); it is pure bookkeeping: verification and the checks
 * of a hit are the verifier's.
 *
 * @example
 * const cache = new VerifiedTokenCache<CognitoClaims>({ maxEntries: 10_000, maxAgeSeconds: 300, keys: jwksCache });
 * const key = tokenCacheKey(token);
 * const generation = jwksCache.generation;           // before the key lookup
 * const hit = cache.get(key, Date.now());
 * // On a miss: verify the token fully, then (value: { claims, kid, tokenUse, clientId, exp, iat, nbf })
 * if (hit === undefined) cache.offer(key, value, Date.now(), 5, generation);
 */
export class VerifiedTokenCache<C = Readonly<Record<string, unknown>>> {
  /** Most entries kept; 0 when disabled. */
  readonly maxEntries: number;
  /** Longest life of an entry, in ms. */
  readonly maxAgeMs: number;
  readonly #map = new Map<string, Entry<C>>();
  readonly #keys: KeySetWatch | undefined;
  readonly #unsubscribe: (() => void) | undefined;
  #hits = 0;
  #misses = 0;
  #evictions = 0;
  // Moves to the young end (insertions and LRU touches): the age of an entry is #ticks - entry.tick.
  #ticks = 0;
  readonly #halfLife: number;
  // Keys verified once and not cached yet (see offer()); cleared whole when it reaches maxEntries.
  #seenOnce = new Set<string>();

  /**
   * @param options `maxEntries` (default 10,000; 0 disables), `maxAgeSeconds` (default 300), and the
   *   key set (`JwksCache`) whose removed keys drop entries.
   */
  constructor(options: { maxEntries?: number; maxAgeSeconds?: number; keys?: KeySetWatch } = {}) {
    const resolved = resolveTokenCacheOptions({ tokenCacheSize: options.maxEntries, tokenCacheMaxAgeSeconds: options.maxAgeSeconds });
    this.maxEntries = resolved.maxEntries;
    this.maxAgeMs = resolved.maxAgeSeconds * 1000;
    this.#halfLife = Math.floor(this.maxEntries / 2);
    this.#keys = options.keys;
    if (this.#keys !== undefined && this.maxEntries > 0) {
      this.#unsubscribe = this.#keys.onKeysRemoved((kids) => this.dropSignedBy(kids));
    }
  }

  /** Entries held now. */
  get size(): number {
    return this.#map.size;
  }

  /**
   * The entry for `key` if it is still servable at `nowMs`, and marks it most recently used. A stale
   * entry (past its max age or its token's expiry plus leeway, or signed by a key no longer held) is
   * deleted and reported as absent.
   *
   * @example
   * const hit = cache.get(tokenCacheKey(token), Date.now());
   */
  get(key: string, nowMs: number): VerifiedToken<C> | undefined {
    const entry = this.#map.get(key);
    if (entry === undefined) {
      this.#misses++;
      return undefined;
    }
    if (nowMs >= entry.staleAtMs || !this.#keyStillHeld(entry)) {
      this.#map.delete(key);
      this.#misses++;
      return undefined;
    }
    // Most recently used goes last: Map keeps insertion order, so re-inserting is the LRU touch. Only
    // for an entry in the older half: an entry used at least once per maxEntries/2 insertions is
    // never evicted all the same, and a hot entry costs no Map churn on every hit.
    if (this.#ticks - entry.tick >= this.#halfLife) {
      this.#map.delete(key);
      entry.tick = ++this.#ticks;
      this.#map.set(key, entry);
    }
    this.#hits++;
    return entry.value;
  }

  /**
   * Keeps a verified token. Not kept when the cache is disabled, or when the entry would already be
   * stale at `nowMs`, or when its key has left the key set meanwhile.
   *
   * @param leewaySeconds the inserting verifier's clock-skew leeway: the entry lives until `exp + leeway` at most.
   * @param generation the key set's `generation` in which the signing key was found current: when the
   *   key set has changed since (the key may have been replaced under the same `kid`), nothing is kept.
   * @example
   * cache.set(tokenCacheKey(token), { claims, kid, tokenUse: 'access', clientId, exp, iat, nbf }, clock(), 5, generation);
   */
  set(key: string, value: VerifiedToken<C>, nowMs: number, leewaySeconds = 0, generation?: number): void {
    if (this.maxEntries === 0) return;
    const staleAtMs = Math.min(nowMs + this.maxAgeMs, (value.exp + leewaySeconds) * 1000);
    if (!(staleAtMs > nowMs)) return;
    const keys = this.#keys;
    if (keys !== undefined && ((generation !== undefined && generation !== keys.generation) || !keys.hasKey(value.kid))) return;
    this.#map.delete(key);
    this.#map.set(key, { value, staleAtMs, generation: keys === undefined ? 0 : keys.generation, tick: ++this.#ticks });
    while (this.#map.size > this.maxEntries) {
      const oldest = this.#map.keys().next().value as string;
      this.#map.delete(oldest);
      this.#evictions++;
    }
  }

  /**
   * Keeps a verified token — at once while the cache has room; once it is full, only from the second
   * time the token is offered (the first offer remembers its key): a full cache evicts an entry only
   * for a token that has shown it is reused. So a flood of tokens each presented once (one request per
   * token, or an attacker's supply of valid tokens) does not churn the cache: storing and evicting
   * the claims of every token, garbage for the old generation, made a miss markedly dearer (measured:
   * docs/benchmarks.md). The remembered keys (32 bytes each) are dropped all at once when there are
   * `maxEntries` of them.
   *
   * @returns true when the token was stored.
   * @example
   * cache.offer(tokenCacheKey(token), value, clock(), leewaySeconds, generation);
   */
  offer(key: string, value: VerifiedToken<C>, nowMs: number, leewaySeconds = 0, generation?: number): boolean {
    if (this.maxEntries === 0) return false;
    if (this.#map.size >= this.maxEntries && !this.#map.has(key) && !this.#seenOnce.delete(key)) {
      if (this.#seenOnce.size >= this.maxEntries) this.#seenOnce = new Set();
      this.#seenOnce.add(key);
      return false;
    }
    this.set(key, value, nowMs, leewaySeconds, generation);
    return this.#map.has(key);
  }

  /**
   * Forgets one entry.
   *
   * @example
   * cache.delete(tokenCacheKey(token));
   */
  delete(key: string): boolean {
    return this.#map.delete(key);
  }

  /**
   * Drops every entry signed by one of `kids` (called when keys leave the JWKS).
   *
   * @returns how many entries were dropped.
   * @example
   * cache.dropSignedBy(['old-kid']);
   */
  dropSignedBy(kids: readonly string[]): number {
    if (kids.length === 0 || this.#map.size === 0) return 0;
    const gone = new Set(kids);
    let dropped = 0;
    for (const [key, entry] of this.#map) {
      if (gone.has(entry.value.kid)) {
        this.#map.delete(key);
        dropped++;
      }
    }
    return dropped;
  }

  /**
   * Forgets everything.
   *
   * @example
   * cache.clear();
   */
  clear(): void {
    this.#map.clear();
    this.#seenOnce = new Set();
  }

  /**
   * Forgets everything and stops listening to the key set.
   *
   * @example
   * cache.close();
   */
  close(): void {
    this.clear();
    this.#unsubscribe?.();
  }

  /**
   * Hits, misses (stale entries included) and evictions since construction, and the current size.
   *
   * @example
   * const { hits, misses } = cache.stats();
   */
  stats(): TokenCacheStats {
    return { size: this.#map.size, hits: this.#hits, misses: this.#misses, evictions: this.#evictions };
  }

  #keyStillHeld(entry: Entry<C>): boolean {
    const keys = this.#keys;
    if (keys === undefined || entry.generation === keys.generation) return true;
    // The key set changed since: a key added is no reason to drop; a key gone is.
    if (!keys.hasKey(entry.value.kid)) return false;
    entry.generation = keys.generation;
    return true;
  }
}

// One cache per key set and issuer (and sizing): every verifier of a pool shares it, so the memory
// bound holds per pool however many guards an app mounts. Weak on the key set: a dropped JwksCache
// takes its token cache with it.
const shared = new WeakMap<KeySetWatch, Map<string, VerifiedTokenCache<unknown>>>();

/**
 * The token cache shared by the verifiers of one key set (a `JwksCache`) and issuer with the same
 * sizing; `undefined` when `options.maxEntries` is 0 (disabled).
 *
 * @example
 * const cache = sharedTokenCache(jwksCache, config.issuer, resolveTokenCacheOptions(options));
 */
export function sharedTokenCache<C>(
  keys: KeySetWatch, issuer: string, options: ResolvedTokenCacheOptions,
): VerifiedTokenCache<C> | undefined {
  if (options.maxEntries === 0) return undefined;
  let byScope = shared.get(keys);
  if (byScope === undefined) {
    byScope = new Map();
    shared.set(keys, byScope);
  }
  const scope = `${options.maxEntries}/${options.maxAgeSeconds}/${issuer}`;
  let cache = byScope.get(scope);
  if (cache === undefined) {
    cache = new VerifiedTokenCache<unknown>({ maxEntries: options.maxEntries, maxAgeSeconds: options.maxAgeSeconds, keys });
    byScope.set(scope, cache);
  }
  return cache as VerifiedTokenCache<C>;
}
