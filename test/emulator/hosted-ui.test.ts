/**
 * The emulator's hosted UI over real HTTP: discovery, /oauth2/authorize → the sign-in pages → an
 * authorization code → /oauth2/token (PKCE, nonce, at_hash, scopes), the managed-login cookie,
 * refresh, userInfo, revoke, client_credentials and /logout — and the refusals of the security
 * corpus (state, PKCE, redirect and logout URIs, code replay, another client's code), none a 5xx.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { startEmulator, type Emulator } from '../../lib/emulator';
import { decodeJwt } from '../../lib/emulator/jwt';
import { atHash } from '../../lib/emulator/tokens';

const CALLBACK = 'http://127.0.0.1:3000/callback';
const LOGOUT = 'http://127.0.0.1:3000/';

/** A browser-ish client: cookies kept per path prefix, redirects not followed. */
class Browser {
  private readonly jar = new Map<string, string>();
  async go(url: string, init: RequestInit = {}): Promise<Response> {
    const cookie = [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(url, { ...init, redirect: 'manual', headers: { ...(init.headers as Record<string, string>), ...(cookie ? { cookie } : {}) } });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      if (/Max-Age=0/.test(line) || value === '') this.jar.delete(name);
      else this.jar.set(name, value);
    }
    return res;
  }
  has(name: string): boolean {
    return this.jar.has(name);
  }
}

function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

function hiddenFields(html: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) out[m[1]] = m[2];
  return out;
}

describe('emulator: hosted UI (OAuth 2.0 / OIDC endpoints)', function () {
  let emulator: Emulator;
  let base: string;
  let issuer: string;
  let webId: string;
  let otherId: string;
  let m2mId: string;
  let m2mSecret: string;

  before(async () => {
    emulator = await startEmulator();
    const { pools } = await emulator.seed({ pools: [{
      name: 'hosted',
      domain: 'hosted-test',
      resourceServers: [{ identifier: 'orders', name: 'Orders', scopes: [{ name: 'read', description: 'Read' }] }],
      clients: [
        { name: 'web', settings: {
          CallbackURLs: [CALLBACK], LogoutURLs: [LOGOUT], AllowedOAuthFlows: ['code', 'implicit'],
          AllowedOAuthScopes: ['openid', 'email', 'profile'], AllowedOAuthFlowsUserPoolClient: true, SupportedIdentityProviders: ['COGNITO'],
        } },
        { name: 'other', settings: {
          CallbackURLs: [CALLBACK], AllowedOAuthFlows: ['code'], AllowedOAuthScopes: ['openid'], AllowedOAuthFlowsUserPoolClient: true,
        } },
        { name: 'm2m', generateSecret: true, settings: {
          AllowedOAuthFlows: ['client_credentials'], AllowedOAuthScopes: ['orders/read'], AllowedOAuthFlowsUserPoolClient: true,
        } },
      ],
      users: [{ username: 'ann', password: 'Passw0rd!', attributes: { email: 'ann@example.com', email_verified: 'true', name: 'Ann' } }],
    }] });
    const pool = pools.hosted;
    webId = pool.clients.web.clientId;
    otherId = pool.clients.other.clientId;
    m2mId = pool.clients.m2m.clientId;
    m2mSecret = pool.clients.m2m.clientSecret!;
    issuer = emulator.issuer(pool.poolId);
    base = `${emulator.endpoint}/domain/hosted-test`;
  });
  after(() => emulator.stop());

  const authorizeUrl = (params: Record<string, string>): string =>
    `${base}/oauth2/authorize?${new URLSearchParams({ response_type: 'code', client_id: webId, redirect_uri: CALLBACK, ...params }).toString()}`;

  /** authorize → login page → credentials → the redirect back to the app. */
  async function signIn(browser: Browser, params: Record<string, string>, password = 'Passw0rd!'): Promise<URL> {
    const first = await browser.go(authorizeUrl(params));
    assert.equal(first.status, 302);
    const loginUrl = first.headers.get('location')!;
    assert.match(loginUrl, /\/domain\/hosted-test\/login\?/);
    const page = await browser.go(new URL(loginUrl, base).toString());
    assert.equal(page.status, 200);
    const fields = hiddenFields(await page.text());
    const post = await browser.go(`${base}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...fields, username: 'ann', password }).toString(),
    });
    assert.equal(post.status, 302);
    return new URL(post.headers.get('location')!);
  }

  type TokenAnswer = { status: number; json: Record<string, unknown> };
  async function token(body: Record<string, string>, headers: Record<string, string> = {}): Promise<TokenAnswer> {
    const res = await fetch(`${base}/oauth2/token`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(body).toString(),
    });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  }

  it('serves the discovery document at <issuer>/.well-known/openid-configuration with the domain endpoints', async () => {
    const doc = (await (await fetch(`${issuer}/.well-known/openid-configuration`)).json()) as Record<string, string>;
    assert.equal(doc.issuer, issuer);
    assert.equal(doc.authorization_endpoint, `${base}/oauth2/authorize`);
    assert.equal(doc.token_endpoint, `${base}/oauth2/token`);
    assert.equal(doc.userinfo_endpoint, `${base}/oauth2/userInfo`);
    assert.equal(doc.revocation_endpoint, `${base}/oauth2/revoke`);
    assert.equal(doc.end_session_endpoint, `${base}/logout`);
  });

  it('code + PKCE: state comes back, the code gives tokens with nonce, at_hash, scopes and no aud in the access token', async () => {
    const browser = new Browser();
    const { verifier, challenge } = pkce();
    const back = await signIn(browser, { state: 's-123', nonce: 'n-456', scope: 'openid email', code_challenge: challenge, code_challenge_method: 'S256' });
    assert.equal(back.origin + back.pathname, CALLBACK);
    assert.equal(back.searchParams.get('state'), 's-123');
    const code = back.searchParams.get('code')!;
    const { status, json } = await token({ grant_type: 'authorization_code', client_id: webId, code, redirect_uri: CALLBACK, code_verifier: verifier });
    assert.equal(status, 200);
    assert.equal(json.token_type, 'Bearer');
    const id = decodeJwt(json.id_token as string)!.payload;
    const access = decodeJwt(json.access_token as string)!.payload;
    assert.equal(id.nonce, 'n-456');
    assert.equal(id.at_hash, atHash(json.access_token as string));
    assert.equal(id.aud, webId);
    assert.equal(id.iss, issuer);
    assert.equal(id.email, 'ann@example.com');
    assert.equal(access.scope, 'openid email');
    assert.equal(access.aud, undefined);
    assert.equal(access.client_id, webId);
    assert.equal(typeof json.refresh_token, 'string');
    assert.ok(browser.has('cognito'), 'the managed-login cookie is set');
  });

  it('a second authorize within the hour skips the form (SSO cookie); prompt=login shows it again', async () => {
    const browser = new Browser();
    await signIn(browser, {});
    const again = await browser.go(authorizeUrl({ state: 'x' }));
    assert.equal(again.status, 302);
    const url = new URL(again.headers.get('location')!);
    assert.equal(url.origin + url.pathname, CALLBACK);
    assert.ok(url.searchParams.get('code'));
    const forced = await browser.go(authorizeUrl({ prompt: 'login' }));
    assert.match(forced.headers.get('location')!, /\/login\?/);
    emulator.clock.advance(3601_000);
    const expired = await browser.go(authorizeUrl({}));
    assert.match(expired.headers.get('location')!, /\/login\?/);
  });

  it('userInfo: claims by scope, verified flags as strings; refused without openid or with a bad token', async () => {
    const browser = new Browser();
    const back = await signIn(browser, { scope: 'openid email profile' });
    const { json } = await token({ grant_type: 'authorization_code', client_id: webId, code: back.searchParams.get('code')!, redirect_uri: CALLBACK });
    const info = await fetch(`${base}/oauth2/userInfo`, { headers: { authorization: `Bearer ${json.access_token as string}` } });
    assert.equal(info.status, 200);
    const claims = (await info.json()) as Record<string, unknown>;
    assert.equal(claims.email, 'ann@example.com');
    assert.equal(claims.email_verified, 'true');
    assert.equal(claims.name, 'Ann');
    assert.equal(claims.username, 'ann');
    const bad = await fetch(`${base}/oauth2/userInfo`, { headers: { authorization: 'Bearer nope' } });
    assert.equal(bad.status, 401);
    assert.match(bad.headers.get('www-authenticate')!, /invalid_token/);
    const emailOnly = await signIn(new Browser(), { scope: 'email' });
    const t2 = await token({ grant_type: 'authorization_code', client_id: webId, code: emailOnly.searchParams.get('code')!, redirect_uri: CALLBACK });
    assert.equal(t2.json.id_token, undefined, 'no ID token without openid');
    const noOpenid = await fetch(`${base}/oauth2/userInfo`, { headers: { authorization: `Bearer ${t2.json.access_token as string}` } });
    assert.equal(noOpenid.status, 403);
  });

  it('refresh_token keeps the scopes; revoke ends the sign-in; a revoked refresh token is invalid_grant', async () => {
    const back = await signIn(new Browser(), { scope: 'openid profile' });
    const first = await token({ grant_type: 'authorization_code', client_id: webId, code: back.searchParams.get('code')!, redirect_uri: CALLBACK });
    const refreshed = await token({ grant_type: 'refresh_token', client_id: webId, refresh_token: first.json.refresh_token as string });
    assert.equal(refreshed.status, 200);
    assert.equal(decodeJwt(refreshed.json.access_token as string)!.payload.scope, 'openid profile');
    assert.equal(refreshed.json.refresh_token, undefined, 'no rotation on this client');
    const revoke = await fetch(`${base}/oauth2/revoke`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: first.json.refresh_token as string, client_id: webId }).toString(),
    });
    assert.equal(revoke.status, 200);
    const after = await token({ grant_type: 'refresh_token', client_id: webId, refresh_token: first.json.refresh_token as string });
    assert.deepEqual([after.status, after.json.error], [400, 'invalid_grant']);
    const info = await fetch(`${base}/oauth2/userInfo`, { headers: { authorization: `Bearer ${refreshed.json.access_token as string}` } });
    assert.equal(info.status, 401, 'access tokens of a revoked sign-in are refused');
  });

  it('implicit: tokens in the fragment, no refresh token', async () => {
    const back = await signIn(new Browser(), { response_type: 'token', state: 'imp', nonce: 'n1' });
    const fragment = new URLSearchParams(back.hash.slice(1));
    assert.equal(fragment.get('state'), 'imp');
    assert.equal(fragment.get('token_type'), 'Bearer');
    assert.equal(decodeJwt(fragment.get('id_token')!)!.payload.nonce, 'n1');
    assert.equal(fragment.get('refresh_token'), null);
    assert.equal(back.search, '');
  });

  it('client_credentials: basic or post auth, custom scopes only, no user claims', async () => {
    const basic = Buffer.from(`${m2mId}:${m2mSecret}`).toString('base64');
    const viaBasic = await token({ grant_type: 'client_credentials', scope: 'orders/read' }, { authorization: `Basic ${basic}` });
    assert.equal(viaBasic.status, 200);
    const claims = decodeJwt(viaBasic.json.access_token as string)!.payload;
    assert.deepEqual([claims.sub, claims.client_id, claims.scope, claims.token_use], [m2mId, m2mId, 'orders/read', 'access']);
    assert.equal(claims.username, undefined);
    assert.equal(viaBasic.json.refresh_token, undefined);
    const viaPost = await token({ grant_type: 'client_credentials', client_id: m2mId, client_secret: m2mSecret });
    assert.equal(viaPost.status, 200);
    const wrong = await token({ grant_type: 'client_credentials' }, { authorization: `Basic ${Buffer.from(`${m2mId}:nope`).toString('base64')}` });
    assert.deepEqual([wrong.status, wrong.json.error], [401, 'invalid_client']);
    assert.ok(!JSON.stringify(wrong.json).includes(m2mSecret));
    const notAllowed = await token({ grant_type: 'client_credentials', client_id: webId });
    assert.deepEqual([notAllowed.status, notAllowed.json.error], [400, 'unauthorized_client']);
  });

  it('logout: a registered logout_uri clears the managed-login session; anything else is refused without a redirect', async () => {
    const browser = new Browser();
    await signIn(browser, {});
    const evil = await browser.go(`${base}/logout?client_id=${webId}&logout_uri=${encodeURIComponent('https://evil.example/')}`);
    assert.equal(evil.status, 400);
    assert.equal(evil.headers.get('location'), null);
    const prefix = await browser.go(`${base}/logout?client_id=${webId}&logout_uri=${encodeURIComponent(`${LOGOUT}x`)}`);
    assert.equal(prefix.status, 400);
    assert.equal((await browser.go(`${base}/logout?logout_uri=${encodeURIComponent(LOGOUT)}`)).status, 400, 'client_id is required');
    const ok = await browser.go(`${base}/logout?client_id=${webId}&logout_uri=${encodeURIComponent(LOGOUT)}`);
    assert.equal(ok.status, 302);
    assert.equal(ok.headers.get('location'), LOGOUT);
    assert.ok(!browser.has('cognito'));
    const again = await browser.go(authorizeUrl({}));
    assert.match(again.headers.get('location')!, /\/login\?/, 'signed out: the form again');
  });

  it('the sign-in page\'s CSP has no form-action: Chrome would block the 302 from the form post to the app\'s callback', async () => {
    const browser = new Browser();
    const first = await browser.go(authorizeUrl({}));
    const page = await browser.go(new URL(first.headers.get('location')!, base).toString());
    const csp = page.headers.get('content-security-policy')!;
    const directives = new Map(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name, values.join(' ')]));
    // Chrome and Safari check form-action against every redirect after a form submission too, and the
    // callback is on another origin than the hosted UI (test/hosted/express-openid-connect.test.ts).
    assert.equal(directives.has('form-action'), false, csp);
    assert.equal(directives.get('default-src'), "'none'");
    assert.equal(directives.get('frame-ancestors'), "'none'");
    assert.equal(directives.get('base-uri'), "'none'");
    assert.equal(page.headers.get('x-frame-options'), 'DENY');
  });

  describe('refusals (the security corpus)', () => {
    const corpus: Array<{ name: string; status: number }> = [];
    after(() => {
      assert.ok(corpus.length >= 29, `the corpus shrank to ${corpus.length}`);
      assert.ok(corpus.every((c) => c.status < 500), JSON.stringify(corpus.filter((c) => c.status >= 500)));
    });
    const note = (name: string, status: number): number => {
      corpus.push({ name, status });
      return status;
    };

    it('unregistered, prefix, other-port and other-scheme redirect_uri: an error page on the domain, never a redirect', async () => {
      for (const uri of ['https://evil.example/callback', `${CALLBACK}/x`, 'http://127.0.0.1:3001/callback', CALLBACK.replace('http:', 'https:'), `${CALLBACK}?a=1`]) {
        const res = await fetch(authorizeUrl({ redirect_uri: uri }), { redirect: 'manual' });
        assert.equal(note(`redirect_uri ${uri}`, res.status), 400);
        assert.equal(res.headers.get('location'), null);
      }
      const noClient = await fetch(`${base}/oauth2/authorize?response_type=code&redirect_uri=${encodeURIComponent(CALLBACK)}`, { redirect: 'manual' });
      assert.equal(note('missing client_id', noClient.status), 400);
    });

    it('plain PKCE (a downgrade), a malformed challenge and unknown response types go back as errors with state', async () => {
      for (const [params, error] of [
        [{ code_challenge: 'x'.repeat(43), code_challenge_method: 'plain' }, 'invalid_request'],
        [{ code_challenge: 'short', code_challenge_method: 'S256' }, 'invalid_request'],
        [{ response_type: 'id_token' }, 'unsupported_response_type'],
        [{ scope: 'offline_access' }, 'invalid_scope'],
      ] as const) {
        const res = await fetch(authorizeUrl({ ...params, state: 'st' }), { redirect: 'manual' });
        assert.equal(note(`authorize ${JSON.stringify(params)}`, res.status), 302);
        const url = new URL(res.headers.get('location')!);
        assert.equal(url.searchParams.get('error'), error);
        assert.equal(url.searchParams.get('state'), 'st');
      }
    });

    it('a code: wrong or missing verifier, another client, other redirect_uri, replay (which revokes the first tokens), expiry', async () => {
      const { verifier, challenge } = pkce();
      const codeOf = async (): Promise<string> =>
        (await signIn(new Browser(), { code_challenge: challenge, code_challenge_method: 'S256' })).searchParams.get('code')!;
      const grant = { grant_type: 'authorization_code', client_id: webId, redirect_uri: CALLBACK };
      const bad = [
        { ...grant, code: await codeOf(), code_verifier: pkce().verifier },
        { ...grant, code: await codeOf() },
        { ...grant, code: await codeOf(), code_verifier: verifier, client_id: otherId },
        { ...grant, code: await codeOf(), code_verifier: verifier, redirect_uri: `${CALLBACK}/x` },
        { ...grant, code: 'made-up', code_verifier: verifier },
      ];
      for (const body of bad) {
        const r = await token(body);
        assert.deepEqual([note('bad code exchange', r.status), r.json.error], [400, 'invalid_grant'], JSON.stringify(body));
      }
      const code = await codeOf();
      const first = await token({ ...grant, code, code_verifier: verifier });
      assert.equal(first.status, 200);
      const replay = await token({ ...grant, code, code_verifier: verifier });
      assert.deepEqual([note('code replay', replay.status), replay.json.error], [400, 'invalid_grant']);
      const refresh = await token({ grant_type: 'refresh_token', client_id: webId, refresh_token: first.json.refresh_token as string });
      assert.equal(refresh.json.error, 'invalid_grant', 'the replay revoked what the first exchange issued');
      const late = await codeOf();
      emulator.clock.advance(5 * 60_000 + 1000);
      const expired = await token({ ...grant, code: late, code_verifier: verifier });
      assert.equal(note('expired code', expired.status), 400);
    });

    it('the token endpoint: wrong content type, unknown grant, duplicated parameters, unknown client', async () => {
      const json = await fetch(`${base}/oauth2/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      assert.equal(note('json body', json.status), 400);
      const unknown = await token({ grant_type: 'password', client_id: webId });
      assert.deepEqual([note('password grant', unknown.status), unknown.json.error], [400, 'unsupported_grant_type']);
      const dup = await fetch(`${base}/oauth2/token`, {
        method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `grant_type=refresh_token&client_id=${webId}&client_id=${otherId}`,
      });
      assert.equal(note('duplicated client_id', dup.status), 400);
      const nobody = await token({ grant_type: 'refresh_token', client_id: 'nope', refresh_token: 'x' });
      assert.deepEqual([note('unknown client', nobody.status), nobody.json.error], [400, 'invalid_client']);
      const get = await fetch(`${base}/oauth2/token`);
      assert.equal(note('GET token', get.status), 405);
    });

    it('an ID token used as an access token, a token of another pool, a flow the client does not have', async () => {
      const back = await signIn(new Browser(), { scope: 'openid email' });
      const t = await token({ grant_type: 'authorization_code', client_id: webId, code: back.searchParams.get('code')!, redirect_uri: CALLBACK });
      const asAccess = await fetch(`${base}/oauth2/userInfo`, { headers: { authorization: `Bearer ${t.json.id_token as string}` } });
      assert.equal(note('ID token at userInfo', asAccess.status), 401);
      const other = await emulator.seed({ pools: [{ name: 'elsewhere', domain: 'elsewhere', clients: [{ name: 'c' }] }] });
      const foreign = await fetch(`${emulator.endpoint}/domain/elsewhere/oauth2/userInfo`, {
        headers: { authorization: `Bearer ${t.json.access_token as string}` },
      });
      assert.equal(note('another pool\'s token', foreign.status), 401);
      assert.ok(other.pools.elsewhere.poolId);
      const implicit = await fetch(
        `${base}/oauth2/authorize?${new URLSearchParams({ response_type: 'token', client_id: otherId, redirect_uri: CALLBACK, state: 'f' }).toString()}`,
        { redirect: 'manual' },
      );
      assert.equal(note('implicit on a code-only client', implicit.status), 302);
      assert.equal(new URL(implicit.headers.get('location')!).searchParams.get('error'), 'unauthorized_client');
      const noCode = await token({ grant_type: 'authorization_code', client_id: m2mId, client_secret: m2mSecret, code: 'x', redirect_uri: CALLBACK });
      assert.deepEqual([note('code grant on an m2m client', noCode.status), noCode.json.error], [400, 'unauthorized_client']);
    });

    it('the login form: a missing CSRF token, a wrong password (counted), an unknown domain', async () => {
      const browser = new Browser();
      const first = await browser.go(authorizeUrl({}));
      const page = await browser.go(new URL(first.headers.get('location')!, base).toString());
      const fields = hiddenFields(await page.text());
      const noCsrf = await browser.go(`${base}/login`, {
        method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ login_id: fields.login_id, username: 'ann', password: 'Passw0rd!' }).toString(),
      });
      assert.equal(note('login without csrf', noCsrf.status), 403);
      const wrong = await browser.go(`${base}/login`, {
        method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ ...fields, username: 'ann', password: 'wrong' }).toString(),
      });
      assert.equal(note('wrong password', wrong.status), 400);
      const html = await wrong.text();
      assert.match(html, /Incorrect username or password/);
      assert.ok(!html.includes('wrong'), 'the password is not echoed');
      const none = await fetch(`${emulator.endpoint}/domain/no-such-domain/oauth2/authorize`);
      assert.equal(note('unknown domain', none.status), 404);
    });
  });
});
