/**
 * `cognitoLogout(options?)`: ends a session everywhere this app can — Cognito (GlobalSignOut and/or
 * RevokeToken), this app's revocation list (so the session's tokens are refused even as bearer tokens
 * until they expire), Passport (`req.logout()`), the session store, and the browser's cookie.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import createDebug from 'debug';
import { endSessionEndpoint } from '../lib/hosted-ui';
import { resolveConfig, type CognitoOptions, type ResolvedConfig } from '../lib/config';
import { unverifiedClaims } from '../lib/cognito-rules';
import { isCognitoError } from '../lib/errors';
import { ServiceClient } from '../lib/service-client';
import { globalSignOut, revokeRefreshToken } from '../lib/sign-out';
import { appendSetCookie, sendError, sendRedirect } from './respond';
import type { CognitoMiddleware } from './require-cognito';
import { defaultRevocationStore, type RevocationStore } from './revocation-store';
import { getSessionTokens, type SessionTokens } from './session-tokens';

const debug = createDebug('express-cognito:logout');

/**
 * Options of {@link cognitoLogout}: the shared Cognito options (see `resolveConfig`) and these.
 *
 * @example
 * const options: CognitoLogoutOptions = { redirect: '/', revokeRefreshToken: true, methods: ['POST'] };
 */
export interface CognitoLogoutOptions extends CognitoOptions {
  /** HTTP methods that log out (default `['POST']`; add `'GET'` knowingly: links can be forged). Others get 405. */
  methods?: readonly string[];
  /** Call GlobalSignOut with the session's access token: every refresh token of the user ends (default true). */
  globalSignOut?: boolean;
  /** Call RevokeToken with the session's refresh token: this sign-in's tokens end (default false). */
  revokeRefreshToken?: boolean;
  /** Where to send the browser afterwards (a 302); without it the answer is `204 No Content`. */
  redirect?: string;
  /**
   * End the hosted UI's managed-login session too: after the local logout the browser goes to the
   * pool domain's `/logout` with `client_id` and `logout_uri` (Cognito's parameters, not OIDC's), and
   * Cognito sends it on to `logout_uri`. `true` uses `redirect` (then an absolute URL) as
   * `logout_uri`; `domain` (e.g. `https://myapp.auth.eu-west-1.amazoncognito.com`) saves the lookup
   * of `end_session_endpoint` in the pool's discovery document. `logout_uri` must be one of the app
   * client's sign-out URLs.
   */
  hostedUi?: boolean | { logoutUri?: string; domain?: string };
  /** Revoked token ids (shared with `requireCognito()`); default: the process-wide in-memory store. */
  revocationStore?: RevocationStore;
  /**
   * The session cookie's name, used when it cannot be recognised in the request (it normally is,
   * by the session id it carries). Default `'connect.sid'`, express-session's default.
   */
  cookieName?: string;
}

type LogoutRequest = IncomingMessage & {
  session?: {
    cookie?: { path?: string; domain?: string; secure?: boolean | 'auto'; sameSite?: boolean | string; httpOnly?: boolean };
    destroy?: (cb: (err?: unknown) => void) => void;
  };
  sessionID?: string;
  logout?: (...args: unknown[]) => void;
  cognito?: unknown;
};

/**
 * Logs the user out.
 *
 * 1. The session's token ids (`jti`, `origin_jti`) go into the revocation list until the tokens
 *    expire: `requireCognito()` refuses them from then on, as session or bearer tokens
 *    (`ERR_COGNITO_TOKEN_REVOKED`).
 * 2. RevokeToken (`revokeRefreshToken`) and GlobalSignOut (`globalSignOut`, default) — a failure
 *    there (Cognito down, token already revoked) is logged and does not stop the local logout.
 * 3. `req.logout()` (Passport), the session destroyed, its cookie cleared (same name, path and domain).
 * 4. A 302 to `redirect`, or 204.
 *
 * @example
 * app.post('/logout', cognitoLogout({ redirect: '/' }));
 * app.post('/api/logout', cognitoLogout({ revokeRefreshToken: true })); // 204
 */
export function cognitoLogout(options: CognitoLogoutOptions = {}): CognitoMiddleware {
  if (typeof options !== 'object' || options === null) throw new TypeError('cognitoLogout options must be an object');
  const config = resolveConfig(options);
  const methods = (options.methods ?? ['POST']);
  if (!Array.isArray(methods) || methods.length === 0 || methods.some((m) => typeof m !== 'string' || !/^[A-Za-z]+$/.test(m))) {
    throw new TypeError('"methods" must be a non-empty array of HTTP method names');
  }
  const allowed = new Set(methods.map((m: string) => m.toUpperCase()));
  const signOut = booleanOption(options.globalSignOut, 'globalSignOut', true);
  const revoke = booleanOption(options.revokeRefreshToken, 'revokeRefreshToken', false);
  const redirect = options.redirect;
  if (redirect !== undefined && (typeof redirect !== 'string' || !/^(\/(?![/\\])|https?:\/\/)/.test(redirect))) {
    throw new TypeError('"redirect" must be a path ("/") or an http(s) URL');
  }
  const hosted = hostedLogout(options.hostedUi, redirect, config);
  const cookieName = options.cookieName ?? 'connect.sid';
  if (typeof cookieName !== 'string' || !/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(cookieName)) {
    throw new TypeError('"cookieName" must be a cookie name');
  }
  const service = new ServiceClient(config);
  const store = options.revocationStore ?? defaultRevocationStore();
  if (typeof store?.isRevoked !== 'function' || typeof store.revoke !== 'function') {
    throw new TypeError('"revocationStore" must have revoke() and isRevoked() methods');
  }

  return function cognitoLogoutMiddleware(req, res, next) {
    const r = req as LogoutRequest;
    if (!allowed.has((r.method ?? 'GET').toUpperCase())) {
      debug('method %s not allowed', r.method);
      sendError(r, res, 405, { error: 'method_not_allowed', code: 'ERR_COGNITO_METHOD_NOT_ALLOWED', message: 'Log out with POST.' },
        { Allow: [...allowed].join(', ') });
      return;
    }
    logout(r, res, { config, service, globalSignOut: signOut, revokeRefreshToken: revoke, store, cookieName }).then(
      async () => {
        if (hosted !== undefined) {
          debug('logged out; on to the hosted UI\'s /logout');
          sendRedirect(res, await hosted());
        } else if (redirect !== undefined) {
          debug('logged out; redirecting');
          sendRedirect(res, redirect);
        } else {
          debug('logged out; 204');
          res.statusCode = 204;
          res.setHeader('Cache-Control', 'no-store');
          res.end();
        }
      },
      (err: unknown) => next(err),
    );
  };
}

// The URL of the hosted UI's /logout for this client, or undefined without `hostedUi`.
function hostedLogout(option: CognitoLogoutOptions['hostedUi'], redirect: string | undefined, config: ResolvedConfig): (() => Promise<string>) | undefined {
  if (option === undefined || option === false) return undefined;
  if (option !== true && (typeof option !== 'object' || option === null)) throw new TypeError('"hostedUi" must be true or { logoutUri?, domain? }');
  const logoutUri = option === true ? redirect : option.logoutUri ?? redirect;
  if (typeof logoutUri !== 'string' || !/^https?:\/\/[^/]/.test(logoutUri)) {
    throw new TypeError('"hostedUi" needs an absolute logout URI: "hostedUi.logoutUri", or "redirect" as a full URL');
  }
  const domain = option === true ? undefined : option.domain;
  if (domain !== undefined && (typeof domain !== 'string' || !/^https?:\/\/[^/?#]+(\/[^?#]*)?$/.test(domain))) {
    throw new TypeError('"hostedUi.domain" must be the pool domain\'s URL, e.g. "https://myapp.auth.eu-west-1.amazoncognito.com"');
  }
  const query = new URLSearchParams({ client_id: config.clientId, logout_uri: logoutUri }).toString();
  if (domain !== undefined) {
    const url = `${domain.replace(/\/$/, '')}/logout?${query}`;
    return () => Promise.resolve(url);
  }
  return async () => `${await endSessionEndpoint(config)}?${query}`;
}

interface LogoutSettings {
  config: ResolvedConfig;
  service: ServiceClient;
  globalSignOut: boolean;
  revokeRefreshToken: boolean;
  store: RevocationStore;
  cookieName: string;
}

async function logout(req: LogoutRequest, res: ServerResponse, s: LogoutSettings): Promise<void> {
  // Read everything about the session before Passport regenerates it and we destroy it.
  const tokens = getSessionTokens(req);
  const cookie = sessionCookie(req, s.cookieName);

  if (tokens) {
    await revokeLocally(s.store, tokens, s.config.leewaySeconds);
    await signOutAtCognito(s, tokens);
  }
  delete req.cognito;

  if (typeof req.logout === 'function') {
    await new Promise<void>((resolve) => {
      const fn = req.logout as (...args: unknown[]) => void;
      if (fn.length === 0) {
        fn.call(req); // Passport < 0.6: synchronous
        resolve();
        return;
      }
      fn.call(req, { keepSessionInfo: false }, (err?: unknown) => {
        if (err) debug('req.logout failed: %s', err instanceof Error ? err.name : typeof err);
        resolve();
      });
    });
  }
  const session = req.session;
  if (session && typeof session.destroy === 'function') {
    await new Promise<void>((resolve, reject) => {
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the store's error reaches next() as it was given
      session.destroy!.call(session, (err?: unknown) => (err ? reject(err) : resolve()));
    });
  }
  if (cookie) appendSetCookie(res, cookie);
}

async function revokeLocally(store: RevocationStore, tokens: SessionTokens, leewaySeconds: number): Promise<void> {
  const ids = new Set<string>();
  let until = tokens.expiresAt;
  for (const token of [tokens.accessToken, tokens.idToken]) {
    // An undecodable token cannot be presented successfully either.
    const claims = unverifiedClaims(token) ?? {};
    for (const id of [claims.jti, claims.origin_jti]) if (typeof id === 'string' && id !== '') ids.add(id);
    if (typeof claims.exp === 'number') until = Math.max(until, claims.exp);
  }
  if (ids.size === 0) return;
  // The verifier accepts a token until exp + leeway: the revocation must last as long.
  until += leewaySeconds;
  await store.revoke([...ids], until);
  debug('revoked %d token ids until %d', ids.size, until);
}

async function signOutAtCognito(s: LogoutSettings, tokens: SessionTokens): Promise<void> {
  if (!s.globalSignOut && !s.revokeRefreshToken) return;
  // RevokeToken first: GlobalSignOut would invalidate the refresh token it needs.
  if (s.revokeRefreshToken && tokens.refreshToken) {
    try {
      await revokeRefreshToken(s.service, s.config, tokens.refreshToken);
      debug('RevokeToken done');
    } catch (err) {
      debug('RevokeToken failed (%s); logging out locally anyway', isCognitoError(err) ? err.code : err instanceof Error ? err.name : typeof err);
    }
  }
  if (s.globalSignOut) {
    try {
      await globalSignOut(s.service, tokens.accessToken);
      debug('GlobalSignOut done');
    } catch (err) {
      debug('GlobalSignOut failed (%s); logging out locally anyway', isCognitoError(err) ? err.code : err instanceof Error ? err.name : typeof err);
    }
  }
}

/**
 * The `Set-Cookie` value that clears the session cookie: the request's cookie that carries this
 * session's id (so the name set on the session middleware is honoured), with the session cookie's path
 * and domain. `undefined` when there is no session.
 */
function sessionCookie(req: LogoutRequest, fallbackName: string): string | undefined {
  if (!req.session) return undefined;
  const name = cookieNameFor(req) ?? fallbackName;
  const c = req.session.cookie ?? {};
  const parts = [`${name}=`, `Path=${typeof c.path === 'string' && /^\/[\x21-\x3a\x3c-\x7e]*$/.test(c.path) ? c.path : '/'}`,
    'Expires=Thu, 01 Jan 1970 00:00:00 GMT'];
  if (typeof c.domain === 'string' && /^[A-Za-z0-9.-]+$/.test(c.domain)) parts.push(`Domain=${c.domain}`);
  if (c.httpOnly !== false) parts.push('HttpOnly');
  if (c.secure === true || (c.secure === 'auto' && (req.socket as { encrypted?: boolean } | undefined)?.encrypted)) parts.push('Secure');
  const sameSite = c.sameSite === true ? 'Strict' : typeof c.sameSite === 'string' ? c.sameSite : undefined;
  if (sameSite && /^(strict|lax|none)$/i.test(sameSite)) parts.push(`SameSite=${sameSite[0].toUpperCase()}${sameSite.slice(1).toLowerCase()}`);
  return parts.join('; ');
}

function cookieNameFor(req: LogoutRequest): string | undefined {
  const sid = req.sessionID;
  const header = req.headers.cookie;
  if (typeof sid !== 'string' || sid === '' || typeof header !== 'string') return undefined;
  for (const pair of header.split(';')) {
    const eq = pair.indexOf('=');
    if (eq === -1) continue;
    const name = pair.slice(0, eq).trim();
    let value = pair.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    try {
      value = decodeURIComponent(value);
    } catch {
      continue;
    }
    // express-session signs it as "s:<sid>.<signature>"; unsigned stores put the id alone.
    if ((value === sid || value.startsWith(`s:${sid}.`)) && /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(name)) return name;
  }
  return undefined;
}

function booleanOption(value: unknown, name: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new TypeError(`"${name}" must be a boolean`);
  return value;
}
