// AWS's own browser client, Amplify JS v6, signing in with USER_AUTH (choice-based sign-in) against the
// emulator, in Node: `userPoolEndpoint` points it at loopback, an in-memory key-value storage stands in
// for localStorage (Node 20's fetch and crypto are all else it needs; no browser globals). EMAIL_OTP as the
// preferred challenge, SELECT_CHALLENGE then PASSWORD / PASSWORD_SRP / EMAIL_OTP, one-step PASSWORD and
// PASSWORD_SRP, passwordless sign-up with autoSignIn, and a wrong code refused.
import assert from 'node:assert/strict';
import type { ExplicitAuthFlowsType } from '@aws-sdk/client-cognito-identity-provider';
import { Amplify } from 'aws-amplify';
import { autoSignIn, confirmSignIn, confirmSignUp, fetchAuthSession, signIn, signOut, signUp } from 'aws-amplify/auth';
import { cognitoUserPoolsTokenProvider } from 'aws-amplify/auth/cognito';
import { ConsoleLogger } from 'aws-amplify/utils';
import { startTestPool, TEST_AUTH_FLOWS, type TestPool } from '../support/pool';

const PASSWORD = 'Corr3ct-horse!';
const FLOWS = [...TEST_AUTH_FLOWS, 'ALLOW_USER_AUTH'] as ExplicitAuthFlowsType[];

/** What Amplify keeps in localStorage in a browser, in a Map. */
class MemoryStorage {
  readonly items = new Map<string, string>();
  setItem(key: string, value: string): Promise<void> {
    this.items.set(key, value);
    return Promise.resolve();
  }
  getItem(key: string): Promise<string | null> {
    return Promise.resolve(this.items.get(key) ?? null);
  }
  removeItem(key: string): Promise<void> {
    this.items.delete(key);
    return Promise.resolve();
  }
  clear(): Promise<void> {
    this.items.clear();
    return Promise.resolve();
  }
}

describe('emulator: USER_AUTH through Amplify JS v6', function () {
  this.timeout(10_000);
  let pool: TestPool;
  const storage = new MemoryStorage();

  const lastCode = (username: string): string => {
    const message = pool.emulator.outbox({ username, purpose: 'SIGN_IN' }).at(-1);
    assert.ok(message?.code, `no sign-in code for ${username}`);
    return message.code;
  };
  /** InitiateAuth and RespondToAuthChallenge calls the emulator has answered since `start` was taken. */
  const callsSince = (start: readonly [number, number]): [number, number] =>
    [pool.emulator.calls('InitiateAuth') - start[0], pool.emulator.calls('RespondToAuthChallenge') - start[1]];
  const now = (): [number, number] => callsSince([0, 0]);
  const signedInAs = async (username: string): Promise<void> => {
    const { tokens } = await fetchAuthSession();
    assert.ok(tokens?.accessToken && tokens.idToken, 'no tokens in the Amplify session');
    assert.equal(tokens.idToken.payload['cognito:username'], username);
    assert.equal(tokens.accessToken.payload.username, username);
    assert.equal(tokens.accessToken.payload.client_id, pool.clientId);
  };

  before(async () => {
    // Amplify warns, rightly, that the user pool endpoint is not AWS's.
    ConsoleLogger.LOG_LEVEL = 'ERROR';
    pool = await startTestPool({
      explicitAuthFlows: FLOWS,
      poolOptions: { AutoVerifiedAttributes: ['email'], Policies: { SignInPolicy: { AllowedFirstAuthFactors: ['PASSWORD', 'EMAIL_OTP'] } } },
    });
    await pool.createUser('ann', PASSWORD, { attributes: { email: 'ann@example.com', email_verified: 'true' } });
    Amplify.configure({
      Auth: { Cognito: { userPoolId: pool.poolId, userPoolClientId: pool.clientId, userPoolEndpoint: pool.endpoint } },
    });
    cognitoUserPoolsTokenProvider.setKeyValueStorage(storage);
  });
  afterEach(async () => {
    await signOut();
    assert.equal(storage.items.size, 0, 'signOut left tokens behind');
  });
  after(() => pool.stop());

  it('preferredChallenge EMAIL_OTP: CONFIRM_SIGN_IN_WITH_EMAIL_CODE, the outbox code signs in', async () => {
    const before = pool.emulator.outbox({ username: 'ann', purpose: 'SIGN_IN' }).length;
    const start = now();
    const first = await signIn({ username: 'ann', options: { authFlowType: 'USER_AUTH', preferredChallenge: 'EMAIL_OTP' } });
    assert.equal(first.isSignedIn, false);
    assert.equal(first.nextStep.signInStep, 'CONFIRM_SIGN_IN_WITH_EMAIL_CODE');
    assert.equal(pool.emulator.outbox({ username: 'ann', purpose: 'SIGN_IN' }).length, before + 1);
    if (first.nextStep.signInStep === 'CONFIRM_SIGN_IN_WITH_EMAIL_CODE') {
      assert.equal(first.nextStep.codeDeliveryDetails?.deliveryMedium, 'EMAIL');
      assert.equal(first.nextStep.codeDeliveryDetails?.destination, 'a***@e***');
    }
    const done = await confirmSignIn({ challengeResponse: lastCode('ann') });
    assert.deepEqual(done, { isSignedIn: true, nextStep: { signInStep: 'DONE' } });
    assert.deepEqual(callsSince(start), [1, 1]);
    await signedInAs('ann');
  });

  for (const choice of ['PASSWORD', 'PASSWORD_SRP'] as const) {
    it(`no preferredChallenge: CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION, then ${choice} and the password`, async () => {
      const start = now();
      const first = await signIn({ username: 'ann', options: { authFlowType: 'USER_AUTH' } });
      assert.equal(first.isSignedIn, false);
      assert.equal(first.nextStep.signInStep, 'CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION');
      if (first.nextStep.signInStep === 'CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION') {
        assert.deepEqual(first.nextStep.availableChallenges, ['PASSWORD', 'PASSWORD_SRP', 'EMAIL_OTP']);
      }
      const asked = await confirmSignIn({ challengeResponse: choice });
      assert.equal(asked.nextStep.signInStep, 'CONFIRM_SIGN_IN_WITH_PASSWORD');
      const done = await confirmSignIn({ challengeResponse: PASSWORD });
      assert.deepEqual(done, { isSignedIn: true, nextStep: { signInStep: 'DONE' } });
      // SELECT_CHALLENGE answered with the password, or with SRP_A and then PASSWORD_VERIFIER.
      assert.deepEqual(callsSince(start), [1, choice === 'PASSWORD' ? 1 : 2]);
      await signedInAs('ann');
    });
  }

  it('no preferredChallenge, then EMAIL_OTP chosen: the code goes out and signs in', async () => {
    const first = await signIn({ username: 'ann', options: { authFlowType: 'USER_AUTH' } });
    assert.equal(first.nextStep.signInStep, 'CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION');
    const asked = await confirmSignIn({ challengeResponse: 'EMAIL_OTP' });
    assert.equal(asked.nextStep.signInStep, 'CONFIRM_SIGN_IN_WITH_EMAIL_CODE');
    const done = await confirmSignIn({ challengeResponse: lastCode('ann') });
    assert.equal(done.isSignedIn, true);
    await signedInAs('ann');
  });

  for (const preferred of ['PASSWORD', 'PASSWORD_SRP'] as const) {
    it(`preferredChallenge ${preferred} with the password: signed in at once`, async () => {
      const start = now();
      const done = await signIn({ username: 'ann', password: PASSWORD, options: { authFlowType: 'USER_AUTH', preferredChallenge: preferred } });
      assert.deepEqual(done, { isSignedIn: true, nextStep: { signInStep: 'DONE' } });
      // PREFERRED_CHALLENGE PASSWORD carries the password; PASSWORD_SRP sends SRP_A, then PASSWORD_VERIFIER.
      assert.deepEqual(callsSince(start), [1, preferred === 'PASSWORD' ? 0 : 1]);
      await signedInAs('ann');
    });
  }

  it('passwordless sign-up, confirmSignUp, then autoSignIn: USER_AUTH with the sign-up session, no second code', async () => {
    const up = await signUp({
      username: 'cy', options: { userAttributes: { email: 'cy@example.com' }, autoSignIn: { authFlowType: 'USER_AUTH' } },
    });
    assert.equal(up.isSignUpComplete, false);
    assert.equal(up.nextStep.signUpStep, 'CONFIRM_SIGN_UP');
    const [message] = pool.emulator.outbox({ username: 'cy', purpose: 'SIGN_UP' });
    assert.ok(message?.code);
    const confirmed = await confirmSignUp({ username: 'cy', confirmationCode: message.code });
    assert.deepEqual(confirmed, { isSignUpComplete: true, nextStep: { signUpStep: 'COMPLETE_AUTO_SIGN_IN' } });
    const done = await autoSignIn();
    assert.deepEqual(done, { isSignedIn: true, nextStep: { signInStep: 'DONE' } });
    assert.equal(pool.emulator.outbox({ username: 'cy', purpose: 'SIGN_IN' }).length, 0);
    await signedInAs('cy');
  });

  it('a wrong e-mail code: CodeMismatchException, and the right one still signs in', async () => {
    await signIn({ username: 'ann', options: { authFlowType: 'USER_AUTH', preferredChallenge: 'EMAIL_OTP' } });
    const code = lastCode('ann');
    const wrong = code === '00000000' ? '11111111' : '00000000';
    await assert.rejects(confirmSignIn({ challengeResponse: wrong }), (error: Error) => {
      assert.equal(error.name, 'CodeMismatchException');
      return true;
    });
    const { tokens } = await fetchAuthSession();
    assert.equal(tokens, undefined);
    const done = await confirmSignIn({ challengeResponse: code });
    assert.equal(done.isSignedIn, true);
    await signedInAs('ann');
  });
});
