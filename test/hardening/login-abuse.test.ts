/**
 * Hardening: abuse of the login route (issue 6).
 *
 * - Bodies with arrays or objects where strings belong, oversized, missing or junk fields: 400 (413
 *   for a body past the parser's limit), and no call to Cognito (counted at the emulator).
 * - Unknown user and wrong password: byte-identical responses.
 * - `returnTo` and redirect targets: only same-origin relative paths — the guard's login redirect
 *   (hostile request targets sent raw over a socket), `isSafeReturnTo` (a corpus and a fast-check
 *   property), option validation, and the example app's post-login redirect.
 * - Logging: with `express-cognito:*` enabled, a full login (SRP and admin, a wrong password, a
 *   NEW_PASSWORD_REQUIRED answer), renewal and logout with a client secret log no password, token,
 *   refresh token, secret hash, client secret or session id.
 */
import { strict as assert } from 'node:assert';
import { connect } from 'node:net';
import { format } from 'node:util';
import createDebug from 'debug';
import type { Express } from 'express';
import fc from 'fast-check';
import request from 'supertest';
import { DEMO_SEED, startEmulator, type Emulator } from '../../lib/emulator';
import { secretHash } from '../../lib/secret-hash';
import { cognitoLogout } from '../../middleware/cognito-logout';
import { requireCognito } from '../../middleware/require-cognito';
import { isSafeReturnTo, loginRedirectUrl } from '../../middleware/return-to';
import { createApp } from '../../example-app/app';
import { EXPRESS_FLAVORS, poolOptions, startApp, storedSession, type TestApp } from '../support/app';
import { startTestPool, type TestPool } from '../support/pool';

const PASSWORD = 'Corr3ct-Horse-Battery!';
const BASE = 'http://app.test';
const express5 = EXPRESS_FLAVORS[1];
const HTML = 'text/html,application/xhtml+xml,*/*;q=0.8';

/** Where a browser would go from a Location (the WHATWG parser strips tabs/newlines, maps \ to /). */
function sameOrigin(location: string): boolean {
  try {
    return new URL(location, BASE).origin === BASE;
  } catch {
    return false;
  }
}

/** A raw HTTP/1.1 GET with any request target (supertest would normalise it). */
function rawGet(
  url: string,
  target: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, string> }> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1');
    let data = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => { data += chunk; });
    socket.on('error', reject);
    socket.on('end', () => {
      const [head = ''] = data.split('\r\n\r\n');
      const [statusLine = '', ...lines] = head.split('\r\n');
      const out: Record<string, string> = {};
      for (const line of lines) {
        const i = line.indexOf(':');
        if (i > 0) out[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
      }
      resolve({ status: Number(statusLine.split(' ')[1]), headers: out });
    });
    const extra = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('');
    socket.write(`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n${extra}Connection: close\r\n\r\n`, 'latin1');
  });
}

describe('hardening: abuse of the login route', function () {
  this.timeout(60_000);
  let pool: TestPool;
  let web: TestApp;

  before(async () => {
    pool = await startTestPool();
    await pool.createUser('alice', PASSWORD);
    web = await startApp(express5, { pool, guard: { loginUrl: '/login' } });
  });
  after(async () => {
    await web.close();
    await pool.stop();
  });

  describe('malformed bodies: 400 and no call to Cognito', () => {
    const big = 'x'.repeat(2000);
    const cases: Array<{ name: string; body: unknown; type?: 'json' | 'form'; status?: number; code?: string }> = [
      { name: 'username as an array', body: { username: ['alice'], password: PASSWORD }, code: 'ERR_COGNITO_INVALID_FIELD' },
      { name: 'username as an array of two', body: { username: ['alice', 'bob'], password: PASSWORD }, code: 'ERR_COGNITO_INVALID_FIELD' },
      { name: 'username as an object', body: { username: { $ne: null }, password: PASSWORD }, code: 'ERR_COGNITO_INVALID_FIELD' },
      { name: 'username as a number', body: { username: 12345, password: PASSWORD }, code: 'ERR_COGNITO_INVALID_FIELD' },
      { name: 'username as true', body: { username: true, password: PASSWORD }, code: 'ERR_COGNITO_INVALID_FIELD' },
      { name: 'password as an array', body: { username: 'alice', password: [PASSWORD] }, code: 'ERR_COGNITO_INVALID_FIELD' },
      { name: 'password as an object', body: { username: 'alice', password: { toString: PASSWORD } }, code: 'ERR_COGNITO_INVALID_FIELD' },
      { name: 'password as a number', body: { username: 'alice', password: 123456 }, code: 'ERR_COGNITO_INVALID_FIELD' },
      { name: 'username of 300 characters', body: { username: 'a'.repeat(300), password: PASSWORD }, code: 'ERR_COGNITO_INVALID_FIELD' },
      { name: 'username of 1 MB minus a bit', body: { username: 'a'.repeat(90_000), password: PASSWORD }, code: 'ERR_COGNITO_INVALID_FIELD' },
      { name: 'password of 2000 bytes', body: { username: 'alice', password: big }, code: 'ERR_COGNITO_INVALID_FIELD' },
      { name: 'password of 600 two-byte characters (1200 bytes)', body: { username: 'alice', password: 'é'.repeat(600) }, code: 'ERR_COGNITO_INVALID_FIELD' },
      { name: 'username with a newline', body: { username: 'alice\nadmin', password: PASSWORD }, code: 'ERR_COGNITO_INVALID_FIELD' },
      { name: 'username with a NUL', body: { username: 'alice\u0000', password: PASSWORD }, code: 'ERR_COGNITO_INVALID_FIELD' },
      { name: 'username of spaces only (trimmed to nothing)', body: { username: '   ', password: PASSWORD }, code: 'ERR_COGNITO_MISSING_CREDENTIALS' },
      { name: 'missing username', body: { password: PASSWORD }, code: 'ERR_COGNITO_MISSING_CREDENTIALS' },
      { name: 'missing password', body: { username: 'alice' }, code: 'ERR_COGNITO_MISSING_CREDENTIALS' },
      { name: 'empty strings', body: { username: '', password: '' }, code: 'ERR_COGNITO_MISSING_CREDENTIALS' },
      { name: 'nulls', body: { username: null, password: null }, code: 'ERR_COGNITO_MISSING_CREDENTIALS' },
      { name: 'an empty JSON object', body: {}, code: 'ERR_COGNITO_MISSING_CREDENTIALS' },
      { name: 'a JSON array body', body: [{ username: 'alice', password: PASSWORD }], code: 'ERR_COGNITO_MISSING_CREDENTIALS' },
      { name: 'credentials only under __proto__', body: JSON.parse(`{"__proto__":{"username":"alice","password":"${PASSWORD}"}}`), code: 'ERR_COGNITO_MISSING_CREDENTIALS' },
      { name: 'credentials nested one level down', body: { user: { username: 'alice', password: PASSWORD } }, code: 'ERR_COGNITO_MISSING_CREDENTIALS' },
      { name: 'a code with no login in progress', body: { code: '123456' }, code: 'ERR_COGNITO_NO_PENDING_CHALLENGE' },
      { name: 'a code as an object with no login in progress', body: { code: { $gt: '' } }, code: 'ERR_COGNITO_NO_PENDING_CHALLENGE' },
      { name: 'form: username[]=alice (arrays are not unpacked)', body: `username[]=alice&password=${encodeURIComponent(PASSWORD)}`, type: 'form', code: 'ERR_COGNITO_MISSING_CREDENTIALS' },
      { name: 'form: username given twice', body: `username=alice&username=bob&password=${encodeURIComponent(PASSWORD)}`, type: 'form', code: 'ERR_COGNITO_INVALID_FIELD' },
      { name: 'form: password given twice', body: `username=alice&password=a&password=b`, type: 'form', code: 'ERR_COGNITO_INVALID_FIELD' },
      { name: 'form: an empty body', body: '', type: 'form', code: 'ERR_COGNITO_MISSING_CREDENTIALS' },
      { name: 'a JSON body past the parser\'s 100 kB limit', body: { username: 'alice', password: 'x'.repeat(150_000) }, status: 413 },
      { name: 'JSON that does not parse', body: '{"username": "alice", "password": ', type: 'json', status: 400 },
    ];
    after(() => console.log(`      malformed bodies: ${cases.length} cases, ${cases.length} refused before Cognito, 0 Cognito calls`));
    for (const c of cases) {
      it(`${c.name}: ${c.status ?? 400}${c.code ? ` ${c.code}` : ''}, Cognito not called`, async () => {
        const before = pool.emulator.calls();
        let req = request(web.url).post('/login');
        if (c.type === 'form') req = req.type('form');
        else if (typeof c.body === 'string') req = req.set('Content-Type', 'application/json');
        const res = await req.send(c.body as object);
        assert.equal(res.status, c.status ?? 400, res.text.slice(0, 300));
        if (c.code) assert.equal(res.body.code, c.code);
        assert.equal(pool.emulator.calls(), before, 'no call to Cognito');
        assert.ok(!res.text.includes(PASSWORD), 'the password is not echoed');
        const session = await request(web.url).get('/api/me');
        assert.equal(session.status, 401);
      });
    }
  });

  describe('unknown user and wrong password', () => {
    const strip = (res: request.Response): { status: number; headers: Record<string, unknown>; text: string } => {
      const { date: _date, ...headers } = res.headers as Record<string, unknown>;
      return { status: res.status, headers, text: res.text };
    };

    it('give byte-identical responses (JSON route)', async () => {
      const wrong = await request(web.url).post('/login').send({ username: 'alice', password: `${PASSWORD}x` });
      const unknown = await request(web.url).post('/login').send({ username: 'nobody-here', password: `${PASSWORD}x` });
      const calls = pool.emulator.calls();
      const tooLong = await request(web.url).post('/login').send({ username: 'n'.repeat(200), password: `${PASSWORD}x` });
      assert.equal(pool.emulator.calls(), calls, 'a username Cognito cannot have costs no call');
      assert.equal(wrong.status, 401);
      assert.equal(wrong.body.code, 'ERR_COGNITO_BAD_CREDENTIALS');
      assert.deepEqual(strip(unknown), strip(wrong));
      assert.deepEqual(strip(tooLong), strip(wrong));
      assert.equal(wrong.headers['set-cookie'], undefined, 'a failed login stores no session');
    });

    it('give byte-identical responses (form route with redirects)', async () => {
      const wrong = await request(web.url).post('/login-form').type('form').send({ username: 'alice', password: 'nope-nope-1' });
      const unknown = await request(web.url).post('/login-form').type('form').send({ username: 'nobody-here', password: 'nope-nope-1' });
      assert.equal(wrong.status, 302);
      assert.equal(wrong.headers.location, '/login');
      assert.deepEqual(strip(unknown), strip(wrong));
    });

    it('and for the example app\'s HTML login page, apart from the per-session CSRF token', async () => {
      const emulator = await startEmulator();
      try {
        const app = await exampleApp(emulator);
        const attempt = async (username: string): Promise<string> => {
          const agent = request.agent(app);
          const form = await agent.get('/login').set('Accept', HTML).expect(200);
          const csrf = /name="_csrf" value="([^"]+)"/.exec(form.text)![1];
          const posted = await agent.post('/login').set('Accept', HTML).type('form').send({ _csrf: csrf, username, password: 'Wr0ng-pass!' });
          assert.equal(posted.status, 303, 'Post/Redirect/Get: the refusal is shown by the GET that follows');
          assert.equal(posted.headers.location, '/login');
          const res = await agent.get('/login').set('Accept', HTML).expect(200);
          assert.match(res.text, /Incorrect username or password/);
          return res.text.split(csrf).join('<csrf>').replace(/value="nobody-here"|value="alice"/, 'value="<typed>"');
        };
        assert.equal(await attempt('nobody-here'), await attempt('alice'));
      } finally {
        await emulator.stop();
      }
    });
  });

  describe('returnTo and redirect targets: same-origin relative paths only', () => {
    const hostile = [
      '//evil.example', '//evil.example/', '///evil.example', '////evil.example', '/\\evil.example', '/\\/evil.example', '\\\\evil.example',
      '/%2F%2Fevil.example', '/%2f%2fevil.example', '/%2F/evil.example', '/%5Cevil.example', '/%5C%5Cevil.example', '/%5c/evil.example',
      '/%252F%252Fevil.example', '/%25252F%25252Fevil.example', '/%09/evil.example', '/%0A/evil.example', '/%0D%0A/evil.example',
      '/\t/evil.example', '/\n/evil.example', '/\r\n/evil.example', '/ /evil.example', '/\u0000/evil.example',
      'https://evil.example', 'http://evil.example/x', 'HTTPS://evil.example', 'https:evil.example', '//evil.example@app.test',
      'javascript:alert(1)', 'JaVaScRiPt:alert(1)', 'data:text/html,<script>alert(1)</script>', '\u2215\u2215evil.example',
      '/\u3002evil.example', 'evil.example', '.evil.example', '', ' ', '/'.repeat(3000),
    ];

    it('isSafeReturnTo refuses every hostile value of the corpus', () => {
      for (const value of hostile) {
        const safe = isSafeReturnTo(value);
        assert.ok(!safe || sameOrigin(value), `${JSON.stringify(value)} was judged safe but leaves the origin`);
        if (value !== '/\u3002evil.example') assert.equal(safe, false, JSON.stringify(value));
      }
      for (const value of ['/', '/account', '/a/b?c=d#e', '/orders/42?view=%2Fx']) assert.equal(isSafeReturnTo(value), true, value);
      assert.equal(loginRedirectUrl('/login', '//evil.example'), '/login?returnTo=%2F');
    });

    it('fast-check: whatever isSafeReturnTo accepts stays on this origin, however often it is decoded (20,000 values)', () => {
      const unit = fc.constantFrom(...'/\\%2F5Cc09AD@:.evil.exampleht ps?#\t\n'.split(''), '%2F', '%5C', '%25', '%2f', '%09', '//', '/\\');
      let accepted = 0;
      fc.assert(fc.property(fc.string({ unit, maxLength: 24 }), (value) => {
        if (!isSafeReturnTo(value)) return;
        accepted++;
        let decoded = value;
        for (let i = 0; i < 4; i++) {
          assert.ok(sameOrigin(decoded), `${JSON.stringify(value)} → ${JSON.stringify(decoded)} leaves the origin`);
          try {
            decoded = decodeURIComponent(decoded);
          } catch {
            break;
          }
        }
      }), { numRuns: 20_000, seed: 0x7e7 });
      assert.ok(accepted > 100, `the property saw only ${accepted} accepted values`);
      console.log(`      returnTo: ${hostile.length} hostile values refused; 20000 random values, ${accepted} accepted, all same-origin`);
    });

    it('the guard\'s login redirect never carries a hostile request target as returnTo (raw request lines)', async () => {
      // A guard at the root: every request target reaches it, whatever its shape.
      const app = express5.load()();
      app.use(requireCognito({ ...poolOptions(pool), loginUrl: '/login' }));
      const server = app.listen(0, '127.0.0.1');
      await new Promise((resolve) => server.once('listening', resolve));
      const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
      try {
        let redirected = 0;
        for (const target of hostile.filter((t) => t !== '' && t !== ' ' && !/[\r\n]/.test(t) && !t.includes('\u0000'))) {
          const res = await rawGet(url, target.replace(/[^\x21-\x7e\t ]/g, (c) => encodeURIComponent(c)), { Accept: HTML });
          assert.ok(res.status < 500, `${JSON.stringify(target)}: ${res.status}`);
          if (res.status !== 302) continue; // Node refused the request line itself (400)
          redirected++;
          const location = res.headers.location ?? '';
          assert.match(location, /^\/login\?returnTo=/);
          const returnTo = new URL(location, BASE).searchParams.get('returnTo') ?? '';
          assert.ok(isSafeReturnTo(returnTo) && sameOrigin(returnTo), `${JSON.stringify(target)} → returnTo ${JSON.stringify(returnTo)}`);
          assert.ok(!/evil\.example/.test(decodeURIComponent(returnTo)) || returnTo.startsWith('/') && !returnTo.startsWith('//'), returnTo);
        }
        assert.ok(redirected >= 20, `only ${redirected} hostile targets reached the guard`);
        console.log(`      guard: ${redirected} hostile request targets redirected to login, returnTo always same-origin`);
        // A normal page keeps its path.
        const ok = await rawGet(url, '/orders/42?view=full', { Accept: HTML });
        assert.equal(ok.headers.location, `/login?returnTo=${encodeURIComponent('/orders/42?view=full')}`);
      } finally {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      }
    });

    it('loginUrl and the logout redirect are refused at construction when they are not a path or http(s) URL', () => {
      for (const bad of ['//evil.example', '/\\evil.example', 'javascript:alert(1)', 'evil.example', '']) {
        assert.throws(() => requireCognito({ ...poolOptions(pool), loginUrl: bad }), TypeError, `loginUrl ${bad}`);
        assert.throws(() => cognitoLogout({ ...poolOptions(pool), redirect: bad }), TypeError, `redirect ${bad}`);
      }
    });

    it('the example app redirects after login only to a path of its own', async () => {
      const emulator = await startEmulator();
      try {
        const app = await exampleApp(emulator);
        for (const returnTo of [...hostile.filter((v) => !v.includes('\u0000')), '/"><script>alert(1)</script>', '/profile']) {
          const agent = request.agent(app);
          const page = await agent.get(`/login?returnTo=${encodeURIComponent(returnTo)}`).set('Accept', HTML).expect(200);
          assert.doesNotMatch(page.text, /<script>alert/, 'returnTo is never rendered as markup');
          const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)![1];
          const res = await agent.post('/login').set('Accept', HTML).type('form').send({ _csrf: csrf, username: 'alice', password: 'Passw0rd!', returnTo });
          assert.equal(res.status, 303, `${JSON.stringify(returnTo)}: ${res.status}`);
          const location = String(res.headers.location);
          assert.ok(sameOrigin(location) && location.startsWith('/') && !location.startsWith('//') && !location.startsWith('/\\'),
            `${JSON.stringify(returnTo)} → Location ${JSON.stringify(location)}`);
        }
        console.log(`      example app: ${hostile.length + 1} returnTo values at login (hostile, markup, one valid), every redirect on-site`);
      } finally {
        await emulator.stop();
      }
    });
  });

  describe('logging: nothing secret in express-cognito:* debug output', () => {
    let secretPool: TestPool;
    let secretWeb: TestApp;
    let adminWeb: TestApp;
    const lines: string[] = [];
    const originalLog = createDebug.log;
    let previous = '';

    before(async () => {
      secretPool = await startTestPool({ generateSecret: true });
      await secretPool.createUser('alice', PASSWORD);
      await secretPool.createUser('carol', 'Temp-Passw0rd!', { temporary: true });
      secretWeb = await startApp(express5, { pool: secretPool });
      adminWeb = await startApp(express5, { pool: secretPool, strategy: { authFlow: 'ADMIN_USER_PASSWORD_AUTH' } });
      previous = createDebug.disable();
      createDebug.enable('express-cognito:*');
      createDebug.log = (...args: unknown[]) => { lines.push(format(...args)); };
    });
    after(async () => {
      createDebug.log = originalLog;
      createDebug.disable();
      if (previous) createDebug.enable(previous);
      await secretWeb?.close();
      await adminWeb?.close();
      await secretPool?.stop();
    });

    it('a full login (SRP, admin, a wrong password, a new-password answer), renewal and logout', async () => {
      const secrets = new Map<string, string>();
      const keep = (label: string, value: string | undefined): void => {
        if (!value) return;
        secrets.set(label, value);
        // A token's parts give it away too (payload = the claims, signature = the proof).
        if (value.split('.').length === 3) value.split('.').forEach((part, i) => { if (part.length > 16) secrets.set(`${label}[${i}]`, part); });
      };
      const wrongPassword = 'Alm0st-the-password!';
      const newPassword = 'Brand-N3w-Passw0rd!';
      keep('password', PASSWORD);
      keep('wrong password', wrongPassword);
      keep('temporary password', 'Temp-Passw0rd!');
      keep('new password', newPassword);
      keep('client secret', secretPool.clientSecret);
      for (const username of ['alice', 'carol']) keep(`secret hash ${username}`, secretHash(username, secretPool.clientId, secretPool.clientSecret!));

      const sessionTokens = async (web: TestApp, sid: string): Promise<Record<string, string>> =>
        (await storedSession(web.sessionStore, sid))!.cognito.tokens as Record<string, string>;

      // SRP login, a wrong password first.
      const agent = request.agent(secretWeb.url);
      await agent.post('/login').send({ username: 'alice', password: wrongPassword }).expect(401);
      const login = await agent.post('/login').send({ username: 'alice', password: PASSWORD }).expect(200);
      const sid = login.body.sid as string;
      keep('session id', sid);
      const first = await sessionTokens(secretWeb, sid);
      keep('id token', first.idToken);
      keep('access token', first.accessToken);
      keep('refresh token', first.refreshToken);
      await agent.get('/api/me').expect(200);
      await request(secretWeb.url).get('/api/me').set('Authorization', `Bearer ${first.accessToken}`).expect(200);
      // Renewal (REFRESH_TOKEN_AUTH with the SECRET_HASH): first refused by a throttling Cognito, then done.
      secretPool.emulator.clock.advance(61 * 60 * 1000);
      secretPool.emulator.setFaults({ throttle: true, operations: ['InitiateAuth'] });
      await agent.get('/api/me').expect(503);
      await request(secretWeb.url).post('/login').send({ username: 'alice', password: PASSWORD }).expect(429);
      secretPool.emulator.clearFaults();
      await agent.get('/api/me').expect(200);
      const renewed = await sessionTokens(secretWeb, sid);
      assert.notEqual(renewed.accessToken, first.accessToken);
      keep('renewed id token', renewed.idToken);
      keep('renewed access token', renewed.accessToken);
      // Logout while GlobalSignOut fails at Cognito (an error path, where leaks like to hide).
      secretPool.emulator.setFaults({ serverError: true, operations: ['GlobalSignOut'] });
      await agent.post('/logout').expect(204);
      secretPool.emulator.clearFaults();
      await request(secretWeb.url).get('/api/me').set('Authorization', `Bearer ${renewed.accessToken}`).expect(401);

      // Admin flow (the password goes to Cognito) and a NEW_PASSWORD_REQUIRED answer.
      const admin = request.agent(adminWeb.url);
      const adminLogin = await admin.post('/login').send({ username: 'alice', password: PASSWORD }).expect(200);
      keep('admin session id', adminLogin.body.sid);
      keep('admin access token', (await sessionTokens(adminWeb, adminLogin.body.sid)).accessToken);
      await admin.post('/logout').expect(204);
      const carol = request.agent(secretWeb.url);
      const challenge = await carol.post('/login').send({ username: 'carol', password: 'Temp-Passw0rd!' }).expect(401);
      assert.equal(challenge.body.challenge, 'NEW_PASSWORD_REQUIRED');
      const done = await carol.post('/login').send({ newPassword }).expect(200);
      keep('carol access token', (await sessionTokens(secretWeb, done.body.sid)).accessToken);

      const log = lines.join('\n');
      assert.ok(lines.length >= 20, `debug output was captured (${lines.length} lines)`);
      for (const ns of ['strategy', 'require', 'logout']) assert.match(log, new RegExp(`express-cognito:${ns}`), `${ns} logged something`);
      const leaks = [...secrets].filter(([, value]) => log.includes(value)).map(([label]) => label);
      assert.deepEqual(leaks, [], `found in the debug output: ${leaks.join(', ')}`);
      console.log(`      logging: ${lines.length} debug lines searched for ${secrets.size} secret values: 0 found`);
    });
  });
});

async function exampleApp(emulator: Emulator): Promise<Express> {
  const seeded = await emulator.seed(DEMO_SEED);
  const demo = seeded.pools.demo;
  return createApp({
    cognito: {
      userPoolId: demo.poolId, clientId: Object.values(demo.clients)[0].clientId, endpoint: emulator.endpoint, region: emulator.region,
    },
    sessionSecret: 'login-abuse test secret',
    clock: () => emulator.clock.now(),
  });
}
