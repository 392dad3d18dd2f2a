// The emulator's USER_AUTH (choice-based sign-in) through the AWS SDK: SELECT_CHALLENGE, PASSWORD,
// PASSWORD_SRP, EMAIL_OTP and SMS_OTP first factors, MFA after a password, the codes in the outbox,
// and each way the flow is refused.
import assert from 'node:assert/strict';
import {
  AdminDisableUserCommand, AdminEnableUserCommand, AdminInitiateAuthCommand, AdminRespondToAuthChallengeCommand,
  AdminSetUserMFAPreferenceCommand, CreateUserPoolClientCommand, InitiateAuthCommand, RespondToAuthChallengeCommand,
  type ExplicitAuthFlowsType, type InitiateAuthCommandOutput,
} from '@aws-sdk/client-cognito-identity-provider';
import type { PreAuthenticationTriggerEvent } from 'aws-lambda';
import type { EmulatorTriggers } from '../../lib/emulator';
import { secretHash } from '../../lib/secret-hash';
import { createSrpEphemeral, passwordVerifierResponse } from '../../lib/srp';
import { startTestPool, TEST_AUTH_FLOWS, type TestPool } from '../support/pool';
import { claimsOf, rejects } from './helpers';

const PASSWORD = 'Corr3ct-horse!';
const FLOWS = [...TEST_AUTH_FLOWS, 'ALLOW_USER_AUTH'] as ExplicitAuthFlowsType[];
const FACTORS = ['PASSWORD', 'EMAIL_OTP', 'SMS_OTP'] as const;

/** Refuses sign-in for `blocked`, to see PreAuthentication run. */
const TRIGGERS: EmulatorTriggers = {
  PreAuthentication: (event: PreAuthenticationTriggerEvent) => {
    if (event.userName === 'blocked') throw new Error('no entry');
    return event;
  },
};

describe('emulator: USER_AUTH (choice-based sign-in)', function () {
  this.timeout(20_000);
  let pool: TestPool;
  let legacyClientId: string;

  const start = (username: string, params: Record<string, string> = {}, clientId = pool.clientId): Promise<InitiateAuthCommandOutput> =>
    pool.sdk.send(new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_AUTH', AuthParameters: { USERNAME: username, ...params } }));
  const answer = (name: string, session: string | undefined, responses: Record<string, string>, clientId = pool.clientId) =>
    pool.sdk.send(new RespondToAuthChallengeCommand({
      ClientId: clientId, ChallengeName: name as never, Session: session, ChallengeResponses: responses,
    }));
  const lastCode = (username: string): string => {
    const message = pool.emulator.outbox({ username, purpose: 'SIGN_IN' }).at(-1);
    assert.ok(message?.code, `no sign-in code for ${username}`);
    return message.code;
  };
  const srpProof = async (
    init: { ChallengeName?: string; ChallengeParameters?: Record<string, string> }, ephemeral: ReturnType<typeof createSrpEphemeral>,
  ) => {
    assert.equal(init.ChallengeName, 'PASSWORD_VERIFIER');
    const params = init.ChallengeParameters!;
    return answer('PASSWORD_VERIFIER', undefined, {
      ...passwordVerifierResponse({
        userPoolId: pool.poolId, password: PASSWORD, ephemeral, challengeParameters: params, now: new Date(pool.emulator.clock.now()),
      }),
    });
  };

  before(async () => {
    pool = await startTestPool({
      mfa: 'OPTIONAL',
      explicitAuthFlows: FLOWS,
      clientOptions: { PreventUserExistenceErrors: 'ENABLED' },
      poolOptions: { Policies: { SignInPolicy: { AllowedFirstAuthFactors: [...FACTORS] } } },
      emulatorOptions: { triggers: TRIGGERS },
    });
    const legacy = await pool.sdk.send(new CreateUserPoolClientCommand({
      UserPoolId: pool.poolId, ClientName: 'legacy', ExplicitAuthFlows: FLOWS, PreventUserExistenceErrors: 'LEGACY',
    }));
    legacyClientId = legacy.UserPoolClient!.ClientId!;
    await pool.createUser('ann', PASSWORD, {
      attributes: { email: 'ann@example.com', email_verified: 'true', phone_number: '+15550100001', phone_number_verified: 'true' },
    });
    await pool.createUser('bea', PASSWORD, { attributes: { email: 'bea@example.com' } });
    await pool.createUser('blocked', PASSWORD, { attributes: { email: 'blocked@example.com', email_verified: 'true' } });
  });
  after(() => pool.stop());

  describe('SELECT_CHALLENGE', () => {
    it('without PREFERRED_CHALLENGE: the allowed factors the user can present, and a Session', async () => {
      const ann = await start('ann');
      assert.equal(ann.ChallengeName, 'SELECT_CHALLENGE');
      assert.deepEqual(ann.AvailableChallenges, ['PASSWORD', 'PASSWORD_SRP', 'EMAIL_OTP', 'SMS_OTP']);
      assert.ok(ann.Session);
      // An unverified e-mail and no phone: the password only.
      assert.deepEqual((await start('bea')).AvailableChallenges, ['PASSWORD', 'PASSWORD_SRP']);
    });

    it('ANSWER PASSWORD with the password completes in one step', async () => {
      const { Session } = await start('ann');
      const done = await answer('SELECT_CHALLENGE', Session, { USERNAME: 'ann', ANSWER: 'PASSWORD', PASSWORD });
      assert.ok(done.AuthenticationResult?.AccessToken);
      assert.equal(claimsOf(done.AuthenticationResult.AccessToken)['username'], 'ann');
    });

    it('ANSWER PASSWORD_SRP with SRP_A leads to PASSWORD_VERIFIER', async () => {
      const { Session } = await start('ann');
      const ephemeral = createSrpEphemeral();
      const verifier = await answer('SELECT_CHALLENGE', Session, { USERNAME: 'ann', ANSWER: 'PASSWORD_SRP', SRP_A: ephemeral.srpA });
      const done = await srpProof(verifier, ephemeral);
      assert.ok(done.AuthenticationResult?.IdToken);
    });

    it('ANSWER EMAIL_OTP sends a code; the right code signs in', async () => {
      const { Session } = await start('ann');
      const sent = await answer('SELECT_CHALLENGE', Session, { USERNAME: 'ann', ANSWER: 'EMAIL_OTP' });
      assert.equal(sent.ChallengeName, 'EMAIL_OTP');
      assert.deepEqual(sent.ChallengeParameters, { CODE_DELIVERY_DELIVERY_MEDIUM: 'EMAIL', CODE_DELIVERY_DESTINATION: 'a***@e***' });
      const done = await answer('EMAIL_OTP', sent.Session, { USERNAME: 'ann', EMAIL_OTP_CODE: lastCode('ann') });
      assert.ok(done.AuthenticationResult?.RefreshToken);
    });

    it('ChallengeName PASSWORD on the SELECT_CHALLENGE session is taken as that answer', async () => {
      const { Session } = await start('ann');
      const done = await answer('PASSWORD', Session, { USERNAME: 'ann', PASSWORD });
      assert.ok(done.AuthenticationResult?.AccessToken);
    });

    it('refuses an answer the user cannot present, an unknown one, and a second use of the session', async () => {
      const { Session } = await start('bea');
      await rejects(answer('SELECT_CHALLENGE', Session, { USERNAME: 'bea', ANSWER: 'EMAIL_OTP' }), 'InvalidParameterException', /EMAIL_OTP is not an available/);
      await rejects(answer('SELECT_CHALLENGE', Session, { USERNAME: 'bea', ANSWER: 'SOFTWARE_TOKEN_MFA' }), 'InvalidParameterException');
      await rejects(answer('SELECT_CHALLENGE', Session, { USERNAME: 'bea', ANSWER: 'PASSWORD' }), 'InvalidParameterException', /PASSWORD/);
      await answer('SELECT_CHALLENGE', Session, { USERNAME: 'bea', ANSWER: 'PASSWORD', PASSWORD });
      await rejects(answer('SELECT_CHALLENGE', Session, { USERNAME: 'bea', ANSWER: 'PASSWORD', PASSWORD }), 'NotAuthorizedException');
    });

    it('refuses another challenge name for the session, and another user', async () => {
      const { Session } = await start('ann');
      await rejects(answer('EMAIL_OTP', Session, { USERNAME: 'ann', EMAIL_OTP_CODE: '12345678' }), 'InvalidParameterException', /expects SELECT_CHALLENGE/);
      await rejects(answer('SMS_MFA', Session, { USERNAME: 'ann', SMS_MFA_CODE: '123456' }), 'InvalidParameterException');
      await rejects(answer('SELECT_CHALLENGE', Session, { USERNAME: 'bea', ANSWER: 'PASSWORD', PASSWORD }), 'NotAuthorizedException', 'Invalid session for the user.');
    });

    it('expires with the client\'s AuthSessionValidity (3 minutes)', async () => {
      const { Session } = await start('ann');
      pool.emulator.clock.advance(3 * 60_000 + 1);
      await rejects(answer('SELECT_CHALLENGE', Session, { USERNAME: 'ann', ANSWER: 'PASSWORD', PASSWORD }), 'NotAuthorizedException', /expired/);
    });
  });

  describe('PREFERRED_CHALLENGE', () => {
    it('PASSWORD with PASSWORD: tokens at once (AdminInitiateAuth too)', async () => {
      const done = await start('ann', { PREFERRED_CHALLENGE: 'PASSWORD', PASSWORD });
      assert.ok(done.AuthenticationResult?.AccessToken);
      const admin = await pool.sdk.send(new AdminInitiateAuthCommand({
        UserPoolId: pool.poolId, ClientId: pool.clientId, AuthFlow: 'USER_AUTH', AuthParameters: { USERNAME: 'ann', PREFERRED_CHALLENGE: 'PASSWORD', PASSWORD },
      }));
      assert.ok(admin.AuthenticationResult?.AccessToken);
    });

    it('PASSWORD: a wrong password is NotAuthorized and counts towards the lockout', async () => {
      for (let i = 0; i < 5; i++) {
        await rejects(start('bea', { PREFERRED_CHALLENGE: 'PASSWORD', PASSWORD: 'wrong-Passw0rd' }), 'NotAuthorizedException', 'Incorrect username or password.');
      }
      await rejects(start('bea', { PREFERRED_CHALLENGE: 'PASSWORD', PASSWORD }), 'NotAuthorizedException', 'Password attempts exceeded');
      pool.emulator.clock.advance(2000);
      assert.ok((await start('bea', { PREFERRED_CHALLENGE: 'PASSWORD', PASSWORD })).AuthenticationResult);
    });

    it('PASSWORD without the password: a PASSWORD challenge asks for it', async () => {
      const asked = await start('ann', { PREFERRED_CHALLENGE: 'PASSWORD' });
      assert.equal(asked.ChallengeName, 'PASSWORD');
      await rejects(answer('PASSWORD', asked.Session, { USERNAME: 'ann' }), 'InvalidParameterException');
      const done = await answer('PASSWORD', asked.Session, { USERNAME: 'ann', PASSWORD });
      assert.ok(done.AuthenticationResult?.AccessToken);
    });

    it('PASSWORD_SRP with SRP_A: PASSWORD_VERIFIER, then tokens; a bad SRP_A is refused', async () => {
      const ephemeral = createSrpEphemeral();
      const init = await start('ann', { PREFERRED_CHALLENGE: 'PASSWORD_SRP', SRP_A: ephemeral.srpA });
      assert.equal(init.ChallengeParameters?.USER_ID_FOR_SRP, 'ann');
      assert.ok((await srpProof(init, ephemeral)).AuthenticationResult?.AccessToken);
      await rejects(start('ann', { PREFERRED_CHALLENGE: 'PASSWORD_SRP', SRP_A: '00' }), 'InvalidParameterException', 'Invalid SRP_A value.');
    });

    it('PASSWORD_SRP without SRP_A: a PASSWORD_SRP challenge asks for it', async () => {
      const asked = await start('ann', { PREFERRED_CHALLENGE: 'PASSWORD_SRP' });
      assert.equal(asked.ChallengeName, 'PASSWORD_SRP');
      const ephemeral = createSrpEphemeral();
      const verifier = await answer('PASSWORD_SRP', asked.Session, { USERNAME: 'ann', SRP_A: ephemeral.srpA });
      assert.ok((await srpProof(verifier, ephemeral)).AuthenticationResult);
    });

    it('EMAIL_OTP: an 8-digit code by e-mail, through CustomMessage_Authentication\'s default text', async () => {
      const sent = await start('ann', { PREFERRED_CHALLENGE: 'EMAIL_OTP' });
      assert.equal(sent.ChallengeName, 'EMAIL_OTP');
      const message = pool.emulator.outbox({ username: 'ann', purpose: 'SIGN_IN' }).at(-1)!;
      assert.equal(message.channel, 'EMAIL');
      assert.equal(message.destination, 'ann@example.com');
      assert.match(message.code!, /^\d{8}$/);
      assert.equal(message.message, `Your authentication code is ${message.code}. `);
      const done = await answer('EMAIL_OTP', sent.Session, { USERNAME: 'ann', EMAIL_OTP_CODE: message.code! });
      const id = claimsOf(done.AuthenticationResult!.IdToken!);
      assert.equal(id['cognito:username'], 'ann');
    });

    it('SMS_OTP: an 8-digit code by SMS to the verified phone, masked', async () => {
      const sent = await start('ann', { PREFERRED_CHALLENGE: 'SMS_OTP' });
      assert.deepEqual(sent.ChallengeParameters, { CODE_DELIVERY_DELIVERY_MEDIUM: 'SMS', CODE_DELIVERY_DESTINATION: '+*******0001' });
      const sms = pool.emulator.smsOutbox('ann').at(-1)!;
      assert.match(sms.code, /^\d{8}$/);
      assert.equal(sms.phoneNumber, '+15550100001');
      await rejects(answer('SMS_OTP', sent.Session, { USERNAME: 'ann', EMAIL_OTP_CODE: sms.code }), 'InvalidParameterException');
      assert.ok((await answer('SMS_OTP', sent.Session, { USERNAME: 'ann', SMS_OTP_CODE: sms.code })).AuthenticationResult);
    });

    it('a factor the user cannot present, or the pool does not allow, falls back to SELECT_CHALLENGE', async () => {
      const bea = await start('bea', { PREFERRED_CHALLENGE: 'EMAIL_OTP' });
      assert.equal(bea.ChallengeName, 'SELECT_CHALLENGE');
      assert.deepEqual(bea.AvailableChallenges, ['PASSWORD', 'PASSWORD_SRP']);
      assert.equal(pool.emulator.outbox({ username: 'bea', purpose: 'SIGN_IN' }).length, 0);
      assert.equal((await start('ann', { PREFERRED_CHALLENGE: 'WEB_AUTHN' })).ChallengeName, 'SELECT_CHALLENGE');
    });

    it('an unknown PREFERRED_CHALLENGE is InvalidParameterException', async () => {
      await rejects(start('ann', { PREFERRED_CHALLENGE: 'SMS_MFA' }), 'InvalidParameterException', /PREFERRED_CHALLENGE/);
    });
  });

  describe('codes', () => {
    it('a wrong code is CodeMismatch; the fifth ends the session', async () => {
      const sent = await start('ann', { PREFERRED_CHALLENGE: 'EMAIL_OTP' });
      const code = lastCode('ann');
      const wrong = code === '00000000' ? '11111111' : '00000000';
      for (let i = 0; i < 4; i++) {
        await rejects(answer('EMAIL_OTP', sent.Session, { USERNAME: 'ann', EMAIL_OTP_CODE: wrong }), 'CodeMismatchException');
      }
      await rejects(answer('EMAIL_OTP', sent.Session, { USERNAME: 'ann', EMAIL_OTP_CODE: wrong }), 'NotAuthorizedException', 'Invalid session for the user.');
      await rejects(answer('EMAIL_OTP', sent.Session, { USERNAME: 'ann', EMAIL_OTP_CODE: code }), 'NotAuthorizedException');
    });

    it('a code answers once, and not after the session expired', async () => {
      const sent = await start('ann', { PREFERRED_CHALLENGE: 'EMAIL_OTP' });
      const code = lastCode('ann');
      await answer('EMAIL_OTP', sent.Session, { USERNAME: 'ann', EMAIL_OTP_CODE: code });
      await rejects(answer('EMAIL_OTP', sent.Session, { USERNAME: 'ann', EMAIL_OTP_CODE: code }), 'NotAuthorizedException', 'Invalid session for the user.');
      const late = await start('ann', { PREFERRED_CHALLENGE: 'SMS_OTP' });
      pool.emulator.clock.advance(3 * 60_000 + 1);
      await rejects(
        answer('SMS_OTP', late.Session, { USERNAME: 'ann', SMS_OTP_CODE: pool.emulator.smsOutbox('ann').at(-1)!.code }),
        'NotAuthorizedException', /expired/,
      );
    });
  });

  describe('MFA after a password first factor', () => {
    it('SMS MFA follows PASSWORD; nothing follows EMAIL_OTP', async () => {
      await pool.createUser('cat', PASSWORD, { attributes: { email: 'cat@example.com', email_verified: 'true', phone_number: '+15550100002' } });
      await pool.sdk.send(new AdminSetUserMFAPreferenceCommand({ UserPoolId: pool.poolId, Username: 'cat', SMSMfaSettings: { Enabled: true } }));
      const mfa = await start('cat', { PREFERRED_CHALLENGE: 'PASSWORD', PASSWORD });
      assert.equal(mfa.ChallengeName, 'SMS_MFA');
      const code = pool.emulator.smsOutbox('cat').at(-1)!.code;
      assert.match(code, /^\d{6}$/);
      assert.ok((await answer('SMS_MFA', mfa.Session, { USERNAME: 'cat', SMS_MFA_CODE: code })).AuthenticationResult);
      const otp = await start('cat', { PREFERRED_CHALLENGE: 'EMAIL_OTP' });
      assert.ok((await answer('EMAIL_OTP', otp.Session, { USERNAME: 'cat', EMAIL_OTP_CODE: lastCode('cat') })).AuthenticationResult);
    });
  });

  describe('refusals', () => {
    it('a client without ALLOW_USER_AUTH: InvalidParameterException', async () => {
        const other = await pool.sdk.send(new CreateUserPoolClientCommand({
        UserPoolId: pool.poolId, ClientName: 'no-user-auth', ExplicitAuthFlows: TEST_AUTH_FLOWS as ExplicitAuthFlowsType[],
      }));
      await rejects(start('ann', {}, other.UserPoolClient!.ClientId), 'InvalidParameterException', 'USER_AUTH flow not enabled for this client');
    });

    it('an unknown user: UserNotFoundException on a LEGACY client', async () => {
      await rejects(start('nobody', {}, legacyClientId), 'UserNotFoundException');
      await rejects(start('nobody', { PREFERRED_CHALLENGE: 'PASSWORD', PASSWORD }, legacyClientId), 'UserNotFoundException');
    });

    it('an unknown user on an ENABLED client: a decoy that never succeeds and sends nothing', async () => {
      const select = await start('nobody@example.com');
      assert.equal(select.ChallengeName, 'SELECT_CHALLENGE');
      assert.deepEqual(select.AvailableChallenges, ['PASSWORD', 'PASSWORD_SRP', 'EMAIL_OTP', 'SMS_OTP']);
      const sent = await answer('SELECT_CHALLENGE', select.Session, { USERNAME: 'nobody@example.com', ANSWER: 'EMAIL_OTP' });
      assert.equal(sent.ChallengeName, 'EMAIL_OTP');
      assert.equal(sent.ChallengeParameters?.CODE_DELIVERY_DESTINATION, 'n***@e***');
      await rejects(answer('EMAIL_OTP', sent.Session, { USERNAME: 'nobody@example.com', EMAIL_OTP_CODE: '12345678' }), 'CodeMismatchException');
      assert.equal(pool.emulator.outbox({ username: 'nobody@example.com' }).length, 0);
      await rejects(start('nobody', { PREFERRED_CHALLENGE: 'PASSWORD', PASSWORD }), 'NotAuthorizedException', 'Incorrect username or password.');
      const sms = await start('nobody', { PREFERRED_CHALLENGE: 'SMS_OTP' });
      assert.match(sms.ChallengeParameters!.CODE_DELIVERY_DESTINATION, /^\+\*+\d{4}$/);
      const ephemeral = createSrpEphemeral();
      const verifier = await start('nobody', { PREFERRED_CHALLENGE: 'PASSWORD_SRP', SRP_A: ephemeral.srpA });
      await rejects(srpProof(verifier, ephemeral), 'NotAuthorizedException');
    });

    it('a disabled user: NotAuthorizedException', async () => {
      await pool.sdk.send(new AdminDisableUserCommand({ UserPoolId: pool.poolId, Username: 'bea' }));
      await rejects(start('bea'), 'NotAuthorizedException', 'User is disabled.');
      await pool.sdk.send(new AdminEnableUserCommand({ UserPoolId: pool.poolId, Username: 'bea' }));
    });

    it('PreAuthentication runs as the first factor starts; its refusal sends no code', async () => {
      await rejects(start('blocked', { PREFERRED_CHALLENGE: 'EMAIL_OTP' }), 'UserLambdaValidationException', /no entry/);
      assert.equal(pool.emulator.outbox({ username: 'blocked' }).length, 0);
      assert.equal((await start('blocked')).ChallengeName, 'SELECT_CHALLENGE');
    });
  });

  describe('a client with a secret', () => {
    let secretPool: TestPool;
    before(async () => {
      secretPool = await startTestPool({
        generateSecret: true, explicitAuthFlows: FLOWS,
        poolOptions: { Policies: { SignInPolicy: { AllowedFirstAuthFactors: ['PASSWORD', 'EMAIL_OTP'] } } },
      });
      await secretPool.createUser('dan', PASSWORD, { attributes: { email: 'dan@example.com', email_verified: 'true' } });
    });
    after(() => secretPool.stop());

    it('needs SECRET_HASH in InitiateAuth and in every answer', async () => {
      const hash = secretHash('dan', secretPool.clientId, secretPool.clientSecret!);
      const send = (responses: Record<string, string>, session?: string, name = 'SELECT_CHALLENGE') =>
        secretPool.sdk.send(new AdminRespondToAuthChallengeCommand({
          UserPoolId: secretPool.poolId, ClientId: secretPool.clientId, ChallengeName: name as never, Session: session,
          ChallengeResponses: responses,
        }));
      const init = (params: Record<string, string>) => secretPool.sdk.send(new InitiateAuthCommand({
        ClientId: secretPool.clientId, AuthFlow: 'USER_AUTH', AuthParameters: { USERNAME: 'dan', ...params },
      }));
      await rejects(init({}), 'NotAuthorizedException', /SECRET_HASH was not received/);
      await rejects(init({ SECRET_HASH: 'wrong' }), 'NotAuthorizedException', /Unable to verify secret hash/);
      const { Session } = await init({ SECRET_HASH: hash });
      await rejects(send({ USERNAME: 'dan', ANSWER: 'EMAIL_OTP' }, Session), 'NotAuthorizedException', /SECRET_HASH/);
      const sent = await send({ USERNAME: 'dan', ANSWER: 'EMAIL_OTP', SECRET_HASH: hash }, (await init({ SECRET_HASH: hash })).Session);
      const code = secretPool.emulator.outbox({ username: 'dan', purpose: 'SIGN_IN' }).at(-1)!.code!;
      const done = await send({ USERNAME: 'dan', EMAIL_OTP_CODE: code, SECRET_HASH: hash }, sent.Session, 'EMAIL_OTP');
      assert.ok(done.AuthenticationResult?.AccessToken);
    });
  });
});
