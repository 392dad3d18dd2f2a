// express-openid-connect v3 (Auth0's Express middleware, on openid-client 6) against the emulator's
// hosted UI, in real Chromium: the app's /login → the hosted sign-in form → back signed in (the ID
// token's claims and userInfo) → /logout through the discovered end_session_endpoint with Cognito's
// logout_uri → back signed out, with the managed-login cookie gone (a new /login shows the form).
// Debian's Chromium is launched as test/example-app/browser.test.ts does; screenshots go to
// test-output/screenshots/hosted-*.png.
import { strict as assert } from 'node:assert';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import express, { type NextFunction, type Request, type Response } from 'express';
import { auth, requiresAuth } from 'express-openid-connect';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startEmulator, type Emulator } from '../../lib/emulator';
import { escapeHtml } from '../../lib/emulator/hosted/http';
import { launchChromium, listenOnLoopback, requireChromium, SCREENSHOTS } from '../support/browser';

const DOMAIN = 'eoc-test';

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>`
    + `<body style="font:16px system-ui,sans-serif;margin:2rem"><h1>${escapeHtml(title)}</h1>${body}</body></html>`;
}

describe('hosted UI with express-openid-connect v3 in Chromium', function () {
  this.timeout(60_000);
  let emulator: Emulator | undefined;
  let server: Server | undefined;
  let browser: Browser | undefined;
  let base = '';
  const contexts: BrowserContext[] = [];

  before(async function () {
    requireChromium(this);
    // The app listens first: its origin is the client's callback and sign-out URL.
    const app = express();
    server = await listenOnLoopback(app)
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    emulator = await startEmulator();
    const { pools } = await emulator.seed({ pools: [{
      name: 'eoc',
      domain: DOMAIN,
      clients: [{ name: 'web', generateSecret: true, settings: {
        CallbackURLs: [`${base}/callback`], LogoutURLs: [`${base}/`], AllowedOAuthFlows: ['code'],
        AllowedOAuthScopes: ['openid', 'email', 'profile'], AllowedOAuthFlowsUserPoolClient: true, SupportedIdentityProviders: ['COGNITO'],
      } }],
      users: [{ username: 'ann', password: 'Passw0rd!', attributes: { email: 'ann@example.com', email_verified: 'true', name: 'Ann' } }],
    }] });
    const web = pools.eoc.clients.web;
    app.use(auth({
      issuerBaseURL: emulator.issuer(pools.eoc.poolId),
      baseURL: base,
      clientID: web.clientId,
      clientSecret: web.clientSecret!,
      secret: 'a long test secret for the appSession cookie of this test',
      authRequired: false,
      authorizationParams: { response_type: 'code', scope: 'openid email profile' },
      idpLogout: true,
      logoutParams: { logout_uri: `${base}/` },
    }));
    app.get('/', (req, res) => {
      res.send(req.oidc.isAuthenticated()
        ? page('Signed in', `<p id="who">${escapeHtml(String(req.oidc.user?.email))}</p><p><a href="/logout">Sign out</a></p>`)
        : page('Signed out', '<p id="who">nobody</p><p><a href="/login">Sign in</a></p>'));
    });
    app.get('/profile', requiresAuth(), async (req, res) => {
      const info = await req.oidc.fetchUserInfo();
      res.send(page('Profile', `<p id="email">${escapeHtml(String(req.oidc.user?.email))}</p>`
        + `<p id="userinfo-email">${escapeHtml(String(info.email))}</p>`
        + `<pre id="user">${escapeHtml(JSON.stringify(req.oidc.user, null, 2))}</pre>`));
    });
    app.get('/refresh', requiresAuth(), async (req, res) => {
      const before = req.oidc.accessToken!.access_token;
      const after = await req.oidc.accessToken!.refresh();
      res.send(page('Refreshed', `<p id="changed">${String(after.access_token !== before)}</p>`
        + `<p id="kept-refresh">${String(req.oidc.refreshToken !== undefined)}</p>`));
    });
    app.use((err: Error, _req: Request, res: Response, _next: NextFunction) => {
      res.status(500).send(page('Error', `<pre id="error">${escapeHtml(err.message)}</pre>`));
    });
    browser = await launchChromium();
  });

  afterEach(async function () {
    while (contexts.length > 0) await contexts.pop()!.close();
  });

  after(async function () {
    await browser?.close();
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server!.close(() => resolve()));
    }
    await emulator?.stop();
  });

  async function newPage(): Promise<Page> {
    const context = await browser!.newContext({ viewport: { width: 1000, height: 760 } });
    contexts.push(context);
    const p = await context.newPage();
    p.setDefaultTimeout(10_000);
    return p;
  }

  async function shot(p: Page, name: string): Promise<void> {
    await p.screenshot({ path: join(SCREENSHOTS, `hosted-${name}.png`), fullPage: true });
  }

  async function text(p: Page, selector: string): Promise<string> {
    return ((await p.locator(selector).first().textContent()) ?? '').trim();
  }

  function where(p: Page): string {
    const url = new URL(p.url());
    return url.origin + url.pathname;
  }

  const hostedLogin = (): string => `${emulator!.endpoint}/domain/${DOMAIN}/login`;

  it('signs in through the hosted form, shows the profile, refreshes, signs out through the emulator\'s /logout', async function () {
    const p = await newPage();
    await p.goto(`${base}/login`);
    assert.equal(where(p), hostedLogin(), 'the app sent the browser to the hosted sign-in form');
    assert.equal(await text(p, 'h1'), 'Sign in');
    await shot(p, 'eoc-1-form');

    await p.fill('#username', 'ann');
    await p.fill('#password', 'Passw0rd!');
    await Promise.all([p.waitForURL(`${base}/`), p.click('button[type=submit]')]);
    assert.equal(await text(p, 'h1'), 'Signed in', await p.content());
    assert.equal(await text(p, '#who'), 'ann@example.com');
    const emulatorCookies = async (): Promise<string[]> => (await p.context().cookies(hostedLogin())).map((c) => c.name);
    assert.ok((await emulatorCookies()).includes('cognito'), 'the managed-login cookie is set on the emulator');
    await shot(p, 'eoc-2-signed-in');

    await p.goto(`${base}/profile`);
    assert.equal(await text(p, '#email'), 'ann@example.com');
    assert.equal(await text(p, '#userinfo-email'), 'ann@example.com');
    assert.match(await text(p, '#user'), /"cognito:username": "ann"/);
    await shot(p, 'eoc-3-profile');

    await p.goto(`${base}/refresh`);
    assert.equal(await text(p, 'h1'), 'Refreshed', await p.content());
    assert.equal(await text(p, '#changed'), 'true');
    assert.equal(await text(p, '#kept-refresh'), 'true', 'Cognito sends no new refresh token; the library keeps the old one');

    const logoutRequests: string[] = [];
    p.on('request', (r) => {
      if (r.url().startsWith(`${emulator!.endpoint}/domain/${DOMAIN}/logout`)) logoutRequests.push(r.url());
    });
    await p.goto(`${base}/`);
    await Promise.all([p.waitForURL(`${base}/`), p.click('a[href="/logout"]')]);
    assert.equal(logoutRequests.length, 1, 'the browser went through the emulator\'s /logout');
    const logout = new URL(logoutRequests[0]);
    assert.equal(logout.searchParams.get('logout_uri'), `${base}/`);
    assert.ok(logout.searchParams.get('client_id'));
    assert.ok(logout.searchParams.get('id_token_hint'), 'the spec-style parameters ride along and are ignored');
    assert.equal(await text(p, 'h1'), 'Signed out');
    assert.ok(!(await emulatorCookies()).includes('cognito'), 'the managed-login cookie is cleared');
    await shot(p, 'eoc-4-signed-out');

    await p.goto(`${base}/login`);
    assert.equal(where(p), hostedLogin(), 'signed out at the emulator too: the form again, not straight back');
    await shot(p, 'eoc-5-form-again');
  });

  it('without signing out, a second /login goes straight back signed in (the managed-login session)', async function () {
    const p = await newPage();
    await p.goto(`${base}/profile`);
    assert.equal(where(p), hostedLogin(), 'requiresAuth() sends the browser to the hosted form');
    await p.fill('#username', 'ann');
    await p.fill('#password', 'Passw0rd!');
    await Promise.all([p.waitForURL(`${base}/profile`), p.click('button[type=submit]')]);
    assert.equal(await text(p, '#email'), 'ann@example.com');
    // Only the app's session goes: the emulator's cookie still signs the browser in.
    await p.context().clearCookies({ name: /^appSession/ });
    await p.goto(`${base}/`);
    assert.equal(await text(p, 'h1'), 'Signed out');
    await p.goto(`${base}/login`);
    assert.equal(where(p), `${base}/`, 'no form: straight back through the callback');
    assert.equal(await text(p, 'h1'), 'Signed in');
    await shot(p, 'eoc-6-sso');
  });
});
