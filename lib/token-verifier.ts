/**
 * Verifies Cognito ID and access tokens: RS256 only, keys from the pool's JWKS (shared
 * {@link JwksCache}), exact issuer, `token_use`, the app client (`aud` on ID tokens, `client_id` on
 * access tokens — access tokens have no `aud`), `exp`/`nbf`/`iat` with a clock-skew leeway, and the ID
 * token's `at_hash` when the access token is at hand.
 *
 * Cheap structural checks (size, three base64url segments, a JSON header with only `alg`/`kid`/`typ`)
 * run before any key lookup or crypto, so junk costs next to nothing and never triggers a JWKS fetch.
 * Every refusal is a {@link TokenVerificationError} with its `code` and `claim`; a
 * {@link JwksUnavailableError} (no keys to be had) propagates as is, for a 503.
 */
import { createHash } from 'node:crypto';
import createDebug from 'debug';
import { jwtVerify, type JWTHeaderParameters, type JWTVerifyOptions, type KeyLike } from 'jose';
import { resolveConfig, type CognitoOptions, type ResolvedConfig } from './config';
import { isCognitoError, TokenVerificationError, type TokenErrorCode } from './errors';
import { getJwksCache, type JwksCache } from './jwks-cache';

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

/**
 * Verifies Cognito tokens for one user pool and its allowed app clients. Construct once (no I/O
 * here) and reuse: keys are fetched on first use and shared process-wide per JWKS URI.
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
  readonly #clientIds: ReadonlySet<string>;
  readonly #leeway: number;
  readonly #baseOptions: JWTVerifyOptions;
  readonly #resolveKey: (header: JWTHeaderParameters) => Promise<KeyLike>;

  /**
   * @param options `CognitoOptions` (resolved here, env fallbacks included) or a `ResolvedConfig`.
   * @param deps `jwksCache` to use instead of the shared one for the config's JWKS URI.
   */
  constructor(options: CognitoOptions | ResolvedConfig, deps: { jwksCache?: JwksCache } = {}) {
    this.config = resolveConfig(options);
    const c = this.config;
    this.jwksCache = deps.jwksCache ?? getJwksCache(c.jwksUri, {
      ...(c.jwks === undefined ? {} : { jwks: c.jwks }), clock: c.clock, cooldownMs: c.jwksCooldownMs, timeoutMs: c.jwksTimeoutMs,
    });
    this.#clientIds = new Set(c.clientIds);
    this.#leeway = c.leewaySeconds;
    this.#baseOptions = Object.freeze({
      algorithms: ['RS256'], issuer: c.issuer, clockTolerance: c.leewaySeconds, requiredClaims: ['exp', 'iat', 'sub', 'token_use'],
    });
    const cache = this.jwksCache;
    this.#resolveKey = async (header) => {
      const found = await cache.getKey(header.kid as string);
      if (found === undefined) throw refuse('ERR_COGNITO_TOKEN_KID_UNKNOWN', 'no signing key has this kid', 'kid');
      if (found.jwk.alg !== 'RS256') throw refuse('ERR_COGNITO_TOKEN_ALG', 'the signing key is not an RS256 key', 'alg');
      return found.key;
    };
  }

  /**
   * Verifies a token and returns its claims.
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
    if (tokenUse !== 'id' && tokenUse !== 'access') throw new TypeError('"tokenUse" must be "id" or "access"');
    try {
      checkStructure(token);
      const nowMs = this.config.clock();
      let payload: Record<string, unknown>;
      try {
        ({ payload } = await jwtVerify(token, this.#resolveKey, { ...this.#baseOptions, currentDate: new Date(nowMs) }));
      } catch (e) {
        throw mapJoseError(e);
      }
      this.#checkClaims(payload, tokenUse, Math.floor(nowMs / 1000), options);
      return payload as CognitoClaims;
    } catch (e) {
      if (isCognitoError(e)) debug('%s token refused: %s (%s)', tokenUse, e.code, (e as TokenVerificationError).claim ?? '-');
      throw e;
    }
  }

  #checkClaims(p: Record<string, unknown>, tokenUse: 'id' | 'access', nowSec: number, options: VerifyOptions): void {
    // jose has checked iss, exp, nbf, and the presence of exp/iat/sub/token_use; types are checked here.
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
    if (p.at_hash !== undefined && options.accessToken !== undefined) {
      if (typeof p.at_hash !== 'string') throw refuse('ERR_COGNITO_TOKEN_CLAIM', 'at_hash must be a string', 'at_hash');
      if (typeof options.accessToken !== 'string' || p.at_hash !== atHash(options.accessToken)) {
        throw refuse('ERR_COGNITO_TOKEN_AT_HASH', 'at_hash does not match the access token', 'at_hash');
      }
    }
  }
}

/** base64url of the left half of SHA-256 (OpenID Connect Core §3.1.3.6, for RS256). */
function atHash(accessToken: string): string {
  return createHash('sha256').update(accessToken).digest().subarray(0, 16).toString('base64url');
}

function optionalType(p: Record<string, unknown>, claim: string, type: 'string' | 'number'): void {
  if (p[claim] !== undefined && typeof p[claim] !== type) throw refuse('ERR_COGNITO_TOKEN_CLAIM', `${claim} must be a ${type}`, claim);
}

/** Size, shape and header checks: no key lookup, no crypto. */
function checkStructure(token: unknown): void {
  if (token === undefined || token === null || token === '') throw refuse('ERR_COGNITO_TOKEN_MISSING', 'no token');
  if (typeof token !== 'string') throw refuse('ERR_COGNITO_TOKEN_MALFORMED', 'the token is not a string');
  if (token.length > MAX_TOKEN_LENGTH) throw refuse('ERR_COGNITO_TOKEN_MALFORMED', 'the token is too large');
  const parts = token.split('.');
  if (parts.length !== 3 || !B64URL.test(parts[0] as string)) {
    throw refuse('ERR_COGNITO_TOKEN_MALFORMED', 'the token is not three base64url segments');
  }
  let header: unknown;
  try {
    header = JSON.parse(Buffer.from(parts[0] as string, 'base64url').toString('utf8'));
  } catch {
    header = undefined;
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    throw refuse('ERR_COGNITO_TOKEN_MALFORMED', 'the header is not a JSON object');
  }
  const h = header as Record<string, unknown>;
  if (h.alg !== 'RS256') throw refuse('ERR_COGNITO_TOKEN_ALG', 'alg must be RS256', 'alg');
  for (const name of Object.keys(h)) {
    if (!ALLOWED_HEADER.has(name)) throw refuse('ERR_COGNITO_TOKEN_HEADER', 'the header has a parameter Cognito never sends', name);
  }
  if (typeof h.kid !== 'string' || h.kid === '' || h.kid.length > 256) throw refuse('ERR_COGNITO_TOKEN_HEADER', 'kid is missing or invalid', 'kid');
  if (h.typ !== undefined && typeof h.typ !== 'string') throw refuse('ERR_COGNITO_TOKEN_HEADER', 'typ must be a string', 'typ');
  // After the header, so that an unsigned `alg: none` token is reported as such.
  if (!B64URL.test(parts[1] as string) || !B64URL.test(parts[2] as string)) {
    throw refuse('ERR_COGNITO_TOKEN_MALFORMED', 'the token is not three base64url segments');
  }
}

/** jose's errors → ours. CognitoErrors (from the key resolver) pass through. */
function mapJoseError(e: unknown): Error {
  if (isCognitoError(e)) return e;
  const { code, claim, reason } = (typeof e === 'object' && e !== null ? e : {}) as { code?: unknown; claim?: unknown; reason?: unknown };
  switch (code) {
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return refuse('ERR_COGNITO_TOKEN_SIGNATURE', 'the signature is invalid', undefined, e);
    case 'ERR_JWT_EXPIRED':
      return refuse('ERR_COGNITO_TOKEN_EXPIRED', 'the token has expired', 'exp');
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
      return refuse('ERR_COGNITO_TOKEN_ALG', 'alg must be RS256', 'alg', e);
    case 'ERR_JOSE_NOT_SUPPORTED':
      return refuse('ERR_COGNITO_TOKEN_HEADER', 'the header asks for an unsupported feature', undefined, e);
    case 'ERR_JWS_INVALID':
    case 'ERR_JWT_INVALID':
      return refuse('ERR_COGNITO_TOKEN_MALFORMED', 'the token is malformed', undefined, e);
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED': {
      // No cause here: jose's claim errors carry the whole payload (e-mail, names…), not for logs.
      const name = typeof claim === 'string' ? claim : undefined;
      if (name === 'iss') return refuse('ERR_COGNITO_TOKEN_ISSUER', 'iss is not this user pool', 'iss');
      if (name === 'nbf' && reason === 'check_failed') return refuse('ERR_COGNITO_TOKEN_NOT_YET_VALID', 'the token is not valid yet', 'nbf');
      if (name === 'iat' && reason === 'check_failed') return refuse('ERR_COGNITO_TOKEN_IAT', 'iat is in the future', 'iat');
      return refuse('ERR_COGNITO_TOKEN_CLAIM', reason === 'missing' ? `${name ?? 'a claim'} is missing` : `${name ?? 'a claim'} is invalid`, name);
    }
    default:
      // Anything else from jose (e.g. a key it will not use) is a token we cannot trust.
      return refuse('ERR_COGNITO_TOKEN_SIGNATURE', 'the signature could not be verified', undefined, e);
  }
}
