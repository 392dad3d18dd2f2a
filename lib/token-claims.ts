/**
 * The claims half of token verification, pure: what a Cognito ID or access token's claims set must
 * be, in two parts.
 *
 * - {@link checkClaimsShape}: what never changes for a token — the issuer, the claims present and
 *   their types (what jose's `jwtVerify` checks of registered claims, and Cognito's own). Run once,
 *   after the signature; its {@link TokenFacts} are what a cache entry keeps.
 * - {@link claimsRefusalNow} / {@link checkClaimsNow}: what depends on the request — `nbf`/`exp`/`iat`
 *   against the clock with the leeway, the `token_use` asked for, the allowed app clients, the ID
 *   token's `at_hash` against the access token at hand. The one check for a freshly verified token
 *   and a cached one alike.
 */
import { createHash } from 'node:crypto';
import type { TokenErrorCode } from './errors';
import { refuse } from './jws';

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
  /**
   * Absent on machine-to-machine (client credentials) tokens, whose `sub` is then the app client's id
   * (`client_id`): an access token without `username` whose `sub` is anything else is refused.
   */
  username?: string;
  device_key?: string;
  version?: number;
}

/** The claims of either kind of token. */
export type CognitoClaims = IdTokenClaims | AccessTokenClaims;

/** What a pool's tokens are checked against. */
export interface ClaimRules {
  /** `https://cognito-idp.<region>.amazonaws.com/<poolId>` (or the endpoint's), exactly. */
  readonly issuer: string;
  /** The app clients whose tokens are accepted. */
  readonly clientIds: ReadonlySet<string>;
  /** Clock skew allowed on `exp`/`nbf`/`iat`, in seconds. */
  readonly leewaySeconds: number;
}

/** What the per-request check reads of a token whose shape passed: kept in a cache entry. */
export interface TokenFacts {
  /** The token's own `token_use` (checked against the one asked for on each request). */
  readonly tokenUse: string;
  /** `aud` of an ID token, `client_id` of an access token; `''` for any other `token_use`. */
  readonly clientId: string;
  /** Seconds since the epoch. */
  readonly exp: number;
  readonly iat: number;
  readonly nbf: number | undefined;
}

/** A refusal described, not thrown: what {@link claimsRefusalNow} returns. */
export interface ClaimsRefusal {
  readonly code: TokenErrorCode;
  readonly reason: string;
  readonly claim: string;
}

// jose's requiredClaims, in the order jose checks them (after iss).
const REQUIRED_CLAIMS = ['token_use', 'sub', 'iat', 'exp'] as const;

/**
 * The claims that never change for a token: issuer, presence and types. The `token_use`-specific
 * claims are those of the token's own `token_use` (an ID token offered as an access token is then
 * refused as such by {@link checkClaimsNow}, not for lacking `client_id`).
 *
 * @throws TokenVerificationError `ERR_COGNITO_TOKEN_ISSUER` or `ERR_COGNITO_TOKEN_CLAIM`.
 * @example
 * const facts = checkClaimsShape(decodeClaimsSet(jws.payload), rules);
 */
export function checkClaimsShape(p: Record<string, unknown>, rules: ClaimRules): TokenFacts {
  if (!('iss' in p)) throw refuse('ERR_COGNITO_TOKEN_ISSUER', 'iss is not this user pool', 'iss');
  for (const claim of REQUIRED_CLAIMS) {
    if (!(claim in p)) throw refuse('ERR_COGNITO_TOKEN_CLAIM', `${claim} is missing`, claim);
  }
  if (p.iss !== rules.issuer) throw refuse('ERR_COGNITO_TOKEN_ISSUER', 'iss is not this user pool', 'iss');
  if (typeof p.exp !== 'number') throw refuse('ERR_COGNITO_TOKEN_CLAIM', 'exp must be a number', 'exp');
  if (typeof p.iat !== 'number') throw refuse('ERR_COGNITO_TOKEN_CLAIM', 'iat must be a number', 'iat');
  optionalType(p, 'nbf', 'number');
  if (typeof p.sub !== 'string' || p.sub === '') throw refuse('ERR_COGNITO_TOKEN_CLAIM', 'sub must be a non-empty string', 'sub');
  if (typeof p.token_use !== 'string') throw refuse('ERR_COGNITO_TOKEN_CLAIM', 'token_use must be a string', 'token_use');
  optionalType(p, 'auth_time', 'number');
  optionalType(p, 'jti', 'string');
  optionalType(p, 'origin_jti', 'string');
  const groups = p['cognito:groups'];
  if (groups !== undefined && !(Array.isArray(groups) && groups.every((g) => typeof g === 'string'))) {
    throw refuse('ERR_COGNITO_TOKEN_CLAIM', 'cognito:groups must be an array of strings', 'cognito:groups');
  }
  let clientId = '';
  if (p.token_use === 'access') {
    if (typeof p.client_id !== 'string') throw refuse('ERR_COGNITO_TOKEN_CLAIM', 'client_id must be a string', 'client_id');
    optionalType(p, 'scope', 'string');
    optionalType(p, 'username', 'string');
    // No username: a client-credentials (machine-to-machine) token, whose subject is the app client.
    if (p.username === undefined && p.sub !== p.client_id) {
      throw refuse('ERR_COGNITO_TOKEN_CLAIM', 'an access token without username must have sub equal to client_id', 'username');
    }
    optionalType(p, 'device_key', 'string');
    clientId = p.client_id;
  } else if (p.token_use === 'id') {
    // Cognito's aud is one string; an array (several audiences) is not a Cognito ID token.
    if (typeof p.aud !== 'string') throw refuse('ERR_COGNITO_TOKEN_CLAIM', 'aud must be a string', 'aud');
    if (typeof p['cognito:username'] !== 'string') {
      throw refuse('ERR_COGNITO_TOKEN_CLAIM', 'cognito:username must be a string', 'cognito:username');
    }
    optionalType(p, 'at_hash', 'string');
    clientId = p.aud;
  }
  return { tokenUse: p.token_use, clientId, exp: p.exp, iat: p.iat, nbf: p.nbf as number | undefined };
}

const NOT_YET_VALID: ClaimsRefusal = { code: 'ERR_COGNITO_TOKEN_NOT_YET_VALID', reason: 'the token is not valid yet', claim: 'nbf' };
const EXPIRED: ClaimsRefusal = { code: 'ERR_COGNITO_TOKEN_EXPIRED', reason: 'the token has expired', claim: 'exp' };
const IAT_FUTURE: ClaimsRefusal = { code: 'ERR_COGNITO_TOKEN_IAT', reason: 'iat is in the future', claim: 'iat' };
const WRONG_USE = {
  id: { code: 'ERR_COGNITO_TOKEN_USE', reason: 'token_use must be "id"', claim: 'token_use' },
  access: { code: 'ERR_COGNITO_TOKEN_USE', reason: 'token_use must be "access"', claim: 'token_use' },
} as const satisfies Record<'id' | 'access', ClaimsRefusal>;
const WRONG_CLIENT = {
  id: { code: 'ERR_COGNITO_TOKEN_AUDIENCE', reason: 'aud is not an allowed app client', claim: 'aud' },
  access: { code: 'ERR_COGNITO_TOKEN_AUDIENCE', reason: 'client_id is not an allowed app client', claim: 'client_id' },
} as const satisfies Record<'id' | 'access', ClaimsRefusal>;

/**
 * The per-request check without an error object: `undefined` when the token passes (`at_hash`
 * aside), else what is wrong — `nbf`, `exp`, `iat` (with the leeway), `token_use`, the app client,
 * in that order.
 *
 * @example
 * if (claimsRefusalNow(entry, rules, 'access', nowSec) === undefined) return entry.claims;
 */
export function claimsRefusalNow(
  facts: TokenFacts, rules: ClaimRules, tokenUse: 'id' | 'access', nowSec: number,
): ClaimsRefusal | undefined {
  const leeway = rules.leewaySeconds;
  if (facts.nbf !== undefined && facts.nbf > nowSec + leeway) return NOT_YET_VALID;
  if (facts.exp <= nowSec - leeway) return EXPIRED;
  if (facts.iat > nowSec + leeway) return IAT_FUTURE;
  if (facts.tokenUse !== tokenUse) return WRONG_USE[tokenUse];
  if (!rules.clientIds.has(facts.clientId)) return WRONG_CLIENT[tokenUse];
  return undefined;
}

/**
 * The per-request check, throwing: {@link claimsRefusalNow}, then an ID token's `at_hash` against
 * `accessToken` when one is given.
 *
 * @throws TokenVerificationError with the refusal's code and claim.
 * @example
 * checkClaimsNow(facts, claims, rules, 'id', Math.floor(Date.now() / 1000), accessToken);
 */
export function checkClaimsNow(
  facts: TokenFacts, claims: Readonly<Record<string, unknown>>, rules: ClaimRules, tokenUse: 'id' | 'access', nowSec: number,
  accessToken?: string,
): void {
  const refusal = claimsRefusalNow(facts, rules, tokenUse, nowSec);
  if (refusal !== undefined) throw refuse(refusal.code, refusal.reason, refusal.claim);
  if (tokenUse === 'id' && accessToken !== undefined) checkAtHash(claims, accessToken);
}

/**
 * base64url of the left half of SHA-256 (OpenID Connect Core §3.1.3.6, for RS256).
 *
 * @example
 * atHash(accessToken) === idClaims.at_hash
 */
export function atHash(accessToken: string): string {
  return createHash('sha256').update(accessToken).digest().subarray(0, 16).toString('base64url');
}

/** An ID token with an `at_hash` must match the access token given; without one there is nothing to compare. */
function checkAtHash(p: Readonly<Record<string, unknown>>, accessToken: unknown): void {
  if (p.at_hash === undefined) return;
  if (typeof accessToken !== 'string' || p.at_hash !== atHash(accessToken)) {
    throw refuse('ERR_COGNITO_TOKEN_AT_HASH', 'at_hash does not match the access token', 'at_hash');
  }
}

function optionalType(p: Record<string, unknown>, claim: string, type: 'string' | 'number'): void {
  if (p[claim] !== undefined && typeof p[claim] !== type) throw refuse('ERR_COGNITO_TOKEN_CLAIM', `${claim} must be a ${type}`, claim);
}
