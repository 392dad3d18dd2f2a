/**
 * The emulator's outbox: AdminCreateUser invitations (generated temporary password, mediums and their
 * fallback, SUPPRESS, RESEND), the pool's message templates, `outbox(filter)` and the `smsOutbox()`
 * view derived from it, and the masks of CodeDeliveryDetails.
 */
import assert from 'node:assert/strict';
import {
  AdminCreateUserCommand,
  AdminInitiateAuthCommand,
  ForgotPasswordCommand,
  InitiateAuthCommand,
  SignUpCommand,
  CognitoIdentityProviderClient,
  ListUserPoolClientsCommand,
  type AttributeType,
  type DeliveryMediumType,
} from '@aws-sdk/client-cognito-identity-provider';
import { startEmulator } from '../../lib/emulator';
import { codeDeliveryDetails, maskEmail } from '../../lib/emulator/outbox';
import { DEFAULT_PASSWORD_POLICY, passwordPolicyViolation } from '../../lib/emulator/password-policy';
import { startTestPool, type TestPool } from '../support/pool';
import { rejects } from './helpers';

const PASSWORD = 'Passw0rd!';
const attrs = (values: Record<string, string>): AttributeType[] => Object.entries(values).map(([Name, Value]) => ({ Name, Value }));

describe('emulator: outbox', () => {
  describe('masks', () => {
    it('e-mail: first letter of each part; phone: the last four digits', () => {
      assert.equal(maskEmail('john.doe@example.com'), 'j***@e***');
      assert.deepEqual(codeDeliveryDetails('EMAIL', 'a@b.c'), { Destination: 'a***@b***', DeliveryMedium: 'EMAIL', AttributeName: 'email' });
      assert.deepEqual(codeDeliveryDetails('SMS', '+12065551234'), { Destination: '+*******1234', DeliveryMedium: 'SMS', AttributeName: 'phone_number' });
    });
  });

  describe('AdminCreateUser invitations', () => {
    let pool: TestPool;
    const create = (Username: string, values: Record<string, string>, extra: { mediums?: DeliveryMediumType[]; action?: 'RESEND' | 'SUPPRESS'; password?: string } = {}) =>
      pool.sdk.send(new AdminCreateUserCommand({
        UserPoolId: pool.poolId,
        Username,
        UserAttributes: attrs(values),
        ...(extra.mediums ? { DesiredDeliveryMediums: extra.mediums } : {}),
        ...(extra.action ? { MessageAction: extra.action } : {}),
        ...(extra.password ? { TemporaryPassword: extra.password } : {}),
      }));
    const adminLogin = (USERNAME: string, password: string) =>
      pool.sdk.send(new AdminInitiateAuthCommand({
        UserPoolId: pool.poolId, ClientId: pool.clientId, AuthFlow: 'ADMIN_USER_PASSWORD_AUTH', AuthParameters: { USERNAME, PASSWORD: password },
      }));

    before(async () => {
      pool = await startTestPool({ poolOptions: { Policies: { PasswordPolicy: { MinimumLength: 16, RequireSymbols: true } } } });
    });
    after(() => pool.stop());

    it('without TemporaryPassword one is generated to the policy and sent by SMS by default', async () => {
      const out = await create('ann', { phone_number: '+15555550101', email: 'ann@example.com' });
      assert.equal(out.User?.UserStatus, 'FORCE_CHANGE_PASSWORD');
      const [invitation, ...more] = pool.emulator.outbox({ username: 'ann' });
      assert.equal(more.length, 0);
      assert.equal(invitation.channel, 'SMS');
      assert.equal(invitation.destination, '+15555550101');
      assert.equal(invitation.purpose, 'ADMIN_CREATE_USER');
      const temporary = invitation.code ?? '';
      const policy = { ...DEFAULT_PASSWORD_POLICY, MinimumLength: 16 };
      assert.equal(passwordPolicyViolation(temporary, policy), undefined);
      assert.equal(invitation.message, `Your username is ann and temporary password is ${temporary}. `);
      assert.equal((await adminLogin('ann', temporary)).ChallengeName, 'NEW_PASSWORD_REQUIRED');
      assert.deepEqual(pool.emulator.smsOutbox('ann'), [], 'an invitation is not an SMS code');
    });

    it('falls back to e-mail without a phone; DesiredDeliveryMediums can ask for both; SUPPRESS sends nothing', async () => {
      await create('ben', { email: 'ben@example.com' });
      assert.deepEqual(pool.emulator.outbox({ username: 'ben' }).map((m) => [m.channel, m.destination]), [['EMAIL', 'ben@example.com']]);
      await create('cai', { email: 'cai@example.com', phone_number: '+15555550102' }, { mediums: ['EMAIL', 'SMS'] });
      assert.deepEqual(pool.emulator.outbox({ username: 'cai' }).map((m) => m.channel).sort(), ['EMAIL', 'SMS']);
      await create('dee', { email: 'dee@example.com' }, { action: 'SUPPRESS' });
      await create('eli', {});
      assert.equal(pool.emulator.outbox({ username: 'dee' }).length + pool.emulator.outbox({ username: 'eli' }).length, 0);
      await rejects(create('fay', {}, { mediums: ['PIGEON' as DeliveryMediumType] }), 'InvalidParameterException', /Value 'PIGEON' at 'desiredDeliveryMediums'/);
    });

    it('RESEND sends a new temporary password to a FORCE_CHANGE_PASSWORD user; others are refused', async () => {
      await create('gus', { email: 'gus@example.com' }, { password: 'First-Temporary-1!' });
      await create('gus', {}, { action: 'RESEND', mediums: ['EMAIL'] });
      const [first, second] = pool.emulator.outbox({ username: 'gus' });
      assert.equal(first.code, 'First-Temporary-1!');
      assert.ok(second.code && second.code !== first.code);
      await rejects(adminLogin('gus', 'First-Temporary-1!'), 'NotAuthorizedException', 'Incorrect username or password.');
      assert.equal((await adminLogin('gus', second.code)).ChallengeName, 'NEW_PASSWORD_REQUIRED');
      await rejects(create('nobody', {}, { action: 'RESEND' }), 'UserNotFoundException', 'User does not exist.');
      await pool.createUser('hal', 'A-confirmed-password-1!');
      await rejects(create('hal', {}, { action: 'RESEND' }), 'UnsupportedUserStateException', 'Resend not possible. hal status is not FORCE_CHANGE_PASSWORD.');
    });
  });

  describe('templates and filters', () => {
    let pool: TestPool;

    before(async () => {
      pool = await startTestPool({
        aliasAttributes: ['email'],
        poolOptions: {
          AutoVerifiedAttributes: ['email'],
          VerificationMessageTemplate: { EmailMessage: 'Hello! Your code: {####}', DefaultEmailOption: 'CONFIRM_WITH_CODE' },
          SmsVerificationMessage: 'SMS code {####}',
          AdminCreateUserConfig: { InviteMessageTemplate: { EmailMessage: 'Welcome {username}: {####}', SMSMessage: 'Hi {username} {####}' } },
        },
      });
    });
    after(() => pool.stop());

    it('messages use the pool\'s templates: verification, reset and invitation', async () => {
      await pool.sdk.send(new SignUpCommand({ ClientId: pool.clientId, Username: 'ivy', Password: PASSWORD, UserAttributes: attrs({ email: 'ivy@example.com' }) }));
      const signUp = pool.emulator.outbox({ username: 'ivy' }).at(-1);
      assert.equal(signUp?.message, `Hello! Your code: ${signUp?.code}`);
      await pool.createUser('jo', PASSWORD, { attributes: { email: 'jo@example.com', email_verified: 'true' } });
      await pool.sdk.send(new ForgotPasswordCommand({ ClientId: pool.clientId, Username: 'jo' }));
      const reset = pool.emulator.outbox({ username: 'jo', purpose: 'FORGOT_PASSWORD' }).at(-1);
      assert.equal(reset?.message, `Hello! Your code: ${reset?.code}`);
      await pool.sdk.send(new AdminCreateUserCommand({
        UserPoolId: pool.poolId, Username: 'kim', TemporaryPassword: 'Kim-Temp0rary!', DesiredDeliveryMediums: ['EMAIL', 'SMS'],
        UserAttributes: attrs({ email: 'kim@example.com', phone_number: '+15555550103' }),
      }));
      assert.deepEqual(pool.emulator.outbox({ username: 'kim' }).map((m) => m.message).sort(), ['Hi kim Kim-Temp0rary!', 'Welcome kim: Kim-Temp0rary!']);
    });

    it('filters by username (internal name, verified alias or destination), channel, purpose and pool; returns copies', async () => {
      await pool.createUser('lee', PASSWORD, { attributes: { email: 'lee@example.com', email_verified: 'true', phone_number: '+15555550104' } });
      await pool.sdk.send(new ForgotPasswordCommand({ ClientId: pool.clientId, Username: 'lee' }));
      const byName = pool.emulator.outbox({ username: 'lee' });
      assert.equal(byName.length, 1);
      assert.deepEqual(pool.emulator.outbox({ username: 'lee@example.com' }), byName, 'by the verified alias');
      assert.deepEqual(pool.emulator.outbox({ username: 'LEE@example.com', channel: 'EMAIL' }), byName, 'by the destination, any case');
      assert.deepEqual(pool.emulator.outbox({ username: 'lee', channel: 'SMS' }), []);
      assert.deepEqual(pool.emulator.outbox({ username: 'lee', purpose: 'SIGN_UP' }), []);
      assert.deepEqual(pool.emulator.outbox({ username: 'lee', poolId: 'us-east-1_other' }), []);
      assert.equal(pool.emulator.outbox({ poolId: pool.poolId, purpose: 'FORGOT_PASSWORD' }).length, 2);
      assert.ok(pool.emulator.outbox().length >= 5);
      byName[0].code = 'tampered';
      assert.notEqual(pool.emulator.outbox({ username: 'lee' })[0].code, 'tampered');
    });

    it('smsOutbox lists the SMS that carried a code, in its own shape', async () => {
      const sms = await startTestPool({ poolOptions: { AutoVerifiedAttributes: ['phone_number'] } });
      try {
        await sms.sdk.send(new SignUpCommand({ ClientId: sms.clientId, Username: 'mo', Password: PASSWORD, UserAttributes: attrs({ phone_number: '+15555550105' }) }));
        const [message] = sms.emulator.outbox({ username: 'mo' });
        assert.equal(message.message, `Your verification code is ${message.code}. `);
        assert.deepEqual(sms.emulator.smsOutbox('mo'), [{ poolId: sms.poolId, username: 'mo', phoneNumber: '+15555550105', code: message.code, at: message.sentAt }]);
        assert.deepEqual(sms.emulator.smsOutbox('+15555550105'), sms.emulator.smsOutbox('mo'));
        assert.deepEqual(sms.emulator.smsOutbox('nobody'), []);
        await rejects(
          sms.sdk.send(new InitiateAuthCommand({ ClientId: sms.clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'mo', PASSWORD } })),
          'UserNotConfirmedException',
        );
      } finally {
        await sms.stop();
      }
    });
  });

  describe('onMessage', () => {
    it('is told of each message as it is sent; a listener that throws changes nothing; a non-function is a TypeError', async () => {
      const seen: string[] = [];
      const emulator = await startEmulator({
        seed: { pools: [{ name: 'p', idSuffix: 'OnMessage', settings: { AutoVerifiedAttributes: ['email'] }, clients: [{ name: 'web' }] }] },
        onMessage: (m) => {
          seen.push(`${m.channel} ${m.purpose} ${m.username}`);
          throw new Error('listener bug');
        },
      });
      try {
        const sdk = new CognitoIdentityProviderClient({
          region: emulator.region, endpoint: emulator.endpoint, credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1,
        });
        const { UserPoolClients } = await sdk.send(new ListUserPoolClientsCommand({ UserPoolId: `${emulator.region}_OnMessage`, MaxResults: 10 }));
        const ClientId = UserPoolClients![0].ClientId!;
        await sdk.send(new SignUpCommand({ ClientId, Username: 'ann', Password: 'Passw0rd!-long', UserAttributes: attrs({ email: 'ann@example.com' }) }));
        assert.deepEqual(seen, ['EMAIL SIGN_UP ann']);
        assert.equal(emulator.outbox({ username: 'ann' }).length, 1, 'sent all the same');
        sdk.destroy();
      } finally {
        await emulator.stop();
      }
      await assert.rejects(startEmulator({ onMessage: 'print' as never }), TypeError);
    });
  });
});
