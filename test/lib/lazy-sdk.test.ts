/**
 * `lib/sdk.ts`: `require('express-cognito')` loads no `@aws-sdk/*` (nor `@smithy/*`) module, a bearer
 * guard verifies a token without it, and the first call to Cognito loads it. `@simplewebauthn/*`,
 * which only the emulator uses (lib/emulator/webauthn-library.ts loads it on first use), is loaded
 * at no point.
 *
 * The built package (`dist/index.js`, which `npm test` builds before mocha runs) is required in a
 * child process, so that this test's own module cache, full of the SDK, does not count. The child is
 * started asynchronously: the emulator it calls runs in this process and must keep answering.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { InitiateAuthCommand, type InitiateAuthCommandOutput } from '@aws-sdk/client-cognito-identity-provider';
import { startTestPool, type TestPool } from '../support/pool';

const ROOT = join(__dirname, '..', '..');
const DIST = join(ROOT, 'dist', 'index.js');
const PASSWORD = 'Passw0rd!long';

/** What the child saw after each step. */
interface Phase {
  /** Keys of `require.cache` naming `@aws-sdk` or `@smithy`. */
  sdkModules: string[];
  /** The package's own modules (outside node_modules) that required one of them directly. */
  loadedBy: string[];
  /** Keys of `require.cache` naming `@simplewebauthn`. */
  webAuthnModules: string[];
}

interface ChildReport {
  afterImport: Phase;
  afterVerify: Phase & { status: number; sub?: string };
  afterCognitoCall: Phase & { signedIn: boolean };
  /** After the child required `@simplewebauthn/server` itself: proves the detector sees it. */
  afterWebAuthnRequire: Phase;
}

interface ChildInput {
  dist: string;
  root: string;
  endpoint: string;
  region: string;
  poolId: string;
  clientId: string;
  username: string;
  password: string;
  accessToken: string;
}

// Plain CommonJS, run with `node -e`: nothing of tsx or mocha is loaded in the child.
const CHILD = String.raw`
const http = require('node:http');
const path = require('node:path');
const input = JSON.parse(process.argv[1]);
const SDK = /[\\/]node_modules[\\/]@(aws-sdk|smithy)[\\/]/;
const WEBAUTHN = /[\\/]node_modules[\\/]@simplewebauthn[\\/]/;
function phase() {
  const modules = Object.values(require.cache);
  return {
    sdkModules: modules.map((m) => m.id).filter((id) => SDK.test(id)),
    webAuthnModules: modules.map((m) => m.id).filter((id) => WEBAUTHN.test(id)),
    loadedBy: modules
      .filter((m) => !m.id.includes(path.sep + 'node_modules' + path.sep) && m.children.some((c) => SDK.test(c.id)))
      .map((m) => path.relative(input.root, m.id)),
  };
}
async function main() {
  const pkg = require(input.dist);
  const report = { afterImport: phase() };

  const { poolId: userPoolId, clientId, endpoint, region } = input;
  const guard = pkg.requireCognito({ userPoolId, clientId, endpoint, region });
  const server = http.createServer((req, res) => {
    guard(req, res, (err) => {
      if (err) { res.statusCode = 500; res.end(String(err)); return; }
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ sub: req.cognito && req.cognito.sub }));
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const answer = await fetch('http://127.0.0.1:' + server.address().port + '/api', {
    headers: { authorization: 'Bearer ' + input.accessToken },
  });
  const body = await answer.text();
  server.close();
  let sub;
  try { sub = JSON.parse(body).sub; } catch { sub = undefined; }
  report.afterVerify = { ...phase(), status: answer.status, sub };

  const user = new pkg.Cognito(userPoolId, clientId, { username: input.username, endpoint, region, maxAttempts: 1, env: {} });
  await user.authenticate(input.password);
  report.afterCognitoCall = { ...phase(), signedIn: typeof user.accessToken === 'string' };
  require('@simplewebauthn/server');
  report.afterWebAuthnRequire = phase();
  process.stdout.write(JSON.stringify(report));
}
main().catch((e) => { process.stderr.write(String(e && e.stack || e)); process.exitCode = 1; });
`;

function describePhase(p: Phase): string {
  const loaders = p.loadedBy.length > 0 ? p.loadedBy.join(', ') : 'none of the package\'s own modules';
  return `${p.sdkModules.length} SDK modules loaded (first: ${p.sdkModules[0] ?? '-'}), required by ${loaders}`;
}

describe('lib/sdk: the AWS SDK is loaded on the first Cognito call', function () {
  this.timeout(60_000);
  let pool: TestPool;
  let report: ChildReport;

  before(async function () {
    assert.ok(existsSync(DIST), `${DIST} is missing: run \`npm run build\` first (npm test does)`);
    pool = await startTestPool();
    const username = `lazy${process.pid}`;
    await pool.createUser(username, PASSWORD);
    const out: InitiateAuthCommandOutput = await pool.sdk.send(new InitiateAuthCommand({
      AuthFlow: 'USER_PASSWORD_AUTH',
      ClientId: pool.clientId,
      AuthParameters: { USERNAME: username, PASSWORD },
    }));
    const accessToken = out.AuthenticationResult?.AccessToken;
    assert.ok(accessToken, 'the emulator signed the user in');
    const input: ChildInput = {
      dist: DIST, root: ROOT, endpoint: pool.endpoint, region: pool.region, poolId: pool.poolId, clientId: pool.clientId,
      username, password: PASSWORD, accessToken,
    };
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('COGNITO_') && k !== 'NODE_OPTIONS'));
    const args = ['-e', CHILD, JSON.stringify(input)];
    const { stdout } = await promisify(execFile)(process.execPath, args, { env, cwd: ROOT, timeout: 30_000 });
    report = JSON.parse(stdout) as ChildReport;
  });

  after(async () => {
    await pool?.stop();
  });

  it('require(\'express-cognito\') loads no @aws-sdk or @smithy module', function () {
    assert.equal(report.afterImport.sdkModules.length, 0, describePhase(report.afterImport));
  });

  it('require(\'express-cognito\') loads no @simplewebauthn module, nor does a guard or a Cognito call', function () {
    for (const step of ['afterImport', 'afterVerify', 'afterCognitoCall'] as const) {
      assert.deepEqual(report[step].webAuthnModules, [], `${step}: ${report[step].webAuthnModules.join(', ')}`);
    }
    // The check can fail: once the child requires the library itself, it is seen.
    assert.ok(report.afterWebAuthnRequire.webAuthnModules.length > 0, 'the @simplewebauthn detector saw nothing');
  });

  it('a bearer guard verifies a token without loading the SDK', function () {
    assert.equal(report.afterVerify.status, 200, 'the guard let the token through');
    assert.ok(report.afterVerify.sub, 'req.cognito.sub was set');
    assert.equal(report.afterVerify.sdkModules.length, 0, describePhase(report.afterVerify));
  });

  it('the first call to Cognito loads the SDK', function () {
    assert.equal(report.afterCognitoCall.signedIn, true);
    assert.ok(
      report.afterCognitoCall.sdkModules.some((id) => /[\\/]@aws-sdk[\\/]client-cognito-identity-provider[\\/]/.test(id)),
      describePhase(report.afterCognitoCall),
    );
  });
});
