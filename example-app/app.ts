/**
 * The example app: an Express app that signs people in with Amazon Cognito (or the embedded
 * emulator) through `express-cognito`, exactly as the README tells users to.
 *
 * `createApp(config)` returns the app without listening, so the tests drive this very app;
 * `server.ts` is the entry that starts it.
 */
import express, { type NextFunction, type Request, type Response } from 'express';
import session from 'express-session';
import { Passport } from 'passport';
import {
  CognitoStrategy, cognitoCsrf, cognitoLogout, cognitoPasskeys, CsrfTokenError, csrfToken, requireCognito,
  type CognitoOptions, type CognitoRefusal, type CognitoRequestContext,
} from 'express-cognito';
import { accountRoutes, trimTypedNames } from './account-routes';
import { hostedRoutes, type HostedOptions } from './hosted-routes';
import type { SafeHtml } from './html';
import { loginRoutes } from './login-routes';
import { PASSKEY_PAGE_SCRIPT } from './passkey-page-script';
import { passwordPolicySource } from './password-policy';
import { PASSKEY_PAGE_SCRIPT_PATH, PASSKEYS_PATH } from './passwordless-views';
import { securityHeaders } from './security-headers';
import { STYLESHEET } from './style';
import * as views from './views';

/** How {@link createApp} is set up. */
export interface ExampleAppConfig {
  /**
   * Where the user pool is: pool id, client id (and secret), region, endpoint. Fields left out come
   * from the environment (`COGNITO_USER_POOL_ID`, `COGNITO_CLIENT_ID`, …), as everywhere in the package.
   */
  cognito?: CognitoOptions;
  /** Signs the session cookie. Use a long random value; several rotate (the first signs). */
  sessionSecret: string | string[];
  /** Where sessions are kept (default: express-session's MemoryStore, fine for one process). */
  sessionStore?: session.Store;
  /** Send the session cookie over HTTPS only (set it when the app is served over HTTPS). */
  secureCookies?: boolean;
  /** Express's `trust proxy` setting, when the app runs behind a reverse proxy that terminates TLS. */
  trustProxy?: boolean | number | string;
  /** Shown in the page titles and as the issuer in authenticator apps. Default `'express-cognito demo'`. */
  appName?: string;
  /** The demo accounts to list on the login page (embedded emulator only). */
  demo?: { users: views.DemoUser[]; totpSecret?: string };
  /** "Now" in ms, for the profile page's "expires in"; the emulator's clock in tests. Default `Date.now`. */
  clock?: () => number;
  /**
   * Sign-in through the pool's hosted UI (and a federated provider), logout through its `/logout`,
   * and a machine-to-machine API (see `hosted-routes.ts`). Absent: the login page has no such buttons.
   */
  hosted?: HostedOptions;
  /**
   * Offer "Sign in with a security check" (/login/security-check): CUSTOM_AUTH, the password and then
   * the question of the pool's triggers in `custom-challenge.ts` (the embedded emulator runs them; a
   * real pool needs them deployed and `ALLOW_CUSTOM_AUTH` on the app client). Default false.
   */
  securityCheck?: boolean;
  /**
   * Offer "Sign in without a password" (/login/passwordless): USER_AUTH through another strategy,
   * `'cognito-choice'` (an e-mailed or texted code, a passkey, or the password, as the pool allows),
   * and passkeys on the Security page (`cognitoPasskeys()` at /passkeys). The pool needs those first
   * factors in its sign-in policy, a `WebAuthnConfiguration` for passkeys, and the app client
   * `ALLOW_USER_AUTH` (`passwordless-demo.ts` sets the embedded emulator's up). Default false.
   */
  passwordless?: boolean;
}

/** The user Passport keeps in the session: the strategy's default user (from the ID token). */
interface AppUser {
  sub: string;
  username: string;
  email?: string;
  groups: string[];
}

/**
 * Builds the example app.
 *
 * @example
 * const app = createApp({ sessionSecret: process.env.SESSION_SECRET! });
 * app.listen(3000);
 */
export function createApp(config: ExampleAppConfig): express.Express {
  const appName = config.appName ?? 'express-cognito demo';
  const now = config.clock ?? Date.now;
  const cognito = config.cognito ?? {};

  // Passport instance of this app (rather than the global one), so that several apps — tests start
  // more than one — never share a strategy. With one app, the global `passport` works the same.
  const passport = new Passport();
  const totpIssuer = appName.replace(/:/g, ' ');
  passport.use(new CognitoStrategy({ ...cognito, authFlow: 'USER_SRP_AUTH', totpIssuer }));
  // The security check: the same pool and client, signed in by the pool's own challenge triggers.
  if (config.securityCheck) passport.use('cognito-custom', new CognitoStrategy({ ...cognito, authFlow: 'CUSTOM_AUTH' }));
  // Passwordless: the same pool and client, signed in by the factor the user picks among those Cognito offers.
  if (config.passwordless) passport.use('cognito-choice', new CognitoStrategy({ ...cognito, authFlow: 'USER_AUTH', totpIssuer }));
  passport.serializeUser((user, done) => done(null, user));
  passport.deserializeUser((user: AppUser, done) => done(null, user));

  const app = express();
  app.disable('x-powered-by');
  if (config.trustProxy !== undefined) app.set('trust proxy', config.trustProxy);
  // The hosted logout's redirect leaves through the pool domain's origin: the CSP's form-action must allow it.
  // Passkeys need scripts from this origin (the package's /passkeys/client.js, the page's own) and their fetch calls: 'self' only.
  app.use(securityHeaders({ formActionOrigins: config.hosted ? [config.hosted.domain] : [], scripts: Boolean(config.passwordless) }));
  app.get('/style.css', (_req, res) => {
    res.set('Cache-Control', 'public, max-age=3600').type('text/css').send(STYLESHEET);
  });
  if (config.passwordless) {
    app.get(PASSKEY_PAGE_SCRIPT_PATH, (_req, res) => {
      res.set('Cache-Control', 'public, max-age=3600').type('text/javascript').send(PASSKEY_PAGE_SCRIPT);
    });
  }

  app.use(
    session({
      name: 'excog.sid',
      secret: config.sessionSecret,
      resave: false,
      saveUninitialized: false,
      ...(config.sessionStore ? { store: config.sessionStore } : {}),
      // Eight hours, then a new login (the refresh token would last longer: the session decides).
      cookie: { httpOnly: true, sameSite: 'lax', secure: config.secureCookies ?? false, path: '/', maxAge: 8 * 3600 * 1000 },
    }),
  );
  app.use(express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 20 }));
  app.use(passport.initialize());
  app.use(passport.session());
  app.use(trimTypedNames);
  app.use(cognitoCsrf());

  // A CSRF token (and so a stored session) only for pages with a form: a login or challenge form,
  // or the logout button of a signed-in user. Anonymous visits to other pages create no session.
  const ctx = (req: Request, hasForm = false): views.PageContext => {
    const user = req.user as AppUser | undefined;
    return {
      csrfToken: hasForm || user ? csrfToken(req) : '', username: user?.username, groups: user?.groups, appName, m2m: Boolean(config.hosted?.m2m),
    };
  };
  const send = (res: Response, status: number, page: SafeHtml): void => {
    res.status(status).type('html').send(page.toString());
  };

  // Pages answer a refusal (e.g. bob, not in group admin, on /admin) with this app's own page; a
  // browser that is not signed in is still sent to /login by the guard. /api keeps the JSON answers.
  const refusalPage = (req: Request, res: Response, _next: NextFunction, refusal: CognitoRefusal): void => {
    res.set(refusal.headers);
    const { title, message } = describeError({ status: refusal.status });
    send(res, refusal.status, views.errorPage(ctx(req), { status: refusal.status, title, message }));
  };
  const guard = requireCognito({ ...cognito, loginUrl: '/login', onRefusal: refusalPage });
  const adminGuard = requireCognito({ ...cognito, groups: ['admin'], loginUrl: '/login', onRefusal: refusalPage });
  const apiGuard = requireCognito({ ...cognito });

  app.get('/', (req, res) => res.redirect(req.user ? '/profile' : '/login'));

  // Read once, on first use: the pages that ask for a new password show its rules.
  const policy = passwordPolicySource(cognito);

  const hosted = config.hosted && { identityProvider: config.hosted.identityProvider };
  app.use(loginRoutes({
    passport, ctx, send, policy, demo: config.demo, hosted, securityCheck: config.securityCheck, passwordless: config.passwordless,
  }));
  if (config.hosted) app.use(hostedRoutes({ passport, cognito, hosted: config.hosted, ctx, send, guard, now }));
  if (config.passwordless) {
    // The Security page says "deleted" only once the list no longer has it (the router answers the form with a 303).
    app.post(`${PASSKEYS_PATH}/delete`, (req, _res, next) => {
      const id = (req.body as Record<string, unknown>).credentialId;
      if (typeof id === 'string' && id.length <= 1364) req.session.passkeyDeleted = id;
      next();
    });
    // The package's passkey routes (after cognitoCsrf(): its script sends the token as x-csrf-token) and its browser script.
    app.use(PASSKEYS_PATH, cognitoPasskeys({ ...cognito, loginUrl: '/login', redirect: '/mfa' }));
  }
  app.use(accountRoutes({ cognito, totpIssuer, ctx, send, guard, policy, now, passkeys: Boolean(config.passwordless) }));

  app.get('/admin', adminGuard, (req, res) => {
    // A guard without `scope` lets users only, never an app client's token.
    const c = req.cognito as CognitoRequestContext;
    send(res, 200, views.adminPage(ctx(req), { username: c.username, groups: c.groups }));
  });

  app.get('/api/me', apiGuard, (req, res) => {
    const { username, sub, groups, scopes, tokenUse, source, claims } = req.cognito!;
    res.json({ username, sub, groups, scopes, tokenUse, source, expiresAt: claims.exp, claims });
  });

  // cognitoCsrf() (above) has already refused a logout form that did not come from this site. A session
  // that came from the hosted UI was logged out by hostedRoutes (through the pool domain's /logout).
  app.post('/logout', cognitoLogout({ ...cognito, redirect: '/login?loggedOut=1' }));

  app.use((req, res) => {
    if (req.path.startsWith('/api/')) {
      res.status(404).json({ error: 'not_found', message: 'No such endpoint.' });
      return;
    }
    send(res, 404, views.errorPage(ctx(req), { status: 404, title: 'Page not found', message: 'There is no page at this address.' }));
  });

  app.use((err: unknown, req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(err);
    const { status, title, message } = describeError(err);
    if (status >= 500) console.error('example-app: %s %s failed:', req.method, req.originalUrl, err);
    const retryAfter = (err as { retryAfterSeconds?: unknown }).retryAfterSeconds;
    if (status === 429 && typeof retryAfter === 'number') res.set('Retry-After', String(Math.ceil(retryAfter)));
    if (req.path.startsWith('/api/')) {
      res.status(status).json({ error: title, message });
      return;
    }
    let page: SafeHtml;
    try {
      page = views.errorPage(ctx(req), { status, title, message });
    } catch {
      page = views.errorPage({ csrfToken: '', appName }, { status, title, message });
    }
    send(res, status, page);
  });

  return app;
}

/** Words for an error, by status: never its stack, and never a message that might carry a secret. */
function describeError(err: unknown): { status: number; title: string; message: string } {
  if (err instanceof CsrfTokenError) return { status: 403, title: 'Form expired', message: err.message };
  const raw = (err as { status?: unknown; statusCode?: unknown } | null) ?? {};
  const s = typeof raw.status === 'number' ? raw.status : typeof raw.statusCode === 'number' ? raw.statusCode : 500;
  const status = s >= 400 && s < 600 ? s : 500;
  switch (status) {
    case 400:
      return { status, title: 'Bad request', message: 'The request could not be understood.' };
    case 401:
      return { status, title: 'Please log in', message: 'You need to log in to see this page.' };
    case 403:
      return { status, title: 'Not allowed', message: 'Your account is not allowed to see this page.' };
    case 413:
      return { status, title: 'Too large', message: 'What was sent is too large.' };
    case 429:
      return { status, title: 'Too many attempts', message: 'There were too many attempts. Wait a moment, then try again.' };
    case 502:
    case 503:
    case 504:
      return { status, title: 'Sign-in service unavailable', message: 'The sign-in service cannot be reached right now. Please try again in a moment.' };
    default:
      return status < 500
        ? { status, title: 'Request refused', message: 'The request was refused.' }
        : { status: 500, title: 'Something went wrong', message: 'Something went wrong on our side. Please try again.' };
  }
}
