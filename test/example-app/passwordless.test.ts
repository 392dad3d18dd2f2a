// The example app's "Sign in without a password" (/login/passwordless: USER_AUTH through the strategy
// 'cognito-choice') over supertest, on the demo pool as example-app/passwordless-demo.ts sets it up:
// the choice shows only the factors offered, e-mailed and texted codes from the emulator's outbox, a
// new code, another way in, a wrong code, a passkey (a software authenticator), an unknown user that
// looks like a real one, and the 400s.
import { strict as assert } from 'node:assert';
import {
  AdminCreateUserCommand, AdminSetUserPasswordCommand, CognitoIdentityProviderClient, DescribeUserPoolCommand, GetUserPoolMfaConfigCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import request from 'supertest';
import type { Express } from 'express';
import { Cognito } from 'express-cognito';
import { DEMO_SEED, startEmulator, type Emulator, type OutboxChannel } from 'express-cognito/emulator';
import { createApp } from '../../example-app/app';
import { DEMO_FIRST_FACTORS, DEMO_SMS_USER, PASSKEY_RP_ID, setUpPasswordlessDemo } from '../../example-app/passwordless-demo';
import { SoftAuthenticator, type CreationOptions, type RequestOptions } from '../support/soft-authenticator';

const HTML = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
const PATH = '/login/passwordless';
const PASSWORD = 'Corr3ct-horse!';
type Agent = ReturnType<typeof request.agent>;

function csrfOf(page: string): string {
  const m = /name="_csrf" value="([^"]+)"/.exec(page);
  assert.ok(m, 'the page has a CSRF field');
  return m[1];
}

// What the html tag escaped, back (the browser does this when it reads an attribute).
function unescapeAttribute(value: string): string {
  return value.replace(/&(quot|#39|#96|#61|lt|gt|amp);/g, (_m, e: string) => ({ quot: '"', '#39': "'", '#96': '`', '#61': '=', lt: '<', gt: '>', amp: '&' })[e] ?? '');
}

// The factor buttons and password form a step page shows.
function factorsOn(page: string): string[] {
  const buttons = [...page.matchAll(/<button type="submit" name="factor" value="([A-Z_]+)"/g)].map((m) => m[1]);
  return page.includes('name="factor" value="PASSWORD"') ? [...buttons, 'PASSWORD'] : buttons;
}

describe('example app: sign in without a password (USER_AUTH)', function () {
  this.timeout(20_000);
  let emulator: Emulator;
  let sdk: CognitoIdentityProviderClient;
  let app: Express;
  let poolId = '';
  let clientId = '';
  let n = 0;

  before(async function () {
    emulator = await startEmulator();
    const pool = (await emulator.seed(DEMO_SEED)).pools.demo;
    poolId = pool.poolId;
    clientId = Object.values(pool.clients)[0].clientId;
    sdk = new CognitoIdentityProviderClient({
      region: emulator.region, endpoint: emulator.endpoint, credentials: { accessKeyId: 'emulator', secretAccessKey: 'emulator' },
    });
    await setUpPasswordlessDemo({ sdk, poolId, clientId });
    const clock = (): number => emulator.clock.now();
    app = createApp({
      // The emulator's clock for the package too: "a sign-in within 5 minutes" is then the emulator's minutes.
      cognito: { userPoolId: poolId, clientId, endpoint: emulator.endpoint, region: emulator.region, clock },
      sessionSecret: 'passwordless test secret', passwordless: true, clock,
    });
  });
  after(async function () {
    sdk?.destroy();
    await emulator?.stop();
  });
  afterEach(() => emulator.clock.reset());

  const codeOf = (username: string, channel: OutboxChannel = 'EMAIL'): string => {
    const code = emulator.outbox({ username, purpose: 'SIGN_IN', channel }).at(-1)?.code;
    assert.ok(code, `a ${channel} sign-in code for ${username}`);
    return code;
  };

  // A confirmed user with a verified e-mail address (and phone), made directly in the pool.
  async function user(attributes: Record<string, string> = {}): Promise<string> {
    const username = `pwless-${++n}`;
    const all = { email: `${username}@example.com`, email_verified: 'true', ...attributes };
    await sdk.send(new AdminCreateUserCommand({
      UserPoolId: poolId, Username: username, MessageAction: 'SUPPRESS', UserAttributes: Object.entries(all).map(([Name, Value]) => ({ Name, Value })),
    }));
    await sdk.send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: username, Password: PASSWORD, Permanent: true }));
    return username;
  }

  async function page(agent: Agent, path: string, status = 200): Promise<string> {
    return (await agent.get(path).set('Accept', HTML).expect(status)).text;
  }

  // Posts a form of `from` (its CSRF token) to the passwordless route: the 303's location.
  async function post(agent: Agent, from: string, fields: Record<string, string>): Promise<string> {
    const res = await agent.post(PATH).set('Accept', HTML).type('form').send({ _csrf: csrfOf(from), ...fields }).expect(303);
    return res.headers.location;
  }

  // The username posted: the step page Cognito's answer leads to.
  async function start(agent: Agent, username: string): Promise<string> {
    assert.equal(await post(agent, await page(agent, PATH), { username }), '/login/step');
    return page(agent, '/login/step');
  }

  async function signedInAs(agent: Agent, username: string): Promise<void> {
    assert.match(await page(agent, '/profile'), new RegExp(`<span id="profile-username">${username}</span>`));
  }

  it('the demo set-up: the first factors, the relying party localhost, ALLOW_USER_AUTH; a second run changes nothing', async function () {
    const described = (await sdk.send(new DescribeUserPoolCommand({ UserPoolId: poolId }))).UserPool!;
    assert.deepEqual(described.Policies?.SignInPolicy?.AllowedFirstAuthFactors, [...DEMO_FIRST_FACTORS]);
    const mfa = await sdk.send(new GetUserPoolMfaConfigCommand({ UserPoolId: poolId }));
    assert.equal(mfa.WebAuthnConfiguration?.RelyingPartyId, PASSKEY_RP_ID);
    assert.equal(mfa.MfaConfiguration, 'OPTIONAL', 'MFA stays as the seed has it');
    assert.deepEqual((await setUpPasswordlessDemo({ sdk, poolId, clientId })).upgraded, []);
  });

  it('the login page links to it; the username field offers passkeys; the CSP allows the app\'s own scripts only', async function () {
    const agent = request.agent(app);
    assert.match(await page(agent, '/login'), /id="passwordless-link" href="\/login\/passwordless"/);
    const res = await agent.get(PATH).set('Accept', HTML).expect(200);
    assert.match(res.text, /<form method="post" action="\/login\/passwordless" id="passwordless-form">/);
    assert.match(res.text, /id="username" name="username" value="" autocomplete="username webauthn"/);
    assert.match(res.text, /Cognito needs the\s+username before it can ask for a passkey/);
    assert.doesNotMatch(res.text, /<script(?![^>]*\ssrc=)/, 'no inline script');
    const csp = res.headers['content-security-policy'];
    assert.match(csp, /script-src 'self'/);
    assert.match(csp, /connect-src 'self'/);
    assert.doesNotMatch(csp, /unsafe-inline/);
    // Opened on 127.0.0.1 (supertest's host), the page says where passkeys work; on localhost it need not.
    assert.match(res.text, /id="passkey-origin">Passkeys work at <a href="http:\/\/localhost:\d+\/login\/passwordless">/);
    const onLocalhost = await request(app).get(PATH).set('Host', 'localhost:3000').set('Accept', HTML).expect(200);
    assert.doesNotMatch(onLocalhost.text, /id="passkey-origin"/);
  });

  it('alice: only her factors (password, e-mail) are offered; the e-mailed code signs her in', async function () {
    const agent = request.agent(app);
    const choice = await start(agent, 'alice');
    assert.match(choice, /How do you want to sign in\?/);
    assert.match(choice, /Signing in as <strong id="step-username">alice<\/strong>/);
    assert.deepEqual(factorsOn(choice), ['EMAIL_OTP', 'PASSWORD']);
    assert.equal(await post(agent, choice, { factor: 'EMAIL_OTP' }), '/login/step');
    const codePage = await page(agent, '/login/step');
    assert.match(codePage, /Enter the code we e-mailed you/);
    assert.match(codePage, /We sent a code to <strong>[^<]*\*[^<]*<\/strong>/, 'the masked address');
    assert.doesNotMatch(codePage, /alice@example\.com/);
    assert.match(codePage, /<button type="submit" class="link" id="resend">Send a new code<\/button>/);
    assert.equal(await post(agent, codePage, { code: codeOf('alice') }), '/profile');
    await signedInAs(agent, 'alice');
  });

  it('the password from the choice page (proved by SRP) signs in too', async function () {
    const username = await user();
    const agent = request.agent(app);
    const choice = await start(agent, username);
    assert.equal(await post(agent, choice, { factor: 'PASSWORD', password: PASSWORD }), '/profile');
    await signedInAs(agent, username);
  });

  it(`${DEMO_SMS_USER.username}: e-mail, SMS and password offered; the texted code signs him in`, async function () {
    const agent = request.agent(app);
    const choice = await start(agent, DEMO_SMS_USER.username);
    assert.deepEqual(factorsOn(choice), ['EMAIL_OTP', 'SMS_OTP', 'PASSWORD']);
    await post(agent, choice, { factor: 'SMS_OTP' });
    const codePage = await page(agent, '/login/step');
    assert.match(codePage, /Enter the code we texted you/);
    assert.match(codePage, /We sent a code to <strong>\+\*+0104<\/strong>/);
    assert.doesNotMatch(codePage, /5555550104/);
    assert.equal(await post(agent, codePage, { code: codeOf(DEMO_SMS_USER.username, 'SMS') }), '/profile');
    await signedInAs(agent, DEMO_SMS_USER.username);
  });

  it('"Send a new code": a new one is sent and said so (once); it signs in', async function () {
    const username = await user();
    const agent = request.agent(app);
    await post(agent, await start(agent, username), { factor: 'EMAIL_OTP' });
    const first = await page(agent, '/login/step');
    const old = codeOf(username);
    const sent = emulator.outbox({ username, purpose: 'SIGN_IN' }).length;
    assert.equal(await post(agent, first, { resend: '1' }), '/login/step');
    const again = await page(agent, '/login/step');
    assert.match(again, /<p class="notice" role="status" id="code-notice">A new code is on its way to [^<]*\*/);
    assert.doesNotMatch(await page(agent, '/login/step'), /code-notice/, 'a reload does not repeat the notice');
    assert.equal(emulator.outbox({ username, purpose: 'SIGN_IN' }).length, sent + 1);
    const fresh = codeOf(username);
    if (fresh !== old) {
      assert.equal(await post(agent, again, { code: old }), '/login/step');
      assert.match(await page(agent, '/login/step'), /The code is not valid; try again\./);
    }
    assert.equal(await post(agent, again, { code: fresh }), '/profile');
    await signedInAs(agent, username);
  });

  it('"Use another way": from the e-mail code to a texted one, which signs in', async function () {
    const username = await user({ phone_number: '+15555550177', phone_number_verified: 'true' });
    const agent = request.agent(app);
    await post(agent, await start(agent, username), { factor: 'EMAIL_OTP' });
    const emailPage = await page(agent, '/login/step');
    assert.match(emailPage, /<h2>Use another way<\/h2>/);
    assert.deepEqual(factorsOn(emailPage), ['SMS_OTP', 'PASSWORD'], 'the other ways, not the e-mail again');
    assert.equal(await post(agent, emailPage, { factor: 'SMS_OTP' }), '/login/step');
    const smsPage = await page(agent, '/login/step');
    assert.match(smsPage, /Enter the code we texted you/);
    assert.deepEqual(factorsOn(smsPage), ['EMAIL_OTP', 'PASSWORD'], 'the factors offered at the start are kept');
    assert.equal(await post(agent, smsPage, { code: codeOf(username, 'SMS') }), '/profile');
    await signedInAs(agent, username);
  });

  it('a wrong code says so and keeps the step; a malformed one is refused before Cognito; five wrong ones end the sign-in', async function () {
    const username = await user();
    const agent = request.agent(app);
    await post(agent, await start(agent, username), { factor: 'EMAIL_OTP' });
    const codePage = await page(agent, '/login/step');
    const right = codeOf(username);
    const wrong = String((Number(right) + 1) % 100_000_000).padStart(8, '0');
    assert.equal(await post(agent, codePage, { code: wrong }), '/login/step');
    const refused = await page(agent, '/login/step');
    assert.match(refused, /<p class="error" role="alert">The code is not valid; try again\.<\/p>/);
    assert.match(refused, /id="code-form"/);
    emulator.resetCalls();
    assert.equal(await post(agent, refused, { code: 'abc' }), '/login/step');
    assert.match(await page(agent, '/login/step'), /The code must be 6 to 8 digits\./);
    assert.equal(emulator.calls(), 0, 'Cognito is not asked');
    let location = '';
    for (let i = 0; i < 4; i++) location = await post(agent, refused, { code: wrong });
    assert.equal(location, PATH, 'the fifth wrong code ends the sign-in');
    assert.match(await page(agent, PATH), /<p class="error" role="alert">/);
    await agent.get('/profile').set('Accept', HTML).expect(302);
  });

  it('an unknown user gets the same pages as a user with every factor, and nothing is sent', async function () {
    const real = await user({ phone_number: '+15555550178', phone_number_verified: 'true' });
    // The real user gets a passkey too: the unknown one is offered every factor the pool allows.
    const u = new Cognito(poolId, clientId, { username: real, endpoint: emulator.endpoint, region: emulator.region });
    await u.authenticate(PASSWORD);
    const authenticator = new SoftAuthenticator();
    const creation = await u.startWebAuthnRegistration();
    await u.completeWebAuthnRegistration(authenticator.register(creation as unknown as CreationOptions, 'http://localhost:3000').response);

    const normalise = (text: string, username: string): string =>
      text.replace(/name="_csrf" value="[^"]+"/g, 'name="_csrf" value=""').replaceAll(username, 'USER').replace(/localhost:\d+/g, 'localhost')
        .replace(/data-request-options="[^"]*"/, 'data-request-options=""').replace(/<strong>[^<]*\*[^<]*<\/strong>/, '<strong>MASKED</strong>');
    const pages = async (username: string): Promise<string[]> => {
      const agent = request.agent(app);
      const choice = await start(agent, username);
      await post(agent, choice, { factor: 'EMAIL_OTP' });
      const codePage = await page(agent, '/login/step');
      await post(agent, codePage, { code: '12345678' });
      const wrongCode = await page(agent, '/login/step');
      await post(agent, wrongCode, { factor: 'WEB_AUTHN' });
      const passkey = await page(agent, '/login/step');
      return [choice, codePage, wrongCode, passkey].map((p) => normalise(p, username));
    };
    const ghost = 'nobody-at-all';
    const [realPages, ghostPages] = [await pages(real), await pages(ghost)];
    assert.deepEqual(factorsOn(ghostPages[0]), ['EMAIL_OTP', 'SMS_OTP', 'WEB_AUTHN', 'PASSWORD']);
    assert.deepEqual(ghostPages, realPages);
    assert.equal(emulator.outbox({ username: ghost }).length, 0, 'nothing is sent to nobody');
  });

  it('a passkey: the WEB_AUTHN page carries the request options for the package\'s script; the assertion signs in, a bad one is refused', async function () {
    const username = await user();
    const u = new Cognito(poolId, clientId, { username, endpoint: emulator.endpoint, region: emulator.region });
    await u.authenticate(PASSWORD);
    const authenticator = new SoftAuthenticator();
    const origin = 'http://localhost:3000';
    const creation = (await u.startWebAuthnRegistration()) as unknown as CreationOptions;
    await u.completeWebAuthnRegistration(authenticator.register(creation, origin).response);

    for (const bad of [true, false]) {
      const agent = request.agent(app);
      const choice = await start(agent, username);
      assert.deepEqual(factorsOn(choice), ['EMAIL_OTP', 'WEB_AUTHN', 'PASSWORD']);
      assert.match(choice, /id="factor-passkey"[^>]*>Passkey<\/button>/);
      await post(agent, choice, { factor: 'WEB_AUTHN' });
      const passkeyPage = await page(agent, '/login/step');
      assert.match(passkeyPage, /<form method="post" action="\/login\/passwordless" id="passkey-form" data-passkey-sign-in data-autostart\s+data-request-options="/);
      assert.match(passkeyPage, /<input type="hidden" name="credential">/);
      assert.match(passkeyPage, /<script src="\/passkeys\/client\.js" defer><\/script>/);
      assert.doesNotMatch(passkeyPage, /<script(?![^>]*\ssrc=)/, 'no inline script');
      const raw = /data-request-options="([^"]*)"/.exec(passkeyPage)![1];
      const options = JSON.parse(unescapeAttribute(raw)) as RequestOptions;
      assert.equal(options.rpId, PASSKEY_RP_ID);
      const credential = JSON.stringify(authenticator.assert(options, origin, { badSignature: bad }));
      const location = await post(agent, passkeyPage, { credential });
      if (bad) {
        assert.equal(location, PATH);
        assert.match(await page(agent, PATH), /That passkey was not accepted\. Sign in again\./);
      } else {
        assert.equal(location, '/profile');
        await signedInAs(agent, username);
      }
    }
  });

  it('the Security page: no passkeys, add one (with the CSRF header), listed, deleted by its form; an old sign-in cannot add one', async function () {
    const username = await user();
    const agent = request.agent(app);
    const choice = await start(agent, username);
    assert.equal(await post(agent, choice, { factor: 'PASSWORD', password: PASSWORD }), '/profile');
    const empty = await page(agent, '/mfa');
    assert.match(empty, /<h2>Passkeys<\/h2>/);
    assert.match(empty, /id="no-passkeys">No passkeys yet\./);
    const button = /<button type="button" id="add-passkey" data-passkey-register data-passkeys-path="\/passkeys" data-csrf-token="([^"]+)"/.exec(empty);
    assert.ok(button, 'the register button carries the path and the CSRF token');
    assert.match(empty, /needs a sign-in within the last 5 minutes/);
    assert.match(empty, /<script src="\/passkeys\/client\.js" defer><\/script>\s*<script src="\/passkey-page\.js" defer><\/script>/);
    const script = await agent.get('/passkeys/client.js').expect(200).expect('Content-Type', /javascript/);
    assert.match(script.text, /window\.expressCognitoPasskeys/);
    await agent.get('/passkey-page.js').expect(200).expect('Content-Type', /javascript/);

    // What the package's script does: options, navigator.credentials.create (here a software authenticator), the credential.
    const csrf = button[1];
    await agent.post('/passkeys/registration/options').set('Accept', 'application/json').send({}).expect(403);
    const options = await agent.post('/passkeys/registration/options').set('x-csrf-token', csrf).set('Accept', 'application/json').send({}).expect(200);
    const { response } = new SoftAuthenticator().register(options.body.options as CreationOptions, 'http://localhost:3000');
    await agent.post('/passkeys/registration').set('x-csrf-token', csrf).set('Accept', 'application/json').send({ credential: response }).expect(201);
    const listed = await page(agent, '/mfa');
    assert.match(listed, /<table class="passkeys" id="passkey-list">/);
    assert.match(listed, /<td class="passkey-name">Passkey<\/td>\s*<td><span class="nowrap">\d{4}-\d\d-\d\d<\/span> \d\d:\d\d UTC<\/td>\s*<td>this device<\/td>/);
    const id = /name="credentialId" value="([^"]+)"/.exec(listed)![1];
    assert.equal(id, response.id);

    const deleted = await agent.post('/passkeys/delete').set('Accept', HTML).type('form').send({ _csrf: csrfOf(listed), credentialId: id }).expect(303);
    assert.equal(deleted.headers.location, '/mfa');
    const after = await page(agent, '/mfa');
    assert.match(after, /id="passkeys-notice">The passkey is deleted/);
    assert.match(after, /No passkeys yet\./);
    assert.doesNotMatch(await page(agent, '/mfa'), /passkeys-notice/, 'said once');

    emulator.clock.advance(301_000);
    const late = await agent.post('/passkeys/registration/options').set('x-csrf-token', csrf).set('Accept', 'application/json').send({}).expect(401);
    assert.equal(late.body.code, 'ERR_COGNITO_RECENT_SIGN_IN_REQUIRED');
  });

  it('a data folder from before: the set-up adds the factors, the relying party, the client\'s flow and dave', async function () {
    const old = await startEmulator();
    try {
      const [demo] = DEMO_SEED.pools;
      const seed = {
        pools: [{
          ...demo, allowedFirstAuthFactors: undefined,
          clients: demo.clients!.map((c) => ({ ...c, explicitAuthFlows: c.explicitAuthFlows!.filter((f) => f !== 'ALLOW_USER_AUTH') })),
          users: demo.users!.filter((u) => u.username !== DEMO_SMS_USER.username),
        }],
      };
      const pool = (await old.seed(seed)).pools.demo;
      const oldSdk = new CognitoIdentityProviderClient({
        region: old.region, endpoint: old.endpoint, credentials: { accessKeyId: 'emulator', secretAccessKey: 'emulator' },
      });
      const oldClient = Object.values(pool.clients)[0].clientId;
      const done = await setUpPasswordlessDemo({ sdk: oldSdk, poolId: pool.poolId, clientId: oldClient });
      assert.deepEqual([...done.upgraded].sort(), ['client', 'relyingParty', 'signInPolicy', 'smsUser']);
      const upgraded = createApp({
        cognito: { userPoolId: pool.poolId, clientId: oldClient, endpoint: old.endpoint, region: old.region }, sessionSecret: 'y'.repeat(32), passwordless: true,
      });
      const agent = request.agent(upgraded);
      const form = (await agent.get(PATH).set('Accept', HTML).expect(200)).text;
      await agent.post(PATH).type('form').send({ _csrf: csrfOf(form), username: DEMO_SMS_USER.username }).expect(303);
      const choice = (await agent.get('/login/step').set('Accept', HTML).expect(200)).text;
      assert.deepEqual(factorsOn(choice), ['EMAIL_OTP', 'SMS_OTP', 'PASSWORD']);
      await agent.post(PATH).type('form').send({ _csrf: csrfOf(choice), factor: 'SMS_OTP' }).expect(303);
      const code = old.outbox({ username: DEMO_SMS_USER.username, purpose: 'SIGN_IN', channel: 'SMS' }).at(-1)!.code!;
      const signedIn = await agent.post(PATH).type('form').send({ _csrf: csrfOf(choice), code }).expect(303);
      assert.equal(signedIn.headers.location, '/profile');
      assert.deepEqual((await setUpPasswordlessDemo({ sdk: oldSdk, poolId: pool.poolId, clientId: oldClient })).upgraded, []);
      oldSdk.destroy();
    } finally {
      await old.stop();
    }
  });

  it('400s: no username, a factor not offered; a form without its CSRF token is refused', async function () {
    const agent = request.agent(app);
    const form = await page(agent, PATH);
    assert.equal(await post(agent, form, { username: '' }), PATH);
    assert.match(await page(agent, PATH), /Please enter your username\./);
    const choice = await start(agent, 'alice');
    emulator.resetCalls();
    // alice has no phone: a crafted SMS_OTP is refused by the strategy, the choice shown again.
    assert.equal(await post(agent, choice, { factor: 'SMS_OTP' }), '/login/step');
    const again = await page(agent, '/login/step');
    assert.match(again, /The factor must be one of/);
    assert.deepEqual(factorsOn(again), ['EMAIL_OTP', 'PASSWORD']);
    assert.equal(await post(agent, again, { factor: 'PASSWORD' }), '/login/step');
    assert.match(await page(agent, '/login/step'), /The password is required/);
    assert.equal(emulator.calls(), 0, 'Cognito is not asked');
    await agent.post(PATH).set('Accept', HTML).type('form').send({ username: 'alice' }).expect(403);
    // Without the option, there is no such page.
    const plain = createApp({ cognito: { userPoolId: poolId, clientId, endpoint: emulator.endpoint, region: emulator.region }, sessionSecret: 'x'.repeat(32) });
    await request(plain).get(PATH).set('Accept', HTML).expect(404);
    assert.doesNotMatch((await request(plain).get('/login').set('Accept', HTML).expect(200)).text, /passwordless-link/);
  });
});
