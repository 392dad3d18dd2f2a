// CognitoStrategy({ authFlow: 'USER_AUTH' }) over real HTTP against the emulator: the username first,
// then only the factors Cognito offers — password (proved by SRP), e-mail and SMS codes from the
// outbox, a new code on request, another factor instead —, MFA after a password, e-mail MFA in the
// default flow, bad bodies (400, Cognito not called) and enumeration-safe answers.
import { strict as assert } from 'node:assert';
import {
  AdminSetUserMFAPreferenceCommand, CompleteWebAuthnRegistrationCommand, SetUserPoolMfaConfigCommand, StartWebAuthnRegistrationCommand,
  type ExplicitAuthFlowsType,
} from '@aws-sdk/client-cognito-identity-provider';
import request from 'supertest';
import { EXPRESS_FLAVORS, enrolTotp, poolTokens, startApp, totpNow, type TestApp } from '../support/app';
import { SoftAuthenticator, type CreationOptions, type RequestOptions } from '../support/soft-authenticator';
import { startTestPool, TEST_AUTH_FLOWS, type TestPool } from '../support/pool';

const PASSWORD = 'Passw0rd!long';
const FLOWS = [...TEST_AUTH_FLOWS, 'ALLOW_USER_AUTH'] as ExplicitAuthFlowsType[];

describe('CognitoStrategy USER_AUTH', function () {
  this.timeout(20_000);
  let pool: TestPool;
  let web: TestApp;
  let srpWeb: TestApp;
  let n = 0;
  const fresh = async (attributes: Record<string, string> = {}): Promise<string> => {
    const username = `una-${++n}`;
    await pool.createUser(username, PASSWORD, {
      attributes: { email: `${username}@example.com`, email_verified: 'true', ...attributes },
    });
    return username;
  };
  const code = (username: string, channel: 'EMAIL' | 'SMS' = 'EMAIL', purpose = 'SIGN_IN'): string => {
    const message = pool.emulator.outbox({ username, channel, purpose: purpose as never }).at(-1);
    assert.ok(message?.code, `no ${channel} ${purpose} code for ${username}`);
    return message.code;
  };

  before(async function () {
    pool = await startTestPool({
      mfa: 'OPTIONAL', explicitAuthFlows: FLOWS, clientOptions: { PreventUserExistenceErrors: 'ENABLED' },
      poolOptions: { Policies: { SignInPolicy: { AllowedFirstAuthFactors: ['PASSWORD', 'EMAIL_OTP', 'SMS_OTP'] } } },
    });
    await pool.sdk.send(new SetUserPoolMfaConfigCommand({
      UserPoolId: pool.poolId, MfaConfiguration: 'OPTIONAL', EmailMfaConfiguration: { Message: 'Code {####}', Subject: 'Your code' },
      SoftwareTokenMfaConfiguration: { Enabled: true },
    }));
    web = await startApp(EXPRESS_FLAVORS[1], { pool, strategy: { authFlow: 'USER_AUTH' } });
    srpWeb = await startApp(EXPRESS_FLAVORS[0], { pool });
  });
  after(async function () {
    await web?.close();
    await srpWeb?.close();
    await pool?.stop();
  });

  it('username alone: SELECT_CHALLENGE with what the user can present; EMAIL_OTP, then the code, signs in', async function () {
    const username = await fresh({ phone_number: '+15550100003', phone_number_verified: 'true' });
    const agent = request.agent(web.server);
    const first = await agent.post('/login').send({ username }).expect(401);
    assert.equal(first.body.challenge, 'SELECT_CHALLENGE');
    assert.equal(first.body.code, 'ERR_COGNITO_SELECT_CHALLENGE');
    assert.deepEqual([...first.body.availableChallenges].sort(), ['EMAIL_OTP', 'PASSWORD', 'PASSWORD_SRP', 'SMS_OTP']);
    const email = await agent.post('/login').send({ factor: 'email' }).expect(401);
    assert.equal(email.body.challenge, 'EMAIL_OTP');
    assert.match(email.body.destination, /\*/);
    const done = await agent.post('/login').send({ code: code(username) }).expect(200);
    assert.equal(done.body.user.username, username);
    await agent.get('/api/me').expect(200);
  });

  it('username and password: PASSWORD_SRP at once (the password never reaches Cognito), MFA after it still works', async function () {
    const username = await fresh();
    await request(web.server).post('/login').send({ username, password: PASSWORD }).expect(200);
    const totp = await fresh();
    const secret = await enrolTotp(pool, totp, PASSWORD);
    pool.emulator.clock.advance(30_000);
    const agent = request.agent(web.server);
    const mfa = await agent.post('/login').send({ username: totp, password: PASSWORD }).expect(401);
    assert.equal(mfa.body.challenge, 'SOFTWARE_TOKEN_MFA');
    await agent.post('/login').send({ code: totpNow(pool, secret) }).expect(200);
    // From SELECT_CHALLENGE too: factor PASSWORD with the password.
    const select = request.agent(web.server);
    await select.post('/login').send({ username }).expect(401);
    await select.post('/login').send({ factor: 'PASSWORD', password: PASSWORD }).expect(200);
  });

  it('a preferred factor at the first POST; resend sends a new code (the old one is spent); another factor switches', async function () {
    const username = await fresh({ phone_number: '+15550100004', phone_number_verified: 'true' });
    const agent = request.agent(web.server);
    assert.equal((await agent.post('/login').send({ username, factor: 'SMS_OTP' }).expect(401)).body.challenge, 'SMS_OTP');
    const old = code(username, 'SMS');
    const before = pool.emulator.outbox({ username, purpose: 'SIGN_IN' }).length;
    assert.equal((await agent.post('/login').send({ resend: '1' }).expect(401)).body.challenge, 'SMS_OTP');
    assert.equal(pool.emulator.outbox({ username, purpose: 'SIGN_IN' }).length, before + 1);
    const fresher = code(username, 'SMS');
    if (fresher !== old) {
      assert.equal((await agent.post('/login').send({ code: old }).expect(401)).body.code, 'ERR_COGNITO_CODE_MISMATCH');
    }
    assert.equal((await agent.post('/login').send({ factor: 'EMAIL_OTP' }).expect(401)).body.challenge, 'EMAIL_OTP');
    await agent.post('/login').send({ code: code(username) }).expect(200);
  });

  it('e-mail MFA after a password, in USER_AUTH and in the default USER_SRP_AUTH strategy', async function () {
    const username = await fresh();
    await pool.sdk.send(new AdminSetUserMFAPreferenceCommand({
      UserPoolId: pool.poolId, Username: username, EmailMfaSettings: { Enabled: true, PreferredMfa: true },
    }));
    for (const server of [web.server, srpWeb.server]) {
      const agent = request.agent(server);
      const mfa = await agent.post('/login').send({ username, password: PASSWORD }).expect(401);
      assert.equal(mfa.body.challenge, 'EMAIL_OTP');
      assert.equal(mfa.body.code, 'ERR_COGNITO_EMAIL_OTP');
      // A new code would need the password again: resend is not offered after a password.
      assert.equal((await agent.post('/login').send({ resend: '1' }).expect(400)).body.code, 'ERR_COGNITO_MISSING_FIELD');
      await agent.post('/login').send({ code: code(username, 'EMAIL', 'MFA') }).expect(200);
    }
  });

  it('bad bodies are 400 before any call: unknown factor, a factor not offered, malformed code, PASSWORD without one', async function () {
    const username = await fresh();
    const agent = request.agent(web.server);
    pool.emulator.resetCalls();
    assert.equal((await agent.post('/login').send({ username, factor: 'totp' }).expect(400)).body.field, 'factor');
    assert.equal((await agent.post('/login').send({ username, factor: 'PASSWORD' }).expect(400)).body.code, 'ERR_COGNITO_MISSING_CREDENTIALS');
    assert.equal((await agent.post('/login').send({ username, factor: 'EMAIL_OTP', password: PASSWORD }).expect(400)).body.field, 'factor');
    assert.equal(pool.emulator.calls(), 0);
    await agent.post('/login').send({ username }).expect(401);
    pool.emulator.resetCalls();
    const notOffered = await agent.post('/login').send({ factor: 'SMS_OTP' }).expect(400);
    assert.equal(notOffered.body.code, 'ERR_COGNITO_INVALID_FIELD');
    assert.match(notOffered.body.message, /must be one of EMAIL_OTP, PASSWORD|must be one of PASSWORD, EMAIL_OTP/);
    assert.equal((await agent.post('/login').send({ factor: 'PASSWORD' }).expect(400)).body.field, 'password');
    assert.equal((await agent.post('/login').send({ code: '12345678' }).expect(400)).body.field, 'factor');
    await agent.post('/login').send({ factor: 'EMAIL_OTP' }).expect(401);
    pool.emulator.resetCalls();
    for (const bad of ['12', '123456789012', 'abcdefgh', ['1']]) {
      assert.equal((await agent.post('/login').send({ code: bad }).expect(400)).body.code, 'ERR_COGNITO_INVALID_FIELD');
    }
    assert.equal((await agent.post('/login').send({ credential: '{}' }).expect(400)).body.field, 'code');
    assert.equal(pool.emulator.calls(), 0);
    await agent.post('/login').send({ code: code(username) }).expect(200);
  });

  it('an unknown user gets the same answers as a real one, and never a session; wrong codes end the sign-in', async function () {
    const username = await fresh();
    const real = await request(web.server).post('/login').send({ username }).expect(401);
    const ghost = request.agent(web.server);
    const fake = await ghost.post('/login').send({ username: 'nobody-here' }).expect(401);
    assert.deepEqual(Object.keys(fake.body).sort(), Object.keys(real.body).sort());
    assert.equal(fake.body.challenge, 'SELECT_CHALLENGE');
    const asked = await ghost.post('/login').send({ factor: 'EMAIL_OTP' }).expect(401);
    assert.equal(asked.body.challenge, 'EMAIL_OTP');
    assert.equal(pool.emulator.outbox({ username: 'nobody-here' }).length, 0, 'nothing is sent to nobody');
    assert.equal((await ghost.post('/login').send({ code: '12345678' }).expect(401)).body.code, 'ERR_COGNITO_CODE_MISMATCH');

    const agent = request.agent(web.server);
    await agent.post('/login').send({ username, factor: 'EMAIL_OTP' }).expect(401);
    const right = code(username);
    const wrong = String((Number(right) + 1) % 100_000_000).padStart(8, '0');
    let last: request.Response | undefined;
    for (let i = 0; i < 5; i++) last = await agent.post('/login').send({ code: wrong }).expect(401);
    assert.notEqual(last?.body.code, 'ERR_COGNITO_CODE_MISMATCH', 'the fifth wrong code ends the sign-in');
    assert.equal((await agent.post('/login').send({ code: right }).expect(400)).body.code, 'ERR_COGNITO_NO_PENDING_CHALLENGE');
  });
});

describe('CognitoStrategy USER_AUTH with passkeys', function () {
  this.timeout(20_000);
  const ORIGIN = 'http://localhost:3000';
  let pool: TestPool;
  let web: TestApp;

  before(async function () {
    pool = await startTestPool({
      explicitAuthFlows: FLOWS, clientOptions: { PreventUserExistenceErrors: 'ENABLED' },
      poolOptions: { Policies: { SignInPolicy: { AllowedFirstAuthFactors: ['PASSWORD', 'WEB_AUTHN'] } } },
    });
    await pool.sdk.send(new SetUserPoolMfaConfigCommand({ UserPoolId: pool.poolId, WebAuthnConfiguration: { RelyingPartyId: 'localhost' } }));
    web = await startApp(EXPRESS_FLAVORS[1], { pool, strategy: { authFlow: 'USER_AUTH' } });
  });
  after(async function () {
    await web?.close();
    await pool?.stop();
  });

  it('factor passkey: the request options go to the page, the credential posted back signs in; a forged one does not', async function () {
    await pool.createUser('petra', PASSWORD);
    const { AccessToken } = await poolTokens(pool, 'petra', PASSWORD);
    const authenticator = new SoftAuthenticator();
    const { CredentialCreationOptions } = await pool.sdk.send(new StartWebAuthnRegistrationCommand({ AccessToken }));
    await pool.sdk.send(new CompleteWebAuthnRegistrationCommand({
      AccessToken, Credential: authenticator.register(CredentialCreationOptions as unknown as CreationOptions, ORIGIN).response as never,
    }));

    const agent = request.agent(web.server);
    const select = await agent.post('/login').send({ username: 'petra' }).expect(401);
    assert.ok(select.body.availableChallenges.includes('WEB_AUTHN'));
    const asked = await agent.post('/login').send({ factor: 'passkey' }).expect(401);
    assert.equal(asked.body.challenge, 'WEB_AUTHN');
    assert.equal(asked.body.code, 'ERR_COGNITO_WEB_AUTHN');
    const options = asked.body.credentialRequestOptions as RequestOptions;
    assert.equal(options.rpId, 'localhost');
    // As a form posts it: the credential's JSON in a hidden field.
    const done = await agent.post('/login').type('form').send({ credential: JSON.stringify(authenticator.assert(options, ORIGIN)) }).expect(200);
    assert.equal(done.body.user.username, 'petra');

    const forger = request.agent(web.server);
    const again = await forger.post('/login').send({ username: 'petra', factor: 'WEB_AUTHN' }).expect(401);
    const forged = authenticator.assert(again.body.credentialRequestOptions as RequestOptions, 'https://evil.example');
    assert.equal((await forger.post('/login').send({ credential: forged }).expect(401)).body.code, 'ERR_COGNITO_BAD_CREDENTIALS');
    pool.emulator.resetCalls();
    const malformed = request.agent(web.server);
    await malformed.post('/login').send({ username: 'petra', factor: 'WEB_AUTHN' }).expect(401);
    for (const credential of ['{"id":"x"}', '{', ['x'], { id: 'x', type: 'public-key' }]) {
      assert.equal((await malformed.post('/login').send({ credential }).expect(400)).body.field, 'credential');
    }
    assert.equal(pool.emulator.calls('RespondToAuthChallenge'), 0, 'Cognito was not asked');
  });
});
