/**
 * The emulator clock: real time plus an offset, where "real time" is whatever `Date.now` is at the
 * moment of reading, so fake timers installed after the emulator started are followed.
 */
import assert from 'node:assert/strict';
import { GetUserCommand, InitiateAuthCommand } from '@aws-sdk/client-cognito-identity-provider';
import { createClock } from '../../lib/emulator/clock';
import { startTestPool, type TestPool } from '../support/pool';
import { claimsOf, rejects } from './helpers';

describe('emulator: clock', () => {
  const realDateNow = Date.now;
  afterEach(() => {
    Date.now = realDateNow;
  });

  describe('createClock', () => {
    it('reads Date.now at every call, not the Date.now it found when created', () => {
      const clock = createClock();
      let fake = 1_000_000;
      Date.now = () => fake;
      assert.equal(clock.now(), 1_000_000);
      fake = 2_000_000;
      assert.equal(clock.now(), 2_000_000);
    });

    it('keeps its offset on top of a replaced Date.now: advance, set, reset', () => {
      const clock = createClock();
      let fake = 1_000_000;
      Date.now = () => fake;
      clock.advance(500);
      assert.equal(clock.now(), 1_000_500);
      fake += 10;
      assert.equal(clock.now(), 1_000_510);
      clock.set(5_000);
      assert.equal(clock.now(), 5_000);
      fake += 10;
      assert.equal(clock.now(), 5_010, 'it keeps ticking from the set time');
      clock.reset();
      assert.equal(clock.now(), fake);
    });

    it('reads an injected source instead of Date.now', () => {
      const clock = createClock(() => 42);
      Date.now = () => 1_000_000;
      assert.equal(clock.now(), 42);
    });

    it('refuses a non-finite time with a TypeError', () => {
      const clock = createClock();
      assert.throws(() => clock.advance(Number.NaN), TypeError);
      assert.throws(() => clock.set(Number.POSITIVE_INFINITY), TypeError);
    });
  });

  describe('a running emulator', () => {
    let pool: TestPool;
    const login = async () =>
      (await pool.sdk.send(
        new InitiateAuthCommand({
          ClientId: pool.clientId,
          AuthFlow: 'USER_PASSWORD_AUTH',
          AuthParameters: { USERNAME: 'alice', PASSWORD: 'Passw0rd!' },
        }),
      )).AuthenticationResult!;

    before(async () => {
      pool = await startTestPool();
      await pool.createUser('alice', 'Passw0rd!');
    });
    after(() => pool.stop());

    it('follows a Date.now replaced after it started: token iat/exp and access-token expiry', async () => {
      // A whole second, ten days ahead: nothing but the replaced Date.now can produce it.
      let fake = (Math.floor(realDateNow() / 1000) + 10 * 86_400) * 1000;
      Date.now = () => fake;

      const tokens = await login();
      const access = claimsOf(tokens.AccessToken!);
      const id = claimsOf(tokens.IdToken!);
      assert.equal(access.iat, fake / 1000);
      assert.equal(access.exp, fake / 1000 + 3600);
      assert.equal(id.iat, fake / 1000);
      assert.equal(id.auth_time, fake / 1000);

      fake += 3599_000;
      const user = await pool.sdk.send(new GetUserCommand({ AccessToken: tokens.AccessToken }));
      assert.equal(user.Username, 'alice');
      fake += 1000;
      const expired = pool.sdk.send(new GetUserCommand({ AccessToken: tokens.AccessToken }));
      await rejects(expired, 'NotAuthorizedException', 'Access Token has expired');
    });
  });
});
