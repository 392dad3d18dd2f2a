/**
 * `/oauth2/token` (authorization_code with PKCE, refresh_token with rotation, client_credentials;
 * client_secret_basic and client_secret_post), `/oauth2/userInfo` and `/oauth2/revoke`, with
 * RFC 6749 / 7009 / 6750 answers and Cognito's choices (unknown scopes dropped silently, boolean
 * attributes as strings in userInfo, revocation ending the whole sign-in).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EmulatorContext } from '../context';
import { WireError } from '../errors';
import { newUuid } from '../ids';
import { activeKey } from '../signing-keys';
import { signJwt } from '../jwt';
import { markRotatedOut, rotatedOutAndExpired, rotatesRefreshTokens } from '../operations/refresh-rotation';
import { runPreTokenGeneration } from '../pre-token';
import type { ClientRecord, PoolRecord } from '../store';
import { authenticateAccessToken, issueTokens, type AuthenticationResult } from '../tokens';
import { findUser } from '../user-directory';
import { readForm, oauthError, sendJson } from './http';
import type { HostedSite } from './sso';

type ClientAuth = { client: ClientRecord; method: 'basic' | 'post' | 'none' } | { error: string; status: number; basic: boolean };

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

// client_secret_basic (RFC 6749 §2.3.1: form-encoded id and secret in Basic), client_secret_post,
// or a public client naming itself. A client with a secret must prove it.
function authenticateClient(pool: PoolRecord, req: IncomingMessage, form: URLSearchParams): ClientAuth {
  const header = req.headers.authorization;
  let id = form.get('client_id') ?? undefined;
  let secret = form.get('client_secret') ?? undefined;
  let method: 'basic' | 'post' | 'none' = secret === undefined ? 'none' : 'post';
  if (header !== undefined) {
    const match = /^Basic ([A-Za-z0-9+/=]+)$/i.exec(header);
    const decoded = match ? Buffer.from(match[1], 'base64').toString('utf8') : '';
    const colon = decoded.indexOf(':');
    if (colon < 0 || secret !== undefined) return { error: 'invalid_client', status: 401, basic: true };
    const basicId = decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, ' '));
    if (id !== undefined && id !== basicId) return { error: 'invalid_client', status: 401, basic: true };
    id = basicId;
    secret = decodeURIComponent(decoded.slice(colon + 1).replace(/\+/g, ' '));
    method = 'basic';
  }
  const client = id === undefined ? undefined : pool.clients.get(id);
  if (client === undefined) return { error: 'invalid_client', status: method === 'basic' ? 401 : 400, basic: method === 'basic' };
  if (client.clientSecret !== undefined && (secret === undefined || !safeEqual(secret, client.clientSecret))) {
    return { error: 'invalid_client', status: method === 'basic' ? 401 : 400, basic: method === 'basic' };
  }
  if (client.clientSecret === undefined && secret !== undefined) return { error: 'invalid_client', status: 400, basic: method === 'basic' };
  return { client, method };
}

function tokenBody(result: AuthenticationResult, refreshToken?: string): object {
  return {
    ...(result.IdToken !== undefined ? { id_token: result.IdToken } : {}),
    access_token: result.AccessToken,
    ...(refreshToken !== undefined ? { refresh_token: refreshToken } : {}),
    expires_in: result.ExpiresIn,
    token_type: 'Bearer',
  };
}

function s256(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

// A Lambda trigger's refusal (PreTokenGeneration), as an OAuth error.
function triggerRefusal(res: ServerResponse, e: unknown): void {
  if (!(e instanceof WireError)) throw e;
  oauthError(res, 400, 'invalid_request', e.message);
}

async function authorizationCodeGrant(
  ctx: EmulatorContext,
  pool: PoolRecord,
  client: ClientRecord,
  form: URLSearchParams,
  res: ServerResponse,
): Promise<void> {
  const code = form.get('code');
  const record = code === null ? undefined : ctx.store.authCodes.get(code);
  const now = ctx.clock.now();
  if (record === undefined || record.request.clientId !== client.clientId) return oauthError(res, 400, 'invalid_grant');
  if (record.usedBy !== undefined) {
    // A replayed code: refused, and the sign-in the first exchange started is revoked (RFC 6749 §4.1.2).
    ctx.store.revokedOrigins.add(record.usedBy);
    return oauthError(res, 400, 'invalid_grant');
  }
  if (now >= record.expiresAt) return oauthError(res, 400, 'invalid_grant');
  if (form.get('redirect_uri') !== record.request.redirectUri) return oauthError(res, 400, 'invalid_grant');
  const verifier = form.get('code_verifier');
  if (record.request.codeChallenge !== undefined) {
    if (verifier === null || !/^[A-Za-z0-9._~-]{43,128}$/.test(verifier) || !safeEqual(s256(verifier), record.request.codeChallenge)) {
      return oauthError(res, 400, 'invalid_grant');
    }
  } else if (verifier !== null) {
    return oauthError(res, 400, 'invalid_grant');
  }
  const user = findUser(pool, record.username);
  if (user === undefined || !user.enabled) return oauthError(res, 400, 'invalid_grant');
  const originJti = newUuid();
  record.usedBy = originJti;
  let result: AuthenticationResult;
  try {
    result = await issueTokens(ctx, pool, client, user, {
      withRefreshToken: true,
      originJti,
      authTime: record.authTime,
      oauth: { scopes: record.request.scopes, ...(record.request.nonce !== undefined ? { nonce: record.request.nonce } : {}) },
    });
  } catch (e) {
    return triggerRefusal(res, e);
  }
  sendJson(res, 200, tokenBody(result, result.RefreshToken));
}

async function refreshTokenGrant(
  ctx: EmulatorContext, pool: PoolRecord, client: ClientRecord, form: URLSearchParams, res: ServerResponse,
): Promise<void> {
  const token = form.get('refresh_token');
  const record = token === null ? undefined : ctx.store.refreshTokens.get(token);
  const now = ctx.clock.now();
  if (record === undefined || record.clientId !== client.clientId || record.poolId !== pool.id) return oauthError(res, 400, 'invalid_grant');
  if (record.revoked || ctx.store.revokedOrigins.has(record.originJti) || now >= record.expiresAt || rotatedOutAndExpired(record, now)) {
    return oauthError(res, 400, 'invalid_grant');
  }
  const user = findUser(pool, record.username);
  if (user === undefined || !user.enabled) return oauthError(res, 400, 'invalid_grant');
  const rotating = rotatesRefreshTokens(client);
  let result: AuthenticationResult;
  try {
    result = await issueTokens(ctx, pool, client, user, {
      withRefreshToken: rotating,
      originJti: record.originJti,
      authTime: record.authTime,
      ...(record.scopes ? { oauth: { scopes: record.scopes } } : {}),
      trigger: { source: 'TokenGeneration_RefreshTokens' },
    });
  } catch (e) {
    return triggerRefusal(res, e);
  }
  if (rotating) markRotatedOut(client, record, now);
  sendJson(res, 200, tokenBody(result, rotating ? result.RefreshToken : undefined));
}

async function clientCredentialsGrant(
  ctx: EmulatorContext,
  pool: PoolRecord,
  client: ClientRecord,
  form: URLSearchParams,
  res: ServerResponse,
): Promise<void> {
  if (client.clientSecret === undefined) return oauthError(res, 400, 'unauthorized_client');
  const allowed = client.oauth.scopes;
  const asked = form.get('scope')?.split(' ').filter(Boolean);
  const scopes = asked === undefined ? allowed : allowed.filter((s) => asked.includes(s));
  if (scopes.length === 0) return oauthError(res, 400, 'invalid_scope');
  const iat = Math.floor(ctx.clock.now() / 1000);
  const key = activeKey(pool.keyRing);
  const claims: Record<string, unknown> = {
    sub: client.clientId,
    token_use: 'access',
    scope: scopes.join(' '),
    auth_time: iat,
    iss: ctx.issuer(pool.id),
    exp: iat + client.accessTtlSeconds,
    iat,
    version: 2,
    jti: newUuid(),
    client_id: client.clientId,
  };
  try {
    // Only a V3_0 PreTokenGeneration trigger sees machine-to-machine tokens.
    await runPreTokenGeneration(ctx, pool, client, undefined, { access: claims, scopes }, { source: 'TokenGeneration_ClientCredentials' });
  } catch (e) {
    return triggerRefusal(res, e);
  }
  sendJson(res, 200, { access_token: signJwt(claims, key.kid, key.privateKey), expires_in: client.accessTtlSeconds, token_type: 'Bearer' });
}

const GRANT_FLOWS: Record<string, string | undefined> = { authorization_code: 'code', refresh_token: undefined, client_credentials: 'client_credentials' };

/** POST `/oauth2/token`. */
export async function tokenEndpoint(ctx: EmulatorContext, site: HostedSite, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  const form = await readForm(req);
  if (type !== 'application/x-www-form-urlencoded') return oauthError(res, 400, 'invalid_request', 'The body must be application/x-www-form-urlencoded.');
  for (const [name] of form) if (form.getAll(name).length > 1) return oauthError(res, 400, 'invalid_request', `${name} is given more than once.`);
  const auth = authenticateClient(site.pool, req, form);
  if ('error' in auth) return oauthError(res, auth.status, auth.error, undefined, auth.basic ? { 'www-authenticate': 'Basic realm="token"' } : {});
  const grant = form.get('grant_type') ?? '';
  if (!(grant in GRANT_FLOWS)) return oauthError(res, 400, 'unsupported_grant_type');
  const { client } = auth;
  const flow = GRANT_FLOWS[grant];
  if (!client.oauth.enabled || (flow !== undefined && !client.oauth.flows.includes(flow))) return oauthError(res, 400, 'unauthorized_client');
  if (grant === 'authorization_code') return authorizationCodeGrant(ctx, site.pool, client, form, res);
  if (grant === 'refresh_token') return refreshTokenGrant(ctx, site.pool, client, form, res);
  await clientCredentialsGrant(ctx, site.pool, client, form, res);
}

const PROFILE_CLAIMS_EXCLUDED = new Set(['sub', 'email', 'email_verified', 'phone_number', 'phone_number_verified']);

/** GET or POST `/oauth2/userInfo` with a Bearer access token that has the `openid` scope. */
export function userInfoEndpoint(ctx: EmulatorContext, site: HostedSite, req: IncomingMessage, res: ServerResponse): void {
  req.resume();
  const refuse = (error: string, status = 401): void => {
    sendJson(res, status, { error, error_description: 'Access token is missing, invalid or lacks the openid scope.' }, {
      'www-authenticate': `Bearer error="${error}", error_description="Access token is missing, invalid or lacks the openid scope"`,
    });
  };
  const match = /^Bearer ([A-Za-z0-9._-]+)$/.exec(req.headers.authorization ?? '');
  if (!match) return refuse('invalid_token');
  let access;
  try {
    access = authenticateAccessToken(ctx, match[1]);
  } catch (e) {
    if (e instanceof WireError) return refuse('invalid_token');
    throw e;
  }
  if (access.pool !== site.pool) return refuse('invalid_token');
  const scopes = typeof access.claims.scope === 'string' ? access.claims.scope.split(' ') : [];
  if (!scopes.includes('openid')) return refuse('insufficient_scope', 403);
  const attrs = access.user.attributes;
  const out: Record<string, string> = { sub: access.user.sub };
  const copy = (name: string): void => {
    const value = attrs.get(name);
    if (value !== undefined) out[name] = value;
  };
  if (scopes.includes('email')) ['email', 'email_verified'].forEach(copy);
  if (scopes.includes('phone')) ['phone_number', 'phone_number_verified'].forEach(copy);
  if (scopes.includes('profile')) for (const name of attrs.keys()) if (!PROFILE_CLAIMS_EXCLUDED.has(name)) copy(name);
  out.username = access.user.username;
  sendJson(res, 200, out);
}

/** POST `/oauth2/revoke`: a refresh token of this client; its whole sign-in ends (RFC 7009: unknown tokens are fine). */
export async function revokeEndpoint(ctx: EmulatorContext, site: HostedSite, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const form = await readForm(req);
  const auth = authenticateClient(site.pool, req, form);
  if ('error' in auth) return oauthError(res, auth.status, auth.error, undefined, auth.basic ? { 'www-authenticate': 'Basic realm="revoke"' } : {});
  const token = form.get('token');
  if (token === null || token === '') return oauthError(res, 400, 'invalid_request', 'token is required.');
  if (!auth.client.enableTokenRevocation) return oauthError(res, 400, 'unsupported_operation', 'Token revocation is not enabled for this client.');
  const record = ctx.store.refreshTokens.get(token);
  if (record !== undefined) {
    if (record.clientId !== auth.client.clientId) return oauthError(res, 400, 'unauthorized_client');
    record.revoked = true;
    ctx.store.revokedOrigins.add(record.originJti);
  }
  sendJson(res, 200, {});
}
