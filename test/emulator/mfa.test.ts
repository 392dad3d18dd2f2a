/**
 * MFA against the emulator: TOTP enrolment with an access token, SOFTWARE_TOKEN_MFA (codes from
 * lib/totp.ts at the emulator's time), SMS_MFA from the outbox, SELECT_MFA_TYPE, MFA_SETUP end to
 * end, wrong codes, session expiry, and amazon-cognito-identity-js's totpRequired callback.
 */
import assert from 'node:assert/strict';
import {
  AdminGetUserCommand,
  AdminSetUserMFAPreferenceCommand,
  AssociateSoftwareTokenCommand,
  GetUserCommand,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
  SetUserMFAPreferenceCommand,
  VerifySoftwareTokenCommand,
  type InitiateAuthCommandOutput,
} from '@aws-sdk/client-cognito-identity-provider';
import { AuthenticationDetails, CognitoUser, CognitoUserPool, type CognitoUserSession } from 'amazon-cognito-identity-js';
import { generateTotp } from '../../lib/totp';
import { startTestPool, type TestPool } from '../support/pool';
import { rejects } from './helpers';

describe('emulator: MFA', () => {
  let pool: TestPool;
  const now = () => pool.emulator.clock.now();
  const login = (username: string, target: TestPool = pool): Promise<InitiateAuthCommandOutput> =>
    target.sdk.send(new InitiateAuthCommand({ ClientId: target.clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: username, PASSWORD: 'Passw0rd!' } }));
  const answer = (ChallengeName: string, Session: string | undefined, responses: Record<string, string>, target: TestPool = pool) =>
    target.sdk.send(new RespondToAuthChallengeCommand({
      ClientId: target.clientId, ChallengeName: ChallengeName as never, Session, ChallengeResponses: responses,
    }));

  /** Enrols TOTP for `username` through the public API; returns the secret. */
  const enrolTotp = async (username: string, prefer = true): Promise<string> => {
    const tokens = (await login(username)).AuthenticationResult!;
    const { SecretCode } = await pool.sdk.send(new AssociateSoftwareTokenCommand({ AccessToken: tokens.AccessToken }));
    assert.match(SecretCode!, /^[A-Z2-7]{32}$/);
    await rejects(
      pool.sdk.send(new SetUserMFAPreferenceCommand({ AccessToken: tokens.AccessToken, SoftwareTokenMfaSettings: { Enabled: true } })),
      'InvalidParameterException',
      'User has not verified software token mfa',
    );
    await rejects(
      pool.sdk.send(new VerifySoftwareTokenCommand({ AccessToken: tokens.AccessToken, UserCode: '000000' === generateTotp(SecretCode!, now()) ? '111111' : '000000' })),
      'EnableSoftwareTokenMFAException',
      'Code mismatch',
    );
    const verified = await pool.sdk.send(
      new VerifySoftwareTokenCommand({ AccessToken: tokens.AccessToken, UserCode: generateTotp(SecretCode!, now()), FriendlyDeviceName: 'phone' }),
    );
    assert.equal(verified.Status, 'SUCCESS');
    await pool.sdk.send(
      new SetUserMFAPreferenceCommand({
        AccessToken: tokens.AccessToken, SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: prefer },
      }),
    );
    return SecretCode!;
  };

  before(async () => {
    pool = await startTestPool({ mfa: 'OPTIONAL' });
    for (const name of ['tina', 'tom', 'ted', 'sam', 'both']) {
      await pool.createUser(name, 'Passw0rd!', { attributes: { phone_number: '+15555550100' } });
    }
  });
  after(() => pool.stop());
  afterEach(() => pool.emulator.clock.reset());

  it('a user without a factor in an OPTIONAL pool gets tokens directly', async () => {
    const out = await login('sam');
    assert.ok(out.AuthenticationResult);
  });

  it('TOTP: enrol, then SOFTWARE_TOKEN_MFA; a wrong code keeps the session usable; a used code is refused', async () => {
    const secret = await enrolTotp('tina');
    const user = await pool.sdk.send(new AdminGetUserCommand({ UserPoolId: pool.poolId, Username: 'tina' }));
    assert.equal(user.PreferredMfaSetting, 'SOFTWARE_TOKEN_MFA');
    assert.deepEqual(user.UserMFASettingList, ['SOFTWARE_TOKEN_MFA']);

    const first = await login('tina');
    assert.equal(first.ChallengeName, 'SOFTWARE_TOKEN_MFA');
    assert.equal(first.ChallengeParameters!.USER_ID_FOR_SRP, 'tina');
    const code = generateTotp(secret, now());
    const wrong = code === '123456' ? '654321' : '123456';
    await rejects(answer('SOFTWARE_TOKEN_MFA', first.Session, { USERNAME: 'tina', SOFTWARE_TOKEN_MFA_CODE: wrong }), 'CodeMismatchException', 'Invalid code received for user');
    const out = await answer('SOFTWARE_TOKEN_MFA', first.Session, { USERNAME: 'tina', SOFTWARE_TOKEN_MFA_CODE: code });
    assert.ok(out.AuthenticationResult?.AccessToken);

    const again = await login('tina');
    await rejects(answer('SOFTWARE_TOKEN_MFA', again.Session, { USERNAME: 'tina', SOFTWARE_TOKEN_MFA_CODE: code }), 'CodeMismatchException');
    pool.emulator.clock.advance(120 * 1000);
    const later = await answer('SOFTWARE_TOKEN_MFA', again.Session, { USERNAME: 'tina', SOFTWARE_TOKEN_MFA_CODE: generateTotp(secret, now()) });
    assert.ok(later.AuthenticationResult);
  });

  it('gives up after 5 wrong codes, and a challenge session expires after 3 minutes', async () => {
    const secret = await enrolTotp('tom');
    const first = await login('tom');
    const wrong = generateTotp(secret, now()) === '000000' ? '111111' : '000000';
    for (let i = 0; i < 4; i++) {
      await rejects(answer('SOFTWARE_TOKEN_MFA', first.Session, { USERNAME: 'tom', SOFTWARE_TOKEN_MFA_CODE: wrong }), 'CodeMismatchException');
    }
    await rejects(answer('SOFTWARE_TOKEN_MFA', first.Session, { USERNAME: 'tom', SOFTWARE_TOKEN_MFA_CODE: wrong }), 'NotAuthorizedException');
    await rejects(
      answer('SOFTWARE_TOKEN_MFA', first.Session, { USERNAME: 'tom', SOFTWARE_TOKEN_MFA_CODE: generateTotp(secret, now()) }),
      'NotAuthorizedException',
      'Invalid session for the user.',
    );

    const second = await login('tom');
    pool.emulator.clock.advance(3 * 60 * 1000 + 1000);
    await rejects(
      answer('SOFTWARE_TOKEN_MFA', second.Session, { USERNAME: 'tom', SOFTWARE_TOKEN_MFA_CODE: generateTotp(secret, now()) }),
      'NotAuthorizedException',
      'Invalid session for the user, session is expired.',
    );
  });

  it('SMS_MFA: the code is in the SMS outbox; a wrong one is a CodeMismatch', async () => {
    await pool.sdk.send(
      new AdminSetUserMFAPreferenceCommand({ UserPoolId: pool.poolId, Username: 'ted', SMSMfaSettings: { Enabled: true, PreferredMfa: true } }),
    );
    const first = await login('ted');
    assert.equal(first.ChallengeName, 'SMS_MFA');
    assert.equal(first.ChallengeParameters!.CODE_DELIVERY_DELIVERY_MEDIUM, 'SMS');
    assert.equal(first.ChallengeParameters!.CODE_DELIVERY_DESTINATION, '+*******0100');
    const messages = pool.emulator.smsOutbox('ted');
    assert.equal(messages.length, 1);
    assert.equal(messages[0].phoneNumber, '+15555550100');
    assert.equal(messages[0].poolId, pool.poolId);
    const code = messages[0].code;
    assert.match(code, /^\d{6}$/);
    await rejects(answer('SMS_MFA', first.Session, { USERNAME: 'ted', SMS_MFA_CODE: code === '000000' ? '111111' : '000000' }), 'CodeMismatchException');
    const out = await answer('SMS_MFA', first.Session, { USERNAME: 'ted', SMS_MFA_CODE: code });
    assert.ok(out.AuthenticationResult);
    assert.equal(pool.emulator.smsOutbox('nobody').length, 0);
  });

  it('SELECT_MFA_TYPE when both factors are on and none is preferred', async () => {
    const secret = await enrolTotp('both', false);
    await pool.sdk.send(new AdminSetUserMFAPreferenceCommand({ UserPoolId: pool.poolId, Username: 'both', SMSMfaSettings: { Enabled: true } }));
    pool.emulator.clock.advance(60 * 1000);
    const first = await login('both');
    assert.equal(first.ChallengeName, 'SELECT_MFA_TYPE');
    assert.deepEqual(JSON.parse(first.ChallengeParameters!.MFAS_CAN_CHOOSE), ['SMS_MFA', 'SOFTWARE_TOKEN_MFA']);
    await rejects(answer('SELECT_MFA_TYPE', first.Session, { USERNAME: 'both', ANSWER: 'EMAIL_OTP' }), 'InvalidParameterException');
    const next = await answer('SELECT_MFA_TYPE', first.Session, { USERNAME: 'both', ANSWER: 'SOFTWARE_TOKEN_MFA' });
    assert.equal(next.ChallengeName, 'SOFTWARE_TOKEN_MFA');
    const out = await answer('SOFTWARE_TOKEN_MFA', next.Session, { USERNAME: 'both', SOFTWARE_TOKEN_MFA_CODE: generateTotp(secret, now()) });
    assert.ok(out.AuthenticationResult);
  });

  it('answering with a ChallengeName the session does not expect is refused', async () => {
    await pool.sdk.send(new AdminSetUserMFAPreferenceCommand({ UserPoolId: pool.poolId, Username: 'ted', SMSMfaSettings: { Enabled: true, PreferredMfa: true } }));
    const first = await login('ted');
    await rejects(answer('SOFTWARE_TOKEN_MFA', first.Session, { USERNAME: 'ted', SOFTWARE_TOKEN_MFA_CODE: '123456' }), 'InvalidParameterException');
  });

  it('AssociateSoftwareToken and SetUserMFAPreference refuse an invalid access token; AdminSetUserMFAPreference an unknown user', async () => {
    await rejects(pool.sdk.send(new AssociateSoftwareTokenCommand({ AccessToken: 'nope' })), 'NotAuthorizedException', 'Invalid Access Token');
    await rejects(
      pool.sdk.send(new SetUserMFAPreferenceCommand({ AccessToken: 'nope', SoftwareTokenMfaSettings: { Enabled: false } })),
      'NotAuthorizedException',
    );
    await rejects(
      pool.sdk.send(new AdminSetUserMFAPreferenceCommand({ UserPoolId: pool.poolId, Username: 'ghost', SMSMfaSettings: { Enabled: true } })),
      'UserNotFoundException',
    );
  });

  it('MFA_SETUP end to end in a pool with MFA ON', async () => {
    const strict = await startTestPool({ mfa: 'ON' });
    try {
      await strict.createUser('una', 'Passw0rd!');
      const first = await login('una', strict);
      assert.equal(first.ChallengeName, 'MFA_SETUP');
      assert.equal(first.ChallengeParameters!.MFAS_CAN_SETUP, '["SOFTWARE_TOKEN_MFA"]');
      await rejects(answer('MFA_SETUP', first.Session, { USERNAME: 'una' }, strict), 'InvalidParameterException');
      const associated = await strict.sdk.send(new AssociateSoftwareTokenCommand({ Session: first.Session }));
      assert.ok(associated.Session);
      const secret = associated.SecretCode!;
      await rejects(
        strict.sdk.send(new VerifySoftwareTokenCommand({
          Session: associated.Session, UserCode: generateTotp(secret, now() + 10 * 60 * 1000),
        })),
        'EnableSoftwareTokenMFAException',
      );
      const verified = await strict.sdk.send(
        new VerifySoftwareTokenCommand({ Session: associated.Session, UserCode: generateTotp(secret, now()) }),
      );
      assert.equal(verified.Status, 'SUCCESS');
      const out = await answer('MFA_SETUP', verified.Session, { USERNAME: 'una' }, strict);
      assert.ok(out.AuthenticationResult?.IdToken);
      const me = await strict.sdk.send(new GetUserCommand({ AccessToken: out.AuthenticationResult.AccessToken }));
      assert.equal(me.PreferredMfaSetting, 'SOFTWARE_TOKEN_MFA');
      const again = await login('una', strict);
      assert.equal(again.ChallengeName, 'SOFTWARE_TOKEN_MFA');
    } finally {
      await strict.stop();
    }
  });

  it('amazon-cognito-identity-js: totpRequired, then sendMFACode', async () => {
    const secret = await enrolTotp('sam');
    pool.emulator.clock.advance(60 * 1000);
    const userPool = new CognitoUserPool({ UserPoolId: pool.poolId, ClientId: pool.clientId, endpoint: pool.endpoint });
    const user = new CognitoUser({ Username: 'sam', Pool: userPool });
    const session = await new Promise<CognitoUserSession>((resolve, reject) => {
      user.authenticateUser(new AuthenticationDetails({ Username: 'sam', Password: 'Passw0rd!' }), {
        onSuccess: () => reject(new Error('expected a TOTP challenge')),
        onFailure: reject,
        totpRequired: () => {
          user.sendMFACode(generateTotp(secret, now()), { onSuccess: resolve, onFailure: reject }, 'SOFTWARE_TOKEN_MFA');
        },
      });
    });
    assert.equal(session.getIdToken().payload['cognito:username'], 'sam');
  });
});
