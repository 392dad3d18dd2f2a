/**
 * Verifies Cognito ID and access tokens: RS256 only, keys from the pool's JWKS (shared
 * {@link JwksCache}), exact issuer, `token_use`, the app client (`aud` on ID tokens, `client_id` on
 * access tokens — access tokens have no `aud`), `exp`/`nbf`/`iat` with a clock-skew leeway, and the ID
 * token's `at_hash` when the access token is at hand.
 *
 * Fast path: a bounded cache of verified tokens ({@link VerifiedTokenCache}, shared by the verifiers
 * of a pool) keyed by the SHA-256 of the whole token (once full, it admits a token only on its second
 * verification, so one-shot tokens do not churn it). A hit skips the signature check but still
 * checks `exp`/`nbf`/`iat` (this verifier's leeway and clock), `token_use`, the allowed client ids
 * and `at_hash`; entries never outlive the token or `tokenCacheMaxAgeSeconds` and are dropped when
 * their key leaves the JWKS.
 *
 * Miss path, lean: cheap structural checks (size, three base64url segments, a JSON header with only
 * `alg`/`kid`/`typ`) before any key lookup or crypto, so junk costs next to nothing and never triggers
 * a JWKS fetch; then one synchronous `crypto.verify` (RSASSA-PKCS1-v1_5 / SHA-256) with the key
 * imported once by the JWKS cache, and the registered-claim checks jose's `jwtVerify` makes (same
 * order, same meaning) without its per-call option handling and thread-pool round trip.
 * Every refusal is a {@link TokenVerificationError} with its `code` and `claim`; a
 * {@link JwksUnavailableError} (no keys to be had) propagates as is, for a 503.
 */
import { createHash, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import createDebug from 'debug';
import { resolveConfig, type CognitoOptions, type ResolvedConfig } from './config';
import { isCognitoError, TokenVerificationError, type TokenErrorCode } from './errors';
import { getJwksCache, type JwksCache, type JwksKey } from './jwks-cache';
import {
  MAX_CACHED_TOKEN_LENGTH, resolveTokenCacheOptions, sharedTokenCache, tokenCacheKey,
  type TokenCacheOptions, type VerifiedToken, type VerifiedTokenCache,
} from './verified-token-cache';

const debug = createDebug('express-cognito:verify');

/** Claims common to Cognito's ID and access tokens. */
export interface CognitoClaimsBase {
  sub: string;
  iss: string;
  exp: number;
  iat: number;
  auth_time?: number;
  jti?: string;
  origin_jti?: string;
  event_id?: string;
  'cognito:groups'?: string[];
  [claim: string]: unknown;
}

/** Claims of a verified Cognito ID token. */
export interface IdTokenClaims extends CognitoClaimsBase {
  token_use: 'id';
  /** The app client id. */
  aud: string;
  /** The user's internal username (the `sub` for e-mail-as-username pools). */
  'cognito:username': string;
  email?: string;
  email_verified?: boolean;
  phone_number?: string;
  phone_number_verified?: boolean;
  at_hash?: string;
  nonce?: string;
}

/** Claims of a verified Cognito access token (no `aud`: `client_id` instead). */
export interface AccessTokenClaims extends CognitoClaimsBase {
  token_use: 'access';
  client_id: string;
  /** Space-separated scopes, e.g. `aws.cognito.signin.user.admin`. */
  scope?: string;
  /** Absent on machine-to-machine (client credentials) tokens. */
  username?: string;
  device_key?: string;
  version?: number;
}

/** The claims of either kind of token. */
export type CognitoClaims = IdTokenClaims | AccessTokenClaims;

/** Options of one {@link TokenVerifier.verify} call. */
export interface VerifyOptions {
  /** The access token issued with this ID token: its hash is checked against the ID token's `at_hash`. */
  accessToken?: string;
}

/** Tokens larger than this are refused unread. Cognito's are 1–2 KB; custom claims add some. */
export const MAX_TOKEN_LENGTH = 16 * 1024;

const B64URL = /^[A-Za-z0-9_-]+$/;
// Cognito sends { kid, alg }. Anything else — jku, x5u, jwk, x5c, crit, b64, zip… — is refused.
const ALLOWED_HEADER = new Set(['alg', 'kid', 'typ']);

function refuse(code: TokenErrorCode, reason: string, claim?: string, cause?: unknown): TokenVerificationError {
  const options: { claim?: string; cause?: unknown } = {};
  if (claim !== undefined) options.claim = claim;
  if (cause !== undefined) options.cause = cause;
  return new TokenVerificationError(code, reason, options);
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
  readonly #clientIds: ReadonlySet<string>;
  readonly #leeway: number;
  readonly #issuer: string;
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
    this.#clientIds = new Set(c.clientIds);
    this.#leeway = c.leewaySeconds;
    this.#issuer = c.issuer;
    this.#clock = c.clock;
  }

  /**
   * Verifies a token and returns its claims (deep-frozen).
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
  verify(token: string, tokenUse: 'id' | 'access', options?: VerifyOptions): Promise<CognitoClaims>;
  async verify(token: string, tokenUse: 'id' | 'access', options: VerifyOptions = {}): Promise<CognitoClaims> {
    return this.verifyNow(token, tokenUse, options);
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
  verifyNow(token: string, tokenUse: 'id' | 'access', options?: VerifyOptions): CognitoClaims | Promise<CognitoClaims>;
  verifyNow(token: string, tokenUse: 'id' | 'access', options: VerifyOptions = {}): CognitoClaims | Promise<CognitoClaims> {
    if (tokenUse !== 'id' && tokenUse !== 'access') throw new TypeError('"tokenUse" must be "id" or "access"');
    try {
      const nowMs = this.#clock();
      const cache = this.tokenCache;
      let key: string | undefined;
      if (cache !== undefined && typeof token === 'string' && token.length <= MAX_CACHED_TOKEN_LENGTH) {
        key = tokenCacheKey(token);
        const hit = cache.get(key, nowMs);
        if (hit !== undefined) {
          this.#checkHit(hit, tokenUse, Math.floor(nowMs / 1000), options);
          return hit.claims;
        }
      }
      const jws = checkStructure(token);
      const ready = this.jwksCache.readyKey(jws.kid);
      if (ready !== undefined) {
        return this.#checkSigned(token, jws, keyFor(ready), this.jwksCache.generation, key, nowMs, tokenUse, options);
      }
      return this.#verifyAfterKeyLookup(token, jws, key, nowMs, tokenUse, options);
    } catch (e) {
      this.#logRefusal(e, tokenUse);
      throw e;
    }
  }

  /** The rest of {@link verifyNow} when the signing key has to be fetched or imported first. */
  async #verifyAfterKeyLookup(
    token: string, jws: Jws, key: string | undefined, nowMs: number, tokenUse: 'id' | 'access', options: VerifyOptions,
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
    tokenUse: 'id' | 'access', options: VerifyOptions,
  ): CognitoClaims {
    if (!checkSignature(token, jws, signingKey)) throw refuse('ERR_COGNITO_TOKEN_SIGNATURE', 'the signature is invalid');
    const nowSec = Math.floor(nowMs / 1000);
    const payload = decodePayload(jws.payload);
    this.#checkRegisteredClaims(payload, nowSec);
    this.#checkClaims(payload, tokenUse, nowSec, options);
    const claims = deepFreeze(payload) as CognitoClaims;
    const cache = this.tokenCache;
    if (key !== undefined && cache !== undefined) {
      const entry: VerifiedToken<CognitoClaims> = {
        claims, kid: jws.kid, tokenUse, clientId: (tokenUse === 'access' ? payload.client_id : payload.aud) as string,
        exp: payload.exp as number, iat: payload.iat as number, nbf: payload.nbf as number | undefined,
      };
      cache.offer(key, entry, nowMs, this.#leeway, generation);
    }
    return claims;
  }

  #logRefusal(e: unknown, tokenUse: 'id' | 'access'): void {
    if (isCognitoError(e)) debug('%s token refused: %s (%s)', tokenUse, e.code, (e as TokenVerificationError).claim ?? '-');
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
  verifyCached(token: string, tokenUse: 'id' | 'access'): CognitoClaims | undefined {
    const cache = this.tokenCache;
    if (cache === undefined || typeof token !== 'string' || token.length > MAX_CACHED_TOKEN_LENGTH) return undefined;
    const nowMs = this.#clock();
    const hit = cache.get(tokenCacheKey(token), nowMs);
    if (hit === undefined || !this.#hitPasses(hit, tokenUse, Math.floor(nowMs / 1000))) return undefined;
    return hit.claims;
  }

  async #resolveKey(kid: string): Promise<KeyObject> {
    const found = await this.jwksCache.getKey(kid);
    if (found === undefined) throw refuse('ERR_COGNITO_TOKEN_KID_UNKNOWN', 'no signing key has this kid', 'kid');
    return keyFor(found);
  }

  /** {@link #checkHit} without the error objects (at_hash aside): for {@link verifyCached}. */
  #hitPasses(hit: VerifiedToken<CognitoClaims>, tokenUse: 'id' | 'access', nowSec: number): boolean {
    const leeway = this.#leeway;
    return (hit.nbf === undefined || hit.nbf <= nowSec + leeway) && hit.exp > nowSec - leeway && hit.iat <= nowSec + leeway &&
      hit.tokenUse === tokenUse && this.#clientIds.has(hit.clientId);
  }

  /** A cached token: what can change between two requests, in the order a full verification checks it. */
  #checkHit(hit: VerifiedToken<CognitoClaims>, tokenUse: 'id' | 'access', nowSec: number, options: VerifyOptions): void {
    const leeway = this.#leeway;
    if (hit.nbf !== undefined && hit.nbf > nowSec + leeway) throw refuse('ERR_COGNITO_TOKEN_NOT_YET_VALID', 'the token is not valid yet', 'nbf');
    if (hit.exp <= nowSec - leeway) throw refuse('ERR_COGNITO_TOKEN_EXPIRED', 'the token has expired', 'exp');
    if (hit.iat > nowSec + leeway) throw refuse('ERR_COGNITO_TOKEN_IAT', 'iat is in the future', 'iat');
    if (hit.tokenUse !== tokenUse) throw refuse('ERR_COGNITO_TOKEN_USE', `token_use must be "${tokenUse}"`, 'token_use');
    if (!this.#clientIds.has(hit.clientId)) {
      const claim = tokenUse === 'access' ? 'client_id' : 'aud';
      throw refuse('ERR_COGNITO_TOKEN_AUDIENCE', `${claim} is not an allowed app client`, claim);
    }
    if (tokenUse === 'id' && options.accessToken !== undefined) checkAtHash(hit.claims, options.accessToken);
  }

  /** What jose's `jwtVerify` checks of the claims set (issuer, presence, iat/nbf/exp types and times), same order. */
  #checkRegisteredClaims(p: Record<string, unknown>, nowSec: number): void {
    if (!('iss' in p)) throw refuse('ERR_COGNITO_TOKEN_ISSUER', 'iss is not this user pool', 'iss');
    for (const claim of REQUIRED_CLAIMS) {
      if (!(claim in p)) throw refuse('ERR_COGNITO_TOKEN_CLAIM', `${claim} is missing`, claim);
    }
    if (p.iss !== this.#issuer) throw refuse('ERR_COGNITO_TOKEN_ISSUER', 'iss is not this user pool', 'iss');
    if (p.iat !== undefined && typeof p.iat !== 'number') throw refuse('ERR_COGNITO_TOKEN_CLAIM', 'iat is invalid', 'iat');
    const leeway = this.#leeway;
    if (p.nbf !== undefined) {
      if (typeof p.nbf !== 'number') throw refuse('ERR_COGNITO_TOKEN_CLAIM', 'nbf is invalid', 'nbf');
      if (p.nbf > nowSec + leeway) throw refuse('ERR_COGNITO_TOKEN_NOT_YET_VALID', 'the token is not valid yet', 'nbf');
    }
    if (typeof p.exp !== 'number') throw refuse('ERR_COGNITO_TOKEN_CLAIM', 'exp is invalid', 'exp');
    if (p.exp <= nowSec - leeway) throw refuse('ERR_COGNITO_TOKEN_EXPIRED', 'the token has expired', 'exp');
  }

  #checkClaims(p: Record<string, unknown>, tokenUse: 'id' | 'access', nowSec: number, options: VerifyOptions): void {
    // #checkRegisteredClaims has checked iss, exp, nbf, and the presence of exp/iat/sub/token_use.
    if (typeof p.exp !== 'number') throw refuse('ERR_COGNITO_TOKEN_CLAIM', 'exp must be a number', 'exp');
    if (typeof p.iat !== 'number') throw refuse('ERR_COGNITO_TOKEN_CLAIM', 'iat must be a number', 'iat');
    if (p.iat > nowSec + this.#leeway) throw refuse('ERR_COGNITO_TOKEN_IAT', 'iat is in the future', 'iat');
    if (typeof p.sub !== 'string' || p.sub === '') throw refuse('ERR_COGNITO_TOKEN_CLAIM', 'sub must be a non-empty string', 'sub');
    if (typeof p.token_use !== 'string') throw refuse('ERR_COGNITO_TOKEN_CLAIM', 'token_use must be a string', 'token_use');
    if (p.token_use !== tokenUse) throw refuse('ERR_COGNITO_TOKEN_USE', `token_use must be "${tokenUse}"`, 'token_use');
    optionalType(p, 'auth_time', 'number');
    optionalType(p, 'jti', 'string');
    optionalType(p, 'origin_jti', 'string');
    const groups = p['cognito:groups'];
    if (groups !== undefined && !(Array.isArray(groups) && groups.every((g) => typeof g === 'string'))) {
      throw refuse('ERR_COGNITO_TOKEN_CLAIM', 'cognito:groups must be an array of strings', 'cognito:groups');
    }
    if (tokenUse === 'access') {
      if (typeof p.client_id !== 'string') throw refuse('ERR_COGNITO_TOKEN_CLAIM', 'client_id must be a string', 'client_id');
      if (!this.#clientIds.has(p.client_id)) throw refuse('ERR_COGNITO_TOKEN_AUDIENCE', 'client_id is not an allowed app client', 'client_id');
      optionalType(p, 'scope', 'string');
      optionalType(p, 'username', 'string');
      optionalType(p, 'device_key', 'string');
      return;
    }
    // Cognito's aud is one string; an array (several audiences) is not a Cognito ID token.
    if (typeof p.aud !== 'string') throw refuse('ERR_COGNITO_TOKEN_CLAIM', 'aud must be a string', 'aud');
    if (!this.#clientIds.has(p.aud)) throw refuse('ERR_COGNITO_TOKEN_AUDIENCE', 'aud is not an allowed app client', 'aud');
    if (typeof p['cognito:username'] !== 'string') {
      throw refuse('ERR_COGNITO_TOKEN_CLAIM', 'cognito:username must be a string', 'cognito:username');
    }
    if (options.accessToken !== undefined) checkAtHash(p, options.accessToken);
  }
}

/** The verification key of a JWKS entry, which must be an RS256 key. */
function keyFor(found: JwksKey): KeyObject {
  if (found.jwk.alg !== 'RS256') throw refuse('ERR_COGNITO_TOKEN_ALG', 'the signing key is not an RS256 key', 'alg');
  return found.key as KeyObject;
}

/** base64url of the left half of SHA-256 (OpenID Connect Core §3.1.3.6, for RS256). */
function atHash(accessToken: string): string {
  return createHash('sha256').update(accessToken).digest().subarray(0, 16).toString('base64url');
}

/** An ID token with an `at_hash` must match the access token given; without one there is nothing to compare. */
function checkAtHash(p: Readonly<Record<string, unknown>>, accessToken: unknown): void {
  if (p.at_hash === undefined) return;
  if (typeof p.at_hash !== 'string') throw refuse('ERR_COGNITO_TOKEN_CLAIM', 'at_hash must be a string', 'at_hash');
  if (typeof accessToken !== 'string' || p.at_hash !== atHash(accessToken)) {
    throw refuse('ERR_COGNITO_TOKEN_AT_HASH', 'at_hash does not match the access token', 'at_hash');
  }
}

function optionalType(p: Record<string, unknown>, claim: string, type: 'string' | 'number'): void {
  if (p[claim] !== undefined && typeof p[claim] !== type) throw refuse('ERR_COGNITO_TOKEN_CLAIM', `${claim} must be a ${type}`, claim);
}

// jose's requiredClaims order, reversed as jose checks them (after iss).
const REQUIRED_CLAIMS = ['token_use', 'sub', 'iat', 'exp'] as const;

/** The segments of a structurally valid token. */
interface Jws {
  readonly kid: string;
  /** Length of `<header>.<payload>`, the signing input. */
  readonly signedLength: number;
  readonly payload: string;
  readonly signature: string;
}

/** Size, shape and header checks: no key lookup, no crypto. */
function checkStructure(token: unknown): Jws {
  if (token === undefined || token === null || token === '') throw refuse('ERR_COGNITO_TOKEN_MISSING', 'no token');
  if (typeof token !== 'string') throw refuse('ERR_COGNITO_TOKEN_MALFORMED', 'the token is not a string');
  if (token.length > MAX_TOKEN_LENGTH) throw refuse('ERR_COGNITO_TOKEN_MALFORMED', 'the token is too large');
  const parts = token.split('.');
  if (parts.length !== 3 || !B64URL.test(parts[0] as string)) {
    throw refuse('ERR_COGNITO_TOKEN_MALFORMED', 'the token is not three base64url segments');
  }
  const [encodedHeader, payload, signature] = parts as [string, string, string];
  const kid = knownHeaders.get(encodedHeader) ?? checkHeader(encodedHeader);
  // After the header, so that an unsigned `alg: none` token is reported as such.
  if (!B64URL.test(payload) || !B64URL.test(signature)) {
    throw refuse('ERR_COGNITO_TOKEN_MALFORMED', 'the token is not three base64url segments');
  }
  if (!canonical(encodedHeader) || !canonical(payload) || !canonical(signature)) {
    throw refuse('ERR_COGNITO_TOKEN_MALFORMED', 'a segment is not canonical base64url');
  }
  return { kid, signedLength: encodedHeader.length + 1 + payload.length, payload, signature };
}

const B64URL_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * Whether a base64url segment is the one encoding of its bytes: the unused low bits of its last
 * character are zero (and no length leaves a lone character). Otherwise one signed token could be
 * spelt several ways, and anything keyed on the token string (the verified-token cache, revocation
 * by token) would see different tokens.
 */
function canonical(segment: string): boolean {
  const rest = segment.length % 4;
  if (rest === 0) return true;
  if (rest === 1) return false;
  const value = B64URL_ALPHABET.indexOf(segment[segment.length - 1] as string);
  return (value & (rest === 2 ? 0x0f : 0x03)) === 0;
}

// A pool signs with one or two keys, so its tokens carry one or two distinct header segments: the
// ones that passed checkHeader are remembered (a handful at most) to skip decoding them again.
const knownHeaders = new Map<string, string>();
const MAX_KNOWN_HEADERS = 64;

/** The header: a JSON object with `alg: RS256`, a `kid`, and nothing but `alg`/`kid`/`typ`. Returns the kid. */
function checkHeader(encodedHeader: string): string {
  const h = decodeJsonObject(encodedHeader, 'the header');
  if (h.alg !== 'RS256') throw refuse('ERR_COGNITO_TOKEN_ALG', 'alg must be RS256', 'alg');
  for (const name of Object.keys(h)) {
    if (!ALLOWED_HEADER.has(name)) throw refuse('ERR_COGNITO_TOKEN_HEADER', 'the header has a parameter Cognito never sends', name);
  }
  if (typeof h.kid !== 'string' || h.kid === '' || h.kid.length > 256) throw refuse('ERR_COGNITO_TOKEN_HEADER', 'kid is missing or invalid', 'kid');
  if (h.typ !== undefined && typeof h.typ !== 'string') throw refuse('ERR_COGNITO_TOKEN_HEADER', 'typ must be a string', 'typ');
  if (knownHeaders.size >= MAX_KNOWN_HEADERS) knownHeaders.clear();
  knownHeaders.set(encodedHeader, h.kid);
  return h.kid;
}

/**
 * RS256: RSASSA-PKCS1-v1_5 with SHA-256, synchronous. An RSA-2048 verify is ~20 µs of CPU on the
 * event loop; the callback form (libuv's thread pool, as jose does) measured the same throughput here
 * for ~20 µs more CPU per token in thread hand-offs, and would let a flood of forged tokens queue
 * behind the pool's four threads with DNS and file-system work. False when the key or signature is
 * unusable: no way to trust the token then.
 */
function checkSignature(token: string, jws: Jws, key: KeyObject): boolean {
  try {
    // The token is ASCII (checked above), so latin1 is a byte-exact, fast encoding of the signing input.
    return cryptoVerify('sha256', Buffer.from(token.slice(0, jws.signedLength), 'latin1'), key, Buffer.from(jws.signature, 'base64url'));
  } catch (e) {
    debug('signature check failed: %s', (e as Error).message);
    return false;
  }
}

/** The claims set: a JSON object (a signed array or non-JSON is malformed, as jose says). */
function decodePayload(encoded: string): Record<string, unknown> {
  return decodeJsonObject(encoded, 'the claims set');
}

/** A base64url segment holding a JSON object; anything else (not JSON, an array, a string…) is malformed. */
function decodeJsonObject(segment: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
  } catch {
    value = undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw refuse('ERR_COGNITO_TOKEN_MALFORMED', `${what} is not a JSON object`);
  }
  return value as Record<string, unknown>;
}

/** Freezes parsed JSON all the way down (cached claims are shared by every request that presents the token). */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) if (typeof v === 'object' && v !== null) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
