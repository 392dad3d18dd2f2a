/**
 * Entry point of the example app (`npm start`).
 *
 * - Without `COGNITO_USER_POOL_ID`: starts the Cognito emulator in this process, seeds the demo
 *   pool (alice, bob, carol) and prints their credentials and bob's TOTP secret. No AWS account.
 *   The emulator keeps its state in `.emulator-data/` (where the app is started): accounts signed up
 *   survive a restart, and the demo seed applies only to an empty folder. `--fresh` (`npm start --
 *   --fresh`) or `EXAMPLE_FRESH=1` deletes that folder first.
 *   Once the port is known, the demo pool gets its hosted UI (callback URLs on this app's origins),
 *   a federated identity provider (a second pool, with erin) and a machine-to-machine client
 *   (`hosted-demo.ts`).
 *   The e-mails the emulator "sends" (sign-up, reset and verification codes) are printed here, in
 *   the terminal: it is the only mailbox a local pool has.
 *   The pool's CUSTOM_AUTH triggers (`custom-challenge.ts`) run in this process too: the login page's
 *   "Sign in with a security check".
 *   The demo pool offers passwordless sign-in (USER_AUTH: e-mailed and texted codes, passkeys of the
 *   relying party `localhost`), set up at each start by `passwordless-demo.ts`: "Sign in without a
 *   password", and passkeys on the Security page (open the app at http://localhost:PORT for them).
 * - With `COGNITO_USER_POOL_ID` and `COGNITO_CLIENT_ID` (and `COGNITO_CLIENT_SECRET`, `AWS_REGION`
 *   when needed): the same app against that real user pool; the package reads those variables.
 *   `SECURITY_CHECK=1` offers the security check there (deploy the triggers first), `PASSWORDLESS=1`
 *   the passwordless sign-in and passkeys (the pool's sign-in policy, WebAuthnConfiguration and the
 *   client's ALLOW_USER_AUTH first).
 *
 * `PORT` (default 3000) and `HOST` (default 127.0.0.1; `0.0.0.0` to listen on every interface) say
 * where to listen. `SESSION_SECRET` signs the session cookie; without it a random secret is made at
 * each start, so sessions do not survive a restart. `SECURE_COOKIES=true` when served over HTTPS
 * (behind a proxy: also `TRUST_PROXY=1`). Ctrl-C (SIGINT) or SIGTERM stops it cleanly.
 */
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import QRCode from 'qrcode';
import { otpauthUri, type CognitoOptions } from 'express-cognito';
import {
  DEMO_CLIENT_ID, DEMO_POOL_ID_SUFFIX, DEMO_SEED, DEMO_TOTP_SECRET, startEmulator, type Emulator, type OutboxMessage,
} from 'express-cognito/emulator';
import { createApp, type ExampleAppConfig } from './app';
import { SECURITY_CHECK_TRIGGERS } from './custom-challenge';
import { DEMO_API_SCOPE, DEMO_IDP_NAME, DEMO_IDP_USER, setUpHostedDemo, type HostedDemo } from './hosted-demo';
import { DEMO_SMS_USER, PASSKEY_RP_ID, setUpPasswordlessDemo } from './passwordless-demo';

const APP_NAME = 'express-cognito demo';
/** The embedded emulator's data folder, relative to where the app is started (the repository root for `npm start`). */
const DATA_DIR = '.emulator-data';
const fresh = process.argv.includes('--fresh') || process.env.EXAMPLE_FRESH === '1';

const DEMO_USERS = [
  { username: 'alice', password: 'Passw0rd!', note: 'in group admin; without a password: a code by e-mail' },
  { username: 'bob', password: 'Passw0rd!', note: 'asks for an authenticator (TOTP) code' },
  { username: 'carol', password: 'Temp0rary!', note: 'temporary password: sets a new one' },
  { username: DEMO_SMS_USER.username, password: DEMO_SMS_USER.password, note: 'without a password: a code by e-mail or by text message' },
  { username: DEMO_IDP_USER.username, password: DEMO_IDP_USER.password, note: `at ${DEMO_IDP_NAME}: use "Sign in with ${DEMO_IDP_NAME}"` },
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
  let hostedDemo: HostedDemo | undefined;
  let webClientId = '';

  // Listening first: the hosted UI's callback URLs name the port, which PORT=0 leaves to the system.
  // Requests that arrive before the app is ready are told to come back.
  let handler: RequestListener | undefined;
  const server: Server = createServer((req, res) => {
    if (handler) return handler(req, res);
    res.writeHead(503, { 'retry-after': '1', 'content-type': 'text/plain' }).end('Starting, try again in a moment.');
  });
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
    server.listen(listenPort, host);
  });
  const address = server.address() as AddressInfo;
  const shownHost = host === '0.0.0.0' || host === '::' ? 'localhost' : host.includes(':') ? `[${host}]` : host;
  const url = `http://${shownHost}:${address.port}`;

  try {
    if (embedded) {
      // The pool lives in DATA_DIR: accounts signed up survive a restart. --fresh / EXAMPLE_FRESH=1 starts over.
      if (fresh) await rm(DATA_DIR, { recursive: true, force: true });
      // The security check's DefineAuthChallenge / CreateAuthChallenge / VerifyAuthChallengeResponse, run in process.
      emulator = await startEmulator({ port: 0, host: '127.0.0.1', onMessage: printMessage, dataDir: DATA_DIR, triggers: SECURITY_CHECK_TRIGGERS });
      if (!emulator.restored) await emulator.seed(DEMO_SEED);
      const pool = { poolId: `${emulator.region}_${DEMO_POOL_ID_SUFFIX}` };
      webClientId = DEMO_CLIENT_ID;
      // The emulator checks no signature: placeholder credentials let the app read the pool's password
      // policy (DescribeUserPool), which against real Cognito needs IAM rights the app may not have.
      const sdk = new CognitoIdentityProviderClient({
        region: emulator.region, endpoint: emulator.endpoint, credentials: { accessKeyId: 'emulator', secretAccessKey: 'emulator' },
      });
      cognito = { userPoolId: pool.poolId, clientId: webClientId, endpoint: emulator.endpoint, region: emulator.region, client: sdk };
      // USER_AUTH's first factors, passkeys' relying party, ALLOW_USER_AUTH: also on a data folder from before them.
      await setUpPasswordlessDemo({ sdk, poolId: pool.poolId, clientId: webClientId });
      demo = { users: DEMO_USERS, totpSecret: DEMO_TOTP_SECRET };
      // Both names of this machine, as a browser keeps a session per origin; the API on the address listened on.
      const origins = loopbackOrigins(host, address.port);
      const apiHost = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '[::1]' : shownHost;
      hostedDemo = origins.length === 0 ? undefined : await setUpHostedDemo({
        emulator, sdk, poolId: pool.poolId, clientId: webClientId, origins, apiUrl: `http://${apiHost}:${address.port}/api/orders`,
      });
    }

    handler = createApp({
      appName: APP_NAME,
      cognito,
      sessionSecret: process.env.SESSION_SECRET || randomBytes(32).toString('hex'),
      secureCookies: process.env.SECURE_COOKIES === 'true',
      ...(process.env.TRUST_PROXY ? { trustProxy: process.env.TRUST_PROXY } : {}),
      ...(demo ? { demo } : {}),
      ...(hostedDemo ? { hosted: hostedDemo.hosted } : {}),
      // A real pool offers it once the triggers of custom-challenge.ts are deployed: SECURITY_CHECK=1.
      securityCheck: embedded || process.env.SECURITY_CHECK === '1',
      // A real pool offers it once its sign-in policy, WebAuthnConfiguration and ALLOW_USER_AUTH are set: PASSWORDLESS=1.
      passwordless: embedded || process.env.PASSWORDLESS === '1',
    });
  } catch (err) {
    server.close();
    for (const socket of sockets) socket.destroy();
    await emulator?.stop();
    throw err;
  }

  const lines = [`express-cognito example app: ${url}`, ''];
  if (emulator) {
    lines.push(
      `Embedded Cognito emulator at ${emulator.endpoint} (user pool ${cognito.userPoolId}, no AWS account needed).`,
      emulator.restored
        ? `Its state (users, sign-ups, codes) was restored from ${DATA_DIR}/; \`npm start -- --fresh\` (or EXAMPLE_FRESH=1) starts over.`
        : `Its state is kept in ${DATA_DIR}/ across restarts; \`npm start -- --fresh\` (or EXAMPLE_FRESH=1) starts over.`,
      'Set COGNITO_USER_POOL_ID and COGNITO_CLIENT_ID to use a real user pool instead.',
      '',
      'Demo users:',
      '  alice / Passw0rd!    in group admin',
      '  bob   / Passw0rd!    TOTP MFA: add this secret to an authenticator app:',
      `                       ${DEMO_TOTP_SECRET}`,
      '  carol / Temp0rary!   temporary password: chooses a new one at first login',
      `  ${DEMO_SMS_USER.username}  / ${DEMO_SMS_USER.password}    verified e-mail and phone (${DEMO_SMS_USER.phone}): sign-in codes by e-mail or SMS`,
      '',
      '"Sign in with a security check" (CUSTOM_AUTH): the password, then a sum the pool\'s triggers ask.',
      '"Sign in without a password" (USER_AUTH): alice and dave get their codes in the [outbox] lines below;',
      `  passkeys (Security page) belong to the relying party ${PASSKEY_RP_ID}: open http://localhost:${address.port} for them.`,
      '',
      'Or sign up at /sign-up: the e-mails the emulator sends (with their codes) are printed below as [outbox] lines.',
      '',
    );
    if (hostedDemo) {
      const h = hostedDemo.hosted;
      lines.push(
        `Hosted UI (managed login) of the demo pool: ${hostedDemo.domainUrl}/  ("Sign in with the hosted page")`,
        `  client ${webClientId}: callback URLs ${h.origins.map((o) => `${o}/auth/callback`).join(', ')}`,
        `Federated: identity provider ${h.identityProvider} is the pool "Demo IdP" (${hostedDemo.idpPoolId}, ${hostedDemo.idpDomainUrl}/):`,
        `  ${DEMO_IDP_USER.username} / ${DEMO_IDP_USER.password}    "Sign in with ${h.identityProvider}"; in the demo pool she is ${h.identityProvider}_<her sub>`,
        `Machine to machine: client ${h.m2m.clientId} (client_credentials, scope ${DEMO_API_SCOPE}; its secret stays in this process)`,
        `  calls GET ${h.m2m.apiUrl}: see /m2m once signed in`,
        '',
      );
    } else {
      lines.push(`No hosted UI: HOST=${host} is not a loopback address, and the emulator allows http callback URLs on loopback only.`, '');
    }
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

// The origins a browser may use for this app: the hosted UI's callback URLs (http only on loopback).
function loopbackOrigins(host: string, listenPort: number): string[] {
  if (host === '127.0.0.1' || host === 'localhost' || host === '0.0.0.0') {
    return [`http://localhost:${listenPort}`, `http://127.0.0.1:${listenPort}`];
  }
  if (host === '::1' || host === '::') return [`http://localhost:${listenPort}`, `http://[::1]:${listenPort}`];
  return [];
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
