// Cognito's account methods (lib/cognito-account.ts → lib/account.ts) against the emulator over
// loopback with the real AWS SDK: each call's success and its typed failures.
import { strict as assert } from 'node:assert';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { CredentialsProviderError } from '@smithy/core/config';
import { Cognito } from '../../lib/cognito';
import { AliasExistsError, ExpiredCodeError, UserNotFoundError, UsernameExistsError } from '../../lib/account-errors';
import {
  AuthenticationFailedError, CodeMismatchError, CognitoServiceError, InvalidPasswordError, NotAuthorizedError, PasswordResetRequiredError,
  UserNotConfirmedError,
} from '../../lib/errors';
import { startTestPool, type TestPool } from '../support/pool';

const PASSWORD = 'Corr3ct-horse!';

describe('Cognito account methods (emulator)', function () {
  let pool: TestPool;
  let n = 0;
  const fresh = (prefix: string): string => `${prefix}-${++n}`;
  const user = (username?: string): Cognito => new Cognito(pool.poolId, pool.clientId, {
    endpoint: pool.endpoint, region: pool.region, client: pool.sdk, clock: () => pool.emulator.clock.now(),
    ...(username === undefined ? {} : { username }),
  });
  const lastCode = (username: string): string => {
    const messages = pool.emulator.outbox({ username });
    const code = messages[messages.length - 1]?.code;
    assert.ok(code !== undefined, `a code was sent to ${username}`);
    return code;
  };

  before(async () => {
    pool = await startTestPool({
      clientOptions: { PreventUserExistenceErrors: 'LEGACY' },
      poolOptions: { AutoVerifiedAttributes: ['email'], AliasAttributes: ['email'] },
    });
  });
  after(() => pool.stop());

  describe('sign-up and confirmation', () => {
    it('register → UNCONFIRMED, sign-in refused with UserNotConfirmedError; confirmSignUp → signs in', async () => {
      const name = fresh('ann');
      const u = user(name);
      const out = await u.register(PASSWORD, { email: `${name}@example.com`, given_name: 'Ann' });
      assert.equal(out.userConfirmed, false);
      assert.match(out.userSub, /^[0-9a-f-]{36}$/);
      assert.equal(out.codeDelivery?.deliveryMedium, 'EMAIL');
      assert.equal(out.codeDelivery?.attributeName, 'email');
      assert.ok(!out.codeDelivery?.destination.includes(name), 'the destination is masked');
      await assert.rejects(u.authenticate(PASSWORD), UserNotConfirmedError);
      await assert.rejects(u.authenticate('Wr0ng-password!'), AuthenticationFailedError, 'a wrong password stays a bad credential');
      await assert.rejects(u.confirmSignUp('000000'), CodeMismatchError);
      await u.confirmSignUp(lastCode(name));
      await u.authenticate(PASSWORD);
      const profile = await u.getUser();
      assert.equal(profile.attributes.email, `${name}@example.com`);
      assert.equal(profile.attributes.email_verified, 'true');
      assert.equal(profile.attributes.given_name, 'Ann');
    });

    it('typed refusals: a taken username, a weak password (with the rule), an expired code', async () => {
      const name = fresh('bob');
      await user(name).register(PASSWORD, { email: `${name}@example.com` });
      await assert.rejects(user(name).register(PASSWORD), UsernameExistsError);
      await assert.rejects(user(fresh('weak')).register('short'), (e: unknown) => e instanceof InvalidPasswordError && e.requirement === 'length');
      pool.emulator.clock.advance(25 * 3600 * 1000);
      await assert.rejects(user(name).confirmSignUp(lastCode(name)), ExpiredCodeError);
      await user(name).resendConfirmationCode();
      await user(name).confirmSignUp(lastCode(name));
      await assert.rejects(user(name).confirmSignUp(lastCode(name)), NotAuthorizedError, 'already confirmed');
    });

    it('bad arguments are a TypeError before any call', async () => {
      pool.emulator.resetCalls();
      await assert.rejects(user(' ann').register(PASSWORD), TypeError);
      await assert.rejects(user('ann').register(''), TypeError);
      await assert.rejects(user('ann').register(PASSWORD, { email: 7 } as never), TypeError);
      await assert.rejects(user().register(PASSWORD), TypeError);
      await assert.rejects(user('ann').confirmSignUp('12 34'), TypeError);
      await assert.rejects(user('ann').changePassword('a', 'b'), TypeError, 'not signed in');
      assert.equal(pool.emulator.calls(), 0);
    });
  });

  describe('recovery and password change', () => {
    it('initiateForgotPassword → confirmForgotPassword; the old password stops working', async () => {
      const name = fresh('cat');
      await pool.createUser(name, PASSWORD, { attributes: { email: `${name}@example.com`, email_verified: 'true' } });
      const u = user(name);
      const sent = await u.initiateForgotPassword();
      assert.equal(sent?.deliveryMedium, 'EMAIL');
      await assert.rejects(u.confirmForgotPassword('000000', 'N3w-password!'), CodeMismatchError);
      await u.confirmForgotPassword(lastCode(name), 'N3w-password!');
      await assert.rejects(user(name).authenticate(PASSWORD), AuthenticationFailedError);
      await user(name).authenticate('N3w-password!');
    });

    it('an unknown user on a LEGACY client: UserNotFoundError', async () => {
      await assert.rejects(user(fresh('nobody')).initiateForgotPassword(), UserNotFoundError);
    });

    it('changePassword: the previous password checked, the policy applied', async () => {
      const name = fresh('dan');
      await pool.createUser(name, PASSWORD);
      const u = user(name);
      await u.authenticate(PASSWORD);
      await assert.rejects(u.changePassword('Wr0ng-password!', 'An0ther-pass!'), NotAuthorizedError);
      await assert.rejects(u.changePassword(PASSWORD, 'weak'), InvalidPasswordError);
      await u.changePassword(PASSWORD, 'An0ther-pass!');
      await user(name).authenticate('An0ther-pass!');
    });

    it('adminResetUserPassword: sign-in answers PasswordResetRequiredError until the reset', async () => {
      const name = fresh('eve');
      await pool.createUser(name, PASSWORD, { attributes: { email: `${name}@example.com`, email_verified: 'true' } });
      await user(name).adminResetUserPassword();
      await assert.rejects(user(name).authenticate(PASSWORD), PasswordResetRequiredError);
      await user(name).confirmForgotPassword(lastCode(name), 'Res3t-password!');
      await user(name).authenticate('Res3t-password!');
    });
  });

  describe('profile and attribute verification', () => {
    it('updateProfile: a new e-mail is unverified and sent a code; validateVerification verifies it', async () => {
      const name = fresh('fay');
      await pool.createUser(name, PASSWORD, { attributes: { email: `${name}@example.com`, email_verified: 'true' } });
      const u = user(name);
      await u.authenticate(PASSWORD);
      const sent = await u.updateProfile({ email: `${name}@new.example`, given_name: 'Fay' });
      assert.equal(sent.length, 1);
      let { attributes } = await u.getUser();
      assert.equal(attributes.given_name, 'Fay');
      assert.equal(attributes.email, `${name}@new.example`);
      assert.equal(attributes.email_verified, 'false');
      await assert.rejects(u.validateVerification('000000'), CodeMismatchError);
      await u.validateVerification(lastCode(name));
      ({ attributes } = await u.getUser());
      assert.equal(attributes.email_verified, 'true');
      await u.updateProfile({ given_name: '' });
      ({ attributes } = await u.getUser());
      assert.equal(attributes.given_name, undefined, 'an empty value deletes the attribute');
      await u.sendVerification();
    });

    it('an e-mail alias held by another confirmed account: AliasExistsError on verification', async () => {
      const a = fresh('gus');
      const b = fresh('hal');
      await pool.createUser(a, PASSWORD, { attributes: { email: `${a}@example.com`, email_verified: 'true' } });
      await pool.createUser(b, PASSWORD, { attributes: { email: `${b}@example.com`, email_verified: 'true' } });
      const u = user(b);
      await u.authenticate(PASSWORD);
      await u.updateProfile({ email: `${a}@example.com` });
      await assert.rejects(u.validateVerification(lastCode(b)), AliasExistsError);
    });

    it('deleteUser: the account is gone and the tokens forgotten', async () => {
      const name = fresh('ida');
      await pool.createUser(name, PASSWORD);
      const u = user(name);
      await u.authenticate(PASSWORD);
      await u.deleteUser();
      assert.equal(u.accessToken, undefined);
      assert.equal(u.refreshToken, undefined);
      await assert.rejects(user(name).authenticate(PASSWORD), AuthenticationFailedError);
    });
  });

  describe('admin calls', () => {
    it('create (invitation with a generated password), get, update, groups, disable/enable, confirm, delete, list', async () => {
      const admin = user();
      const name = fresh('jo');
      const created = await admin.adminCreateUser(name, { attributes: { email: `${name}@example.com` }, deliveryMediums: ['EMAIL'] });
      assert.equal(created.status, 'FORCE_CHANGE_PASSWORD');
      assert.equal(created.attributes.email, `${name}@example.com`);
      const invitation = pool.emulator.outbox({ username: name }).at(-1);
      assert.equal(invitation?.channel, 'EMAIL');
      await assert.rejects(admin.adminCreateUser(name), UsernameExistsError);
      const got = await admin.adminGetUser(name);
      assert.equal(got.username, name);
      assert.ok(got.createdAt instanceof Date);
      await admin.adminUpdateUserAttributes({ given_name: 'Jo' }, name);
      assert.equal((await admin.adminGetUser(name)).attributes.given_name, 'Jo');
      await pool.createUser(fresh('seed'), PASSWORD, { groups: ['staff'] });
      await admin.adminAddUserToGroup('staff', name);
      assert.deepEqual(await admin.adminListGroupsForUser(name), ['staff']);
      await admin.adminRemoveUserFromGroup('staff', name);
      assert.deepEqual(await admin.adminListGroupsForUser(name), []);
      await admin.adminDisableUser(name);
      assert.equal((await admin.adminGetUser(name)).enabled, false);
      await admin.adminEnableUser(name);
      const listed = await admin.listUsers(`username = "${name}"`);
      assert.deepEqual(listed.map((u) => u.username), [name]);
      await admin.adminDeleteUser(name);
      await assert.rejects(admin.adminGetUser(name), UserNotFoundError);
      await assert.rejects(admin.adminCreateUser(undefined), TypeError, 'no username');
    });

    it('adminConfirmSignUp confirms a signed-up user; passwordPolicy reads the pool\'s', async () => {
      const name = fresh('kim');
      await user(name).register(PASSWORD);
      await user().adminConfirmSignUp(name);
      await user(name).authenticate(PASSWORD);
      const policy = await user().passwordPolicy();
      assert.equal(policy.minimumLength, 8);
      assert.equal(typeof policy.requireSymbols, 'boolean');
    });

    it('without AWS credentials: passwordPolicy and the admin calls say which are needed; unsigned calls still work', async () => {
      // What the SDK's default chain throws when it finds nothing (no environment, profile or role).
      const client = new CognitoIdentityProviderClient({
        region: pool.region, endpoint: pool.endpoint, maxAttempts: 1,
        credentials: () => Promise.reject(new CredentialsProviderError('Could not load credentials from any providers', false)),
      });
      try {
        const name = fresh('lee');
        const bare = new Cognito(pool.poolId, pool.clientId, { endpoint: pool.endpoint, region: pool.region, client, username: name });
        pool.emulator.resetCalls();
        await assert.rejects(bare.passwordPolicy(), (e: unknown) => {
          assert.ok(e instanceof CognitoServiceError);
          assert.equal(e.code, 'ERR_COGNITO_SERVICE');
          assert.equal(e.status, 502);
          assert.equal(e.awsErrorName, 'CredentialsProviderError');
          assert.match(e.message, /^AWS credentials allowed to call DescribeUserPool are needed, and the AWS SDK found none/);
          return true;
        });
        assert.equal(pool.emulator.calls(), 0, 'nothing was sent unsigned');
        await assert.rejects(bare.adminGetUser(), /AWS credentials allowed to call AdminGetUser are needed/);
        await bare.register(PASSWORD);
      } finally {
        client.destroy();
      }
    });
  });
});
