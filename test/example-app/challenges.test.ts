// The example app's pages for the sign-in steps the demo users don't reach: MFA_SETUP (QR code of
// the otpauth:// URI, drawn server-side), SMS_MFA and SELECT_MFA_TYPE, against an emulator pool
// that requires MFA.
import { strict as assert } from 'node:assert';
import request from 'supertest';
import type { Express } from 'express';
import { startEmulator, type Emulator, type EmulatorSeed } from 'express-cognito/emulator';
import { generateTotp } from '../../lib/totp';
import { createApp } from '../../example-app/app';

const HTML = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
const TOTP_SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';

const SEED: EmulatorSeed = {
  pools: [
    {
      name: 'strict',
      mfa: 'ON',
      clients: [{ name: 'web', explicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] }],
      users: [
        // No MFA yet in a pool that requires it: MFA_SETUP.
        { username: 'dave', password: 'Passw0rd!' },
        // SMS only: SMS_MFA.
        { username: 'erin', password: 'Passw0rd!', attributes: { phone_number: '+15555550100', phone_number_verified: 'true' }, mfa: { sms: true } },
        // Both, no preference: SELECT_MFA_TYPE.
        {
          username: 'frank',
          password: 'Passw0rd!',
          attributes: { phone_number: '+15555550101', phone_number_verified: 'true' },
          totpSecret: TOTP_SECRET,
          mfa: { sms: true, totp: true },
        },
      ],
    },
  ],
};

type Agent = ReturnType<typeof request.agent>;

function csrfOf(page: string): string {
  const m = /name="_csrf" value="([^"]+)"/.exec(page);
  assert.ok(m, 'the page has a CSRF field');
  return m[1];
}

describe('example app: MFA setup, SMS and MFA-type steps (supertest)', function () {
  let emulator: Emulator;
  let app: Express;

  before(async function () {
    emulator = await startEmulator();
    const pool = (await emulator.seed(SEED)).pools.strict;
    app = createApp({
      cognito: { userPoolId: pool.poolId, clientId: pool.clients.web.clientId, endpoint: emulator.endpoint, region: emulator.region },
      sessionSecret: 'example-app challenges test secret',
      appName: 'Example <App>',
    });
  });

  after(async function () {
    await emulator?.stop();
  });

  // Post/Redirect/Get: every login POST is a 303; this follows it to the page it leads to.
  async function post(agent: Agent, fields: Record<string, string>, location = '/login/step'): Promise<request.Response> {
    const res = await agent.post('/login').set('Accept', HTML).type('form').send(fields);
    assert.equal(res.status, 303);
    assert.equal(res.headers.location, location);
    return location === '/profile' ? res : agent.get(location).set('Accept', HTML).expect(200);
  }

  async function login(agent: Agent, username: string): Promise<request.Response> {
    const page = await agent.get('/login').set('Accept', HTML).expect(200);
    return post(agent, { _csrf: csrfOf(page.text), username, password: 'Passw0rd!' });
  }

  async function profileName(agent: Agent): Promise<string | undefined> {
    const res = await agent.get('/profile').set('Accept', HTML).expect(200);
    return /<span id="profile-username">([^<]*)<\/span>/.exec(res.text)?.[1];
  }

  it('MFA_SETUP: shows the key as a QR code (inline SVG) and as text, keeps them after a wrong code, then signs in', async function () {
    const agent = request.agent(app);
    const step = await login(agent, 'dave');
    assert.match(step.text, /Set up two-step verification/);
    assert.match(step.text, /<div class="qr" id="qr"[^>]*><svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[^>]*>.*<path/s);
    const secret = /<span class="secret" id="secret-code">([A-Z2-7]+)<\/span>/.exec(step.text)?.[1];
    assert.ok(secret && secret.length >= 16, 'the secret is shown as text');
    assert.doesNotMatch(step.text, /<App>/, 'the app name is escaped');

    const right = generateTotp(secret, emulator.clock.now());
    const wrong = String((Number(right) + 500_000) % 1_000_000).padStart(6, '0');
    const again = await post(agent, { _csrf: csrfOf(step.text), code: wrong });
    assert.match(again.text, /class="error"/);
    assert.match(again.text, /<svg/);
    assert.match(again.text, new RegExp(`id="secret-code">${secret}<`));
    const malformed = await post(agent, { _csrf: csrfOf(again.text), code: '12ab' });
    assert.match(malformed.text, /class="error"/);
    assert.match(malformed.text, /<svg/);
    assert.match(malformed.text, new RegExp(`id="secret-code">${secret}<`));
    // A reload draws the same key again, asks Cognito nothing, and shows no error.
    const calls = emulator.calls();
    const reload = await agent.get('/login/step').set('Accept', HTML).expect(200);
    assert.match(reload.text, new RegExp(`id="secret-code">${secret}<`));
    assert.doesNotMatch(reload.text, /class="error"/);
    assert.equal(emulator.calls(), calls);

    await post(agent, { _csrf: csrfOf(reload.text), code: right }, '/profile');
    assert.equal(await profileName(agent), 'dave');
  });

  it('SMS_MFA: says where the code went and takes the code from the text message', async function () {
    const agent = request.agent(app);
    const step = await login(agent, 'erin');
    assert.match(step.text, /Enter the code we texted you/);
    assert.match(step.text, /A six-digit code was sent to \+\*+0100\./);
    const sms = emulator.smsOutbox('erin').at(-1);
    assert.ok(sms, 'the emulator sent a text');
    // After a wrong code the page still says where the code went.
    const wrong = String((Number(sms.code) + 1) % 1_000_000).padStart(6, '0');
    const again = await post(agent, { _csrf: csrfOf(step.text), code: wrong });
    assert.match(again.text, /class="error"/);
    assert.match(again.text, /A six-digit code was sent to \+\*+0100\./);
    await post(agent, { _csrf: csrfOf(again.text), code: sms.code }, '/profile');
    assert.equal(await profileName(agent), 'erin');
  });

  it('SELECT_MFA_TYPE: offers the factors, then asks for the chosen one', async function () {
    const agent = request.agent(app);
    const step = await login(agent, 'frank');
    assert.match(step.text, /How do you want to verify it's you\?/);
    assert.match(step.text, /value="SOFTWARE_TOKEN_MFA"/);
    assert.match(step.text, /value="SMS_MFA"/);

    const totp = await post(agent, { _csrf: csrfOf(step.text), mfaType: 'SOFTWARE_TOKEN_MFA' });
    assert.match(totp.text, /Enter your authenticator code/);
    await post(agent, { _csrf: csrfOf(totp.text), code: generateTotp(TOTP_SECRET, emulator.clock.now()) }, '/profile');
    assert.equal(await profileName(agent), 'frank');
  });
});
