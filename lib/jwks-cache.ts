/**
 * A user pool's signing keys, fetched on first use and shared by everything in the process.
 *
 * Behaviour (after jose's `remote.ts` and aws-jwt-verify's `JwksCache`):
 * - static keys (the `jwks` option / `COGNITO_JWKS`) are used instead of fetching, ever;
 * - otherwise the JWKS is fetched on first use (no I/O in the constructor) and kept;
 * - concurrent callers share one in-flight fetch, which is dropped when it settles;
 * - an unknown `kid` triggers a refetch at most once per cooldown, whatever the load: a storm of
 *   random `kid`s costs at most one fetch per `cooldownMs`;
 * - a failed fetch keeps the keys already held; with no keys at all it raises {@link JwksUnavailableError};
 * - only RSA signing keys for RS256 of 2048 bits or more are accepted; each is imported once (the
 *   `jwk` format of `crypto.createPublicKey`, not jose's `importJWK`: jose's CommonJS build loads ~80
 *   modules with it) and the imported key is cached per `kid`;
 * - keys that leave the JWKS on a refetch are dropped; `generation`, `hasKey()` and `onKeysRemoved()`
 *   let a cache of verified tokens forget entries signed by a key that left.
 */
import { createHash, createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import type { ReadableStream } from 'node:stream/web';
import createDebug from 'debug';
import type { JSONWebKeySet, JWK } from 'jose';
import { systemClock, type Clock } from './clock';
import { DEFAULT_JWKS_COOLDOWN_MS, DEFAULT_JWKS_TIMEOUT_MS } from './config';
import { JwksUnavailableError } from './errors';

const debug = createDebug('express-cognito:jwks');

/** A usable signing key: its `kid`, its public JWK, and the key imported for verification. */
export interface JwksKey {
  readonly kid: string;
  readonly jwk: Readonly<JWK>;
  readonly key: KeyObject;
}

/**
 * Fetches a JWKS URI and returns the parsed JSON body. It must honour `timeoutMs` and refuse bodies
 * larger than `maxBytes`; it throws on any failure.
 */
export type JwksFetcher = (uri: string, limits: { timeoutMs: number; maxBytes: number }) => Promise<unknown>;

/** Options of a {@link JwksCache}. */
export interface JwksCacheOptions {
  /** Static keys: used instead of fetching. */
  jwks?: JSONWebKeySet;
  /** Fetches the JWKS; default {@link defaultJwksFetcher} (global `fetch`). */
  fetcher?: JwksFetcher;
  /** Milliseconds since the epoch; default `Date.now`. */
  clock?: Clock;
  /** Minimum time between two refetches caused by an unknown `kid`, in ms. Default 30000. */
  cooldownMs?: number;
  /** Timeout of one fetch, in ms. Default 5000. */
  timeoutMs?: number;
  /** Largest JWKS response accepted, in bytes. Default 65536 (Cognito's is about 1 KB). */
  maxBytes?: number;
}

const DEFAULT_MAX_BYTES = 64 * 1024;
const MIN_MODULUS_BYTES = 256; // RS256 with less than 2048 bits is refused (RFC 7518 §3.3).

/**
 * Fetches a JWKS with the global `fetch`: `AbortSignal.timeout(timeoutMs)`, no redirects, only a
 * successful JSON response, body capped at `maxBytes`.
 *
 * @example
 * const cache = new JwksCache(uri, { fetcher: (u, limits) => defaultJwksFetcher(u, limits) });
 */
export const defaultJwksFetcher: JwksFetcher = async (uri, { timeoutMs, maxBytes }) => {
  const res = await fetch(uri, { signal: AbortSignal.timeout(timeoutMs), redirect: 'error', headers: { accept: 'application/json' } });
  const fail = async (why: string): Promise<never> => {
    await res.body?.cancel().catch(() => undefined);
    throw new Error(why);
  };
  if (!res.ok) return fail(`the JWKS endpoint answered HTTP ${res.status}`);
  const type = res.headers.get('content-type') ?? '';
  if (!/^application\/([\w.-]+\+)?json\s*(;|$)/i.test(type)) return fail('the JWKS endpoint did not answer with JSON');
  const declared = Number(res.headers.get('content-length') ?? '0');
  if (declared > maxBytes) return fail('the JWKS response is too large');
  if (!res.body) return fail('the JWKS response has no body');
  const chunks: Uint8Array[] = [];
  let size = 0;
  // A fetch body is a byte stream; undici types it as ReadableStream<any>.
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new Error('the JWKS response is too large');
    }
    chunks.push(value);
  }
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
};

/**
 * The signing keys of one JWKS URI. Prefer {@link getJwksCache}, which shares one per URI.
 *
 * @example
 * const cache = new JwksCache('http://127.0.0.1:9229/local_pool/.well-known/jwks.json', { cooldownMs: 30_000 });
 * const found = await cache.getKey(header.kid);   // undefined when the kid is unknown
 */
export class JwksCache {
  /** The URI keys are fetched from. */
  readonly jwksUri: string;
  readonly #static: boolean;
  readonly #fetcher: JwksFetcher;
  readonly #clock: Clock;
  readonly #cooldownMs: number;
  readonly #limits: { timeoutMs: number; maxBytes: number };
  #keys = new Map<string, Readonly<JWK>>();
  #ready = new Map<string, JwksKey>();
  #importing = new Map<string, Promise<JwksKey | undefined>>();
  #loaded = false;
  #lastFetchAt = -Infinity;
  #inflight: Promise<void> | undefined;
  #generation = 0;
  #listeners = new Set<(kids: readonly string[]) => void>();

  constructor(jwksUri: string, options: JwksCacheOptions = {}) {
    if (typeof jwksUri !== 'string' || !/^https?:\/\//.test(jwksUri)) throw new TypeError('"jwksUri" must be an http(s) URL');
    this.jwksUri = jwksUri;
    this.#fetcher = options.fetcher ?? defaultJwksFetcher;
    this.#clock = options.clock ?? systemClock;
    this.#cooldownMs = options.cooldownMs ?? DEFAULT_JWKS_COOLDOWN_MS;
    this.#limits = { timeoutMs: options.timeoutMs ?? DEFAULT_JWKS_TIMEOUT_MS, maxBytes: options.maxBytes ?? DEFAULT_MAX_BYTES };
    if (typeof this.#fetcher !== 'function') throw new TypeError('"fetcher" must be a function');
    if (typeof this.#clock !== 'function') throw new TypeError('"clock" must be a function');
    this.#static = options.jwks !== undefined;
    if (options.jwks !== undefined) {
      const keys = acceptKeys(options.jwks);
      if (keys === undefined) throw new TypeError('"jwks" must be a JWKS ({ "keys": [ … ] })');
      this.#keys = keys;
      this.#loaded = true;
    }
  }

  /** Increases whenever the set of held keys changes (a key added, removed or replaced). */
  get generation(): number {
    return this.#generation;
  }

  /**
   * True when a key with this `kid` is held now (no I/O).
   *
   * @example
   * if (!cache.hasKey(entry.kid)) verifiedTokens.delete(token);
   */
  hasKey(kid: string): boolean {
    return this.#keys.has(kid);
  }

  /**
   * The key with this `kid` if it is held and already imported: no I/O, no promise. `undefined` means
   * "ask {@link getKey}" (not fetched yet, not imported yet, or unknown).
   *
   * @example
   * const key = cache.readyKey(kid) ?? (await cache.getKey(kid));
   */
  readyKey(kid: string): JwksKey | undefined {
    return this.#ready.get(kid);
  }

  /** Whether a key set is held (fetched, or given statically): what {@link importNow} needs. */
  get loaded(): boolean {
    return this.#loaded;
  }

  /**
   * The key with this `kid`, imported now (synchronously) if it is held but not imported yet: no
   * I/O, no refetch. `undefined` when no key of the held set has this `kid` or it cannot be imported.
   *
   * @example
   * const key = cache.loaded ? cache.importNow(kid) : undefined;
   */
  importNow(kid: string): JwksKey | undefined {
    const ready = this.#ready.get(kid);
    if (ready !== undefined) return ready;
    const jwk = this.#keys.get(kid);
    if (jwk === undefined) return undefined;
    try {
      const entry: JwksKey = Object.freeze({ kid, jwk, key: createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' }) });
      this.#ready.set(kid, entry);
      return entry;
    } catch (e) {
      debug('key %s could not be imported, ignoring it: %s', kid, (e as Error).message);
      this.#keys.delete(kid);
      return undefined;
    }
  }

  /**
   * Calls `listener` with the `kid`s that left the JWKS after each refetch that dropped some.
   *
   * @returns a function that removes the listener.
   * @example
   * const off = cache.onKeysRemoved((kids) => tokenCache.dropSignedBy(kids));
   */
  onKeysRemoved(listener: (kids: readonly string[]) => void): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /**
   * The usable keys (public JWKs), fetching them on first use.
   *
   * @throws JwksUnavailableError when no keys can be had.
   * @example
   * const { keys } = await cache.getKeys();
   */
  async getKeys(): Promise<JSONWebKeySet> {
    if (!this.#loaded) await this.#refresh();
    return { keys: [...this.#keys.values()] as JWK[] };
  }

  /**
   * The key with this `kid`, imported for verification; `undefined` when it is not in the JWKS even
   * after the refetch an unknown `kid` may trigger (at most one per cooldown).
   *
   * @throws JwksUnavailableError when no keys are held and none can be fetched.
   * @example
   * const key = await cache.getKey('abcd1234');
   */
  async getKey(kid: string): Promise<JwksKey | undefined> {
    const ready = this.#ready.get(kid);
    if (ready !== undefined) return ready;
    if (!this.#loaded) {
      await this.#refresh();
    } else if (!this.#keys.has(kid) && !this.#static) {
      // Joining a fetch already under way is free; starting one is rationed by the cooldown.
      if (this.#inflight !== undefined || this.#clock() - this.#lastFetchAt >= this.#cooldownMs) {
        debug('unknown kid: refetching %s', this.jwksUri);
        await this.#refresh().catch((e: unknown) => debug('refetch failed, keeping the keys held: %s', (e as Error).message));
      }
    }
    const jwk = this.#keys.get(kid);
    return jwk === undefined ? undefined : this.#import(kid, jwk);
  }

  /**
   * Fetches the JWKS now (joining a fetch under way), ignoring the cooldown. Static keys: no-op.
   *
   * @throws JwksUnavailableError when the fetch fails and no keys are held.
   * @example
   * await cache.reload();
   */
  async reload(): Promise<void> {
    if (this.#static) return;
    await this.#refresh().catch((e: unknown) => {
      if (!this.#loaded) throw e;
    });
  }

  #refresh(): Promise<void> {
    if (this.#static) return Promise.resolve();
    if (this.#inflight !== undefined) return this.#inflight;
    this.#lastFetchAt = this.#clock();
    const attempt = this.#fetchAndApply().finally(() => {
      this.#inflight = undefined;
    });
    this.#inflight = attempt;
    return attempt;
  }

  async #fetchAndApply(): Promise<void> {
    let keys: Map<string, Readonly<JWK>> | undefined;
    let cause: unknown;
    try {
      keys = acceptKeys(await this.#fetcher(this.jwksUri, this.#limits));
      if (keys === undefined) cause = new Error('the response is not a JWKS');
      else if (keys.size === 0) cause = new Error('the JWKS holds no usable RS256 key');
    } catch (e) {
      cause = e;
    }
    if (cause !== undefined || keys === undefined || keys.size === 0) {
      debug('fetching %s failed: %s', this.jwksUri, (cause as Error | undefined)?.message);
      throw new JwksUnavailableError(this.#loaded ? 'the refetch failed' : 'the signing keys could not be fetched', { cause });
    }
    this.#apply(keys);
  }

  #apply(keys: Map<string, Readonly<JWK>>): void {
    const removed: string[] = [];
    let changed = !this.#loaded || keys.size !== this.#keys.size;
    for (const [kid, old] of this.#keys) {
      const next = keys.get(kid);
      if (next === undefined || next.n !== old.n || next.e !== old.e) {
        removed.push(kid);
        this.#ready.delete(kid);
        this.#importing.delete(kid);
        changed = true;
      } else {
        keys.set(kid, old); // unchanged: keep the object the imported key was made from
      }
    }
    this.#keys = keys;
    this.#loaded = true;
    if (changed) this.#generation++;
    debug('JWKS %s: %d key(s), generation %d, removed %o', this.jwksUri, keys.size, this.#generation, removed);
    if (removed.length > 0) {
      for (const listener of this.#listeners) {
        try {
          listener(removed);
        } catch (e) {
          debug('a keys-removed listener threw: %s', (e as Error).message);
        }
      }
    }
  }

  #import(kid: string, jwk: Readonly<JWK>): Promise<JwksKey | undefined> {
    let pending = this.#importing.get(kid);
    if (pending === undefined) {
      pending = Promise.resolve().then(() => createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' })).then(
        (key) => {
          const entry: JwksKey = Object.freeze({ kid, jwk, key });
          // The JWKS may have changed while importing: only cache what is still current.
          if (this.#keys.get(kid) === jwk) this.#ready.set(kid, entry);
          return entry;
        },
        (e: unknown) => {
          debug('key %s could not be imported, ignoring it: %s', kid, (e as Error).message);
          this.#importing.delete(kid);
          if (this.#keys.get(kid) === jwk) this.#keys.delete(kid);
          return undefined;
        },
      );
      this.#importing.set(kid, pending);
    }
    return pending;
  }
}

/**
 * Keeps the keys a Cognito verifier may use: RSA, `alg` RS256, `use` absent or `sig`, `key_ops`
 * absent or with `verify`, a `kid`, and a modulus of 2048 bits or more. The first key of a duplicated
 * `kid` wins. Returns `undefined` when `value` is not a JWKS at all.
 */
function acceptKeys(value: unknown): Map<string, Readonly<JWK>> | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const list = (value as { keys?: unknown }).keys;
  if (!Array.isArray(list)) return undefined;
  const keys = new Map<string, Readonly<JWK>>();
  for (const k of list as unknown[]) {
    if (typeof k !== 'object' || k === null) continue;
    const jwk = k as JWK;
    const usable = jwk.kty === 'RSA' && jwk.alg === 'RS256' && (jwk.use === undefined || jwk.use === 'sig') &&
      (jwk.key_ops === undefined || (Array.isArray(jwk.key_ops) && jwk.key_ops.includes('verify'))) &&
      typeof jwk.kid === 'string' && jwk.kid !== '' && typeof jwk.n === 'string' && typeof jwk.e === 'string' &&
      jwk.d === undefined && Buffer.from(jwk.n, 'base64url').length >= MIN_MODULUS_BYTES;
    if (!usable) {
      debug('ignoring a JWK (kty %s, alg %s, use %s)', String(jwk.kty), String(jwk.alg), String(jwk.use));
      continue;
    }
    if (keys.has(jwk.kid as string)) continue;
    const { kty, kid, alg, use, n, e } = jwk;
    keys.set(kid as string, Object.freeze({ kty, kid, alg, ...(use === undefined ? {} : { use }), n, e }));
  }
  return keys;
}

const shared = new Map<string, JwksCache>();

/**
 * The process-wide cache for a JWKS URI: every `Cognito` instance, verifier and guard of the same pool
 * with the same `timeoutMs` shares one (a factory given another timeout gets a cache of its own, so its
 * option is the one in force). The other options, `cooldownMs` included (one refetch per cooldown for
 * the whole process), apply when the cache is created.
 * Static keys get a cache of their own per distinct key set.
 *
 * @example
 * const cache = getJwksCache(config.jwksUri, { jwks: config.jwks, clock: config.clock });
 */
export function getJwksCache(jwksUri: string, options: JwksCacheOptions = {}): JwksCache {
  const id = options.jwks === undefined
    ? (options.timeoutMs === undefined ? jwksUri : `${jwksUri}#timeout:${options.timeoutMs}`)
    : `${jwksUri}#static:${createHash('sha256').update(JSON.stringify(options.jwks)).digest('base64url')}`;
  let cache = shared.get(id);
  if (cache === undefined) {
    cache = new JwksCache(jwksUri, options);
    shared.set(id, cache);
  }
  return cache;
}

/**
 * Forgets every shared cache (for tests).
 *
 * @example
 * afterEach(() => clearJwksCaches());
 */
export function clearJwksCaches(): void {
  shared.clear();
}
