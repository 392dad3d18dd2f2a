// The example app's passwordless sign-in and passkeys in a real browser (Debian's Chromium,
// playwright-core, launched by test/support/browser.ts) at http://localhost:PORT, the origin the demo
// pool's relying party `localhost` allows. Passkeys are made by Chromium's own WebAuthn stack with a
// virtual authenticator (the DevTools protocol's WebAuthn domain), so the browser itself checks
// origin and RP ID, and the package's /passkeys/client.js runs as it would for a user. Codes come
// from the emulator's outbox; "5 minutes later" is the emulator's clock. Screenshots go to
// test-output/screenshots/.
import { strict as assert } from 'node:assert';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import type { Browser, BrowserContext, CDPSession, Page } from 'playwright-core';
import { Cognito } from 'express-cognito';
import { DEMO_SEED, startEmulator, type Emulator, type OutboxChannel, type OutboxPurpose } from 'express-cognito/emulator';
import { createApp } from '../../example-app/app';
import { DEMO_SMS_USER, setUpPasswordlessDemo } from '../../example-app/passwordless-demo';
import { launchChromium, listenOnLoopback, requireChromium, SCREENSHOTS } from '../support/browser';

const PASSWORD = 'Corr3ct-horse!';

describe('example app in Chromium: passwordless sign-in and passkeys (playwright-core)', function () {
  this.timeout(60_000);
  let emulator: Emulator | undefined;
  let server: Server | undefined;
  let browser: Browser | undefined;
  let base = '';
  let ipBase = '';
  let poolId = '';
  let clientId = '';
  const contexts: BrowserContext[] = [];

  before(async function () {
    requireChromium(this);
    emulator = await startEmulator();
    const pool = (await emulator.seed(DEMO_SEED)).pools.demo;
    poolId = pool.poolId;
    clientId = Object.values(pool.clients)[0].clientId;
    const sdk = new CognitoIdentityProviderClient({
      region: emulator.region, endpoint: emulator.endpoint, credentials: { accessKeyId: 'emulator', secretAccessKey: 'emulator' },
    });
    await setUpPasswordlessDemo({ sdk, poolId, clientId });
    sdk.destroy();
    const clock = (): number => emulator!.clock.now();
    const app = createApp({
      cognito: { userPoolId: poolId, clientId, endpoint: emulator.endpoint, region: emulator.region, clock },
      sessionSecret: 'example-app browser passwordless test secret', passwordless: true, clock,
    });
    server = await listenOnLoopback(app)
    const port = (server.address() as AddressInfo).port;
    base = `http://localhost:${port}`;
    ipBase = `http://127.0.0.1:${port}`;
    browser = await launchChromium();
  });

  afterEach(async function () {
    while (contexts.length > 0) await contexts.pop()!.close();
    emulator?.clock.reset();
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

  // A platform authenticator with a user-verifying "fingerprint" that always says yes, in this tab.
  async function virtualAuthenticator(page: Page): Promise<{ cdp: CDPSession; authenticatorId: string }> {
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: {
        protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true,
        automaticPresenceSimulation: true,
      },
    });
    return { cdp, authenticatorId };
  }

  async function shot(page: Page, name: string): Promise<void> {
    await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
  }

  async function text(page: Page, selector: string): Promise<string> {
    return ((await page.locator(selector).first().textContent()) ?? '').trim().replace(/\s+/g, ' ');
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

  function codeOf(username: string, channel: OutboxChannel, purpose: OutboxPurpose = 'SIGN_IN'): string {
    const code = emulator!.outbox({ username, purpose, channel }).at(-1)?.code;
    assert.ok(code, `a ${channel} ${purpose} code for ${username}`);
    return code;
  }

  // A confirmed account made directly with the pool (the sign-up journey has its own test).
  async function account(username: string): Promise<void> {
    const u = new Cognito(poolId, clientId, { username, endpoint: emulator!.endpoint, region: emulator!.region });
    await u.register(PASSWORD, { email: `${username}@example.com` });
    await u.confirmSignUp(codeOf(username, 'EMAIL', 'SIGN_UP'));
  }

  async function logIn(page: Page, username: string): Promise<void> {
    await page.goto(`${base}/login`);
    await page.fill('#username', username);
    await page.fill('#password', PASSWORD);
    await submit(page, '#login-form button[type=submit]');
    assert.equal(path(page), '/profile');
  }

  // From the login page's link to the choice of factors.
  async function startPasswordless(page: Page, username: string, shotName?: string, origin = base): Promise<void> {
    await page.goto(`${origin}/login`);
    if (shotName) await shot(page, `${shotName}-login-link`);
    await submit(page, '#passwordless-link');
    assert.equal(path(page), '/login/passwordless');
    assert.equal(await page.getAttribute('#username', 'autocomplete'), 'username webauthn');
    await page.fill('#username', username);
    if (shotName) await shot(page, shotName);
    await submit(page, '#passwordless-form button[type=submit]');
    assert.equal(path(page), '/login/step');
    assert.equal(await text(page, 'h1'), 'How do you want to sign in?');
  }

  it('adds a passkey on the Security page, logs out, signs in with it; deletes it', async function () {
    await account('pia');
    const page = await newPage();
    const { cdp, authenticatorId } = await virtualAuthenticator(page);
    await logIn(page, 'pia');
    await submit(page, 'nav a[href="/mfa"]');
    assert.equal(await text(page, '#no-passkeys'), 'No passkeys yet.');
    assert.equal(await page.locator('#passkey-origin').count(), 0, 'on localhost: no note about the origin');
    await shot(page, 'passkeys-1-security-empty');

    // The package's script: options, navigator.credentials.create(), the credential, then a reload.
    await Promise.all([page.waitForEvent('load'), page.click('#add-passkey')]);
    assert.equal(await page.locator('#passkey-list tr.passkey').count(), 1);
    assert.equal(await text(page, '#passkey-list .passkey-name'), 'Passkey');
    assert.match(await text(page, '#passkey-list tr.passkey'), /\d{4}-\d\d-\d\d \d\d:\d\d UTC this device/);
    const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
    assert.equal(credentials.length, 1, 'the browser holds the passkey');
    assert.equal(credentials[0].rpId, 'localhost');
    assert.ok(credentials[0].isResidentCredential, 'a discoverable credential');
    await shot(page, 'passkeys-2-security-added');
    // At a phone's width (375 px) the list still fits: nothing scrolls sideways.
    await page.setViewportSize({ width: 375, height: 812 });
    const [scroll, client] = await page.evaluate<[number, number]>('[document.documentElement.scrollWidth, document.documentElement.clientWidth]');
    assert.ok(scroll <= client, `the page is ${scroll} px wide in a ${client} px window`);
    await shot(page, 'passkeys-2-security-added-phone');
    await page.setViewportSize({ width: 1000, height: 760 });

    await submit(page, 'header form button');
    await startPasswordless(page, 'pia', 'passwordless-1-username');
    assert.deepEqual(await page.locator('#factor-form button').allTextContents(), ['E-mail me a code', 'Passkey']);
    assert.ok(await page.locator('#factor-password-form #password').isVisible());
    await shot(page, 'passwordless-2-choice');

    // "Passkey": the step page opens the browser's passkey window at once; the authenticator answers; signed in.
    await Promise.all([page.waitForURL(`${base}/profile`), page.click('#factor-passkey')]);
    assert.equal(await text(page, '#profile-username'), 'pia');
    const [after] = (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials;
    assert.ok(after.signCount > credentials[0].signCount, 'the passkey signed');
    await shot(page, 'passwordless-3-passkey-signed-in');

    await page.goto(`${base}/mfa`);
    await submit(page, '#passkey-list button.danger-link');
    assert.equal(path(page), '/mfa');
    assert.match(await text(page, '#passkeys-notice'), /^The passkey is deleted/);
    assert.equal(await text(page, '#no-passkeys'), 'No passkeys yet.');
    await shot(page, 'passkeys-3-deleted');
  });

  it('an e-mailed code: choose it, enter it, signed in', async function () {
    await account('quinn');
    const page = await newPage();
    await startPasswordless(page, 'quinn');
    assert.deepEqual(await page.locator('#factor-form button').allTextContents(), ['E-mail me a code']);
    await submit(page, '#factor-email');
    assert.equal(await text(page, 'h1'), 'Enter the code we e-mailed you');
    assert.match(await text(page, '#code-destination'), /^We sent a code to q\*\*\*@e\*\*\*/);
    assert.equal(await page.getAttribute('#code', 'autocomplete'), 'one-time-code');
    await shot(page, 'passwordless-4-email-code');
    await page.fill('#code', '0000 0000');
    await submit(page, '#code-form button[type=submit]');
    assert.equal(await text(page, '.error'), 'The code is not valid; try again.');
    await shot(page, 'passwordless-5-email-wrong-code');
    await page.fill('#code', codeOf('quinn', 'EMAIL'));
    await submit(page, '#code-form button[type=submit]');
    assert.equal(path(page), '/profile');
    assert.equal(await text(page, '#profile-username'), 'quinn');
  });

  it(`a texted code (${DEMO_SMS_USER.username}): a new one on request, then signed in`, async function () {
    const page = await newPage();
    const username = DEMO_SMS_USER.username;
    await startPasswordless(page, username);
    assert.deepEqual(await page.locator('#factor-form button').allTextContents(), ['E-mail me a code', 'Text me a code']);
    await submit(page, '#factor-sms');
    assert.equal(await text(page, 'h1'), 'Enter the code we texted you');
    assert.match(await text(page, '#code-destination'), /^We sent a code to \+\*+0104\./);
    const first = emulator!.outbox({ username, purpose: 'SIGN_IN', channel: 'SMS' }).length;
    await submit(page, '#resend');
    assert.match(await text(page, '#code-notice'), /^A new code is on its way to \+\*+0104\./);
    assert.equal(emulator!.outbox({ username, purpose: 'SIGN_IN', channel: 'SMS' }).length, first + 1);
    assert.deepEqual(await page.locator('#other-factor-form button').allTextContents(), ['E-mail me a code'], 'another way in');
    await shot(page, 'passwordless-6-sms-code-resent');
    await page.fill('#code', codeOf(username, 'SMS'));
    await submit(page, '#code-form button[type=submit]');
    assert.equal(path(page), '/profile');
    assert.equal(await text(page, '#profile-username'), username);
  });

  it('on 127.0.0.1 the pages say passkeys work on localhost, and the browser refuses them there', async function () {
    await account('rosa');
    const page = await newPage();
    await virtualAuthenticator(page);
    await page.goto(`${ipBase}/login/passwordless`);
    assert.match(await text(page, '#passkey-origin'), /^Passkeys work at http:\/\/localhost:\d+\/login\/passwordless only/);
    await page.goto(`${ipBase}/login`);
    await page.fill('#username', 'rosa');
    await page.fill('#password', PASSWORD);
    await submit(page, '#login-form button[type=submit]');
    await page.goto(`${ipBase}/mfa`);
    assert.match(await text(page, '#passkey-origin'), /^Passkeys work at http:\/\/localhost:\d+\/mfa only/);
    await page.click('#add-passkey');
    await page.locator('#passkey-error').waitFor({ state: 'visible' });
    assert.match(await text(page, '#passkey-error'), /^The passkey did not work: /);
    assert.equal(await page.locator('#passkey-list').count(), 0, 'nothing was registered');
    await shot(page, 'passkeys-4-ip-address');

    // The passkey step on 127.0.0.1 (someone unknown: offered every factor): the browser refuses at once, the page says so.
    await submit(page, 'header form button');
    await startPasswordless(page, 'nobody-here', undefined, ipBase);
    await submit(page, '#factor-passkey');
    assert.equal(await text(page, 'h1'), 'Sign in with your passkey');
    await page.locator('#passkey-error').waitFor({ state: 'visible' });
    assert.match(await text(page, '#passkey-error'), /^The passkey did not work: /);
    assert.match(await text(page, '#passkey-origin'), /^Passkeys work at http:\/\/localhost:\d+\/login\/passwordless only/);
    assert.equal(path(page), '/login/step', 'nothing was posted');
    await shot(page, 'passwordless-7-passkey-on-ip-address');
  });

  it('adding a passkey needs a sign-in within 5 minutes: later, the page says so', async function () {
    await account('sami');
    const page = await newPage();
    await virtualAuthenticator(page);
    await logIn(page, 'sami');
    await page.goto(`${base}/mfa`);
    emulator!.clock.advance(301_000);
    await page.click('#add-passkey');
    await page.locator('#passkey-error').waitFor({ state: 'visible' });
    assert.equal(await text(page, '#passkey-error'), 'Adding a passkey needs a sign-in within the last 5 minutes: log out, log in again, then add it.');
    await shot(page, 'passkeys-5-sign-in-too-old');
  });
});
