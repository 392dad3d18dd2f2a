// requireCognito's same-tick path: whatever needs no I/O (a bearer token whose signing key is held, a
// session token already verified) is decided without a promise, and refused exactly where the full
// path refuses it.
import { strict as assert } from 'node:assert';
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeJwt } from 'jose';
import request from 'supertest';
import { MemoryRevocationStore, type RevocationStore } from '../../middleware/revocation-store';
import { requireCognito, type CognitoMiddleware, type RequireCognitoOptions } from '../../middleware/require-cognito';
import { getSessionTokens, setSessionTokens, toSessionTokens } from '../../middleware/session-tokens';
import type { CognitoRequestContext } from '../../middleware/types';
import { EXPRESS_FLAVORS, startApp, type TestApp } from '../support/app';
import { startTestPool, type TestPool } from '../support/pool';
import { TokenFixture } from '../support/tokens';

type Req = IncomingMessage & { cognito?: CognitoRequestContext; session?: Record<string, unknown> };

/** A request object as Node hands it to a middleware, with the given header lines. */
function fakeRequest(lines: Array<[string, string]>): Req {
  const headers: Record<string, string> = {};
  for (const [k, v] of lines) headers[k.toLowerCase()] ??= v;
  return { headers, rawHeaders: lines.flat(), url: '/api', method: 'GET' } as unknown as Req;
}

/** A response that records what a refusal would send. */
function fakeResponse(): ServerResponse & { sent?: { status: number; body: string } } {
  const headers = new Map<string, unknown>();
  const res = {
    statusCode: 200,
    headersSent: false,
    setHeader: (k: string, v: unknown) => void headers.set(k.toLowerCase(), v),
    getHeader: (k: string) => headers.get(k.toLowerCase()),
    removeHeader: (k: string) => void headers.delete(k.toLowerCase()),
    writeHead(status: number, h?: Record<string, unknown>) {
      res.statusCode = status;
      for (const [k, v] of Object.entries(h ?? {})) headers.set(k.toLowerCase(), v);
      return res;
    },
    end(body?: string) {
      (res as { sent?: unknown }).sent = { status: res.statusCode, body: String(body ?? '') };
      return res;
    },
  };
  return res as unknown as ServerResponse & { sent?: { status: number; body: string } };
}

/** Runs the middleware once; says whether next() ran before it returned, and with what. */
function callGuard(guard: CognitoMiddleware, req: Req, res = fakeResponse()): { sameTick: boolean; done: Promise<unknown> } {
  let ran = false;
  let returned = false;
  let sameTick = false;
  const done = new Promise<unknown>((resolve) => {
    guard(req, res, (err?: unknown) => {
      ran = true;
      if (!returned) sameTick = true;
      resolve(err ?? 'next');
    });
    returned = true;
    if (!ran) {
      // Refusals end the response instead of calling next().
      const poll = (): void => void (res.sent ? resolve(res.sent) : setImmediate(poll));
      poll();
    }
  });
  return { get sameTick() { return sameTick; }, done };
}

/** A plain HTTP server running `guard` then answering with req.cognito, or the error's status. */
async function serve(
  guard: CognitoMiddleware,
  session?: Record<string, unknown>,
): Promise<{ url: string; server: Server; close(): Promise<void> }> {
  const server = createServer((req: Req, res) => {
    if (session) req.session = session;
    guard(req, res, (err?: unknown) => {
      if (err) {
        res.writeHead(500, { 'Content-Type': 'application/json' }).end(JSON.stringify({ error: 'internal' }));
        return;
      }
      const c = req.cognito as CognitoRequestContext;
      // A handler changing its copy of the arrays must not change the next request's.
      c.groups.push('added-by-handler');
      c.scopes.length = 0;
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ username: c.username, groups: c.groups, source: c.source }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, server, close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }) };
}

/** GET with raw header lines (several Authorization headers, odd spellings). */
function rawGet(url: string, lines: Array<[string, string]>): Promise<{ status: number; body: any }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const grouped = new Map<string, string[]>();
    for (const [k, v] of lines) grouped.set(k, [...(grouped.get(k) ?? []), v]);
    const req = httpRequest({ hostname, port, path: '/api', method: 'GET' }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { text += c; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined }));
    });
    for (const [k, v] of grouped) req.setHeader(k, v.length === 1 ? v[0] : v);
    req.on('error', reject);
    req.end();
  });
}

describe('requireCognito — the same-tick path', function () {
  let fx: TokenFixture;
  let options: RequireCognitoOptions;

  before(async function () {
    fx = await TokenFixture.start({ poolId: 'us-east-1_FastPath1', clientId: 'fastclient1' });
  });
  after(async function () {
    await fx?.close();
  });
  beforeEach(function () {
    // The pool's cache of verified tokens is shared by every guard of this file; each test mints tokens of
    // its own (fresh jti), so none starts with its tokens known.
    options = { ...fx.options(), jwks: fx.jwks(), revocationStore: new MemoryRevocationStore({ clock: fx.clock }) };
  });

  it('bearer tokens are decided in the same tick once the signing key is imported: next() runs before the middleware returns, new tokens and known ones alike', async function () {
    const guard = requireCognito(options);
    const token = fx.accessToken({ 'cognito:groups': ['staff'] });
    const one = callGuard(guard, fakeRequest([['Host', 'x'], ['Authorization', `Bearer ${token}`]]));
    assert.equal(one.sameTick, false, 'the key must be imported first');
    assert.equal(await one.done, 'next');
    for (const spelling of ['Bearer', 'bearer', 'BEARER']) {
      const req = fakeRequest([['host', 'x'], ['authorization', `${spelling} ${token}`]]);
      const call = callGuard(guard, req);
      assert.equal(call.sameTick, true, `scheme spelt ${spelling}`);
      assert.equal(await call.done, 'next');
      assert.equal(req.cognito?.username, 'alice');
      assert.deepEqual(req.cognito?.groups, ['staff']);
      assert.deepEqual(req.cognito?.scopes, ['aws.cognito.signin.user.admin']);
      assert.equal(req.cognito?.accessToken, token);
      assert.equal(req.cognito?.source, 'bearer');
    }
    // Whitespace Node would have trimmed (a request object built by other code): read as readBearer reads it.
    const padded = fakeRequest([['host', 'x'], ['authorization', `Bearer ${token} \t`]]);
    assert.equal(await callGuard(guard, padded).done, 'next');
    assert.equal(padded.cognito?.accessToken, token);
    // A token never seen: its signature is checked synchronously.
    const fresh = fakeRequest([['host', 'x'], ['authorization', `Bearer ${fx.accessToken({ username: 'bob' })}`]]);
    const call = callGuard(guard, fresh);
    assert.equal(call.sameTick, true);
    assert.equal(fresh.cognito?.username, 'bob');
    // A forged one is refused in the same tick: the answer is sent before the middleware returns.
    const [h, p, s] = token.split('.') as [string, string, string];
    const forged = `${h}.${p}.${s.slice(0, 30)}${s[30] === 'A' ? 'B' : 'A'}${s.slice(31)}`;
    const res = fakeResponse();
    callGuard(guard, fakeRequest([['host', 'x'], ['authorization', `Bearer ${forged}`]]), res);
    assert.equal(res.sent?.status, 401);
    assert.match(res.sent.body, /ERR_COGNITO_TOKEN_SIGNATURE/);
    assert.ok(!res.sent.body.includes(s.slice(0, 40)), 'no part of the token in the answer');
  });

  it('a known session token is let through in the same tick too; one due for renewal is not', async function () {
    const guard = requireCognito(options);
    const access = fx.accessToken();
    const req = fakeRequest([['host', 'x']]);
    req.session = {};
    setSessionTokens(req, toSessionTokens({ idToken: fx.idToken(), accessToken: access, refreshToken: 'refresh-never-used' }));
    assert.equal(await callGuard(guard, req).done, 'next');
    const again = callGuard(guard, req);
    assert.equal(again.sameTick, true);
    assert.equal(req.cognito?.source, 'session');
    // Within leewaySeconds (5) of exp: renewal is due, so the full path takes over (and tries Cognito).
    fx.now = (Number(decodeJwt(access).exp) - 3) * 1000;
    const due = callGuard(guard, req);
    assert.equal(due.sameTick, false);
    await due.done;
    fx.now = Date.UTC(2025, 0, 15, 12, 0, 0);
  });

  describe('refuses a known token wherever the full path refuses it', function () {
    let app: Awaited<ReturnType<typeof serve>> | undefined;
    afterEach(async function () {
      await app?.close();
      app = undefined;
      fx.now = Date.UTC(2025, 0, 15, 12, 0, 0);
    });

    it('revoked after it was cached (in-memory store): 401 ERR_COGNITO_TOKEN_REVOKED from then on', async function () {
      const store = new MemoryRevocationStore({ clock: fx.clock });
      app = await serve(requireCognito({ ...options, revocationStore: store }));
      const url = app.url;
      const token = fx.accessToken();
      await request(url).get('/api').set('Authorization', `Bearer ${token}`).expect(200);
      await request(url).get('/api').set('Authorization', `Bearer ${token}`).expect(200);
      store.revoke([String(decodeJwt(token).origin_jti)], Number(decodeJwt(token).exp));
      for (let i = 0; i < 2; i++) {
        const res = await request(url).get('/api').set('Authorization', `Bearer ${token}`).expect(401);
        assert.equal(res.body.code, 'ERR_COGNITO_TOKEN_REVOKED');
        assert.ok(!JSON.stringify(res.body).includes(token));
      }
    });

    it('an asynchronous revocation store is asked once per request, and its answer is awaited', async function () {
      const revoked = new Set<string>();
      let asked = 0;
      const store: RevocationStore = {
        revoke: (ids) => { ids.forEach((id) => revoked.add(id)); return Promise.resolve(); },
        isRevoked: async (ids) => {
          asked++;
          await new Promise((resolve) => setImmediate(resolve));
          return ids.some((id) => revoked.has(id));
        },
      };
      app = await serve(requireCognito({ ...options, revocationStore: store }));
      const url = app.url;
      const token = fx.accessToken();
      for (let i = 0; i < 3; i++) await request(url).get('/api').set('Authorization', `Bearer ${token}`).expect(200);
      assert.equal(asked, 3);
      await store.revoke([String(decodeJwt(token).jti)], 0);
      const res = await request(url).get('/api').set('Authorization', `Bearer ${token}`).expect(401);
      assert.equal(res.body.code, 'ERR_COGNITO_TOKEN_REVOKED');
      assert.equal(asked, 4);
    });

    it('a revocation store that throws: the error goes to next(err) (500 here), the server keeps serving', async function () {
      let broken = false;
      const store: RevocationStore = {
        revoke: () => undefined,
        isRevoked: () => {
          if (broken) throw new Error('store down');
          return false;
        },
      };
      app = await serve(requireCognito({ ...options, revocationStore: store }));
      const url = app.url;
      const token = fx.accessToken();
      await request(url).get('/api').set('Authorization', `Bearer ${token}`).expect(200);
      broken = true;
      await request(url).get('/api').set('Authorization', `Bearer ${token}`).expect(500);
      broken = false;
      await request(url).get('/api').set('Authorization', `Bearer ${token}`).expect(200);
    });

    it('groups and scope: 403 on every request, not only the first', async function () {
      const admin = await serve(requireCognito({ ...options, groups: ['admin'] }));
      const scoped = await serve(requireCognito({ ...options, scope: ['orders/read'] }));
      try {
        const token = fx.accessToken({ 'cognito:groups': ['staff'] });
        for (let i = 0; i < 3; i++) {
          const a = await request(admin.url).get('/api').set('Authorization', `Bearer ${token}`).expect(403);
          assert.equal(a.body.code, 'ERR_COGNITO_GROUP_REQUIRED');
          const s = await request(scoped.url).get('/api').set('Authorization', `Bearer ${token}`).expect(403);
          assert.equal(s.body.code, 'ERR_COGNITO_SCOPE_REQUIRED');
          assert.match(String(s.headers['www-authenticate']), /insufficient_scope/);
        }
      } finally {
        await admin.close();
        await scoped.close();
      }
    });

    it('another app client or token use sharing the pool\'s cache: 401, though the token is cached', async function () {
      app = await serve(requireCognito(options));
      const url = app.url;
      const other = await serve(requireCognito({ ...options, clientId: 'someotherclient' }));
      const idGuard = await serve(requireCognito({ ...options, tokenUse: 'id' }));
      try {
        const token = fx.accessToken();
        await request(url).get('/api').set('Authorization', `Bearer ${token}`).expect(200);
        await request(url).get('/api').set('Authorization', `Bearer ${token}`).expect(200);
        const o = await request(other.url).get('/api').set('Authorization', `Bearer ${token}`).expect(401);
        assert.equal(o.body.code, 'ERR_COGNITO_TOKEN_AUDIENCE');
        const i = await request(idGuard.url).get('/api').set('Authorization', `Bearer ${token}`).expect(401);
        assert.equal(i.body.code, 'ERR_COGNITO_TOKEN_USE');
      } finally {
        await other.close();
        await idGuard.close();
      }
    });

    it('expired by the clock since it was cached: 401 ERR_COGNITO_TOKEN_EXPIRED, never renewed', async function () {
      app = await serve(requireCognito(options));
      const url = app.url;
      const token = fx.accessToken();
      await request(url).get('/api').set('Authorization', `Bearer ${token}`).expect(200);
      fx.now = (Number(decodeJwt(token).exp) + 6) * 1000;
      const res = await request(url).get('/api').set('Authorization', `Bearer ${token}`).expect(401);
      assert.equal(res.body.code, 'ERR_COGNITO_TOKEN_EXPIRED');
    });

    it('a known token in a second Authorization header, or in odd spellings: judged as by the full path', async function () {
      app = await serve(requireCognito(options));
      const url = app.url;
      const token = fx.accessToken();
      await request(url).get('/api').set('Authorization', `Bearer ${token}`).expect(200);
      const twice = await rawGet(url, [['Authorization', `Bearer ${token}`], ['Authorization', `Bearer ${token}`]]);
      assert.equal(twice.status, 401);
      assert.equal(twice.body.code, 'ERR_COGNITO_AUTHORIZATION_MALFORMED');
      const withJunk = await rawGet(url, [['Authorization', `Bearer ${token}`], ['authorization', 'Basic Zm9vOmJhcg==']]);
      assert.equal(withJunk.status, 401);
      assert.equal((await rawGet(url, [['Authorization', `Bearer  ${token}`]])).status, 200, 'two spaces: readBearer trims');
      assert.equal((await rawGet(url, [['Authorization', `Bearer\t${token}`]])).status, 200, 'a tab separates too');
      const glued = await rawGet(url, [['Authorization', `Bearer${token}`]]);
      assert.equal(glued.status, 401);
      const plus = await rawGet(url, [['Authorization', `Bearer ${token.slice(0, 20)}+${token.slice(21)}`]]);
      assert.equal(plus.status, 401, 'token68 but not base64url: a malformed token');
      assert.equal(plus.body.code, 'ERR_COGNITO_TOKEN_MALFORMED');
      const quote = await rawGet(url, [['Authorization', `Bearer ${token.slice(0, 20)}"${token.slice(21)}`]]);
      assert.equal(quote.status, 401, 'not even token68: a malformed header');
      assert.equal(quote.body.code, 'ERR_COGNITO_AUTHORIZATION_MALFORMED');
      const tail = await rawGet(url, [['Authorization', `Bearer ${token}.`]]);
      assert.equal(tail.status, 401);
      assert.equal(tail.body.code, 'ERR_COGNITO_TOKEN_MALFORMED');
    });

    it('req.cognito arrays belong to their request: a handler changing them changes no other request', async function () {
      app = await serve(requireCognito(options));
      const url = app.url;
      const token = fx.accessToken({ 'cognito:groups': ['staff'] });
      for (let i = 0; i < 3; i++) {
        const res = await request(url).get('/api').set('Authorization', `Bearer ${token}`).expect(200);
        assert.deepEqual(res.body.groups, ['staff', 'added-by-handler']);
      }
    });

    it('a known session token revoked elsewhere: 401 and the session loses its tokens', async function () {
      const store = new MemoryRevocationStore({ clock: fx.clock });
      const session: Record<string, unknown> = {};
      const access = fx.accessToken();
      setSessionTokens({ session }, toSessionTokens({ idToken: fx.idToken(), accessToken: access, refreshToken: 'refresh-never-used' }));
      app = await serve(requireCognito({ ...options, revocationStore: store }), session);
      const url = app.url;
      await request(url).get('/api').expect(200);
      await request(url).get('/api').expect(200);
      store.revoke([String(decodeJwt(access).origin_jti)], Number(decodeJwt(access).exp));
      const res = await request(url).get('/api').expect(401);
      assert.equal(res.body.code, 'ERR_COGNITO_TOKEN_REVOKED');
      assert.equal(getSessionTokens({ session }), undefined);
    });
  });
});

describe('requireCognito — known session tokens against the emulator', function () {
  const flavor = EXPRESS_FLAVORS[EXPRESS_FLAVORS.length - 1];
  let pool: TestPool;
  let web: TestApp;

  before(async function () {
    pool = await startTestPool();
    web = await startApp(flavor, { pool });
  });
  after(async function () {
    await web?.close();
    await pool?.stop();
  });

  it('a session served from the cache for a while is still renewed once its token nears expiry', async function () {
    await pool.createUser('fastpath-renew', 'Passw0rd!long');
    const agent = request.agent(web.server);
    await agent.post('/login').send({ username: 'fastpath-renew', password: 'Passw0rd!long' }).expect(200);
    for (let i = 0; i < 3; i++) await agent.get('/api/me').expect(200);
    pool.emulator.resetCalls();
    pool.emulator.clock.advance(3600_000 - 2_000);
    const before = (await agent.get('/api/me').expect(200)).body;
    assert.equal(pool.emulator.calls('InitiateAuth'), 1);
    await agent.get('/api/me').expect(200);
    assert.equal(pool.emulator.calls('InitiateAuth'), 1, 'the renewed token is then served without another refresh');
    assert.equal(before.username, 'fastpath-renew');
  });
});
