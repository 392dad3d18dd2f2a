// What USER_AUTH stands on, through the AWS SDK: the sign-in policy and feature plan of a pool,
// email MFA (SetUserPoolMfaConfig EmailMfaConfiguration, EmailMfaSettings, the EMAIL_OTP challenge),
// passwordless SignUp with the ConfirmSignUp Session, GetUserAuthFactors, and seeds.
import assert from 'node:assert/strict';
import {
  AdminGetUserAuthFactorsCommand, AdminGetUserCommand, AdminSetUserMFAPreferenceCommand, ConfirmSignUpCommand, CreateUserPoolCommand,
  DescribeUserPoolCommand, GetUserAuthFactorsCommand, GetUserPoolMfaConfigCommand, InitiateAuthCommand, RespondToAuthChallengeCommand,
  SetUserMFAPreferenceCommand, SetUserPoolMfaConfigCommand, SignUpCommand, UpdateUserPoolCommand, type ExplicitAuthFlowsType,
} from '@aws-sdk/client-cognito-identity-provider';
import type { CustomMessageTriggerEvent } from 'aws-lambda';
import type { EmulatorTriggers } from '../../lib/emulator';
import { startTestPool, TEST_AUTH_FLOWS, type TestPool } from '../support/pool';
import { rejects } from './helpers';

const PASSWORD = 'Corr3ct-horse!';
const FLOWS = [...TEST_AUTH_FLOWS, 'ALLOW_USER_AUTH'] as ExplicitAuthFlowsType[];

const TRIGGERS: EmulatorTriggers = {
  CustomMessage: (event: CustomMessageTriggerEvent) => {
    if (event.userName === 'styled') event.response.emailMessage = `Sign in with ${event.request.codeParameter}`;
    return event;
  },
};

describe('emulator: USER_AUTH configuration, email MFA and passwordless sign-up', function () {
  this.timeout(20_000);
  let pool: TestPool;

  const createPool = (params: Record<string, unknown>) =>
    pool.sdk.send(new CreateUserPoolCommand({ PoolName: 'p', ...params }));
  const start = (username: string, params: Record<string, string> = {}, Session?: string) =>
    pool.sdk.send(new InitiateAuthCommand({
      ClientId: pool.clientId, AuthFlow: 'USER_AUTH', AuthParameters: { USERNAME: username, ...params }, ...(Session ? { Session } : {}),
    }));
  const answer = (name: string, session: string | undefined, responses: Record<string, string>) =>
    pool.sdk.send(new RespondToAuthChallengeCommand({
      ClientId: pool.clientId, ChallengeName: name as never, Session: session, ChallengeResponses: responses,
    }));
  const lastCode = (username: string, purpose: 'SIGN_UP' | 'MFA' | 'SIGN_IN'): string => pool.emulator.outbox({ username, purpose }).at(-1)!.code!;

  before(async () => {
    pool = await startTestPool({
      mfa: 'OPTIONAL',
      explicitAuthFlows: FLOWS,
      poolOptions: {
        AutoVerifiedAttributes: ['email'],
        Policies: { SignInPolicy: { AllowedFirstAuthFactors: ['PASSWORD', 'EMAIL_OTP'] } },
      },
      emulatorOptions: { triggers: TRIGGERS },
    });
  });
  after(() => pool.stop());

  describe('sign-in policy and feature plan', () => {
    it('DescribeUserPool shows the SignInPolicy and the tier (ESSENTIALS by default)', async () => {
      const { UserPool } = await pool.sdk.send(new DescribeUserPoolCommand({ UserPoolId: pool.poolId }));
      assert.deepEqual(UserPool?.Policies?.SignInPolicy, { AllowedFirstAuthFactors: ['PASSWORD', 'EMAIL_OTP'] });
      assert.equal(UserPool?.UserPoolTier, 'ESSENTIALS');
      const plain = await createPool({});
      assert.deepEqual(plain.UserPool?.Policies?.SignInPolicy, { AllowedFirstAuthFactors: ['PASSWORD'] });
    });

    it('LITE allows PASSWORD only; other tiers any factor', async () => {
      await rejects(
        createPool({ UserPoolTier: 'LITE', Policies: { SignInPolicy: { AllowedFirstAuthFactors: ['PASSWORD', 'SMS_OTP'] } } }),
        'FeatureUnavailableInTierException',
      );
      const lite = await createPool({ UserPoolTier: 'LITE', Policies: { SignInPolicy: { AllowedFirstAuthFactors: ['PASSWORD'] } } });
      assert.equal(lite.UserPool?.UserPoolTier, 'LITE');
      const plus = await createPool({ UserPoolTier: 'PLUS', Policies: { SignInPolicy: { AllowedFirstAuthFactors: ['SMS_OTP', 'WEB_AUTHN'] } } });
      assert.deepEqual(plus.UserPool?.Policies?.SignInPolicy?.AllowedFirstAuthFactors, ['SMS_OTP', 'WEB_AUTHN']);
    });

    it('refuses an empty, too long, duplicated or unknown factor list, and an unknown tier', async () => {
      const policy = (factors: unknown) => createPool({ Policies: { SignInPolicy: { AllowedFirstAuthFactors: factors } } });
      await rejects(policy([]), 'InvalidParameterException');
      await rejects(policy(['PASSWORD', 'EMAIL_OTP', 'SMS_OTP', 'WEB_AUTHN', 'SOFTWARE_TOKEN', 'PASSWORD']), 'InvalidParameterException');
      await rejects(policy(['PASSWORD', 'PASSWORD']), 'InvalidParameterException', /Duplicate/);
      await rejects(policy(['MAGIC_LINK']), 'InvalidParameterException', /enum value set/);
      await rejects(createPool({ UserPoolTier: 'GOLD' }), 'InvalidParameterException', /enum value set/);
    });

    it('UpdateUserPool replaces the SignInPolicy (absent: PASSWORD) and checks the tier', async () => {
      const { UserPool } = await createPool({ Policies: { SignInPolicy: { AllowedFirstAuthFactors: ['PASSWORD', 'EMAIL_OTP'] } } });
      const id = UserPool!.Id!;
      const describe = async () => (await pool.sdk.send(new DescribeUserPoolCommand({ UserPoolId: id }))).UserPool!;
      await pool.sdk.send(new UpdateUserPoolCommand({ UserPoolId: id, Policies: { SignInPolicy: { AllowedFirstAuthFactors: ['PASSWORD', 'SMS_OTP'] } } }));
      assert.deepEqual((await describe()).Policies?.SignInPolicy?.AllowedFirstAuthFactors, ['PASSWORD', 'SMS_OTP']);
      await rejects(
        pool.sdk.send(new UpdateUserPoolCommand({ UserPoolId: id, UserPoolTier: 'LITE', Policies: { SignInPolicy: { AllowedFirstAuthFactors: ['EMAIL_OTP'] } } })),
        'FeatureUnavailableInTierException',
      );
      await pool.sdk.send(new UpdateUserPoolCommand({ UserPoolId: id, UserPoolTier: 'LITE' }));
      const lite = await describe();
      assert.equal(lite.UserPoolTier, 'LITE');
      assert.deepEqual(lite.Policies?.SignInPolicy?.AllowedFirstAuthFactors, ['PASSWORD']);
    });
  });

  describe('email MFA', () => {
    it('EmailMfaConfiguration: set and read back; refused on LITE and without {####}', async () => {
      const lite = await createPool({ UserPoolTier: 'LITE' });
      await rejects(
        pool.sdk.send(new SetUserPoolMfaConfigCommand({ UserPoolId: lite.UserPool!.Id!, EmailMfaConfiguration: { Message: 'Code {####}' } })),
        'FeatureUnavailableInTierException',
      );
      await rejects(
        pool.sdk.send(new SetUserPoolMfaConfigCommand({ UserPoolId: pool.poolId, EmailMfaConfiguration: { Message: 'No code here' } })),
        'InvalidParameterException',
      );
      const set = await pool.sdk.send(new SetUserPoolMfaConfigCommand({
        UserPoolId: pool.poolId, MfaConfiguration: 'OPTIONAL', EmailMfaConfiguration: { Message: 'Your code: {####}', Subject: 'Sign-in code' },
      }));
      assert.deepEqual(set.EmailMfaConfiguration, { Message: 'Your code: {####}', Subject: 'Sign-in code' });
      const got = await pool.sdk.send(new GetUserPoolMfaConfigCommand({ UserPoolId: pool.poolId }));
      assert.deepEqual(got.EmailMfaConfiguration, { Message: 'Your code: {####}', Subject: 'Sign-in code' });
    });

    it('EmailMfaSettings enables it; a password sign-in then gets EMAIL_OTP with an 8-digit code', async () => {
      await pool.createUser('eve', PASSWORD, { attributes: { email: 'eve@example.com', email_verified: 'true' } });
      const tokens = (await start('eve', { PREFERRED_CHALLENGE: 'PASSWORD', PASSWORD })).AuthenticationResult!;
      await pool.sdk.send(new SetUserMFAPreferenceCommand({
        AccessToken: tokens.AccessToken, EmailMfaSettings: { Enabled: true, PreferredMfa: true },
      }));
      const user = await pool.sdk.send(new AdminGetUserCommand({ UserPoolId: pool.poolId, Username: 'eve' }));
      assert.equal(user.PreferredMfaSetting, 'EMAIL_OTP');
      assert.deepEqual(user.UserMFASettingList, ['EMAIL_OTP']);
      const mfa = await start('eve', { PREFERRED_CHALLENGE: 'PASSWORD', PASSWORD });
      assert.equal(mfa.ChallengeName, 'EMAIL_OTP');
      assert.equal(mfa.ChallengeParameters?.CODE_DELIVERY_DELIVERY_MEDIUM, 'EMAIL');
      const message = pool.emulator.outbox({ username: 'eve', purpose: 'MFA' }).at(-1)!;
      assert.match(message.code!, /^\d{8}$/);
      assert.equal(message.message, `Your code: ${message.code}`);
      assert.equal(message.subject, 'Sign-in code');
      await rejects(answer('EMAIL_OTP', mfa.Session, { USERNAME: 'eve', EMAIL_OTP_CODE: '00000000' === message.code ? '11111111' : '00000000' }), 'CodeMismatchException');
      assert.ok((await answer('EMAIL_OTP', mfa.Session, { USERNAME: 'eve', EMAIL_OTP_CODE: message.code! })).AuthenticationResult);
    });

    it('SELECT_MFA_TYPE offers EMAIL_OTP and takes EMAIL_MFA as its name', async () => {
      await pool.createUser('fay', PASSWORD, { attributes: { email: 'fay@example.com', phone_number: '+15550100003' } });
      await pool.sdk.send(new AdminSetUserMFAPreferenceCommand({
        UserPoolId: pool.poolId, Username: 'fay', EmailMfaSettings: { Enabled: true }, SMSMfaSettings: { Enabled: true },
      }));
      const select = await start('fay', { PREFERRED_CHALLENGE: 'PASSWORD', PASSWORD });
      assert.equal(select.ChallengeName, 'SELECT_MFA_TYPE');
      assert.deepEqual(JSON.parse(select.ChallengeParameters!.MFAS_CAN_CHOOSE), ['SMS_MFA', 'EMAIL_OTP']);
      const mfa = await answer('SELECT_MFA_TYPE', select.Session, { USERNAME: 'fay', ANSWER: 'EMAIL_MFA' });
      assert.equal(mfa.ChallengeName, 'EMAIL_OTP');
      assert.ok((await answer('EMAIL_OTP', mfa.Session, { USERNAME: 'fay', EMAIL_OTP_CODE: lastCode('fay', 'MFA') })).AuthenticationResult);
    });

    it('refuses EmailMfaSettings for a user without an e-mail', async () => {
      await pool.createUser('gus', PASSWORD);
      await rejects(
        pool.sdk.send(new AdminSetUserMFAPreferenceCommand({ UserPoolId: pool.poolId, Username: 'gus', EmailMfaSettings: { Enabled: true } })),
        'InvalidParameterException',
      );
    });

    it('EMAIL_OTP sign-in codes use the template; the CustomMessage trigger sees CustomMessage_Authentication', async () => {
      await pool.createUser('styled', PASSWORD, { attributes: { email: 'styled@example.com', email_verified: 'true' } });
      await start('styled', { PREFERRED_CHALLENGE: 'EMAIL_OTP' });
      const message = pool.emulator.outbox({ username: 'styled', purpose: 'SIGN_IN' }).at(-1)!;
      assert.equal(message.message, `Sign in with ${message.code}`);
      assert.equal(pool.emulator.triggerInvocations('CustomMessage').at(-1)?.triggerSource, 'CustomMessage_Authentication');
      await start('eve', { PREFERRED_CHALLENGE: 'EMAIL_OTP' });
      const plain = pool.emulator.outbox({ username: 'eve', purpose: 'SIGN_IN' }).at(-1)!;
      assert.equal(plain.message, `Your code: ${plain.code}`);
      assert.equal(plain.subject, 'Sign-in code');
    });
  });

  describe('passwordless sign-up', () => {
    it('SignUp without a password, ConfirmSignUp, then InitiateAuth with its Session: tokens without another code', async () => {
      const signedUp = await pool.sdk.send(new SignUpCommand({
        ClientId: pool.clientId, Username: 'hal', UserAttributes: [{ Name: 'email', Value: 'hal@example.com' }],
      }));
      assert.ok(signedUp.Session);
      const confirmed = await pool.sdk.send(new ConfirmSignUpCommand({
        ClientId: pool.clientId, Username: 'hal', ConfirmationCode: lastCode('hal', 'SIGN_UP'), Session: signedUp.Session,
      }));
      assert.ok(confirmed.Session);
      const before = pool.emulator.outbox({ username: 'hal' }).length;
      const done = await start('hal', {}, confirmed.Session);
      assert.ok(done.AuthenticationResult?.AccessToken);
      assert.equal(pool.emulator.outbox({ username: 'hal' }).length, before);
      await rejects(start('hal', {}, confirmed.Session), 'NotAuthorizedException', 'Invalid session for the user.');
      // No password: only the e-mail code is offered.
      assert.deepEqual((await start('hal')).AvailableChallenges, ['EMAIL_OTP']);
      const fallback = await start('hal', { PREFERRED_CHALLENGE: 'PASSWORD', PASSWORD });
      assert.equal(fallback.ChallengeName, 'SELECT_CHALLENGE');
      await rejects(answer('SELECT_CHALLENGE', fallback.Session, { USERNAME: 'hal', ANSWER: 'PASSWORD', PASSWORD }), 'InvalidParameterException');
    });

    it('the ConfirmSignUp Session is for its user, in time, on its client', async () => {
      const confirm = async (username: string) => {
        await pool.sdk.send(new SignUpCommand({ ClientId: pool.clientId, Username: username, UserAttributes: [{ Name: 'email', Value: `${username}@example.com` }] }));
        return (await pool.sdk.send(new ConfirmSignUpCommand({ ClientId: pool.clientId, Username: username, ConfirmationCode: lastCode(username, 'SIGN_UP') }))).Session!;
      };
      const ivy = await confirm('ivy');
      await rejects(start('eve', {}, ivy), 'NotAuthorizedException', 'Invalid session for the user.');
      const jon = await confirm('jon');
      pool.emulator.clock.advance(3 * 60_000 + 1);
      await rejects(start('jon', {}, jon), 'NotAuthorizedException', /expired/);
      await rejects(start('ivy', {}, 'AYAB-not-a-session'), 'NotAuthorizedException');
    });

    it('ConfirmSignUp refuses a Session that is not this sign-up\'s', async () => {
      await pool.sdk.send(new SignUpCommand({ ClientId: pool.clientId, Username: 'kim', UserAttributes: [{ Name: 'email', Value: 'kim@example.com' }] }));
      await rejects(
        pool.sdk.send(new ConfirmSignUpCommand({ ClientId: pool.clientId, Username: 'kim', ConfirmationCode: lastCode('kim', 'SIGN_UP'), Session: 'AYABnope' })),
        'NotAuthorizedException', 'Invalid session for the user.',
      );
    });

    it('a pool without a passwordless factor still needs the password; a weak one is InvalidPassword', async () => {
      const other = await startTestPool({ explicitAuthFlows: FLOWS });
      try {
        await rejects(other.sdk.send(new SignUpCommand({ ClientId: other.clientId, Username: 'lee' })), 'InvalidParameterException');
        await rejects(other.sdk.send(new SignUpCommand({ ClientId: other.clientId, Username: 'lee', Password: '' })), 'InvalidParameterException');
        await rejects(other.sdk.send(new SignUpCommand({ ClientId: other.clientId, Username: 'lee', Password: 'weak' })), 'InvalidPasswordException');
        // A client without ALLOW_USER_AUTH gets no Session.
        const plain = await startTestPool({});
        try {
          const out = await plain.sdk.send(new SignUpCommand({ ClientId: plain.clientId, Username: 'max', Password: PASSWORD }));
          assert.equal(out.Session, undefined);
        } finally {
          await plain.stop();
        }
      } finally {
        await other.stop();
      }
    });
  });

  describe('GetUserAuthFactors', () => {
    it('lists the MFA settings and the factors the user can use', async () => {
      const tokens = (await start('eve', { PREFERRED_CHALLENGE: 'EMAIL_OTP' }).then((sent) =>
        answer('EMAIL_OTP', sent.Session, { USERNAME: 'eve', EMAIL_OTP_CODE: lastCode('eve', 'SIGN_IN') }))).AuthenticationResult!;
      const own = await pool.sdk.send(new GetUserAuthFactorsCommand({ AccessToken: tokens.AccessToken }));
      assert.equal(own.Username, 'eve');
      assert.equal(own.PreferredMfaSetting, 'EMAIL_OTP');
      assert.deepEqual(own.UserMFASettingList, ['EMAIL_OTP']);
      assert.deepEqual(own.ConfiguredUserAuthFactors, ['PASSWORD', 'EMAIL_OTP']);
      const hal = await pool.sdk.send(new AdminGetUserAuthFactorsCommand({ UserPoolId: pool.poolId, Username: 'hal' }));
      assert.deepEqual({ ...hal, $metadata: undefined }, { $metadata: undefined, Username: 'hal', ConfiguredUserAuthFactors: ['EMAIL_OTP'] });
      await rejects(pool.sdk.send(new GetUserAuthFactorsCommand({ AccessToken: 'not-a-token' })), 'NotAuthorizedException');
      await rejects(pool.sdk.send(new AdminGetUserAuthFactorsCommand({ UserPoolId: pool.poolId, Username: 'nobody' })), 'UserNotFoundException');
    });
  });

  describe('seeds', () => {
    it('take the sign-in policy and email MFA', async () => {
      const seeded = await pool.emulator.seed({
        pools: [{
          name: 'seeded', allowedFirstAuthFactors: ['PASSWORD', 'SMS_OTP'],
          clients: [{ name: 'web', explicitAuthFlows: FLOWS }],
          users: [{ username: 'sam', password: PASSWORD, attributes: { email: 'sam@example.com' }, mfa: { email: true } }],
        }],
      });
      const { poolId } = seeded.pools.seeded;
      const { UserPool } = await pool.sdk.send(new DescribeUserPoolCommand({ UserPoolId: poolId }));
      assert.deepEqual(UserPool?.Policies?.SignInPolicy?.AllowedFirstAuthFactors, ['PASSWORD', 'SMS_OTP']);
      const factors = await pool.sdk.send(new AdminGetUserAuthFactorsCommand({ UserPoolId: poolId, Username: 'sam' }));
      assert.deepEqual(factors.UserMFASettingList, ['EMAIL_OTP']);
      await assert.rejects(
        pool.emulator.seed({ pools: [{ name: 'bad', users: [{ username: 'x', password: PASSWORD, mfa: { email: true } }] }] }),
        /"mfa.email" needs an "email" attribute/,
      );
    });
  });
});
