/**
 * Password recovery against the emulator with the real SDK: ForgotPassword (verified contact, recovery
 * order, refused states, rate limit), ConfirmForgotPassword (code, expiry, policy), AdminResetUserPassword
 * (RESET_REQUIRED until the reset), and how PreventUserExistenceErrors (LEGACY vs ENABLED) answers for
 * users that do not exist.
 */
import assert from 'node:assert/strict';
import {
  AdminDisableUserCommand,
  AdminGetUserCommand,
  AdminResetUserPasswordCommand,
  ConfirmForgotPasswordCommand,
  ConfirmSignUpCommand,
  ForgotPasswordCommand,
  InitiateAuthCommand,
  ResendConfirmationCodeCommand,
  SignUpCommand,
  type ForgotPasswordCommandOutput,
} from '@aws-sdk/client-cognito-identity-provider';
import { secretHash } from '../../lib/secret-hash';
import { startTestPool, type TestPool } from '../support/pool';
import { rejects, srpLogin, type SdkError } from './helpers';

const PASSWORD = 'Passw0rd!';
const NEW_PASSWORD = 'N3w-Passw0rd!';
const HOUR = 3600 * 1000;
const NO_CONTACT = 'Cannot reset password for the user as there is no registered/verified email or phone_number';

function lastCode(pool: TestPool, username: string): string {
  const code = pool.emulator.outbox({ username }).at(-1)?.code;
  assert.ok(code !== undefined, `a code was sent to ${username}`);
  return code;
}

describe('emulator: password recovery', () => {
  let pool: TestPool;
  const forgot = (Username: string, target: TestPool = pool) =>
    target.sdk.send(new ForgotPasswordCommand({ ClientId: target.clientId, Username }));
  const confirmForgot = (Username: string, ConfirmationCode: string, Password = NEW_PASSWORD, target: TestPool = pool) =>
    target.sdk.send(new ConfirmForgotPasswordCommand({ ClientId: target.clientId, Username, ConfirmationCode, Password }));
  const login = (USERNAME: string, password: string, target: TestPool = pool) =>
    target.sdk.send(new InitiateAuthCommand({ ClientId: target.clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME, PASSWORD: password } }));
  const status = async (Username: string, target: TestPool = pool) =>
    (await target.sdk.send(new AdminGetUserCommand({ UserPoolId: target.poolId, Username }))).UserStatus;
  const withEmail = (name: string) => ({ attributes: { email: `${name}@example.com`, email_verified: 'true' } });

  before(async () => {
    pool = await startTestPool({ poolOptions: { AutoVerifiedAttributes: ['email'] } });
  });
  after(() => pool.stop());
  afterEach(() => pool.emulator.clock.reset());

  it('ForgotPassword e-mails a reset code; ConfirmForgotPassword sets the new password', async () => {
    await pool.createUser('ann', PASSWORD, withEmail('ann'));
    const out = await forgot('ann');
    assert.deepEqual(out.CodeDeliveryDetails, { Destination: 'a***@e***', DeliveryMedium: 'EMAIL', AttributeName: 'email' });
    const message = pool.emulator.outbox({ username: 'ann', purpose: 'FORGOT_PASSWORD' }).at(-1);
    assert.equal(message?.channel, 'EMAIL');
    assert.equal(message?.message, `Your password reset code is ${message?.code}. `);
    await rejects(confirmForgot('ann', '000000'), 'CodeMismatchException', 'Invalid verification code provided, please try again.');
    await rejects(confirmForgot('ann', lastCode(pool, 'ann'), 'weak'), 'InvalidPasswordException', 'Password did not conform with policy: Password not long enough');
    await confirmForgot('ann', lastCode(pool, 'ann'));
    await rejects(login('ann', PASSWORD), 'NotAuthorizedException', 'Incorrect username or password.');
    assert.ok((await login('ann', NEW_PASSWORD)).AuthenticationResult?.AccessToken);
    await rejects(confirmForgot('ann', lastCode(pool, 'ann')), 'ExpiredCodeException', 'Invalid code provided, please request a code again.');
  });

  it('a reset code lasts one hour; a new ForgotPassword replaces the code', async () => {
    await pool.createUser('ben', PASSWORD, withEmail('ben'));
    await forgot('ben');
    const first = lastCode(pool, 'ben');
    pool.emulator.clock.advance(HOUR + 1000);
    await rejects(confirmForgot('ben', first), 'ExpiredCodeException', 'Invalid code provided, please request a code again.');
    await forgot('ben');
    const second = lastCode(pool, 'ben');
    if (second !== first) await rejects(confirmForgot('ben', first), 'CodeMismatchException');
    await confirmForgot('ben', second);
    assert.ok((await login('ben', NEW_PASSWORD)).AuthenticationResult);
  });

  it('ConfirmForgotPassword without a code requested: ExpiredCodeException; five wrong codes spend it', async () => {
    await pool.createUser('cai', PASSWORD, withEmail('cai'));
    await rejects(confirmForgot('cai', '123456'), 'ExpiredCodeException');
    await forgot('cai');
    const code = lastCode(pool, 'cai');
    const wrong = code === '111111' ? '222222' : '111111';
    for (let i = 0; i < 5; i++) await rejects(confirmForgot('cai', wrong), 'CodeMismatchException');
    await rejects(confirmForgot('cai', code), 'ExpiredCodeException');
    assert.ok((await login('cai', PASSWORD)).AuthenticationResult, 'the old password still works');
  });

  it('needs a verified e-mail or phone; a FORCE_CHANGE_PASSWORD or disabled user is refused', async () => {
    await pool.createUser('dee', PASSWORD, { attributes: { email: 'dee@example.com' } });
    await rejects(forgot('dee'), 'InvalidParameterException', NO_CONTACT);
    await pool.createUser('eli', PASSWORD, { temporary: true, ...withEmail('eli') });
    await rejects(forgot('eli'), 'NotAuthorizedException', 'User password cannot be reset in the current state.');
    await pool.createUser('fay', PASSWORD, withEmail('fay'));
    await pool.sdk.send(new AdminDisableUserCommand({ UserPoolId: pool.poolId, Username: 'fay' }));
    await rejects(forgot('fay'), 'NotAuthorizedException', 'User is disabled.');
    assert.equal(pool.emulator.outbox({ username: 'dee' }).length + pool.emulator.outbox({ username: 'eli' }).length, 0);
  });

  it('an unconfirmed user cannot complete a reset: UserNotConfirmedException', async () => {
    await pool.sdk.send(new SignUpCommand({ ClientId: pool.clientId, Username: 'gil', Password: PASSWORD }));
    await rejects(confirmForgot('gil', '123456'), 'UserNotConfirmedException', 'User is not confirmed.');
  });

  it('the legacy order prefers a verified phone; AccountRecoverySetting can put e-mail first', async () => {
    const both = { attributes: { email: 'hal@example.com', email_verified: 'true', phone_number: '+15555550199', phone_number_verified: 'true' } };
    await pool.createUser('hal', PASSWORD, both);
    assert.deepEqual((await forgot('hal')).CodeDeliveryDetails, { Destination: '+*******0199', DeliveryMedium: 'SMS', AttributeName: 'phone_number' });
    assert.equal(pool.emulator.smsOutbox('hal').at(-1)?.code, lastCode(pool, 'hal'));
    const emailFirst = await startTestPool({
      poolOptions: {
        AccountRecoverySetting: { RecoveryMechanisms: [{ Name: 'verified_phone_number', Priority: 2 }, { Name: 'verified_email', Priority: 1 }] },
      },
    });
    try {
      await emailFirst.createUser('hal', PASSWORD, both);
      assert.equal((await forgot('hal', emailFirst)).CodeDeliveryDetails?.DeliveryMedium, 'EMAIL');
    } finally {
      await emailFirst.stop();
    }
  });

  it('more than 5 ForgotPassword per user per hour: LimitExceededException', async () => {
    await pool.createUser('ida', PASSWORD, withEmail('ida'));
    for (let i = 0; i < 5; i++) await forgot('ida');
    await rejects(forgot('ida'), 'LimitExceededException', 'Attempt limit exceeded, please try after some time.');
    pool.emulator.clock.advance(HOUR);
    await forgot('ida');
    await confirmForgot('ida', lastCode(pool, 'ida'));
  });

  it('an unknown user on a LEGACY client: UserNotFoundException "Username/client id combination not found."', async () => {
    await rejects(forgot('nobody'), 'UserNotFoundException', 'Username/client id combination not found.');
    await rejects(confirmForgot('nobody', '123456'), 'UserNotFoundException', 'Username/client id combination not found.');
  });

  it('a client with a secret needs SECRET_HASH of the name as sent on both calls', async () => {
    const secret = await startTestPool({ generateSecret: true, aliasAttributes: ['email'] });
    try {
      await secret.createUser('kai', PASSWORD, withEmail('kai'));
      const hash = (name: string) => secretHash(name, secret.clientId, secret.clientSecret!);
      const send = (SecretHash?: string) => secret.sdk.send(new ForgotPasswordCommand({ ClientId: secret.clientId, Username: 'kai@example.com', SecretHash }));
      await rejects(send(), 'NotAuthorizedException', `Client ${secret.clientId} is configured with secret but SECRET_HASH was not received`);
      await rejects(send(hash('kai')), 'NotAuthorizedException', `Unable to verify secret hash for client ${secret.clientId}`);
      await send(hash('kai@example.com'));
      const confirmWith = (SecretHash?: string) => secret.sdk.send(new ConfirmForgotPasswordCommand({
        ClientId: secret.clientId, Username: 'kai', ConfirmationCode: lastCode(secret, 'kai'), Password: NEW_PASSWORD, SecretHash,
      }));
      await rejects(confirmWith(), 'NotAuthorizedException', /SECRET_HASH was not received/);
      await confirmWith(hash('kai'));
    } finally {
      await secret.stop();
    }
  });

  describe('AdminResetUserPassword', () => {
    it('sets RESET_REQUIRED and sends a code; sign-in answers PasswordResetRequiredException until the reset', async () => {
      await pool.createUser('jo', PASSWORD, withEmail('jo'));
      await pool.sdk.send(new AdminResetUserPasswordCommand({ UserPoolId: pool.poolId, Username: 'jo' }));
      assert.equal(await status('jo'), 'RESET_REQUIRED');
      const message = pool.emulator.outbox({ username: 'jo' }).at(-1);
      assert.equal(message?.purpose, 'ADMIN_RESET_PASSWORD');
      assert.equal(message?.message, `Your password reset code is ${message?.code}. `);
      await rejects(login('jo', PASSWORD), 'PasswordResetRequiredException', 'Password reset required for the user');
      await rejects(srpLogin(pool, 'jo', PASSWORD), 'PasswordResetRequiredException');
      await rejects(login('jo', 'Wr0ng-pass!'), 'NotAuthorizedException', 'Incorrect username or password.');
      await confirmForgot('jo', lastCode(pool, 'jo'));
      assert.equal(await status('jo'), 'CONFIRMED');
      assert.ok((await login('jo', NEW_PASSWORD)).AuthenticationResult);
    });

    it('without a verified contact it still resets but sends nothing; unknown and FORCE_CHANGE_PASSWORD users are refused', async () => {
      await pool.createUser('kim', PASSWORD);
      await pool.sdk.send(new AdminResetUserPasswordCommand({ UserPoolId: pool.poolId, Username: 'kim' }));
      assert.equal(await status('kim'), 'RESET_REQUIRED');
      assert.equal(pool.emulator.outbox({ username: 'kim' }).length, 0);
      await rejects(
        pool.sdk.send(new AdminResetUserPasswordCommand({ UserPoolId: pool.poolId, Username: 'ghost' })),
        'UserNotFoundException',
        'User does not exist.',
      );
      await pool.createUser('lee', PASSWORD, { temporary: true, ...withEmail('lee') });
      await rejects(
        pool.sdk.send(new AdminResetUserPasswordCommand({ UserPoolId: pool.poolId, Username: 'lee' })),
        'NotAuthorizedException',
        'User password cannot be reset in the current state.',
      );
    });
  });

  describe('PreventUserExistenceErrors: ENABLED', () => {
    let strict: TestPool;
    const resend = (Username: string) => strict.sdk.send(new ResendConfirmationCodeCommand({ ClientId: strict.clientId, Username }));

    before(async () => {
      strict = await startTestPool({ clientOptions: { PreventUserExistenceErrors: 'ENABLED' }, poolOptions: { AutoVerifiedAttributes: ['email'] } });
      await strict.createUser('real', PASSWORD, withEmail('real'));
    });
    after(() => strict.stop());

    it('confirmations for an unknown user answer CodeMismatchException', async () => {
      await rejects(
        strict.sdk.send(new ConfirmSignUpCommand({ ClientId: strict.clientId, Username: 'ghost', ConfirmationCode: '123456' })),
        'CodeMismatchException',
        'Invalid verification code provided, please try again.',
      );
      await rejects(confirmForgot('ghost', '123456', NEW_PASSWORD, strict), 'CodeMismatchException', 'Invalid verification code provided, please try again.');
      // The policy is checked before the user is looked up: the same answer for any name.
      await rejects(confirmForgot('ghost', '123456', 'weak', strict), 'InvalidPasswordException');
      await rejects(confirmForgot('real', '123456', 'weak', strict), 'InvalidPasswordException');
    });

    it('ForgotPassword / ResendConfirmationCode for unknown users: a simulated delivery or the error a real account gets, stable per name', async () => {
      type Answer = { details?: ForgotPasswordCommandOutput['CodeDeliveryDetails']; error?: string };
      const ask = async (call: () => Promise<ForgotPasswordCommandOutput>): Promise<Answer> => {
        try {
          return { details: (await call()).CodeDeliveryDetails };
        } catch (e) {
          return { error: `${(e as SdkError).name}: ${(e as SdkError).message}` };
        }
      };
      const seen = { forgot: new Set<string>(), resend: new Set<string>() };
      for (let i = 0; i < 40; i++) {
        const name = `ghost${i}@example.org`;
        const forgotAnswer = await ask(() => forgot(name, strict));
        assert.deepEqual(await ask(() => forgot(name, strict)), forgotAnswer, 'the same answer when asked again');
        if (forgotAnswer.details) {
          assert.deepEqual(forgotAnswer.details, { Destination: 'g***@e***', DeliveryMedium: 'EMAIL', AttributeName: 'email' });
          seen.forgot.add('delivery');
        } else {
          assert.equal(forgotAnswer.error, `InvalidParameterException: ${NO_CONTACT}`);
          seen.forgot.add('error');
        }
        const resendAnswer = await ask(() => resend(name));
        if (resendAnswer.details) seen.resend.add('delivery');
        else {
          assert.equal(resendAnswer.error, 'InvalidParameterException: User is already confirmed.');
          seen.resend.add('error');
        }
      }
      assert.deepEqual([...seen.forgot].sort(), ['delivery', 'error']);
      assert.deepEqual([...seen.resend].sort(), ['delivery', 'error']);
      assert.equal(strict.emulator.outbox().length, 0, 'nothing was sent for ghosts');
    });

    it('a simulated delivery for a plain name looks like a masked e-mail; a disabled user is answered like a ghost', async () => {
      let details: ForgotPasswordCommandOutput['CodeDeliveryDetails'];
      for (let i = 0; details === undefined && i < 64; i++) details = await forgot(`phantom${i}`, strict).then((o) => o.CodeDeliveryDetails, () => undefined);
      assert.match(details?.Destination ?? '', /^p\*\*\*@[a-z]\*\*\*$/);
      assert.equal(details?.DeliveryMedium, 'EMAIL');
      await strict.createUser('off', PASSWORD, withEmail('off'));
      await strict.sdk.send(new AdminDisableUserCommand({ UserPoolId: strict.poolId, Username: 'off' }));
      await rejects(confirmForgot('off', '123456', NEW_PASSWORD, strict), 'CodeMismatchException');
      const answer = await forgot('off', strict).then(() => 'delivery', (e: SdkError) => e.name);
      assert.ok(answer === 'delivery' || answer === 'InvalidParameterException', answer);
      assert.equal(strict.emulator.outbox({ username: 'off' }).length, 0);
    });

    it('real users are answered as usual', async () => {
      assert.equal((await forgot('real', strict)).CodeDeliveryDetails?.DeliveryMedium, 'EMAIL');
      await confirmForgot('real', lastCode(strict, 'real'), NEW_PASSWORD, strict);
      assert.ok((await login('real', NEW_PASSWORD, strict)).AuthenticationResult);
    });
  });
});
