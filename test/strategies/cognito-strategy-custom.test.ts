// CognitoStrategy({ authFlow: 'CUSTOM_AUTH' }) over real HTTP against the emulator's CUSTOM_AUTH
// triggers: the question handed to the page, the answer posted back, several rounds, SRP first,
// bad bodies (400, Cognito not called) and enumeration-safe refusals.
import { strict as assert } from 'node:assert';
import request from 'supertest';
import { CognitoStrategy } from '../../strategies/cognito-strategy';
import { EXPRESS_FLAVORS, sidFromSetCookie, startApp, storedSession, type TestApp } from '../support/app';
import { CUSTOM_FLOWS, QUESTION, QUESTION_ANSWER } from '../support/custom-auth-triggers';
import { startTestPool, type TestPool } from '../support/pool';

const PASSWORD = 'Passw0rd!long';

describe('CognitoStrategy CUSTOM_AUTH', function () {
  this.timeout(20_000);
  let pool: TestPool;
  let web: TestApp;
  let n = 0;
  const fresh = async (): Promise<string> => {
    const username = `quinn-${++n}`;
    await pool.createUser(username, PASSWORD);
    return username;
  };

  before(async function () {
    pool = await startTestPool({
      clientOptions: { ExplicitAuthFlows: CUSTOM_FLOWS, PreventUserExistenceErrors: 'ENABLED' }, emulatorOptions: { triggers: QUESTION },
    });
    web = await startApp(EXPRESS_FLAVORS[1], { pool, strategy: { authFlow: 'CUSTOM_AUTH' } });
  });
  after(async function () {
    await web?.close();
    await pool?.stop();
  });

  it('username alone: 401 with the public parameters only; a wrong answer asks again; the right one signs in', async function () {
    const username = await fresh();
    const agent = request.agent(web.server);
    const first = await agent.post('/login').send({ username }).expect(401);
    assert.deepEqual(first.body, {
      challenge: 'CUSTOM_CHALLENGE', code: 'ERR_COGNITO_CUSTOM_CHALLENGE', message: 'The sign-in asks a custom challenge.',
      publicChallengeParameters: { question: 'Favourite colour?' },
    });
    const again = await agent.post('/login').send({ answer: 'red' }).expect(401);
    assert.equal(again.body.challenge, 'CUSTOM_CHALLENGE');
    assert.deepEqual(again.body.publicChallengeParameters, { question: 'Favourite colour?' });
    const done = await agent.post('/login').send({ answer: ` ${QUESTION_ANSWER} ` }).expect(200);
    assert.equal(done.body.user.username, username);
    await agent.get('/api/me').expect(200);
    const verify = pool.emulator.triggerInvocations('VerifyAuthChallengeResponse').at(-1)!;
    assert.equal((verify.event.request as { challengeAnswer: string }).challengeAnswer, QUESTION_ANSWER, 'trimmed');
  });

  it('with a password: proved by SRP first (never sent to Cognito), then the question; the session holds no password', async function () {
    const username = await fresh();
    const agent = request.agent(web.server);
    const first = await agent.post('/login').send({ username, password: PASSWORD }).expect(401);
    assert.equal(first.body.challenge, 'CUSTOM_CHALLENGE');
    const rounds = (pool.emulator.triggerInvocations('DefineAuthChallenge').at(-1)!.event.request as { session: Array<{ challengeName: string }> })
      .session.map((r) => r.challengeName);
    assert.deepEqual(rounds, ['SRP_A', 'PASSWORD_VERIFIER']);
    const record = await storedSession(web.sessionStore, sidFromSetCookie(([] as string[]).concat(first.headers['set-cookie'] ?? []))!);
    assert.ok(record?.cognito.challenge, 'the challenge is kept server side');
    assert.ok(!JSON.stringify(record).includes(PASSWORD));
    assert.ok(!JSON.stringify(first.body).includes(record.cognito.challenge.state.Session), 'the Cognito session stays server side');
    await agent.post('/login').send({ answer: QUESTION_ANSWER }).expect(200);
  });

  it('a wrong password, three wrong answers, an unknown user: the same 401 ERR_COGNITO_BAD_CREDENTIALS', async function () {
    const username = await fresh();
    const wrong = await request(web.server).post('/login').send({ username, password: 'Wr0ng-passw0rd!' }).expect(401);
    assert.equal(wrong.body.code, 'ERR_COGNITO_BAD_CREDENTIALS');
    const agent = request.agent(web.server);
    await agent.post('/login').send({ username }).expect(401);
    await agent.post('/login').send({ answer: 'red' }).expect(401);
    await agent.post('/login').send({ answer: 'green' }).expect(401);
    const failed = await agent.post('/login').send({ answer: 'pink' }).expect(401);
    assert.deepEqual(failed.body, { code: 'ERR_COGNITO_BAD_CREDENTIALS', message: 'Incorrect username or password.' });
    // The sign-in is over: an answer now has nothing to answer.
    assert.equal((await agent.post('/login').send({ answer: QUESTION_ANSWER }).expect(400)).body.code, 'ERR_COGNITO_NO_PENDING_CHALLENGE');
    // An unknown user is asked the same question, and no answer gets them in.
    const ghost = request.agent(web.server);
    const asked = await ghost.post('/login').send({ username: 'nobody-at-all' }).expect(401);
    assert.deepEqual(asked.body.publicChallengeParameters, { question: 'Favourite colour?' });
    assert.equal((await ghost.post('/login').send({ answer: QUESTION_ANSWER }).expect(401)).body.challenge, 'CUSTOM_CHALLENGE');
  });

  it('bad answers are 400 before any call, and the question is repeated for the page', async function () {
    const username = await fresh();
    const agent = request.agent(web.server);
    await agent.post('/login').send({ username }).expect(401);
    pool.emulator.resetCalls();
    for (const [body, code] of [
      [{ answer: { nested: 'x' } }, 'ERR_COGNITO_INVALID_FIELD'],
      [{ answer: ['a', 'b'] }, 'ERR_COGNITO_INVALID_FIELD'],
      [{ answer: 'x'.repeat(2049) }, 'ERR_COGNITO_INVALID_FIELD'],
      [{ answer: 'bl\u0000ue' }, 'ERR_COGNITO_INVALID_FIELD'],
      [{ answer: '   ', code: '' }, 'ERR_COGNITO_MISSING_FIELD'],
      [{ code: '123456' }, 'ERR_COGNITO_MISSING_FIELD'],
    ] as const) {
      const res = await agent.post('/login').send(body).expect(400);
      assert.equal(res.body.code, code, JSON.stringify(body).slice(0, 40));
      assert.equal(res.body.challenge, 'CUSTOM_CHALLENGE');
      assert.equal(res.body.field, 'answer');
      assert.deepEqual(res.body.publicChallengeParameters, { question: 'Favourite colour?' });
      assert.ok(!JSON.stringify(res.body).includes('x'.repeat(100)), 'the answer is not echoed');
    }
    assert.equal(pool.emulator.calls(), 0);
    await agent.post('/login').send({ answer: QUESTION_ANSWER }).expect(200);
  });

  it('first step: a username is required (400, no call); the answer is read from a form and a custom field too', async function () {
    pool.emulator.resetCalls();
    assert.equal((await request(web.server).post('/login').send({ password: PASSWORD }).expect(400)).body.code, 'ERR_COGNITO_MISSING_CREDENTIALS');
    assert.equal((await request(web.server).post('/login').send({ answer: 'blue' }).expect(400)).body.code, 'ERR_COGNITO_NO_PENDING_CHALLENGE');
    assert.equal(pool.emulator.calls(), 0);
    const custom = await startApp(EXPRESS_FLAVORS[0], { pool, strategy: { authFlow: 'CUSTOM_AUTH', answerField: 'reply' } });
    try {
      const username = await fresh();
      const agent = request.agent(custom.server);
      await agent.post('/login').type('form').send({ username }).expect(401);
      assert.equal((await agent.post('/login').type('form').send({ answer: QUESTION_ANSWER }).expect(400)).body.field, 'reply');
      await agent.post('/login').type('form').send({ reply: QUESTION_ANSWER }).expect(200);
    } finally {
      await custom.close();
    }
  });

  it('the challenge expires with the strategy\'s challengeTtlSeconds (emulator clock)', async function () {
    const username = await fresh();
    const agent = request.agent(web.server);
    await agent.post('/login').send({ username }).expect(401);
    pool.emulator.clock.advance(181_000);
    assert.equal((await agent.post('/login').send({ answer: QUESTION_ANSWER }).expect(401)).body.code, 'ERR_COGNITO_CHALLENGE_EXPIRED');
  });

  it('construction: authFlow CUSTOM_AUTH accepted, a bad answerField refused', function () {
    const base = { userPoolId: 'eu-west-1_AbC123', clientId: 'client', region: 'eu-west-1' };
    assert.equal(new CognitoStrategy({ ...base, authFlow: 'CUSTOM_AUTH' }).name, 'cognito');
    assert.throws(() => new CognitoStrategy({ ...base, authFlow: 'USER_PASSWORD_AUTH' as 'CUSTOM_AUTH' }), /"authFlow" must be/);
    assert.throws(() => new CognitoStrategy({ ...base, answerField: '' }), /"answerField"/);
  });
});
