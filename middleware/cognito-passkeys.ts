/**
 * `cognitoPasskeys(options?)`: the passkey routes an app mounts where it likes
 * (`app.use('/passkeys', cognitoPasskeys(…))`), for the signed-in user (its own `requireCognito()`
 * first: bearer or session tokens, renewed as usual):
 *
 * | route | body | Cognito |
 * |---|---|---|
 * | `GET /` | — | ListWebAuthnCredentials: `{ ok, passkeys: [{ credentialId, friendlyName, createdAt, … }] }` |
 * | `POST /registration/options` | — | StartWebAuthnRegistration: `{ ok, options }` (for `navigator.credentials.create`) |
 * | `POST /registration` | `credential` (the browser's `credential.toJSON()`, or its JSON text) | CompleteWebAuthnRegistration |
 * | `POST /delete` | `credentialId` | DeleteWebAuthnCredential |
 * | `GET /client.js` | — | none: the browser script (`./passkeys-client`) |
 *
 * Registering needs a recent sign-in (`auth_time` within `recentSignInSeconds`, default 300): a stolen
 * session cookie alone cannot add the thief's passkey to the account. Registrations are rate limited
 * per user. Answers are JSON; a browser posting the delete form gets a 303 to `redirect`.
 * Bad input is a 400 naming the field before any Cognito call.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import createDebug from 'debug';
import type { AccountContext } from '../lib/account';
import { resolveConfig, type CognitoOptions } from '../lib/config';
import type { CognitoErrorCode } from '../lib/error-codes';
import { CognitoError, isCognitoError } from '../lib/errors';
import { completePasskeyRegistration, deletePasskey, listPasskeys, startPasskeyRegistration } from '../lib/passkeys';
import { ServiceClient } from '../lib/service-client';
import { readCredential } from '../strategies/login-fields';
import { readBody } from './form-body';
import { PASSKEYS_CLIENT_JS } from './passkeys-client';
import { checkRule, MemoryRateLimitStore, overLimit, rateLimitKey, type RateLimitRule, type RateLimitStore } from './rate-limit';
import { requireCognito } from './require-cognito';
import { isSafeReturnTo } from './return-to';
import { sendError, sendJson, sendRedirect, wantsHtml } from './respond';
import type { CognitoRequestContext } from './types';

const debug = createDebug('express-cognito:passkeys');

/** Options of {@link cognitoPasskeys}: the shared Cognito options and these. */
export interface CognitoPasskeysOptions extends CognitoOptions {
  /** How recent the sign-in must be to register a passkey, in seconds (default 300; 60–86400). */
  recentSignInSeconds?: number;
  /** Where a browser that is not signed in is sent (the guard's `loginUrl`); without it, a 401. */
  loginUrl?: string;
  /** Where a browser's delete form post is redirected (a path on this site; default `'/'`). */
  redirect?: string;
  /** Registrations (options asked) per user (default 10 per 15 minutes). */
  rateLimit?: RateLimitRule;
  /** Where hits are counted (default: this process's memory). */
  rateLimitStore?: RateLimitStore;
}

type Request = IncomingMessage & { body?: unknown; cognito?: CognitoRequestContext };
type Next = (err?: unknown) => void;
type Route = 'list' | 'options' | 'register' | 'delete' | 'client';

const ROUTES: Record<string, { route: Route; method: string }> = {
  '': { route: 'list', method: 'GET' },
  'registration/options': { route: 'options', method: 'POST' },
  registration: { route: 'register', method: 'POST' },
  delete: { route: 'delete', method: 'POST' },
  'client.js': { route: 'client', method: 'GET' },
};

/**
 * The passkeys router.
 *
 * @throws TypeError for a bad option.
 * @example
 * app.use(session({ … }), express.urlencoded({ extended: false }), cognitoCsrf());
 * app.use('/passkeys', cognitoPasskeys({ loginUrl: '/login', redirect: '/security' }));
 * // <script src="/passkeys/client.js" defer></script>
 * // <button data-passkey-register data-passkeys-path="/passkeys" data-csrf-token="…">Add a passkey</button>
 */
export function cognitoPasskeys(options: CognitoPasskeysOptions = {}): (req: IncomingMessage, res: ServerResponse, next: Next) => void {
  if (typeof options !== 'object' || options === null) throw new TypeError('cognitoPasskeys options must be an object');
  const config = resolveConfig(options);
  const ctx: AccountContext = { config, service: new ServiceClient(config) };
  const recent = options.recentSignInSeconds ?? 300;
  if (!Number.isInteger(recent) || recent < 60 || recent > 86_400) throw new TypeError('"recentSignInSeconds" must be an integer from 60 to 86400');
  const redirect = options.redirect ?? '/';
  if (!isSafeReturnTo(redirect)) throw new TypeError('"redirect" must be a path on this site');
  const rule = options.rateLimit === undefined ? { limit: 10, windowSeconds: 900 } : checkRule(options.rateLimit, 'rateLimit');
  const store = options.rateLimitStore ?? new MemoryRateLimitStore({ clock: config.clock });
  if (typeof store !== 'object' || store === null || typeof store.hit !== 'function') throw new TypeError('"rateLimitStore" must have a hit() method');
  const { loginUrl } = options;
  if (loginUrl !== undefined && !isSafeReturnTo(loginUrl)) throw new TypeError('"loginUrl" must be a path on this site');
  const guard = requireCognito({ ...options, ...(loginUrl === undefined ? {} : { loginUrl }) });

  const handle = async (req: Request, res: ServerResponse, route: Exclude<Route, 'client'>, user: CognitoRequestContext): Promise<void> => {
    const token = user.accessToken;
    if (token === undefined) throw new CognitoError('Sign in with an access token.', 'ERR_COGNITO_TOKEN_MISSING', 401);
    switch (route) {
      case 'list': {
        const passkeys = await listPasskeys(ctx, token);
        return sendJson(res, 200, {
          ok: true,
          passkeys: passkeys.map((p) => ({ ...p, createdAt: p.createdAt?.toISOString() })),
        });
      }
      case 'options': {
        const authTime = (user.claims as { auth_time?: unknown }).auth_time;
        const now = Math.floor(config.clock() / 1000);
        if (typeof authTime !== 'number' || now - authTime > recent) {
          return refuse(req, res, 401, 'ERR_COGNITO_RECENT_SIGN_IN_REQUIRED', 'Sign in again to add a passkey.');
        }
        const wait = await overLimit(store, [[rateLimitKey('passkeys', 'user', user.sub), rule]]);
        if (wait !== undefined) {
          res.setHeader('Retry-After', String(wait));
          return refuse(req, res, 429, 'ERR_COGNITO_THROTTLED', 'Too many attempts; try again later.');
        }
        return sendJson(res, 200, { ok: true, options: await startPasskeyRegistration(ctx, token) });
      }
      case 'register': {
        const field = readCredential(await readBody(req), 'credential');
        if (field.state !== 'ok') return badField(req, res, 'credential', field.state === 'absent' ? 'is required' : field.reason);
        try {
          await completePasskeyRegistration(ctx, token, field.value);
        } catch (e) {
          if (e instanceof TypeError) return badField(req, res, 'credential', 'is not a WebAuthn credential');
          throw e;
        }
        return sendJson(res, 201, { ok: true });
      }
      case 'delete': {
        const body = await readBody(req);
        const id = typeof body === 'object' && body !== null ? (body as Record<string, unknown>).credentialId : undefined;
        try {
          await deletePasskey(ctx, token, id);
        } catch (e) {
          if (e instanceof TypeError) return badField(req, res, 'credentialId', 'must be a credential id');
          throw e;
        }
        return wantsHtml(req) ? sendRedirect(res, redirect, 303) : sendJson(res, 200, { ok: true });
      }
    }
  };

  return (rawReq, res, next) => {
    const req = rawReq as Request;
    const path = (req.url ?? '/').split('?')[0].replace(/^\/+|\/+$/g, '');
    const entry = ROUTES[path];
    if (entry === undefined) return next();
    if (req.method !== entry.method && !(entry.method === 'GET' && req.method === 'HEAD')) {
      res.setHeader('Allow', entry.method);
      return sendError(req, res, 405, { error: 'invalid_request', code: 'ERR_COGNITO_METHOD_NOT_ALLOWED', message: `Use ${entry.method}.` });
    }
    if (entry.route === 'client') {
      res.statusCode = 200;
      res.setHeader('Content-Type', 'text/javascript; charset=utf-8');
      res.setHeader('Cache-Control', 'public, max-age=3600');
      res.setHeader('X-Content-Type-Options', 'nosniff');
      return void res.end(req.method === 'HEAD' ? undefined : PASSKEYS_CLIENT_JS);
    }
    guard(req, res, (err?: unknown) => {
      if (err !== undefined) return next(err);
      const user = req.cognito;
      if (user === undefined || user.principal !== 'user') return next(new Error('cognitoPasskeys: the guard let a request through without a user'));
      handle(req, res, entry.route as Exclude<Route, 'client'>, user).then(
        () => debug('%s ok', entry.route),
        (e: unknown) => {
          if (!isCognitoError(e)) return next(e);
          debug('%s → %s', entry.route, e.code);
          refuse(req, res, e.status, e.code, e.message);
        },
      );
    });
  };
}

function refuse(req: Request, res: ServerResponse, status: number, code: CognitoErrorCode, message: string): void {
  sendError(req, res, status, { error: status === 401 ? 'invalid_token' : 'invalid_request', code, message });
}

function badField(req: Request, res: ServerResponse, field: string, reason: string): void {
  sendError(req, res, 400, { error: 'invalid_request', code: 'ERR_COGNITO_INVALID_FIELD', message: `The ${field} ${reason}.`, field });
}
