/**
 * lib/sign-in-engine: each step returns where the sign-in stands (signed in, a challenge, failed)
 * instead of throwing, holds no state (a challenge restored from JSON in another context answers the
 * same), and every challenge the engine answers is one handler.
 */
import assert from 'node:assert/strict';
import { AdminSetUserMFAPreferenceCommand, AssociateSoftwareTokenCommand, VerifySoftwareTokenCommand } from '@aws-sdk/client-cognito-identity-provider';
import type { MfaTokens } from '../../lib/challenge';
import { resolveConfig } from '../../lib/config';
import { ServiceClient } from '../../lib/service-client';
import {
  answerChallenge, associateForSetup, CHALLENGE_HANDLERS, startAdmin, startSrp, startUserAuth, verifyPair, type EngineContext,
  type StepResult,
} from '../../lib/sign-in-engine';
import { TokenVerifier } from '../../lib/token-verifier';
import { generateTotp } from '../../lib/totp';
import { nextTotpStep, PASSWORD, totpNow, uniqueName } from '../support/cognito-user';
import { startTestPool, type TestPool } from '../support/pool';

function contextFor(pool: TestPool): EngineContext {
  const config = resolveConfig({
    userPoolId: pool.poolId, clientId: pool.clientId, region: pool.region, endpoint: pool.endpoint,
    clock: () => pool.emulator.clock.now(), client: pool.sdk,
  }, {});
  return { config, service: new ServiceClient(config, 1), verifier: new TokenVerifier(config) };
}

function expectKind<K extends StepResult['kind']>(step: StepResult, kind: K): Extract<StepResult, { kind: K }> {
  assert.equal(step.kind, kind, step.kind === 'failed' ? `failed with ${step.error.code}` : `got ${step.kind}`);
  return step as Extract<StepResult, { kind: K }>;
}

/** Through JSON and back, as a session store would keep it. */
const stored = (challenge: MfaTokens): MfaTokens => JSON.parse(JSON.stringify(challenge)) as MfaTokens;

describe('lib/sign-in-engine', () => {
  let pool: TestPool;

  before(async () => {
    pool = await startTestPool({ mfa: 'OPTIONAL' });
  });
  after(async () => {
    await pool.stop();
  });

  it('a right password returns the verified tokens; a wrong one and an unknown user return the same failure', async () => {
    const username = uniqueName();
    await pool.createUser(username, PASSWORD);
    const ctx = contextFor(pool);
    const ok = expectKind(await startSrp(ctx, username, PASSWORD), 'signedIn');
    assert.equal(ok.tokens.idClaims['cognito:username'], username);
    assert.equal(ok.tokens.expiresAt, ok.tokens.accessClaims.exp * 1000);
    assert.equal(typeof ok.tokens.refreshToken, 'string');
    const wrong = expectKind(await startSrp(ctx, username, 'Wr0ng-password!'), 'failed');
    const unknown = expectKind(await startSrp(ctx, uniqueName('nobody'), PASSWORD), 'failed');
    assert.equal(wrong.error.code, 'ERR_COGNITO_BAD_CREDENTIALS');
    assert.equal(unknown.error.code, wrong.error.code);
    assert.equal(unknown.error.message, wrong.error.message);
    const admin = expectKind(await startAdmin(ctx, username, PASSWORD), 'signedIn');
    assert.equal(admin.tokens.accessClaims.username, username);
  });

  it('a challenge is a result with plain-JSON tokens; another context answers it after a wrong code', async () => {
    const username = uniqueName();
    await pool.createUser(username, PASSWORD);
    const ctx = contextFor(pool);
    const first = expectKind(await startSrp(ctx, username, PASSWORD), 'signedIn');
    // Enrol TOTP through the SDK directly, then sign in again: SOFTWARE_TOKEN_MFA.
    const assoc = await pool.sdk.send(new AssociateSoftwareTokenCommand({ AccessToken: first.tokens.accessToken }));
    await pool.sdk.send(
      new VerifySoftwareTokenCommand({ AccessToken: first.tokens.accessToken, UserCode: totpNow(pool, assoc.SecretCode!) }),
    );
    await pool.sdk.send(new AdminSetUserMFAPreferenceCommand({
      UserPoolId: pool.poolId, Username: username, SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true },
    }));
    nextTotpStep(pool);

    const step = expectKind(await startSrp(ctx, username, PASSWORD), 'challenge');
    assert.equal(step.error.code, 'ERR_COGNITO_MFA_SOFTWARE_TOKEN');
    assert.equal(step.challenge.ChallengeName, 'SOFTWARE_TOKEN_MFA');
    assert.equal(step.challenge.AuthFlow, 'USER_SRP_AUTH');
    assert.equal(step.challenge.Username, username);
    const saved = stored(step.challenge);

    const elsewhere = contextFor(pool);
    const wrong = expectKind(await answerChallenge(elsewhere, saved, { challenge: 'SOFTWARE_TOKEN_MFA', code: '000000' }), 'failed');
    assert.equal(wrong.error.code, 'ERR_COGNITO_CODE_MISMATCH');
    const malformed = expectKind(await answerChallenge(elsewhere, saved, { challenge: 'SOFTWARE_TOKEN_MFA', code: '12ab' }), 'failed');
    assert.equal(malformed.error.code, 'ERR_COGNITO_CODE_MISMATCH');
    const done = expectKind(await answerChallenge(elsewhere, saved, {
      challenge: 'SOFTWARE_TOKEN_MFA', code: generateTotp(assoc.SecretCode!, pool.emulator.clock.now()),
    }), 'signedIn');
    assert.equal(done.tokens.idClaims['cognito:username'], username);
  });

  it('MFA_SETUP: associateForSetup replaces the Session; the answer verifies the code first', async () => {
    const strict = await startTestPool({ mfa: 'ON' });
    try {
      const username = uniqueName();
      await strict.createUser(username, PASSWORD);
      const ctx = contextFor(strict);
      const step = expectKind(await startSrp(ctx, username, PASSWORD), 'challenge');
      assert.equal(step.challenge.ChallengeName, 'MFA_SETUP');
      const { secretCode, challenge } = await associateForSetup(ctx, stored(step.challenge));
      assert.notEqual(challenge.Session, step.challenge.Session);
      const wrong = expectKind(await answerChallenge(ctx, challenge, { challenge: 'MFA_SETUP', code: '000000' }), 'failed');
      assert.equal(wrong.error.code, 'ERR_COGNITO_CODE_MISMATCH');
      const done = expectKind(await answerChallenge(ctx, challenge, {
        challenge: 'MFA_SETUP', code: generateTotp(secretCode, strict.emulator.clock.now()), friendlyDeviceName: 'phone',
      }), 'signedIn');
      assert.equal(done.tokens.accessClaims.username, username);
    } finally {
      await strict.stop();
    }
  });

  it('NEW_PASSWORD_REQUIRED after an admin sign-in is answered through the admin API', async () => {
    const username = uniqueName();
    await pool.createUser(username, PASSWORD, { temporary: true });
    const ctx = contextFor(pool);
    const step = expectKind(await startAdmin(ctx, username, PASSWORD), 'challenge');
    assert.equal(step.challenge.AuthFlow, 'ADMIN_USER_PASSWORD_AUTH');
    const bad = expectKind(await answerChallenge(ctx, step.challenge, { challenge: 'NEW_PASSWORD_REQUIRED', newPassword: 'short' }), 'failed');
    assert.equal(bad.error.code, 'ERR_COGNITO_INVALID_PASSWORD');
    expectKind(await answerChallenge(ctx, step.challenge, { challenge: 'NEW_PASSWORD_REQUIRED', newPassword: 'N3w-passw0rd!long' }), 'signedIn');
    expectKind(await startSrp(ctx, username, 'N3w-passw0rd!long'), 'signedIn');
  });

  it("a caller's mistake is a TypeError, never a result", async () => {
    const ctx = contextFor(pool);
    const pending: MfaTokens = { ChallengeName: 'SMS_MFA', Session: 'S', ChallengeParameters: {}, Username: 'u' };
    await assert.rejects(answerChallenge(ctx, pending, { challenge: 'SOFTWARE_TOKEN_MFA', code: '123456' }), TypeError);
    await assert.rejects(answerChallenge(ctx, { ...pending, Session: '' }, { challenge: 'SMS_MFA', code: '123456' }), TypeError);
    await assert.rejects(answerChallenge(ctx, pending, { challenge: 'NOPE' } as never), /"challenge" must be one of/);
    await assert.rejects(answerChallenge(ctx, pending, { challenge: 'SMS_MFA', code: 123456 } as never), /"code" must be a string/);
    const np: MfaTokens = { ...pending, ChallengeName: 'NEW_PASSWORD_REQUIRED' };
    await assert.rejects(answerChallenge(ctx, np, { challenge: 'NEW_PASSWORD_REQUIRED', newPassword: '' }), /"newPassword"/);
    await assert.rejects(answerChallenge(ctx, np, { challenge: 'NEW_PASSWORD_REQUIRED', newPassword: 'x', attributes: { a: 1 } as never }),
      /"attributes"/);
    const sel: MfaTokens = { ...pending, ChallengeName: 'SELECT_MFA_TYPE' };
    await assert.rejects(answerChallenge(ctx, sel, { challenge: 'SELECT_MFA_TYPE', mfaType: 'EMAIL_MFA' as never }), /"mfaType"/);
    const choose: MfaTokens = { ...pending, ChallengeName: 'SELECT_CHALLENGE' };
    await assert.rejects(answerChallenge(ctx, choose, { challenge: 'SELECT_CHALLENGE', choice: 'TOTP' as never }), /"choice"/);
    await assert.rejects(answerChallenge(ctx, choose, { challenge: 'SELECT_CHALLENGE', choice: 'EMAIL_OTP', password: 'x' }), /"password" goes with/);
    await assert.rejects(answerChallenge(ctx, choose, { challenge: 'SELECT_CHALLENGE', choice: 'PASSWORD', credential: '{}' }),
      /"credential" goes with/);
    const web: MfaTokens = { ...pending, ChallengeName: 'WEB_AUTHN' };
    const huge = JSON.stringify({ id: 'a', type: 'public-key', response: {}, pad: 'x'.repeat(20_000) });
    for (const credential of [42, '{', '[]', '{"id":"a","type":"public-key"}', huge]) {
      await assert.rejects(answerChallenge(ctx, web, { challenge: 'WEB_AUTHN', credential: credential as never }), /"credential"/);
    }
    await assert.rejects(answerChallenge(ctx, { ...pending, ChallengeName: 'PASSWORD' }, { challenge: 'PASSWORD', password: '' }), /"password"/);
    await assert.rejects(startUserAuth(ctx, 'u', { password: 'x' }), /"password" goes with/);
    await assert.rejects(startUserAuth(ctx, 'u', { preferred: 'TOTP' as never }), /"preferredChallenge"/);
    await assert.rejects(answerChallenge(ctx, { ...pending, AvailableChallenges: 'PASSWORD' as never }, { challenge: 'SMS_MFA', code: '123456' }),
      /AvailableChallenges/);
    await assert.rejects(associateForSetup(ctx, pending), TypeError);
  });

  it('one handler per challenge answered, each building its own responses', () => {
    assert.deepEqual(Object.keys(CHALLENGE_HANDLERS).sort(), [
      'CUSTOM_CHALLENGE', 'EMAIL_OTP', 'MFA_SETUP', 'NEW_PASSWORD_REQUIRED', 'PASSWORD', 'PASSWORD_SRP', 'SELECT_CHALLENGE',
      'SELECT_MFA_TYPE', 'SMS_MFA', 'SMS_OTP', 'SOFTWARE_TOKEN_MFA', 'WEB_AUTHN',
    ]);
    assert.deepEqual(CHALLENGE_HANDLERS.EMAIL_OTP.responses({ challenge: 'EMAIL_OTP', code: '12345678' }), { EMAIL_OTP_CODE: '12345678' });
    assert.deepEqual(CHALLENGE_HANDLERS.SMS_OTP.responses({ challenge: 'SMS_OTP', code: '12345678' }), { SMS_OTP_CODE: '12345678' });
    assert.equal(CHALLENGE_HANDLERS.EMAIL_OTP.check({ challenge: 'EMAIL_OTP', code: ' 1234-5678 ' }).code, '12345678');
    assert.throws(() => CHALLENGE_HANDLERS.SMS_OTP.check({ challenge: 'SMS_OTP', code: '12345' }), (e: Error & { code?: string }) =>
      e.code === 'ERR_COGNITO_CODE_MISMATCH');
    assert.deepEqual(CHALLENGE_HANDLERS.SELECT_CHALLENGE.responses({ challenge: 'SELECT_CHALLENGE', choice: 'PASSWORD', password: 'p' }),
      { ANSWER: 'PASSWORD', PASSWORD: 'p' });
    assert.deepEqual(CHALLENGE_HANDLERS.SELECT_CHALLENGE.responses({ challenge: 'SELECT_CHALLENGE', choice: 'PASSWORD_SRP', password: 'p' }),
      { ANSWER: 'PASSWORD_SRP' }, 'the password itself is never sent for PASSWORD_SRP');
    assert.equal(CHALLENGE_HANDLERS.SELECT_CHALLENGE.srpPassword?.({ challenge: 'SELECT_CHALLENGE', choice: 'PASSWORD_SRP', password: 'p' }), 'p');
    const credential = { id: 'abc', rawId: 'abc', type: 'public-key', response: { clientDataJSON: 'x' } };
    assert.deepEqual(CHALLENGE_HANDLERS.WEB_AUTHN.responses({ challenge: 'WEB_AUTHN', credential }), { CREDENTIAL: JSON.stringify(credential) });
    assert.deepEqual(CHALLENGE_HANDLERS.CUSTOM_CHALLENGE.responses({ challenge: 'CUSTOM_CHALLENGE', answer: 'blue' }), { ANSWER: 'blue' });
    assert.throws(() => CHALLENGE_HANDLERS.CUSTOM_CHALLENGE.check({ challenge: 'CUSTOM_CHALLENGE', answer: '' }), TypeError);
    assert.deepEqual(CHALLENGE_HANDLERS.SMS_MFA.responses({ challenge: 'SMS_MFA', code: '123456' }), { SMS_MFA_CODE: '123456' });
    assert.deepEqual(CHALLENGE_HANDLERS.SOFTWARE_TOKEN_MFA.responses({ challenge: 'SOFTWARE_TOKEN_MFA', code: '123456' }),
      { SOFTWARE_TOKEN_MFA_CODE: '123456' });
    assert.deepEqual(CHALLENGE_HANDLERS.NEW_PASSWORD_REQUIRED.responses({
      challenge: 'NEW_PASSWORD_REQUIRED', newPassword: 'p', attributes: { name: 'Ann' },
    }), { NEW_PASSWORD: 'p', 'userAttributes.name': 'Ann' });
    assert.deepEqual(CHALLENGE_HANDLERS.SELECT_MFA_TYPE.responses({ challenge: 'SELECT_MFA_TYPE', mfaType: 'SMS_MFA' }), { ANSWER: 'SMS_MFA' });
    assert.equal(CHALLENGE_HANDLERS.SMS_MFA.check({ challenge: 'SMS_MFA', code: ' 123456 ' }).code, '123456');
  });

  it('verifyPair refuses an ID and an access token of two users', async () => {
    const a = uniqueName();
    const b = uniqueName();
    await pool.createUser(a, PASSWORD);
    await pool.createUser(b, PASSWORD);
    const ctx = contextFor(pool);
    const ta = expectKind(await startSrp(ctx, a, PASSWORD), 'signedIn').tokens;
    const tb = expectKind(await startSrp(ctx, b, PASSWORD), 'signedIn').tokens;
    const one = await verifyPair(ctx.verifier, undefined, ta.accessToken);
    assert.equal(one.idClaims, undefined);
    assert.equal(one.accessClaims?.username, a);
    // The ID token's at_hash is checked against the access token given: another user's fails first.
    await assert.rejects(verifyPair(ctx.verifier, ta.idToken, tb.accessToken), (e: Error & { code?: string }) =>
      e.code === 'ERR_COGNITO_TOKEN_AT_HASH' || e.code === 'ERR_COGNITO_TOKEN_CLAIM');
  });
});
