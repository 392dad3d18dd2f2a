/**
 * The `Cognito` class, CUSTOM_AUTH: `customAuthenticate()` (the username alone, or SRP first with
 * `password`), each CUSTOM_CHALLENGE as a `CustomChallengeError`, `respondToCustomChallenge()` on
 * the same instance or a new one from the saved `mfaTokens`, and each way the sign-in is refused.
 */
import assert from 'node:assert/strict';
import type { Cognito } from '../../lib/cognito';
import { CustomChallengeError, type ChallengeError } from '../../lib/errors';
import { CUSTOM_FLOWS, QUESTION, QUESTION_ANSWER } from '../support/custom-auth-triggers';
import { startTestPool, type TestPool } from '../support/pool';
import { cognitoFor, newUser, PASSWORD, rejectsWithCode, rejectsWithTypeError } from '../support/cognito-user';

async function customChallengeOf(promise: Promise<unknown>): Promise<CustomChallengeError> {
  try {
    await promise;
  } catch (e) {
    assert.ok(e instanceof CustomChallengeError, `expected a CustomChallengeError, got ${(e as ChallengeError).code}`);
    return e;
  }
  throw new assert.AssertionError({ message: 'expected a challenge, but the call succeeded' });
}

describe('Cognito: CUSTOM_AUTH', function () {
  this.timeout(20_000);
  let pool: TestPool;
  let secretPool: TestPool;

  before(async () => {
    [pool, secretPool] = await Promise.all([
      startTestPool({ clientOptions: { ExplicitAuthFlows: CUSTOM_FLOWS, PreventUserExistenceErrors: 'ENABLED' }, emulatorOptions: { triggers: QUESTION } }),
      startTestPool({ generateSecret: true, clientOptions: { ExplicitAuthFlows: CUSTOM_FLOWS }, emulatorOptions: { triggers: QUESTION } }),
    ]);
  });
  after(() => Promise.all([pool.stop(), secretPool.stop()]));

  it('passwordless: the question as a CustomChallengeError, a wrong answer asks again, the right one signs in', async () => {
    const { cognito } = await newUser(pool);
    const first = await customChallengeOf(cognito.customAuthenticate());
    assert.equal(first.code, 'ERR_COGNITO_CUSTOM_CHALLENGE');
    assert.equal(first.status, 401);
    assert.deepEqual(first.publicParameters, { question: 'Favourite colour?' });
    assert.equal(first.getTokens().AuthFlow, 'CUSTOM_AUTH');
    assert.equal(cognito.mfaTokens?.ChallengeName, 'CUSTOM_CHALLENGE');
    assert.ok(!first.message.includes(first.session ?? '\u0000'));
    const second = await customChallengeOf(cognito.respondToCustomChallenge('red'));
    assert.notEqual(second.session, first.session);
    await cognito.respondToCustomChallenge(QUESTION_ANSWER);
    assert.ok(cognito.accessToken && cognito.idToken && cognito.refreshToken);
    assert.equal(cognito.mfaTokens, undefined);
    assert.equal(cognito.idClaims?.['cognito:username'], cognito.username);
  });

  it('SRP first with `password`: the history is SRP_A, PASSWORD_VERIFIER, then the question', async () => {
    const { cognito } = await newUser(pool);
    await customChallengeOf(cognito.customAuthenticate({ password: PASSWORD }));
    const rounds = (pool.emulator.triggerInvocations('DefineAuthChallenge').at(-1)!.event.request as { session: Array<{ challengeName: string }> })
      .session.map((r) => r.challengeName);
    assert.deepEqual(rounds, ['SRP_A', 'PASSWORD_VERIFIER']);
    await cognito.respondToCustomChallenge(QUESTION_ANSWER);
    assert.ok(cognito.accessToken);
  });

  it('a wrong password, three wrong answers, an unknown user: the same ERR_COGNITO_BAD_CREDENTIALS', async () => {
    const { username, cognito } = await newUser(pool);
    await rejectsWithCode(cognito.customAuthenticate({ password: 'Wr0ng-password!' }), 'ERR_COGNITO_BAD_CREDENTIALS');
    await customChallengeOf(cognito.customAuthenticate());
    await customChallengeOf(cognito.respondToCustomChallenge('red'));
    await customChallengeOf(cognito.respondToCustomChallenge('green'));
    await rejectsWithCode(cognito.respondToCustomChallenge('pink'), 'ERR_COGNITO_BAD_CREDENTIALS');
    assert.equal(cognito.accessToken, undefined);
    // PreventUserExistenceErrors: an unknown user is asked too, and can never get in.
    const nobody = cognitoFor(pool, { username: `${username}-nobody` });
    await customChallengeOf(nobody.customAuthenticate());
    await customChallengeOf(nobody.respondToCustomChallenge(QUESTION_ANSWER));
  });

  it('answered from another instance with the saved mfaTokens, with ClientMetadata for the triggers', async () => {
    const { username, cognito } = await newUser(pool);
    const saved = (await customChallengeOf(cognito.customAuthenticate({ clientMetadata: { source: 'web' } }))).getTokens();
    assert.deepEqual((pool.emulator.triggerInvocations('CreateAuthChallenge').at(-1)!.event.request as { clientMetadata?: unknown }).clientMetadata,
      { source: 'web' });
    const later: Cognito = cognitoFor(pool, { username });
    await later.respondToCustomChallenge(QUESTION_ANSWER, JSON.parse(JSON.stringify(saved)) as typeof saved, { clientMetadata: { step: 'answer' } });
    assert.ok(later.accessToken);
    const verify = pool.emulator.triggerInvocations('VerifyAuthChallengeResponse').at(-1)!;
    assert.deepEqual((verify.event.request as { clientMetadata?: unknown }).clientMetadata, { step: 'answer' });
  });

  it('a client with a secret: SECRET_HASH from the internal username in every step', async () => {
    const { cognito } = await newUser(secretPool, { clientSecret: secretPool.clientSecret });
    await customChallengeOf(cognito.customAuthenticate({ password: PASSWORD }));
    await cognito.respondToCustomChallenge(QUESTION_ANSWER);
    assert.ok(cognito.accessToken);
  });

  it('caller mistakes are TypeErrors, Cognito is not called: no challenge, bad answers, bad options', async () => {
    const { cognito } = await newUser(pool);
    await rejectsWithTypeError(cognito.respondToCustomChallenge('blue'), /no challenge is pending/);
    await customChallengeOf(cognito.customAuthenticate());
    const calls = pool.emulator.calls();
    await rejectsWithTypeError(cognito.respondToCustomChallenge(''), /"answer" must be a non-empty string/);
    await rejectsWithTypeError(cognito.respondToCustomChallenge(42 as unknown as string), /"answer"/);
    await rejectsWithTypeError(cognito.respondToCustomChallenge('x'.repeat(2049)), /at most 2048/);
    await rejectsWithTypeError(cognito.respondToSoftwareTokenMfaChallenge('123456'), /SOFTWARE_TOKEN_MFA challenge/);
    await rejectsWithTypeError(cognito.customAuthenticate({ password: '' }), /"password"/);
    await rejectsWithTypeError(cognito.customAuthenticate({ clientMetadata: { a: 1 } as unknown as Record<string, string> }), /clientMetadata/);
    assert.equal(pool.emulator.calls(), calls);
    // The challenge is still answerable after those mistakes.
    await cognito.respondToCustomChallenge(QUESTION_ANSWER);
    assert.ok(cognito.accessToken);
  });

  it('a client without ALLOW_CUSTOM_AUTH: the app\'s misconfiguration, as for any flow the client lacks', async () => {
    const plain = await startTestPool({ emulatorOptions: { triggers: QUESTION } });
    try {
      const { cognito } = await newUser(plain);
      const err = await rejectsWithCode(cognito.customAuthenticate(), 'ERR_COGNITO_SERVICE');
      assert.equal(err.status, 502);
      assert.equal(err.awsErrorName, 'InvalidParameterException');
    } finally {
      await plain.stop();
    }
  });
});
