/**
 * One instance of the multi-instance test app: Express 5 with express-session on connect-redis,
 * Passport + CognitoStrategy, requireCognito() and cognitoLogout() sharing a RedisRevocationStore,
 * and the Cognito SDK client wrapped by withRedisRefreshLock (switchable, for the control case).
 *
 * multi-instance.test.ts builds one instance in its own process and starts a second one in a child
 * process (this file run as main), so that the two instances share nothing but Redis and the user
 * pool — as two real app servers would; in one process they would share the guard's single flight.
 *
 * Test-only route: `POST /__test/control { clockOffsetMs?, refreshLock? }` moves this instance's
 * clock (to follow the emulator's) and switches the refresh lock.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { RedisStore } from 'connect-redis';
import express from 'express';
import session from 'express-session';
import { Passport } from 'passport';
import { createClient } from 'redis';
import type { CognitoClientLike } from '../../lib/config';
import { cognitoLogout } from '../../middleware/cognito-logout';
import { withRedisRefreshLock } from '../../middleware/redis-refresh-lock';
import { RedisRevocationStore } from '../../middleware/redis-revocation-store';
import { requireCognito } from '../../middleware/require-cognito';
import { CognitoStrategy } from '../../strategies/cognito-strategy';

/** What an instance needs to know. */
export interface InstanceConfig {
  name: string;
  redisUrl: string;
  endpoint: string;
  region: string;
  userPoolId: string;
  clientId: string;
  /** Starting offset of this instance's clock from Date.now(), in ms. */
  clockOffsetMs: number;
  refreshLock: boolean;
}

/** A running instance. */
export interface Instance {
  url: string;
  close(): Promise<void>;
}

/**
 * Builds and starts an instance on 127.0.0.1 (free port).
 *
 * @example
 * const a = await startInstance({ name: 'A', redisUrl, ...pool, clockOffsetMs: 0, refreshLock: true });
 */
export async function startInstance(config: InstanceConfig): Promise<Instance> {
  let clockOffsetMs = config.clockOffsetMs;
  let lockOn = config.refreshLock;
  const clock = (): number => Date.now() + clockOffsetMs;
  const redis = createClient({ url: config.redisUrl });
  redis.on('error', () => undefined); // reported per command; a stopped server must not crash the process
  await redis.connect();
  const sdk = new CognitoIdentityProviderClient({
    region: config.region, endpoint: config.endpoint, credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1,
  });
  const locked = withRedisRefreshLock(sdk, { redis, lockMs: 10_000, pollMs: 10 });
  const plain: CognitoClientLike = sdk;
  const client: CognitoClientLike = { send: (command, ...rest) => (lockOn ? locked : plain).send(command, ...rest) };
  const { userPoolId, clientId, endpoint, region } = config;
  const base = { userPoolId, clientId, endpoint, region, clock, client };
  const revocationStore = new RedisRevocationStore({ client: redis, clock, timeoutMs: 1_000 });

  const passport = new Passport();
  passport.use(new CognitoStrategy(base));
  passport.serializeUser((user: unknown, done: (e: unknown, u?: unknown) => void) => done(null, user));
  passport.deserializeUser((user: unknown, done: (e: unknown, u?: unknown) => void) => done(null, user as Express.User));

  const app = express();
  app.use(express.json());
  app.use(session({
    store: new RedisStore({ client: redis, prefix: 'sess:' }),
    secret: 'multi-instance test secret',
    resave: false,
    saveUninitialized: false,
  }));
  app.use(passport.initialize());
  app.use(passport.session());
  app.post('/__test/control', (req, res) => {
    if (typeof req.body?.clockOffsetMs === 'number') clockOffsetMs = req.body.clockOffsetMs;
    if (typeof req.body?.refreshLock === 'boolean') lockOn = req.body.refreshLock;
    res.json({ name: config.name, clockOffsetMs, refreshLock: lockOn });
  });
  app.get('/whoami', (req, res) => { res.json({ name: config.name, sid: req.sessionID }); });
  app.post('/login', (req, res, next) => {
    passport.authenticate('cognito', (err: unknown, user: unknown, info: unknown, status: number | undefined) => {
      if (err) return next(err);
      if (!user) return res.status(status ?? 401).json(info ?? {});
      req.logIn(user, (e: unknown) => (e ? next(e) : res.json({ name: config.name, sid: req.sessionID })));
    })(req, res, next);
  });
  app.get('/api/me', requireCognito({ ...base, revocationStore }), (req, res) => {
    res.json({ name: config.name, username: req.cognito?.username, source: req.cognito?.source });
  });
  app.get('/api/id', requireCognito({ ...base, revocationStore, tokenUse: 'id' }), (req, res) => {
    res.json({ name: config.name, username: req.cognito?.username, source: req.cognito?.source });
  });
  app.post('/logout', cognitoLogout({ ...base, revocationStore }));
  app.use((err: { status?: unknown; code?: unknown }, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    res.status(typeof err?.status === 'number' ? err.status : 500).json({ code: typeof err?.code === 'string' ? err.code : 'ERR' });
  });

  const server: Server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      sdk.destroy();
      await redis.close().catch(() => undefined);
    },
  };
}

// Run as a child process: config as JSON in argv[2]; prints "READY <url>" and stops on SIGTERM.
if (require.main === module) {
  startInstance(JSON.parse(process.argv[2]) as InstanceConfig).then(
    (instance) => {
      process.stdout.write(`READY ${instance.url}\n`);
      process.on('SIGTERM', () => {
        void instance.close().finally(() => process.exit(0));
      });
    },
    (e: unknown) => {
      process.stderr.write(`instance failed to start: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(1);
    },
  );
}
