// The example app's account journeys in a real browser: Debian's Chromium driven by playwright-core,
// launched by test/support/browser.ts, against the app on a loopback port with an in-process emulator
// seeded with the demo pool. Sign-up → confirm → sign-in, forgot → reset, change password, delete.
// (The e-mail change and two-step verification are in browser-account-mfa.test.ts.) Codes are read
// from the emulator's outbox, as a user reads their e-mail. Screenshots go to test-output/screenshots/.
import { strict as assert } from 'node:assert';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { Cognito } from 'express-cognito';
import { DEMO_SEED, startEmulator, type Emulator, type OutboxPurpose } from 'express-cognito/emulator';
import { createApp } from '../../example-app/app';
import { launchChromium, listenOnLoopback, requireChromium, SCREENSHOTS } from '../support/browser';

const PASSWORD = 'Corr3ct-horse!';

describe('example app in Chromium: account journeys (playwright-core)', function () {
  this.timeout(60_000);
  let emulator: Emulator | undefined;
  let server: Server | undefined;
  let browser: Browser | undefined;
  let base = '';
  let poolId = '';
  let clientId = '';
  const contexts: BrowserContext[] = [];

  before(async function () {
    requireChromium(this);
    emulator = await startEmulator();
    const pool = (await emulator.seed(DEMO_SEED)).pools.demo;
    poolId = pool.poolId;
    clientId = Object.values(pool.clients)[0].clientId;
    const app = createApp({
      cognito: { userPoolId: poolId, clientId, endpoint: emulator.endpoint, region: emulator.region },
      sessionSecret: 'example-app browser account test secret',
    });
    server = await listenOnLoopback(app)
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
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
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    return page;
  }

  async function shot(page: Page, name: string, fullPage = true): Promise<void> {
    await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage });
  }

  // The answer to a form far down the profile page is where the browser lands, not below the fold.
  async function inView(page: Page, selector: string): Promise<void> {
    const box = await page.locator(selector).boundingBox();
    assert.ok(box && box.y >= 0 && box.y + box.height <= 760, `${selector} is in view (${JSON.stringify(box)})`);
  }

  async function text(page: Page, selector: string): Promise<string> {
    return ((await page.locator(selector).first().textContent()) ?? '').trim();
  }

  function path(page: Page): string {
    const url = new URL(page.url());
    return url.pathname + url.search;
  }

  // Clicks a submit button and waits for the page the POST (and the redirect after it) ends on.
  async function submit(page: Page, button: string): Promise<void> {
    await Promise.all([page.waitForEvent('framenavigated', (frame) => frame === page.mainFrame()), page.click(button)]);
    await page.waitForLoadState('load');
  }

  function codeOf(username: string, purpose: OutboxPurpose): string {
    const code = emulator!.outbox({ username, purpose }).at(-1)?.code;
    assert.ok(code, `a ${purpose} code for ${username}`);
    return code;
  }

  // A confirmed account made directly with the pool (the sign-up journey has its own test).
  async function account(username: string): Promise<void> {
    const u = new Cognito(poolId, clientId, { username, endpoint: emulator!.endpoint, region: emulator!.region });
    await u.register(PASSWORD, { email: `${username}@example.com` });
    await u.confirmSignUp(codeOf(username, 'SIGN_UP'));
  }

  async function logIn(page: Page, username: string, password: string): Promise<void> {
    await page.goto(`${base}/login`);
    await page.fill('#username', username);
    await page.fill('#password', password);
    await submit(page, '#login-form button[type=submit]');
  }

  it('signs up, confirms with the code from the e-mail, and signs in; Back never resends a form', async function () {
    const page = await newPage();
    await page.goto(`${base}/login`);
    await submit(page, 'nav a[href="/sign-up"]');
    assert.equal(path(page), '/sign-up');
    assert.match(await text(page, '#password-rules'), /at least 8 characters/);
    assert.equal(await page.getAttribute('#password', 'minlength'), '8');
    await shot(page, 'signup-1-form');

    await page.fill('#username', 'pia');
    await page.fill('#email', 'pia@example.com');
    await page.fill('#password', PASSWORD);
    await page.fill('#confirmPassword', 'Corr3ct-horse?');
    await submit(page, '#sign-up-form button[type=submit]');
    assert.equal(path(page), '/sign-up');
    assert.equal(await text(page, '.error'), 'The two passwords are not the same.');
    assert.equal(await page.inputValue('#username'), 'pia');
    assert.equal(await page.inputValue('#password'), '');
    await shot(page, 'signup-2-passwords-differ');

    await page.fill('#password', PASSWORD);
    await page.fill('#confirmPassword', PASSWORD);
    await submit(page, '#sign-up-form button[type=submit]');
    assert.equal(path(page), '/confirm');
    assert.match(await text(page, '#confirm-notice'), /We sent a code to p\*\*\*@e\*\*\*/);
    assert.equal(await page.inputValue('#username'), 'pia');
    await shot(page, 'signup-3-confirm');

    await page.fill('#code', '000000');
    await submit(page, '#confirm-form button[type=submit]');
    assert.match(await text(page, '.error'), /wrong or has expired/);
    await shot(page, 'signup-4-wrong-code');
    await submit(page, '#resend');
    assert.match(await text(page, '#confirm-notice'), /a new one is on its way/);

    await page.fill('#code', codeOf('pia', 'RESEND_CODE'));
    await submit(page, '#confirm-form button[type=submit]');
    assert.equal(path(page), '/login');
    assert.equal(await text(page, '#login-notice'), 'Account confirmed, sign in.');
    assert.equal(await page.inputValue('#username'), 'pia');
    await shot(page, 'signup-5-login-notice');

    await page.fill('#password', PASSWORD);
    await submit(page, '#login-form button[type=submit]');
    assert.equal(path(page), '/profile');
    assert.equal(await text(page, '#profile-username'), 'pia');
    assert.equal(await text(page, '#email-state'), 'verified');
    await shot(page, 'signup-6-profile');

    // Every POST was answered with a redirect: going back through the history is GETs only.
    for (let i = 0; i < 3; i++) {
      const back = await page.goBack();
      assert.equal(back?.request().method(), 'GET', `Back ${i + 1}`);
    }
  });

  it('forgot password → reset with the e-mailed code → signs in with the new one', async function () {
    await account('quinn');
    const page = await newPage();
    await page.goto(`${base}/login`);
    await submit(page, '#forgot-link');
    assert.equal(path(page), '/forgot');
    await shot(page, 'forgot-1-form');

    await page.fill('#username', ' quinn ');
    await submit(page, '#forgot-form button[type=submit]');
    assert.equal(path(page), '/reset');
    assert.match(await text(page, '#reset-notice'), /a code is on its way/);
    assert.equal(await page.inputValue('#username'), 'quinn');
    await shot(page, 'forgot-2-reset');

    await page.fill('#code', codeOf('quinn', 'FORGOT_PASSWORD'));
    await page.fill('#newPassword', 'weakpassword');
    await page.fill('#confirmPassword', 'weakpassword');
    await submit(page, '#reset-form button[type=submit]');
    assert.match(await text(page, '.error'), /^This password is too weak/);
    await shot(page, 'forgot-3-weak-password');

    await page.fill('#code', codeOf('quinn', 'FORGOT_PASSWORD'));
    await page.fill('#newPassword', 'Br4nd-New-Secret!');
    await page.fill('#confirmPassword', 'Br4nd-New-Secret!');
    await submit(page, '#reset-form button[type=submit]');
    assert.equal(path(page), '/login');
    assert.equal(await text(page, '#login-notice'), 'Your password is changed: sign in with the new one.');
    await shot(page, 'forgot-4-login-notice');

    await page.fill('#password', 'Br4nd-New-Secret!');
    await submit(page, '#login-form button[type=submit]');
    assert.equal(path(page), '/profile');
  });

  it('changes the password on the profile page', async function () {
    await account('rosa');
    const page = await newPage();
    await logIn(page, 'rosa', PASSWORD);
    await page.fill('#previousPassword', 'Wr0ng-password!');
    await page.fill('#newPassword', 'An0ther-Secret!');
    await page.fill('#confirmPassword', 'An0ther-Secret!');
    await submit(page, '#password-form button[type=submit]');
    assert.equal(path(page), '/profile');
    assert.equal(new URL(page.url()).hash, '#password-section');
    assert.equal(await text(page, '#password-section .error'), 'Your current password is not right.');
    await inView(page, '#password-section .error');
    await shot(page, 'password-1-wrong-current', false);

    await page.fill('#previousPassword', PASSWORD);
    await page.fill('#newPassword', 'An0ther-Secret!');
    await page.fill('#confirmPassword', 'An0ther-Secret!');
    await submit(page, '#password-form button[type=submit]');
    assert.equal(await text(page, '#password-notice'), 'Your password is changed.');
    await inView(page, '#password-notice');
    await shot(page, 'password-2-changed', false);

    await submit(page, 'header form button');
    await logIn(page, 'rosa', 'An0ther-Secret!');
    assert.equal(path(page), '/profile');
  });

  it('deletes the account with its password, and is signed out', async function () {
    await account('sven');
    const page = await newPage();
    await logIn(page, 'sven', PASSWORD);
    await page.fill('#deletePassword', 'Wr0ng-password!');
    await submit(page, '#delete-form button[type=submit]');
    assert.equal(await text(page, '#delete-section .error'), 'The password is not right.');
    await inView(page, '#delete-section .error');
    await shot(page, 'delete-1-wrong-password', false);

    await page.fill('#deletePassword', PASSWORD);
    await submit(page, '#delete-form button[type=submit]');
    assert.equal(path(page), '/login');
    assert.equal(await text(page, '#login-notice'), 'Your account has been deleted.');
    assert.equal(await page.locator('header form[action="/logout"]').count(), 0, 'signed out');
    await shot(page, 'delete-2-deleted');

    await logIn(page, 'sven', PASSWORD);
    assert.equal(path(page), '/login');
    assert.equal(await text(page, '.error'), 'Incorrect username or password.');
  });
});
