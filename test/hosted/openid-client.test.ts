// openid-client v6 (panva's certified RP, on oauth4webapi) against the emulator's hosted UI over
// loopback: discovery at <issuer>/.well-known/openid-configuration, the code flow with PKCE, state
// and nonce, refresh, userInfo, revocation, RP-initiated logout with Cognito's logout_uri, and
// client_credentials with either secret method. The library does the checking (issuer, audience,
// nonce, state, signatures through the JWKS); the negatives are ones it must catch itself.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as oidc from 'openid-client';
import { startEmulator, type Emulator } from '../../lib/emulator';

const PASSWORD = 'Passw0rd!';

/** Cookies by name, redirects not followed: enough of a browser for the hosted forms. */
class CookieJar {
  private readonly jar = new Map<string, string>();
  async go(url: string | URL, init: RequestInit = {}): Promise<Response> {
    const cookie = [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(url, { ...init, redirect: 'manual', headers: { ...(init.headers as Record<string, string>), ...(cookie ? { cookie } : {}) } });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      if (/Max-Age=0/i.test(line) || value === '') this.jar.delete(name);
      else this.jar.set(name, value);
    }
    return res;
  }
  has(name: string): boolean {
    return this.jar.has(name);
  }
}

function hiddenFields(html: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) out[m[1]] = m[2];
  return out;
}

/** The relying party's own origin: a loopback server whose callback and home page only echo. */
function startApp(): Promise<Server> {
  const server = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(req.url?.startsWith('/callback') ? 'callback' : 'signed out');
  });
  return new Promise<Server>((resolve, reject) => {
    server.listen(0, '127.0.0.1', () => resolve(server));
    server.once('error', reject);
  });
}

describe('hosted UI with openid-client v6', function () {
  this.timeout(20_000);
  let emulator: Emulator;
  let app: Server;
  let callback: string;
  let home: string;
  let issuer: URL;
  let spaId: string;
  let m2mId: string;
  let m2mSecret: string;
  let config: oidc.Configuration;

  before(async () => {
    app = await startApp();
    const origin = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
    callback = `${origin}/callback`;
    home = `${origin}/`;
    emulator = await startEmulator();
    const { pools } = await emulator.seed({ pools: [{
      name: 'rp',
      domain: 'openid-client-test',
      resourceServers: [{ identifier: 'orders', name: 'Orders', scopes: [{ name: 'read', description: 'Read' }] }],
      clients: [
        { name: 'spa', settings: {
          CallbackURLs: [callback], LogoutURLs: [home], AllowedOAuthFlows: ['code'], AllowedOAuthScopes: ['openid', 'email', 'profile'],
          AllowedOAuthFlowsUserPoolClient: true, SupportedIdentityProviders: ['COGNITO'],
        } },
        { name: 'm2m', generateSecret: true, settings: {
          AllowedOAuthFlows: ['client_credentials'], AllowedOAuthScopes: ['orders/read'], AllowedOAuthFlowsUserPoolClient: true,
        } },
      ],
      users: [{ username: 'ann', password: PASSWORD, attributes: { email: 'ann@example.com', email_verified: 'true', name: 'Ann' } }],
    }] });
    const pool = pools.rp;
    spaId = pool.clients.spa.clientId;
    m2mId = pool.clients.m2m.clientId;
    m2mSecret = pool.clients.m2m.clientSecret!;
    issuer = new URL(emulator.issuer(pool.poolId));
    config = await oidc.discovery(issuer, spaId, undefined, oidc.None(), { execute: [oidc.allowInsecureRequests] });
    // The token endpoint is trusted over its channel; also verify every ID token's signature against the JWKS.
    oidc.enableNonRepudiationChecks(config);
  });

  after(async () => {
    await emulator.stop();
    app.closeAllConnections();
    await new Promise<void>((resolve) => app.close(() => resolve()));
  });

  /** The authorization URL openid-client builds, through the hosted form, to the callback URL with the code. */
  async function signIn(browser: CookieJar, params: Record<string, string>): Promise<URL> {
    const authorizationUrl = oidc.buildAuthorizationUrl(config, { redirect_uri: callback, scope: 'openid email profile', ...params });
    const first = await browser.go(authorizationUrl);
    assert.equal(first.status, 302);
    const login = new URL(first.headers.get('location')!, authorizationUrl);
    assert.match(login.pathname, /\/domain\/openid-client-test\/login$/);
    const page = await browser.go(login);
    assert.equal(page.status, 200);
    const fields = hiddenFields(await page.text());
    assert.ok(fields.login_id && fields._csrf, 'the form carries login_id and _csrf');
    const post = await browser.go(new URL('login', login), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...fields, username: 'ann', password: PASSWORD }).toString(),
    });
    assert.equal(post.status, 302);
    const back = new URL(post.headers.get('location')!);
    assert.equal(back.origin + back.pathname, callback);
    return back;
  }

  async function pkce(): Promise<{ verifier: string; challenge: Record<string, string> }> {
    const verifier = oidc.randomPKCECodeVerifier();
    return { verifier, challenge: { code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' } };
  }

  it('discovery: the issuer matches the fetch URL, the endpoints are on the domain path', () => {
    const meta = config.serverMetadata();
    const domain = `${emulator.endpoint}/domain/openid-client-test`;
    assert.equal(meta.issuer, issuer.href);
    assert.equal(meta.authorization_endpoint, `${domain}/oauth2/authorize`);
    assert.equal(meta.token_endpoint, `${domain}/oauth2/token`);
    assert.equal(meta.userinfo_endpoint, `${domain}/oauth2/userInfo`);
    assert.equal(meta.revocation_endpoint, `${domain}/oauth2/revoke`);
    assert.equal(meta.end_session_endpoint, `${domain}/logout`);
    assert.equal(meta.jwks_uri, `${issuer.href}/.well-known/jwks.json`);
  });

  it('code + PKCE + state + nonce → tokens → refresh → userInfo → revoke → end session with logout_uri', async () => {
    const browser = new CookieJar();
    const { verifier, challenge } = await pkce();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const back = await signIn(browser, { ...challenge, state, nonce });
    const tokens = await oidc.authorizationCodeGrant(config, back, {
      pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce, idTokenExpected: true,
    });
    assert.equal(tokens.token_type, 'bearer', 'oauth4webapi lower-cases the token type');
    assert.ok(tokens.refresh_token, 'Cognito always issues a refresh token on the code flow');
    const claims = tokens.claims()!;
    assert.equal(claims.iss, issuer.href);
    assert.equal(claims.aud, spaId);
    assert.equal(claims.nonce, nonce);
    assert.equal(claims.email, 'ann@example.com');
    assert.equal(claims['cognito:username'], 'ann');
    assert.ok(browser.has('cognito'), 'the managed-login cookie is set');
    assert.ok(emulator.calls('jwks') > 0, 'the ID token signature was checked against the JWKS');

    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token);
    assert.ok(refreshed.access_token && refreshed.access_token !== tokens.access_token);
    assert.equal(refreshed.claims()!.sub, claims.sub, 'the refreshed ID token names the same subject');

    const info = await oidc.fetchUserInfo(config, refreshed.access_token, claims.sub);
    assert.equal(info.sub, claims.sub);
    assert.equal(info.email, 'ann@example.com');
    assert.equal(info.email_verified, 'true', 'Cognito sends verified flags as strings in userInfo');
    assert.equal(info.name, 'Ann');
    await assert.rejects(oidc.fetchUserInfo(config, refreshed.access_token, 'someone-else'), (e: Error & { code?: string }) => {
      assert.equal(e.code, 'OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED');
      return true;
    });

    await oidc.tokenRevocation(config, tokens.refresh_token, { token_type_hint: 'refresh_token' });
    await assert.rejects(oidc.refreshTokenGrant(config, tokens.refresh_token), (e: unknown) => {
      assert.ok(e instanceof oidc.ResponseBodyError);
      assert.equal(e.error, 'invalid_grant');
      return true;
    });
    await assert.rejects(oidc.fetchUserInfo(config, refreshed.access_token, claims.sub), (e: unknown) => {
      assert.ok(e instanceof oidc.WWWAuthenticateChallengeError, String(e));
      assert.equal(e.cause[0].parameters.error, 'invalid_token');
      return true;
    }, 'the revoked sign-in\'s access tokens are refused');

    const endSession = oidc.buildEndSessionUrl(config, { logout_uri: home, id_token_hint: tokens.id_token! });
    assert.equal(endSession.searchParams.get('client_id'), spaId);
    const logout = await browser.go(endSession);
    assert.equal(logout.status, 302);
    assert.equal(logout.headers.get('location'), home);
    assert.ok(!browser.has('cognito'), 'the managed-login cookie is cleared');
    const landing = await browser.go(logout.headers.get('location')!);
    assert.equal(await landing.text(), 'signed out');
    const again = await browser.go(oidc.buildAuthorizationUrl(config, { redirect_uri: callback, scope: 'openid' }));
    assert.match(again.headers.get('location')!, /\/login\?/, 'signed out: the form again');
  });

  it('client_credentials with client_secret_basic and client_secret_post', async () => {
    for (const auth of [oidc.ClientSecretBasic(m2mSecret), oidc.ClientSecretPost(m2mSecret)]) {
      const m2m = await oidc.discovery(issuer, m2mId, undefined, auth, { execute: [oidc.allowInsecureRequests] });
      const tokens = await oidc.clientCredentialsGrant(m2m, { scope: 'orders/read' });
      assert.equal(tokens.scope, undefined, 'Cognito does not echo scope');
      assert.equal(tokens.refresh_token, undefined);
      assert.equal(tokens.id_token, undefined);
      const payload = JSON.parse(Buffer.from(tokens.access_token.split('.')[1], 'base64url').toString()) as Record<string, unknown>;
      assert.deepEqual([payload.client_id, payload.scope, payload.token_use, payload.iss], [m2mId, 'orders/read', 'access', issuer.href]);
    }
    const wrong = await oidc.discovery(issuer, m2mId, undefined, oidc.ClientSecretBasic('not-the-secret'), { execute: [oidc.allowInsecureRequests] });
    // A 401 with a WWW-Authenticate challenge (RFC 6749 §5.2 for Basic) surfaces as the challenge, not the body.
    const refused = await oidc.clientCredentialsGrant(wrong, { scope: 'orders/read' }).then(() => undefined, (e: unknown) => e);
    assert.ok(refused instanceof oidc.WWWAuthenticateChallengeError, String(refused));
    assert.equal(refused.response.status, 401);
    assert.equal(refused.cause[0].scheme, 'basic');
    assert.equal(((await refused.response.json()) as { error: string }).error, 'invalid_client');
  });

  describe('refusals openid-client itself must raise', () => {
    it('a wrong expectedState: refused before the code is exchanged', async () => {
      const { verifier, challenge } = await pkce();
      const state = oidc.randomState();
      const back = await signIn(new CookieJar(), { ...challenge, state });
      await assert.rejects(
        oidc.authorizationCodeGrant(config, back, { pkceCodeVerifier: verifier, expectedState: oidc.randomState() }),
        (e: unknown) => {
          assert.ok(e instanceof oidc.ClientError, String(e));
          assert.equal(e.code, 'OAUTH_INVALID_RESPONSE');
          assert.match((e.cause as Error).message, /unexpected "state" response parameter value/);
          return true;
        },
      );
      const tokens = await oidc.authorizationCodeGrant(config, back, { pkceCodeVerifier: verifier, expectedState: state });
      assert.ok(tokens.access_token, 'the code was never sent, so it is still good');
    });

    it('a wrong expectedNonce: the ID token\'s nonce does not match', async () => {
      const { verifier, challenge } = await pkce();
      const back = await signIn(new CookieJar(), { ...challenge, nonce: oidc.randomNonce() });
      await assert.rejects(
        oidc.authorizationCodeGrant(config, back, { pkceCodeVerifier: verifier, expectedNonce: oidc.randomNonce() }),
        (e: unknown) => {
          assert.ok(e instanceof oidc.ClientError, String(e));
          assert.equal(e.code, 'OAUTH_JWT_CLAIM_COMPARISON_FAILED');
          assert.equal((e.cause as { cause?: { claim?: string } }).cause?.claim, 'nonce');
          return true;
        },
      );
    });

    it('a wrong PKCE verifier: the server\'s invalid_grant as a ResponseBodyError', async () => {
      const { challenge } = await pkce();
      const back = await signIn(new CookieJar(), challenge);
      await assert.rejects(
        oidc.authorizationCodeGrant(config, back, { pkceCodeVerifier: oidc.randomPKCECodeVerifier() }),
        (e: unknown) => {
          assert.ok(e instanceof oidc.ResponseBodyError, String(e));
          assert.deepEqual([e.status, e.error], [400, 'invalid_grant']);
          return true;
        },
      );
    });
  });
});
