// The example app (example-app/app.ts) driven over HTTP with supertest, against an in-process
// emulator seeded with the demo pool: the same app `npm start` serves, imported the same way.
import { strict as assert } from 'node:assert';
import request from 'supertest';
import type { Express } from 'express';
import { Cognito } from 'express-cognito';
import { DEMO_SEED, DEMO_TOTP_SECRET, startEmulator, type Emulator } from 'express-cognito/emulator';
import { generateTotp } from '../../lib/totp';
import { createApp } from '../../example-app/app';

const HTML = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

type Agent = ReturnType<typeof request.agent>;

function csrfOf(page: string): string {
  const m = /name="_csrf" value="([^"]+)"/.exec(page);
  assert.ok(m, 'the page has a CSRF field');
  return m[1];
}

function sessionCookie(res: request.Response): string | undefined {
  const cookies = res.headers['set-cookie'] as unknown as string[] | undefined;
  return cookies?.find((c) => c.startsWith('excog.sid='));
}

describe('example app (supertest, embedded emulator)', function () {
  let emulator: Emulator;
  let app: Express;
  let poolId: string;
  let clientId: string;

  before(async function () {
    emulator = await startEmulator();
    const seeded = await emulator.seed(DEMO_SEED);
    const pool = seeded.pools.demo;
    poolId = pool.poolId;
    clientId = Object.values(pool.clients)[0].clientId;
    app = createApp({
      cognito: { userPoolId: poolId, clientId, endpoint: emulator.endpoint, region: emulator.region },
      sessionSecret: 'example-app test secret',
      demo: { users: [{ username: 'alice', password: 'Passw0rd!', note: 'admin' }], totpSecret: DEMO_TOTP_SECRET },
      clock: () => emulator.clock.now(),
    });
  });

  after(async function () {
    await emulator?.stop();
  });

  async function openLogin(agent: Agent, path = '/login'): Promise<string> {
    const res = await agent.get(path).set('Accept', HTML).expect(200);
    return csrfOf(res.text);
  }

  async function login(agent: Agent, username: string, password: string, extra: Record<string, string> = {}): Promise<request.Response> {
    const csrf = await openLogin(agent);
    return agent.post('/login').set('Accept', HTML).type('form').send({ _csrf: csrf, username, password, ...extra });
  }

  // Every login POST is answered with a 303 (Post/Redirect/Get): the page it leads to.
  async function follow(agent: Agent, res: request.Response, location: string): Promise<request.Response> {
    assert.equal(res.status, 303, `a 303, not ${res.status}`);
    assert.equal(res.headers.location, location);
    return agent.get(location).set('Accept', HTML).expect(200);
  }

  async function expectLoggedOut(agent: Agent): Promise<void> {
    const res = await agent.get('/profile').set('Accept', HTML).expect(302);
    assert.equal(res.headers.location, '/login?returnTo=%2Fprofile');
    await agent.get('/api/me').expect(401);
  }

  it('serves the login page with a CSRF field, the demo users, security headers and a locked-down cookie', async function () {
    const res = await request(app).get('/login').set('Accept', HTML).expect(200).expect('Content-Type', /text\/html/);
    assert.match(res.text, /<form method="post" action="\/login"/);
    assert.ok(csrfOf(res.text).length >= 40);
    assert.match(res.text, /Demo accounts/);
    assert.match(res.text, new RegExp(DEMO_TOTP_SECRET));
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
    assert.equal(res.headers['referrer-policy'], 'no-referrer');
    assert.match(res.headers['content-security-policy'] ?? '', /default-src 'none'/);
    assert.doesNotMatch(res.headers['content-security-policy'] ?? '', /unsafe-inline/);
    assert.equal(res.headers['x-powered-by'], undefined);
    assert.doesNotMatch(res.text, /<script|style="/, 'no inline script or style (the CSP forbids them)');
    const cookie = sessionCookie(res);
    assert.ok(cookie, 'the CSRF token lives in a session');
    assert.match(cookie, /HttpOnly/i);
    assert.match(cookie, /SameSite=Lax/i);
    const css = await request(app).get('/style.css').expect(200).expect('Content-Type', /text\/css/);
    assert.match(css.text, /body/);
  });

  it('refuses a form without the session\'s CSRF token (403 page), before any sign-in happens', async function () {
    const agent = request.agent(app);
    await openLogin(agent);
    const calls = emulator.calls('InitiateAuth');
    const missing = await agent.post('/login').set('Accept', HTML).type('form').send({ username: 'alice', password: 'Passw0rd!' }).expect(403);
    assert.match(missing.text, /Form expired/);
    assert.doesNotMatch(missing.text, /at .*\.ts:\d+/, 'no stack trace');
    await agent.post('/login').type('form').send({ _csrf: 'x'.repeat(43), username: 'alice', password: 'Passw0rd!' }).expect(403);
    // A token from another session is as wrong as a made-up one.
    const other = await openLogin(request.agent(app));
    await agent.post('/login').type('form').send({ _csrf: other, username: 'alice', password: 'Passw0rd!' }).expect(403);
    assert.equal(emulator.calls('InitiateAuth'), calls, 'Cognito was not called');
    await expectLoggedOut(agent);
    // Logout is a form too.
    await request(app).post('/logout').type('form').send({}).expect(403);
  });

  it('alice: login → profile → admin → logout → profile sends her to login', async function () {
    const agent = request.agent(app);
    const before = sessionCookie(await agent.get('/login').set('Accept', HTML));
    const res = await login(agent, 'alice', 'Passw0rd!');
    assert.equal(res.status, 303);
    assert.equal(res.headers.location, '/profile');
    const after = sessionCookie(res);
    assert.ok(before && after && before.split(';')[0] !== after.split(';')[0], 'the session id changes at login');

    const profile = await agent.get('/profile').set('Accept', HTML).expect(200);
    assert.match(profile.text, /Hello, <span id="profile-username">alice<\/span>/);
    assert.match(profile.text, /<span class="tag">admin<\/span>/);
    assert.match(profile.text, /alice@example\.com/);
    assert.match(profile.text, /Access token expires<\/th><td id="access-expiry">\d{4}-\d\d-\d\dT/);
    assert.match(profile.text, /in 5\d min/);
    assert.match(profile.text, /Signed in as <strong>alice<\/strong>/);

    const admin = await agent.get('/admin').set('Accept', HTML).expect(200);
    assert.match(admin.text, /Admin area/);

    const me = await agent.get('/api/me').expect(200).expect('Content-Type', /json/);
    assert.equal(me.body.username, 'alice');
    assert.equal(me.body.source, 'session');
    assert.deepEqual(me.body.groups, ['admin']);

    const csrf = csrfOf(profile.text);
    const out = await agent.post('/logout').type('form').send({ _csrf: csrf }).expect(302);
    assert.equal(out.headers.location, '/login?loggedOut=1');
    await expectLoggedOut(agent);
    const page = await agent.get('/login?loggedOut=1').set('Accept', HTML).expect(200);
    assert.match(page.text, /You have been logged out/);
  });

  it('sends a browser back to the page it asked for, and only to a page of this site', async function () {
    const agent = request.agent(app);
    const guarded = await agent.get('/admin').set('Accept', HTML).expect(302);
    assert.equal(guarded.headers.location, '/login?returnTo=%2Fadmin');
    const page = await agent.get(guarded.headers.location as string).set('Accept', HTML).expect(200);
    assert.match(page.text, /name="returnTo" value="\/admin"/);
    const res = await agent.post('/login').type('form').send({ _csrf: csrfOf(page.text), returnTo: '/admin', username: 'alice', password: 'Passw0rd!' }).expect(303);
    assert.equal(res.headers.location, '/admin');

    const other = request.agent(app);
    const evil = await other.get('/login?returnTo=%2F%2Fevil.example%2F').set('Accept', HTML).expect(200);
    assert.doesNotMatch(evil.text, /evil\.example/);
    const res2 = await other.post('/login').type('form')
      .send({ _csrf: csrfOf(evil.text), returnTo: '//evil.example/', username: 'alice', password: 'Passw0rd!' }).expect(303);
    assert.equal(res2.headers.location, '/profile');

    // Spelled with percent-encoding or a backslash, a protocol-relative target is refused all the same.
    for (const target of ['/%2F%2Fevil.example/', '/%5C%5Cevil.example/', '/\\evil.example/', 'https://evil.example/']) {
      const page2 = await other.get(`/login?returnTo=${encodeURIComponent(target)}`).set('Accept', HTML).expect(200);
      assert.doesNotMatch(page2.text, /name="returnTo"/, target);
    }

    // Whatever returnTo the guard builds comes back through the login form, even a long one.
    const long = `/profile?${'q=x&'.repeat(400)}end=1`;
    const third = request.agent(app);
    const sent = await third.get(long).set('Accept', HTML).expect(302);
    const loginPage = await third.get(sent.headers.location).set('Accept', HTML).expect(200);
    assert.ok(loginPage.text.includes(`name="returnTo" value="${long.replace(/&/g, '&amp;').replace(/=/g, '&#61;')}"`), 'the long returnTo is kept');
  });

  it('bob: a TOTP step; a wrong code keeps him on it, the right one signs him in; /admin is refused', async function () {
    const agent = request.agent(app);
    const step = await follow(agent, await login(agent, 'bob', 'Passw0rd!'), '/login/step');
    assert.match(step.text, /Enter your authenticator code/);
    assert.match(step.text, /name="code"/);
    assert.match(step.text, /autocomplete="one-time-code"/);
    assert.match(step.text, /inputmode="numeric"/);
    assert.doesNotMatch(step.text, /Passw0rd!/, 'the password is in no page');
    await expectLoggedOut(agent);

    const now = emulator.clock.now();
    const right = generateTotp(DEMO_TOTP_SECRET, now);
    const wrong = String((Number(right) + 500_000) % 1_000_000).padStart(6, '0');
    const again = await follow(agent, await agent.post('/login').set('Accept', HTML).type('form').send({ _csrf: csrfOf(step.text), code: wrong }),
      '/login/step');
    assert.match(again.text, /Enter your authenticator code/);
    assert.match(again.text, /class="error"/);

    const done = await agent.post('/login').type('form').send({ _csrf: csrfOf(again.text), code: right }).expect(303);
    assert.equal(done.headers.location, '/profile');
    const profile = await agent.get('/profile').set('Accept', HTML).expect(200);
    assert.match(profile.text, /Hello, <span id="profile-username">bob<\/span>/);
    // Not in group admin: the app's own styled 403 page (requireCognito's onRefusal), not the guard's
    // built-in one — with the site's header, stylesheet, who is signed in and the logout form.
    const admin = await agent.get('/admin').set('Accept', HTML).expect(403).expect('Content-Type', /text\/html/);
    assert.match(admin.text, /<link rel="stylesheet" href="\/style\.css">/);
    assert.match(admin.text, /<h1>Not allowed<\/h1>/);
    assert.match(admin.text, /<p id="error-message">Your account is not allowed to see this page\.<\/p>/);
    assert.match(admin.text, /Signed in as <strong>bob<\/strong>/);
    assert.match(admin.text, /<form method="post" action="\/logout">/);
    assert.doesNotMatch(admin.text, /Requires membership of/, 'not the built-in refusal page');
    assert.equal(admin.headers['cache-control'], 'no-store');
    // The refusal changed nothing in the session: bob is still signed in.
    const api = await agent.get('/api/me').expect(200);
    assert.equal(api.body.username, 'bob');
  });

  it('a refusal on a page that is not a redirect is the app\'s page too; /api answers JSON', async function () {
    const page = await request(app).get('/profile').set('Authorization', 'Bearer not.a.token').set('Accept', HTML).expect(401);
    assert.match(page.text, /<h1>Please log in<\/h1>/);
    assert.match(String(page.headers['www-authenticate']), /^Bearer error="invalid_token"/);
    const api = await request(app).get('/api/me').set('Authorization', 'Bearer not.a.token').expect(401).expect('Content-Type', /json/);
    assert.equal(api.body.error, 'invalid_token');
  });

  it('carol: sets a new password (checked twice and against the policy) and lands on her profile', async function () {
    const agent = request.agent(app);
    const step = await follow(agent, await login(agent, 'carol', 'Temp0rary!'), '/login/step');
    assert.match(step.text, /Choose a new password/);
    // The policy (here Cognito's default: the app has no AWS credentials for DescribeUserPool) before she types.
    assert.match(step.text, /<div class="rules" id="password-rules">.*at least 8 characters.*a symbol/s);
    assert.match(step.text, /id="newPassword" name="newPassword" autocomplete="new-password" minlength="8"/);

    const mismatch = await follow(agent, await agent.post('/login').type('form')
      .send({ _csrf: csrfOf(step.text), newPassword: 'N3w-Passw0rd!', confirmPassword: 'N3w-Passw0rd?' }), '/login/step');
    assert.match(mismatch.text, /not the same/);

    const weak = await follow(agent, await agent.post('/login').type('form')
      .send({ _csrf: csrfOf(mismatch.text), newPassword: 'short', confirmPassword: 'short' }), '/login/step');
    assert.match(weak.text, /Choose a new password/);
    assert.match(weak.text, /<p class="error" role="alert">This password is too weak: it needs at least 8 characters\.<\/p>/);
    const reload = await agent.get('/login/step').set('Accept', HTML).expect(200);
    assert.match(reload.text, /Choose a new password/);
    assert.doesNotMatch(reload.text, /class="error"/, 'the error is shown once');

    const done = await agent.post('/login').type('form')
      .send({ _csrf: csrfOf(reload.text), newPassword: 'N3w-Passw0rd!', confirmPassword: 'N3w-Passw0rd!' }).expect(303);
    assert.equal(done.headers.location, '/profile');
    const profile = await agent.get('/profile').set('Accept', HTML).expect(200);
    assert.match(profile.text, /Hello, <span id="profile-username">carol<\/span>/);

    // The new password is hers from now on.
    const u = new Cognito(poolId, clientId, { username: 'carol', endpoint: emulator.endpoint, region: emulator.region });
    await u.authenticate('N3w-Passw0rd!');
    assert.ok(u.accessToken);
  });

  it('a wrong password shows an error (once), keeps the username typed, and signs nobody in', async function () {
    const agent = request.agent(app);
    const res = await follow(agent, await login(agent, 'alice', 'not-her-password'), '/login');
    assert.match(res.text, /<p class="error" role="alert">Incorrect username or password\.<\/p>/);
    assert.match(res.text, /name="username" value="alice"/);
    assert.doesNotMatch(res.text, /not-her-password/);
    await expectLoggedOut(agent);
    const reload = await agent.get('/login').set('Accept', HTML).expect(200);
    assert.doesNotMatch(reload.text, /class="error"/, 'a reload shows the form again, without the error');

    const unknown = await follow(agent, await login(agent, 'nobody', 'Passw0rd!'), '/login');
    assert.match(unknown.text, /Incorrect username or password\./);
    await expectLoggedOut(agent);

    const empty = await follow(agent, await login(agent, '', ''), '/login');
    assert.match(empty.text, /Please enter a username and a password\./);
  });

  it('a refused login keeps returnTo in the redirect back to the form', async function () {
    const agent = request.agent(app);
    const page = await agent.get('/login?returnTo=%2Fadmin').set('Accept', HTML).expect(200);
    const res = await agent.post('/login').type('form').send({ _csrf: csrfOf(page.text), returnTo: '/admin', username: 'alice', password: 'nope' });
    const again = await follow(agent, res, '/login?returnTo=%2Fadmin');
    assert.match(again.text, /name="returnTo" value="\/admin"/);
  });

  it('trims the spaces around a typed username', async function () {
    const agent = request.agent(app);
    const res = await login(agent, '  alice ', 'Passw0rd!');
    assert.equal(res.status, 303);
    assert.equal(res.headers.location, '/profile');
    const me = await agent.get('/api/me').expect(200);
    assert.equal(me.body.username, 'alice');
  });

  it('a reload of the step page resubmits nothing; Back after signing in is a GET that leads on', async function () {
    const agent = request.agent(app);
    await follow(agent, await login(agent, 'bob', 'Passw0rd!'), '/login/step');
    const calls = emulator.calls();
    for (let i = 0; i < 3; i++) {
      const page = await agent.get('/login/step').set('Accept', HTML).expect(200);
      assert.match(page.text, /Enter your authenticator code/);
    }
    assert.equal(emulator.calls(), calls, 'no call to Cognito');
    // "Start again" as alice: the new sign-in ends the step, and Back to the step page leads on to the profile.
    const page = await agent.get('/login').set('Accept', HTML).expect(200);
    await agent.post('/login').type('form').send({ _csrf: csrfOf(page.text), username: 'alice', password: 'Passw0rd!' }).expect(303);
    const back = await agent.get('/login/step').set('Accept', HTML).expect(302);
    assert.equal(back.headers.location, '/profile');
  });

  it('the navigation shows only what the visitor may open', async function () {
    const nav = (page: string): string => /<nav>(.*?)<\/nav>/s.exec(page)?.[1] ?? '';
    const anonymous = await request(app).get('/login').set('Accept', HTML).expect(200);
    assert.deepEqual([...nav(anonymous.text).matchAll(/href="([^"]+)"/g)].map((m) => m[1]), ['/login', '/sign-up']);
    assert.doesNotMatch(anonymous.text, /action="\/logout"/);

    const alice = request.agent(app);
    await login(alice, 'alice', 'Passw0rd!');
    const hers = await alice.get('/admin').set('Accept', HTML).expect(200);
    assert.deepEqual([...nav(hers.text).matchAll(/href="([^"]+)"/g)].map((m) => m[1]), ['/profile', '/mfa', '/admin']);
    assert.match(hers.text, /<form method="post" action="\/logout">/);

    // A member of no group: registered and confirmed directly with the pool.
    const u = new Cognito(poolId, clientId, { username: 'nina', endpoint: emulator.endpoint, region: emulator.region });
    await u.register('Nin4-Passw0rd!', { email: 'nina@example.com' });
    await u.confirmSignUp(emulator.outbox({ username: 'nina', purpose: 'SIGN_UP' }).at(-1)!.code!);
    const nina = request.agent(app);
    await login(nina, 'nina', 'Nin4-Passw0rd!');
    const his = await nina.get('/profile').set('Accept', HTML).expect(200);
    assert.deepEqual([...nav(his.text).matchAll(/href="([^"]+)"/g)].map((m) => m[1]), ['/profile', '/mfa'], 'no Admin outside group admin');
  });

  it('escapes what it shows back', async function () {
    const agent = request.agent(app);
    const res = await follow(agent, await login(agent, '<img src=x onerror=alert(1)>', 'whatever'), '/login');
    assert.doesNotMatch(res.text, /<img src=x/);
    assert.match(res.text, /&lt;img src&#61;x onerror&#61;alert\(1\)&gt;/);
  });

  it('/api/me accepts a bearer access token and answers API clients with 401 JSON', async function () {
    const u = new Cognito(poolId, clientId, { username: 'alice', endpoint: emulator.endpoint, region: emulator.region });
    await u.authenticate('Passw0rd!');
    const me = await request(app).get('/api/me').set('Authorization', `Bearer ${u.accessToken}`).expect(200);
    assert.equal(me.body.username, 'alice');
    assert.equal(me.body.source, 'bearer');
    assert.equal(me.body.tokenUse, 'access');
    assert.deepEqual(me.body.groups, ['admin']);

    const none = await request(app).get('/api/me').set('Accept', HTML).expect(401);
    assert.match(String(none.headers['www-authenticate']), /^Bearer/);
    const bad = await request(app).get('/api/me').set('Authorization', 'Bearer not.a.token').expect(401);
    assert.match(String(bad.headers['www-authenticate']), /invalid_token/);
  });

  it('answers unknown pages with a friendly 404 (HTML for pages, JSON under /api)', async function () {
    const page = await request(app).get('/no/such/page').set('Accept', HTML).expect(404);
    assert.match(page.text, /Page not found/);
    assert.equal(sessionCookie(page), undefined, 'an anonymous visit to a page without a form stores no session');
    const api = await request(app).get('/api/nothing').expect(404).expect('Content-Type', /json/);
    assert.equal(api.body.error, 'not_found');
  });
});
