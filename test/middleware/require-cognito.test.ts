// requireCognito over real HTTP: Express 4 and 5 apps and a plain Connect app against the emulator.
import { strict as assert } from 'node:assert';
import { request as httpRequest } from 'node:http';
import { AdminUserGlobalSignOutCommand } from '@aws-sdk/client-cognito-identity-provider';
import { decodeJwt } from 'jose';
import request from 'supertest';
import { requireCognito } from '../../middleware/require-cognito';
import {
  EXPRESS_FLAVORS, poolTokens, sidFromSetCookie, startApp, startConnectApp, storedSession, type TestApp,
} from '../support/app';
import { startTestPool, type TestPool } from '../support/pool';

const PASSWORD = 'Passw0rd!long';
const HOUR = 3600_000;

/** Sends raw headers (several Authorization lines) that supertest cannot produce. */
function rawGet(
  url: string,
  path: string,
  headers: Array<[string, string]>,
): Promise<{ status: number; headers: Record<string, any>; body: any }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ hostname, port, path, method: 'GET' }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { text += c; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: /json/.test(String(res.headers['content-type'])) ? JSON.parse(text) : text }));
    });
    const grouped = new Map<string, string[]>();
    for (const [k, v] of headers) grouped.set(k, [...(grouped.get(k) ?? []), v]);
    for (const [k, v] of grouped) req.setHeader(k, v.length === 1 ? v[0] : v);
    req.on('error', reject);
    req.end();
  });
}

async function login(web: TestApp, username: string): Promise<{ agent: ReturnType<typeof request.agent>; sid: string }> {
  const agent = request.agent(web.server);
  const res = await agent.post('/login').send({ username, password: PASSWORD }).expect(200);
  return { agent, sid: sidFromSetCookie(res.headers['set-cookie'])! };
}

for (const flavor of EXPRESS_FLAVORS) {
  describe(`requireCognito — ${flavor.name}`, function () {
    let pool: TestPool;
    let web: TestApp;
    let n = 0;
    const fresh = async (prefix: string, groups?: string[]) => {
      const name = `${prefix}-${++n}`;
      await pool.createUser(name, PASSWORD, groups ? { groups } : {});
      return name;
    };

    before(async function () {
      pool = await startTestPool();
      web = await startApp(flavor, { pool });
    });
    after(async function () {
      await web?.close();
      await pool?.stop();
    });
    afterEach(function () {
      pool.emulator.clearFaults();
    });

    describe('bearer tokens', function () {
      it('accepts a valid access token (scheme case-insensitive) and sets req.cognito', async function () {
        const username = await fresh('bearer', ['staff']);
        const { AccessToken } = await poolTokens(pool, username, PASSWORD);
        for (const scheme of ['Bearer', 'bearer', 'BEARER']) {
          const res = await request(web.server).get('/api/me').set('Authorization', `${scheme} ${AccessToken}`).expect(200);
          assert.equal(res.body.username, username);
          assert.equal(res.body.source, 'bearer');
          assert.equal(res.body.tokenUse, 'access');
          assert.deepEqual(res.body.groups, ['staff']);
          assert.ok(res.body.scopes.includes('aws.cognito.signin.user.admin'));
          assert.equal(res.body.hasAccessToken, true);
          assert.equal(res.body.hasIdToken, false);
          assert.equal(res.body.sub, res.body.claims.sub);
        }
      });

      it('a malformed Authorization header is 401 invalid_request', async function () {
        const username = await fresh('malformed');
        const { AccessToken } = await poolTokens(pool, username, PASSWORD);
        for (const value of ['Bearer', 'Bearer ', `Bearer ${AccessToken} extra`, `Bearer ${AccessToken},x`, 'Bearer <script>']) {
          const res = await request(web.server).get('/api/me').set('Authorization', value).expect(401);
          assert.equal(res.headers['www-authenticate'], 'Bearer error="invalid_request"', value);
          assert.equal(res.body.error, 'invalid_request');
          assert.equal(res.body.code, 'ERR_COGNITO_AUTHORIZATION_MALFORMED');
        }
      });

      it('two Authorization headers are refused, even if one is valid', async function () {
        const username = await fresh('twice');
        const { AccessToken } = await poolTokens(pool, username, PASSWORD);
        const res = await rawGet(web.url, '/api/me', [['Authorization', `Bearer ${AccessToken}`], ['Authorization', `Bearer ${AccessToken}`]]);
        assert.equal(res.status, 401);
        assert.equal(res.headers['www-authenticate'], 'Bearer error="invalid_request"');
      });

      it('an invalid, tampered or wrong-use token is 401 invalid_token with a stable code', async function () {
        const username = await fresh('invalid');
        const { AccessToken, IdToken } = await poolTokens(pool, username, PASSWORD);
        const [h, p] = AccessToken.split('.');
        const tampered = `${h}.${p}.${Buffer.from('forged').toString('base64url')}`;
        const cases: Array<[string, string]> = [
          ['not.a.jwt', 'ERR_COGNITO_TOKEN_MALFORMED'],
          [tampered, 'ERR_COGNITO_TOKEN_SIGNATURE'],
          [IdToken, 'ERR_COGNITO_TOKEN_USE'],
        ];
        for (const [token, code] of cases) {
          const res = await request(web.server).get('/api/me').set('Authorization', `Bearer ${token}`).expect(401);
          assert.equal(res.body.error, 'invalid_token');
          assert.equal(res.body.code, code);
          assert.match(res.headers['www-authenticate'], /^Bearer error="invalid_token"/);
          assert.match(res.headers['content-type'], /application\/json/);
        }
      });

      it('tokenUse "id" checks the ID token', async function () {
        const username = await fresh('idtoken');
        const { AccessToken, IdToken } = await poolTokens(pool, username, PASSWORD);
        const res = await request(web.server).get('/api/id').set('Authorization', `Bearer ${IdToken}`).expect(200);
        assert.equal(res.body.tokenUse, 'id');
        assert.equal(res.body.username, username);
        const wrong = await request(web.server).get('/api/id').set('Authorization', `Bearer ${AccessToken}`).expect(401);
        assert.equal(wrong.body.code, 'ERR_COGNITO_TOKEN_USE');
      });

      it('an expired bearer token is refused and never renewed', async function () {
        const username = await fresh('expired-bearer');
        const { AccessToken } = await poolTokens(pool, username, PASSWORD);
        pool.emulator.clock.advance(HOUR + 60_000);
        pool.emulator.resetCalls();
        const res = await request(web.server).get('/api/me').set('Authorization', `Bearer ${AccessToken}`).expect(401);
        assert.equal(res.body.code, 'ERR_COGNITO_TOKEN_EXPIRED');
        assert.equal(pool.emulator.calls('InitiateAuth'), 0);
        assert.equal(pool.emulator.calls('GetTokensFromRefreshToken'), 0);
      });

      it('a bearer header wins over the session: an invalid bearer is refused even with a signed-in session', async function () {
        const username = await fresh('both');
        const { agent } = await login(web, username);
        const res = await agent.get('/api/me').set('Authorization', 'Bearer not.a.jwt').expect(401);
        assert.equal(res.body.code, 'ERR_COGNITO_TOKEN_MALFORMED');
        await agent.get('/api/me').expect(200);
        await agent.get('/api/me').set('Authorization', 'Basic dXNlcjpwYXNz').expect(200);
      });
    });

    describe('session tokens', function () {
      it('a signed-in session passes with both tokens at hand', async function () {
        const username = await fresh('session');
        const { agent } = await login(web, username);
        const res = await agent.get('/api/me').expect(200);
        assert.equal(res.body.source, 'session');
        assert.equal(res.body.username, username);
        assert.equal(res.body.hasAccessToken, true);
        assert.equal(res.body.hasIdToken, true);
        const id = await agent.get('/api/id').expect(200);
        assert.equal(id.body.tokenUse, 'id');
      });

      it('no token at all: 401 with a plain Bearer challenge (RFC 6750 §3.1) and ERR_COGNITO_TOKEN_MISSING', async function () {
        const res = await request(web.server).get('/api/me').expect(401);
        assert.equal(res.headers['www-authenticate'], 'Bearer');
        assert.deepEqual(res.body, { error: 'unauthorized', code: 'ERR_COGNITO_TOKEN_MISSING', message: 'Sign-in required.' });
        assert.equal(res.headers['cache-control'], 'no-store');
      });
    });

    describe('groups and scopes', function () {
      it('groups: a member passes, others get 403', async function () {
        const admin = await fresh('admin', ['admin']);
        const plain = await fresh('plain', ['staff']);
        const { AccessToken: a } = await poolTokens(pool, admin, PASSWORD);
        const { AccessToken: p } = await poolTokens(pool, plain, PASSWORD);
        await request(web.server).get('/admin').set('Authorization', `Bearer ${a}`).expect(200);
        const res = await request(web.server).get('/admin').set('Authorization', `Bearer ${p}`).expect(403);
        assert.equal(res.body.code, 'ERR_COGNITO_GROUP_REQUIRED');
        assert.equal(res.body.error, 'forbidden');
        const { agent } = await login(web, admin);
        await agent.get('/admin').expect(200);
      });

      it('scope: a missing scope is 403 insufficient_scope; a present one passes', async function () {
        const username = await fresh('scope');
        const { AccessToken } = await poolTokens(pool, username, PASSWORD);
        const res = await request(web.server).get('/scoped').set('Authorization', `Bearer ${AccessToken}`).expect(403);
        assert.equal(res.body.error, 'insufficient_scope');
        assert.equal(res.body.code, 'ERR_COGNITO_SCOPE_REQUIRED');
        assert.equal(res.headers['www-authenticate'], 'Bearer error="insufficient_scope", scope="custom/read"');
        const scoped = await startApp(flavor, { pool, guard: { scope: 'aws.cognito.signin.user.admin' } });
        try {
          await request(scoped.server).get('/api/me').set('Authorization', `Bearer ${AccessToken}`).expect(200);
        } finally {
          await scoped.close();
        }
      });
    });

    describe('browsers and loginUrl', function () {
      it('an HTML request without a session is redirected to loginUrl with a same-origin returnTo; an API client gets 401', async function () {
        const res = await request(web.server).get('/page?tab=2&x=%2F%2Fevil').set('Accept', 'text/html,application/xhtml+xml,*/*;q=0.8').expect(302);
        assert.equal(res.headers.location, `/login?returnTo=${encodeURIComponent('/page?tab=2&x=%2F%2Fevil')}`);
        assert.match(res.headers.vary, /Accept/);
        await request(web.server).get('/page').set('Accept', 'application/json').expect(401);
        await request(web.server).get('/page').set('Accept', '*/*').expect(401);
      });

      it('a signed-in browser gets the page', async function () {
        const username = await fresh('browser');
        const { agent } = await login(web, username);
        const res = await agent.get('/page').set('Accept', 'text/html').expect(200);
        assert.match(res.text, new RegExp(`hello ${username}`));
      });
    });

    describe('transparent renewal', function () {
      it('50 concurrent requests with an expired access token: ONE Cognito refresh, all proceed with the same new tokens', async function () {
        const username = await fresh('renew50');
        const { agent, sid } = await login(web, username);
        const before = (await storedSession(web.sessionStore, sid))!.cognito.tokens;
        pool.emulator.clock.advance(HOUR + 60_000);
        pool.emulator.resetCalls();
        const responses = await Promise.all(Array.from({ length: 50 }, () => agent.get('/api/me')));
        for (const res of responses) assert.equal(res.status, 200, JSON.stringify(res.body));
        assert.equal(pool.emulator.calls('InitiateAuth') + pool.emulator.calls('GetTokensFromRefreshToken'), 1, 'one refresh for 50 requests');
        const jtis = new Set(responses.map((r) => r.body.claims.jti));
        assert.equal(jtis.size, 1, 'everyone got the same new access token');
        assert.notEqual([...jtis][0], decodeJwt(before.accessToken).jti);
        const after = (await storedSession(web.sessionStore, sid))!.cognito.tokens;
        assert.equal(decodeJwt(after.accessToken).jti, [...jtis][0], 'the session holds the new tokens');
        assert.equal(after.refreshToken, before.refreshToken);
        assert.ok(after.expiresAt > before.expiresAt);
        pool.emulator.resetCalls();
        await agent.get('/api/me').expect(200);
        assert.equal(pool.emulator.calls(), 0, 'no further refresh while the new token is valid');
        // And again an hour later: a second renewal, not the retained first one.
        pool.emulator.clock.advance(HOUR + 60_000);
        const again = await agent.get('/api/me').expect(200);
        assert.equal(pool.emulator.calls('InitiateAuth'), 1);
        assert.notEqual(again.body.claims.jti, [...jtis][0]);
      });

      it('renews ahead of expiry, within leewaySeconds', async function () {
        const username = await fresh('leeway');
        const { agent } = await login(web, username);
        pool.emulator.clock.advance(HOUR - 2_000);
        pool.emulator.resetCalls();
        await agent.get('/api/me').expect(200);
        assert.equal(pool.emulator.calls('InitiateAuth'), 1);
      });

      it('renew: false refuses an expired session token instead', async function () {
        const noRenew = await startApp(flavor, { pool, guard: { renew: false } });
        try {
          const username = await fresh('norenew');
          const { agent } = await login(noRenew, username);
          pool.emulator.clock.advance(HOUR + 60_000);
          pool.emulator.resetCalls();
          const res = await agent.get('/api/me').expect(401);
          assert.equal(res.body.code, 'ERR_COGNITO_TOKEN_EXPIRED');
          assert.equal(pool.emulator.calls(), 0);
        } finally {
          await noRenew.close();
        }
      });

      it('a refresh token Cognito refuses ends the session\'s tokens: 401, then redirect for browsers', async function () {
        const username = await fresh('refused');
        const { agent, sid } = await login(web, username);
        await pool.sdk.send(new AdminUserGlobalSignOutCommand({ UserPoolId: pool.poolId, Username: username }));
        pool.emulator.clock.advance(HOUR + 60_000);
        const res = await agent.get('/api/me').expect(401);
        assert.equal(res.body.code, 'ERR_COGNITO_REFRESH_REJECTED');
        assert.match(res.headers['www-authenticate'], /^Bearer error="invalid_token"/);
        assert.equal((await storedSession(web.sessionStore, sid))?.cognito?.tokens, undefined, 'tokens removed from the session');
        pool.emulator.resetCalls();
        const page = await agent.get('/page').set('Accept', 'text/html').expect(302);
        assert.equal(page.headers.location, '/login?returnTo=%2Fpage');
        assert.equal(pool.emulator.calls(), 0, 'no second attempt with the refused token');
      });

      for (const fault of ['serverError', 'throttle'] as const) {
        it(`Cognito ${fault === 'throttle' ? 'throttling' : 'down'} during renewal: 503 with Retry-After, the refresh token is kept`, async function () {
          const username = await fresh(`fault-${fault}`);
          const { agent, sid } = await login(web, username);
          const before = (await storedSession(web.sessionStore, sid))!.cognito.tokens;
          pool.emulator.clock.advance(HOUR + 60_000);
          pool.emulator.setFaults({ [fault]: true, operations: ['InitiateAuth', 'GetTokensFromRefreshToken'] });
          const res = await agent.get('/api/me').expect(503);
          assert.match(String(res.headers['retry-after']), /^\d+$/);
          assert.equal(res.body.error, 'temporarily_unavailable');
          const kept = (await storedSession(web.sessionStore, sid))!.cognito.tokens;
          assert.equal(kept.refreshToken, before.refreshToken);
          pool.emulator.clearFaults();
          await agent.get('/api/me').expect(200);
        });
      }
    });

    describe('signing keys unavailable', function () {
      it('JWKS down before any key was fetched: 503 with Retry-After, not 401', async function () {
        const other = await startTestPool();
        const app = await startApp(flavor, { pool: other });
        try {
          await other.createUser('jwks-user', PASSWORD);
          const { AccessToken } = await poolTokens(other, 'jwks-user', PASSWORD);
          other.emulator.setFaults({ jwksDown: true });
          const res = await request(app.server).get('/api/me').set('Authorization', `Bearer ${AccessToken}`).expect(503);
          assert.equal(res.body.code, 'ERR_COGNITO_JWKS_UNAVAILABLE');
          assert.match(String(res.headers['retry-after']), /^\d+$/);
        } finally {
          await app.close();
          await other.stop();
        }
      });
    });
  });
}

describe('requireCognito — plain Connect app (bearer)', function () {
  let pool: TestPool;
  let web: TestApp;
  before(async function () {
    pool = await startTestPool();
    web = await startConnectApp(pool);
    await pool.createUser('connect-user', PASSWORD, { groups: ['g1'] });
  });
  after(async function () {
    await web?.close();
    await pool?.stop();
  });

  it('accepts a bearer token with no session and no Express helpers', async function () {
    const { AccessToken } = await poolTokens(pool, 'connect-user', PASSWORD);
    const res = await request(web.server).get('/api/me').set('Authorization', `Bearer ${AccessToken}`).expect(200);
    assert.equal(res.body.username, 'connect-user');
    assert.equal(res.body.source, 'bearer');
    assert.deepEqual(res.body.groups, ['g1']);
  });

  it('refuses missing, malformed and invalid tokens with JSON and WWW-Authenticate', async function () {
    const none = await request(web.server).get('/api/me').expect(401);
    assert.equal(none.body.code, 'ERR_COGNITO_TOKEN_MISSING');
    assert.equal(none.headers['www-authenticate'], 'Bearer');
    const malformed = await request(web.server).get('/api/me').set('Authorization', 'Bearer').expect(401);
    assert.equal(malformed.headers['www-authenticate'], 'Bearer error="invalid_request"');
    const invalid = await request(web.server).get('/api/me').set('Authorization', 'Bearer a.b.c').expect(401);
    assert.match(invalid.headers['www-authenticate'], /^Bearer error="invalid_token"/);
    assert.match(invalid.headers['content-type'], /application\/json/);
  });

  it('a browser is sent to loginUrl with returnTo of a safe path only, never of a protocol-relative or absolute request target', async function () {
    const ok = await rawGet(web.url, '/orders/7?view=full', [['Accept', 'text/html']]);
    assert.equal(ok.status, 302);
    assert.equal(ok.headers.location, `/login?returnTo=${encodeURIComponent('/orders/7?view=full')}`);
    for (const target of ['//evil.example/x', '/\\evil.example/x', 'http://evil.example/x', '/%2F%2Fevil.example/x']) {
      const res = await rawGet(web.url, target, [['Accept', 'text/html']]);
      assert.equal(res.status, 302, target);
      assert.equal(res.headers.location, '/login?returnTo=%2F', target);
    }
  });

  it('a HEAD request gets the status and headers without a body', async function () {
    const res = await request(web.server).head('/api/me').expect(401);
    assert.equal(res.text, undefined);
  });
});

describe('requireCognito options', function () {
  const base = { userPoolId: 'us-east-1_Test1', clientId: 'client1', endpoint: 'http://127.0.0.1:1' };
  it('throws TypeError naming a bad option, without any I/O', function () {
    assert.throws(() => requireCognito({ ...base, tokenUse: 'refresh' as never }), /"tokenUse"/);
    assert.throws(() => requireCognito({ ...base, groups: [] }), /"groups"/);
    assert.throws(() => requireCognito({ ...base, groups: ['a b'] }), /"groups"/);
    assert.throws(() => requireCognito({ ...base, scope: 'x', tokenUse: 'id' }), /"scope"/);
    assert.throws(() => requireCognito({ ...base, renew: 'yes' as never }), /"renew"/);
    assert.throws(() => requireCognito({ ...base, refreshTokenRotation: 'ENABLED' as never }), /"refreshTokenRotation" must be a boolean/);
    assert.throws(() => requireCognito({ ...base, loginUrl: '//evil.example' }), /"loginUrl"/);
    assert.throws(() => requireCognito({ ...base, loginUrl: 'javascript:alert(1)' }), /"loginUrl"/);
    assert.throws(() => requireCognito({ ...base, revocationStore: {} as never }), /"revocationStore"/);
    assert.throws(() => requireCognito({ ...base, leewaySeconds: -1 }), /"leewaySeconds"/);
    assert.throws(() => requireCognito({ ...base, clientId: [] }), /"clientId"/);
    assert.throws(() => requireCognito({ ...base, tokenCacheSize: -1 }), /"tokenCacheSize"/);
    assert.throws(() => requireCognito({ ...base, tokenCacheMaxAgeSeconds: 1.5 }), /"tokenCacheMaxAgeSeconds"/);
    assert.equal(typeof requireCognito({ ...base, tokenCacheSize: 0, tokenCacheMaxAgeSeconds: 60 }), 'function');
    assert.equal(typeof requireCognito({ ...base, clientId: ['a', 'b'], groups: 'admin', scope: ['s1', 's2'], loginUrl: '/login' }), 'function');
  });
});

describe('requireCognito — app client with a secret, e-mail as username', function () {
  let pool: TestPool;
  let web: TestApp;
  before(async function () {
    pool = await startTestPool({ generateSecret: true, usernameAttributes: ['email'] });
    web = await startApp(EXPRESS_FLAVORS[1], { pool });
  });
  after(async function () {
    await web?.close();
    await pool?.stop();
  });

  it('renews with SECRET_HASH built from cognito:username, not the e-mail typed at login', async function () {
    assert.ok(pool.clientSecret);
    await pool.createUser('dora@example.com', PASSWORD, { attributes: { email: 'dora@example.com', email_verified: 'true' } });
    const agent = request.agent(web.server);
    const res = await agent.post('/login').send({ username: 'dora@example.com', password: PASSWORD }).expect(200);
    assert.notEqual(res.body.user.username, 'dora@example.com', 'cognito:username is the sub for e-mail-as-username pools');
    pool.emulator.clock.advance(HOUR + 60_000);
    pool.emulator.resetCalls();
    const me = await agent.get('/api/me').expect(200);
    assert.equal(pool.emulator.calls('InitiateAuth'), 1);
    assert.equal(me.body.username, res.body.user.username);
  });

  it('a session whose tokens were revoked elsewhere loses them', async function () {
    await pool.createUser('eve@example.com', PASSWORD, { attributes: { email: 'eve@example.com', email_verified: 'true' } });
    const agent = request.agent(web.server);
    const login = await agent.post('/login').send({ username: 'eve@example.com', password: PASSWORD }).expect(200);
    const sid = sidFromSetCookie(login.headers['set-cookie'])!;
    const { accessToken } = (await storedSession(web.sessionStore, sid))!.cognito.tokens;
    const claims = decodeJwt(accessToken);
    await web.revocationStore.revoke([String(claims.origin_jti)], Number(claims.exp));
    const res = await agent.get('/api/me').expect(401);
    assert.equal(res.body.code, 'ERR_COGNITO_TOKEN_REVOKED');
    assert.equal((await storedSession(web.sessionStore, sid))?.cognito?.tokens, undefined);
  });
});
