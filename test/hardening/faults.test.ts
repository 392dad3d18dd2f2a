/**
 * Hardening: faults, through the emulator's fault switches (issue 6).
 *
 * - JWKS down after the keys were fetched: valid tokens keep passing; down (or hanging) at a cold
 *   start: 503, never an accepted token, never a 500; back up: served again.
 * - A storm of tokens with random unknown `kid`s: at most one JWKS fetch per cooldown.
 * - Cognito slow, throttling or failing during login: 429/503, no crash, no hang past the SDK
 *   client's request timeout; during renewal: 503 and the session keeps its refresh token.
 * - Load: 200 concurrent requests over 20 sessions whose access tokens just expired → exactly 20
 *   refresh calls at the emulator and 200 successes.
 *
 * Time is the emulator's clock (moved, never slept on); each group has its own pool, hence its own
 * JWKS URI and a fresh process-wide JWKS cache.
 */
import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { Passport } from 'passport';
import request from 'supertest';
import { CognitoStrategy } from '../../strategies/cognito-strategy';
import { EXPRESS_FLAVORS, poolTokens, startApp, storedSession, type AppOptions, type TestApp } from '../support/app';
import { startTestPool, type TestPool } from '../support/pool';

const PASSWORD = 'Corr3ct-Horse-Battery!';
const HOUR = 60 * 60 * 1000;
const express5 = EXPRESS_FLAVORS[1];

/**
 * An SDK client on the pool with one attempt and a request timeout: the "configurable timeout".
 * `throwOnRequestTimeout` is needed: without it the SDK's `requestTimeout` only logs a warning and
 * the call waits for Cognito however long it takes.
 */
function sdkWithTimeout(pool: TestPool, requestTimeoutMs: number): CognitoIdentityProviderClient {
  return new CognitoIdentityProviderClient({
    region: pool.region, endpoint: pool.endpoint, credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1,
    requestHandler: { requestTimeout: requestTimeoutMs, connectionTimeout: requestTimeoutMs, throwOnRequestTimeout: true },
  });
}

/** A pool with alice, and an app whose Cognito calls give up after 500 ms without retrying. */
async function startAppWithShortTimeouts(): Promise<{ pool: TestPool; web: TestApp; sdk: CognitoIdentityProviderClient }> {
  const pool = await startTestPool();
  await pool.createUser('alice', PASSWORD);
  const sdk = sdkWithTimeout(pool, 500);
  const web = await startApp(express5, { pool, strategy: { client: sdk }, guard: { client: sdk }, logout: { client: sdk } });
  return { pool, web, sdk };
}

/** A forged bearer token with a random kid: the structure passes, the kid is unknown. */
function randomKidToken(): string {
  const b64 = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');
  return `${b64({ kid: randomUUID(), alg: 'RS256' })}.${b64({ sub: randomUUID(), token_use: 'access' })}.${Buffer.alloc(256, 7).toString('base64url')}`;
}

async function signIn(web: TestApp, username = 'alice'): Promise<{ agent: ReturnType<typeof request.agent>; sid: string }> {
  const agent = request.agent(web.url);
  const res = await agent.post('/login').send({ username, password: PASSWORD });
  assert.equal(res.status, 200, res.text);
  return { agent, sid: res.body.sid as string };
}

describe('hardening: faults', function () {
  this.timeout(60_000);

  describe('JWKS endpoint', () => {
    let pool: TestPool;
    let web: TestApp;
    const appOptions = (): AppOptions => ({ pool, guard: { jwksTimeoutMs: 300, jwksCooldownMs: 30_000 } });

    beforeEach(async () => {
      pool = await startTestPool();
      await pool.createUser('alice', PASSWORD);
      web = await startApp(express5, appOptions());
    });
    afterEach(async () => {
      await web.close();
      await pool.stop();
    });

    it('down after the keys were fetched: valid tokens keep passing (bearer and session)', async () => {
      const { agent } = await signIn(web);
      const { AccessToken } = await poolTokens(pool, 'alice', PASSWORD);
      await request(web.url).get('/api/me').set('Authorization', `Bearer ${AccessToken}`).expect(200);
      const fetched = pool.emulator.calls('jwks');
      pool.emulator.setFaults({ jwksDown: true });
      const fresh = await poolTokens(pool, 'alice', PASSWORD); // signed by the same, already held key
      for (let i = 0; i < 5; i++) {
        await request(web.url).get('/api/me').set('Authorization', `Bearer ${fresh.AccessToken}`).expect(200);
        await agent.get('/api/me').expect(200);
      }
      assert.equal(pool.emulator.calls('jwks'), fetched, 'held keys are used; the endpoint is not asked again');
      // A token under a key the app has never seen, while the endpoint is down: a plain 401, not a 5xx.
      pool.emulator.rotateSigningKey(pool.poolId);
      const rotated = await poolTokens(pool, 'alice', PASSWORD);
      pool.emulator.clock.advance(31_000); // past the cooldown, so the unknown kid may trigger a refetch
      const res = await request(web.url).get('/api/me').set('Authorization', `Bearer ${rotated.AccessToken}`);
      assert.equal(res.status, 401, res.text);
      assert.equal(res.body.code, 'ERR_COGNITO_TOKEN_KID_UNKNOWN');
      await request(web.url).get('/api/me').set('Authorization', `Bearer ${fresh.AccessToken}`).expect(200);
    });

    it('down at a cold start: 503 with Retry-After, never accepted, never a 500; served once it is back', async () => {
      pool.emulator.setFaults({ jwksDown: true });
      const { AccessToken, IdToken } = await poolTokens(pool, 'alice', PASSWORD);
      for (const [path, token] of [['/api/me', AccessToken], ['/api/id', IdToken], ['/api/me', randomKidToken()]] as const) {
        const res = await request(web.url).get(path).set('Authorization', `Bearer ${token}`);
        assert.equal(res.status, 503, res.text);
        assert.equal(res.body.code, 'ERR_COGNITO_JWKS_UNAVAILABLE');
        assert.match(String(res.headers['retry-after']), /^\d+$/);
      }
      // Login verifies the tokens Cognito returns: without keys it cannot finish, and says so.
      const agent = request.agent(web.url);
      const login = await agent.post('/login').send({ username: 'alice', password: PASSWORD });
      assert.equal(login.status, 503, login.text);
      assert.equal(login.body.code, 'ERR_COGNITO_JWKS_UNAVAILABLE');
      assert.equal((await agent.get('/api/me')).status, 401, 'no half-finished session');
      pool.emulator.clearFaults();
      await request(web.url).get('/api/me').set('Authorization', `Bearer ${AccessToken}`).expect(200);
      await agent.post('/login').send({ username: 'alice', password: PASSWORD }).expect(200);
      await agent.get('/api/me').expect(200);
    });

    it('hanging at a cold start: 503 within the JWKS timeout, not a hang', async () => {
      pool.emulator.setFaults({ latencyMs: 20_000, operations: ['jwks'] });
      const { AccessToken } = await poolTokens(pool, 'alice', PASSWORD);
      const started = performance.now();
      const res = await request(web.url).get('/api/me').set('Authorization', `Bearer ${AccessToken}`);
      const ms = performance.now() - started;
      assert.equal(res.status, 503, res.text);
      assert.ok(ms < 10_000, `answered after ${Math.round(ms)} ms (jwksTimeoutMs 300, fault latency 20 s)`);
    });

    it('a storm of 450 tokens with random kids over three cooldown windows: at most one JWKS fetch per cooldown, all 401', async () => {
      const { AccessToken } = await poolTokens(pool, 'alice', PASSWORD);
      await request(web.url).get('/api/me').set('Authorization', `Bearer ${AccessToken}`).expect(200);
      const storm = async (): Promise<number> => {
        const before = pool.emulator.calls('jwks');
        const statuses = await Promise.all(Array.from({ length: 150 }, () =>
          request(web.url).get('/api/me').set('Authorization', `Bearer ${randomKidToken()}`).then((r) => r.status)));
        assert.deepEqual([...new Set(statuses)], [401]);
        return pool.emulator.calls('jwks') - before;
      };
      pool.emulator.clock.advance(31_000); // the cooldown since the first fetch has passed
      assert.ok((await storm()) <= 1);
      assert.equal(await storm(), 0, 'within the same cooldown: no fetch at all');
      pool.emulator.clock.advance(31_000);
      assert.ok((await storm()) <= 1, 'next cooldown: at most one');
      await request(web.url).get('/api/me').set('Authorization', `Bearer ${AccessToken}`).expect(200);
      console.log(`      JWKS storm: 450 random kids, ${pool.emulator.calls('jwks')} JWKS fetches in all (one at start, ≤ 1 per 30 s cooldown)`);
    });
  });

  describe('Cognito during login', () => {
    let pool: TestPool;
    let web: TestApp;
    let sdk: CognitoIdentityProviderClient;

    before(async () => {
      ({ pool, web, sdk } = await startAppWithShortTimeouts());
    });
    after(async () => {
      await web.close();
      sdk.destroy();
      await pool.stop();
    });
    afterEach(() => pool.emulator.clearFaults());

    const cases: Array<{ name: string; faults: Parameters<TestPool['emulator']['setFaults']>[0]; status: number; code: string }> = [
      { name: 'throttling at InitiateAuth', faults: { throttle: true, operations: ['InitiateAuth'] }, status: 429, code: 'ERR_COGNITO_THROTTLED' },
      { name: 'throttling at RespondToAuthChallenge', faults: { throttle: true, operations: ['RespondToAuthChallenge'] }, status: 429, code: 'ERR_COGNITO_THROTTLED' },
      { name: 'failing (500) at InitiateAuth', faults: { serverError: true, operations: ['InitiateAuth'] }, status: 503, code: 'ERR_COGNITO_UNAVAILABLE' },
      { name: 'failing (500) at RespondToAuthChallenge', faults: { serverError: true, operations: ['RespondToAuthChallenge'] }, status: 503, code: 'ERR_COGNITO_UNAVAILABLE' },
      { name: 'slow (20 s) at InitiateAuth, SDK timeout 500 ms', faults: { latencyMs: 20_000, operations: ['InitiateAuth'] }, status: 503, code: 'ERR_COGNITO_UNAVAILABLE' },
      { name: 'slow (20 s) at RespondToAuthChallenge, SDK timeout 500 ms', faults: { latencyMs: 20_000, operations: ['RespondToAuthChallenge'] }, status: 503, code: 'ERR_COGNITO_UNAVAILABLE' },
    ];
    for (const c of cases) {
      it(`${c.name}: ${c.status} ${c.code}, no tokens in the session, no hang; the next login works`, async () => {
        pool.emulator.setFaults(c.faults);
        const agent = request.agent(web.url);
        const started = performance.now();
        const res = await agent.post('/login').send({ username: 'alice', password: PASSWORD });
        const ms = performance.now() - started;
        assert.equal(res.status, c.status, res.text);
        assert.equal(res.body.code, c.code);
        assert.ok(!res.text.includes(PASSWORD));
        assert.ok(ms < 10_000, `answered after ${Math.round(ms)} ms`);
        if (c.status === 429) assert.match(String(res.headers['retry-after']), /^\d+$/);
        assert.equal((await agent.get('/api/me')).status, 401, 'not signed in');
        pool.emulator.clearFaults();
        await agent.post('/login').send({ username: 'alice', password: PASSWORD }).expect(200);
        await agent.get('/api/me').expect(200);
      });
    }

    it('Express\'s own error handler gets the status right too (no custom handler)', async () => {
      const express = express5.load();
      const passport = new Passport();
      passport.use(new CognitoStrategy({ userPoolId: pool.poolId, clientId: pool.clientId, endpoint: pool.endpoint, client: sdk }));
      const app = express();
      app.set('env', 'test'); // finalhandler: no stack on stderr
      app.use(express.json());
      app.post('/login', passport.authenticate('cognito', { session: false }), (_req: unknown, res: { json(v: unknown): void }) => res.json({}));
      pool.emulator.setFaults({ throttle: true, operations: ['InitiateAuth'] });
      const res = await request(app).post('/login').send({ username: 'alice', password: PASSWORD });
      assert.equal(res.status, 429);
      assert.ok(!res.text.includes(PASSWORD));
    });
  });

  describe('Cognito during renewal', () => {
    let pool: TestPool;
    let web: TestApp;
    let sdk: CognitoIdentityProviderClient;

    before(async () => {
      ({ pool, web, sdk } = await startAppWithShortTimeouts());
    });
    after(async () => {
      await web.close();
      sdk.destroy();
      await pool.stop();
    });
    afterEach(() => pool.emulator.clearFaults());

    const cases: Array<{ name: string; faults: Parameters<TestPool['emulator']['setFaults']>[0]; code: string }> = [
      { name: 'throttling', faults: { throttle: true, operations: ['InitiateAuth'] }, code: 'ERR_COGNITO_THROTTLED' },
      { name: 'failing (500)', faults: { serverError: true, operations: ['InitiateAuth'] }, code: 'ERR_COGNITO_UNAVAILABLE' },
      { name: 'slow (20 s), SDK timeout 500 ms', faults: { latencyMs: 20_000, operations: ['InitiateAuth'] }, code: 'ERR_COGNITO_UNAVAILABLE' },
    ];
    for (const c of cases) {
      it(`${c.name}: 503 with Retry-After, the session keeps its refresh token, renewed once Cognito is back`, async () => {
        const { agent, sid } = await signIn(web);
        const before = (await storedSession(web.sessionStore, sid))!.cognito.tokens;
        pool.emulator.clock.advance(HOUR + 60_000);
        pool.emulator.setFaults(c.faults);
        const started = performance.now();
        const res = await agent.get('/api/me');
        const ms = performance.now() - started;
        assert.equal(res.status, 503, res.text);
        assert.equal(res.body.code, c.code);
        assert.match(String(res.headers['retry-after']), /^\d+$/);
        assert.ok(ms < 10_000, `answered after ${Math.round(ms)} ms`);
        const kept = (await storedSession(web.sessionStore, sid))!.cognito.tokens;
        assert.equal(kept.refreshToken, before.refreshToken, 'the refresh token is kept');
        assert.equal(kept.accessToken, before.accessToken);
        pool.emulator.clearFaults();
        const ok = await agent.get('/api/me');
        assert.equal(ok.status, 200, ok.text);
        const after = (await storedSession(web.sessionStore, sid))!.cognito.tokens;
        assert.notEqual(after.accessToken, before.accessToken, 'renewed');
        assert.equal(after.refreshToken, before.refreshToken);
      });
    }
  });

  describe('load', () => {
    let pool: TestPool;
    let web: TestApp;

    before(async () => {
      pool = await startTestPool();
      await Promise.all(Array.from({ length: 20 }, (_, i) => pool.createUser(`user${i}`, PASSWORD)));
      web = await startApp(express5, { pool });
    });
    after(async () => {
      await web.close();
      await pool.stop();
    });

    it('200 concurrent requests over 20 sessions whose access tokens just expired: 20 refresh calls, 200 successes', async () => {
      const sessions = await Promise.all(Array.from({ length: 20 }, (_, i) => signIn(web, `user${i}`)));
      await Promise.all(sessions.map(({ agent }) => agent.get('/api/me').expect(200)));
      pool.emulator.clock.advance(HOUR + 1_000); // every access token has just expired
      const before = pool.emulator.calls('InitiateAuth');
      const started = performance.now();
      const responses = await Promise.all(Array.from({ length: 200 }, (_, i) => sessions[i % 20].agent.get('/api/me')));
      const ms = Math.round(performance.now() - started);
      const statuses = responses.map((r) => r.status);
      const refreshes = pool.emulator.calls('InitiateAuth') - before;
      console.log(`      load: 200 requests over 20 expired sessions → ${statuses.filter((s) => s === 200).length} × 200, ${refreshes} refresh calls, ${ms} ms`);
      assert.deepEqual(statuses, Array(200).fill(200));
      assert.equal(refreshes, 20);
      for (let i = 0; i < 20; i++) assert.equal(responses[i].body.username, `user${i}`, 'each session is its own user');
    });
  });
});
