/**
 * One benchmark server: an Express 5 app with one JSON route, `GET /api/data`, guarded (or not) by
 * the variant named in `BENCH_VARIANT`. Started by `bench/guard-throughput.ts` in a process of its own
 * (`fork` with `--require tsx/cjs`), on 127.0.0.1:0; it reports its port, and on request its CPU time,
 * RSS and token-cache counters, over IPC. Keys come from `BENCH_JWKS` (static: nothing is fetched).
 *
 * Variants:
 * - `unguarded`, `unguarded-session` (express-session with its MemoryStore mounted, no guard);
 * - `sync-noop` (a middleware that only calls next(): what mounting any middleware on `/api` costs);
 * - `async-noop` (a middleware that only calls next() from a promise callback, as every async guard does);
 * - `require` (`requireCognito()`; bearer or session, by what the client sends), `require-session`
 *   (the same behind express-session);
 * - `verifier` (a minimal guard calling this package's `TokenVerifier` directly);
 * - `aws-jwt-verify` (`CognitoJwtVerifier`, JWKS hydrated with `cacheJwks`);
 * - `jose` (`jwtVerify` with the key imported once, plus the token_use/client_id checks).
 *
 * `POST /bench/login` (session variants only) stores the tokens of its JSON body in the session, as
 * the strategy does after a login.
 */
import type { NextFunction, Request, Response } from 'express';
import express from 'express';
import session from 'express-session';
import { CognitoJwtVerifier } from 'aws-jwt-verify';
import { importJWK, jwtVerify, type JSONWebKeySet } from 'jose';
import { getJwksCache } from '../lib/jwks-cache';
import { TokenVerifier } from '../lib/token-verifier';
import { resolveTokenCacheOptions, sharedTokenCache, type TokenCacheStats } from '../lib/verified-token-cache';
import { requireCognito } from '../middleware/require-cognito';
import { setSessionTokens, toSessionTokens } from '../middleware/session-tokens';
import { BENCH_CLIENT_ID, BENCH_ISSUER, BENCH_POOL_ID } from './bench-tokens';

/** The variants this server can run. */
export const VARIANTS = ['unguarded', 'unguarded-session', 'sync-noop', 'async-noop', 'require', 'require-session', 'verifier', 'aws-jwt-verify', 'jose'] as const;
export type Variant = (typeof VARIANTS)[number];

/** What the server answers to a `stats` message. */
export interface ServerStats {
  /** User + system CPU time of the process since it started, in µs. */
  cpuUs: number;
  rss: number;
  /** The pool's shared verified-token cache (requireCognito, verifier), if any. */
  tokenCache?: TokenCacheStats;
}

type Guard = (req: Request, res: Response, next: NextFunction) => void;

function bearer(req: Request): string | undefined {
  const h = req.headers.authorization;
  return h !== undefined && h.startsWith('Bearer ') ? h.slice(7) : undefined;
}

function refuse(res: Response): void {
  res.status(401).json({ error: 'invalid_token' });
}

async function guardFor(variant: Variant, jwks: JSONWebKeySet): Promise<Guard | undefined> {
  const options = { userPoolId: BENCH_POOL_ID, clientId: BENCH_CLIENT_ID, jwks };
  switch (variant) {
    case 'unguarded':
    case 'unguarded-session':
      return undefined;
    case 'sync-noop':
      // What mounting any middleware on '/api' costs Express: next() at once.
      return (_req, _res, next) => {
        next();
      };
    case 'async-noop':
      // What any promise-based guard pays before its own work: next() from a microtask.
      return (_req, _res, next) => {
        void Promise.resolve().then(() => next());
      };
    case 'require':
    case 'require-session':
      return requireCognito(options);
    case 'verifier': {
      const verifier = new TokenVerifier(options);
      return (req, res, next) => {
        verifier.verify(bearer(req) as string, 'access').then((claims) => {
          (req as Request & { claims?: unknown }).claims = claims;
          next();
        }, () => refuse(res));
      };
    }
    case 'aws-jwt-verify': {
      const verifier = CognitoJwtVerifier.create({ userPoolId: BENCH_POOL_ID, tokenUse: 'access', clientId: BENCH_CLIENT_ID });
      verifier.cacheJwks(jwks as unknown as Parameters<typeof verifier.cacheJwks>[0]);
      return (req, res, next) => {
        verifier.verify(bearer(req) as string).then((claims) => {
          (req as Request & { claims?: unknown }).claims = claims;
          next();
        }, () => refuse(res));
      };
    }
    case 'jose': {
      const key = await importJWK(jwks.keys[0], 'RS256');
      const verifyOptions = { algorithms: ['RS256'], issuer: BENCH_ISSUER };
      return (req, res, next) => {
        jwtVerify(bearer(req) as string, key, verifyOptions).then(({ payload }) => {
          if (payload.token_use !== 'access' || payload.client_id !== BENCH_CLIENT_ID) return refuse(res);
          (req as Request & { claims?: unknown }).claims = payload;
          next();
        }, () => refuse(res));
      };
    }
  }
}

/**
 * The benchmark app for one variant (no listening: `bench/guard-cpu.ts` drives it in-process).
 *
 * @example
 * const app = await buildApp('require', jwks);
 * app.listen(0);
 */
export async function buildApp(variant: Variant, jwks: JSONWebKeySet): Promise<express.Express> {
  const app = express();
  if (variant.endsWith('-session')) {
    app.use(session({ secret: 'bench-secret-not-a-real-one', resave: false, saveUninitialized: false, name: 'sid' }));
    app.post('/bench/login', express.json({ limit: '64kb' }), (req, res) => {
      const { idToken, accessToken, refreshToken } = req.body as { idToken: string; accessToken: string; refreshToken?: string };
      setSessionTokens(req, toSessionTokens({ idToken, accessToken, refreshToken }));
      res.json({ ok: true });
    });
  }
  const guard = await guardFor(variant, jwks);
  if (guard !== undefined) app.use('/api', guard);
  app.get('/api/data', (req, res) => {
    const r = req as Request & { claims?: { username?: unknown } };
    const user = r.cognito?.username ?? r.claims?.username ?? null;
    res.json({ ok: true, user });
  });
  return app;
}

async function main(): Promise<void> {
  const variant = process.env.BENCH_VARIANT as Variant;
  if (!VARIANTS.includes(variant)) throw new Error(`BENCH_VARIANT must be one of ${VARIANTS.join(', ')}`);
  const jwks = JSON.parse(process.env.BENCH_JWKS as string) as JSONWebKeySet;
  const app = await buildApp(variant, jwks);
  const server = app.listen(0, '127.0.0.1', () => {
    const address = server.address();
    process.send?.({ port: typeof address === 'object' && address !== null ? address.port : 0 });
  });
  const tokenCache = sharedTokenCache(getJwksCache(`${BENCH_ISSUER}/.well-known/jwks.json`, { jwks }), BENCH_ISSUER, resolveTokenCacheOptions());
  process.on('message', (message: unknown) => {
    if (message === 'stats') {
      const cpu = process.cpuUsage();
      const stats: ServerStats = { cpuUs: cpu.user + cpu.system, rss: process.memoryUsage.rss() };
      if (tokenCache !== undefined && tokenCache.stats().size > 0) stats.tokenCache = tokenCache.stats();
      process.send?.({ stats });
    } else if (message === 'stop') {
      server.closeAllConnections();
      server.close(() => process.exit(0));
    }
  });
  process.on('disconnect', () => process.exit(0));
}

if (require.main === module) {
  main().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
