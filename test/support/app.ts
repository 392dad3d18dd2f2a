/**
 * Test fixture for the web layer: real Express 4 / Express 5 apps (and a plain Connect app) wired to
 * an emulator pool with express-session, Passport, `CognitoStrategy`, `requireCognito()` and
 * `cognitoLogout()`, listening on loopback so that supertest drives them over real HTTP.
 *
 * Every app gets its own Passport instance and its own session store, so test files and apps never
 * share state; time comes from the emulator's clock (`pool.emulator.clock`), passed to the library as
 * its `clock`, so that tests move time instead of sleeping.
 *
 * @example
 * const pool = await startTestPool();
 * const web = await startApp(EXPRESS_FLAVORS[0], { pool });
 * const agent = request.agent(web.server);
 * await agent.post('/login').send({ username: 'alice', password: 'Passw0rd!' }).expect(200);
 * await agent.get('/api/me').expect(200);
 * await web.close();
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  AdminInitiateAuthCommand,
  AdminSetUserMFAPreferenceCommand,
  AssociateSoftwareTokenCommand,
  VerifySoftwareTokenCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import session from 'express-session';
import { Passport } from 'passport';
import type { Clock } from '../../lib/clock';
import { generateTotp } from '../../lib/totp';
import { cognitoLogout, type CognitoLogoutOptions } from '../../middleware/cognito-logout';
import { requireCognito, type RequireCognitoOptions } from '../../middleware/require-cognito';
import { MemoryRevocationStore, type RevocationStore } from '../../middleware/revocation-store';
import { CognitoStrategy, type CognitoStrategyOptions, type CognitoVerifyFunction } from '../../strategies/cognito-strategy';
import type { TestPool } from './pool';

/** An Express major version under test. */
export interface ExpressFlavor {
  name: string;
  /** The `express` module of that version. */
  load(): any;
}

/** Express 4 (installed as `express4`) and Express 5 (`express`). */
export const EXPRESS_FLAVORS: readonly ExpressFlavor[] = [
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  { name: 'Express 4', load: () => require('express4') },
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  { name: 'Express 5', load: () => require('express') },
];

/** The options every factory of the package needs to reach the test pool, with the emulator's clock. */
export function poolOptions(pool: TestPool, clock?: Clock): {
  userPoolId: string; clientId: string; clientSecret?: string; endpoint: string; region: string; clock: Clock; client: TestPool['sdk'];
} {
  return {
    userPoolId: pool.poolId,
    clientId: pool.clientId,
    ...(pool.clientSecret ? { clientSecret: pool.clientSecret } : {}),
    endpoint: pool.endpoint,
    region: pool.region,
    clock: clock ?? (() => pool.emulator.clock.now()),
    client: pool.sdk,
  };
}

/** What {@link startApp} builds. */
export interface AppOptions {
  pool: TestPool;
  /** Extra strategy options (the pool's options are already in). */
  strategy?: Partial<CognitoStrategyOptions>;
  verify?: CognitoVerifyFunction;
  /** Extra options of the `/api/*` guard. */
  guard?: Partial<RequireCognitoOptions>;
  /** Extra options of `POST /logout`. */
  logout?: Partial<CognitoLogoutOptions>;
  /** Shared by every guard and the logout of this app; default: a fresh MemoryRevocationStore on the emulator clock. */
  revocationStore?: RevocationStore;
  /** Pass no store at all: guard and logout fall back to the process-wide default. */
  useDefaultRevocationStore?: boolean;
  /** express-session cookie name; default 'connect.sid'. */
  cookieName?: string;
}

/** A running test app. */
export interface TestApp {
  server: Server;
  url: string;
  /** The session store: tests look inside to check where tokens live. */
  sessionStore: session.MemoryStore;
  revocationStore: RevocationStore;
  close(): Promise<void>;
}

function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ server: Server; url: string }> {
  const server = createServer(handler);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({ server, url: `http://127.0.0.1:${port}` });
    });
  });
}

function closer(server: Server): () => Promise<void> {
  return () => new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/**
 * Starts an app of `flavor` with these routes:
 * - `GET /touch` → `{ sid }` (creates the session);
 * - `GET /whoami` → `{ sid, user }` (no guard);
 * - `POST /login` → JSON: 200 `{ user, sid }`, or the strategy's status and info;
 * - `POST /login-form` → `successRedirect: '/home'`, `failureRedirect: '/login'`;
 * - `GET /api/me` → guard (+ `guard` options) → `req.cognito` without the tokens;
 * - `GET /api/id` → `tokenUse: 'id'`; `GET /admin` → `groups: ['admin']`; `GET /scoped` → `scope: 'custom/read'`;
 * - `GET /page` → `loginUrl: '/login'`; `/logout` (all methods) → `cognitoLogout(logout)`;
 * - errors → `{ code, message }` with `err.status` (and `Retry-After` when known).
 */
export async function startApp(flavor: ExpressFlavor, options: AppOptions): Promise<TestApp> {
  const express = flavor.load();
  const { pool } = options;
  const base = poolOptions(pool);
  const revocationStore = options.revocationStore ?? new MemoryRevocationStore({ clock: base.clock });
  const sessionStore = new session.MemoryStore();
  const passport = new Passport();
  passport.use(new CognitoStrategy({ ...base, ...options.strategy }, ...(options.verify ? [options.verify] : [])));
  passport.serializeUser((user: unknown, done: (e: unknown, u?: unknown) => void) => done(null, user));
  passport.deserializeUser((user: unknown, done: (e: unknown, u?: unknown) => void) => done(null, user as Express.User));

  const store = options.useDefaultRevocationStore ? {} : { revocationStore };
  const guard = (extra: Partial<RequireCognitoOptions> = {}) => requireCognito({ ...base, ...store, ...options.guard, ...extra });
  const context = (req: any) => {
    const { claims, accessToken, idToken, ...rest } = req.cognito;
    return { ...rest, claims, hasAccessToken: Boolean(accessToken), hasIdToken: Boolean(idToken) };
  };

  const app = express();
  app.use(express.json());
  app.use(express.urlencoded({ extended: false }));
  app.use(session({
    name: options.cookieName ?? 'connect.sid',
    secret: 'test secret',
    resave: false,
    saveUninitialized: false,
    store: sessionStore,
  }));
  app.use(passport.initialize());
  app.use(passport.session());

  app.get('/touch', (req: any, res: any) => {
    req.session.touched = true;
    res.json({ sid: req.sessionID });
  });
  app.get('/whoami', (req: any, res: any) => res.json({ sid: req.sessionID, user: req.user ?? null }));
  app.post('/login', (req: any, res: any, next: any) => {
    passport.authenticate('cognito', (err: unknown, user: unknown, info: unknown, status: number | undefined) => {
      if (err) return next(err);
      if (!user) return res.status(status ?? 401).json(info ?? {});
      req.logIn(user, (e: unknown) => (e ? next(e) : res.json({ user, sid: req.sessionID })));
    })(req, res, next);
  });
  app.post('/login-form', passport.authenticate('cognito', { successRedirect: '/home', failureRedirect: '/login' }));
  app.get('/api/me', guard(), (req: any, res: any) => res.json(context(req)));
  app.get('/api/id', guard({ tokenUse: 'id', scope: undefined }), (req: any, res: any) => res.json(context(req)));
  app.get('/admin', guard({ groups: ['admin'] }), (req: any, res: any) => res.json(context(req)));
  app.get('/scoped', guard({ scope: 'custom/read' }), (req: any, res: any) => res.json(context(req)));
  app.get('/page', guard({ loginUrl: '/login' }), (req: any, res: any) => res.type('html').send(`<p>hello ${req.cognito.username}</p>`));
  app.all('/logout', cognitoLogout({ ...base, ...store, ...options.logout }));
  app.use((err: any, _req: any, res: any, _next: any) => {
    if (typeof err?.retryAfterSeconds === 'number') res.set('Retry-After', String(err.retryAfterSeconds));
    res.status(typeof err?.status === 'number' ? err.status : 500).json({ code: err?.code ?? 'ERR', message: String(err?.message) });
  });

  const { server, url } = await listen(app);
  return { server, url, sessionStore, revocationStore, close: closer(server) };
}

/**
 * A plain Connect app (no session, no Express helpers) with `requireCognito()` on `/api/me`, and a
 * `requireCognito({ loginUrl: '/login' })` guard on every other path.
 *
 * @example
 * const web = await startConnectApp(pool);
 * await request(web.server).get('/api/me').set('Authorization', `Bearer ${token}`).expect(200);
 */
export async function startConnectApp(pool: TestPool, guard: Partial<RequireCognitoOptions> = {}): Promise<TestApp> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const connect = require('connect');
  const base = poolOptions(pool);
  const revocationStore = guard.revocationStore ?? new MemoryRevocationStore({ clock: base.clock });
  const app = connect();
  app.use('/api/me', requireCognito({ ...base, revocationStore, ...guard }));
  app.use('/api/me', (req: any, res: ServerResponse) => {
    const { claims, accessToken: _a, idToken: _i, ...rest } = req.cognito;
    res.setHeader('Content-Type', 'application/json');
    res.end(JSON.stringify({ ...rest, claims }));
  });
  // Everything else: a browser-facing guard, to see what a raw request target becomes in returnTo.
  app.use(requireCognito({ ...base, revocationStore, loginUrl: '/login' }));
  app.use((_req: IncomingMessage, res: ServerResponse) => res.end('ok'));
  const { server, url } = await listen(app);
  return { server, url, sessionStore: new session.MemoryStore(), revocationStore, close: closer(server) };
}

/**
 * Tokens for `username` straight from the pool (ADMIN_USER_PASSWORD_AUTH), for bearer tests.
 *
 * @example
 * const { AccessToken } = await poolTokens(pool, 'alice', 'Passw0rd!');
 */
export async function poolTokens(
  pool: TestPool,
  username: string,
  password: string,
): Promise<{ AccessToken: string; IdToken: string; RefreshToken: string }> {
  const out = await pool.sdk.send(new AdminInitiateAuthCommand({
    UserPoolId: pool.poolId,
    ClientId: pool.clientId,
    AuthFlow: 'ADMIN_USER_PASSWORD_AUTH',
    AuthParameters: { USERNAME: username, PASSWORD: password },
  }));
  const r = out.AuthenticationResult;
  if (!r?.AccessToken || !r.IdToken || !r.RefreshToken) throw new Error(`no tokens for ${username} (challenge ${out.ChallengeName})`);
  return { AccessToken: r.AccessToken, IdToken: r.IdToken, RefreshToken: r.RefreshToken };
}

/**
 * Enrols `username` in TOTP MFA (associate, verify, prefer) and returns the base32 secret. Call it
 * while the pool does not yet ask that user for MFA (e.g. mfa OPTIONAL, user without factors).
 *
 * @example
 * const secret = await enrolTotp(pool, 'bob', 'Passw0rd!');
 * const code = totpNow(pool, secret);
 */
export async function enrolTotp(pool: TestPool, username: string, password: string): Promise<string> {
  const { AccessToken } = await poolTokens(pool, username, password);
  const { SecretCode } = await pool.sdk.send(new AssociateSoftwareTokenCommand({ AccessToken }));
  await pool.sdk.send(new VerifySoftwareTokenCommand({ AccessToken, UserCode: totpNow(pool, SecretCode!) }));
  await pool.sdk.send(new AdminSetUserMFAPreferenceCommand({
    UserPoolId: pool.poolId, Username: username, SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true },
  }));
  return SecretCode!;
}

/**
 * Turns on SMS MFA for `username` (who needs a `phone_number` attribute).
 *
 * @example
 * await enableSms(pool, 'carol', { preferred: true });
 */
export async function enableSms(pool: TestPool, username: string, { preferred = false } = {}): Promise<void> {
  await pool.sdk.send(new AdminSetUserMFAPreferenceCommand({
    UserPoolId: pool.poolId, Username: username, SMSMfaSettings: { Enabled: true, PreferredMfa: preferred },
  }));
}

/**
 * The TOTP code for `secret` at the emulator's current time.
 *
 * @example
 * await agent.post('/login').send({ code: totpNow(pool, secret) });
 */
export function totpNow(pool: TestPool, secret: string): string {
  return generateTotp(secret, pool.emulator.clock.now());
}

/**
 * The last SMS code the emulator sent to `username`.
 *
 * @example
 * await agent.post('/login').send({ code: lastSmsCode(pool, 'carol') });
 */
export function lastSmsCode(pool: TestPool, username: string): string {
  const messages = pool.emulator.smsOutbox(username);
  const last = messages[messages.length - 1];
  if (!last) throw new Error(`no SMS for ${username}`);
  return last.code;
}

/**
 * The session id in a response's `Set-Cookie` for `name` (unsigned), or undefined.
 *
 * @example
 * const sid = sidFromSetCookie(res.headers['set-cookie']);
 */
export function sidFromSetCookie(setCookie: string[] | string | undefined, name = 'connect.sid'): string | undefined {
  const list = setCookie === undefined ? [] : Array.isArray(setCookie) ? setCookie : [setCookie];
  for (const c of list) {
    const m = new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}=([^;]*)`).exec(c);
    if (m) {
      const value = decodeURIComponent(m[1]);
      const sid = /^s:([^.]+)\./.exec(value);
      return sid ? sid[1] : value;
    }
  }
  return undefined;
}

/**
 * The session record kept by the store for `sid` (parsed), or undefined.
 *
 * @example
 * const record = await storedSession(web.sessionStore, sid);
 */
export function storedSession(store: session.MemoryStore, sid: string): Promise<Record<string, any> | undefined> {
  return new Promise((resolve, reject) => {
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the store's own error, as it was given
    store.get(sid, (err: unknown, data?: unknown) => (err ? reject(err) : resolve((data ?? undefined) as Record<string, any> | undefined)));
  });
}
