/**
 * The last checks of `requireCognito()` once a token has verified — the revocation list, where a
 * machine-to-machine token may go, `groups`, `scope` — and the `req.cognito` context built from its claims.
 */
import type { AccessTokenClaims, CognitoClaims } from '../lib/token-verifier';
import { Refusal } from './refusal';
import type { RevocationStore } from './revocation-store';
import type { CognitoClientContext, CognitoContext, CognitoRequestContext } from './types';

/** What the checks need of a guard. */
export interface ContextChecks {
  tokenUse: 'access' | 'id';
  groups: readonly string[];
  scopes: readonly string[];
  store: RevocationStore;
}

/**
 * Revocation, machine-to-machine tokens, groups and scopes, then the request context. Synchronous when the revocation store
 * answers synchronously (the in-memory one does); a promise when it answers with one.
 *
 * @example
 * const context = checkAndBuild(guard, claims, 'bearer', { accessToken });
 */
export function checkAndBuild(
  g: ContextChecks,
  claims: CognitoClaims,
  source: 'bearer' | 'session',
  tokens: { accessToken?: string; idToken?: string },
): CognitoContext | Promise<CognitoContext> {
  const ids = revocationIds(claims);
  const revoked = ids.length > 0 ? g.store.isRevoked(ids) : false;
  if (isThenable(revoked)) {
    return Promise.resolve(revoked).then((yes) => {
      if (yes) throw revokedRefusal(source);
      return build(g, claims, source, tokens);
    });
  }
  if (revoked) throw revokedRefusal(source);
  return build(g, claims, source, tokens);
}

/** `jti` and `origin_jti`: the ids a logout revokes. */
function revocationIds(claims: CognitoClaims): string[] {
  const ids: string[] = [];
  if (typeof claims.jti === 'string' && claims.jti !== '') ids.push(claims.jti);
  if (typeof claims.origin_jti === 'string' && claims.origin_jti !== '') ids.push(claims.origin_jti);
  return ids;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

function revokedRefusal(source: 'bearer' | 'session'): Refusal {
  return new Refusal(401, { error: 'invalid_token', code: 'ERR_COGNITO_TOKEN_REVOKED', message: 'The token has been revoked.' },
    { 'WWW-Authenticate': 'Bearer error="invalid_token", error_description="The token has been revoked"' }, source === 'session');
}

/**
 * The refusal of a client-credentials token (an access token without `username`: no user, `sub` = the
 * app client) where it may not go: in a session (a session's tokens come from a sign-in), or at a guard
 * with no `scope` (such a route is a user's: handlers read `username`, account routes act as the user).
 *
 * @example
 * if (machine && (source === 'session' || g.scopes.length === 0)) throw machineTokenRefusal(source);
 */
export function machineTokenRefusal(source: 'bearer' | 'session'): Refusal {
  const message = source === 'session'
    ? 'Token refused: a client-credentials token cannot be a session token'
    : 'Token refused: a client-credentials token (no username) is only accepted where a scope is required';
  return new Refusal(401, { error: 'invalid_token', code: 'ERR_COGNITO_TOKEN_CLAIM', message },
    { 'WWW-Authenticate': `Bearer error="invalid_token", error_description="${quoteSafe(message)}"` }, source === 'session');
}

function build(
  g: ContextChecks,
  claims: CognitoClaims,
  source: 'bearer' | 'session',
  tokens: { accessToken?: string; idToken?: string },
): CognitoContext {
  // The verifier has checked that username (and scope) is a string when present on an access token.
  const machine = g.tokenUse === 'access' && claims.username === undefined;
  if (machine && (source === 'session' || g.scopes.length === 0)) throw machineTokenRefusal(source);
  // The verifier has checked that cognito:groups, when present, is an array of strings (and scope a
  // string on access tokens); fresh arrays all the same, which a handler may change for its request.
  // An app client is in no group, whatever its token says (a pre-token trigger could add the claim).
  const listed = machine ? undefined : claims['cognito:groups'];
  const groups = Array.isArray(listed) ? listed.filter((x): x is string => typeof x === 'string') : [];
  const scopes = typeof claims.scope === 'string' && claims.scope !== '' ? claims.scope.split(' ').filter((x) => x !== '') : [];
  if (g.groups.length > 0 && !g.groups.some((want) => groups.includes(want))) {
    throw new Refusal(403, { error: 'forbidden', code: 'ERR_COGNITO_GROUP_REQUIRED', message: `Requires membership of: ${g.groups.join(', ')}.` });
  }
  if (g.scopes.length > 0 && !g.scopes.every((want) => scopes.includes(want))) {
    throw new Refusal(403, { error: 'insufficient_scope', code: 'ERR_COGNITO_SCOPE_REQUIRED', message: `Requires the scope: ${g.scopes.join(' ')}.` },
      { 'WWW-Authenticate': `Bearer error="insufficient_scope", scope="${quoteSafe(g.scopes.join(' '))}"` });
  }
  const sub = String(claims.sub ?? '');
  // The verifier has checked that client_id (access) or aud (ID) is a string.
  const named = g.tokenUse === 'access' ? claims.client_id : claims.aud;
  const clientId = typeof named === 'string' ? named : '';
  if (machine) {
    const client: CognitoClientContext = {
      principal: 'client', claims: claims as AccessTokenClaims, tokenUse: 'access', sub, clientId, groups, scopes, source: 'bearer',
      accessToken: tokens.accessToken ?? '',
    };
    return client;
  }
  const username = g.tokenUse === 'access' ? claims.username : claims['cognito:username'];
  const context: CognitoRequestContext = {
    principal: 'user',
    claims,
    tokenUse: g.tokenUse,
    username: typeof username === 'string' ? username : sub,
    sub,
    clientId,
    groups,
    scopes,
    source,
  };
  if (tokens.accessToken) context.accessToken = tokens.accessToken;
  if (tokens.idToken) context.idToken = tokens.idToken;
  return context;
}

/**
 * Header parameter values are quoted strings: keeps them to safe printable characters.
 *
 * @example
 * `Bearer error="invalid_token", error_description="${quoteSafe(message)}"`
 */
export function quoteSafe(text: string): string {
  return text.replace(/[^\x20-\x7e]|["\\]/g, '');
}
