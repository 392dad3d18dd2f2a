// cognitoLogout over real HTTP: Express 4 and 5 apps against the emulator; replay of the old cookie
// and of the old bearer tokens after logout.
import { strict as assert } from 'node:assert';
import { InitiateAuthCommand } from '@aws-sdk/client-cognito-identity-provider';
import request from 'supertest';
import { cognitoLogout } from '../../middleware/cognito-logout';
import { EXPRESS_FLAVORS, sidFromSetCookie, startApp, storedSession, type TestApp } from '../support/app';
import { startTestPool, type TestPool } from '../support/pool';

const PASSWORD = 'Passw0rd!long';

interface SignedIn {
  agent: ReturnType<typeof request.agent>;
  sid: string;
  cookie: string;
  tokens: { accessToken: string; idToken: string; refreshToken: string };
}

async function signIn(web: TestApp, username: string, cookieName = 'connect.sid'): Promise<SignedIn> {
  const agent = request.agent(web.server);
  const res = await agent.post('/login').send({ username, password: PASSWORD }).expect(200);
  const setCookie = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
  const sid = sidFromSetCookie(setCookie, cookieName)!;
  const record = await storedSession(web.sessionStore, sid);
  return { agent, sid, cookie: setCookie[0].split(';')[0], tokens: record!.cognito.tokens };
}

function clearedCookie(res: request.Response, name: string): string | undefined {
  return ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((c) => c.startsWith(`${name}=;`));
}

for (const flavor of EXPRESS_FLAVORS) {
  describe(`cognitoLogout — ${flavor.name}`, function () {
    let pool: TestPool;
    let web: TestApp;
    let n = 0;
    const fresh = async (prefix: string) => {
      const name = `${prefix}-${++n}`;
      await pool.createUser(name, PASSWORD);
      return name;
    };

    before(async function () {
      pool = await startTestPool();
      web = await startApp(flavor, { pool });
    });
    after(async function () {
      await web?.close();
      await pool?.stop();
    });
    afterEach(function () {
      pool.emulator.clearFaults();
    });

    it('POST: GlobalSignOut, session destroyed, cookie cleared, 204; the old cookie and the old bearer tokens are then refused', async function () {
      const username = await fresh('out');
      const s = await signIn(web, username);
      await s.agent.get('/api/me').expect(200);
      pool.emulator.resetCalls();
      const res = await s.agent.post('/logout').expect(204);
      assert.equal(pool.emulator.calls('GlobalSignOut'), 1);
      assert.equal(pool.emulator.calls('RevokeToken'), 0);
      const cleared = clearedCookie(res, 'connect.sid');
      assert.ok(cleared, 'the session cookie is cleared');
      assert.match(cleared, /Path=\//);
      assert.match(cleared, /Expires=Thu, 01 Jan 1970 00:00:00 GMT/);
      assert.equal(await storedSession(web.sessionStore, s.sid), undefined, 'the session is gone from the store');

      // Replay of the old cookie: no session, no tokens.
      const replay = await request(web.server).get('/api/me').set('Cookie', s.cookie).expect(401);
      assert.equal(replay.body.code, 'ERR_COGNITO_TOKEN_MISSING');
      assert.equal((await request(web.server).get('/whoami').set('Cookie', s.cookie)).body.user, null);
      // Replay of the old tokens as bearer tokens, before they expire: refused by this app.
      const bearer = await request(web.server).get('/api/me').set('Authorization', `Bearer ${s.tokens.accessToken}`).expect(401);
      assert.equal(bearer.body.code, 'ERR_COGNITO_TOKEN_REVOKED');
      assert.match(bearer.headers['www-authenticate'], /^Bearer error="invalid_token"/);
      const id = await request(web.server).get('/api/id').set('Authorization', `Bearer ${s.tokens.idToken}`).expect(401);
      assert.equal(id.body.code, 'ERR_COGNITO_TOKEN_REVOKED');
      // And Cognito itself has ended the refresh token.
      await assert.rejects(pool.sdk.send(new InitiateAuthCommand({
        ClientId: pool.clientId, AuthFlow: 'REFRESH_TOKEN_AUTH', AuthParameters: { REFRESH_TOKEN: s.tokens.refreshToken },
      })), { name: 'NotAuthorizedException' });
    });

    it('a logged-out token stays refused through the leeway after its exp', async function () {
      const s = await signIn(web, await fresh('leeway'));
      await s.agent.post('/logout').expect(204);
      const exp = (JSON.parse(Buffer.from(s.tokens.accessToken.split('.')[1], 'base64url').toString()) as { exp: number }).exp;
      // 2 s past exp is inside the default 5 s leeway: the verifier alone would still accept it.
      pool.emulator.clock.set(exp * 1000 + 2_000);
      const res = await request(web.server).get('/api/me').set('Authorization', `Bearer ${s.tokens.accessToken}`).expect(401);
      assert.equal(res.body.code, 'ERR_COGNITO_TOKEN_REVOKED');
    });

    it('another user\'s tokens are unaffected', async function () {
      const a = await signIn(web, await fresh('stay'));
      const b = await signIn(web, await fresh('leave'));
      await b.agent.post('/logout').expect(204);
      await a.agent.get('/api/me').expect(200);
      await request(web.server).get('/api/me').set('Authorization', `Bearer ${a.tokens.accessToken}`).expect(200);
    });

    it('tokens renewed from the same sign-in are refused too (origin_jti)', async function () {
      const s = await signIn(web, await fresh('renewed'));
      pool.emulator.clock.advance(3600_000 + 60_000);
      await s.agent.get('/api/me').expect(200);
      const renewed = (await storedSession(web.sessionStore, s.sid))!.cognito.tokens;
      assert.notEqual(renewed.accessToken, s.tokens.accessToken);
      await s.agent.post('/logout').expect(204);
      const res = await request(web.server).get('/api/me').set('Authorization', `Bearer ${renewed.accessToken}`).expect(401);
      assert.equal(res.body.code, 'ERR_COGNITO_TOKEN_REVOKED');
    });

    it('a Cognito failure during GlobalSignOut does not stop the local logout', async function () {
      const s = await signIn(web, await fresh('down'));
      pool.emulator.setFaults({ serverError: true, operations: ['GlobalSignOut'] });
      const res = await s.agent.post('/logout').expect(204);
      assert.ok(clearedCookie(res, 'connect.sid'));
      assert.equal(await storedSession(web.sessionStore, s.sid), undefined);
      const bearer = await request(web.server).get('/api/me').set('Authorization', `Bearer ${s.tokens.accessToken}`).expect(401);
      assert.equal(bearer.body.code, 'ERR_COGNITO_TOKEN_REVOKED');
    });

    it('other methods get 405 with Allow: POST, and nothing is logged out', async function () {
      const s = await signIn(web, await fresh('get'));
      const res = await s.agent.get('/logout').expect(405);
      assert.equal(res.headers.allow, 'POST');
      await s.agent.get('/api/me').expect(200);
    });

    it('logging out without a session is harmless: 204', async function () {
      pool.emulator.resetCalls();
      await request(web.server).post('/logout').expect(204);
      assert.equal(pool.emulator.calls(), 0);
    });

    it('revokeRefreshToken + redirect + methods + custom cookie name; globalSignOut off', async function () {
      const custom = await startApp(flavor, {
        pool,
        cookieName: 'app.sid',
        logout: { revokeRefreshToken: true, globalSignOut: false, redirect: '/bye', methods: ['GET', 'POST'] },
      });
      try {
        const s = await signIn(custom, await fresh('revoke'), 'app.sid');
        pool.emulator.resetCalls();
        const res = await s.agent.get('/logout').expect(302);
        assert.equal(res.headers.location, '/bye');
        assert.equal(pool.emulator.calls('RevokeToken'), 1);
        assert.equal(pool.emulator.calls('GlobalSignOut'), 0);
        assert.ok(clearedCookie(res, 'app.sid'), 'the cookie of the configured name is cleared');
        assert.equal(clearedCookie(res, 'connect.sid'), undefined);
        await assert.rejects(pool.sdk.send(new InitiateAuthCommand({
          ClientId: pool.clientId, AuthFlow: 'REFRESH_TOKEN_AUTH', AuthParameters: { REFRESH_TOKEN: s.tokens.refreshToken },
        })), { name: 'NotAuthorizedException' });
        await request(custom.server).get('/api/me').set('Authorization', `Bearer ${s.tokens.accessToken}`).expect(401);
      } finally {
        await custom.close();
      }
    });

    it('guard and logout share the process-wide default store when none is given', async function () {
      const shared = await startApp(flavor, { pool, useDefaultRevocationStore: true });
      const other = await startApp(flavor, { pool, useDefaultRevocationStore: true });
      try {
        const s = await signIn(shared, await fresh('default-store'));
        await s.agent.post('/logout').expect(204);
        const res = await request(other.server).get('/api/me').set('Authorization', `Bearer ${s.tokens.accessToken}`).expect(401);
        assert.equal(res.body.code, 'ERR_COGNITO_TOKEN_REVOKED');
      } finally {
        await shared.close();
        await other.close();
      }
    });
  });
}

describe('cognitoLogout options', function () {
  const base = { userPoolId: 'us-east-1_Test1', clientId: 'client1', endpoint: 'http://127.0.0.1:1' };
  it('throws TypeError naming a bad option', function () {
    assert.throws(() => cognitoLogout({ ...base, methods: [] }), /"methods"/);
    assert.throws(() => cognitoLogout({ ...base, methods: ['PO ST'] }), /"methods"/);
    assert.throws(() => cognitoLogout({ ...base, globalSignOut: 1 as never }), /"globalSignOut"/);
    assert.throws(() => cognitoLogout({ ...base, revokeRefreshToken: 'yes' as never }), /"revokeRefreshToken"/);
    assert.throws(() => cognitoLogout({ ...base, redirect: '//evil.example' }), /"redirect"/);
    assert.throws(() => cognitoLogout({ ...base, cookieName: 'a b' }), /"cookieName"/);
    assert.throws(() => cognitoLogout({ ...base, revocationStore: { revoke() {} } as never }), /"revocationStore"/);
    assert.equal(typeof cognitoLogout({ ...base, methods: ['post', 'GET'], redirect: '/' }), 'function');
  });
});
