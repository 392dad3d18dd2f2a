// The emulator's CUSTOM_AUTH flow through the AWS SDK: DefineAuthChallenge, CreateAuthChallenge and
// VerifyAuthChallengeResponse driving the rounds, their events, and each way the flow is refused.
import assert from 'node:assert/strict';
import {
  AdminInitiateAuthCommand, CreateUserPoolClientCommand, InitiateAuthCommand, RespondToAuthChallengeCommand, type ExplicitAuthFlowsType,
} from '@aws-sdk/client-cognito-identity-provider';
import {
  AuthenticationDetails, CognitoUser, CognitoUserPool, type CognitoUserSession, type ICognitoStorage,
} from 'amazon-cognito-identity-js';
import { createSrpEphemeral, passwordVerifierResponse } from '../../lib/srp';
import { CUSTOM_FLOWS as FLOWS, QUESTION } from '../support/custom-auth-triggers';
import { startTestPool, TEST_AUTH_FLOWS, type TestPool } from '../support/pool';
import { rejects } from './helpers';

const PASSWORD = 'Corr3ct-horse!';
const WITHOUT_CUSTOM = TEST_AUTH_FLOWS as ExplicitAuthFlowsType[];

describe('emulator: CUSTOM_AUTH', function () {
  this.timeout(20_000);
  let pool: TestPool;

  before(async () => {
    pool = await startTestPool({
      clientOptions: { ExplicitAuthFlows: FLOWS, PreventUserExistenceErrors: 'ENABLED' },
      emulatorOptions: { triggers: QUESTION },
    });
    await pool.createUser('ann', PASSWORD, { attributes: { email: 'ann@example.com' } });
  });
  after(() => pool.stop());

  const start = (username = 'ann', clientId = pool.clientId) =>
    pool.sdk.send(new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'CUSTOM_AUTH', AuthParameters: { USERNAME: username } }));
  const answer = (session: string, value: string, username = 'ann', clientId = pool.clientId) =>
    pool.sdk.send(new RespondToAuthChallengeCommand({
      ClientId: clientId, ChallengeName: 'CUSTOM_CHALLENGE', Session: session, ChallengeResponses: { USERNAME: username, ANSWER: value },
    }));

  it('one round: the public parameters reach the client, the private ones do not; the right answer gets tokens', async () => {
    const first = await start();
    assert.equal(first.ChallengeName, 'CUSTOM_CHALLENGE');
    assert.deepEqual(first.ChallengeParameters, { question: 'Favourite colour?', USERNAME: 'ann' });
    assert.ok(first.Session);
    const done = await answer(first.Session, 'blue');
    assert.ok(done.AuthenticationResult?.AccessToken && done.AuthenticationResult.RefreshToken);
    const defines = pool.emulator.triggerInvocations('DefineAuthChallenge').slice(-2);
    const firstRequest = defines[0].event.request as { userAttributes: Record<string, string>; session: unknown; userNotFound: boolean };
    assert.deepEqual(Object.keys(firstRequest).sort(), ['session', 'userAttributes', 'userNotFound']);
    assert.deepEqual(firstRequest.session, []);
    assert.equal(firstRequest.userNotFound, false);
    assert.equal((defines[0].event.request as { userAttributes: Record<string, string> }).userAttributes.email, 'ann@example.com');
    assert.deepEqual((defines[1].event.request as { session: unknown }).session,
      [{ challengeName: 'CUSTOM_CHALLENGE', challengeResult: true, challengeMetadata: 'QUESTION-1' }]);
    const verify = pool.emulator.triggerInvocations('VerifyAuthChallengeResponse').at(-1)!;
    assert.equal(verify.triggerSource, 'VerifyAuthChallengeResponse_Authentication');
    assert.deepEqual((verify.event.request as { privateChallengeParameters: unknown }).privateChallengeParameters, { answer: 'blue' });
    assert.equal(verify.event.userName, 'ann');
  });

  it('a wrong answer: Define sees it and asks again with a new session; the old session is spent', async () => {
    const first = await start();
    const second = await answer(first.Session!, 'red');
    assert.equal(second.ChallengeName, 'CUSTOM_CHALLENGE');
    assert.notEqual(second.Session, first.Session);
    await rejects(answer(first.Session!, 'blue'), 'NotAuthorizedException');
    const done = await answer(second.Session!, 'blue');
    assert.ok(done.AuthenticationResult?.IdToken);
  });

  it('three wrong answers: failAuthentication is NotAuthorizedException', async () => {
    let session = (await start()).Session!;
    session = (await answer(session, 'red')).Session!;
    session = (await answer(session, 'green')).Session!;
    await rejects(answer(session, 'pink'), 'NotAuthorizedException', 'Incorrect username or password.');
  });

  it('an unknown user on an ENABLED client: the rounds run with userNotFound, and never end in tokens', async () => {
    const first = await start('nobody');
    assert.equal(first.ChallengeName, 'CUSTOM_CHALLENGE');
    const define = pool.emulator.triggerInvocations('DefineAuthChallenge').at(-1)!;
    assert.equal((define.event.request as { userNotFound: boolean }).userNotFound, true);
    const next = await answer(first.Session!, 'blue', 'nobody');
    assert.equal(next.ChallengeName, 'CUSTOM_CHALLENGE', 'the right answer for nobody is not a correct one');
    await rejects(answer(next.Session!, 'blue', 'somebody-else'), 'NotAuthorizedException');
  });

  const srpStart = (username: string, parameters: Record<string, string>) => pool.sdk.send(new InitiateAuthCommand({
    ClientId: pool.clientId, AuthFlow: 'CUSTOM_AUTH', AuthParameters: { USERNAME: username, ...parameters },
  }));
  const proveWith = (password: string, challenge: Record<string, string>, ephemeral: ReturnType<typeof createSrpEphemeral>) =>
    pool.sdk.send(new RespondToAuthChallengeCommand({
      ClientId: pool.clientId, ChallengeName: 'PASSWORD_VERIFIER',
      ChallengeResponses: {
        ...passwordVerifierResponse({
          userPoolId: pool.poolId, password, ephemeral, challengeParameters: challenge, now: new Date(pool.emulator.clock.now()),
        }),
      },
    }));

  it('SRP first (CHALLENGE_NAME: SRP_A): PASSWORD_VERIFIER, then the question; the history lists both rounds', async () => {
    const ephemeral = createSrpEphemeral();
    const first = await srpStart('ann', { CHALLENGE_NAME: 'SRP_A', SRP_A: ephemeral.srpA });
    assert.equal(first.ChallengeName, 'PASSWORD_VERIFIER');
    assert.deepEqual(Object.keys(first.ChallengeParameters!).sort(), ['SALT', 'SECRET_BLOCK', 'SRP_B', 'USERNAME', 'USER_ID_FOR_SRP']);
    assert.deepEqual((pool.emulator.triggerInvocations('DefineAuthChallenge').at(-1)!.event.request as { session: unknown }).session,
      [{ challengeName: 'SRP_A', challengeResult: true }]);
    const creates = pool.emulator.triggerInvocations('CreateAuthChallenge').length;
    const question = await proveWith(PASSWORD, first.ChallengeParameters!, ephemeral);
    assert.equal(question.ChallengeName, 'CUSTOM_CHALLENGE');
    assert.equal(question.ChallengeParameters!.question, 'Favourite colour?');
    assert.equal(pool.emulator.triggerInvocations('CreateAuthChallenge').length, creates + 1);
    assert.deepEqual((pool.emulator.triggerInvocations('DefineAuthChallenge').at(-1)!.event.request as { session: unknown }).session,
      [{ challengeName: 'SRP_A', challengeResult: true }, { challengeName: 'PASSWORD_VERIFIER', challengeResult: true }]);
    const done = await answer(question.Session!, 'blue');
    assert.ok(done.AuthenticationResult?.IdToken);
  });

  it('SRP first: a wrong password is NotAuthorizedException before Define is asked; a decoy for an unknown user; bad starts', async () => {
    const ephemeral = createSrpEphemeral();
    const first = await srpStart('ann', { CHALLENGE_NAME: 'SRP_A', SRP_A: ephemeral.srpA });
    const defines = pool.emulator.triggerInvocations('DefineAuthChallenge').length;
    await rejects(proveWith('Wr0ng-horse!', first.ChallengeParameters!, ephemeral), 'NotAuthorizedException', 'Incorrect username or password.');
    assert.equal(pool.emulator.triggerInvocations('DefineAuthChallenge').length, defines);
    // The SECRET_BLOCK answers once, right or wrong.
    await rejects(proveWith(PASSWORD, first.ChallengeParameters!, ephemeral), 'NotAuthorizedException');
    const unknown = createSrpEphemeral();
    const decoy = await srpStart('nobody', { CHALLENGE_NAME: 'SRP_A', SRP_A: unknown.srpA });
    assert.equal(decoy.ChallengeName, 'PASSWORD_VERIFIER');
    assert.equal((pool.emulator.triggerInvocations('DefineAuthChallenge').at(-1)!.event.request as { userNotFound: boolean }).userNotFound, true);
    await rejects(proveWith(PASSWORD, decoy.ChallengeParameters!, unknown), 'NotAuthorizedException', 'Incorrect username or password.');
    await rejects(srpStart('ann', { CHALLENGE_NAME: 'SRP_A' }), 'InvalidParameterException');
    await rejects(srpStart('ann', { CHALLENGE_NAME: 'SRP_A', SRP_A: '0' }), 'InvalidParameterException', 'Invalid SRP_A value.');
    await rejects(srpStart('ann', { CHALLENGE_NAME: 'CUSTOM_CHALLENGE' }), 'InvalidParameterException');
  });

  it('refusals: flow not allowed, unknown user on LEGACY, another client\'s session, a missing answer', async () => {
    const create = async (flows: ExplicitAuthFlowsType[], prevent: 'ENABLED' | 'LEGACY'): Promise<string> => (await pool.sdk.send(new CreateUserPoolClientCommand({
      UserPoolId: pool.poolId, ClientName: `c-${flows.length}-${prevent}`, ExplicitAuthFlows: flows, PreventUserExistenceErrors: prevent,
    }))).UserPoolClient!.ClientId!;
    const noCustom = await create(WITHOUT_CUSTOM, 'ENABLED');
    await rejects(start('ann', noCustom), 'InvalidParameterException', 'CUSTOM_AUTH flow not enabled for this client');
    const legacy = await create(FLOWS, 'LEGACY');
    await rejects(start('nobody', legacy), 'UserNotFoundException');
    const session = (await start()).Session!;
    await rejects(answer(session, 'blue', 'ann', legacy), 'NotAuthorizedException');
    await rejects(pool.sdk.send(new RespondToAuthChallengeCommand({
      ClientId: pool.clientId, ChallengeName: 'CUSTOM_CHALLENGE', Session: session, ChallengeResponses: { USERNAME: 'ann' },
    })), 'InvalidParameterException');
  });

  it('an expired session is refused (the emulator clock)', async () => {
    const session = (await start()).Session!;
    pool.emulator.clock.advance(3 * 60 * 1000 + 1);
    await rejects(answer(session, 'blue'), 'NotAuthorizedException');
  });

  it('AdminInitiateAuth CUSTOM_AUTH starts the same loop', async () => {
    const first = await pool.sdk.send(new AdminInitiateAuthCommand({
      UserPoolId: pool.poolId, ClientId: pool.clientId, AuthFlow: 'CUSTOM_AUTH', AuthParameters: { USERNAME: 'ann' },
    }));
    assert.equal(first.ChallengeName, 'CUSTOM_CHALLENGE');
    assert.ok((await answer(first.Session!, 'blue')).AuthenticationResult);
  });
});

/** amazon-cognito-identity-js's CognitoUser for `username`, set to CUSTOM_AUTH, with in-memory storage. */
function customAuthUser(pool: TestPool, username: string): CognitoUser {
  const items = new Map<string, string>();
  const Storage: ICognitoStorage = {
    setItem: (k, v) => void items.set(k, v), getItem: (k) => items.get(k) ?? null,
    removeItem: (k) => void items.delete(k), clear: () => items.clear(),
  };
  const userPool = new CognitoUserPool({ UserPoolId: pool.poolId, ClientId: pool.clientId, endpoint: pool.endpoint, Storage });
  const user = new CognitoUser({ Username: username, Pool: userPool, Storage });
  user.setAuthenticationFlowType('CUSTOM_AUTH');
  return user;
}

describe('emulator: CUSTOM_AUTH through amazon-cognito-identity-js', function () {
  this.timeout(20_000);

  it('initiateAuth → customChallenge → sendCustomChallengeAnswer: a wrong answer asks again, the right one signs in', async () => {
    const pool = await startTestPool({ clientOptions: { ExplicitAuthFlows: FLOWS }, emulatorOptions: { triggers: QUESTION } });
    try {
      await pool.createUser('ann', PASSWORD);
      const user = customAuthUser(pool, 'ann');
      const questions: Array<Record<string, string>> = [];
      const session = await new Promise<CognitoUserSession>((resolve, reject) => {
        const callbacks = {
          onSuccess: resolve,
          onFailure: reject,
          customChallenge(parameters: Record<string, string>) {
            questions.push(parameters);
            user.sendCustomChallengeAnswer(questions.length === 1 ? 'red' : 'blue', callbacks);
          },
        };
        user.initiateAuth(new AuthenticationDetails({ Username: 'ann' }), callbacks);
      });
      assert.equal(questions.length, 2);
      assert.equal(questions[0].question, 'Favourite colour?');
      assert.equal(session.getIdToken().decodePayload()['cognito:username'], 'ann');
      assert.ok(session.isValid());
    } finally {
      await pool.stop();
    }
  });
});

describe('emulator: CUSTOM_AUTH with SRP first through amazon-cognito-identity-js', function () {
  this.timeout(20_000);

  it('authenticateUser on a CUSTOM_AUTH user: SRP_A, PASSWORD_VERIFIER, then customChallenge → sendCustomChallengeAnswer', async () => {
    const pool = await startTestPool({ clientOptions: { ExplicitAuthFlows: FLOWS }, emulatorOptions: { triggers: QUESTION } });
    try {
      await pool.createUser('ann', PASSWORD);
      const user = customAuthUser(pool, 'ann');
      let asked = 0;
      const session = await new Promise<CognitoUserSession>((resolve, reject) => {
        const callbacks = {
          onSuccess: resolve,
          onFailure: reject,
          customChallenge() {
            asked += 1;
            user.sendCustomChallengeAnswer('blue', callbacks);
          },
        };
        user.authenticateUser(new AuthenticationDetails({ Username: 'ann', Password: PASSWORD }), callbacks);
      });
      assert.equal(asked, 1);
      assert.ok(session.isValid());
      const rounds = (pool.emulator.triggerInvocations('DefineAuthChallenge').at(-1)!.event.request as { session: Array<{ challengeName: string }> })
        .session.map((r) => r.challengeName);
      assert.deepEqual(rounds, ['SRP_A', 'PASSWORD_VERIFIER', 'CUSTOM_CHALLENGE']);
    } finally {
      await pool.stop();
    }
  });
});

describe('emulator: CUSTOM_AUTH refused by its triggers', function () {
  this.timeout(20_000);

  it('no DefineAuthChallenge: InvalidLambdaResponseException; a throwing Verify: UserLambdaValidationException', async () => {
    const bare = await startTestPool({ clientOptions: { ExplicitAuthFlows: FLOWS } });
    try {
      await bare.createUser('ann', PASSWORD);
      await rejects(bare.sdk.send(new InitiateAuthCommand({ ClientId: bare.clientId, AuthFlow: 'CUSTOM_AUTH', AuthParameters: { USERNAME: 'ann' } })),
        'InvalidLambdaResponseException', 'Custom auth lambda trigger is not configured for the user pool.');
    } finally {
      await bare.stop();
    }
    const throwing = await startTestPool({
      clientOptions: { ExplicitAuthFlows: FLOWS },
      emulatorOptions: { triggers: { ...QUESTION, VerifyAuthChallengeResponse: () => { throw new Error('verifier down'); } } },
    });
    try {
      await throwing.createUser('ann', PASSWORD);
      const first = await throwing.sdk.send(new InitiateAuthCommand({ ClientId: throwing.clientId, AuthFlow: 'CUSTOM_AUTH', AuthParameters: { USERNAME: 'ann' } }));
      await rejects(throwing.sdk.send(new RespondToAuthChallengeCommand({
        ClientId: throwing.clientId, ChallengeName: 'CUSTOM_CHALLENGE', Session: first.Session, ChallengeResponses: { USERNAME: 'ann', ANSWER: 'blue' },
      })), 'UserLambdaValidationException', 'VerifyAuthChallengeResponse failed with error verifier down.');
    } finally {
      await throwing.stop();
    }
  });
});
