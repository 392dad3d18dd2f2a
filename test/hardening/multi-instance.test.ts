/**
 * Hardening: several app instances sharing Redis (issue 6).
 *
 * A real `redis-server` on a free loopback port (temp dir, no persistence), stopped after. Missing
 * `redis-server`: skipped with a message on a developer machine, a failure under CI (CI=true).
 *
 * - RedisRevocationStore and withRedisRefreshLock on their own (TTLs, bad input, Redis hanging or
 *   failing: a 503, never a hang or an accepted token, nothing secret in Redis or in errors);
 * - two instances of an Express app — one in this process, one in a child process, sharing only
 *   Redis (connect-redis sessions, the revocation list, the refresh lock) and the user pool: log in on
 *   the first, be served and renewed on the second, log out on the first, and the second refuses the
 *   session and its bearer tokens;
 * - both instances renewing one session at once: one refresh at Cognito with the lock, one per
 *   instance without it (which is why the lock exists).
 */
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import { createClient } from 'redis';
import request from 'supertest';
import { isCognitoError } from '../../lib/errors';
import { withRedisRefreshLock } from '../../middleware/redis-refresh-lock';
import { RedisRevocationStore } from '../../middleware/redis-revocation-store';
import { requireCognito } from '../../middleware/require-cognito';
import { startTestPool, type TestPool } from '../support/pool';
import { redisServerOrSkip, stopChild, waitForLine } from '../support/redis-server';
import { TokenFixture } from '../support/tokens';
import { startInstance, type Instance, type InstanceConfig } from './multi-instance-app';

type Redis = ReturnType<typeof createClient>;

/** The second instance, in a child process. */
async function startChildInstance(config: InstanceConfig): Promise<{ url: string; stop(): Promise<void> }> {
  const child = spawn(process.execPath, ['--require', 'tsx/cjs', join(__dirname, 'multi-instance-app.ts'), JSON.stringify(config)], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, DEBUG: '' },
  });
  const m = await waitForLine(child, /^READY (http:\/\/127\.0\.0\.1:\d+)$/, 60_000);
  return { url: m[1], stop: () => stopChild(child) };
}

const PASSWORD = 'Corr3ct-Horse-Battery!';

describe('hardening: several app instances sharing Redis', function () {
  this.timeout(90_000);
  let server: { url: string; stop(): Promise<void> } | undefined;
  let redis: Redis;

  before(async function () {
    server = await redisServerOrSkip(this, 'the multi-instance tests');
    redis = createClient({ url: server.url });
    redis.on('error', () => undefined);
    await redis.connect();
  });
  after(async () => {
    await redis?.close().catch(() => undefined);
    await server?.stop();
  });

  describe('RedisRevocationStore', () => {
    let now: number;
    const clock = (): number => now;
    beforeEach(async () => {
      now = Date.UTC(2025, 0, 15, 12);
      await redis.flushAll();
    });

    it('revokes ids until exp plus the grace, in keys under its prefix with a TTL', async () => {
      const store = new RedisRevocationStore({ client: redis, clock, graceSeconds: 60, prefix: 't1:' });
      const exp = now / 1000 + 3600;
      await store.revoke(['jti-1', 'origin-1'], exp);
      assert.equal(await store.isRevoked(['jti-1']), true);
      assert.equal(await store.isRevoked(['other', 'origin-1']), true);
      assert.equal(await store.isRevoked(['other']), false);
      assert.equal(await store.isRevoked([]), false);
      const ttl = await redis.ttl('t1:jti-1');
      assert.ok(ttl > 3600 + 50 && ttl <= 3600 + 60, `ttl ${ttl}`);
      assert.deepEqual((await redis.keys('*')).sort(), ['t1:jti-1', 't1:origin-1']);
    });

    it('never shortens an entry; an until already past (plus grace) stores nothing', async () => {
      const store = new RedisRevocationStore({ client: redis, clock, graceSeconds: 0 });
      await store.revoke(['a'], now / 1000 + 3600);
      await store.revoke(['a'], now / 1000 + 60); // a second logout holding older tokens
      assert.ok((await redis.ttl('express-cognito:revoked:a')) > 3000);
      await store.revoke(['b'], now / 1000 - 1);
      assert.equal(await store.isRevoked(['b']), false);
      assert.equal(await redis.exists('express-cognito:revoked:b'), 0);
    });

    it('prefixes keep two apps apart', async () => {
      const one = new RedisRevocationStore({ client: redis, clock, prefix: 'app1:' });
      const two = new RedisRevocationStore({ client: redis, clock, prefix: 'app2:' });
      await one.revoke(['x'], now / 1000 + 60);
      assert.equal(await one.isRevoked(['x']), true);
      assert.equal(await two.isRevoked(['x']), false);
    });

    it('bad input: TypeErrors for the caller\'s mistakes, junk ids ignored, nothing stored for them', async () => {
      const store = new RedisRevocationStore({ client: redis, clock });
      await assert.rejects(store.revoke('jti' as unknown as string[], now / 1000 + 60), TypeError);
      for (const until of [Number.NaN, Infinity, '123', undefined]) {
        await assert.rejects(store.revoke(['x'], until as number), TypeError);
      }
      await store.revoke([42, '', null, 'k'.repeat(257), { toString: () => 'x' }] as unknown as string[], now / 1000 + 60);
      assert.deepEqual(await redis.keys('*'), []);
      assert.equal(await store.isRevoked('x' as unknown as string[]), false);
      assert.equal(await store.isRevoked([42, null] as unknown as string[]), false);
      // An id with Redis-looking syntax is just a key.
      await store.revoke(['*', 'a b\r\nFLUSHALL'], now / 1000 + 60);
      assert.equal(await store.isRevoked(['*']), true);
      assert.equal(await store.isRevoked(['anything']), false);
      assert.equal((await redis.keys('*')).length, 2);
    });

    it('bad options: TypeErrors naming the option', () => {
      assert.throws(() => new RedisRevocationStore({} as never), /"client"/);
      assert.throws(() => new RedisRevocationStore({ client: { get() {} } } as never), /"client"/);
      assert.throws(() => new RedisRevocationStore({ client: redis, prefix: 'a b' }), /"prefix"/);
      assert.throws(() => new RedisRevocationStore({ client: redis, graceSeconds: -1 }), /"graceSeconds"/);
      assert.throws(() => new RedisRevocationStore({ client: redis, timeoutMs: 0 }), /"timeoutMs"/);
      assert.throws(() => new RedisRevocationStore({ client: redis, clock: 5 as never }), /"clock"/);
    });

    it('works over an ioredis-shaped client (call(command, ...args))', async () => {
      const calls: string[] = [];
      const ioredisLike = {
        call: (command: string, ...args: string[]) => {
          calls.push(command);
          return redis.sendCommand([command, ...args]);
        },
      };
      const store = new RedisRevocationStore({ client: ioredisLike, clock });
      await store.revoke(['io'], now / 1000 + 60);
      assert.equal(await store.isRevoked(['io']), true);
      assert.deepEqual(calls, ['EVAL', 'EXISTS']);
    });

    it('Redis hanging or failing: a 503 error within timeoutMs (fail closed), no Redis text in it', async () => {
      const hanging = { sendCommand: () => new Promise<never>(() => undefined) };
      const failing = { sendCommand: () => Promise.reject(new Error('ERR wrong password for secret-jti-123')) };
      for (const client of [hanging, failing]) {
        const store = new RedisRevocationStore({ client, clock, timeoutMs: 50 });
        for (const p of [store.isRevoked(['secret-jti-123']), store.revoke(['secret-jti-123'], now / 1000 + 60)]) {
          await assert.rejects(p, (e: unknown) => {
            assert.ok(isCognitoError(e));
            assert.equal(e.code, 'ERR_COGNITO_REDIS_UNAVAILABLE');
            assert.equal(e.status, 503);
            assert.ok(!e.message.includes('secret') && !String((e as Error).cause).includes('secret'));
            return true;
          });
        }
      }
    });

    it('through requireCognito(): Redis hanging → 503, never the token accepted, never a 500', async () => {
      const fx = await TokenFixture.start();
      try {
        const express = (await import('express')).default;
        const app = express();
        const store = new RedisRevocationStore({ client: { sendCommand: () => new Promise<never>(() => undefined) }, timeoutMs: 100 });
        app.get('/api', requireCognito({ ...fx.options(), revocationStore: store }), (_req, res) => { res.json({ ok: true }); });
        type JsonResponse = { status(n: number): { json(b: unknown): void } };
        app.use((err: { status?: number; code?: string }, _req: unknown, res: JsonResponse, _next: unknown) => {
          res.status(err.status ?? 500).json({ code: err.code });
        });
        const res = await request(app).get('/api').set('Authorization', `Bearer ${fx.accessToken()}`);
        assert.equal(res.status, 503);
        assert.equal(res.body.code, 'ERR_COGNITO_REDIS_UNAVAILABLE');
      } finally {
        await fx.close();
      }
    });
  });

  describe('withRedisRefreshLock', () => {
    const refresh = (token: string) => ({ input: { AuthFlow: 'REFRESH_TOKEN_AUTH', ClientId: 'client1', AuthParameters: { REFRESH_TOKEN: token } } });
    const rotate = (token: string) => ({ input: { ClientId: 'client1', RefreshToken: token } });
    function fakeCognito(latency: () => Promise<void> = () => Promise.resolve()) {
      let n = 0;
      return {
        get count() { return n; },
        async send(command: { input: Record<string, unknown> }) {
          n++;
          await latency();
          if ((command.input.AuthParameters as Record<string, string> | undefined)?.REFRESH_TOKEN === 'refused') {
            throw Object.assign(new Error('Invalid Refresh Token'), { name: 'NotAuthorizedException', $metadata: { httpStatusCode: 400 } });
          }
          return { AuthenticationResult: { AccessToken: `access-${n}-SECRET`, IdToken: `id-${n}-SECRET`, ExpiresIn: 3600, TokenType: 'Bearer' }, $metadata: { httpStatusCode: 200 } };
        },
      };
    }
    beforeEach(async () => { await redis.flushAll(); });

    /** A promise Cognito's fake waits on, and its release. */
    function gated(): { gate: Promise<void>; release: () => void } {
      let release!: () => void;
      const gate = new Promise<void>((resolve) => { release = resolve; });
      return { gate, release };
    }

    /** `body` with a second Redis connection: another process, as far as the lock can tell. */
    async function withSecondConnection(body: (other: typeof redis) => Promise<void>): Promise<void> {
      const other = createClient({ url: server!.url });
      await other.connect();
      try {
        await body(other as typeof redis);
      } finally {
        await other.close();
      }
    }

    it('two instances refreshing one token at once: Cognito sees one call, both get its answer', async () => {
      const { gate, release } = gated();
      const cognito = fakeCognito(() => gate);
      await withSecondConnection(async (other) => {
        const a = withRedisRefreshLock(cognito, { redis, pollMs: 5 });
        const b = withRedisRefreshLock(cognito, { redis: other, pollMs: 5 });
        const pending = [a.send(refresh('rt-1')), b.send(refresh('rt-1')), b.send(refresh('rt-1')), a.send(rotate('rt-1'))];
        while (cognito.count < 2) await new Promise((resolve) => setImmediate(resolve));
        release();
        const out = (await Promise.all(pending)) as Array<{ AuthenticationResult: { AccessToken: string } }>;
        // One InitiateAuth refresh and one GetTokensFromRefreshToken: different operations, one each.
        assert.equal(cognito.count, 2);
        assert.equal(out[0].AuthenticationResult.AccessToken, out[1].AuthenticationResult.AccessToken);
        assert.equal(out[1].AuthenticationResult.AccessToken, out[2].AuthenticationResult.AccessToken);
        // What Redis holds is sealed: no token in clear, keys named by a hash.
        for (const key of await redis.keys('*')) {
          assert.ok(!key.includes('rt-1'), key);
          const value = String(await redis.get(key));
          assert.ok(!value.includes('SECRET') && !value.includes('rt-1') && !value.includes('access-'), `${key} holds a token in clear`);
        }
        // A late caller with the same refresh token gets the kept answer; another token is refreshed.
        await a.send(refresh('rt-1'));
        assert.equal(cognito.count, 2);
        await a.send(refresh('rt-2'));
        assert.equal(cognito.count, 3);
      });
    });

    it('the holder finishing between another instance\'s look for its answer and its try for the lock: still one call', async () => {
      // B finds no answer yet (A is at Cognito), then A keeps its answer and releases the lock, then B
      // takes the free lock. B must look for the answer again, not spend the refresh token a second time.
      const { gate, release } = gated();
      const cognito = fakeCognito(() => gate);
      await withSecondConnection(async (other) => {
        const a = withRedisRefreshLock(cognito, { redis, pollMs: 5 });
        const first = a.send(refresh('rt-race'));
        while (cognito.count < 1) await new Promise((resolve) => setImmediate(resolve));
        let heldBack = false;
        const lateLock = {
          async sendCommand(args: string[]) {
            if (!heldBack && args[0] === 'SET' && args.includes('NX')) {
              heldBack = true; // B has looked for the answer; let A finish before B asks for the lock
              release();
              await first;
            }
            return other.sendCommand(args);
          },
        };
        const b = withRedisRefreshLock(cognito, { redis: lateLock, pollMs: 5 });
        const second = (await b.send(refresh('rt-race'))) as { AuthenticationResult: { AccessToken: string } };
        assert.ok(heldBack, 'B asked for the lock after A had finished');
        assert.equal(cognito.count, 1);
        const answer = (await first) as { AuthenticationResult: { AccessToken: string } };
        assert.equal(second.AuthenticationResult.AccessToken, answer.AuthenticationResult.AccessToken);
        assert.deepEqual((await redis.keys('*lock:*')), [], 'no lock left behind');
      });
    });

    it('a refused refresh is not kept: the error goes to the caller, the lock is released, the next try calls again', async () => {
      const cognito = fakeCognito();
      const client = withRedisRefreshLock(cognito, { redis });
      await assert.rejects(client.send(refresh('refused')), { name: 'NotAuthorizedException' });
      await assert.rejects(client.send(refresh('refused')), { name: 'NotAuthorizedException' });
      assert.equal(cognito.count, 2);
      assert.deepEqual(await redis.keys('*'), []);
    });

    it('other commands pass straight through', async () => {
      const cognito = fakeCognito();
      const client = withRedisRefreshLock(cognito, { redis });
      await client.send({ input: { AuthFlow: 'USER_SRP_AUTH', ClientId: 'client1', AuthParameters: { USERNAME: 'a', SRP_A: '1' } } });
      await client.send({ input: { AccessToken: 'x' } });
      assert.equal(cognito.count, 2);
      assert.deepEqual(await redis.keys('*'), []);
    });

    it('another instance holding the lock too long: a 503 after waitMs, not a hang; the holder still finishes', async () => {
      const { gate, release } = gated();
      const slowCognito = fakeCognito(() => gate);
      const holder = withRedisRefreshLock(slowCognito, { redis });
      await withSecondConnection(async (other) => {
        const waiter = withRedisRefreshLock(slowCognito, { redis: other, waitMs: 100, pollMs: 10 });
        const held = holder.send(refresh('held'));
        while (slowCognito.count < 1) await new Promise((resolve) => setImmediate(resolve));
        await assert.rejects(waiter.send(refresh('held')), (e: unknown) => isCognitoError(e) && e.status === 503 && e.code === 'ERR_COGNITO_UNAVAILABLE');
        release();
        await held;
        assert.equal(slowCognito.count, 1);
      });
    });

    it('Redis failing: refreshes go straight to Cognito', async () => {
      const cognito = fakeCognito();
      const client = withRedisRefreshLock(cognito, { redis: { sendCommand: () => Promise.reject(new Error('down')) } });
      const out = (await client.send(refresh('rt'))) as { AuthenticationResult: { AccessToken: string } };
      assert.match(out.AuthenticationResult.AccessToken, /^access-1/);
    });

    it('bad options: TypeErrors naming the option', () => {
      const cognito = fakeCognito();
      assert.throws(() => withRedisRefreshLock({} as never, { redis }), /"client"/);
      assert.throws(() => withRedisRefreshLock(cognito, {} as never), /"redis"/);
      assert.throws(() => withRedisRefreshLock(cognito, { redis, lockMs: 0 }), /"lockMs"/);
      assert.throws(() => withRedisRefreshLock(cognito, { redis, prefix: 'with space' }), /"prefix"/);
    });
  });

  for (const rotating of [false, true]) {
    describe(`two instances of an app${rotating ? ', refresh-token rotation with no retry grace period' : ''}`, () => {
      let pool: TestPool;
      let a: Instance;
      let b: { url: string; stop(): Promise<void> };
      let config: Omit<InstanceConfig, 'name'>;
      // What spends a refresh token: GetTokensFromRefreshToken for a rotating client, else REFRESH_TOKEN_AUTH.
      const spendOp = rotating ? 'GetTokensFromRefreshToken' : 'InitiateAuth';

      const offset = (): number => pool.emulator.clock.now() - Date.now();
      async function advance(ms: number): Promise<void> {
        pool.emulator.clock.advance(ms);
        await request(b.url).post('/__test/control').send({ clockOffsetMs: offset() }).expect(200);
        await request(a.url).post('/__test/control').send({ clockOffsetMs: offset() }).expect(200);
      }
      async function lock(on: boolean): Promise<void> {
        for (const url of [a.url, b.url]) await request(url).post('/__test/control').send({ refreshLock: on }).expect(200);
      }
      async function login(): Promise<{ cookie: string; sid: string }> {
        const res = await request(a.url).post('/login').send({ username: 'alice', password: PASSWORD }).expect(200);
        const cookie = String(res.headers['set-cookie']?.[0] ?? '').split(';')[0];
        assert.match(cookie, /^connect\.sid=/);
        return { cookie, sid: res.body.sid as string };
      }
      async function sessionTokens(sid: string): Promise<{ accessToken: string; idToken: string; refreshToken: string } | undefined> {
        const raw = await redis.get(`sess:${sid}`);
        return raw ? JSON.parse(raw).cognito?.tokens : undefined;
      }
      const refreshes = (): number => pool.emulator.calls(spendOp);

      before(async () => {
        await redis.flushAll();
        pool = await startTestPool(rotating ? { clientOptions: { RefreshTokenRotation: { Feature: 'ENABLED', RetryGracePeriodSeconds: 0 } } } : {});
        await pool.createUser('alice', PASSWORD);
        config = {
          redisUrl: server!.url, endpoint: pool.endpoint, region: pool.region, userPoolId: pool.poolId, clientId: pool.clientId,
          clockOffsetMs: offset(), refreshLock: true,
        };
        [a, b] = await Promise.all([startInstance({ ...config, name: 'A' }), startChildInstance({ ...config, name: 'B' })]);
      });
      after(async () => {
        await b?.stop();
        await a?.close();
        await pool?.stop();
      });

      it('log in on A, served and renewed on B, log out on A: B refuses the session and its bearer tokens', async () => {
        const { cookie, sid } = await login();
        const first = await sessionTokens(sid);
        assert.ok(first?.refreshToken, 'the tokens are in the shared session store');

        const served = await request(b.url).get('/api/me').set('Cookie', cookie).expect(200);
        assert.deepEqual(served.body, { name: 'B', username: 'alice', source: 'session' });

        await advance(61 * 60 * 1000); // the access token has expired
        const before = refreshes();
        await request(b.url).get('/api/me').set('Cookie', cookie).expect(200);
        assert.equal(refreshes() - before, 1, 'renewed on B');
        const renewed = await sessionTokens(sid);
        assert.notEqual(renewed!.accessToken, first.accessToken);
        if (rotating) assert.notEqual(renewed!.refreshToken, first.refreshToken, 'the rotated refresh token is kept');
        else assert.equal(renewed!.refreshToken, first.refreshToken);
        await request(a.url).get('/api/me').set('Cookie', cookie).expect(200);
        assert.equal(refreshes() - before, 1, 'A uses the tokens B saved');
        // Both instances accept the renewed tokens as bearer tokens too, before the logout.
        await request(b.url).get('/api/me').set('Authorization', `Bearer ${renewed!.accessToken}`).expect(200);
        await request(b.url).get('/api/id').set('Authorization', `Bearer ${renewed!.idToken}`).expect(200);

        await request(a.url).post('/logout').set('Cookie', cookie).expect(204);
        assert.equal(await redis.exists(`sess:${sid}`), 0, 'the session is gone from Redis');

        const bySession = await request(b.url).get('/api/me').set('Cookie', cookie);
        assert.equal(bySession.status, 401);
        for (const [path, token] of [['/api/me', renewed!.accessToken], ['/api/id', renewed!.idToken]] as const) {
          for (const url of [b.url, a.url]) {
            const res = await request(url).get(path).set('Authorization', `Bearer ${token}`);
            assert.equal(res.status, 401, `${url}${path}: ${res.text}`);
            assert.equal(res.body.code, 'ERR_COGNITO_TOKEN_REVOKED');
          }
        }
        // Still refused just after exp, while the verifier's leeway would take it.
        const exp = decodeJwt(renewed!.accessToken).exp as number;
        await advance(exp * 1000 + 2_000 - pool.emulator.clock.now());
        const late = await request(b.url).get('/api/me').set('Authorization', `Bearer ${renewed!.accessToken}`);
        assert.equal(late.status, 401, late.text);
      });

      for (const lockOn of [true, false]) {
        const outcome = lockOn
          ? 'one refresh at Cognito, 20 successes'
          : rotating
            ? 'each instance spends the refresh token and the second spend is refused (why the lock exists)'
            : 'one refresh per instance (harmless without rotation)';
        it(`both instances renewing one session at once ${lockOn ? 'with' : 'without'} the Redis lock: ${outcome}`, async () => {
          await lock(lockOn);
          const { cookie, sid } = await login();
          await request(b.url).get('/api/me').set('Cookie', cookie).expect(200);
          await advance(61 * 60 * 1000);
          // Slow refreshes, so that each instance starts its own before the other has finished.
          pool.emulator.setFaults({ latencyMs: 1_500, operations: [spendOp] });
          const before = refreshes();
          let all: request.Response[];
          try {
            all = await Promise.all(Array.from({ length: 20 }, (_, i) => request(i % 2 ? a.url : b.url).get('/api/me').set('Cookie', cookie)));
          } finally {
            pool.emulator.clearFaults();
          }
          const statuses = all.map((r) => r.status);
          if (lockOn) {
            assert.deepEqual(statuses, Array(20).fill(200));
            assert.equal(refreshes() - before, 1);
            if (rotating) {
              // The session holds the live (rotated) refresh token: the next renewal works.
              await advance(61 * 60 * 1000);
              await request(b.url).get('/api/me').set('Cookie', cookie).expect(200);
              await request(a.url).get('/api/me').set('Cookie', cookie).expect(200);
              assert.equal(refreshes() - before, 2);
            }
          } else {
            assert.equal(refreshes() - before, 2);
            if (rotating) {
              const refused = all.filter((r) => r.status === 401);
              assert.ok(refused.length > 0 && refused.every((r) => r.body.code === 'ERR_COGNITO_REFRESH_REJECTED'), String(statuses));
            } else {
              assert.deepEqual(statuses, Array(20).fill(200));
            }
          }
          if (await sessionTokens(sid)) await request(a.url).post('/logout').set('Cookie', cookie).expect(204);
          await lock(true);
        });
      }
    });
  }
});
