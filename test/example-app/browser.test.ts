// The example app in a real browser: Debian's Chromium driven by playwright-core, against the app
// (example-app/app.ts) on a free loopback port with an in-process emulator seeded with the demo pool.
// One browser per file; each test has its own browser context (its own cookies), so tests share no
// session. Screenshots of every step go to test-output/screenshots/.
import { strict as assert } from 'node:assert';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { DEMO_SEED, DEMO_TOTP_SECRET, startEmulator, type Emulator, type EmulatorSeed } from 'express-cognito/emulator';
import { generateTotp } from '../../lib/totp';
import { createApp } from '../../example-app/app';
import { SECURITY_CHECK_TRIGGERS } from '../../example-app/custom-challenge';
import { launchChromium, listenOnLoopback, requireChromium, SCREENSHOTS } from '../support/browser';

const STRICT_SEED: EmulatorSeed = {
  pools: [{
    name: 'strict',
    mfa: 'ON',
    clients: [{ name: 'web', explicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] }],
    users: [{ username: 'dave', password: 'Passw0rd!' }],
  }],
};

describe('example app in Chromium (playwright-core)', function () {
  this.timeout(60_000);
  let emulator: Emulator | undefined;
  let server: Server | undefined;
  let strictServer: Server | undefined;
  let strictBase = '';
  let browser: Browser | undefined;
  let base = '';
  const contexts: BrowserContext[] = [];

  before(async function () {
    requireChromium(this);
    emulator = await startEmulator({ triggers: SECURITY_CHECK_TRIGGERS });
    const pool = (await emulator.seed(DEMO_SEED)).pools.demo;
    const app = createApp({
      cognito: {
        userPoolId: pool.poolId, clientId: Object.values(pool.clients)[0].clientId, endpoint: emulator.endpoint, region: emulator.region,
      },
      sessionSecret: 'example-app browser test secret',
      securityCheck: true,
      demo: {
        users: [
          { username: 'alice', password: 'Passw0rd!', note: 'in group admin' },
          { username: 'bob', password: 'Passw0rd!', note: 'asks for an authenticator (TOTP) code' },
          { username: 'carol', password: 'Temp0rary!', note: 'temporary password: sets a new one' },
        ],
        totpSecret: DEMO_TOTP_SECRET,
      },
    });
    server = await listenOnLoopback(app);
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    // A second pool, requiring MFA, for the MFA-setup page (none of the demo users reaches it).
    const strict = (await emulator.seed(STRICT_SEED)).pools.strict;
    strictServer = await listenOnLoopback(createApp({
      cognito: { userPoolId: strict.poolId, clientId: strict.clients.web.clientId, endpoint: emulator.endpoint, region: emulator.region },
      sessionSecret: 'example-app browser test secret 2',
    }));
    strictBase = `http://127.0.0.1:${(strictServer.address() as AddressInfo).port}`;
    browser = await launchChromium();
  });

  afterEach(async function () {
    while (contexts.length > 0) await contexts.pop()!.close();
  });

  after(async function () {
    await browser?.close();
    for (const s of [server, strictServer]) {
      if (!s) continue;
      s.closeAllConnections();
      await new Promise<void>((resolve) => s.close(() => resolve()));
    }
    await emulator?.stop();
  });

  async function newPage(): Promise<Page> {
    const context = await browser!.newContext({ viewport: { width: 1000, height: 760 } });
    contexts.push(context);
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    return page;
  }

  async function shot(page: Page, name: string): Promise<void> {
    await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
  }

  async function text(page: Page, selector: string): Promise<string> {
    return ((await page.locator(selector).first().textContent()) ?? '').trim();
  }

  function path(page: Page): string {
    const url = new URL(page.url());
    return url.pathname + url.search;
  }

  // Clicks a submit button and waits for the page the POST (and any redirect after it) ends on.
  async function submit(page: Page, button: string): Promise<void> {
    await Promise.all([page.waitForEvent('framenavigated', (frame) => frame === page.mainFrame()), page.click(button)]);
    await page.waitForLoadState('load');
  }

  async function logIn(page: Page, username: string, password: string): Promise<void> {
    await page.fill('#username', username);
    await page.fill('#password', password);
    await submit(page, '#login-form button[type=submit]');
  }

  async function apiMeStatus(page: Page): Promise<number> {
    return (await page.request.get(`${base}/api/me`)).status();
  }

  it('alice logs in, sees her profile and the admin page, stays logged in across a reload, logs out', async function () {
    const page = await newPage();
    await page.goto(`${base}/profile`);
    assert.equal(path(page), '/login?returnTo=%2Fprofile');
    assert.match(await text(page, '.demo'), /alice/);
    await shot(page, 'alice-1-login');

    await logIn(page, 'alice', 'Passw0rd!');
    assert.equal(path(page), '/profile');
    assert.equal(await text(page, '#profile-username'), 'alice');
    assert.match(await text(page, '#profile-groups'), /admin/);
    assert.match(await text(page, '#access-expiry'), /^\d{4}-\d\d-\d\dT.*\(in \d+ min/);
    await shot(page, 'alice-2-profile');

    await submit(page, 'nav a[href="/admin"]');
    assert.equal(path(page), '/admin');
    assert.equal(await text(page, 'h1'), 'Admin area');
    await shot(page, 'alice-3-admin');

    await page.reload();
    assert.equal(path(page), '/admin');
    assert.equal(await text(page, 'h1'), 'Admin area');
    assert.equal(await apiMeStatus(page), 200);
    await shot(page, 'alice-4-admin-after-reload');

    await submit(page, 'header form button');
    assert.equal(path(page), '/login?loggedOut=1');
    assert.match(await text(page, '.notice'), /logged out/);
    await shot(page, 'alice-5-logged-out');

    await page.goto(`${base}/profile`);
    assert.equal(path(page), '/login?returnTo=%2Fprofile');
    assert.equal(await apiMeStatus(page), 401);
    await shot(page, 'alice-6-profile-sends-to-login');
  });

  it('alice signs in with the security check: her password, a wrong sum, another sum answered right', async function () {
    const page = await newPage();
    await page.goto(`${base}/login`);
    await submit(page, '#security-check-link');
    assert.equal(path(page), '/login/security-check');
    await page.fill('#username', 'alice');
    await page.fill('#password', 'Passw0rd!');
    await shot(page, 'security-check-1-password');
    await submit(page, '#security-check-form button[type=submit]');
    assert.equal(path(page), '/login/step');
    const sum = (question: string): number => {
      const m = /^What is (\d+) \+ (\d+)\?$/.exec(question);
      assert.ok(m, question);
      return Number(m[1]) + Number(m[2]);
    };
    const first = sum(await text(page, '#challenge-question'));
    await shot(page, 'security-check-2-question');
    await page.fill('#answer', String(first + 100));
    await submit(page, '#answer-form button[type=submit]');
    assert.equal(path(page), '/login/step');
    assert.match(await text(page, '.error'), /not the answer/);
    const second = sum(await text(page, '#challenge-question'));
    await shot(page, 'security-check-3-wrong-answer');
    await page.fill('#answer', String(second));
    await submit(page, '#answer-form button[type=submit]');
    assert.equal(path(page), '/profile');
    assert.equal(await text(page, '#profile-username'), 'alice');
    await shot(page, 'security-check-4-profile');
  });

  it('bob logs in with a TOTP code computed by the test, and is refused the admin page', async function () {
    const page = await newPage();
    await page.goto(`${base}/login`);
    await logIn(page, 'bob', 'Passw0rd!');
    // Post/Redirect/Get: the step is a page of its own, and a reload of it sends nothing again.
    assert.equal(path(page), '/login/step');
    assert.equal(await text(page, 'h1'), 'Enter your authenticator code');
    await shot(page, 'bob-1-totp-step');
    const reloaded = await page.reload();
    assert.equal(reloaded?.request().method(), 'GET');
    assert.equal(await text(page, 'h1'), 'Enter your authenticator code');

    await page.fill('#code', generateTotp(DEMO_TOTP_SECRET, emulator!.clock.now()));
    await submit(page, '#code-form button[type=submit]');
    assert.equal(path(page), '/profile');
    assert.equal(await text(page, '#profile-username'), 'bob');
    assert.equal(await page.locator('nav a[href="/admin"]').count(), 0, 'no Admin link outside group admin');
    await shot(page, 'bob-2-profile');

    // Back: the step page is a GET, and with the sign-in done it leads on to the profile; no form is sent again.
    const back = await page.goBack();
    assert.equal(back?.request().method(), 'GET');
    assert.equal(path(page), '/profile');
    const again = await page.goBack();
    assert.equal(again?.request().method(), 'GET');
    assert.equal(path(page), '/login');

    const res = await page.goto(`${base}/admin`);
    assert.equal(res?.status(), 403);
    await shot(page, 'bob-3-admin-refused');
  });

  it('carol sets a new password and lands on her profile', async function () {
    const page = await newPage();
    await page.goto(`${base}/login`);
    await logIn(page, 'carol', 'Temp0rary!');
    assert.equal(await text(page, 'h1'), 'Choose a new password');
    await shot(page, 'carol-1-new-password-step');

    await page.fill('#newPassword', 'Br4nd-New-Secret!');
    await page.fill('#confirmPassword', 'Br4nd-New-Secret!');
    await submit(page, '#new-password-form button[type=submit]');
    assert.equal(path(page), '/profile');
    assert.equal(await text(page, '#profile-username'), 'carol');
    await shot(page, 'carol-2-profile');
  });

  it('a wrong password shows an error and leaves no session', async function () {
    const page = await newPage();
    await page.goto(`${base}/login`);
    await logIn(page, 'alice', 'wrong-password');
    assert.equal(path(page), '/login');
    assert.equal(await text(page, '.error'), 'Incorrect username or password.');
    assert.equal(await page.inputValue('#username'), 'alice');
    assert.equal(await page.inputValue('#password'), '');
    await shot(page, 'wrong-password-1-error');
    // The error was the answer to that one POST: a reload is a GET of the plain form.
    const reloaded = await page.reload();
    assert.equal(reloaded?.request().method(), 'GET');
    assert.equal(await page.locator('.error').count(), 0);

    assert.equal(await apiMeStatus(page), 401);
    await page.goto(`${base}/profile`);
    assert.equal(path(page), '/login?returnTo=%2Fprofile');
    await shot(page, 'wrong-password-2-profile-sends-to-login');
  });

  it('dave, in a pool that requires MFA, scans the QR code of his new key and signs in', async function () {
    const page = await newPage();
    await page.goto(`${strictBase}/login`);
    await logIn(page, 'dave', 'Passw0rd!');
    assert.equal(await text(page, 'h1'), 'Set up two-step verification');
    const box = await page.locator('#qr svg').boundingBox();
    assert.ok(box && box.width >= 150 && box.height >= 150, 'the QR code is drawn at a scannable size');
    const secret = await text(page, '#secret-code');
    assert.match(secret, /^[A-Z2-7]{16,}$/);
    await shot(page, 'dave-1-mfa-setup');

    await page.fill('#code', generateTotp(secret, emulator!.clock.now()));
    await submit(page, '#code-form button[type=submit]');
    assert.equal(path(page), '/profile');
    assert.equal(await text(page, '#profile-username'), 'dave');
    await shot(page, 'dave-2-profile');
  });
});
