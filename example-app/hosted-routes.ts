/**
 * Sign-in through the user pool's hosted UI (managed login), straight to a federated identity
 * provider through it, logout through the hosted `/logout`, and a machine-to-machine API with the
 * page that calls it.
 *
 * - GET /auth/hosted and GET /auth/federated: `CognitoHostedStrategy` sends the browser to the
 *   pool's authorization endpoint (federated: with `identity_provider`, so Cognito goes on to that
 *   provider's own sign-in page).
 * - GET /auth/callback: the strategy checks state, PKCE, nonce and the tokens. Success: a 303 to the
 *   page asked for (default /profile), and the new session remembers that it came from the hosted UI
 *   (`hostedSignIn`). Failure: a 303 to /login, which shows the strategy's message once.
 * - POST /logout of a `hostedSignIn` session: `cognitoLogout({ hostedUi })` ends the app's session,
 *   then the browser goes to the pool domain's `/logout` (which ends the managed-login session, so the
 *   next hosted sign-in asks for the password again) and from there back to /login?loggedOut=1.
 *   Other sessions (the app's own password form) have no managed-login session: they fall through to
 *   the app's plain logout, with no detour.
 * - GET /api/orders: `requireCognito({ clientId: [web, m2m], scope })`, for a client-credentials
 *   token; GET /m2m: the server gets such a token with `clientCredentials()` and calls that API.
 *
 * A browser keeps separate cookies for http://localhost:3000 and http://127.0.0.1:3000: each origin
 * the app is served on has its own strategy, whose callback URL is on that origin, so that the
 * callback finds the session that started the sign-in.
 */
import express, { type Request, type RequestHandler, type Response } from 'express';
import type { AuthenticateOptions, Passport } from 'passport';
import {
  clientCredentials, CognitoHostedStrategy, cognitoLogout, isCognitoError, requireCognito, resolveConfig,
  type ClientCredentialsToken, type CognitoFailureInfo, type CognitoHostedAuthenticateOptions, type CognitoOptions,
} from 'express-cognito';
import type { SafeHtml } from './html';
import type { PageContext } from './layout';
import { safeReturnTo } from './login-routes';
import * as views from './views';

/** The hosted UI, as the app uses it (`ExampleAppConfig.hosted`). */
export interface HostedOptions {
  /**
   * The origins the app is served on (`http://localhost:3000`). Each one's `/auth/callback` must be
   * a callback URL of the app client, and its `/login?loggedOut=1` a sign-out URL.
   */
  origins: readonly string[];
  /**
   * The pool domain's URL: `https://<prefix>.auth.<region>.amazoncognito.com` (or the emulator's
   * `<endpoint>/domain/<prefix>`). Logout goes to its `/logout`, and the CSP lets the logout form's
   * redirect go to its origin.
   */
  domain: string;
  /** Scopes asked for (default `openid email profile aws.cognito.signin.user.admin`: the last one lets the profile page call GetUser). */
  scope?: readonly string[];
  /** A federated identity provider of the pool (its name in Cognito, also the button's label). */
  identityProvider?: string;
  /** A machine-to-machine app client (secret, `client_credentials`), for /api/orders and /m2m. */
  m2m?: M2mOptions;
}

/** The machine-to-machine client of {@link HostedOptions}. */
export interface M2mOptions {
  clientId: string;
  clientSecret: string;
  /** The scopes it asks for, which GET /api/orders requires (e.g. `['demo-api/orders.read']`). */
  scopes: readonly string[];
  /** Where /m2m calls the API: this app's own `/api/orders`, on a fixed loopback URL (never the request's Host). */
  apiUrl: string;
}

/** What the hosted routes need from the app. */
export interface HostedRoutesDeps {
  passport: InstanceType<typeof Passport>;
  cognito: CognitoOptions;
  hosted: HostedOptions;
  ctx: (req: Request, hasForm?: boolean) => PageContext;
  send: (res: Response, status: number, page: SafeHtml) => void;
  /** `requireCognito({ loginUrl: '/login', … })` of the app's pages. */
  guard: RequestHandler;
  now: () => number;
}

const DEFAULT_SCOPE = ['openid', 'email', 'profile', 'aws.cognito.signin.user.admin'];

// What GET /api/orders serves: made-up data, the point is who may read it.
const DEMO_ORDERS = [
  { id: 'A-1001', item: 'Blue mug', quantity: 2, status: 'shipped' },
  { id: 'A-1002', item: 'Notebook, squared', quantity: 5, status: 'packing' },
  { id: 'A-1003', item: 'Fountain pen', quantity: 1, status: 'delivered' },
];

/** The origins of {@link HostedOptions}, checked: `TypeError` naming the option otherwise. */
export function checkedOrigins(origins: unknown): readonly string[] {
  if (!Array.isArray(origins) || origins.length === 0) throw new TypeError('"hosted.origins" must be a non-empty array of origins');
  for (const o of origins) {
    let same = false;
    try {
      same = typeof o === 'string' && new URL(o).origin === o;
    } catch {
      same = false;
    }
    if (!same) throw new TypeError('"hosted.origins" must hold origins such as "http://localhost:3000" (no path, no trailing slash)');
  }
  return origins as string[];
}

/** GET /auth/hosted, /auth/federated, /auth/callback; POST /logout (hosted sessions); GET /api/orders and /m2m. */
export function hostedRoutes(deps: HostedRoutesDeps): express.Router {
  const { passport, cognito, hosted } = deps;
  const origins = checkedOrigins(hosted.origins);
  const router = express.Router();
  const scope = hosted.scope ?? DEFAULT_SCOPE;
  const strategyNames = new Map<string, string>();
  const logouts = new Map<string, RequestHandler>();
  for (const origin of origins) {
    const name = `cognito-hosted ${origin}`;
    passport.use(name, new CognitoHostedStrategy({ ...cognito, callbackURL: `${origin}/auth/callback`, scope }));
    strategyNames.set(origin, name);
    logouts.set(origin, cognitoLogout({ ...cognito, hostedUi: { domain: hosted.domain, logoutUri: `${origin}/login?loggedOut=1` } }));
  }
  // The request's origin when it is one of the app's; else the first (whose callback then fails the state check, safely).
  const originOf = (req: Request): string => {
    const origin = `${req.protocol}://${req.get('host') ?? ''}`;
    return strategyNames.has(origin) ? origin : origins[0];
  };
  const authenticate = (req: Request, options: CognitoHostedAuthenticateOptions | ((...args: never[]) => void)): RequestHandler =>
    passport.authenticate(strategyNames.get(originOf(req))!, options as AuthenticateOptions) as RequestHandler;

  const start = (identityProvider?: string): RequestHandler => (req, res, next) => {
    const returnTo = safeReturnTo(req.query.returnTo);
    if (req.user) return res.redirect(returnTo ?? '/profile');
    // Kept until the callback (the strategy saves the session before the browser leaves).
    if (returnTo) req.session.hostedReturnTo = returnTo;
    else delete req.session.hostedReturnTo;
    authenticate(req, identityProvider ? { identityProvider } : {})(req, res, next);
  };
  router.get('/auth/hosted', start());
  if (hosted.identityProvider) router.get('/auth/federated', start(hosted.identityProvider));

  router.get('/auth/callback', (req, res, next) => {
    const query = req.query as Record<string, unknown>;
    // Without them the strategy would start a new sign-in: this URL is only ever Cognito's answer.
    if (query.code === undefined && query.error === undefined && query.state === undefined) return res.redirect(303, '/login');
    const returnTo = safeReturnTo(req.session.hostedReturnTo);
    delete req.session.hostedReturnTo;
    const done = (err: unknown, user: Express.User | false, info?: CognitoFailureInfo): void => {
      if (err) return next(err);
      if (!user) {
        // The strategy's messages never carry a token or a code.
        req.session.loginNotice = { error: info?.message ?? 'The sign-in did not work. Please start again.' };
        return res.redirect(303, returnTo ? `/login?returnTo=${encodeURIComponent(returnTo)}` : '/login');
      }
      // Passport gives the signed-in user a new session (the strategy's tokens go into it); the flag goes in after.
      req.logIn(user, (loginErr) => {
        if (loginErr) return next(loginErr);
        req.session.hostedSignIn = true;
        res.redirect(303, returnTo ?? '/profile');
      });
    };
    authenticate(req, done)(req, res, next);
  });

  router.post('/logout', (req, res, next) => {
    if (req.session?.hostedSignIn !== true) return next();
    logouts.get(originOf(req))!(req, res, next);
  });

  if (hosted.m2m) router.use(m2mRoutes(deps, hosted.m2m));
  return router;
}

/** GET /api/orders (client-credentials tokens with the scope) and GET /m2m (the page that calls it). */
function m2mRoutes(deps: HostedRoutesDeps, m2m: M2mOptions): express.Router {
  const { cognito, ctx, send } = deps;
  const router = express.Router();
  const webClients = resolveConfig(cognito).clientIds;
  const apiGuard = requireCognito({ ...cognito, clientId: [...webClients, m2m.clientId], scope: m2m.scopes });
  router.get('/api/orders', apiGuard, (req, res) => {
    const c = req.cognito!;
    const caller = c.principal === 'client' ? { principal: 'client', clientId: c.clientId } : { principal: 'user', username: c.username };
    res.json({ caller, scopes: c.scopes, orders: DEMO_ORDERS });
  });

  // No I/O here: the first GET /m2m fetches the token, later ones reuse it until it is due for renewal.
  const tokens = clientCredentials({ ...cognito, clientId: m2m.clientId, clientSecret: m2m.clientSecret, scopes: m2m.scopes });
  router.get('/m2m', deps.guard, (req, res, next) => {
    (async () => {
      let token: ClientCredentialsToken | undefined;
      let error: string | undefined;
      try {
        token = await tokens.getTokenInfo();
      } catch (e) {
        if (!isCognitoError(e)) throw e;
        // The package's messages carry the HTTP status and OAuth error code, never the secret.
        error = `No token from the user pool: ${e.message}`;
      }
      const api = token && (await callApi(m2m.apiUrl, token.accessToken));
      // A token the API refuses (revoked, say) is not kept: the next visit gets a new one.
      if (api?.status === 401) tokens.invalidate();
      if (api?.status === 0) error = 'The API could not be reached.';
      send(res, token ? 200 : 502, views.m2mPage(ctx(req), {
        clientId: m2m.clientId, apiUrl: m2m.apiUrl, error, nowMs: deps.now(),
        token: token && { scopes: token.scopes, expiresAtMs: token.expiresAt },
        api: api && api.status !== 0 ? api : undefined,
      }));
    })().catch(next);
  });
  return router;
}

/** The API called with the token: its status and body (status 0 when it could not be reached). */
async function callApi(url: string, accessToken: string): Promise<{ status: number; body: string }> {
  try {
    // No redirects: the bearer token goes to this URL and nowhere else.
    const res = await fetch(url, {
      headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' }, redirect: 'error', signal: AbortSignal.timeout(5000),
    });
    const text = await res.text();
    let body = text;
    try {
      body = JSON.stringify(JSON.parse(text), null, 2);
    } catch {
      body = text.slice(0, 2000);
    }
    return { status: res.status, body };
  } catch {
    return { status: 0, body: '' };
  }
}
