// The example app's hosted-UI and federated sign-in in a real browser: Debian's Chromium driven by
// playwright-core, against the app on a free loopback port with an in-process emulator and the very
// setup `npm start` makes (example-app/hosted-demo.ts). Real Chromium matters here: it applies the
// CSP's form-action to the redirects after the logout form (app → pool domain's /logout → app).
// Each test has its own browser context (its own cookies); screenshots go to test-output/screenshots/.
import { strict as assert } from 'node:assert';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { DEMO_SEED, startEmulator, type Emulator } from 'express-cognito/emulator';
import { createApp } from '../../example-app/app';
import { DEMO_IDP_USER, setUpHostedDemo } from '../../example-app/hosted-demo';
import { launchChromium, requireChromium, SCREENSHOTS } from '../support/browser';

describe('example app in Chromium: hosted UI, federated sign-in, hosted logout', function () {
  this.timeout(60_000);
  let emulator: Emulator | undefined;
  let server: Server | undefined;
  let browser: Browser | undefined;
  let base = '';
  let domainUrl = '';
  let idpDomainUrl = '';
  const contexts: BrowserContext[] = [];

  before(async function () {
    requireChromium(this);
    emulator = await startEmulator();
    const pool = (await emulator.seed(DEMO_SEED)).pools.demo;
    const clientId = Object.values(pool.clients)[0].clientId;
    // Listening first: the callback URLs name the port (as server.ts does).
    server = createServer();
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    base = `http://127.0.0.1:${port}`;
    const sdk = new CognitoIdentityProviderClient({
      region: emulator.region, endpoint: emulator.endpoint, credentials: { accessKeyId: 'emulator', secretAccessKey: 'emulator' },
    });
    const demo = await setUpHostedDemo({
      emulator, sdk, poolId: pool.poolId, clientId, origins: [`http://localhost:${port}`, base], apiUrl: `${base}/api/orders`,
    });
    domainUrl = demo.domainUrl;
    idpDomainUrl = demo.idpDomainUrl;
    server.on('request', createApp({
      cognito: { userPoolId: pool.poolId, clientId, endpoint: emulator.endpoint, region: emulator.region, client: sdk },
      sessionSecret: 'example-app hosted browser test secret',
      demo: {
        users: [
          { username: 'alice', password: 'Passw0rd!', note: 'in group admin' },
          { username: DEMO_IDP_USER.username, password: DEMO_IDP_USER.password, note: 'at DemoIdP: use "Sign in with DemoIdP"' },
        ],
      },
      hosted: demo.hosted,
    }));
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

  async function newPage(width = 1000): Promise<Page> {
    const context = await browser!.newContext({ viewport: { width, height: 760 } });
    contexts.push(context);
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    return page;
  }

  async function shot(page: Page, name: string): Promise<void> {
    await page.screenshot({ path: join(SCREENSHOTS, `hosted-app-${name}.png`), fullPage: true });
  }

  async function text(page: Page, selector: string): Promise<string> {
    return ((await page.locator(selector).first().textContent()) ?? '').trim();
  }

  // Clicks and waits until the browser has come to rest on a page whose URL starts with `prefix`
  // (through every redirect of the way: app → emulator → app).
  async function clickTo(page: Page, selector: string, prefix: string): Promise<void> {
    await Promise.all([page.waitForURL((url) => url.toString().startsWith(prefix), { waitUntil: 'load' }), page.click(selector)]);
  }

  async function signInOnHostedForm(page: Page, username: string, password: string, prefix: string): Promise<void> {
    await page.fill('#username', username);
    await page.fill('#password', password);
    await clickTo(page, 'button[type=submit]', prefix);
  }

  it('"Sign in with the hosted page": the emulator\'s form → /profile; logout through the hosted /logout → signed out', async function () {
    const page = await newPage();
    await page.goto(`${base}/login`);
    assert.equal(await text(page, '#hosted-link'), 'Sign in with the hosted page');
    await shot(page, '1-login');

    await clickTo(page, '#hosted-link', `${domainUrl}/login`);
    assert.equal(await page.locator('#username').count(), 1);
    await shot(page, '2-hosted-form');

    await signInOnHostedForm(page, 'alice', 'Passw0rd!', `${base}/profile`);
    assert.equal(await text(page, '#profile-username'), 'alice');
    assert.match(await text(page, '#profile-groups'), /admin/);
    await shot(page, '3-profile');

    // The logout form's POST is answered with a 302 to the pool domain: the CSP's form-action allows it.
    await clickTo(page, 'header form button', `${base}/login?loggedOut=1`);
    assert.match(await text(page, '.notice'), /logged out/);
    assert.equal((await page.request.get(`${base}/api/me`)).status(), 401);
    await shot(page, '4-logged-out');

    // The managed-login session ended too: the hosted form asks again.
    await clickTo(page, '#hosted-link', `${domainUrl}/login`);
    assert.equal(await page.locator('#password').count(), 1);
    await shot(page, '5-form-again');
  });

  it('"Sign in with DemoIdP": erin on the upstream pool\'s form → /profile as DemoIdP_…; /m2m calls the API', async function () {
    const page = await newPage();
    await page.goto(`${base}/login`);
    await clickTo(page, '#federated-link', `${idpDomainUrl}/login`);
    await shot(page, '6-idp-form');

    await signInOnHostedForm(page, DEMO_IDP_USER.username, DEMO_IDP_USER.password, `${base}/profile`);
    assert.match(await text(page, '#profile-username'), /^DemoIdP_[0-9a-f-]{36}$/);
    assert.equal(await text(page, '#profile-email'), DEMO_IDP_USER.email);
    assert.match(await text(page, '#federated-section'), /You sign in through DemoIdP/);
    await shot(page, '7-federated-profile');

    await clickTo(page, 'nav a[href="/m2m"]', `${base}/m2m`);
    assert.equal(await text(page, '#m2m-status'), 'HTTP 200');
    assert.match(await text(page, '#m2m-result'), /"principal": "client"/);
    await shot(page, '8-m2m');

    await clickTo(page, 'header form button', `${base}/login?loggedOut=1`);
    await shot(page, '9-federated-logged-out');
  });

  it('the login page on a phone-sized screen', async function () {
    const page = await newPage(375);
    await page.goto(`${base}/login`);
    const box = await page.locator('#federated-link').boundingBox();
    assert.ok(box && box.x >= 0 && box.x + box.width <= 375, 'the buttons fit the screen');
    await shot(page, '10-login-375');
  });
});
