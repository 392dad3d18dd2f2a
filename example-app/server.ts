/**
 * Entry point of the example app (`npm start`).
 *
 * - Without `COGNITO_USER_POOL_ID`: starts the Cognito emulator in this process, seeds the demo
 *   pool (alice, bob, carol) and prints their credentials and bob's TOTP secret. No AWS account.
 *   The e-mails the emulator "sends" (sign-up, reset and verification codes) are printed here, in
 *   the terminal: it is the only mailbox a local pool has.
 * - With `COGNITO_USER_POOL_ID` and `COGNITO_CLIENT_ID` (and `COGNITO_CLIENT_SECRET`, `AWS_REGION`
 *   when needed): the same app against that real user pool; the package reads those variables.
 *
 * `PORT` (default 3000) and `HOST` (default 127.0.0.1; `0.0.0.0` to listen on every interface) say
 * where to listen. `SESSION_SECRET` signs the session cookie; without it a random secret is made at
 * each start, so sessions do not survive a restart. `SECURE_COOKIES=true` when served over HTTPS
 * (behind a proxy: also `TRUST_PROXY=1`). Ctrl-C (SIGINT) or SIGTERM stops it cleanly.
 */
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import QRCode from 'qrcode';
import { otpauthUri, type CognitoOptions } from 'express-cognito';
import { DEMO_SEED, DEMO_TOTP_SECRET, startEmulator, type Emulator, type OutboxMessage } from 'express-cognito/emulator';
import { createApp, type ExampleAppConfig } from './app';

const APP_NAME = 'express-cognito demo';

const DEMO_USERS = [
  { username: 'alice', password: 'Passw0rd!', note: 'in group admin' },
  { username: 'bob', password: 'Passw0rd!', note: 'asks for an authenticator (TOTP) code' },
  { username: 'carol', password: 'Temp0rary!', note: 'temporary password: sets a new one' },
];

function port(): number {
  const raw = process.env.PORT ?? '3000';
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n > 65535) throw new Error(`PORT must be a port number, not "${raw}"`);
  return n;
}

async function main(): Promise<void> {
  const host = process.env.HOST ?? '127.0.0.1';
  const listenPort = port();
  const embedded = !process.env.COGNITO_USER_POOL_ID;
  let emulator: Emulator | undefined;
  let cognito: CognitoOptions = {};
  let demo: ExampleAppConfig['demo'];

  if (embedded) {
    emulator = await startEmulator({ port: 0, host: '127.0.0.1', onMessage: printMessage });
    const seeded = await emulator.seed(DEMO_SEED);
    const pool = seeded.pools.demo;
    const client = Object.values(pool.clients)[0];
    cognito = {
      userPoolId: pool.poolId, clientId: client.clientId, endpoint: emulator.endpoint, region: emulator.region,
      // The emulator checks no signature: placeholder credentials let the app read the pool's password
      // policy (DescribeUserPool), which against real Cognito needs IAM rights the app may not have.
      client: new CognitoIdentityProviderClient({
        region: emulator.region, endpoint: emulator.endpoint, credentials: { accessKeyId: 'emulator', secretAccessKey: 'emulator' },
      }),
    };
    demo = { users: DEMO_USERS, totpSecret: DEMO_TOTP_SECRET };
  }

  const app = createApp({
    appName: APP_NAME,
    cognito,
    sessionSecret: process.env.SESSION_SECRET || randomBytes(32).toString('hex'),
    secureCookies: process.env.SECURE_COOKIES === 'true',
    ...(process.env.TRUST_PROXY ? { trustProxy: process.env.TRUST_PROXY } : {}),
    ...(demo ? { demo } : {}),
  });

  const server: Server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(listenPort, host);
    s.once('listening', () => resolve(s));
    s.once('error', reject);
  }).catch(async (err: unknown) => {
    await emulator?.stop();
    throw err;
  });
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  const address = server.address() as AddressInfo;
  const shownHost = host === '0.0.0.0' || host === '::' ? 'localhost' : host.includes(':') ? `[${host}]` : host;
  const url = `http://${shownHost}:${address.port}`;
  const lines = [`express-cognito example app: ${url}`, ''];
  if (emulator) {
    lines.push(
      `Embedded Cognito emulator at ${emulator.endpoint} (user pool ${cognito.userPoolId}, no AWS account needed).`,
      'Set COGNITO_USER_POOL_ID and COGNITO_CLIENT_ID to use a real user pool instead.',
      '',
      'Demo users:',
      '  alice / Passw0rd!    in group admin',
      '  bob   / Passw0rd!    TOTP MFA: add this secret to an authenticator app:',
      `                       ${DEMO_TOTP_SECRET}`,
      '  carol / Temp0rary!   temporary password: chooses a new one at first login',
      '',
      'Or sign up at /sign-up: the e-mails the emulator sends (with their codes) are printed below as [outbox] lines.',
      '',
    );
    // A QR code drawn with terminal colours: only where there is a terminal to draw it on.
    if (process.stdout.isTTY) {
      const uri = otpauthUri({ secretBase32: DEMO_TOTP_SECRET, accountName: 'bob', issuer: APP_NAME });
      lines.push("bob's key as a QR code, for an authenticator app:", await QRCode.toString(uri, { type: 'terminal', small: true }));
    }
  } else {
    lines.push(`Using the Cognito user pool ${process.env.COGNITO_USER_POOL_ID}.`, '');
  }
  if (!process.env.SESSION_SECRET) lines.push('SESSION_SECRET is not set: a random one was made, so sessions end when the app stops.');
  lines.push('Press Ctrl+C to stop.');
  console.log(lines.join('\n'));

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping.`);
    server.close();
    for (const socket of sockets) socket.destroy();
    Promise.resolve(emulator?.stop())
      .then(() => process.exit(0))
      .catch(() => process.exit(1));
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

/**
 * One e-mail or text message of the embedded emulator, as its CLI prints them: this terminal is the
 * local pool's only mailbox, so the code it carries is the point (real Cognito mails the user).
 */
function printMessage(m: OutboxMessage): void {
  console.log(`[outbox] ${m.channel} to ${m.destination} (${m.purpose}, ${m.username}): ${m.message.trim()}`);
}

main().catch((err: unknown) => {
  console.error(`example-app: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
