// requireCognito on an app client that rotates refresh tokens (RefreshTokenRotation ENABLED): an
// expired session is renewed with GetTokensFromRefreshToken — once for 50 concurrent requests — the
// session keeps the NEW refresh token (the old one stops working), and the next expiry renews from it.
import { strict as assert } from 'node:assert';
import { GetTokensFromRefreshTokenCommand, InitiateAuthCommand } from '@aws-sdk/client-cognito-identity-provider';
import { decodeJwt } from 'jose';
import request from 'supertest';
import { EXPRESS_FLAVORS, sidFromSetCookie, startApp, storedSession, type TestApp } from '../support/app';
import { startTestPool, type TestPool } from '../support/pool';

const PASSWORD = 'Passw0rd!long';
const HOUR = 3600_000;
const ROTATION = { RefreshTokenRotation: { Feature: 'ENABLED' as const, RetryGracePeriodSeconds: 0 } };

for (const withSecret of [false, true]) {
  describe(`requireCognito — refresh-token rotation${withSecret ? ' (client with a secret)' : ''}`, function () {
    let pool: TestPool;
    let told: TestApp;
    let n = 0;

    before(async function () {
      pool = await startTestPool({ generateSecret: withSecret, clientOptions: ROTATION });
      told = await startApp(EXPRESS_FLAVORS[1], { pool, guard: { refreshTokenRotation: true } });
    });
    after(async function () {
      await told?.close();
      await pool?.stop();
    });

    async function signIn(web: TestApp): Promise<{ agent: ReturnType<typeof request.agent>; sid: string }> {
      const username = `rota-${++n}`;
      await pool.createUser(username, PASSWORD);
      const agent = request.agent(web.server);
      const res = await agent.post('/login').send({ username, password: PASSWORD }).expect(200);
      return { agent, sid: sidFromSetCookie(res.headers['set-cookie'])! };
    }
    const sessionTokens = async (web: TestApp, sid: string) => (await storedSession(web.sessionStore, sid))!.cognito.tokens;
    const refreshWith = (refreshToken: string) => pool.sdk.send(new GetTokensFromRefreshTokenCommand({
      ClientId: pool.clientId, RefreshToken: refreshToken, ...(pool.clientSecret ? { ClientSecret: pool.clientSecret } : {}),
    }));

    it('the client really rotates: REFRESH_TOKEN_AUTH is refused for it', async function () {
      const { sid } = await signIn(told);
      const { refreshToken } = await sessionTokens(told, sid);
      await assert.rejects(pool.sdk.send(new InitiateAuthCommand({
        ClientId: pool.clientId, AuthFlow: 'REFRESH_TOKEN_AUTH', AuthParameters: { REFRESH_TOKEN: refreshToken },
      })), { name: 'InvalidParameterException' });
    });

    it('50 concurrent requests after expiry: ONE GetTokensFromRefreshToken; the session holds the new refresh token; the next expiry renews from it', async function () {
      const { agent, sid } = await signIn(told);
      const first = await sessionTokens(told, sid);
      assert.ok(first.refreshToken);

      pool.emulator.clock.advance(HOUR + 60_000);
      pool.emulator.resetCalls();
      const responses = await Promise.all(Array.from({ length: 50 }, () => agent.get('/api/me')));
      for (const res of responses) assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(pool.emulator.calls('GetTokensFromRefreshToken'), 1, 'one refresh for 50 requests');
      assert.equal(pool.emulator.calls('InitiateAuth'), 0, 'told the client rotates: no REFRESH_TOKEN_AUTH attempt');
      const jtis = new Set(responses.map((r) => r.body.claims.jti));
      assert.equal(jtis.size, 1, 'everyone got the same new access token');

      const second = await sessionTokens(told, sid);
      assert.ok(second.refreshToken && second.refreshToken !== first.refreshToken, 'the session holds the NEW refresh token');
      assert.equal(decodeJwt(second.accessToken).jti, [...jtis][0]);
      assert.equal(decodeJwt(second.accessToken).origin_jti, decodeJwt(first.accessToken).origin_jti, 'same sign-in');
      // No grace period on this client: the replaced refresh token is dead, so only the new one could renew.
      await assert.rejects(refreshWith(first.refreshToken), { name: 'NotAuthorizedException' });

      pool.emulator.clock.advance(HOUR + 60_000);
      pool.emulator.resetCalls();
      const again = await Promise.all(Array.from({ length: 10 }, () => agent.get('/api/me')));
      for (const res of again) assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(pool.emulator.calls('GetTokensFromRefreshToken'), 1, 'a second renewal, from the new refresh token');
      assert.notEqual(again[0].body.claims.jti, [...jtis][0]);
      const third = await sessionTokens(told, sid);
      assert.ok(third.refreshToken && third.refreshToken !== second.refreshToken, 'rotated again');
      await assert.rejects(refreshWith(second.refreshToken), { name: 'NotAuthorizedException' });
    });

    it('without the option the guard finds out (one refused REFRESH_TOKEN_AUTH) and remembers it for this app client', async function () {
      // A pool of its own: no guard of this process has renewed for its client yet.
      const own = await startTestPool({ generateSecret: withSecret, clientOptions: ROTATION });
      const untold = await startApp(EXPRESS_FLAVORS[1], { pool: own });
      try {
        await own.createUser('untold', PASSWORD);
        const agent = request.agent(untold.server);
        const login = await agent.post('/login').send({ username: 'untold', password: PASSWORD }).expect(200);
        const sid = sidFromSetCookie(login.headers['set-cookie'])!;
        const first = await sessionTokens(untold, sid);
        own.emulator.clock.advance(HOUR + 60_000);
        own.emulator.resetCalls();
        const responses = await Promise.all(Array.from({ length: 50 }, () => agent.get('/api/me')));
        for (const res of responses) assert.equal(res.status, 200, JSON.stringify(res.body));
        assert.equal(own.emulator.calls('GetTokensFromRefreshToken'), 1);
        assert.equal(own.emulator.calls('InitiateAuth'), 1, 'REFRESH_TOKEN_AUTH tried once, refused');
        const second = await sessionTokens(untold, sid);
        assert.ok(second.refreshToken && second.refreshToken !== first.refreshToken);

        own.emulator.clock.advance(HOUR + 60_000);
        own.emulator.resetCalls();
        await agent.get('/api/me').expect(200);
        assert.equal(own.emulator.calls('GetTokensFromRefreshToken'), 1);
        assert.equal(own.emulator.calls('InitiateAuth'), 0, 'rotation remembered: straight to GetTokensFromRefreshToken');
        assert.notEqual((await sessionTokens(untold, sid)).refreshToken, second.refreshToken);
      } finally {
        await untold.close();
        await own.stop();
      }
    });
  });
}
