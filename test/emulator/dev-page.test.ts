/**
 * The emulator's developer page (`GET /`, JSON at `/_dev/state.json`, `/_dev` redirecting): it
 * lists pools, clients and users and the outbox with its codes, escapes what users chose, sends
 * strict headers, leaves the API routes alone, and never shows a password, verifier, salt, TOTP
 * secret, client secret, refresh token or signing key.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  AssociateSoftwareTokenCommand,
  CognitoIdentityProviderClient,
  ConfirmSignUpCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  ForgotPasswordCommand,
  InitiateAuthCommand,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { startEmulator, type Emulator, type EmulatorSeed } from '../../lib/emulator';
import { createClock } from '../../lib/emulator/clock';
import type { EmulatorContext } from '../../lib/emulator/context';
import { DEV_OUTBOX_SHOWN, DEV_USERS_SHOWN, type DevState } from '../../lib/emulator/dev-state';
import { escapeHtml } from '../../lib/emulator/dev-page';
import { applySeed } from '../../lib/emulator/seed';
import { createRequestListener } from '../../lib/emulator/server';
import { EmulatorStore } from '../../lib/emulator/store';
import { TriggerRegistry } from '../../lib/emulator/triggers';
import { secretHash } from '../../lib/secret-hash';

const PASSWORD = 'Sup3r-Secret-Passw0rd!';
const TEMPORARY = 'Temp-0rary-Passw0rd!';
const SIGN_UP_PASSWORD = 'Sign-Up-Passw0rd!';
const CLIENT_SECRET = 'devpageclientsecretvalue000000000000000000000000000';
const TOTP_SECRET = 'KRUGS4ZANFZSA5DIMUQHI33UOAQHGZLD';
const XSS = '<script>alert("x")</script>';

const SEED: EmulatorSeed = {
  pools: [
    {
      name: 'shop',
      idSuffix: 'ShopPool1',
      mfa: 'OPTIONAL',
      aliasAttributes: ['email'],
      settings: { AutoVerifiedAttributes: ['email'] },
      clients: [
        { name: 'web', clientId: 'webclient00000000000000001', explicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] },
        {
          name: 'backend', clientId: 'backendclient0000000000001', generateSecret: true, clientSecret: CLIENT_SECRET,
          explicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
        },
      ],
      groups: ['admin', 'staff'],
      users: [
        {
          username: 'alice', password: PASSWORD, groups: ['admin', 'staff'],
          attributes: { email: 'alice@example.com', email_verified: 'true', phone_number: '+15555550100' },
          totpSecret: TOTP_SECRET, mfa: { totp: true, sms: true, preferred: 'SOFTWARE_TOKEN_MFA' },
        },
        { username: 'bob', temporaryPassword: TEMPORARY, enabled: false, attributes: { email: 'bob@example.com' } },
        { username: 'erin', password: PASSWORD, attributes: { email: 'erin@example.com', email_verified: 'true' } },
      ],
    },
    { name: 'staff', idSuffix: 'StaffPool1', usernameAttributes: ['email'], clients: [{ name: 'intranet' }] },
  ],
};
const SHOP = 'us-east-1_ShopPool1';
const STAFF = 'us-east-1_StaffPool1';

function sdkFor(endpoint: string): CognitoIdentityProviderClient {
  return new CognitoIdentityProviderClient({ region: 'us-east-1', endpoint, credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1 });
}

/** The text of an HTML fragment: tags dropped, whitespace collapsed (for "the page says …" checks). */
function textOf(html: string): string {
  return html.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ');
}

/** The `<section id="…">` of the page with this id. */
function section(html: string, id: string): string {
  const start = html.indexOf(`<section id="${id}"`);
  assert.ok(start >= 0, `no section ${id}`);
  return html.slice(start, html.indexOf('</section>', start));
}

/** The HTML row of a table whose first cell contains `needle`. */
function row(html: string, needle: string): string {
  const found = html.split('<tr>').find((r) => r.includes(needle));
  assert.ok(found, `no row with ${needle}`);
  return found.slice(0, found.indexOf('</tr>'));
}

/** Every key of a JSON value, at any depth. */
function keysOf(value: unknown, into: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) keysOf(v, into);
  else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) {
      into.push(k);
      keysOf(v, into);
    }
  }
  return into;
}

describe('emulator: developer page', () => {
  let emulator: Emulator;
  let sdk: CognitoIdentityProviderClient;
  const page = async (path = '/', init?: RequestInit): Promise<string> => {
    const res = await fetch(`${emulator.endpoint}${path}`, init);
    assert.equal(res.status, 200, path);
    return res.text();
  };

  before(async () => {
    emulator = await startEmulator();
    await emulator.seed(SEED);
    sdk = sdkFor(emulator.endpoint);
  });
  after(async () => {
    sdk.destroy();
    await emulator.stop();
  });

  it('lists each pool with its settings, app clients and users', async () => {
    const html = await page();
    const shop = section(html, `pool-${SHOP}`);
    assert.match(textOf(shop), new RegExp(`^ shop ${SHOP} `));
    assert.match(textOf(shop), /MFA OPTIONAL Username attributes none Aliases email Auto-verified email Usernames case-sensitive Groups admin , staff/);
    assert.ok(shop.includes(`href="/${SHOP}/.well-known/jwks.json"`));

    assert.equal(textOf(row(shop, 'webclient00000000000000001')).trim(), 'webclient00000000000000001 web no ALLOW_USER_SRP_AUTH , ALLOW_REFRESH_TOKEN_AUTH');
    assert.equal(textOf(row(shop, 'backendclient0000000000001')).trim(),
      'backendclient0000000000001 backend yes ALLOW_USER_PASSWORD_AUTH , ALLOW_REFRESH_TOKEN_AUTH');

    assert.equal(textOf(row(shop, '<code>alice</code>')).trim(),
      'alice CONFIRMED yes alice@example.com verified +15555550100 not verified admin , staff TOTP (preferred), SMS');
    assert.equal(textOf(row(shop, '<code>bob</code>')).trim(), 'bob FORCE_CHANGE_PASSWORD no bob@example.com not verified none none none');

    const staff = section(html, `pool-${STAFF}`);
    assert.match(textOf(staff), /MFA OFF Username attributes email Aliases none/);
    assert.match(textOf(staff), /App clients 1 .* intranet no/);
    assert.match(textOf(staff), /Users 0 No users\./);
    // Two pools: filter links for each.
    assert.ok(html.includes(`href="/?pool=${SHOP}"`) && html.includes(`href="/?pool=${STAFF}"`));
  });

  it('shows sign-up and reset codes newest first, on the emulator clock, enough to finish a sign-up by hand', async () => {
    emulator.clock.set(Date.UTC(2030, 0, 2, 3, 4, 5));
    try {
      await sdk.send(new SignUpCommand({
        ClientId: 'webclient00000000000000001', Username: 'dora', Password: SIGN_UP_PASSWORD,
        UserAttributes: [{ Name: 'email', Value: 'dora@example.com' }],
      }));
      emulator.clock.advance(60_000);
      await sdk.send(new ForgotPasswordCommand({ ClientId: 'webclient00000000000000001', Username: 'erin' }));
      const sent = emulator.outbox();
      const [signUp, reset] = [sent.find((m) => m.purpose === 'SIGN_UP')!, sent.find((m) => m.purpose === 'FORGOT_PASSWORD')!];

      const html = await page();
      const outbox = section(html, 'outbox');
      const codes = [...outbox.matchAll(/<span class="code">(\d{6})<\/span>/g)].map((m) => m[1]);
      assert.deepEqual(codes, [reset.code, signUp.code], 'newest first');
      assert.match(textOf(row(outbox, signUp.code!)),
        new RegExp(`2030-01-02 03:04:\\d\\d UTC .* ${signUp.code} EMAIL dora@example\\.com SIGN_UP dora shop Your verification code is ${signUp.code}\\.`));
      assert.match(textOf(row(outbox, reset.code!)), /2030-01-02 03:05:\d\d UTC just now .* EMAIL erin@example\.com FORGOT_PASSWORD erin shop Your password reset code/);
      assert.match(textOf(outbox), /Outbox 2 messages, newest first/);
      assert.match(textOf(row(section(html, `pool-${SHOP}`), '<code>dora</code>')), /dora UNCONFIRMED yes dora@example\.com not verified/);

      // The person reads the code off the page and confirms.
      await sdk.send(new ConfirmSignUpCommand({ ClientId: 'webclient00000000000000001', Username: 'dora', ConfirmationCode: codes[1] }));
      assert.match(textOf(row(section(await page(), `pool-${SHOP}`), '<code>dora</code>')), /dora CONFIRMED yes dora@example\.com verified/);
    } finally {
      emulator.clock.reset();
    }
  });

  it('?pool= narrows the pools and the outbox to one pool; an unknown pool is a 404 page', async () => {
    const html = await page(`/?pool=${STAFF}`);
    assert.ok(html.includes(`id="pool-${STAFF}"`));
    assert.ok(!html.includes(`id="pool-${SHOP}"`));
    assert.match(textOf(section(html, 'outbox')), /Outbox 0 messages/);
    assert.ok(html.includes(`<a href="/?pool=${STAFF}" class="on" aria-current="page">staff</a>`));

    const missing = await fetch(`${emulator.endpoint}/?pool=${encodeURIComponent(XSS)}`);
    assert.equal(missing.status, 404);
    const text = await missing.text();
    assert.ok(text.includes(`No user pool <code>${escapeHtml(XSS)}</code>`));
    assert.ok(!text.includes('<script'));
  });

  it('escapes every value users choose: usernames, attributes, pool and client names, message templates', async () => {
    const { UserPool } = await sdk.send(new CreateUserPoolCommand({
      PoolName: `<b>pool</b>${XSS}`,
      AutoVerifiedAttributes: ['email'],
      VerificationMessageTemplate: { EmailMessage: `<p onclick="x()">Code {####}</p>${XSS}` },
    }));
    const { UserPoolClient } = await sdk.send(new CreateUserPoolClientCommand({
      UserPoolId: UserPool!.Id!, ClientName: `"><img src=x onerror=alert(1)>`, ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH'],
    }));
    await sdk.send(new SignUpCommand({
      ClientId: UserPoolClient!.ClientId!, Username: XSS, Password: SIGN_UP_PASSWORD,
      UserAttributes: [{ Name: 'email', Value: `"><script>alert(2)</script>@evil.test` }],
    }));
    const html = await page();
    assert.ok(!/<script|<img|<b>|<p onclick/i.test(html), 'no user-chosen markup survives');
    assert.ok(html.includes(`<code>${escapeHtml(XSS)}</code>`), 'the username, escaped');
    assert.ok(html.includes(escapeHtml('"><script>alert(2)</script>@evil.test')), 'the e-mail, escaped');
    assert.ok(html.includes(escapeHtml(`<b>pool</b>${XSS}`)), 'the pool name, escaped');
    assert.ok(html.includes(escapeHtml(`"><img src=x onerror=alert(1)>`)), 'the client name, escaped');
    assert.match(html, /&#60;p onclick=&#34;x\(\)&#34;&#62;Code \d{6}&#60;\/p&#62;/, 'the message, as text');
    assert.equal(escapeHtml(`&<>"'`), '&#38;&#60;&#62;&#34;&#39;');
  });

  it('sends strict headers and no script; no CORS headers, so another origin cannot read the codes', async () => {
    const res = await fetch(`${emulator.endpoint}/`);
    assert.equal(res.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.equal(res.headers.get('content-security-policy'),
      "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(res.headers.get('cache-control'), 'no-store');
    assert.equal(res.headers.get('referrer-policy'), 'no-referrer');
    assert.equal(res.headers.get('vary'), 'Accept');
    assert.equal(res.headers.get('access-control-allow-origin'), null);
    const html = await res.text();
    assert.ok(html.startsWith('<!doctype html>'));
    assert.ok(!/<script|<[^>]*\son\w+=|javascript:/i.test(html), 'no script, no handlers');
    assert.ok(html.includes('<meta name="viewport" content="width=device-width, initial-scale=1">'));
  });

  it('HEAD answers the headers alone; /_dev redirects to /; other methods are 405', async () => {
    const head = await fetch(`${emulator.endpoint}/`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.ok(Number(head.headers.get('content-length')) > 1000);
    assert.equal(await head.text(), '');

    for (const path of ['/_dev', '/_dev/']) {
      const res = await fetch(`${emulator.endpoint}${path}?pool=${SHOP}`, { redirect: 'manual' });
      assert.equal(res.status, 302, path);
      assert.equal(res.headers.get('location'), `/?pool=${SHOP}`);
      assert.equal(res.headers.get('cache-control'), 'no-store');
      await res.text();
    }
    assert.ok((await page('/_dev')).includes(`id="pool-${SHOP}"`), 'fetch follows the redirect');

    for (const [method, path, allow] of [
      ['PUT', '/', 'GET, HEAD, POST, OPTIONS'], ['DELETE', '/', 'GET, HEAD, POST, OPTIONS'], ['POST', '/_dev/state.json', 'GET, HEAD, OPTIONS'],
    ]) {
      const res = await fetch(`${emulator.endpoint}${path}`, { method, body: method === 'DELETE' ? null : '{}' });
      assert.equal(res.status, 405, `${method} ${path}`);
      assert.equal(res.headers.get('allow'), allow);
      assert.deepEqual(await res.json(), { message: 'Method Not Allowed' });
    }
  });

  it('leaves the API alone: POST / is AWS JSON 1.1, OPTIONS is a CORS preflight, well-known and unknown paths as before', async () => {
    const api = await fetch(`${emulator.endpoint}/`, { method: 'POST', headers: { 'x-amz-target': 'AWSCognitoIdentityProviderService.Nope' }, body: '{}' });
    assert.equal(api.status, 400);
    assert.equal(api.headers.get('x-amzn-errortype'), 'UnknownOperationException');
    assert.equal(api.headers.get('access-control-allow-origin'), '*');
    await api.text();
    const preflight = await fetch(`${emulator.endpoint}/`, { method: 'OPTIONS' });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get('access-control-allow-origin'), '*');
    const jwks = await fetch(`${emulator.issuer(SHOP)}/.well-known/jwks.json`);
    assert.equal(jwks.status, 200);
    assert.equal(((await jwks.json()) as { keys: unknown[] }).keys.length, 1);
    for (const path of ['/nothing/here', '/_dev/nope', '/_devx', '/state.json']) {
      const res = await fetch(`${emulator.endpoint}${path}`);
      assert.equal(res.status, 404, path);
      assert.deepEqual(await res.json(), { message: 'Not Found' });
    }
  });

  it('has a JSON form at /_dev/state.json and for Accept: application/json, with the same filter', async () => {
    const res = await fetch(`${emulator.endpoint}/_dev/state.json?pool=${SHOP}`);
    assert.equal(res.headers.get('content-type'), 'application/json; charset=utf-8');
    assert.equal(res.headers.get('cache-control'), 'no-store');
    assert.equal(res.headers.get('access-control-allow-origin'), null);
    const state = (await res.json()) as DevState;
    assert.equal(state.poolId, SHOP);
    assert.deepEqual(state.pools.map((p) => p.id), [SHOP]);
    const shop = state.pools[0];
    assert.deepEqual(
      { mfa: shop.mfa, aliases: shop.aliasAttributes, auto: shop.autoVerifiedAttributes, issuer: shop.issuer },
      { mfa: 'OPTIONAL', aliases: ['email'], auto: ['email'], issuer: emulator.issuer(SHOP) },
    );
    assert.deepEqual(shop.clients.find((c) => c.clientName === 'backend'),
      { clientId: 'backendclient0000000000001', clientName: 'backend', hasSecret: true, explicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] });
    const alice = shop.users.find((u) => u.username === 'alice')!;
    assert.deepEqual(
      { email: alice.email, phone: alice.phoneNumber, groups: alice.groups, mfa: alice.mfa },
      {
        email: { value: 'alice@example.com', verified: true }, phone: { value: '+15555550100', verified: false },
        groups: ['admin', 'staff'], mfa: { enabled: ['SOFTWARE_TOKEN_MFA', 'SMS_MFA'], preferred: 'SOFTWARE_TOKEN_MFA' },
      },
    );
    const expected = emulator.outbox({ poolId: SHOP }).reverse();
    assert.deepEqual(state.outbox.map((m) => m.code), expected.map((m) => m.code));
    assert.equal(state.outboxCount, expected.length);

    const negotiated = await fetch(`${emulator.endpoint}/`, { headers: { accept: 'application/json' } });
    assert.equal(negotiated.headers.get('content-type'), 'application/json; charset=utf-8');
    assert.ok(((await negotiated.json()) as DevState).pools.length >= 2);
    const browser = await fetch(`${emulator.endpoint}/`, { headers: { accept: 'text/html,application/xhtml+xml,application/json;q=0.9,*/*;q=0.8' } });
    assert.equal(browser.headers.get('content-type'), 'text/html; charset=utf-8');
    await browser.text();
  });
});

describe('emulator: developer page shows no secrets, and caps long lists', () => {
  // The listener startEmulator() uses, over loopback, with a context the test holds: every secret
  // the store keeps can be listed and looked for.
  let ctx: EmulatorContext;
  let server: Server;
  let endpoint = '';
  let sdk: CognitoIdentityProviderClient;

  before(async () => {
    ctx = { store: new EmulatorStore(), clock: createClock(), region: 'us-east-1', issuer: (id) => `${endpoint}/${id}`, triggers: new TriggerRegistry(undefined) };
    server = createServer(createRequestListener({ ctx, faults: () => ({}), count: () => undefined, delay: () => Promise.resolve() }));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    sdk = sdkFor(endpoint);
    await applySeed(ctx, SEED);
  });
  after(async () => {
    sdk.destroy();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('a page that cannot be built is a 500 that leaks nothing, and the server keeps serving', async () => {
    const broken = createServer(createRequestListener({
      ctx: { store: undefined } as never, faults: () => ({}), count: () => undefined, delay: () => Promise.resolve(),
    }));
    await new Promise<void>((resolve) => broken.listen(0, '127.0.0.1', resolve));
    try {
      const base = `http://127.0.0.1:${(broken.address() as AddressInfo).port}`;
      for (let i = 0; i < 2; i++) {
        const res = await fetch(`${base}/`);
        assert.equal(res.status, 500);
        assert.deepEqual(await res.json(), { __type: 'InternalErrorException', message: 'Internal server error.' });
      }
    } finally {
      broken.closeAllConnections();
      await new Promise((resolve) => broken.close(resolve));
    }
  });

  it('never includes passwords, verifiers, salts, TOTP secrets, client secrets, refresh tokens or private keys', async () => {
    const clientId = 'backendclient0000000000001';
    const login = await sdk.send(new InitiateAuthCommand({
      ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: 'erin', PASSWORD, SECRET_HASH: secretHash('erin', clientId, CLIENT_SECRET) },
    }));
    await sdk.send(new AssociateSoftwareTokenCommand({ AccessToken: login.AuthenticationResult!.AccessToken }));
    await sdk.send(new SignUpCommand({
      ClientId: 'webclient00000000000000001', Username: 'dora', Password: SIGN_UP_PASSWORD, UserAttributes: [{ Name: 'email', Value: 'dora@example.com' }],
    }));

    const secrets = new Map<string, string>([
      ['password', PASSWORD], ['temporary password', TEMPORARY], ['sign-up password', SIGN_UP_PASSWORD], ['client secret', CLIENT_SECRET],
    ]);
    for (const pool of ctx.store.pools.values()) {
      for (const user of pool.users.values()) {
        if (user.password) {
          secrets.set(`salt of ${user.username}`, user.password.salt.toString(16));
          secrets.set(`salt of ${user.username} (decimal)`, user.password.salt.toString());
          secrets.set(`verifier of ${user.username}`, user.password.verifier.toString(16).slice(0, 32));
        }
        if (user.mfa.totpSecret) secrets.set(`TOTP secret of ${user.username}`, user.mfa.totpSecret);
        if (user.mfa.pendingTotpSecret) secrets.set(`pending TOTP secret of ${user.username}`, user.mfa.pendingTotpSecret);
      }
      for (const client of pool.clients.values()) if (client.clientSecret) secrets.set(`secret of ${client.clientName}`, client.clientSecret);
      for (const key of pool.keyRing.keys) {
        const jwk = key.privateKey.export({ format: 'jwk' });
        for (const part of ['d', 'p', 'q', 'dp', 'dq', 'qi'] as const) secrets.set(`key ${part} of ${pool.name}`, String(jwk[part]).slice(0, 32));
        const pem = key.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
        secrets.set(`PEM of ${pool.name}`, pem.split('\n')[5]);
      }
    }
    for (const token of ctx.store.refreshTokens.keys()) secrets.set('refresh token', token.slice(0, 40));
    assert.ok(login.AuthenticationResult!.RefreshToken?.startsWith(secrets.get('refresh token')!), 'the refresh token is in the list');
    assert.ok(secrets.has('pending TOTP secret of erin') && secrets.has('salt of alice') && secrets.has('PEM of shop'));
    for (const [what, value] of secrets) assert.ok(value.length >= 8, `${what} is long enough to look for`);

    const code = ctx.store.outbox.at(-1)!.code!;
    for (const path of ['/', `/?pool=${SHOP}`, '/_dev/state.json', `/_dev/state.json?pool=${SHOP}`]) {
      const body = await (await fetch(`${endpoint}${path}`)).text();
      assert.ok(body.includes(code), `${path} shows the sign-up code (the page is not empty)`);
      for (const [what, value] of secrets) assert.ok(!body.toLowerCase().includes(value.toLowerCase()), `${path} shows the ${what}`);
    }
    const keys = keysOf(await (await fetch(`${endpoint}/_dev/state.json`)).json());
    const forbidden = keys.filter((k) => /password|verifier|salt|secret|token|key|private/i.test(k) && k !== 'hasSecret');
    assert.deepEqual(forbidden, []);
  });

  it(`lists at most ${DEV_USERS_SHOWN} users per pool and the newest ${DEV_OUTBOX_SHOWN} messages, and says how many more`, async () => {
    const pool = ctx.store.pool(STAFF);
    const template = ctx.store.pool(SHOP).users.get('erin')!;
    for (let i = 0; i < DEV_USERS_SHOWN + 5; i++) pool.users.set(`user${i}`, { ...template, username: `user${i}`, groups: new Set() });
    const start = ctx.clock.now();
    for (let i = 0; i < DEV_OUTBOX_SHOWN + 30; i++) {
      ctx.store.outbox.push({
        channel: 'SMS', destination: '+15555550199', poolId: STAFF, username: `user${i}`, purpose: 'MFA',
        code: String(100000 + i), message: `Your authentication code is ${100000 + i}. `, sentAt: start + i,
      });
    }
    const html = await (await fetch(`${endpoint}/?pool=${STAFF}`)).text();
    const staff = section(html, `pool-${STAFF}`);
    const users = staff.slice(staff.indexOf('<h3>Users'));
    assert.equal(users.split('<tr>').length - 2, DEV_USERS_SHOWN, 'rows besides the heading row');
    assert.ok(staff.includes(`<code>user${DEV_USERS_SHOWN - 1}</code>`) && !staff.includes(`<code>user${DEV_USERS_SHOWN}</code>`));
    assert.match(textOf(staff), /Users 205 .*… and 5 more/);
    const outbox = section(html, 'outbox');
    const codes = [...outbox.matchAll(/<span class="code">(\d{6})<\/span>/g)].map((m) => Number(m[1]));
    assert.equal(codes.length, DEV_OUTBOX_SHOWN);
    assert.equal(codes[0], 100000 + DEV_OUTBOX_SHOWN + 29, 'the newest first');
    assert.equal(codes.at(-1), 100030);
    assert.match(textOf(outbox), new RegExp(`Outbox ${DEV_OUTBOX_SHOWN + 30} messages, newest first .*Showing the newest ${DEV_OUTBOX_SHOWN} of ${DEV_OUTBOX_SHOWN + 30}\\.`));
    const state = (await (await fetch(`${endpoint}/_dev/state.json?pool=${STAFF}`)).json()) as DevState;
    assert.deepEqual([state.pools[0].users.length, state.pools[0].userCount, state.outbox.length, state.outboxCount], [200, 205, 200, 230]);
  });
});
