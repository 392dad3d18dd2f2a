// The example app's account journeys (example-app/account-routes.ts) over HTTP with supertest, against
// an in-process emulator seeded with the demo pool, as app.test.ts does: each journey's success and
// its main failures, every form answered with a 303 (Post/Redirect/Get) to a page that shows what happened.
import { strict as assert } from 'node:assert';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import request from 'supertest';
import type { Express } from 'express';
import { Cognito } from 'express-cognito';
import { DEMO_SEED, startEmulator, type Emulator, type EmulatorSeed, type OutboxPurpose } from 'express-cognito/emulator';
import { generateTotp } from '../../lib/totp';
import { createApp } from '../../example-app/app';

const HTML = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
const PASSWORD = 'Corr3ct-horse!';

type Agent = ReturnType<typeof request.agent>;

function csrfOf(page: string): string {
  const m = /name="_csrf" value="([^"]+)"/.exec(page);
  assert.ok(m, 'the page has a CSRF field');
  return m[1];
}

const errorOf = (page: string): string | undefined => /<p class="error" role="alert">([^<]*)<\/p>/.exec(page)?.[1];
const noticeOf = (page: string): string | undefined => /<p class="notice" role="status"[^>]*>([^<]*)<\/p>/.exec(page)?.[1];

describe('example app: account journeys (supertest, embedded emulator)', function () {
  this.timeout(30_000);
  let emulator: Emulator;
  let app: Express;
  let poolId: string;
  let clientId: string;
  let n = 0;
  const fresh = (prefix: string): string => `${prefix}${++n}`;

  before(async function () {
    emulator = await startEmulator();
    const pool = (await emulator.seed(DEMO_SEED)).pools.demo;
    poolId = pool.poolId;
    clientId = Object.values(pool.clients)[0].clientId;
    app = createApp({
      cognito: { userPoolId: poolId, clientId, endpoint: emulator.endpoint, region: emulator.region },
      sessionSecret: 'example-app account test secret',
      clock: () => emulator.clock.now(),
      // Each agent comes from its own address, so the router's per-IP limits do not add up across tests.
      trustProxy: true,
    });
  });

  after(async function () {
    await emulator?.stop();
  });

  const codeOf = (username: string, purpose: OutboxPurpose): string => {
    const code = emulator.outbox({ username, purpose }).at(-1)?.code;
    assert.ok(code, `a ${purpose} code for ${username}`);
    return code;
  };
  const wrongCode = (code: string): string => String((Number(code) + 1) % 1_000_000).padStart(6, '0');

  function agent(): Agent {
    return request.agent(app).set('X-Forwarded-For', `10.9.${Math.floor(++n / 200)}.${n % 200}`);
  }

  // A GET as a browser makes it; the profile's answer to a form far down the page first sends the
  // browser on to that form (`/profile#password-section`), which a browser follows without the fragment.
  async function open(a: Agent, path: string): Promise<string> {
    const res = await a.get(path).set('Accept', HTML);
    if (res.status === 302 && String(res.headers.location).startsWith(`${path}#`)) return open(a, path);
    assert.equal(res.status, 200, `GET ${path}`);
    return res.text;
  }

  // Posts a form of `page` as a browser does, expects the 303 to `to`, and returns the page it leads to.
  async function submit(a: Agent, page: string, action: string, fields: Record<string, string>, to: string): Promise<string> {
    const res = await a.post(action).set('Accept', HTML).type('form').send({ _csrf: csrfOf(page), ...fields });
    assert.equal(res.status, 303, `${action}: ${res.status} ${res.text.slice(0, 200)}`);
    assert.equal(res.headers.location, to, action);
    return open(a, to);
  }

  async function signIn(a: Agent, username: string, password = PASSWORD): Promise<string> {
    return submit(a, await open(a, '/login'), '/login', { username, password }, '/profile');
  }

  // A confirmed account, made directly with the pool, and a signed-in agent for it.
  async function account(attributes: Record<string, string> = {}): Promise<{ a: Agent; username: string; profile: string }> {
    const username = fresh('user');
    const u = new Cognito(poolId, clientId, { username, endpoint: emulator.endpoint, region: emulator.region });
    await u.register(PASSWORD, { email: `${username}@example.com`, ...attributes });
    await u.confirmSignUp(codeOf(username, 'SIGN_UP'));
    const a = agent();
    return { a, username, profile: await signIn(a, username) };
  }

  async function canSignIn(username: string, password: string): Promise<boolean> {
    const res = await request(app).get('/login').set('Accept', HTML);
    const cookie = res.headers['set-cookie'] as unknown as string[];
    const post = await request(app).post('/login').set('Cookie', cookie).type('form')
      .send({ _csrf: csrfOf(res.text), username, password });
    return post.headers.location === '/profile';
  }

  it('sign up → confirm with the e-mailed code → the login page says so, with the username filled in', async function () {
    const a = agent();
    const form = await open(a, '/sign-up');
    // The policy is shown before anything is typed, and the inputs tell the browser what they are.
    assert.match(form, /<div class="rules" id="password-rules">.*at least 8 characters.*an uppercase letter.*a number.*a symbol/s);
    assert.match(form, /id="password" name="password" autocomplete="new-password" minlength="8"/);
    assert.match(form, /id="confirmPassword" name="confirmPassword" autocomplete="new-password" minlength="8"/);
    assert.match(form, /id="username" name="username" value="" autocomplete="username"/);
    assert.match(form, /id="email" name="email" value="" autocomplete="email"/);

    const username = fresh('zoe');
    const confirm = await submit(a, form, '/account/sign-up',
      { username: `  ${username} `, email: ` ${username}@example.com `, password: PASSWORD, confirmPassword: PASSWORD }, '/confirm');
    assert.equal(noticeOf(confirm), 'We sent a code to z***@e***. Enter it to confirm the account.');
    assert.match(confirm, new RegExp(`name="username" value="${username}"`), 'the typed username, without its spaces');
    assert.match(confirm, /id="code" name="code" inputmode="numeric" [^>]*autocomplete="one-time-code"/);
    assert.match(confirm, /formaction="\/account\/resend"/);
    assert.doesNotMatch(confirm, new RegExp(PASSWORD));

    const login = await submit(a, confirm, '/account/confirm', { username, code: codeOf(username, 'SIGN_UP') }, '/login');
    assert.equal(noticeOf(login), 'Account confirmed, sign in.');
    assert.match(login, new RegExp(`name="username" value="${username}"`));
    const profile = await submit(a, login, '/login', { username, password: PASSWORD }, '/profile');
    assert.match(profile, new RegExp(`<span id="profile-email">${username}@example.com</span> <span class="tag on" id="email-state">verified`));
  });

  it('sign-up refusals: two different passwords, a weak one (in the policy\'s words), no CSRF token (403, Cognito not called)', async function () {
    const a = agent();
    const username = fresh('yan');
    const calls = emulator.calls('SignUp');
    const mismatch = await submit(a, await open(a, '/sign-up'), '/account/sign-up',
      { username, email: `${username}@example.com`, password: PASSWORD, confirmPassword: `${PASSWORD}?` }, '/sign-up');
    assert.equal(errorOf(mismatch), 'The two passwords are not the same.');
    assert.match(mismatch, new RegExp(`name="username" value="${username}"`), 'what was typed is kept');
    assert.match(mismatch, new RegExp(`name="email" value="${username}@example.com"`));
    assert.doesNotMatch(mismatch, new RegExp(PASSWORD.replace('!', '')), 'but never the password');
    assert.equal(emulator.calls('SignUp'), calls, 'refused before Cognito');

    const weak = await submit(a, mismatch, '/account/sign-up',
      { username, email: `${username}@example.com`, password: 'short', confirmPassword: 'short' }, '/sign-up');
    assert.equal(errorOf(weak), 'This password is too weak: it needs at least 8 characters.');
    const noSymbol = await submit(a, weak, '/account/sign-up',
      { username, email: `${username}@example.com`, password: 'Abcdefg1', confirmPassword: 'Abcdefg1' }, '/sign-up');
    assert.equal(errorOf(noSymbol), 'This password is too weak: it needs a symbol.');
    const reload = await open(a, '/sign-up');
    assert.equal(errorOf(reload), undefined, 'the error is shown once');

    const before = emulator.calls('SignUp');
    const forged = await a.post('/account/sign-up').set('Accept', HTML).type('form')
      .send({ username, email: `${username}@example.com`, password: PASSWORD, confirmPassword: PASSWORD }).expect(403);
    assert.match(forged.text, /Form expired/);
    assert.equal(emulator.calls('SignUp'), before);
  });

  it('confirm: a wrong code is refused (the username kept), "send the code again" sends a new one, a reload sends nothing', async function () {
    const a = agent();
    const username = fresh('xia');
    const confirm = await submit(a, await open(a, '/sign-up'), '/account/sign-up',
      { username, email: `${username}@example.com`, password: PASSWORD, confirmPassword: PASSWORD }, '/confirm');
    const first = codeOf(username, 'SIGN_UP');
    const wrong = await submit(a, confirm, '/account/confirm', { username, code: wrongCode(first) }, '/confirm');
    assert.equal(errorOf(wrong), 'The code is wrong or has expired; check it or ask for a new one.');
    assert.match(wrong, new RegExp(`name="username" value="${username}"`));

    const calls = emulator.calls();
    const again = await open(a, '/confirm');
    assert.equal(errorOf(again), undefined);
    assert.equal(emulator.calls(), calls, 'a reload asks Cognito nothing');

    const resent = await submit(a, again, '/account/resend', { username, code: '' }, '/confirm');
    assert.equal(noticeOf(resent), 'If this account is waiting for its code, a new one is on its way.');
    const second = codeOf(username, 'RESEND_CODE');
    const login = await submit(a, resent, '/account/confirm', { username, code: second }, '/login');
    assert.equal(noticeOf(login), 'Account confirmed, sign in.');
    assert.ok(await canSignIn(username, PASSWORD));
  });

  it('forgot → reset: the link on the login page, a wrong code, two different passwords, then the new password signs in', async function () {
    const { username } = await account();
    const a = agent();
    const login = await open(a, '/login');
    assert.match(login, /<a href="\/forgot" id="forgot-link">Forgot your password\?<\/a>/);
    const reset = await submit(a, await open(a, '/forgot'), '/account/forgot', { username: ` ${username}` }, '/reset');
    assert.equal(noticeOf(reset), 'If this account has a verified e-mail address or phone, a code is on its way to it.');
    assert.match(reset, new RegExp(`name="username" value="${username}"`));
    assert.match(reset, /<div class="rules" id="password-rules">/);
    assert.match(reset, /id="newPassword" name="newPassword" autocomplete="new-password" minlength="8"/);
    const code = codeOf(username, 'FORGOT_PASSWORD');
    const NEW = 'Fresh-Passw0rd!';

    const wrong = await submit(a, reset, '/account/reset', { username, code: wrongCode(code), newPassword: NEW, confirmPassword: NEW }, '/reset');
    assert.equal(errorOf(wrong), 'The code is wrong or has expired; check it or ask for a new one.');
    const mismatch = await submit(a, wrong, '/account/reset', { username, code, newPassword: NEW, confirmPassword: 'other' }, '/reset');
    assert.equal(errorOf(mismatch), 'The two passwords are not the same.');
    const weak = await submit(a, mismatch, '/account/reset', { username, code, newPassword: 'weakweak', confirmPassword: 'weakweak' }, '/reset');
    assert.match(errorOf(weak) ?? '', /^This password is too weak: it needs an? (uppercase letter|number|symbol)\.$/);

    const done = await submit(a, weak, '/account/reset', { username, code, newPassword: NEW, confirmPassword: NEW }, '/login');
    assert.equal(noticeOf(done), 'Your password is changed: sign in with the new one.');
    assert.ok(await canSignIn(username, NEW));
    assert.ok(!(await canSignIn(username, PASSWORD)));
  });

  it('change password on the profile: the current one checked, the two new ones compared, then the new one signs in', async function () {
    const { a, username, profile } = await account();
    assert.match(profile, /<form method="post" action="\/account\/password" id="password-form"/);
    assert.match(profile, /id="previousPassword" name="previousPassword" autocomplete="current-password"/);
    const NEW = 'Chang3d-Passw0rd!';
    const first = await a.post('/account/password').set('Accept', HTML).type('form')
      .send({ _csrf: csrfOf(profile), previousPassword: 'Not-the-0ne!', newPassword: NEW, confirmPassword: NEW }).expect(303);
    assert.equal(first.headers.location, '/profile');
    const scrolled = await a.get('/profile').set('Accept', HTML).expect(302);
    assert.equal(scrolled.headers.location, '/profile#password-section', 'sent on to the form, whose answer it is');
    assert.equal(errorOf(await open(a, '/profile')), 'Your current password is not right.');
    const reload = await open(a, '/profile');
    assert.equal(errorOf(reload), undefined, 'shown once');
    const wrong = await submit(a, reload, '/account/password',
      { previousPassword: 'Not-the-0ne!', newPassword: NEW, confirmPassword: NEW }, '/profile');
    assert.equal(errorOf(wrong), 'Your current password is not right.');
    const mismatch = await submit(a, wrong, '/account/password',
      { previousPassword: PASSWORD, newPassword: NEW, confirmPassword: `${NEW}x` }, '/profile');
    assert.equal(errorOf(mismatch), 'The two passwords are not the same.');
    const weak = await submit(a, mismatch, '/account/password',
      { previousPassword: PASSWORD, newPassword: 'abc', confirmPassword: 'abc' }, '/profile');
    assert.equal(errorOf(weak), 'This password is too weak: it needs at least 8 characters.');
    const done = await submit(a, weak, '/account/password', { previousPassword: PASSWORD, newPassword: NEW, confirmPassword: NEW }, '/profile');
    assert.equal(noticeOf(done), 'Your password is changed.');
    assert.doesNotMatch(done, new RegExp(NEW));
    assert.ok(await canSignIn(username, NEW));
  });

  it('edit profile: a name is saved at once; a new e-mail is verified with its code (and a new one on request)', async function () {
    const { a, username, profile } = await account();
    const same = await submit(a, profile, '/account/profile',
      { name: '', email: `${username}@example.com`, previous_email: `${username}@example.com`, previous_name: '' }, '/profile');
    assert.equal(errorOf(same), 'Nothing to save: nothing was changed.');

    const sent = emulator.outbox({ username }).length;
    const named = await submit(a, same, '/account/profile',
      { name: ' Ann Example ', email: `${username}@example.com`, previous_email: `${username}@example.com`, previous_name: '' }, '/profile');
    assert.equal(noticeOf(named), 'Your details are saved.');
    assert.match(named, /<td id="profile-name">Ann Example<\/td>/);
    assert.equal(emulator.outbox({ username }).length, sent, 'the unchanged e-mail was not sent a code');

    const NEW = `${username}@new.example`;
    const verify = await submit(a, named, '/account/profile',
      { name: 'Ann Example', email: NEW, previous_email: `${username}@example.com`, previous_name: 'Ann Example' }, '/verify');
    assert.match(noticeOf(verify) ?? '', /^We sent a code to u\*\*\*@n\*\*\*\. Enter it to verify the address\.$/);
    assert.match(verify, new RegExp(`<strong id="verify-email">${NEW}</strong>`));
    assert.match(verify, /formaction="\/account\/verify\/send"/);
    const unverified = await open(a, '/profile');
    assert.match(unverified, /<span class="tag warn" id="email-state">not verified<\/span> <a href="\/verify">/);

    const first = codeOf(username, 'UPDATE_ATTRIBUTE');
    const wrong = await submit(a, verify, '/account/verify', { attribute: 'email', code: wrongCode(first) }, '/verify');
    assert.match(errorOf(wrong) ?? '', /code/i);
    const resent = await submit(a, wrong, '/account/verify/send', { attribute: 'email', code: '' }, '/verify');
    assert.match(noticeOf(resent) ?? '', /^A new code is on its way to u\*\*\*@n\*\*\*\.$/);
    const done = await submit(a, resent, '/account/verify', { attribute: 'email', code: codeOf(username, 'VERIFY_ATTRIBUTE') }, '/profile');
    assert.equal(noticeOf(done), 'Your e-mail address is verified.');
    assert.match(done, new RegExp(`<span id="profile-email">${NEW}</span> <span class="tag on" id="email-state">verified</span>`));
  });

  it('MFA: anonymous → login; enrol by QR (kept over a reload and a wrong code), sign-in asks for it, re-enrol, turn off', async function () {
    const anonymous = await request(app).get('/mfa').set('Accept', HTML).expect(302);
    assert.equal(anonymous.headers.location, '/login?returnTo=%2Fmfa');

    const { a, username } = await account();
    const off = await open(a, '/mfa');
    assert.match(off, /<td id="mfa-totp"><span class="tag">off<\/span>/);
    const enrol = await submit(a, off, '/account/mfa/totp', {}, '/mfa');
    assert.match(enrol, /<div class="qr" id="qr"[^>]*><svg /);
    const secret = /id="secret-code">([A-Z2-7]+)</.exec(enrol)?.[1];
    assert.ok(secret, 'the key is shown as text');

    const associated = emulator.calls('AssociateSoftwareToken');
    const reload = await open(a, '/mfa');
    assert.match(reload, new RegExp(`id="secret-code">${secret}<`), 'a reload keeps the key');
    assert.equal(emulator.calls('AssociateSoftwareToken'), associated, 'and sets up nothing new');
    const now = emulator.clock.now();
    const wrong = await submit(a, reload, '/account/mfa/totp/verify', { code: wrongCode(generateTotp(secret, now)) }, '/mfa');
    assert.match(errorOf(wrong) ?? '', /code/i);
    assert.match(wrong, new RegExp(`id="secret-code">${secret}<`));
    const on = await submit(a, wrong, '/account/mfa/totp/verify', { code: generateTotp(secret, now) }, '/mfa');
    assert.equal(noticeOf(on), 'The authenticator app is on: signing in now asks for its code.');
    assert.match(on, /<td id="mfa-totp"><span class="tag on">on<\/span>/);
    assert.doesNotMatch(on, /id="secret-code"/);

    // Signing in again asks for the code.
    const b = agent();
    const step = await submit(b, await open(b, '/login'), '/login', { username, password: PASSWORD }, '/login/step');
    assert.match(step, /Enter your authenticator code/);
    await submit(b, step, '/login', { code: generateTotp(secret, now + 30_000) }, '/profile');

    // Re-enrolment: a new key; once it is on, the old one no longer signs in.
    const again = await submit(b, await open(b, '/mfa'), '/account/mfa/totp', {}, '/mfa');
    const second = /id="secret-code">([A-Z2-7]+)</.exec(again)?.[1];
    assert.ok(second && second !== secret, 'a new key');
    await submit(b, again, '/account/mfa/totp/verify', { code: generateTotp(second, now) }, '/mfa');
    const c = agent();
    const old = await submit(c, await open(c, '/login'), '/login', { username, password: PASSWORD }, '/login/step');
    const refused = await submit(c, old, '/login', { code: generateTotp(secret, now - 30_000) }, '/login/step');
    assert.equal(errorOf(refused), 'The code is not valid; try again.');
    await submit(c, refused, '/login', { code: generateTotp(second, now + 30_000) }, '/profile');

    const disabled = await submit(c, await open(c, '/mfa'), '/account/mfa/disable', { factor: 'totp' }, '/mfa');
    assert.equal(noticeOf(disabled), 'Turned off: signing in asks for the password only.');
    assert.match(disabled, /<td id="mfa-totp"><span class="tag">off<\/span>/);
    assert.ok(await canSignIn(username, PASSWORD));
  });

  it('delete the account: the password is asked again; then signed out, with a notice on the login page', async function () {
    const { a, username, profile } = await account();
    const wrong = await submit(a, profile, '/account/delete', { password: 'Not-the-0ne!' }, '/profile');
    assert.equal(errorOf(wrong), 'The password is not right.');
    const login = await submit(a, wrong, '/account/delete', { password: PASSWORD }, '/login');
    assert.equal(noticeOf(login), 'Your account has been deleted.');
    assert.doesNotMatch(login, /Signed in as/);
    const gone = await a.get('/profile').set('Accept', HTML).expect(302);
    assert.equal(gone.headers.location, '/login?returnTo=%2Fprofile');
    assert.ok(!(await canSignIn(username, PASSWORD)));
  });

  it('signed-in forms need a sign-in (browser → login, which never returns to a form route) and a CSRF token', async function () {
    const res = await request(app).get('/verify').set('Accept', HTML).expect(302);
    assert.equal(res.headers.location, '/login?returnTo=%2Fverify');
    const anonymous = agent();
    const login = await open(anonymous, '/login');
    const post = await anonymous.post('/account/password').set('Accept', HTML).type('form')
      .send({ _csrf: csrfOf(login), previousPassword: PASSWORD }).expect(302);
    assert.equal(post.headers.location, '/login?returnTo=%2Faccount%2Fpassword');
    assert.doesNotMatch(await open(anonymous, post.headers.location), /name="returnTo"/, 'a POST-only route is no page to return to');

    const { a } = await account();
    // Cancelling a set-up drops the key from the page.
    const enrol = await submit(a, await open(a, '/mfa'), '/account/mfa/totp', {}, '/mfa');
    assert.match(enrol, /id="secret-code"/);
    assert.doesNotMatch(await submit(a, enrol, '/mfa/cancel', {}, '/mfa'), /id="secret-code"/);

    await a.post('/account/password').set('Accept', HTML).type('form')
      .send({ previousPassword: PASSWORD, newPassword: 'N3w-Passw0rd!', confirmPassword: 'N3w-Passw0rd!' }).expect(403);
    await a.post('/account/delete').set('Accept', HTML).type('form').send({ password: PASSWORD }).expect(403);
    assert.ok(await open(a, '/profile'), 'still signed in');
  });

  it('shows the pool\'s own policy when the app may read it (DescribeUserPool)', async function () {
    const seed: EmulatorSeed = {
      pools: [{
        name: 'long', passwordPolicy: { MinimumLength: 12, RequireSymbols: false, RequireUppercase: true, RequireLowercase: true, RequireNumbers: true },
        settings: { AutoVerifiedAttributes: ['email'] },
        clients: [{ name: 'web', explicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] }],
      }],
    };
    const pool = (await emulator.seed(seed)).pools.long;
    const client = new CognitoIdentityProviderClient({
      region: emulator.region, endpoint: emulator.endpoint, credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    });
    const long = createApp({
      cognito: {
        userPoolId: pool.poolId, clientId: pool.clients.web.clientId, endpoint: emulator.endpoint, region: emulator.region, client,
      },
      sessionSecret: 'example-app policy test secret',
    });
    const a = request.agent(long);
    const described = emulator.calls('DescribeUserPool');
    const page = (await a.get('/sign-up').set('Accept', HTML).expect(200)).text;
    assert.match(page, /at least 12 characters/);
    assert.doesNotMatch(page, /a symbol/);
    assert.match(page, /minlength="12"/);
    const res = await a.post('/account/sign-up').set('Accept', HTML).type('form')
      .send({ _csrf: csrfOf(page), username: 'longpw', email: 'l@example.com', password: 'Short1Pass', confirmPassword: 'Short1Pass' }).expect(303);
    const again = (await a.get(res.headers.location).set('Accept', HTML).expect(200)).text;
    assert.equal(errorOf(again), 'This password is too weak: it needs at least 12 characters.');
    assert.equal(emulator.calls('DescribeUserPool'), described + 1, 'the policy was read from the pool, once');
  });
});
