/**
 * Cognito's lockout after wrong passwords, against the emulator and by its clock: 5 wrong passwords
 * lock the user for 1 s, each further failure doubles the lock up to 15 minutes; during a lock even
 * the right password gets "Password attempts exceeded"; a success or 15 quiet minutes reset the
 * count. USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH and SRP's PASSWORD_VERIFIER share it. Plus the
 * pure policy (lib/emulator/lockout.ts).
 */
import assert from 'node:assert/strict';
import { AdminInitiateAuthCommand, InitiateAuthCommand } from '@aws-sdk/client-cognito-identity-provider';
import { lockDurationMs, lockoutAfterFailure, isLockedOut, LOCKOUT_RESET_AFTER_MS, MAX_LOCK_MS } from '../../lib/emulator/lockout';
import { startTestPool, type TestPool } from '../support/pool';
import { rejects, srpLogin } from './helpers';

const PASSWORD = 'Passw0rd!';
const WRONG = 'Wr0ng-pass!';
const LOCKED = 'Password attempts exceeded';
const INCORRECT = 'Incorrect username or password.';
// Real time keeps ticking between the calls: leave this much slack at the edges of a lock.
const SLACK = 250;

describe('emulator: wrong-password lockout', () => {
  describe('policy', () => {
    it('no lock below 5 failures; 1 s at 5, doubling, at most 15 minutes', () => {
      assert.deepEqual([1, 4, 5, 6, 7, 14].map(lockDurationMs), [0, 0, 1000, 2000, 4000, 512_000]);
      assert.equal(lockDurationMs(15), MAX_LOCK_MS);
      assert.equal(lockDurationMs(40), MAX_LOCK_MS);
    });

    it('counts consecutive failures; 15 quiet minutes start again from zero', () => {
      let state;
      for (let i = 0; i < 5; i++) state = lockoutAfterFailure(state, 10_000);
      assert.equal(state?.failures, 5);
      assert.ok(isLockedOut(state, 10_999));
      assert.ok(!isLockedOut(state, 11_000));
      assert.equal(lockoutAfterFailure(state, 11_000 + LOCKOUT_RESET_AFTER_MS).failures, 1);
      assert.equal(lockoutAfterFailure(state, 11_000).failures, 6);
    });
  });

  describe('sign-in', () => {
    let pool: TestPool;
    const login = (username: string, password: string) =>
      pool.sdk.send(new InitiateAuthCommand({ ClientId: pool.clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: username, PASSWORD: password } }));
    const adminLogin = (username: string, password: string) =>
      pool.sdk.send(new AdminInitiateAuthCommand({
        UserPoolId: pool.poolId, ClientId: pool.clientId, AuthFlow: 'ADMIN_USER_PASSWORD_AUTH', AuthParameters: { USERNAME: username, PASSWORD: password },
      }));
    const fail = async (username: string, times: number) => {
      for (let i = 0; i < times; i++) await rejects(login(username, WRONG), 'NotAuthorizedException', INCORRECT);
    };

    before(async () => {
      pool = await startTestPool();
    });
    after(() => pool.stop());
    afterEach(() => pool.emulator.clock.reset());

    it('five wrong passwords lock for 1 s, even the right password; then the right one works and resets the count', async () => {
      await pool.createUser('ann', PASSWORD);
      await fail('ann', 5);
      await rejects(login('ann', PASSWORD), 'NotAuthorizedException', LOCKED);
      await rejects(login('ann', WRONG), 'NotAuthorizedException', LOCKED);
      pool.emulator.clock.advance(1000 + SLACK);
      assert.ok((await login('ann', PASSWORD)).AuthenticationResult);
      await fail('ann', 4);
      assert.ok((await login('ann', PASSWORD)).AuthenticationResult, 'four failures after a success do not lock');
    });

    it('each failure after a lock doubles it; attempts during a lock do not lengthen it', async () => {
      await pool.createUser('ben', PASSWORD);
      await fail('ben', 5);
      pool.emulator.clock.advance(1000 + SLACK);
      await fail('ben', 1);
      // Locked for 2 s now; an attempt in the middle is refused and changes nothing.
      pool.emulator.clock.advance(1000);
      await rejects(login('ben', PASSWORD), 'NotAuthorizedException', LOCKED);
      pool.emulator.clock.advance(1000 - SLACK);
      await rejects(login('ben', PASSWORD), 'NotAuthorizedException', LOCKED);
      pool.emulator.clock.advance(2 * SLACK);
      await fail('ben', 1);
      // Locked for 4 s.
      pool.emulator.clock.advance(4000 - SLACK);
      await rejects(login('ben', PASSWORD), 'NotAuthorizedException', LOCKED);
      pool.emulator.clock.advance(2 * SLACK);
      assert.ok((await login('ben', PASSWORD)).AuthenticationResult);
    });

    it('the lock stops growing at 15 minutes', async () => {
      await pool.createUser('cai', PASSWORD);
      await fail('cai', 5);
      for (let n = 6; n <= 15; n++) {
        pool.emulator.clock.advance(lockDurationMs(n - 1) + SLACK);
        await fail('cai', 1);
      }
      // The 15th failure: 2^10 s would be 17 minutes; the lock is 15. An attempt near its end keeps the count alive.
      pool.emulator.clock.advance(MAX_LOCK_MS - 10_000);
      await rejects(login('cai', PASSWORD), 'NotAuthorizedException', LOCKED);
      pool.emulator.clock.advance(10_000 + SLACK);
      await fail('cai', 1);
      // The 16th: 15 minutes again, not 30.
      pool.emulator.clock.advance(MAX_LOCK_MS - 10_000);
      await rejects(login('cai', PASSWORD), 'NotAuthorizedException', LOCKED);
      pool.emulator.clock.advance(10_000 + SLACK);
      assert.ok((await login('cai', PASSWORD)).AuthenticationResult);
    });

    it('15 minutes without attempts start the count again', async () => {
      await pool.createUser('dee', PASSWORD);
      await fail('dee', 5);
      pool.emulator.clock.advance(LOCKOUT_RESET_AFTER_MS);
      await fail('dee', 4);
      assert.ok((await login('dee', PASSWORD)).AuthenticationResult, 'four failures since the reset do not lock');
    });

    it('USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH and SRP share the count; other users are not locked', async () => {
      await pool.createUser('eli', PASSWORD);
      await pool.createUser('fay', PASSWORD);
      await fail('eli', 2);
      for (let i = 0; i < 2; i++) await rejects(adminLogin('eli', WRONG), 'NotAuthorizedException', INCORRECT);
      await rejects(srpLogin(pool, 'eli', WRONG), 'NotAuthorizedException', INCORRECT);
      await rejects(srpLogin(pool, 'eli', PASSWORD), 'NotAuthorizedException', LOCKED);
      await rejects(adminLogin('eli', PASSWORD), 'NotAuthorizedException', LOCKED);
      assert.ok((await login('fay', PASSWORD)).AuthenticationResult);
      pool.emulator.clock.advance(1000 + SLACK);
      const srp = await srpLogin(pool, 'eli', PASSWORD);
      assert.ok(srp.AuthenticationResult?.AccessToken);
    });

    it('SRP alone: five wrong PASSWORD_VERIFIER answers lock the user', async () => {
      await pool.createUser('gus', PASSWORD);
      for (let i = 0; i < 5; i++) await rejects(srpLogin(pool, 'gus', WRONG), 'NotAuthorizedException', INCORRECT);
      await rejects(srpLogin(pool, 'gus', PASSWORD), 'NotAuthorizedException', LOCKED);
      await rejects(login('gus', PASSWORD), 'NotAuthorizedException', LOCKED);
      pool.emulator.clock.advance(1000 + SLACK);
      assert.ok((await srpLogin(pool, 'gus', PASSWORD)).AuthenticationResult);
    });
  });
});
