// The example app's e-mail change and two-step verification in a real browser (Debian's Chromium,
// playwright-core, launched by test/support/browser.ts), and the signed-in pages at a phone's width
// (375 px). Codes come from the emulator's outbox, TOTP codes from the key the page shows
// (lib/totp.ts at the emulator's clock). Screenshots go to test-output/screenshots/.
import { strict as assert } from 'node:assert';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { Cognito } from 'express-cognito';
import { DEMO_SEED, startEmulator, type Emulator, type OutboxPurpose } from 'express-cognito/emulator';
import { generateTotp } from '../../lib/totp';
import { createApp } from '../../example-app/app';
import { launchChromium, listenOnLoopback, requireChromium, SCREENSHOTS } from '../support/browser';

const PASSWORD = 'Corr3ct-horse!';

describe('example app in Chromium: e-mail verification, MFA, phone width (playwright-core)', function () {
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
      sessionSecret: 'example-app browser MFA test secret',
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

  async function newPage(viewport = { width: 1000, height: 760 }): Promise<Page> {
    const context = await browser!.newContext({ viewport });
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

  // Nothing wider than the window: long tokens and claims wrap instead of scrolling sideways.
  async function fitsWidth(page: Page): Promise<void> {
    const [scroll, client] = await page.evaluate<[number, number]>('[document.documentElement.scrollWidth, document.documentElement.clientWidth]');
    assert.ok(scroll <= client, `the page is ${scroll} px wide in a ${client} px window`);
  }

  it('changes the e-mail address and verifies it with the code sent to the new one', async function () {
    await account('tara');
    const page = await newPage();
    await logIn(page, 'tara', PASSWORD);
    assert.equal(await text(page, '#profile-email'), 'tara@example.com');
    await shot(page, 'email-1-profile');

    await page.fill('#name', 'Tara Example');
    await page.fill('#email', 'tara@new.example');
    await submit(page, '#profile-form button[type=submit]');
    assert.equal(path(page), '/verify');
    assert.match(await text(page, '#verify-notice'), /We sent a code to t\*\*\*@n\*\*\*/);
    assert.equal(await text(page, '#verify-email'), 'tara@new.example');
    assert.equal(await page.getAttribute('#code', 'autocomplete'), 'one-time-code');
    await shot(page, 'email-2-verify');

    await submit(page, '#resend');
    assert.match(await text(page, '#verify-notice'), /A new code is on its way/);
    await page.fill('#code', codeOf('tara', 'VERIFY_ATTRIBUTE'));
    await submit(page, '#verify-form button[type=submit]');
    assert.equal(path(page), '/profile');
    assert.equal(await text(page, '#details-notice'), 'Your e-mail address is verified.');
    assert.equal(await text(page, '#profile-email'), 'tara@new.example');
    assert.equal(await text(page, '#email-state'), 'verified');
    assert.equal(await text(page, '#profile-name'), 'Tara Example');
    await shot(page, 'email-3-verified');
  });

  it('sets up an authenticator by its QR code; signing in then asks for it; turns it off', async function () {
    await account('uma');
    const page = await newPage();
    await logIn(page, 'uma', PASSWORD);
    await submit(page, 'nav a[href="/mfa"]');
    assert.equal(path(page), '/mfa');
    assert.equal(await text(page, '#mfa-totp'), 'off');
    await shot(page, 'mfa-1-off');

    await submit(page, '#enrol button');
    const box = await page.locator('#qr svg').boundingBox();
    assert.ok(box && box.width >= 150 && box.height >= 150, 'the QR code is drawn at a scannable size');
    const secret = await text(page, '#secret-code');
    assert.match(secret, /^[A-Z2-7]{16,}$/);
    await shot(page, 'mfa-2-qr');

    await page.reload();
    assert.equal(await text(page, '#secret-code'), secret, 'a reload keeps the key');
    const now = emulator!.clock.now();
    await page.fill('#code', generateTotp(secret, now));
    await submit(page, '#totp-verify-form button[type=submit]');
    assert.equal(await text(page, '#mfa-totp'), 'on');
    assert.match(await text(page, '#mfa-notice'), /authenticator app is on/);
    await shot(page, 'mfa-3-on');

    await submit(page, 'header form button');
    await logIn(page, 'uma', PASSWORD);
    assert.equal(path(page), '/login/step');
    assert.equal(await text(page, 'h1'), 'Enter your authenticator code');
    await shot(page, 'mfa-4-sign-in-asks');
    await page.fill('#code', generateTotp(secret, now + 30_000));
    await submit(page, '#code-form button[type=submit]');
    assert.equal(path(page), '/profile');

    // Re-enrolment: a new key replaces the old one.
    await page.goto(`${base}/mfa`);
    await submit(page, '#enrol button');
    const second = await text(page, '#secret-code');
    assert.notEqual(second, secret);
    assert.match(await text(page, '#enrol'), /Until then your current authenticator keeps working/);
    await shot(page, 'mfa-5-re-enrol');
    await page.fill('#code', generateTotp(second, now));
    await submit(page, '#totp-verify-form button[type=submit]');
    assert.equal(await text(page, '#mfa-totp'), 'on');

    await submit(page, '#disable-totp button');
    assert.equal(await text(page, '#mfa-totp'), 'off');
    assert.match(await text(page, '#mfa-notice'), /^Turned off/);
    await shot(page, 'mfa-6-turned-off');
    await submit(page, 'header form button');
    await logIn(page, 'uma', PASSWORD);
    assert.equal(path(page), '/profile', 'no code asked any more');
  });

  it('reads well on a phone (375 px): profile, MFA set-up, sign-up', async function () {
    await account('valentina-with-a-rather-long-username');
    const page = await newPage({ width: 375, height: 812 });
    await logIn(page, 'valentina-with-a-rather-long-username', PASSWORD);
    assert.equal(path(page), '/profile');
    await fitsWidth(page);
    await shot(page, 'mobile-1-profile');

    await page.goto(`${base}/mfa`);
    await submit(page, '#enrol button');
    assert.ok(await page.locator('#qr svg').isVisible());
    await fitsWidth(page);
    await shot(page, 'mobile-2-mfa');

    await submit(page, 'header form button');
    await page.goto(`${base}/sign-up`);
    await fitsWidth(page);
    await shot(page, 'mobile-3-sign-up');
  });
});
