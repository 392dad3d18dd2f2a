/**
 * What every browser test shares: Debian's Chromium driven by playwright-core (nothing downloads a
 * browser), headless and quiet, its screenshots folder, the skip-or-fail rule when it is missing,
 * and an app on a free loopback port.
 *
 * @example
 * before(async function () {
 *   requireChromium(this);
 *   server = await listenOnLoopback(app);
 *   browser = await launchChromium();
 * });
 */
import { existsSync, mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium (`apt-get install chromium`). */
export const CHROMIUM = '/usr/bin/chromium';

/** Where the browser tests put their screenshots (look at them). */
export const SCREENSHOTS = join(__dirname, '..', '..', 'test-output', 'screenshots');

// Without the background-networking flags Chromium keeps dialling Google's hosts, which this
// closed network refuses. Playwright gives every launch a fresh, empty --user-data-dir itself.
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * In a suite's `before`: without Chromium the suite is skipped on a developer machine and fails
 * under CI (`CI=true`), which must install it; with it, the screenshots folder exists.
 */
export function requireChromium(ctx: Mocha.Context): void {
  if (!existsSync(CHROMIUM)) {
    if (process.env.CI === 'true') {
      throw new Error(`${CHROMIUM} is missing: CI must install Debian's chromium (apt-get install -y chromium)`);
    }
    console.log(`      browser tests skipped: ${CHROMIUM} is not installed (apt-get install chromium to run them)`);
    ctx.skip();
  }
  mkdirSync(SCREENSHOTS, { recursive: true });
}

/** Launches Debian's Chromium, headless. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ARGS, timeout: 30_000 });
}

/** Starts `app` on a free port of 127.0.0.1. */
export function listenOnLoopback(app: { listen(port: number, host: string): Server }): Promise<Server> {
  return new Promise<Server>((resolve, reject) => {
    const s = app.listen(0, '127.0.0.1');
    s.once('listening', () => resolve(s));
    s.once('error', reject);
  });
}
