/**
 * Token minting and checking: RS256 ID and access tokens with Cognito's claims, opaque refresh
 * tokens kept server-side, and the access-token check behind GetUser, GlobalSignOut and friends.
 * All times come from the emulator clock.
 */
import { createHash } from 'node:crypto';
import type { EmulatorContext } from './context';
import { WireError, notAuthorized } from './errors';
import { newUuid, randomToken } from './ids';
import { decodeJwt, jwtSignatureValid, signJwt } from './jwt';
import { runPreTokenGeneration, type TokenSource } from './pre-token';
import { activeKey } from './signing-keys';
import type { ClientRecord, PoolRecord, RefreshRecord, UserRecord } from './store';
import { userKey } from './user-directory';

/** `AuthenticationResult` as Cognito returns it. */
export interface AuthenticationResult {
  AccessToken: string;
  ExpiresIn: number;
  TokenType: 'Bearer';
  /** Absent only for an OAuth sign-in without the `openid` scope. */
  IdToken?: string;
  RefreshToken?: string;
}

/** How tokens are being issued. */
export interface IssueOptions {
  /** The sign-in the tokens belong to; a new one when absent. */
  originJti?: string;
  /** Seconds since the epoch of the original authentication; now when absent. */
  authTime?: number;
  /** Whether to create a refresh token (sign-in) or not (refresh). */
  withRefreshToken: boolean;
  deviceKey?: string;
  /**
   * A sign-in through the OAuth endpoints: the granted scopes replace
   * `aws.cognito.signin.user.admin` in the access token (and stay with the refresh token), the ID
   * token gets `at_hash` and the `nonce` of the authorization request, and is only issued with
   * `openid`.
   */
  oauth?: { scopes: readonly string[]; nonce?: string };
  /**
   * The PreTokenGeneration trigger: its source (default `TokenGeneration_HostedAuth` with `oauth`,
   * else `TokenGeneration_Authentication`; refreshes say `TokenGeneration_RefreshTokens`) and the
   * call's ClientMetadata; `false` skips it (tokens nobody will see).
   */
  trigger?: { source?: TokenSource; clientMetadata?: Record<string, string> } | false;
}

/** The scope Cognito puts in access tokens for user-pool API access. */
export const USER_ADMIN_SCOPE = 'aws.cognito.signin.user.admin';

// Looks like Cognito's: a JWE compact serialisation (RSA-OAEP + A256GCM), content random.
const REFRESH_HEADER = Buffer.from(JSON.stringify({ cty: 'JWT', enc: 'A256GCM', alg: 'RSA-OAEP' })).toString('base64url');

function newRefreshToken(): string {
  return [REFRESH_HEADER, randomToken(256), randomToken(12), randomToken(1024), randomToken(16)].join('.');
}

function parseIdentities(value: string): unknown {
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}

function idTokenAttributes(user: UserRecord): Record<string, unknown> {
  const claims: Record<string, unknown> = {};
  for (const [name, value] of user.attributes) {
    if (name === 'sub') continue;
    // A federated user's `identities` is a JSON array in the attribute and an array in the token.
    claims[name] = name.endsWith('_verified') ? value === 'true' : name === 'identities' ? parseIdentities(value) : value;
  }
  return claims;
}

function defaultSource(options: IssueOptions): TokenSource {
  return options.oauth ? 'TokenGeneration_HostedAuth' : 'TokenGeneration_Authentication';
}

/**
 * Signs a fresh ID and access token for `user` signing in through `client` (after the pool's
 * PreTokenGeneration trigger had its say), and with `withRefreshToken` stores and returns a refresh
 * token bound to user, client and sign-in.
 *
 * @throws WireError from the PreTokenGeneration trigger (then nothing is stored).
 */
export async function issueTokens(
  ctx: EmulatorContext,
  pool: PoolRecord,
  client: ClientRecord,
  user: UserRecord,
  options: IssueOptions,
): Promise<AuthenticationResult> {
  const now = ctx.clock.now();
  const iat = Math.floor(now / 1000);
  const originJti = options.originJti ?? newUuid();
  const authTime = options.authTime ?? iat;
  const eventId = newUuid();
  const key = activeKey(pool.keyRing);
  const groups = [...user.groups];
  const groupClaim = groups.length > 0 ? { 'cognito:groups': groups } : {};
  const iss = ctx.issuer(pool.id);

  const idClaims: Record<string, unknown> = {
    sub: user.sub,
    ...groupClaim,
    ...idTokenAttributes(user),
    iss,
    'cognito:username': user.username,
    origin_jti: originJti,
    aud: client.clientId,
    event_id: eventId,
    token_use: 'id',
    auth_time: authTime,
    exp: iat + client.idTtlSeconds,
    iat,
    jti: newUuid(),
  };
  const oauth = options.oauth;
  const accessClaims: Record<string, unknown> = {
    sub: user.sub,
    ...groupClaim,
    ...(options.deviceKey ? { device_key: options.deviceKey } : {}),
    iss,
    client_id: client.clientId,
    origin_jti: originJti,
    event_id: eventId,
    token_use: 'access',
    scope: oauth ? oauth.scopes.join(' ') : USER_ADMIN_SCOPE,
    auth_time: authTime,
    exp: iat + client.accessTtlSeconds,
    iat,
    jti: newUuid(),
    username: user.username,
  };

  if (options.trigger !== false) {
    const draft = { id: idClaims, access: accessClaims, scopes: oauth ? [...oauth.scopes] : [USER_ADMIN_SCOPE] };
    await runPreTokenGeneration(ctx, pool, client, user, draft, {
      source: options.trigger?.source ?? defaultSource(options),
      ...(options.trigger?.clientMetadata !== undefined ? { clientMetadata: options.trigger.clientMetadata } : {}),
    });
  }
  const accessToken = signJwt(accessClaims, key.kid, key.privateKey);
  const withIdToken = !oauth || oauth.scopes.includes('openid');
  const oauthIdClaims = oauth ? { at_hash: atHash(accessToken), ...(oauth.nonce !== undefined ? { nonce: oauth.nonce } : {}) } : {};
  const result: AuthenticationResult = {
    AccessToken: accessToken,
    ExpiresIn: client.accessTtlSeconds,
    TokenType: 'Bearer',
    ...(withIdToken ? { IdToken: signJwt({ ...oauthIdClaims, ...idClaims }, key.kid, key.privateKey) } : {}),
  };
  if (options.withRefreshToken) {
    const record: RefreshRecord = {
      token: newRefreshToken(),
      poolId: pool.id,
      clientId: client.clientId,
      username: user.username,
      originJti,
      authTime,
      expiresAt: now + client.refreshTtlSeconds * 1000,
      revoked: false,
      ...(options.deviceKey ? { deviceKey: options.deviceKey } : {}),
      ...(oauth ? { scopes: [...oauth.scopes] } : {}),
    };
    ctx.store.refreshTokens.set(record.token, record);
    result.RefreshToken = record.token;
  }
  return result;
}

/** OpenID Connect's `at_hash`: the left half of the access token's SHA-256, base64url. */
export function atHash(accessToken: string): string {
  return createHash('sha256').update(accessToken, 'ascii').digest().subarray(0, 16).toString('base64url');
}

/** A checked access token: its pool, user and claims. */
export interface AuthenticatedAccess {
  pool: PoolRecord;
  user: UserRecord;
  claims: Record<string, unknown>;
}

/**
 * Checks an access token the way Cognito's user APIs do: signature by one of the pool's published
 * keys, `token_use`, expiry by the emulator clock, revocation, and that the user still exists and
 * is enabled.
 *
 * @throws WireError NotAuthorizedException "Invalid Access Token" / "Access Token has
 *   expired" / "Access Token has been revoked" / "User is disabled.", UserNotFoundException.
 */
export function authenticateAccessToken(ctx: EmulatorContext, token: string): AuthenticatedAccess {
  const invalid = notAuthorized('Invalid Access Token');
  const jwt = decodeJwt(token);
  if (!jwt) throw invalid;
  const claims = jwt.payload;
  const iss = typeof claims.iss === 'string' ? claims.iss : '';
  const pool = ctx.store.pools.get(iss.slice(iss.lastIndexOf('/') + 1));
  if (!pool || ctx.issuer(pool.id) !== iss) throw invalid;
  const key = pool.keyRing.keys.find((k) => k.kid === jwt.header.kid);
  if (!key || !jwtSignatureValid(jwt, key.publicKey)) throw invalid;
  if (claims.token_use !== 'access' || typeof claims.username !== 'string' || typeof claims.exp !== 'number') throw invalid;
  if (claims.exp * 1000 <= ctx.clock.now()) throw notAuthorized('Access Token has expired');
  if (typeof claims.origin_jti === 'string' && ctx.store.revokedOrigins.has(claims.origin_jti)) {
    throw notAuthorized('Access Token has been revoked');
  }
  const user = pool.users.get(userKey(pool, claims.username));
  if (!user || user.sub !== claims.sub) throw new WireError('UserNotFoundException', 'User does not exist.');
  if (!user.enabled) throw notAuthorized('User is disabled.');
  return { pool, user, claims };
}

/**
 * The access token of a user operation (GetUser, ChangePassword, GlobalSignOut, the MFA, device,
 * attribute and passkey calls): as {@link authenticateAccessToken}, and with the
 * `aws.cognito.signin.user.admin` scope, which Cognito requires of each (tokens from InitiateAuth
 * always carry it; a hosted-UI token has it only when it was asked for).
 *
 * @throws WireError NotAuthorizedException "Access Token does not have required scopes", and those of
 *   {@link authenticateAccessToken}.
 */
export function authenticateUserAccess(ctx: EmulatorContext, token: string): AuthenticatedAccess {
  const access = authenticateAccessToken(ctx, token);
  const scopes = typeof access.claims.scope === 'string' ? access.claims.scope.split(' ') : [];
  if (!scopes.includes(USER_ADMIN_SCOPE)) throw notAuthorized('Access Token does not have required scopes');
  return access;
}

/** Marks every sign-in of a user as revoked (GlobalSignOut, AdminUserGlobalSignOut). */
export function revokeAllSignIns(ctx: EmulatorContext, poolId: string, username: string): void {
  for (const record of ctx.store.refreshTokens.values()) {
    if (record.poolId !== poolId || record.username !== username) continue;
    record.revoked = true;
    ctx.store.revokedOrigins.add(record.originJti);
  }
}
