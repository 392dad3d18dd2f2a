/**
 * Verifies Cognito ID and access tokens: RS256 only, keys from the pool's JWKS (shared
 * {@link JwksCache}), exact issuer, `token_use`, the app client (`aud` on ID tokens, `client_id` on
 * access tokens — access tokens have no `aud`), `exp`/`nbf`/`iat` with a clock-skew leeway, and the ID
 * token's `at_hash` when the access token is at hand. Machine-to-machine access tokens (the
 * `client_credentials` grant: no `username`, `sub` = `client_id`) verify like any other; whether a
 * route accepts one is the guard's decision (`requireCognito({ scope })`).
 *
 * The checks themselves are pure functions: the JWS structure and signature in `./jws`, the claims
 * in `./token-claims` (their shape once, after the signature; what depends on the request — time,
 * `token_use`, app client, `at_hash` — by one function for fresh and cached tokens alike). This file
 * chains them with the key lookup and the cache.
 *
 * Fast path: a bounded cache of verified tokens ({@link VerifiedTokenCache}, shared by the verifiers
 * of a pool) keyed by the SHA-256 of the whole token (once full, it admits a token only on its second
 * verification, so one-shot tokens do not churn it). A hit skips the signature check and the shape
 * check but not the per-request one; entries never outlive the token or `tokenCacheMaxAgeSeconds`
 * and are dropped when their key leaves the JWKS.
 *
 * Miss path, lean: cheap structural checks before any key lookup or crypto, so junk costs next to
 * nothing and never triggers a JWKS fetch; then one synchronous `crypto.verify` with the key imported
 * once by the JWKS cache, and the claims checks jose's `jwtVerify` makes (same meaning) without its
 * per-call option handling and thread-pool round trip.
 *
 * Three entry points: {@link TokenVerifier.verify} (a promise, fetching keys as needed),
 * {@link TokenVerifier.verifySync} (never any I/O: refuses with `ERR_COGNITO_JWKS_NOT_LOADED` while
 * the keys are not loaded; {@link TokenVerifier.loadKeys} loads them) and
 * {@link TokenVerifier.verifyNow} (synchronous whenever no I/O is needed, a promise otherwise: the
 * guard's). Every refusal is a {@link TokenVerificationError} with its `code` and `claim`; a
 * {@link JwksUnavailableError} (no keys to be had) propagates as is, for a 503.
 */
import type { KeyObject } from 'node:crypto';
import createDebug from 'debug';
import { resolveConfig, type CognitoOptions, type ResolvedConfig } from './config';
import { isCognitoError, JwksNotLoadedError, type TokenVerificationError } from './errors';
import { getJwksCache, type JwksCache, type JwksKey } from './jwks-cache';
import { decodeClaimsSet, parseJws, refuse, verifySignature, type Jws } from './jws';
import { checkClaimsNow, checkClaimsShape, claimsRefusalNow, type ClaimRules, type CognitoClaims } from './token-claims';
import type { AccessTokenClaims, IdTokenClaims } from './token-claims';
import {
  MAX_CACHED_TOKEN_LENGTH, resolveTokenCacheOptions, sharedTokenCache, tokenCacheKey,
  type TokenCacheOptions, type VerifiedToken, type VerifiedTokenCache,
} from './verified-token-cache';

export { MAX_TOKEN_LENGTH } from './jws';
export type { AccessTokenClaims, CognitoClaims, CognitoClaimsBase, IdTokenClaims } from './token-claims';

const debug = createDebug('express-cognito:verify');

/** Options of one {@link TokenVerifier.verify} call. */
export interface VerifyOptions {
  /** The access token issued with this ID token: its hash is checked against the ID token's `at_hash`. */
  accessToken?: string;
}

/** Options of a {@link TokenVerifier}: the shared Cognito options and the token cache's. */
export interface TokenVerifierOptions extends CognitoOptions, TokenCacheOptions {}

/** What a {@link TokenVerifier} may be given besides its options. */
export interface TokenVerifierDeps extends TokenCacheOptions {
  /** Use this JWKS cache instead of the shared one for the config's JWKS URI. */
  jwksCache?: JwksCache;
  /** Use this token cache instead of the one shared by the pool's verifiers. */
  tokenCache?: VerifiedTokenCache<CognitoClaims>;
}

type TokenUse = 'id' | 'access';

/**
 * Verifies Cognito tokens for one user pool and its allowed app clients. Construct once (no I/O
 * here) and reuse: keys are fetched on first use and shared process-wide per JWKS URI, and verified
 * tokens are cached per pool (`tokenCacheSize`, default 10,000; `tokenCacheMaxAgeSeconds`, default 300).
 *
 * The claims returned are deep-frozen: a cached token's claims are one object handed to every request.
 *
 * @example
 * const verifier = new TokenVerifier({ userPoolId: 'eu-west-1_AbC123', clientId: ['web', 'mobile'] });
 * const claims = await verifier.verify(bearer, 'access');    // AccessTokenClaims
 * const id = await verifier.verify(idToken, 'id', { accessToken: bearer });  // checks at_hash too
 */
export class TokenVerifier {
  /** The resolved configuration. */
  readonly config: ResolvedConfig;
  /** Where the signing keys come from. */
  readonly jwksCache: JwksCache;
  /** The cache of verified tokens; `undefined` when disabled (`tokenCacheSize: 0`). */
  readonly tokenCache: VerifiedTokenCache<CognitoClaims> | undefined;
  readonly #rules: ClaimRules;
  readonly #clock: () => number;

  /**
   * @param options `TokenVerifierOptions` (resolved here, env fallbacks included) or a `ResolvedConfig`.
   * @param deps `jwksCache` / `tokenCache` to use instead of the shared ones; `tokenCacheSize` and
   *   `tokenCacheMaxAgeSeconds` (they win over the same options in `options`; a `ResolvedConfig` has none).
   * @throws TypeError naming the option when one is invalid.
   */
  constructor(options: TokenVerifierOptions | ResolvedConfig, deps: TokenVerifierDeps = {}) {
    this.config = resolveConfig(options);
    const c = this.config;
    this.jwksCache = deps.jwksCache ?? getJwksCache(c.jwksUri, {
      ...(c.jwks === undefined ? {} : { jwks: c.jwks }), clock: c.clock, cooldownMs: c.jwksCooldownMs, timeoutMs: c.jwksTimeoutMs,
    });
    const o = options as TokenCacheOptions;
    const cacheOptions = resolveTokenCacheOptions({
      tokenCacheSize: deps.tokenCacheSize ?? o.tokenCacheSize,
      tokenCacheMaxAgeSeconds: deps.tokenCacheMaxAgeSeconds ?? o.tokenCacheMaxAgeSeconds,
    });
    this.tokenCache = deps.tokenCache ?? sharedTokenCache<CognitoClaims>(this.jwksCache, c.issuer, cacheOptions);
    this.#rules = Object.freeze({ issuer: c.issuer, clientIds: new Set(c.clientIds), leewaySeconds: c.leewaySeconds });
    this.#clock = c.clock;
  }

  /**
   * Verifies a token and returns its claims (deep-frozen), fetching the pool's keys first if needed.
   *
   * @param token the compact JWT.
   * @param tokenUse `'id'` or `'access'`: the `token_use` the token must have.
   * @param options `accessToken` to check an ID token's `at_hash` against (when the ID token has one).
   * @throws TokenVerificationError with a `code` and `claim` when the token is refused.
   * @throws JwksUnavailableError when no signing keys can be had.
   * @throws TypeError when `tokenUse` is neither `'id'` nor `'access'`.
   * @example
   * try { req.claims = await verifier.verify(token, 'access'); }
   * catch (e) { if (isCognitoError(e)) return res.status(e.status).json({ error: e.code }); throw e; }
   */
  verify(token: string, tokenUse: 'id', options?: VerifyOptions): Promise<IdTokenClaims>;
  verify(token: string, tokenUse: 'access', options?: VerifyOptions): Promise<AccessTokenClaims>;
  verify(token: string, tokenUse: TokenUse, options?: VerifyOptions): Promise<CognitoClaims>;
  async verify(token: string, tokenUse: TokenUse, options: VerifyOptions = {}): Promise<CognitoClaims> {
    return this.verifyNow(token, tokenUse, options);
  }

  /**
   * {@link verify} without any I/O, ever: the claims, or the refusal thrown, in the same tick. The
   * keys must be loaded already (by an earlier verification, or {@link loadKeys}); a token whose
   * `kid` is not among the keys held is refused with `ERR_COGNITO_TOKEN_KID_UNKNOWN` (only
   * {@link verify} refetches for an unknown `kid`).
   *
   * @throws JwksNotLoadedError (`ERR_COGNITO_JWKS_NOT_LOADED`, 503) while no keys are loaded.
   * @throws TokenVerificationError / TypeError as {@link verify}.
   * @example
   * await verifier.loadKeys();                          // at start-up
   * const claims = verifier.verifySync(bearer, 'access');
   */
  verifySync(token: string, tokenUse: 'id', options?: VerifyOptions): IdTokenClaims;
  verifySync(token: string, tokenUse: 'access', options?: VerifyOptions): AccessTokenClaims;
  verifySync(token: string, tokenUse: TokenUse, options?: VerifyOptions): CognitoClaims;
  verifySync(token: string, tokenUse: TokenUse, options: VerifyOptions = {}): CognitoClaims {
    return this.#verify(token, tokenUse, options, 'sync') as CognitoClaims;
  }

  /**
   * {@link verify}, answered in the same tick whenever no I/O is needed: a cached token, or one
   * signed by a key already fetched and imported (every token of a pool after the first). Then the
   * claims are returned, or the refusal thrown, synchronously; only when the signing key must be
   * fetched or imported first is the answer a promise (of the claims, or rejected with the refusal).
   * The checks are those of {@link verify}, whichever way the answer comes.
   *
   * @throws TokenVerificationError / TypeError synchronously when the answer needs no I/O.
   * @example
   * const answer = verifier.verifyNow(bearer, 'access');
   * const claims = answer instanceof Promise ? await answer : answer;
   */
  verifyNow(token: string, tokenUse: 'id', options?: VerifyOptions): IdTokenClaims | Promise<IdTokenClaims>;
  verifyNow(token: string, tokenUse: 'access', options?: VerifyOptions): AccessTokenClaims | Promise<AccessTokenClaims>;
  verifyNow(token: string, tokenUse: TokenUse, options?: VerifyOptions): CognitoClaims | Promise<CognitoClaims>;
  verifyNow(token: string, tokenUse: TokenUse, options: VerifyOptions = {}): CognitoClaims | Promise<CognitoClaims> {
    return this.#verify(token, tokenUse, options, 'now');
  }

  /**
   * Fetches the pool's keys (unless held) and imports them all, so that {@link verifySync} can
   * answer. Joins a fetch under way.
   *
   * @throws JwksUnavailableError when no keys can be had.
   * @example
   * await verifier.loadKeys();
   */
  async loadKeys(): Promise<void> {
    const { keys } = await this.jwksCache.getKeys();
    const kids = keys.map((k) => k.kid).filter((kid): kid is string => typeof kid === 'string');
    await Promise.all(kids.map((kid) => this.jwksCache.getKey(kid)));
  }

  /**
   * The claims of `token` if it is in the cache of verified tokens and passes every per-request check
   * (`exp`/`nbf`/`iat` with the leeway, `token_use`, the allowed client ids); `undefined` otherwise —
   * a miss, a refusal or no cache — and then {@link verify} gives the answer (and the error). Synchronous:
   * no promise and no I/O, so a guard can let a known token through in the same tick.
   *
   * @example
   * const claims = verifier.verifyCached(bearer, 'access') ?? (await verifier.verify(bearer, 'access'));
   */
  verifyCached(token: string, tokenUse: TokenUse): CognitoClaims | undefined {
    const cache = this.tokenCache;
    if (cache === undefined || typeof token !== 'string' || token.length > MAX_CACHED_TOKEN_LENGTH) return undefined;
    const nowMs = this.#clock();
    const hit = cache.get(tokenCacheKey(token), nowMs);
    if (hit === undefined || claimsRefusalNow(hit, this.#rules, tokenUse, Math.floor(nowMs / 1000)) !== undefined) return undefined;
    return hit.claims;
  }

  /** Cache, structure, key, then {@link #checkSigned}; `mode` says what to do when the key is not at hand. */
  #verify(token: string, tokenUse: TokenUse, options: VerifyOptions, mode: 'now' | 'sync'): CognitoClaims | Promise<CognitoClaims> {
    if (tokenUse !== 'id' && tokenUse !== 'access') throw new TypeError('"tokenUse" must be "id" or "access"');
    try {
      const nowMs = this.#clock();
      const cache = this.tokenCache;
      let key: string | undefined;
      if (cache !== undefined && typeof token === 'string' && token.length <= MAX_CACHED_TOKEN_LENGTH) {
        key = tokenCacheKey(token);
        const hit = cache.get(key, nowMs);
        if (hit !== undefined) {
          checkClaimsNow(hit, hit.claims, this.#rules, tokenUse, Math.floor(nowMs / 1000), options.accessToken);
          return hit.claims;
        }
      }
      const jws = parseJws(token);
      const jwks = this.jwksCache;
      const ready = jwks.readyKey(jws.kid) ?? (mode === 'sync' ? this.#keySync(jws.kid) : undefined);
      if (ready !== undefined) return this.#checkSigned(token, jws, keyFor(ready), jwks.generation, key, nowMs, tokenUse, options);
      return this.#verifyAfterKeyLookup(token, jws, key, nowMs, tokenUse, options);
    } catch (e) {
      this.#logRefusal(e, tokenUse);
      throw e;
    }
  }

  /** The key for {@link verifySync}: imported now if held; refusals when it cannot be had without I/O. */
  #keySync(kid: string): JwksKey {
    const jwks = this.jwksCache;
    if (!jwks.loaded) throw new JwksNotLoadedError();
    const found = jwks.importNow(kid);
    if (found === undefined) throw refuse('ERR_COGNITO_TOKEN_KID_UNKNOWN', 'no signing key has this kid', 'kid');
    return found;
  }

  /** The rest of {@link verifyNow} when the signing key has to be fetched or imported first. */
  async #verifyAfterKeyLookup(
    token: string, jws: Jws, key: string | undefined, nowMs: number, tokenUse: TokenUse, options: VerifyOptions,
  ): Promise<CognitoClaims> {
    try {
      const jwks = this.jwksCache;
      let generation = jwks.generation;
      const signingKey = await this.#resolveKey(jws.kid);
      if (jwks.generation !== generation) {
        // The key set changed during the lookup (first load, refetch): cache the token only if the key
        // that signed it is still the one held under its kid (-1 never matches a generation).
        const current = jwks.generation;
        generation = (await jwks.getKey(jws.kid))?.key === signingKey ? current : -1;
      }
      return this.#checkSigned(token, jws, signingKey, generation, key, nowMs, tokenUse, options);
    } catch (e) {
      this.#logRefusal(e, tokenUse);
      throw e;
    }
  }

  /** Signature, claims, then the cache: the synchronous end of every full verification. */
  #checkSigned(
    token: string, jws: Jws, signingKey: KeyObject, generation: number, key: string | undefined, nowMs: number,
    tokenUse: TokenUse, options: VerifyOptions,
  ): CognitoClaims {
    if (!verifySignature(token, jws, signingKey)) throw refuse('ERR_COGNITO_TOKEN_SIGNATURE', 'the signature is invalid');
    const payload = decodeClaimsSet(jws.payload);
    const facts = checkClaimsShape(payload, this.#rules);
    checkClaimsNow(facts, payload, this.#rules, tokenUse, Math.floor(nowMs / 1000), options.accessToken);
    const claims = deepFreeze(payload) as CognitoClaims;
    const cache = this.tokenCache;
    if (key !== undefined && cache !== undefined) {
      const entry: VerifiedToken<CognitoClaims> = {
        claims, kid: jws.kid, tokenUse, clientId: facts.clientId, exp: facts.exp, iat: facts.iat, nbf: facts.nbf,
      };
      cache.offer(key, entry, nowMs, this.#rules.leewaySeconds, generation);
    }
    return claims;
  }

  #logRefusal(e: unknown, tokenUse: TokenUse): void {
    if (isCognitoError(e)) debug('%s token refused: %s (%s)', tokenUse, e.code, (e as TokenVerificationError).claim ?? '-');
  }

  async #resolveKey(kid: string): Promise<KeyObject> {
    const found = await this.jwksCache.getKey(kid);
    if (found === undefined) throw refuse('ERR_COGNITO_TOKEN_KID_UNKNOWN', 'no signing key has this kid', 'kid');
    return keyFor(found);
  }
}

/** The verification key of a JWKS entry, which must be an RS256 key. */
function keyFor(found: JwksKey): KeyObject {
  if (found.jwk.alg !== 'RS256') throw refuse('ERR_COGNITO_TOKEN_ALG', 'the signing key is not an RS256 key', 'alg');
  return found.key;
}

/** Freezes parsed JSON all the way down (cached claims are shared by every request that presents the token). */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) if (typeof v === 'object' && v !== null) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
