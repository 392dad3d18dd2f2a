/**
 * The app the login and renewal benchmarks drive: Express 5, express-session (MemoryStore), Passport
 * with `CognitoStrategy` (USER_SRP_AUTH), `POST /login` answering JSON, and `GET /api/me` behind
 * `requireCognito()` — what a real app of this package looks like — pointed at an emulator pool.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import express, { type NextFunction, type Request, type Response } from 'express';
import session from 'express-session';
import { Passport } from 'passport';
import type { Clock } from '../lib/clock';
import { requireCognito } from '../middleware/require-cognito';
import { CognitoStrategy } from '../strategies/cognito-strategy';

/** Where the pool is. */
export interface BenchPool {
  endpoint: string;
  region: string;
  poolId: string;
  clientId: string;
  /** An SDK client for the emulator (the app's calls go through it). */
  client?: CognitoIdentityProviderClient;
  /** Time as the app sees it (default `Date.now`). */
  clock?: Clock;
}

/** A running bench app. */
export interface BenchApp {
  url: string;
  server: Server;
  close(): Promise<void>;
}

/**
 * Starts the app on 127.0.0.1:0.
 *
 * @example
 * const app = await startBenchApp(pool);
 * await fetch(`${app.url}/login`, { method: 'POST', body: JSON.stringify({ username, password }), headers });
 */
export async function startBenchApp(pool: BenchPool): Promise<BenchApp> {
  const options = {
    userPoolId: pool.poolId, clientId: pool.clientId, endpoint: pool.endpoint, region: pool.region,
    ...(pool.client === undefined ? {} : { client: pool.client }), ...(pool.clock === undefined ? {} : { clock: pool.clock }),
  };
  const passport = new Passport();
  passport.use(new CognitoStrategy(options));
  passport.serializeUser((user: unknown, done: (e: unknown, u?: unknown) => void) => done(null, user));
  passport.deserializeUser((user: unknown, done: (e: unknown, u?: Express.User) => void) => done(null, user as Express.User));

  const app = express();
  app.use(express.json());
  app.use(session({ secret: 'bench-secret-not-a-real-one', resave: false, saveUninitialized: false }));
  app.use(passport.initialize());
  app.use(passport.session());
  app.post('/login', (req: Request, res: Response, next: NextFunction) => {
    const login = passport.authenticate('cognito', (err: unknown, user: Express.User | false, info: unknown, status?: number) => {
      if (err) return next(err);
      if (!user) return res.status(status ?? 401).json(info ?? {});
      req.logIn(user, (e: unknown) => (e ? next(e) : res.json({ ok: true })));
    }) as express.RequestHandler;
    login(req, res, next);
  });
  app.get('/api/me', requireCognito(options), (req: Request, res: Response) => {
    res.json({ username: req.cognito?.username, jti: req.cognito?.claims.jti });
  });
  app.use((err: { status?: number; code?: string }, _req: Request, res: Response, _next: NextFunction) => {
    res.status(typeof err.status === 'number' ? err.status : 500).json({ code: err.code ?? 'ERR' });
  });

  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

/**
 * Logs in through `POST /login` and returns the session cookie.
 *
 * @throws Error when the login does not answer 200.
 * @example
 * const cookie = await loginCookie(app.url, 'alice', 'Passw0rd!long');
 */
export async function loginCookie(url: string, username: string, password: string): Promise<string> {
  const res = await fetch(`${url}/login`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }),
  });
  const cookie = res.headers.get('set-cookie');
  if (res.status !== 200 || cookie === null) throw new Error(`login failed: HTTP ${res.status} ${await res.text()}`);
  await res.arrayBuffer().catch(() => undefined);
  return cookie.split(';')[0];
}
