/**
 * The `Cognito` class, USER_AUTH (choice-based sign-in) against the emulator: SELECT_CHALLENGE and
 * each first factor — PASSWORD, PASSWORD_SRP (never sends the password), EMAIL_OTP and SMS_OTP codes
 * from the outbox —, e-mail MFA after a password, a passwordless sign-up signed in with the
 * ConfirmSignUp session, answers from another instance, and each refusal.
 */
import assert from 'node:assert/strict';
import {
  AdminSetUserMFAPreferenceCommand, CognitoIdentityProviderClient, SetUserPoolMfaConfigCommand, type ExplicitAuthFlowsType,
} from '@aws-sdk/client-cognito-identity-provider';
import {
  EmailOtpChallengeError, SelectChallengeError, SmsOtpChallengeError, type ChallengeError,
} from '../../lib/errors';
import { startTestPool, TEST_AUTH_FLOWS, type TestPool } from '../support/pool';
import { cognitoFor, newUser, PASSWORD, rejectsWithCode, rejectsWithTypeError, uniqueName } from '../support/cognito-user';

const FLOWS = [...TEST_AUTH_FLOWS, 'ALLOW_USER_AUTH'] as ExplicitAuthFlowsType[];

async function challengeOf<T extends ChallengeError>(promise: Promise<unknown>, cls: abstract new (...a: never[]) => T): Promise<T> {
  try {
    await promise;
  } catch (e) {
    assert.ok(e instanceof cls, `expected ${cls.name}, got ${(e as ChallengeError).code}: ${(e as Error).message}`);
    return e;
  }
  throw new assert.AssertionError({ message: 'expected a challenge, but the call succeeded' });
}

describe('Cognito: USER_AUTH (choice-based sign-in)', function () {
  this.timeout(20_000);
  let pool: TestPool;
  const code = (username: string, purpose = 'SIGN_IN'): string => {
    const message = pool.emulator.outbox({ username, purpose: purpose as never }).at(-1);
    assert.ok(message?.code, `no ${purpose} code for ${username}`);
    return message.code;
  };
  const contactable = { email: 'x@example.com', email_verified: 'true', phone_number: '+15550100002', phone_number_verified: 'true' };

  before(async () => {
    pool = await startTestPool({
      mfa: 'OPTIONAL', explicitAuthFlows: FLOWS, clientOptions: { PreventUserExistenceErrors: 'ENABLED' },
      poolOptions: { AutoVerifiedAttributes: ['email'], Policies: { SignInPolicy: { AllowedFirstAuthFactors: ['PASSWORD', 'EMAIL_OTP', 'SMS_OTP'] } } },
    });
    await pool.sdk.send(new SetUserPoolMfaConfigCommand({
      UserPoolId: pool.poolId, MfaConfiguration: 'OPTIONAL', EmailMfaConfiguration: { Message: 'Your code is {####}', Subject: 'Code' },
    }));
  });
  after(() => pool.stop());

  it('SELECT_CHALLENGE lists what the user can present; PASSWORD_SRP with the password signs in without sending it', async () => {
    // An SDK client that keeps every request body: the password must be in none.
    const bodies: string[] = [];
    const client = new CognitoIdentityProviderClient({
      region: pool.region, endpoint: pool.endpoint, credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1,
    });
    client.middlewareStack.add((next) => async (args) => {
      const body = (args.request as { body?: unknown }).body;
      bodies.push(body instanceof Uint8Array ? new TextDecoder().decode(body) : String(body));
      return next(args);
    }, { step: 'finalizeRequest' });
    const { cognito } = await newUser(pool, { client }, { attributes: contactable });
    const select = await challengeOf(cognito.userAuthenticate(), SelectChallengeError);
    assert.equal(select.code, 'ERR_COGNITO_SELECT_CHALLENGE');
    assert.deepEqual([...select.availableChallenges].sort(), ['EMAIL_OTP', 'PASSWORD', 'PASSWORD_SRP', 'SMS_OTP']);
    assert.deepEqual(cognito.mfaTokens?.AvailableChallenges, select.availableChallenges);
    pool.emulator.resetCalls();
    await cognito.selectChallenge('PASSWORD_SRP', { password: PASSWORD });
    assert.ok(cognito.accessToken && cognito.refreshToken);
    assert.equal(pool.emulator.calls('RespondToAuthChallenge'), 2, 'SELECT_CHALLENGE with SRP_A, then PASSWORD_VERIFIER');
    assert.equal(bodies.length, 3);
    assert.ok(bodies.every((b) => !b.includes(PASSWORD)), 'the password never reached Cognito');
  });

  it('preferred EMAIL_OTP: the e-mailed code signs in; a wrong code keeps the challenge; SMS_OTP likewise', async () => {
    const { username, cognito } = await newUser(pool, {}, { attributes: contactable });
    const email = await challengeOf(cognito.userAuthenticate({ preferredChallenge: 'EMAIL_OTP' }), EmailOtpChallengeError);
    assert.match(email.parameters.CODE_DELIVERY_DESTINATION ?? '', /\*/);
    const right = code(username);
    const wrong = String((Number(right) + 1) % 100_000_000).padStart(8, '0');
    await rejectsWithCode(cognito.respondToEmailOtpChallenge(wrong), 'ERR_COGNITO_CODE_MISMATCH');
    await cognito.respondToEmailOtpChallenge(right);
    assert.ok(cognito.idToken);

    const texted = cognitoFor(pool, { username });
    await challengeOf(texted.userAuthenticate({ preferredChallenge: 'SMS_OTP' }), SmsOtpChallengeError);
    const sms = pool.emulator.outbox({ username, purpose: 'SIGN_IN', channel: 'SMS' }).at(-1)!;
    // A new instance answers with the saved challenge, as a web app's next request would.
    const later = cognitoFor(pool, { username });
    await later.respondToSmsOtpChallenge(sms.code!, JSON.parse(JSON.stringify(texted.mfaTokens)));
    assert.ok(later.accessToken);
  });

  it('SELECT_CHALLENGE → EMAIL_OTP: the code is sent then; PASSWORD preferred with the password: tokens at once', async () => {
    const { username, cognito } = await newUser(pool, {}, { attributes: contactable });
    await challengeOf(cognito.userAuthenticate(), SelectChallengeError);
    await challengeOf(cognito.selectChallenge('EMAIL_OTP'), EmailOtpChallengeError);
    await cognito.respondToEmailOtpChallenge(code(username));
    assert.ok(cognito.accessToken);
    const direct = cognitoFor(pool, { username });
    await direct.userAuthenticate({ preferredChallenge: 'PASSWORD', password: PASSWORD });
    assert.ok(direct.accessToken);
    const srp = cognitoFor(pool, { username });
    await srp.userAuthenticate({ preferredChallenge: 'PASSWORD_SRP', password: PASSWORD });
    assert.ok(srp.accessToken);
  });

  it('e-mail MFA after a password factor: EMAIL_OTP answered with the MFA code', async () => {
    const { username, cognito } = await newUser(pool, {}, { attributes: contactable });
    await pool.sdk.send(new AdminSetUserMFAPreferenceCommand({
      UserPoolId: pool.poolId, Username: username, EmailMfaSettings: { Enabled: true, PreferredMfa: true },
    }));
    await challengeOf(cognito.userAuthenticate({ preferredChallenge: 'PASSWORD_SRP', password: PASSWORD }), EmailOtpChallengeError);
    await cognito.respondToEmailOtpChallenge(code(username, 'MFA'));
    assert.ok(cognito.accessToken);
  });

  it('a passwordless sign-up: register without a password, confirm, sign in with the ConfirmSignUp session', async () => {
    const username = uniqueName('nopw');
    const cognito = cognitoFor(pool, { username });
    await cognito.register(undefined, { email: `${username}@example.com` });
    const session = await cognito.confirmSignUp(code(username, 'SIGN_UP'));
    assert.ok(session, 'ConfirmSignUp gave a session');
    await cognito.userAuthenticate({ session });
    assert.ok(cognito.accessToken);
    // The session signs in once.
    const again = cognitoFor(pool, { username });
    await assert.rejects(again.userAuthenticate({ session }), (e: ChallengeError) => e.code !== undefined);
    const select = await challengeOf(cognitoFor(pool, { username }).userAuthenticate(), SelectChallengeError);
    assert.deepEqual(select.availableChallenges, ['EMAIL_OTP'], 'no password to offer');
  });

  it('an unknown user is answered as a real one, and never gets in; a wrong password is the bad-credentials error', async () => {
    const nobody = cognitoFor(pool, { username: uniqueName('nobody') });
    await challengeOf(nobody.userAuthenticate(), SelectChallengeError);
    await challengeOf(nobody.selectChallenge('EMAIL_OTP'), EmailOtpChallengeError);
    await rejectsWithCode(nobody.respondToEmailOtpChallenge('12345678'), 'ERR_COGNITO_CODE_MISMATCH');
    const { cognito } = await newUser(pool, {}, { attributes: contactable });
    await rejectsWithCode(cognito.userAuthenticate({ preferredChallenge: 'PASSWORD_SRP', password: 'Wr0ng-password!' }), 'ERR_COGNITO_BAD_CREDENTIALS');
    await rejectsWithCode(cognito.userAuthenticate({ preferredChallenge: 'PASSWORD', password: 'Wr0ng-password!' }), 'ERR_COGNITO_BAD_CREDENTIALS');
  });

  it('caller mistakes are TypeErrors before any call', async () => {
    const { cognito } = await newUser(pool, {}, { attributes: contactable });
    const calls = pool.emulator.calls();
    await rejectsWithTypeError(cognito.userAuthenticate({ preferredChallenge: 'TOTP' as never }), /"preferredChallenge"/);
    await rejectsWithTypeError(cognito.userAuthenticate({ password: PASSWORD }), /"password" goes with/);
    await rejectsWithTypeError(cognito.userAuthenticate({ preferredChallenge: 'PASSWORD', password: '' }), /"password"/);
    await rejectsWithTypeError(cognito.selectChallenge('EMAIL_OTP'), /no challenge is pending/);
    await rejectsWithTypeError(cognito.respondToEmailOtpChallenge('12345678'), /no challenge is pending/);
    assert.equal(pool.emulator.calls(), calls);
    await challengeOf(cognito.userAuthenticate(), SelectChallengeError);
    await rejectsWithTypeError(cognito.selectChallenge('EMAIL_OTP', { password: PASSWORD }), /"password" goes with/);
    await rejectsWithTypeError(cognito.respondToWebAuthnChallenge({ id: 'x' }), /WEB_AUTHN challenge/);
    await rejectsWithCode(cognito.selectChallenge('PASSWORD_SRP', { password: 'Wr0ng-password!' }), 'ERR_COGNITO_BAD_CREDENTIALS');
  });
});

describe('Cognito: USER_AUTH on a client without ALLOW_USER_AUTH', function () {
  it('is the app\'s misconfiguration (ERR_COGNITO_SERVICE, InvalidParameterException), not a crash', async () => {
    const pool = await startTestPool();
    try {
      const { cognito } = await newUser(pool);
      const err = await rejectsWithCode(cognito.userAuthenticate(), 'ERR_COGNITO_SERVICE');
      assert.equal(err.awsErrorName, 'InvalidParameterException');
    } finally {
      await pool.stop();
    }
  });
});
