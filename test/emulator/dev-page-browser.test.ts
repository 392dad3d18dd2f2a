// The emulator's developer page in a real browser: Debian's Chromium driven by playwright-core, launched
// as test/example-app/browser.test.ts does, against an emulator seeded with the demo pool and a second
// pool, after a sign-up and a password reset. Screenshots go to test-output/screenshots/.
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { CognitoIdentityProviderClient, ForgotPasswordCommand, SignUpCommand } from '@aws-sdk/client-cognito-identity-provider';
import { DEMO_CLIENT_ID, DEMO_SEED, startEmulator, type Emulator } from 'express-cognito/emulator';
import { launchChromium, requireChromium, SCREENSHOTS } from '../support/browser';

describe('emulator developer page in Chromium (playwright-core)', function () {
  this.timeout(60_000);
  let emulator: Emulator | undefined;
  let browser: Browser | undefined;
  let codes: string[] = [];

  before(async function () {
    requireChromium(this);
    emulator = await startEmulator({ seed: DEMO_SEED });
    await emulator.seed({
      pools: [{
        name: 'staff portal', usernameAttributes: ['email'], mfa: 'ON',
        clients: [{ name: 'intranet', generateSecret: true, explicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] }],
        users: [{ username: 'dan@example.com', password: 'Passw0rd!', attributes: { phone_number: '+15555550142', phone_number_verified: 'true' } }],
      }],
    });
    const sdk = new CognitoIdentityProviderClient({
      region: emulator.region, endpoint: emulator.endpoint, credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1,
    });
    try {
      await sdk.send(new SignUpCommand({
        ClientId: DEMO_CLIENT_ID, Username: 'dora', Password: 'Passw0rd!-long', UserAttributes: [{ Name: 'email', Value: 'dora@example.com' }],
      }));
      await sdk.send(new ForgotPasswordCommand({ ClientId: DEMO_CLIENT_ID, Username: 'alice' }));
    } finally {
      sdk.destroy();
    }
    codes = emulator.outbox().map((m) => m.code!);
    browser = await launchChromium();
  });

  after(async function () {
    await browser?.close();
    await emulator?.stop();
  });

  async function open(width: number, height: number): Promise<{ page: Page; cspViolations: string[]; close: () => Promise<void> }> {
    const context = await browser!.newContext({ viewport: { width, height } });
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    const cspViolations: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
    });
    const response = await page.goto(`${emulator!.endpoint}/`);
    assert.equal(response?.status(), 200);
    return { page, cspViolations, close: () => context.close() };
  }

  it('renders the outbox codes, pools, clients and users at desktop width', async () => {
    const { page, cspViolations, close } = await open(1100, 800);
    try {
      assert.equal(await page.title(), 'Cognito emulator: developer page');
      for (const code of codes) assert.ok(await page.locator('#outbox .code', { hasText: code }).isVisible(), code);
      assert.ok(await page.getByRole('heading', { name: /demo/ }).isVisible());
      assert.ok(await page.getByRole('heading', { name: /staff portal/ }).isVisible());
      assert.ok(await page.locator('#pool-us-east-1_DemoPool1').getByRole('cell', { name: 'dora', exact: true }).isVisible());
      const header = await page.locator('#outbox th').allInnerTexts();
      assert.deepEqual(header, ['Sent (emulator clock)', 'Code', 'To', 'Purpose', 'User', 'Pool', 'Message']);
      await page.screenshot({ path: join(SCREENSHOTS, 'emulator-dev-page.png'), fullPage: true });
      assert.deepEqual(cspViolations, [], 'the page obeys its own Content-Security-Policy');
    } finally {
      await close();
    }
  });

  it('fits a 375 px wide phone: tables become cards, nothing scrolls sideways', async () => {
    const { page, cspViolations, close } = await open(375, 740);
    try {
      // The callback runs in the page; tsconfig has no DOM types, so it is given as a string.
      const width = await page.evaluate<number>('document.documentElement.scrollWidth');
      assert.ok(width <= 375, `page is ${width}px wide`);
      assert.equal(await page.locator('#outbox thead').isVisible(), false, 'headings move into the cards');
      assert.ok(await page.locator('#outbox .code', { hasText: codes[0] }).isVisible());
      await page.screenshot({ path: join(SCREENSHOTS, 'emulator-dev-page-375.png'), fullPage: true });
      assert.deepEqual(cspViolations, []);
    } finally {
      await close();
    }
  });
});
