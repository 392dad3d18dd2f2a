// CognitoHostedStrategy over real HTTP: an Express app on loopback, the emulator's hosted UI, a
// browser-like client with a cookie jar per origin. Start → hosted form → callback → a guarded
// route that reads (and renews) the session tokens; and every refusal of the callback.
import { strict as assert } from 'node:assert';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type RequestHandler } from 'express';
import session from 'express-session';
import { Passport, type AuthenticateOptions } from 'passport';
import { startEmulator, type Emulator } from '../../lib/emulator';
import { cognitoLogout } from '../../middleware/cognito-logout';
import { requireCognito } from '../../middleware/require-cognito';
import { CognitoHostedStrategy } from '../../strategies/cognito-hosted-strategy';
import type { CognitoFailureInfo } from '../../strategies/types';

/** Cookies per origin; redirects not followed. */
class Browser {
  private readonly jars = new Map<string, Map<string, string>>();
  async go(url: string, init: RequestInit = {}): Promise<Response> {
    const origin = new URL(url).origin;
    const jar = this.jars.get(origin) ?? new Map<string, string>();
    this.jars.set(origin, jar);
    const cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(url, { ...init, redirect: 'manual', headers: { ...(init.headers as Record<string, string>), ...(cookie ? { cookie } : {}) } });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair.indexOf('=');
      if (/Max-Age=0/i.test(line)) jar.delete(pair.slice(0, eq));
      else jar.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
    return res;
  }
}

function hiddenFields(html: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) out[m[1]] = m[2];
  return out;
}

describe('CognitoHostedStrategy (authorization code + PKCE through the hosted UI)', function () {
  let emulator: Emulator;
  let server: Server;
  let app: string;
  let poolId: string;
  let clientId: string;

  before(async () => {
    emulator = await startEmulator();
    // The app's port is needed for the callback URL before the pool is seeded; the app is attached after.
    server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    app = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const { pools } = await emulator.seed({ pools: [{
      name: 'hosted',
      domain: 'strategy-test',
      clients: [{ name: 'web', generateSecret: true, settings: {
        CallbackURLs: [`${app}/auth/callback`], LogoutURLs: [`${app}/`], AllowedOAuthFlows: ['code'],
        AllowedOAuthScopes: ['openid', 'email', 'profile'], AllowedOAuthFlowsUserPoolClient: true, SupportedIdentityProviders: ['COGNITO'],
        AccessTokenValidity: 5, TokenValidityUnits: { AccessToken: 'minutes' },
      } }],
      users: [{ username: 'ann', password: 'Passw0rd!', attributes: { email: 'ann@example.com', email_verified: 'true' } }],
    }] });
    poolId = pools.hosted.poolId;
    clientId = pools.hosted.clients.web.clientId;
    const cognito = {
      userPoolId: poolId, clientId, clientSecret: pools.hosted.clients.web.clientSecret!,
      endpoint: emulator.endpoint, region: emulator.region,
      clock: () => emulator.clock.now(),
    };
    const passport = new Passport();
    passport.use(new CognitoHostedStrategy({ ...cognito, callbackURL: `${app}/auth/callback` }));
    passport.serializeUser((user, done) => done(null, user));
    passport.deserializeUser((user: Express.User, done) => done(null, user));
    const web = express();
    web.use(session({ secret: 'hosted strategy test', resave: false, saveUninitialized: false }));
    web.use(passport.initialize(), passport.session());
    web.get('/auth/login', passport.authenticate('cognito-hosted') as RequestHandler);
    web.get('/auth/federated', passport.authenticate('cognito-hosted', { identityProvider: 'Upstream', prompt: 'login' } as AuthenticateOptions) as RequestHandler);
    web.get('/auth/callback', (req, res, next) => {
      const done = (err: unknown, user: Express.User | false, info?: CognitoFailureInfo, status?: number): void => {
        if (err) return next(err);
        if (!user) {
          res.status(status ?? 401).json(info);
          return;
        }
        req.logIn(user, (e) => (e ? next(e) : res.redirect('/me')));
      };
      (passport.authenticate('cognito-hosted', done) as RequestHandler)(req, res, next);
    });
    // A test hook: the nonce kept for this browser's sign-in is replaced, as if the ID token were another sign-in's.
    web.get('/test/other-nonce', (req, res) => {
      const tx = (req.session as unknown as Record<string, { nonce: string }>).cognitoHosted;
      tx.nonce = 'another-nonce-another-nonce';
      req.session.save(() => res.status(204).end());
    });
    web.post('/logout', cognitoLogout({ ...cognito, hostedUi: true, redirect: `${app}/` }));
    web.get('/me', requireCognito({ ...cognito, loginUrl: '/auth/login' }), (req, res) => {
      res.json({ username: req.cognito!.username, scopes: req.cognito!.scopes, user: req.user });
    });
    web.use(((err, _req, res, _next) => {
      res.status((err as { status?: number }).status ?? 500).json({ message: (err as Error).message });
    }) as express.ErrorRequestHandler);
    server.on('request', web);
  });
  after(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await emulator.stop();
  });

  /** /auth/login → the hosted form → credentials → back at the app's callback URL (not yet followed). */
  async function toCallback(browser: Browser, start = '/auth/login'): Promise<string> {
    const startRes = await browser.go(`${app}${start}`);
    assert.equal(startRes.status, 302);
    const authorize = new URL(startRes.headers.get('location')!);
    assert.equal(authorize.origin + authorize.pathname, `${emulator.endpoint}/domain/strategy-test/oauth2/authorize`);
    assert.equal(authorize.searchParams.get('code_challenge_method'), 'S256');
    assert.ok(authorize.searchParams.get('state') && authorize.searchParams.get('nonce'));
    const toLogin = await browser.go(authorize.toString());
    const page = await browser.go(new URL(toLogin.headers.get('location')!, emulator.endpoint).toString());
    const posted = await browser.go(`${emulator.endpoint}/domain/strategy-test/login`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...hiddenFields(await page.text()), username: 'ann', password: 'Passw0rd!' }).toString(),
    });
    assert.equal(posted.status, 302);
    return posted.headers.get('location')!;
  }

  it('signs in: state, nonce and PKCE round trip; the tokens land where requireCognito reads them', async () => {
    const browser = new Browser();
    const callback = await toCallback(browser);
    assert.ok(callback.startsWith(`${app}/auth/callback?code=`));
    const done = await browser.go(callback);
    assert.equal(done.status, 302);
    assert.equal(done.headers.get('location'), '/me');
    const me = await browser.go(`${app}/me`);
    assert.equal(me.status, 200);
    const body = (await me.json()) as { username: string; scopes: string[]; user: { email: string } };
    assert.equal(body.username, 'ann');
    assert.deepEqual(body.scopes, ['openid', 'email', 'profile']);
    assert.equal(body.user.email, 'ann@example.com');
  });

  it('renews the hosted session with its refresh token (REFRESH_TOKEN_AUTH); the OAuth scopes stay', async () => {
    const browser = new Browser();
    await browser.go(await toCallback(browser));
    emulator.clock.advance(6 * 60_000);
    const me = await browser.go(`${app}/me`);
    assert.equal(me.status, 200);
    assert.deepEqual(((await me.json()) as { scopes: string[] }).scopes, ['openid', 'email', 'profile']);
  });

  it('refuses a callback whose state is not this session\'s (another browser\'s code, or none)', async () => {
    const callback = await toCallback(new Browser());
    const other = new Browser();
    await other.go(`${app}/auth/login`);
    const res = await other.go(callback);
    assert.equal(res.status, 400);
    assert.equal(((await res.json()) as CognitoFailureInfo).code, 'ERR_COGNITO_OAUTH_STATE');
    const bare = await new Browser().go(`${app}/auth/callback?code=x&state=y`);
    assert.equal(bare.status, 400);
  });

  it('a state is used once: the same callback again is refused', async () => {
    const browser = new Browser();
    const callback = await toCallback(browser);
    assert.equal((await browser.go(callback)).status, 302);
    const again = await browser.go(callback);
    assert.equal(again.status, 400);
    assert.equal(((await again.json()) as CognitoFailureInfo).code, 'ERR_COGNITO_OAUTH_STATE');
  });

  it('an OAuth error in the callback is a 401 fail with Cognito\'s error; a tampered code is refused by the token endpoint', async () => {
    const browser = new Browser();
    const start = await browser.go(`${app}/auth/login`);
    const state = new URL(start.headers.get('location')!).searchParams.get('state')!;
    const denied = await browser.go(`${app}/auth/callback?error=access_denied&state=${state}`);
    assert.equal(denied.status, 401);
    assert.deepEqual(await denied.json(), { code: 'ERR_COGNITO_OAUTH_ERROR', message: 'The sign-in was refused.', error: 'access_denied' });
    const b2 = new Browser();
    const callback = new URL(await toCallback(b2));
    callback.searchParams.set('code', '00000000-0000-4000-8000-000000000000');
    const bad = await b2.go(callback.toString());
    assert.equal(bad.status, 401);
    const info = (await bad.json()) as CognitoFailureInfo & { error: string };
    assert.deepEqual([info.code, info.error], ['ERR_COGNITO_OAUTH_ERROR', 'invalid_grant']);
  });

  it('a callback later than transactionTtlSeconds is refused', async () => {
    const browser = new Browser();
    const callback = await toCallback(browser);
    emulator.clock.advance(601_000);
    const res = await browser.go(callback);
    assert.equal(res.status, 400);
  });

  it('identityProvider and prompt go into the authorization URL', async () => {
    const res = await new Browser().go(`${app}/auth/federated`);
    const url = new URL(res.headers.get('location')!);
    assert.equal(url.searchParams.get('identity_provider'), 'Upstream');
    assert.equal(url.searchParams.get('prompt'), 'login');
  });

  it('a guarded page sends a signed-out browser to the start', async () => {
    const res = await new Browser().go(`${app}/me`, { headers: { accept: 'text/html' } });
    assert.equal(res.status, 302);
    assert.match(res.headers.get('location')!, /^\/auth\/login/);
  });

  it('the code is useless without the app\'s PKCE verifier and secret (a stolen callback URL)', async () => {
    const callback = new URL(await toCallback(new Browser()));
    const tokens = await fetch(`${emulator.endpoint}/domain/strategy-test/oauth2/token`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', code: callback.searchParams.get('code')!, client_id: clientId }).toString(),
    });
    assert.equal(tokens.status, 400);
  });

  it('an ID token whose nonce is not the session\'s is refused (ERR_COGNITO_OAUTH_ID_TOKEN)', async () => {
    const browser = new Browser();
    const callback = await toCallback(browser);
    assert.equal((await browser.go(`${app}/test/other-nonce`)).status, 204);
    const res = await browser.go(callback);
    assert.equal(res.status, 401);
    assert.equal(((await res.json()) as CognitoFailureInfo).code, 'ERR_COGNITO_OAUTH_ID_TOKEN');
  });

  it('cognitoLogout({ hostedUi: true }): local logout, then Cognito\'s /logout with client_id and logout_uri, which ends the SSO session', async () => {
    const browser = new Browser();
    await browser.go(await toCallback(browser));
    assert.equal((await browser.go(`${app}/me`)).status, 200);
    const out = await browser.go(`${app}/logout`, { method: 'POST' });
    assert.equal(out.status, 302);
    const hosted = new URL(out.headers.get('location')!);
    assert.equal(hosted.origin + hosted.pathname, `${emulator.endpoint}/domain/strategy-test/logout`);
    assert.deepEqual([hosted.searchParams.get('client_id'), hosted.searchParams.get('logout_uri')], [clientId, `${app}/`]);
    const back = await browser.go(hosted.toString());
    assert.equal(back.status, 302);
    assert.equal(back.headers.get('location'), `${app}/`);
    assert.equal((await browser.go(`${app}/me`)).status, 401, 'the app session is gone');
    const again = await browser.go((await browser.go(`${app}/auth/login`)).headers.get('location')!);
    assert.match(again.headers.get('location')!, /\/login\?/, 'the managed-login session is gone: the form again');
  });

  it('cognitoLogout hostedUi options: an absolute logout URI is required; domain skips discovery', async () => {
    const base = { userPoolId: poolId, clientId, endpoint: emulator.endpoint, region: emulator.region };
    assert.throws(() => cognitoLogout({ ...base, hostedUi: true, redirect: '/' }), /absolute logout URI/);
    assert.throws(() => cognitoLogout({ ...base, hostedUi: { logoutUri: `${app}/`, domain: 'not a url' } }), /hostedUi.domain/);
    const web = express().post('/out', cognitoLogout({ ...base, hostedUi: { logoutUri: `${app}/bye`, domain: 'https://myapp.auth.us-east-1.amazoncognito.com' } }));
    const s = await new Promise<Server>((resolve) => {
      const x = web.listen(0, '127.0.0.1', () => resolve(x));
    });
    try {
      const res = await fetch(`http://127.0.0.1:${(s.address() as AddressInfo).port}/out`, { method: 'POST', redirect: 'manual' });
      assert.equal(res.status, 302);
      assert.equal(res.headers.get('location'),
        `https://myapp.auth.us-east-1.amazoncognito.com/logout?client_id=${clientId}&logout_uri=${encodeURIComponent(`${app}/bye`)}`);
    } finally {
      await new Promise<void>((resolve) => s.close(() => resolve()));
    }
  });

  it('refuses bad options at construction', () => {
    const base = { userPoolId: 'us-east-1_abc', clientId: 'abc' };
    assert.throws(() => new CognitoHostedStrategy({ ...base, callbackURL: '/relative' }), /callbackURL/);
    assert.throws(() => new CognitoHostedStrategy({ ...base, callbackURL: 'https://a.example/cb#x' }), /fragment/);
    assert.throws(() => new CognitoHostedStrategy({ ...base, callbackURL: 'https://a.example/cb', scope: ['email'] }), /openid/);
    assert.throws(() => new CognitoHostedStrategy({ ...base, callbackURL: 'https://a.example/cb', identityProvider: 'bad/name' }), /identityProvider/);
    assert.throws(() => new CognitoHostedStrategy({ ...base, callbackURL: 'https://a.example/cb', transactionTtlSeconds: 5 }), /transactionTtlSeconds/);
  });
});
