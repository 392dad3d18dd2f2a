// requireCognito on a pool that tracks devices (DeviceConfiguration): Cognito binds the refresh token
// of each sign-in to a device key, and refuses a refresh without it ("Invalid Refresh Token"). The web
// login does not remember devices, but its tokens carry that key (`device_key`), the session keeps it,
// and the guard's renewal must send it — else the session would end at its first renewal.
import { strict as assert } from 'node:assert';
import { decodeJwt } from 'jose';
import request from 'supertest';
import { EXPRESS_FLAVORS, sidFromSetCookie, startApp, storedSession, type TestApp } from '../support/app';
import { extraPool } from '../support/cognito-user';
import { startTestPool, type TestPool } from '../support/pool';

const PASSWORD = 'Passw0rd!long';
const HOUR = 3600_000;
const DEVICES = { ChallengeRequiredOnNewDevice: false, DeviceOnlyRememberedOnUserPrompt: true };
const ROTATION = { RefreshTokenRotation: { Feature: 'ENABLED' as const, RetryGracePeriodSeconds: 0 } };

describe('requireCognito — renewal on a pool that tracks devices', function () {
  let base: TestPool;
  before(async function () {
    base = await startTestPool();
  });
  after(async function () {
    await base?.stop();
  });

  for (const rotating of [false, true]) {
    it(`sends the session's device key with the refresh (${rotating ? 'GetTokensFromRefreshToken, rotating client' : 'REFRESH_TOKEN_AUTH'})`, async function () {
      const pool = await extraPool(base, { deviceConfiguration: DEVICES, ...(rotating ? { clientOptions: ROTATION } : {}) });
      let web: TestApp | undefined;
      try {
        web = await startApp(EXPRESS_FLAVORS[1], { pool, guard: { refreshTokenRotation: rotating } });
        await pool.createUser('devi', PASSWORD);
        const agent = request.agent(web.server);
        const login = await agent.post('/login').send({ username: 'devi', password: PASSWORD }).expect(200);
        const sid = sidFromSetCookie(login.headers['set-cookie'])!;
        const first = (await storedSession(web.sessionStore, sid))!.cognito.tokens;
        const deviceKey = decodeJwt(first.accessToken).device_key;
        assert.equal(typeof deviceKey, 'string', 'Cognito put the device key in the access token');
        assert.equal(first.deviceKey, deviceKey, 'the session keeps it');

        pool.emulator.clock.advance(HOUR + 60_000);
        pool.emulator.resetCalls();
        const me = await agent.get('/api/me').expect(200);
        assert.equal(pool.emulator.calls(rotating ? 'GetTokensFromRefreshToken' : 'InitiateAuth'), 1);
        assert.equal(me.body.claims.device_key, deviceKey);
        const renewed = (await storedSession(web.sessionStore, sid))!.cognito.tokens;
        assert.notEqual(renewed.accessToken, first.accessToken);
        assert.equal(renewed.deviceKey, deviceKey, 'still there for the next renewal');
        if (rotating) assert.notEqual(renewed.refreshToken, first.refreshToken);

        pool.emulator.clock.advance(HOUR + 60_000);
        await agent.get('/api/me').expect(200);
      } finally {
        await web?.close();
      }
    });
  }
});
