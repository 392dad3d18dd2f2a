// requireCognito({ onRefusal }): every 401, 403 and 503 goes to the app's handler (which may answer or
// call next(err)); the browser redirect to loginUrl stays a redirect. Real app, real emulator.
import { strict as assert } from 'node:assert';
import type { IncomingMessage, ServerResponse } from 'node:http';
import request from 'supertest';
import { handOverRefusal, Refusal, type CognitoRefusal } from '../../middleware/refusal';
import { requireCognito } from '../../middleware/require-cognito';
import { EXPRESS_FLAVORS, startApp, type TestApp } from '../support/app';
import { startTestPool, type TestPool } from '../support/pool';

const PASSWORD = 'Passw0rd!long';
const HOUR = 3600_000;

describe('requireCognito({ onRefusal })', function () {
  let pool: TestPool;
  let web: TestApp;
  const seen: CognitoRefusal[] = [];

  before(async function () {
    pool = await startTestPool();
    await pool.createUser('plain-user', PASSWORD);
    web = await startApp(EXPRESS_FLAVORS[1], {
      pool,
      guard: {
        onRefusal(req, res, next, refusal) {
          seen.push(refusal);
          if (req.headers['x-test'] === 'throw') throw Object.assign(new Error('thrown by onRefusal'), { status: 500, code: 'APP_THROWN' });
          if (req.headers['x-test'] === 'reject') {
            return Promise.reject(Object.assign(new Error('rejected by onRefusal'), { status: 500, code: 'APP_REJECTED' }));
          }
          if (refusal.code === 'ERR_COGNITO_SCOPE_REQUIRED') {
            next(Object.assign(new Error('passed on'), { status: refusal.status, code: 'APP_VIA_NEXT' }));
            return;
          }
          res.statusCode = refusal.status;
          for (const [name, value] of Object.entries(refusal.headers)) res.setHeader(name, value);
          res.setHeader('Content-Type', 'text/plain; charset=utf-8');
          res.end(`app page: ${refusal.status} ${refusal.code}`);
        },
      },
    });
  });
  after(async function () {
    await web?.close();
    await pool?.stop();
  });
  beforeEach(function () {
    seen.length = 0;
  });
  afterEach(function () {
    pool.emulator.clearFaults();
  });

  async function signIn(): Promise<ReturnType<typeof request.agent>> {
    const agent = request.agent(web.server);
    await agent.post('/login').send({ username: 'plain-user', password: PASSWORD }).expect(200);
    return agent;
  }

  it('401 (no token, malformed header, bad token): the app answers, with the headers the guard would have sent', async function () {
    const none = await request(web.server).get('/api/me').expect(401);
    assert.equal(none.text, 'app page: 401 ERR_COGNITO_TOKEN_MISSING');
    assert.equal(none.headers['www-authenticate'], 'Bearer');
    const malformed = await request(web.server).get('/api/me').set('Authorization', 'Bearer').expect(401);
    assert.equal(malformed.text, 'app page: 401 ERR_COGNITO_AUTHORIZATION_MALFORMED');
    assert.equal(malformed.headers['www-authenticate'], 'Bearer error="invalid_request"');
    const bad = await request(web.server).get('/api/me').set('Authorization', 'Bearer a.b.c').expect(401);
    assert.match(bad.text, /^app page: 401 ERR_COGNITO_/);
    assert.match(String(bad.headers['www-authenticate']), /^Bearer error="invalid_token"/);
    assert.equal(seen.length, 3);
    assert.deepEqual(Object.keys(seen[0]).sort(), ['code', 'headers', 'message', 'status']);
    assert.equal(seen[0].message, 'Sign-in required.');
  });

  it('403 for a missing group: the app answers; a missing scope passed on with next(err) reaches the error handler', async function () {
    const agent = await signIn();
    const admin = await agent.get('/admin').expect(403);
    assert.equal(admin.text, 'app page: 403 ERR_COGNITO_GROUP_REQUIRED');
    assert.equal(seen.at(-1)!.message, 'Requires membership of: admin.');
    const scoped = await agent.get('/scoped').expect(403);
    assert.deepEqual(scoped.body, { code: 'APP_VIA_NEXT', message: 'passed on' });
    assert.equal(seen.at(-1)!.code, 'ERR_COGNITO_SCOPE_REQUIRED');
    assert.match(seen.at(-1)!.headers['WWW-Authenticate'], /insufficient_scope/);
    await agent.get('/api/me').expect(200);
    assert.equal(seen.length, 2, 'not called for a request that passes');
  });

  it('503 while Cognito throttles the renewal: the app answers with Retry-After, and the session keeps its refresh token', async function () {
    const agent = await signIn();
    pool.emulator.clock.advance(HOUR + 60_000);
    pool.emulator.setFaults({ throttle: true, operations: ['InitiateAuth', 'GetTokensFromRefreshToken'] });
    const res = await agent.get('/api/me').expect(503);
    assert.equal(res.text, 'app page: 503 ERR_COGNITO_THROTTLED');
    assert.match(String(res.headers['retry-after']), /^\d+$/);
    pool.emulator.clearFaults();
    await agent.get('/api/me').expect(200);
  });

  it('the browser redirect to loginUrl is not a refusal: it stays a redirect', async function () {
    const res = await request(web.server).get('/page').set('Accept', 'text/html').expect(302);
    assert.equal(res.headers.location, '/login?returnTo=%2Fpage');
    assert.equal(seen.length, 0);
  });

  it('a handler that throws, or whose promise rejects, ends in next(err)', async function () {
    const thrown = await request(web.server).get('/api/me').set('X-Test', 'throw').expect(500);
    assert.equal(thrown.body.code, 'APP_THROWN');
    const rejected = await request(web.server).get('/api/me').set('X-Test', 'reject').expect(500);
    assert.equal(rejected.body.code, 'APP_REJECTED');
  });

  it('the handler gets a copy of the headers; handOverRefusal catches an async rejection', async function () {
    const refusal = new Refusal(401, { error: 'invalid_token', code: 'ERR_COGNITO_TOKEN_EXPIRED', message: 'm' }, { 'WWW-Authenticate': 'Bearer' });
    const copy = refusal.toPublic();
    copy.headers['WWW-Authenticate'] = 'changed';
    assert.equal(refusal.toPublic().headers['WWW-Authenticate'], 'Bearer');
    const calls: unknown[] = [];
    const next = (err?: unknown) => calls.push(err);
    handOverRefusal(() => Promise.reject(new Error('late')), {} as IncomingMessage, {} as ServerResponse, next, copy);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal((calls[0] as Error).message, 'late');
  });

  it('"onRefusal" must be a function', function () {
    const base = { userPoolId: 'us-east-1_Test1', clientId: 'client1', endpoint: 'http://127.0.0.1:1' };
    assert.throws(() => requireCognito({ ...base, onRefusal: 'page' as never }), /"onRefusal" must be a function/);
  });
});
