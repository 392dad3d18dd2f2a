/**
 * `/oauth2/authorize`: the request checked as Cognito checks it, and the answer once the user is
 * signed in — an authorization code (`response_type=code`) or tokens in the fragment (`token`).
 *
 * Until `client_id` and `redirect_uri` are known good, errors are a page on the domain (never a
 * redirect to an unchecked URL); after that they go back to the client as RFC 6749 §4.1.2.1 says.
 */
import type { EmulatorContext } from '../context';
import { WireError } from '../errors';
import { newUuid } from '../ids';
import { scopeExists } from '../oauth-settings';
import type { AuthorizeRequest, ClientRecord, PoolRecord, UserRecord } from '../store';
import { issueTokens } from '../tokens';
import { withParams } from './http';

/** How long an authorization code can be exchanged. */
export const AUTH_CODE_TTL_MS = 5 * 60 * 1000;

/** The outcome of checking an authorization request. */
export type AuthorizeCheck =
  | { ok: true; request: AuthorizeRequest; pool: PoolRecord; client: ClientRecord; identityProvider?: string; forceLogin: boolean }
  | { ok: false; page: { status: number; error: string; message: string } }
  | { ok: false; redirect: string };

const PKCE_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;

/**
 * Checks the query of `/oauth2/authorize` (or `/login`, which takes the same) for the pool that owns
 * the domain it arrived on.
 */
export function checkAuthorize(pool: PoolRecord, query: URLSearchParams): AuthorizeCheck {
  const single = (name: string): string | undefined => {
    const all = query.getAll(name);
    return all.length === 1 ? all[0] : undefined;
  };
  for (const name of ['client_id', 'redirect_uri', 'response_type', 'state', 'scope', 'code_challenge', 'code_challenge_method', 'nonce']) {
    if (query.getAll(name).length > 1) return { ok: false, page: { status: 400, error: 'invalid_request', message: `${name} is given more than once.` } };
  }
  const clientId = single('client_id');
  const client = clientId === undefined ? undefined : pool.clients.get(clientId);
  if (client === undefined) return { ok: false, page: { status: 400, error: 'invalid_request', message: 'Unknown or missing client_id.' } };
  const redirectUri = single('redirect_uri') ?? client.oauth.defaultRedirectUri;
  if (redirectUri === undefined || !client.oauth.callbackUrls.includes(redirectUri)) {
    return { ok: false, page: { status: 400, error: 'redirect_mismatch', message: 'redirect_uri is not a callback URL of this app client.' } };
  }
  const state = single('state');
  const back = (error: string, description: string): AuthorizeCheck => ({
    ok: false,
    redirect: withParams(redirectUri, { error, error_description: description, state }),
  });
  const responseType = single('response_type');
  if (responseType !== 'code' && responseType !== 'token') return back('unsupported_response_type', 'response_type must be code or token.');
  const flow = responseType === 'code' ? 'code' : 'implicit';
  if (!client.oauth.enabled || !client.oauth.flows.includes(flow)) return back('unauthorized_client', `The ${flow} flow is not allowed for this client.`);

  const asked = single('scope')?.split(' ').filter(Boolean);
  const allowed = client.oauth.scopes.filter((s) => scopeExists(pool, s));
  const scopes = asked === undefined ? allowed : [...new Set(asked)].filter((s) => allowed.includes(s));
  if (scopes.length === 0) return back('invalid_scope', 'None of the requested scopes is allowed for this client.');

  const challenge = single('code_challenge');
  const method = single('code_challenge_method');
  if (challenge !== undefined || method !== undefined) {
    if (responseType !== 'code') return back('invalid_request', 'PKCE is for the code flow.');
    if (method !== 'S256') return back('invalid_request', 'code_challenge_method must be S256.');
    if (challenge === undefined || !PKCE_CHALLENGE.test(challenge)) return back('invalid_request', 'code_challenge must be a base64url SHA-256.');
  }
  const nonce = single('nonce');
  if (nonce !== undefined && (nonce.length === 0 || nonce.length > 512)) return back('invalid_request', 'nonce must be 1 to 512 characters.');

  const provider = identityProviderOf(pool, client, single('identity_provider'), single('idp_identifier'));
  if (provider === null) return back('invalid_request', 'The identity provider is not supported for this client.');
  const request: AuthorizeRequest = {
    poolId: pool.id,
    clientId: client.clientId,
    redirectUri,
    responseType,
    scopes,
    ...(state !== undefined ? { state } : {}),
    ...(nonce !== undefined ? { nonce } : {}),
    ...(challenge !== undefined ? { codeChallenge: challenge } : {}),
  };
  return { ok: true, request, pool, client, ...(provider ? { identityProvider: provider } : {}), forceLogin: single('prompt') === 'login' };
}

// The provider asked for by name or by one of its identifiers; COGNITO means the hosted form.
// `null`: a provider was asked for that this client does not support.
function identityProviderOf(pool: PoolRecord, client: ClientRecord, name?: string, identifier?: string): string | undefined | null {
  if (name === undefined && identifier === undefined) return undefined;
  let chosen = name;
  if (chosen === undefined) {
    for (const p of pool.identityProviders.values()) if (identifier !== undefined && p.idpIdentifiers.includes(identifier)) chosen = p.name;
  }
  if (chosen === undefined || !client.oauth.identityProviders.includes(chosen)) return null;
  return chosen;
}

/**
 * The redirect that ends a successful authorization: a one-time code, or (implicit) the tokens in
 * the fragment — never a refresh token on that path. A Lambda trigger's refusal (PreTokenGeneration)
 * goes back to the app as `error=invalid_request` with the message in `error_description`.
 */
export async function finishAuthorize(
  ctx: EmulatorContext, request: AuthorizeRequest, user: UserRecord, authTime: number,
): Promise<string> {
  const now = ctx.clock.now();
  if (request.responseType === 'code') {
    const code = newUuid();
    ctx.store.authCodes.set(code, { code, request, username: user.username, authTime, expiresAt: now + AUTH_CODE_TTL_MS });
    ctx.store.noteWrite(now);
    return withParams(request.redirectUri, { code, state: request.state });
  }
  const pool = ctx.store.pool(request.poolId);
  const { client } = ctx.store.client(request.clientId, pool.id);
  const tokens = await issueTokens(ctx, pool, client, user, {
    withRefreshToken: false,
    authTime,
    oauth: { scopes: request.scopes, ...(request.nonce !== undefined ? { nonce: request.nonce } : {}) },
  }).catch((e: unknown) => {
    if (e instanceof WireError) return e;
    throw e;
  });
  if (tokens instanceof WireError) {
    return withParams(request.redirectUri, { error: 'invalid_request', error_description: tokens.message, state: request.state }, true);
  }
  return withParams(request.redirectUri, {
    ...(tokens.IdToken !== undefined ? { id_token: tokens.IdToken } : {}),
    access_token: tokens.AccessToken,
    expires_in: String(tokens.ExpiresIn),
    token_type: 'Bearer',
    state: request.state,
  }, true);
}
