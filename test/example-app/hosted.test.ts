// The example app's hosted-UI sign-in, federated sign-in, hosted logout and machine-to-machine API,
// over HTTP: the app (example-app/app.ts) with the very setup `npm start` makes (example-app/
// hosted-demo.ts) on an in-process emulator. A small cookie jar per origin and path plays the browser,
// across the app's origin and the emulator's (whose two pool domains have cookies of the same name).
import { strict as assert } from 'node:assert';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { CognitoIdentityProviderClient, InitiateAuthCommand } from '@aws-sdk/client-cognito-identity-provider';
import { clientCredentials } from 'express-cognito';
import { DEMO_SEED, startEmulator, type Emulator } from 'express-cognito/emulator';
import { createApp } from '../../example-app/app';
import { DEMO_API_SCOPE, DEMO_IDP_USER, setUpHostedDemo, type HostedDemo } from '../../example-app/hosted-demo';

const HTML = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
const JWT = /eyJ[\w-]{10,}\.[\w-]{10,}\./;

interface Cookie {
  name: string;
  value: string;
  path: string;
}

/** Cookies per origin, with their paths; redirects not followed. */
class Browser {
  private readonly jars = new Map<string, Cookie[]>();
  readonly visited: string[] = [];
  async go(url: string, init: RequestInit = {}): Promise<Response> {
    const u = new URL(url);
    const jar = this.jars.get(u.origin) ?? [];
    this.jars.set(u.origin, jar);
    const cookie = jar.filter((c) => u.pathname.startsWith(c.path)).map((c) => `${c.name}=${c.value}`).join('; ');
    this.visited.push(url);
    const res = await fetch(url, {
      ...init, redirect: 'manual', headers: { accept: HTML, ...(init.headers as Record<string, string>), ...(cookie ? { cookie } : {}) },
    });
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';').map((s) => s.trim());
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const path = attributes.find((a) => /^path=/i.test(a))?.slice(5) ?? '/';
      const gone = attributes.some((a) => /^max-age=0$/i.test(a) || /^expires=.*1970/i.test(a));
      const kept = jar.filter((c) => !(c.name === name && c.path === path));
      if (!gone) kept.push({ name, value: pair.slice(eq + 1), path });
      jar.splice(0, jar.length, ...kept);
    }
    return res;
  }

  /** Drops the cookies of one origin (as when the app's session cookie expires). */
  forget(origin: string): void {
    this.jars.delete(origin);
  }
}

function hiddenFields(page: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of page.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) out[m[1]] = m[2];
  return out;
}

function csrfOf(page: string): string {
  const m = /name="_csrf" value="([^"]+)"/.exec(page);
  assert.ok(m, 'the page has a CSRF field');
  return m[1];
}

describe('example app: hosted UI, federated sign-in, hosted logout, machine to machine', function () {
  this.timeout(30_000);
  let emulator: Emulator;
  let server: Server;
  let base = '';
  let local = '';
  let demo: HostedDemo;
  let poolId = '';
  let webClientId = '';
  let sdk: CognitoIdentityProviderClient;

  before(async () => {
    emulator = await startEmulator();
    const pool = (await emulator.seed(DEMO_SEED)).pools.demo;
    poolId = pool.poolId;
    webClientId = Object.values(pool.clients)[0].clientId;
    // The port is in the callback URLs: listening first, the app attached once set up (as server.ts does).
    server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    base = `http://127.0.0.1:${port}`;
    local = `http://localhost:${port}`;
    sdk = new CognitoIdentityProviderClient({
      region: emulator.region, endpoint: emulator.endpoint, credentials: { accessKeyId: 'emulator', secretAccessKey: 'emulator' },
    });
    demo = await setUpHostedDemo({ emulator, sdk, poolId, clientId: webClientId, origins: [local, base], apiUrl: `${base}/api/orders` });
    const app = createApp({
      cognito: { userPoolId: poolId, clientId: webClientId, endpoint: emulator.endpoint, region: emulator.region, client: sdk },
      sessionSecret: 'example-app hosted test secret',
      demo: { users: [{ username: 'alice', password: 'Passw0rd!', note: 'admin' }] },
      hosted: demo.hosted,
    });
    server.on('request', app);
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await emulator.stop();
  });

  /**
   * Follows redirects from `url` across the app and the emulator; on a hosted sign-in form (of
   * either pool), types `credentials`. Ends at the first page that is no redirect.
   */
  async function drive(browser: Browser, url: string, credentials?: { username: string; password: string }): Promise<Response> {
    let res = await browser.go(url);
    let current = url;
    for (let hops = 0; hops < 15; hops++) {
      if (res.status >= 300 && res.status < 400) {
        current = new URL(res.headers.get('location')!, current).toString();
        res = await browser.go(current);
        continue;
      }
      if (credentials && res.status === 200 && current.startsWith(`${emulator.endpoint}/domain/`)) {
        const page = await res.text();
        const action = /<form method="post" action="([^"]+)"/.exec(page);
        assert.ok(action, `a sign-in form at ${current}`);
        current = new URL(action[1], current).toString();
        res = await browser.go(current, {
          method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ ...hiddenFields(page), ...credentials }).toString(),
        });
        credentials = undefined;
        continue;
      }
      return res;
    }
    throw new Error('too many redirects');
  }

  const alice = { username: 'alice', password: 'Passw0rd!' };

  it('the login page offers the hosted page and DemoIdP; the CSP lets the logout redirect reach the pool domain', async () => {
    const res = await new Browser().go(`${base}/login`);
    const page = await res.text();
    assert.match(page, /<a class="button secondary" id="hosted-link" href="\/auth\/hosted">Sign in with the hosted page<\/a>/);
    assert.match(page, /<a class="button secondary" id="federated-link" href="\/auth\/federated">Sign in with DemoIdP<\/a>/);
    const csp = res.headers.get('content-security-policy') ?? '';
    assert.match(csp, new RegExp(`form-action 'self' ${emulator.endpoint.replace(/[.]/g, '\\.')};`));
    // Without the option: no buttons, and form-action is the app's alone.
    const plain = createApp({ cognito: { userPoolId: poolId, clientId: webClientId, endpoint: emulator.endpoint }, sessionSecret: 'x'.repeat(32) });
    const without = await request(plain).get('/login').set('Accept', HTML).expect(200);
    assert.doesNotMatch(without.text, /hosted-link|federated-link/);
    assert.match(without.headers['content-security-policy'] ?? '', /form-action 'self';/);
    await request(plain).get('/auth/hosted').expect(404);
  });

  it('hosted sign-in → /profile; logout goes through the hosted /logout; the next hosted sign-in shows the form again', async () => {
    const browser = new Browser();
    const start = await browser.go(`${base}/auth/hosted`);
    assert.equal(start.status, 302);
    const authorize = new URL(start.headers.get('location')!);
    assert.equal(authorize.origin + authorize.pathname, `${demo.domainUrl}/oauth2/authorize`);
    assert.equal(authorize.searchParams.get('redirect_uri'), `${base}/auth/callback`);
    assert.equal(authorize.searchParams.get('scope'), 'openid email profile aws.cognito.signin.user.admin');

    const profile = await drive(browser, authorize.toString(), alice);
    assert.equal(profile.status, 200);
    assert.equal(browser.visited.at(-1), `${base}/profile`);
    const page = await profile.text();
    assert.match(page, /Hello, <span id="profile-username">alice<\/span>/);
    assert.match(page, /<span class="tag">admin<\/span>/);
    assert.match(page, /alice@example\.com/, 'GetUser works with the hosted access token');
    assert.match(page, /<a href="\/m2m">M2M<\/a>/);
    const me = (await (await browser.go(`${base}/api/me`, { headers: { accept: 'application/json' } })).json()) as { scopes: string[] };
    assert.deepEqual(me.scopes, ['openid', 'email', 'profile', 'aws.cognito.signin.user.admin']);

    const out = await browser.go(`${base}/logout`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `_csrf=${encodeURIComponent(csrfOf(page))}`,
    });
    assert.equal(out.status, 302);
    const hostedLogout = new URL(out.headers.get('location')!);
    assert.equal(hostedLogout.origin + hostedLogout.pathname, `${demo.domainUrl}/logout`);
    assert.deepEqual([hostedLogout.searchParams.get('client_id'), hostedLogout.searchParams.get('logout_uri')],
      [webClientId, `${base}/login?loggedOut=1`]);
    const back = await drive(browser, hostedLogout.toString());
    assert.equal(browser.visited.at(-1), `${base}/login?loggedOut=1`);
    assert.match(await back.text(), /You have been logged out/);
    const guarded = await browser.go(`${base}/profile`);
    assert.equal(guarded.status, 302);
    assert.equal(guarded.headers.get('location'), '/login?returnTo=%2Fprofile');

    // The managed-login session ended too: Cognito asks for the password again.
    const again = await browser.go((await browser.go(`${base}/auth/hosted`)).headers.get('location')!);
    assert.equal(again.status, 302);
    assert.match(again.headers.get('location')!, /^\/domain\/demo\/login\?/);
  });

  it('while the managed-login session lasts, a second hosted sign-in needs no form; returnTo is kept through it', async () => {
    const browser = new Browser();
    await drive(browser, `${base}/auth/hosted`, alice);
    assert.equal(browser.visited.at(-1), `${base}/profile`);
    // The app's session is gone (its cookie expired, say); Cognito's managed-login session is not.
    browser.forget(base);
    const seen = browser.visited.length;
    const admin = await drive(browser, `${base}/auth/hosted?returnTo=%2Fadmin`);
    assert.ok(!browser.visited.slice(seen).some((u) => u.includes('/domain/demo/login')), 'no form this time');
    assert.equal(browser.visited.at(-1), `${base}/admin`);
    assert.match(await admin.text(), /Admin area/);
    // Signed in already: the buttons lead on to the page asked for.
    const signedIn = await browser.go(`${base}/auth/hosted?returnTo=%2Fadmin`);
    assert.deepEqual([signedIn.status, signedIn.headers.get('location')], [302, '/admin']);
  });

  it('each origin has its own callback: a sign-in started on localhost ends on localhost', async () => {
    const browser = new Browser();
    const start = await browser.go(`${local}/auth/hosted`);
    assert.equal(new URL(start.headers.get('location')!).searchParams.get('redirect_uri'), `${local}/auth/callback`);
    await drive(browser, start.headers.get('location')!, alice);
    assert.equal(browser.visited.at(-1), `${local}/profile`);
    const page = await (await browser.go(`${local}/profile`)).text();
    const out = await browser.go(`${local}/logout`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `_csrf=${encodeURIComponent(csrfOf(page))}`,
    });
    assert.equal(new URL(out.headers.get('location')!).searchParams.get('logout_uri'), `${local}/login?loggedOut=1`);
  });

  it('federated: DemoIdP\'s own form (the second pool) → /profile as DemoIdP_<sub>, with the mapped e-mail', async () => {
    const browser = new Browser();
    const start = await browser.go(`${base}/auth/federated`);
    assert.equal(new URL(start.headers.get('location')!).searchParams.get('identity_provider'), 'DemoIdP');
    const profile = await drive(browser, start.headers.get('location')!, { username: DEMO_IDP_USER.username, password: DEMO_IDP_USER.password });
    assert.ok(browser.visited.some((u) => u.startsWith(`${demo.idpDomainUrl}/login`)), 'the upstream pool\'s form was shown');
    assert.equal(browser.visited.at(-1), `${base}/profile`);
    const page = await profile.text();
    const username = /<span id="profile-username">([^<]+)<\/span>/.exec(page)![1];
    assert.match(username, /^DemoIdP_[0-9a-f-]{36}$/);
    assert.match(page, /erin@idp\.example/);
    assert.match(page, /You sign in through <strong>DemoIdP<\/strong>/);
    assert.doesNotMatch(page, /id="password-form"|id="delete-form"/, 'no password of this pool to change or confirm with');
    assert.match(page, /<span class="tag">us-east-1_DemoPool1_DemoIdP<\/span>/);
    // Cognito adds no MFA to a federated sign-in: the Security page says where it is, and offers nothing.
    const security = await (await browser.go(`${base}/mfa`)).text();
    assert.match(security, /id="mfa-federated"/);
    assert.match(security, /You sign in through <strong>DemoIdP<\/strong>, which asks for any second step itself/);
    assert.doesNotMatch(security, /\/account\/mfa\/totp|id="enrol"/);
  });

  it('a password sign-in logs out locally, with no detour through the hosted /logout', async () => {
    const agent = request.agent(server);
    const login = await agent.get('/login').set('Accept', HTML).expect(200);
    await agent.post('/login').type('form').send({ _csrf: csrfOf(login.text), ...alice }).expect(303);
    const profile = await agent.get('/profile').set('Accept', HTML).expect(200);
    const out = await agent.post('/logout').type('form').send({ _csrf: csrfOf(profile.text) }).expect(302);
    assert.equal(out.headers.location, '/login?loggedOut=1');
  });

  it('a bad callback ends on the login page with a message, never a 5xx', async () => {
    const browser = new Browser();
    const wrong = await browser.go(`${base}/auth/callback?code=made-up&state=made-up`);
    assert.deepEqual([wrong.status, wrong.headers.get('location')], [303, '/login']);
    const page = await (await browser.go(`${base}/login`)).text();
    assert.match(page, /<p class="error" role="alert">The sign-in could not be matched to this browser, or took too long\. Please start again\.<\/p>/);
    // Once: a reload shows the plain form.
    assert.doesNotMatch(await (await browser.go(`${base}/login`)).text(), /class="error"/);

    // Cognito's own refusal (the user cancelled), with this browser's state.
    const start = await browser.go(`${base}/auth/hosted?returnTo=%2Fadmin`);
    const state = new URL(start.headers.get('location')!).searchParams.get('state')!;
    const denied = await browser.go(`${base}/auth/callback?error=access_denied&state=${state}`);
    assert.deepEqual([denied.status, denied.headers.get('location')], [303, '/login?returnTo=%2Fadmin']);
    assert.match(await (await browser.go(`${base}/login?returnTo=%2Fadmin`)).text(), /The sign-in was refused\./);

    // The same code twice (a reload of the callback): the second is refused, the first session stays.
    const b2 = new Browser();
    const toCallback = await drive(b2, `${base}/auth/hosted`, alice);
    assert.equal(toCallback.status, 200);
    const callback = b2.visited.find((u) => u.startsWith(`${base}/auth/callback?`))!;
    const replay = await b2.go(callback);
    assert.deepEqual([replay.status, replay.headers.get('location')], [303, '/login']);
    assert.equal((await b2.go(`${base}/profile`)).status, 200, 'still signed in');

    const bare = await new Browser().go(`${base}/auth/callback`);
    assert.deepEqual([bare.status, bare.headers.get('location')], [303, '/login']);
  });

  it('GET /api/orders: an M2M token with the scope 200, a user\'s token without it 403, no token 401', async () => {
    const m2m = clientCredentials({
      userPoolId: poolId, endpoint: emulator.endpoint, region: emulator.region,
      clientId: demo.hosted.m2m.clientId, clientSecret: demo.hosted.m2m.clientSecret, scopes: [DEMO_API_SCOPE],
    });
    const token = await m2m.getToken();
    const ok = await request(server).get('/api/orders').set('Authorization', `Bearer ${token}`).expect(200).expect('Content-Type', /json/);
    assert.deepEqual(ok.body.caller, { principal: 'client', clientId: demo.hosted.m2m.clientId });
    assert.deepEqual(ok.body.scopes, [DEMO_API_SCOPE]);
    assert.equal(ok.body.orders.length, 3);

    const signIn = await sdk.send(new InitiateAuthCommand({
      AuthFlow: 'USER_PASSWORD_AUTH', ClientId: webClientId, AuthParameters: { USERNAME: 'alice', PASSWORD: 'Passw0rd!' },
    }));
    const userToken = signIn.AuthenticationResult!.AccessToken!;
    const refused = await request(server).get('/api/orders').set('Authorization', `Bearer ${userToken}`).expect(403);
    assert.equal(refused.body.code, 'ERR_COGNITO_SCOPE_REQUIRED');
    assert.match(refused.headers['www-authenticate'], /insufficient_scope/);
    const none = await request(server).get('/api/orders').expect(401);
    assert.equal(none.body.code, 'ERR_COGNITO_TOKEN_MISSING');
    // A signed-in browser's session token lacks the scope as well.
    const browser = new Browser();
    await drive(browser, `${base}/auth/hosted`, alice);
    assert.equal((await browser.go(`${base}/api/orders`, { headers: { accept: 'application/json' } })).status, 403);
    // And the app's other guards take no app client's token.
    await request(server).get('/api/me').set('Authorization', `Bearer ${token}`).expect(401);
  });

  it('/m2m: signed-in users only; shows the API\'s answer, the scopes and the expiry, never the token', async () => {
    const anonymous = await new Browser().go(`${base}/m2m`);
    assert.deepEqual([anonymous.status, anonymous.headers.get('location')], [302, '/login?returnTo=%2Fm2m']);
    const browser = new Browser();
    await drive(browser, `${base}/auth/hosted`, alice);
    const res = await browser.go(`${base}/m2m`);
    assert.equal(res.status, 200);
    const page = await res.text();
    assert.match(page, /<td id="m2m-status">HTTP 200<\/td>/);
    assert.match(page, new RegExp(`<td id="m2m-scopes"><span class="tag">${DEMO_API_SCOPE}</span></td>`));
    assert.match(page, /<td id="m2m-expiry">\d{4}-\d\d-\d\dT[^<]+<span class="muted">\(in \d+ min/);
    assert.match(page, /&quot;principal&quot;: &quot;client&quot;/);
    assert.match(page, /A-1001/);
    assert.match(page, new RegExp(demo.hosted.m2m.clientId));
    assert.doesNotMatch(page, JWT, 'no token in the page');
    assert.ok(!page.includes(demo.hosted.m2m.clientSecret), 'no secret in the page');
  });
});
