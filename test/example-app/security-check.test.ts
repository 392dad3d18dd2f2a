// The example app's "Sign in with a security check" (CUSTOM_AUTH with the triggers of
// example-app/custom-challenge.ts) over supertest: the password, the sum, a wrong answer, too many
// wrong answers, a wrong password, bad answers; and the triggers refusing a sign-in without the password.
import { strict as assert } from 'node:assert';
import { CognitoIdentityProviderClient, InitiateAuthCommand } from '@aws-sdk/client-cognito-identity-provider';
import request from 'supertest';
import type { Express } from 'express';
import { DEMO_SEED, startEmulator, type Emulator } from 'express-cognito/emulator';
import { createApp } from '../../example-app/app';
import { SECURITY_CHECK_TRIES, SECURITY_CHECK_TRIGGERS } from '../../example-app/custom-challenge';

const HTML = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
type Agent = ReturnType<typeof request.agent>;

function csrfOf(page: string): string {
  const m = /name="_csrf" value="([^"]+)"/.exec(page);
  assert.ok(m, 'the page has a CSRF field');
  return m[1];
}

function sumOf(page: string): number {
  const m = /<p id="challenge-question">What is (\d+) \+ (\d+)\?<\/p>/.exec(page);
  assert.ok(m, 'the step page asks a sum');
  return Number(m[1]) + Number(m[2]);
}

describe('example app: the security check (CUSTOM_AUTH)', function () {
  this.timeout(20_000);
  let emulator: Emulator;
  let app: Express;
  let plain: Express;
  let poolId = '';
  let clientId = '';

  before(async function () {
    emulator = await startEmulator({ triggers: SECURITY_CHECK_TRIGGERS });
    const pool = (await emulator.seed(DEMO_SEED)).pools.demo;
    poolId = pool.poolId;
    clientId = Object.values(pool.clients)[0].clientId;
    const cognito = { userPoolId: poolId, clientId, endpoint: emulator.endpoint, region: emulator.region };
    app = createApp({ cognito, sessionSecret: 'security check test secret', securityCheck: true });
    plain = createApp({ cognito, sessionSecret: 'security check test secret 2' });
  });
  after(() => emulator?.stop());

  async function start(agent: Agent, username: string, password: string): Promise<request.Response> {
    const form = await agent.get('/login/security-check').set('Accept', HTML).expect(200);
    return agent.post('/login/security-check').set('Accept', HTML).type('form')
      .send({ _csrf: csrfOf(form.text), username, password }).expect(303);
  }

  async function answer(agent: Agent, page: string, value: string): Promise<request.Response> {
    return agent.post('/login/security-check').set('Accept', HTML).type('form').send({ _csrf: csrfOf(page), answer: value }).expect(303);
  }

  it('the login page links to it; password, then the sum: a wrong sum brings another, the right one signs in', async function () {
    const agent = request.agent(app);
    assert.match((await agent.get('/login').set('Accept', HTML).expect(200)).text, /id="security-check-link" href="\/login\/security-check"/);
    assert.equal((await start(agent, 'alice', 'Passw0rd!')).headers.location, '/login/step');
    const step = await agent.get('/login/step').set('Accept', HTML).expect(200);
    const first = sumOf(step.text);
    assert.match(step.text, /<form method="post" action="\/login\/security-check" id="answer-form">/);
    assert.equal((await answer(agent, step.text, String(first + 100))).headers.location, '/login/step');
    const again = await agent.get('/login/step').set('Accept', HTML).expect(200);
    assert.match(again.text, /not the answer/);
    const done = await answer(agent, again.text, String(sumOf(again.text)));
    assert.equal(done.headers.location, '/profile');
    assert.match((await agent.get('/profile').set('Accept', HTML).expect(200)).text, /<span id="profile-username">alice<\/span>/);
  });

  it(`${SECURITY_CHECK_TRIES} wrong sums, or a wrong password: back to the form with one message, no session`, async function () {
    const agent = request.agent(app);
    await start(agent, 'alice', 'Passw0rd!');
    let page = (await agent.get('/login/step').set('Accept', HTML).expect(200)).text;
    let res: request.Response | undefined;
    for (let i = 0; i < SECURITY_CHECK_TRIES; i++) {
      res = await answer(agent, page, String(sumOf(page) + 1));
      if (res.headers.location !== '/login/step') break;
      page = (await agent.get('/login/step').set('Accept', HTML).expect(200)).text;
    }
    assert.equal(res?.headers.location, '/login/security-check');
    const form = await agent.get('/login/security-check').set('Accept', HTML).expect(200);
    assert.match(form.text, /Incorrect username or password\./);
    assert.equal((await agent.get('/profile').set('Accept', HTML)).status, 302);
    const wrong = request.agent(app);
    assert.equal((await start(wrong, 'alice', 'Wr0ng-passw0rd')).headers.location, '/login/security-check');
    assert.match((await wrong.get('/login/security-check').set('Accept', HTML).expect(200)).text, /Incorrect username or password\./);
  });

  it('a malformed answer is refused on the step page, and the same sum is asked again', async function () {
    const agent = request.agent(app);
    await start(agent, 'alice', 'Passw0rd!');
    const step = (await agent.get('/login/step').set('Accept', HTML).expect(200)).text;
    const question = /<p id="challenge-question">([^<]+)<\/p>/.exec(step)?.[1];
    const calls = emulator.calls();
    assert.equal((await answer(agent, step, 'x'.repeat(3000))).headers.location, '/login/step');
    assert.equal(emulator.calls(), calls, 'Cognito is not asked');
    const again = (await agent.get('/login/step').set('Accept', HTML).expect(200)).text;
    assert.match(again, /The answer is too long\./);
    assert.equal(/<p id="challenge-question">([^<]+)<\/p>/.exec(again)?.[1], question);
    assert.ok(!again.includes('x'.repeat(100)), 'the answer is not echoed');
  });

  it('the triggers refuse a sign-in that skips the password; an app without securityCheck has no such route', async function () {
    const sdk = new CognitoIdentityProviderClient({ region: emulator.region, endpoint: emulator.endpoint, credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
    await assert.rejects(sdk.send(new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'CUSTOM_AUTH', AuthParameters: { USERNAME: 'alice' } })),
      (e: Error) => e.name === 'NotAuthorizedException');
    assert.doesNotMatch((await request(plain).get('/login').set('Accept', HTML).expect(200)).text, /security-check/);
    await request(plain).get('/login/security-check').set('Accept', HTML).expect(404);
  });
});
