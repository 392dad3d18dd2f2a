/**
 * Every option given to a web-layer factory reaches the Cognito calls it makes (issue 11): the
 * strategy, the guard's renewal and the logout hand their resolved config down
 * (`Cognito.fromConfig`), so `requestTimeoutMs` and `jwksTimeoutMs` are not replaced by the defaults
 * (10000 / 5000 ms). No `client` option here: the package makes its own SDK client, as in an app.
 *
 * The emulator's latency fault holds the call for 20 s; with the defaults an answer would take at
 * least 10 s (three attempts of 10 s for a Cognito call), so an answer within 5 s shows the option
 * was in force.
 */
import { strict as assert } from 'node:assert';
import { performance } from 'node:perf_hooks';
import request from 'supertest';
import { EXPRESS_FLAVORS, startApp, type TestApp } from '../support/app';
import { startTestPool, type TestPool } from '../support/pool';

const PASSWORD = 'Corr3ct-Horse-Battery!';
const HOUR = 60 * 60 * 1000;
const BOUND_MS = 5_000;
const express5 = EXPRESS_FLAVORS[1];

async function timed<T>(run: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await run();
  return { value, ms: performance.now() - started };
}

describe('hardening: options reach the calls they are for (no client option)', function () {
  this.timeout(60_000);
  let pool: TestPool;
  let web: TestApp;

  before(async () => {
    pool = await startTestPool();
    await pool.createUser('alice', PASSWORD);
    const short = { client: undefined, requestTimeoutMs: 300, jwksTimeoutMs: 300 };
    web = await startApp(express5, { pool, strategy: short, guard: short, logout: short });
  });
  after(async () => {
    await web.close();
    await pool.stop();
  });
  afterEach(() => pool.emulator.clearFaults());

  async function signIn(): Promise<ReturnType<typeof request.agent>> {
    const agent = request.agent(web.url);
    await agent.post('/login').send({ username: 'alice', password: PASSWORD }).expect(200);
    return agent;
  }

  it('CognitoStrategy({ requestTimeoutMs: 300 }): a hanging InitiateAuth is a 503 within the bound', async () => {
    pool.emulator.setFaults({ latencyMs: 20_000, operations: ['InitiateAuth'] });
    const agent = request.agent(web.url);
    const { value: res, ms } = await timed(async () => agent.post('/login').send({ username: 'alice', password: PASSWORD }));
    assert.equal(res.status, 503, res.text);
    assert.equal(res.body.code, 'ERR_COGNITO_UNAVAILABLE');
    assert.ok(ms < BOUND_MS, `answered after ${Math.round(ms)} ms`);
    assert.ok(!res.text.includes(PASSWORD));
  });

  it('requireCognito({ requestTimeoutMs: 300 }): a hanging refresh is a 503 within the bound, the session kept', async () => {
    const agent = await signIn();
    pool.emulator.clock.advance(HOUR + 60_000);
    pool.emulator.setFaults({ latencyMs: 20_000, operations: ['InitiateAuth', 'GetTokensFromRefreshToken'] });
    const { value: res, ms } = await timed(async () => agent.get('/api/me'));
    assert.equal(res.status, 503, res.text);
    assert.equal(res.body.code, 'ERR_COGNITO_UNAVAILABLE');
    assert.match(String(res.headers['retry-after']), /^\d+$/);
    assert.ok(ms < BOUND_MS, `answered after ${Math.round(ms)} ms`);
    pool.emulator.clearFaults();
    await agent.get('/api/me').expect(200);
  });

  it('cognitoLogout({ requestTimeoutMs: 300 }): hanging RevokeToken and GlobalSignOut do not hold the logout', async () => {
    const agent = await signIn();
    const before = pool.emulator.calls('RevokeToken') + pool.emulator.calls('GlobalSignOut');
    pool.emulator.setFaults({ latencyMs: 20_000, operations: ['RevokeToken', 'GlobalSignOut'] });
    const { value: res, ms } = await timed(async () => agent.post('/logout'));
    assert.ok(res.status < 400, `${res.status} ${res.text}`);
    assert.ok(ms < BOUND_MS, `answered after ${Math.round(ms)} ms`);
    assert.ok(pool.emulator.calls('RevokeToken') + pool.emulator.calls('GlobalSignOut') > before, 'Cognito was called');
    assert.equal((await agent.get('/api/me')).status, 401, 'signed out locally all the same');
  });

  it('CognitoStrategy({ jwksTimeoutMs: 300 }): a hanging JWKS at login is a 503 within the bound', async () => {
    // A fresh pool: its JWKS has never been fetched by this process.
    const other = await startTestPool();
    await other.createUser('alice', PASSWORD);
    const app = await startApp(express5, { pool: other, strategy: { client: undefined, jwksTimeoutMs: 300 } });
    try {
      other.emulator.setFaults({ latencyMs: 20_000, operations: ['jwks'] });
      const { value: res, ms } = await timed(async () => request(app.url).post('/login').send({ username: 'alice', password: PASSWORD }));
      assert.equal(res.status, 503, res.text);
      assert.equal(res.body.code, 'ERR_COGNITO_JWKS_UNAVAILABLE');
      assert.ok(ms < BOUND_MS, `answered after ${Math.round(ms)} ms`);
    } finally {
      await app.close();
      await other.stop();
    }
  });
});
