/**
 * The `Cognito` class, part 2: every challenge (NEW_PASSWORD_REQUIRED, SOFTWARE_TOKEN_MFA, SMS_MFA,
 * SELECT_MFA_TYPE, MFA_SETUP) after SRP and after admin sign-in, answered on the same instance or on a
 * new one rebuilt from the saved `mfaTokens`; TOTP enrolment and MFA preferences.
 */
import assert from 'node:assert/strict';
import { AdminSetUserMFAPreferenceCommand } from '@aws-sdk/client-cognito-identity-provider';
import type { Cognito, CognitoUserOptions, MfaTokens } from '../../lib/cognito';
import {
  ForceChangePasswordError,
  MFAChallengeError,
  MFASetupRequiredError,
  SMSMFAChallengeError,
  SoftwareTokenMFAChallengeError,
  type ChallengeError,
} from '../../lib/errors';
import { startTestPool, type TestPool } from '../support/pool';
import {
  cognitoFor,
  newUser,
  nextTotpStep,
  PASSWORD,
  rejectsWithCode,
  rejectsWithTypeError,
  totpNow,
  uniqueName,
} from '../support/cognito-user';

const NEW_PASSWORD = 'N3w-passw0rd!long';

async function challengeOf(promise: Promise<unknown>): Promise<ChallengeError> {
  try {
    await promise;
  } catch (e) {
    return e as ChallengeError;
  }
  throw new assert.AssertionError({ message: 'expected a challenge, but the call succeeded' });
}

describe('Cognito: challenges and MFA', () => {
  let pool: TestPool;
  const sign = (u: Cognito, admin: boolean): Promise<void> => (admin ? u.adminAuthenticate(PASSWORD) : u.authenticate(PASSWORD));

  /** A user with a verified, preferred TOTP factor; returns the secret. */
  async function totpUser(options: CognitoUserOptions = {}): Promise<{ username: string; cognito: Cognito; secret: string }> {
    const { username, cognito } = await newUser(pool, { client: pool.sdk, ...options });
    await cognito.authenticate(PASSWORD);
    const { secretCode, session } = await cognito.associateSoftwareToken();
    assert.equal(session, undefined);
    assert.equal(await cognito.verifySoftwareToken(totpNow(pool, secretCode), 'phone'), true);
    await cognito.setUserMfaPreference(false, true, 'SOFTWARE_TOKEN');
    nextTotpStep(pool);
    return { username, cognito: cognitoFor(pool, { username, client: pool.sdk, ...options }), secret: secretCode };
  }

  async function smsUser(preferred: boolean): Promise<{ username: string; cognito: Cognito }> {
    const made = await newUser(pool, { client: pool.sdk }, { attributes: { phone_number: '+15555550123' } });
    await pool.sdk.send(new AdminSetUserMFAPreferenceCommand({
      UserPoolId: pool.poolId, Username: made.username, SMSMfaSettings: { Enabled: true, PreferredMfa: preferred },
    }));
    return made;
  }

  const lastSms = (username: string): string => {
    const messages = pool.emulator.smsOutbox(username);
    return messages[messages.length - 1].code;
  };

  before(async () => {
    pool = await startTestPool({ mfa: 'OPTIONAL' });
  });
  after(() => pool.stop());
  afterEach(() => pool.emulator.clock.reset());

  for (const admin of [false, true]) {
    const flow = admin ? 'admin sign-in' : 'SRP sign-in';
    const answerOp = admin ? 'AdminRespondToAuthChallenge' : 'RespondToAuthChallenge';

    it(`${flow}: SOFTWARE_TOKEN_MFA, wrong code kept pending, then the right one`, async () => {
      const { username, cognito, secret } = await totpUser();
      const challenge = await challengeOf(sign(cognito, admin));
      assert.ok(challenge instanceof SoftwareTokenMFAChallengeError);
      assert.equal(challenge.code, 'ERR_COGNITO_MFA_SOFTWARE_TOKEN');
      const tokens = challenge.getTokens();
      assert.equal(tokens.ChallengeName, 'SOFTWARE_TOKEN_MFA');
      assert.equal(tokens.AuthFlow, admin ? 'ADMIN_USER_PASSWORD_AUTH' : 'USER_SRP_AUTH');
      assert.equal(tokens.Username, username);
      assert.deepEqual(cognito.mfaTokens, tokens);
      assert.equal(cognito.accessToken, undefined);
      await rejectsWithCode(cognito.respondToSoftwareTokenMfaChallenge('000000'), 'ERR_COGNITO_CODE_MISMATCH');
      await rejectsWithCode(cognito.respondToSoftwareTokenMfaChallenge('12ab'), 'ERR_COGNITO_CODE_MISMATCH');
      assert.equal(cognito.mfaTokens?.Session, tokens.Session);
      const before = pool.emulator.calls(answerOp);
      await cognito.respondToSoftwareTokenMfaChallenge(totpNow(pool, secret));
      assert.equal(pool.emulator.calls(answerOp) - before, 1);
      assert.equal(cognito.idClaims?.['cognito:username'], username);
      assert.equal(cognito.mfaTokens, undefined);
    });

    it(`${flow}: SMS_MFA answered on a new instance from the saved challenge (JSON round trip)`, async () => {
      const { username, cognito } = await smsUser(true);
      const challenge = await challengeOf(sign(cognito, admin));
      assert.ok(challenge instanceof SMSMFAChallengeError);
      assert.equal(challenge.code, 'ERR_COGNITO_MFA_SMS');
      const saved = JSON.parse(JSON.stringify(challenge.getTokens())) as MfaTokens;
      const later = cognitoFor(pool, { username, client: pool.sdk });
      const before = pool.emulator.calls(answerOp);
      await later.respondToSmsMfaChallenge(lastSms(username), saved);
      assert.equal(pool.emulator.calls(answerOp) - before, 1);
      assert.equal(later.accessClaims?.username, username);
    });

    it(`${flow}: SELECT_MFA_TYPE, then the chosen factor`, async () => {
      // A user with a phone and a verified authenticator, both factors on, neither preferred.
      const { username, cognito: both } = await newUser(pool, { client: pool.sdk }, { attributes: { phone_number: '+15555550124' } });
      await both.authenticate(PASSWORD);
      const { secretCode } = await both.associateSoftwareToken();
      await both.verifySoftwareToken(totpNow(pool, secretCode));
      await pool.sdk.send(new AdminSetUserMFAPreferenceCommand({
        UserPoolId: pool.poolId, Username: username,
        SMSMfaSettings: { Enabled: true, PreferredMfa: false }, SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: false },
      }));
      nextTotpStep(pool);

      const select = await challengeOf(sign(both, admin));
      assert.ok(select instanceof MFAChallengeError);
      assert.equal(select.code, 'ERR_COGNITO_MFA_SELECT');
      assert.deepEqual(JSON.parse(select.parameters.MFAS_CAN_CHOOSE).sort(), ['SMS_MFA', 'SOFTWARE_TOKEN_MFA']);
      await rejectsWithTypeError(both.respondToSelectMfaTypeChallenge('EMAIL' as never), /"mfaType"/);
      const next = await challengeOf(both.respondToSelectMfaTypeChallenge('SOFTWARE_TOKEN_MFA'));
      assert.ok(next instanceof SoftwareTokenMFAChallengeError);
      assert.equal(next.getTokens().AuthFlow, admin ? 'ADMIN_USER_PASSWORD_AUTH' : 'USER_SRP_AUTH');
      await both.respondToSoftwareTokenMfaChallenge(totpNow(pool, secretCode));
      assert.equal(both.accessClaims?.username, username);

      const again = await challengeOf(sign(both, admin));
      const smsNext = await challengeOf(both.respondToSelectMfaTypeChallenge('SMS_MFA', again.getTokens()));
      assert.ok(smsNext instanceof SMSMFAChallengeError);
      await both.respondToSmsMfaChallenge(lastSms(username));
      assert.equal(typeof both.accessToken, 'string');
    });

    it(`${flow}: NEW_PASSWORD_REQUIRED answered with the saved Session (respondToNewPasswordChallenge)`, async () => {
      const username = uniqueName();
      await pool.createUser(username, PASSWORD, { temporary: true });
      const u = cognitoFor(pool, { username, client: pool.sdk });
      const challenge = await challengeOf(sign(u, admin));
      assert.ok(challenge instanceof ForceChangePasswordError);
      assert.equal(challenge.code, 'ERR_COGNITO_NEW_PASSWORD_REQUIRED');
      const later = cognitoFor(pool, { username, client: pool.sdk });
      await rejectsWithCode(later.respondToNewPasswordChallenge('short', challenge.getTokens()), 'ERR_COGNITO_INVALID_PASSWORD');
      await later.respondToNewPasswordChallenge(NEW_PASSWORD, challenge.getTokens());
      assert.equal(later.idClaims?.['cognito:username'], username);
      await cognitoFor(pool, { username }).authenticate(NEW_PASSWORD);
    });
  }

  it('newPasswordChallenge: signs in with the temporary password and sets the new one', async () => {
    const username = uniqueName();
    await pool.createUser(username, PASSWORD, { temporary: true });
    const u = cognitoFor(pool, { username });
    await u.newPasswordChallenge(PASSWORD, NEW_PASSWORD);
    assert.equal(typeof u.refreshToken, 'string');
    await rejectsWithCode(cognitoFor(pool, { username }).authenticate(PASSWORD), 'ERR_COGNITO_BAD_CREDENTIALS');
    await cognitoFor(pool, { username }).authenticate(NEW_PASSWORD);
    // Wrong temporary password: the sign-in's own error.
    const other = uniqueName();
    await pool.createUser(other, PASSWORD, { temporary: true });
    await rejectsWithCode(cognitoFor(pool, { username: other }).newPasswordChallenge('Wrong-passw0rd', NEW_PASSWORD), 'ERR_COGNITO_BAD_CREDENTIALS');
    await rejectsWithTypeError(u.newPasswordChallenge(PASSWORD, ''), /"newPassword"/);
  });

  it('the challenge Session expires after 3 minutes: ERR_COGNITO_CHALLENGE_EXPIRED, and it is forgotten', async () => {
    const { cognito, secret } = await totpUser();
    await challengeOf(cognito.authenticate(PASSWORD));
    pool.emulator.clock.advance(3 * 60 * 1000 + 1000);
    await rejectsWithCode(cognito.respondToSoftwareTokenMfaChallenge(totpNow(pool, secret)), 'ERR_COGNITO_CHALLENGE_EXPIRED');
    assert.equal(cognito.mfaTokens, undefined);
  });

  it('a challenge of another kind, or none, is a TypeError', async () => {
    const { cognito } = await totpUser();
    const challenge = await challengeOf(cognito.authenticate(PASSWORD));
    await rejectsWithTypeError(cognito.respondToSmsMfaChallenge('123456'), /SMS_MFA/);
    await rejectsWithTypeError(cognito.respondToSoftwareTokenMfaChallenge('123456', { ...challenge.getTokens(), Session: '' }), /Session/);
    await rejectsWithTypeError(cognito.respondToSoftwareTokenMfaChallenge(123456 as never), /"code"/);
  });

  it('TOTP management: wrong codes and bad preferences', async () => {
    const { cognito } = await newUser(pool);
    await cognito.authenticate(PASSWORD);
    const { secretCode } = await cognito.associateSoftwareToken();
    assert.match(secretCode, /^[A-Z2-7]+=*$/);
    await rejectsWithCode(cognito.verifySoftwareToken('000000'), 'ERR_COGNITO_CODE_MISMATCH');
    await rejectsWithTypeError(cognito.setUserMfaPreference(false, true), /"preferred"/);
    await rejectsWithTypeError(cognito.setUserMfaPreference(false, true, 'EMAIL' as never), /"preferred"/);
    await rejectsWithTypeError(cognito.setUserMfaPreference(false, true, 'SMS'), /enabled factor/);
    await rejectsWithTypeError(cognito.setUserMfaPreference('yes' as never, true, 'SMS'), /"sms"/);
    await cognito.setUserMfaPreference(false, false);
    await rejectsWithCode(cognito.setUserMfaPreference(false, true, 'SOFTWARE_TOKEN'), 'ERR_COGNITO_SERVICE'); // not verified yet
    await rejectsWithTypeError(cognitoFor(pool).associateSoftwareToken(), /"accessToken"/);
  });

  describe('MFA_SETUP (pool MFA required)', () => {
    let required: TestPool;
    before(async () => {
      required = await startTestPool({ mfa: 'ON' });
    });
    after(() => required.stop());

    for (const admin of [false, true]) {
      it(`${admin ? 'admin' : 'SRP'} sign-in: associate with the Session, verify the first code, signed in`, async () => {
        const username = uniqueName();
        await required.createUser(username, PASSWORD);
        const u = cognitoFor(required, { username, client: required.sdk });
        const setup = await challengeOf(sign(u, admin));
        assert.ok(setup instanceof MFASetupRequiredError);
        assert.equal(setup.code, 'ERR_COGNITO_MFA_SETUP');
        // The next request: a new instance from the saved challenge.
        const second = cognitoFor(required, { username, client: required.sdk });
        const { secretCode, session } = await second.associateSoftwareToken(setup.getTokens());
        assert.equal(typeof session, 'string');
        assert.equal(second.mfaTokens?.Session, session);
        const saved = JSON.parse(JSON.stringify(second.mfaTokens)) as MfaTokens;
        const third = cognitoFor(required, { username, client: required.sdk });
        await rejectsWithCode(third.respondToMfaSetupChallenge('000000', saved), 'ERR_COGNITO_CODE_MISMATCH');
        const before = required.emulator.calls(admin ? 'AdminRespondToAuthChallenge' : 'RespondToAuthChallenge');
        await third.respondToMfaSetupChallenge(totpNow(required, secretCode), saved, 'my phone');
        assert.equal(required.emulator.calls(admin ? 'AdminRespondToAuthChallenge' : 'RespondToAuthChallenge') - before, 1);
        assert.equal(third.accessClaims?.username, username);
        // From now on the user is challenged for the code.
        required.emulator.clock.advance(30_000);
        const next = await challengeOf(cognitoFor(required, { username, client: required.sdk }).authenticate(PASSWORD));
        assert.ok(next instanceof SoftwareTokenMFAChallengeError);
      });
    }
  });
});

