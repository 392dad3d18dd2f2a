/**
 * `requireCognito(options?)`: the route guard. Verifies a bearer token or the session's tokens,
 * renews expired session tokens transparently (one Cognito call however many requests need it),
 * checks groups and scopes and the revocation list, and sets `req.cognito`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import createDebug from 'debug';
import { renewalDue, unverifiedClaims } from '../lib/cognito-rules';
import { resolveConfig, type CognitoOptions, type ResolvedConfig } from '../lib/config';
import { isCognitoError } from '../lib/errors';
import { TokenVerifier } from '../lib/token-verifier';
import type { TokenCacheOptions } from '../lib/verified-token-cache';
import { readBearer } from './bearer-token';
import { checkAndBuild, machineTokenRefusal, quoteSafe } from './guard-context';
import { handOverRefusal, Refusal, type CognitoRefusal } from './refusal';
import { sendError, sendRedirect, appendVary, wantsHtml } from './respond';
import { loginRedirectUrl, returnToFor } from './return-to';
import { defaultRevocationStore, type RevocationStore } from './revocation-store';
import { clearSessionTokens, getSessionTokens, type SessionTokens } from './session-tokens';
import { RETRY_AFTER_SECONDS, renewSessionTokens, sessionRenewal, type SessionRenewal } from './session-renewal';
import type { CognitoClaims } from '../lib/token-verifier';
import type { CognitoContext } from './types';
// The `req.cognito` declaration merging must reach whoever imports this module (also from .d.ts).
import './types';

const debug = createDebug('express-cognito:require');

/**
 * Options of {@link requireCognito}: the shared Cognito options (see `resolveConfig`: `userPoolId`,
 * `clientId` (one or several), `leewaySeconds` (default 5), `clock`, `endpoint`, `jwks`…, each falling
 * back to the environment) and these.
 *
 * @example
 * const options: RequireCognitoOptions = { tokenUse: 'access', groups: ['admin'], scope: 'orders/read', loginUrl: '/login' };
 */
export interface RequireCognitoOptions extends CognitoOptions, TokenCacheOptions {
  /** Which token is checked: `'access'` (default) or `'id'`. */
  tokenUse?: 'access' | 'id';
  /** The user must be in at least one of these groups (`cognito:groups`); else 403. Default: no check. */
  groups?: string | readonly string[];
  /**
   * The access token must carry every one of these scopes; else 403. Access tokens only. Default: no check.
   * Only a guard with a `scope` accepts machine-to-machine tokens (`client_credentials`: no user), as
   * bearer tokens; `req.cognito` is then a `CognitoClientContext` (`principal: 'client'`). List the
   * client that mints them among the allowed ones: `clientId: [webClientId, m2mClientId]`.
   */
  scope?: string | readonly string[];
  /**
   * Renew the session's tokens when the checked token has expired or expires within `leewaySeconds`
   * (default true). Bearer tokens are never renewed: their owner does that.
   */
  renew?: boolean;
  /**
   * The app client rotates refresh tokens (`RefreshTokenRotation.Feature: 'ENABLED'`): renew with
   * GetTokensFromRefreshToken and keep the new refresh token it returns in the session. Default false:
   * REFRESH_TOKEN_AUTH first, which Cognito refuses for such a client, then GetTokensFromRefreshToken;
   * once a renewal has brought a new refresh token, every guard of the process goes straight to
   * GetTokensFromRefreshToken for that app client. Set it to spare that first refused call.
   */
  refreshTokenRotation?: boolean;
  /**
   * Where to send a browser (`Accept: text/html`) that is not signed in: a 302 to this URL with a
   * same-origin `returnTo` query parameter. Without it (and for API clients) the answer is a 401.
   */
  loginUrl?: string;
  /** Revoked token ids (shared with `cognitoLogout()`); default: the process-wide in-memory store. */
  revocationStore?: RevocationStore;
  /**
   * Answer refusals yourself: every 401, 403 and 503 is handed to this function instead of the
   * built-in answer (JSON `{ error, code, message }`, or a minimal HTML page for a browser), so that
   * the app can render its own page or call `next(err)`. The browser redirect to `loginUrl` is not a
   * refusal: it stays a redirect. `refusal.headers` holds what the built-in answer would have sent
   * (`WWW-Authenticate` on a 401 or an `insufficient_scope` 403, `Retry-After` on a 503): set them
   * on your answer. Whatever it throws (or a promise it returns rejects with) goes to `next(err)`.
   * Default: the built-in answer.
   *
   * Declared as a method, so that an Express app may annotate `req`/`res` as Express's `Request`/`Response`.
   *
   * @example
   * requireCognito({ groups: ['admin'], onRefusal(req, res, next, refusal) {
   *   if (refusal.status !== 403) return next(Object.assign(new Error(refusal.message), { status: refusal.status }));
   *   res.writeHead(403, { ...refusal.headers, 'Content-Type': 'text/html; charset=utf-8' }).end(renderForbidden());
   * } });
   */
  onRefusal?(
    this: void,
    req: IncomingMessage,
    res: ServerResponse,
    next: (err?: unknown) => void,
    refusal: CognitoRefusal,
  ): void | Promise<void>;
}

/**
 * A Connect/Express middleware function.
 *
 * @example
 * const guard: CognitoMiddleware = requireCognito();
 */
export type CognitoMiddleware = (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;

type GuardRequest = IncomingMessage & { session?: unknown; sessionID?: string; cognito?: CognitoContext; originalUrl?: string };

/**
 * Guards routes with Cognito tokens.
 *
 * 1. `Authorization: Bearer <token>` (scheme case-insensitive, one header) is verified and never
 *    renewed; a malformed header is a 401 with `WWW-Authenticate: Bearer error="invalid_request"`.
 * 2. Otherwise the session's tokens (put there by `CognitoStrategy`) are used. When the checked token
 *    has expired or is within `leewaySeconds` of it, they are renewed first from the refresh token —
 *    single flight, so N concurrent requests of one session make one Cognito call and all continue
 *    with the new tokens. A refused refresh removes the tokens from the session (401 / login
 *    redirect); Cognito throttling or unreachable is a 503 with `Retry-After`, keeping the tokens.
 * 3. Then: revocation list (`ERR_COGNITO_TOKEN_REVOKED` after `cognitoLogout()`), `groups` (any of),
 *    `scope` (all of) → 403 when missing.
 * 4. A machine-to-machine access token (no `username`; `sub` = `client_id`) passes only as a bearer
 *    token at a guard with a `scope`, and gives `req.cognito.principal === 'client'` (no `username`,
 *    `groups: []`); anywhere else, and in a session, it is a 401 `ERR_COGNITO_TOKEN_CLAIM`.
 *
 * Refusals: 401 JSON `{ error, code, message }` with `WWW-Authenticate: Bearer error="invalid_token"`
 * (plain `Bearer` when no token was sent at all, as RFC 6750 §3.1 asks); 403 for groups and scopes;
 * 503 when the signing keys or Cognito are unreachable. A browser (`Accept: text/html`) that is not
 * signed in is redirected to `loginUrl` when set. With `onRefusal`, the app answers every 401, 403 and
 * 503 itself (the redirect stays). On success `req.cognito` is set and `next()` runs.
 *
 * Works on Express 4 and 5 and, for bearer tokens, on a plain Connect app (no session needed).
 *
 * @param options see {@link RequireCognitoOptions}; `clientId` may list several app clients,
 *   `leewaySeconds` (default 5) is the clock-skew allowance, `clock` is injectable for tests.
 * @example
 * app.use('/api', requireCognito());
 * app.get('/admin', requireCognito({ groups: ['admin'], loginUrl: '/login' }), (req, res) => {
 *   res.send(`hello ${req.cognito!.username}`);
 * });
 */
export function requireCognito(options: RequireCognitoOptions = {}): CognitoMiddleware {
  if (typeof options !== 'object' || options === null) throw new TypeError('requireCognito options must be an object');
  const config = resolveConfig(options);
  const tokenUse = options.tokenUse ?? 'access';
  if (tokenUse !== 'access' && tokenUse !== 'id') throw new TypeError('"tokenUse" must be "access" or "id"');
  const groups = stringList(options.groups, 'groups');
  const scopes = stringList(options.scope, 'scope');
  if (scopes.length > 0 && tokenUse === 'id') throw new TypeError('"scope" can only be checked on access tokens (tokenUse: "access")');
  const renew = options.renew ?? true;
  if (typeof renew !== 'boolean') throw new TypeError('"renew" must be a boolean');
  const rotation = options.refreshTokenRotation ?? false;
  if (typeof rotation !== 'boolean') throw new TypeError('"refreshTokenRotation" must be a boolean');
  const loginUrl = options.loginUrl;
  if (loginUrl !== undefined && (typeof loginUrl !== 'string' || !/^(\/(?![/\\])|https?:\/\/)/.test(loginUrl))) {
    throw new TypeError('"loginUrl" must be a path ("/login") or an http(s) URL');
  }
  const store = options.revocationStore ?? defaultRevocationStore();
  if (typeof store?.isRevoked !== 'function' || typeof store.revoke !== 'function') {
    throw new TypeError('"revocationStore" must have revoke() and isRevoked() methods');
  }
  const onRefusal = options.onRefusal;
  if (onRefusal !== undefined && typeof onRefusal !== 'function') throw new TypeError('"onRefusal" must be a function');
  const cacheOptions: TokenCacheOptions = {};
  if (options.tokenCacheSize !== undefined) cacheOptions.tokenCacheSize = options.tokenCacheSize;
  if (options.tokenCacheMaxAgeSeconds !== undefined) cacheOptions.tokenCacheMaxAgeSeconds = options.tokenCacheMaxAgeSeconds;
  const verifier = new TokenVerifier(config, cacheOptions);
  const renewal = sessionRenewal(config, verifier, rotation);
  const guard = { config, tokenUse, groups, scopes, renew, renewal, store, verifier } as const;

  const allow = (r: GuardRequest, next: (err?: unknown) => void, context: CognitoContext): void => {
    r.cognito = context;
    debug('allowed %s (%s, %s)', context.principal === 'user' ? context.username : `client ${context.clientId}`, context.source, tokenUse);
    next();
  };
  const fail = (r: GuardRequest, res: ServerResponse, next: (err?: unknown) => void, err: unknown): void => {
    if (!(err instanceof Refusal)) {
      debug('error: %s', err instanceof Error ? err.name : typeof err);
      next(err);
      return;
    }
    if (err.mayRedirect && loginUrl !== undefined && wantsHtml(r)) {
      debug('redirecting to login (%s)', err.body.code);
      sendRedirect(res, loginRedirectUrl(loginUrl, returnToFor(r)));
      return;
    }
    if (onRefusal !== undefined) {
      debug('refused %d %s (answered by onRefusal)', err.status, err.body.code);
      handOverRefusal(onRefusal, r, res, next, err.toPublic());
      return;
    }
    debug('refused %d %s', err.status, err.body.code);
    sendError(r, res, err.status, err.body, err.headers);
  };

  return function requireCognitoMiddleware(req, res, next) {
    const r = req as GuardRequest;
    if (loginUrl !== undefined) appendVary(res, 'Accept');
    // Whatever needs no I/O (a bearer token whose signing key is held, a session token already
    // verified with no renewal due, a synchronous revocation store) is decided in this tick: next()
    // runs before this function returns, no promise is made. The rest continues asynchronously.
    let known: CognitoContext | Promise<CognitoContext> | undefined;
    try {
      known = authorizeNow(guard, r);
    } catch (err) {
      fail(r, res, next, err);
      return;
    }
    if (known === undefined) {
      authorizeSession(guard, r).then((context) => allow(r, next, context), (err: unknown) => fail(r, res, next, err));
    } else if (known instanceof Promise) {
      known.then((context) => allow(r, next, context), (err: unknown) => fail(r, res, next, err));
    } else {
      allow(r, next, known);
    }
  };
}

interface Guard {
  config: ResolvedConfig;
  tokenUse: 'access' | 'id';
  groups: readonly string[];
  scopes: readonly string[];
  renew: boolean;
  /** How this guard renews the session's tokens. */
  renewal: SessionRenewal;
  store: RevocationStore;
  verifier: TokenVerifier;
}

/**
 * Everything that needs no I/O, decided in the same tick: a bearer token (a cached one, or any token
 * whose signing key is already imported: the signature check is synchronous), and the session's
 * token when it is in the verifier's cache and no renewal is due. Returns the context — or a promise
 * of it when the signing key must be fetched first or the revocation store answers asynchronously —
 * and throws refusals synchronously. Returns `undefined` for a session that needs more (a token not
 * verified yet in this process, a renewal, no token at all): {@link authorizeSession} decides those.
 * The checks are those of the full path whichever way the answer comes.
 */
function authorizeNow(g: Guard, req: GuardRequest): CognitoContext | Promise<CognitoContext> | undefined {
  const header = req.headers.authorization;
  if (header !== undefined) {
    // The common spelling goes straight to the verifier, whose structural checks are stricter than
    // readBearer's token68; only when it finds the token malformed is the header judged strictly
    // (a malformed header is invalid_request, not invalid_token).
    const plain = plainBearer(req, header);
    let token = plain;
    if (token === undefined) {
      const auth = readBearer(req);
      if (auth.kind === 'malformed') throw malformedHeader(auth.reason);
      if (auth.kind === 'bearer') token = auth.token;
    }
    if (token !== undefined) {
      let answer: CognitoClaims | Promise<CognitoClaims>;
      try {
        answer = g.verifier.verifyNow(token, g.tokenUse);
      } catch (err) {
        // Malformed as sent the common way: readBearer decides (a malformed header, or a token it
        // reads differently, e.g. after two spaces).
        const strict = plain !== undefined && isCognitoError(err) && MALFORMED.has(err.code) ? readBearer(req) : undefined;
        if (strict?.kind === 'malformed') throw malformedHeader(strict.reason);
        if (strict?.kind !== 'bearer' || strict.token === token) throw asRefusal(err, false);
        token = strict.token;
        try {
          answer = g.verifier.verifyNow(token, g.tokenUse);
        } catch (again) {
          throw asRefusal(again, false);
        }
      }
      const tokens = bearerTokens(g, token);
      if (!(answer instanceof Promise)) return checkAndBuild(g, answer, 'bearer', tokens);
      return answer.then((claims) => checkAndBuild(g, claims, 'bearer', tokens), (err: unknown) => {
        throw asRefusal(err, false);
      });
    }
    // Another scheme (Basic…): not ours; the session decides.
  }
  const tokens = getSessionTokens(req);
  if (tokens === undefined) return undefined;
  const claims = g.verifier.verifyCached(pick(tokens, g.tokenUse), g.tokenUse);
  if (claims === undefined) return undefined;
  if (g.renew && tokens.refreshToken && renewalDue(claims.exp, g.config.clock(), g.config.leewaySeconds)) return undefined;
  return sessionContext(g, req, claims, tokens);
}

const MALFORMED: ReadonlySet<string> = new Set(['ERR_COGNITO_TOKEN_MALFORMED', 'ERR_COGNITO_TOKEN_MISSING']);

function malformedHeader(reason: string): Refusal {
  return new Refusal(401, { error: 'invalid_request', code: 'ERR_COGNITO_AUTHORIZATION_MALFORMED', message: `Malformed Authorization header: ${reason}.` },
    { 'WWW-Authenticate': 'Bearer error="invalid_request"' });
}

function bearerTokens(g: Guard, token: string): { accessToken?: string; idToken?: string } {
  return g.tokenUse === 'access' ? { accessToken: token } : { idToken: token };
}

/**
 * The token of `Authorization: Bearer <token>` spelt the common way (any case of the scheme, one
 * space), when it is the request's only Authorization header; `undefined` for anything else, which
 * `readBearer` then judges. The token itself is not checked here: the verifier checks its structure.
 */
function plainBearer(req: GuardRequest, header: string): string | undefined {
  if (typeof header !== 'string' || header.length < 8 || header.charCodeAt(6) !== 32) return undefined;
  const scheme = header.slice(0, 6);
  if (scheme !== 'Bearer' && scheme.toLowerCase() !== 'bearer') return undefined;
  const raw = req.rawHeaders;
  if (!Array.isArray(raw)) return undefined;
  let count = 0;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i];
    // Only 13-character names can be "authorization": the rest cost one comparison each.
    if (name !== undefined && name.length === 13 && (name === 'authorization' || name === 'Authorization' || name.toLowerCase() === 'authorization')) count++;
  }
  return count === 1 ? header.slice(7) : undefined;
}

/**
 * {@link checkAndBuild} for the session's tokens: a token revoked elsewhere, or a client-credentials
 * token (never a sign-in's), also leaves the session.
 */
function sessionContext(
  g: Guard,
  req: GuardRequest,
  claims: CognitoClaims,
  tokens: SessionTokens,
): CognitoContext | Promise<CognitoContext> {
  let result: CognitoContext | Promise<CognitoContext>;
  try {
    result = checkAndBuild(g, claims, 'session', { accessToken: tokens.accessToken, idToken: tokens.idToken });
  } catch (err) {
    return signedOutIfRevoked(req, err);
  }
  return result instanceof Promise ? result.catch((err: unknown) => signedOutIfRevoked(req, err)) : result;
}

/**
 * Rethrows `err`; a revocation (a logout on another instance sharing the store) or a session token
 * with no user (`ERR_COGNITO_TOKEN_CLAIM`: only checkAndBuild's machine-token refusal gets here) first
 * removes the session's dead tokens.
 */
function signedOutIfRevoked(req: GuardRequest, err: unknown): never {
  if (err instanceof Refusal && (err.body.code === 'ERR_COGNITO_TOKEN_REVOKED' || err.body.code === 'ERR_COGNITO_TOKEN_CLAIM')) {
    clearSessionTokens(req);
  }
  throw err;
}

/**
 * The session's tokens when {@link authorizeNow} could not decide in the same tick: none at all, a
 * token not verified yet in this process, or a renewal due (single flight, see {@link renewSession}).
 */
async function authorizeSession(g: Guard, req: GuardRequest): Promise<CognitoContext> {
  let tokens = getSessionTokens(req);
  if (!tokens) {
    throw new Refusal(401, { error: 'unauthorized', code: 'ERR_COGNITO_TOKEN_MISSING', message: 'Sign-in required.' },
      { 'WWW-Authenticate': 'Bearer' }, true);
  }
  // A client-credentials access token in a session was not put there by a sign-in: it is never
  // renewed (nor verified); the session loses it. Unverified claims suffice to refuse.
  const access = unverifiedClaims(tokens.accessToken);
  if (access?.token_use === 'access' && access.username === undefined) {
    clearSessionTokens(req);
    throw machineTokenRefusal('session');
  }
  const checked = g.tokenUse === 'access' ? access : unverifiedClaims(tokens.idToken);
  if (g.renew && tokens.refreshToken && renewalDue(checked?.exp, g.config.clock(), g.config.leewaySeconds)) {
    tokens = await renewSessionTokens(g.renewal, req, tokens);
  }
  let claims: CognitoClaims;
  try {
    claims = await verify(g, pick(tokens, g.tokenUse), true);
  } catch (err) {
    // Expired by the verifier's reckoning though not by ours (clock moved, tokens edited): renew once.
    if (!(err instanceof Refusal && err.body.code === 'ERR_COGNITO_TOKEN_EXPIRED' && g.renew && tokens.refreshToken)) throw err;
    tokens = await renewSessionTokens(g.renewal, req, tokens);
    claims = await verify(g, pick(tokens, g.tokenUse), true);
  }
  return sessionContext(g, req, claims, tokens);
}

function pick(tokens: SessionTokens, tokenUse: 'access' | 'id'): string {
  return tokenUse === 'access' ? tokens.accessToken : tokens.idToken;
}

/** The verifier's answer for the session's token, its refusals turned into the guard's. */
async function verify(g: Guard, token: string, fromSession: boolean): Promise<CognitoClaims> {
  try {
    return await g.verifier.verifyNow(token, g.tokenUse);
  } catch (err) {
    throw asRefusal(err, fromSession);
  }
}

/** A verifier error as the guard's answer: 401 for a refused token, 503 when no keys can be had; anything else as is. */
function asRefusal(err: unknown, fromSession: boolean): unknown {
  if (!isCognitoError(err)) return err;
  if (err.status === 503) {
    return new Refusal(503, { error: 'temporarily_unavailable', code: err.code, message: 'The signing keys are unavailable; try again later.' },
      { 'Retry-After': String(RETRY_AFTER_SECONDS) });
  }
  if (err.status === 401) {
    return new Refusal(401, { error: 'invalid_token', code: err.code, message: err.message },
      { 'WWW-Authenticate': `Bearer error="invalid_token", error_description="${quoteSafe(err.message)}"` }, fromSession);
  }
  return err;
}

function stringList(value: unknown, name: string): readonly string[] {
  if (value === undefined) return [];
  const list: unknown[] | undefined = typeof value === 'string' ? [value] : Array.isArray(value) ? value : undefined;
  if (list === undefined || list.length === 0 || list.some((v) => typeof v !== 'string' || v === '' || /[\s"\\]/.test(v))) {
    throw new TypeError(`"${name}" must be a non-empty string or a non-empty array of strings without spaces or quotes`);
  }
  return Object.freeze([...list] as string[]);
}
