/**
 * The emulator's data folder (`startEmulator({ dataDir })`, `cognito-emulator --data DIR`), through
 * the AWS SDK: a restart keeps users (SRP sign-in), groups, domains, resource servers, devices,
 * refresh tokens, signing keys (old tokens still verify), codes, the lockout count and the outbox;
 * seeds apply only to an empty folder; a process killed while being hammered loses no acknowledged
 * user; a damaged, foreign or other-version file is a clear error naming the file.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  AdminGetUserCommand, AdminListGroupsForUserCommand, CognitoIdentityProviderClient, ConfirmSignUpCommand, CreateResourceServerCommand,
  CreateUserPoolDomainCommand, DescribeIdentityProviderCommand, DescribeResourceServerCommand, DescribeUserPoolCommand,
  DescribeUserPoolDomainCommand, InitiateAuthCommand,
  ListDevicesCommand, ListUserPoolClientsCommand, ListUserPoolsCommand, SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import { DEMO_CLIENT_ID, DEMO_SEED, startEmulator, type Emulator, type EmulatorSeed } from '../../lib/emulator';
import { EmulatorDataError, LOCK_FILE, STATE_FILE } from '../../lib/emulator/persistence';
import { decodeTagged, encodeTagged, type Json } from '../../lib/emulator/tagged-json';
import { setUpHostedDemo, type HostedDemo } from '../../example-app/hosted-demo';
import { rejects, srpLogin } from './helpers';

const ROOT = resolve(__dirname, '../..');
const CLI = join(ROOT, 'lib/emulator/cli.ts');
const PASSWORD = 'Passw0rd!long';
const CLIENT_ID = 'persistclient00000000000001';
const FLOWS = ['ALLOW_USER_SRP_AUTH', 'ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'];

const SEED: EmulatorSeed = {
  pools: [{
    name: 'kept', idSuffix: 'Kept1', groups: ['admin'],
    settings: {
      AutoVerifiedAttributes: ['email'],
      DeviceConfiguration: { ChallengeRequiredOnNewDevice: false, DeviceOnlyRememberedOnUserPrompt: false },
    },
    clients: [{ name: 'web', clientId: CLIENT_ID, explicitAuthFlows: FLOWS }],
    users: [
      { username: 'alice', password: PASSWORD, groups: ['admin'], attributes: { email: 'alice@example.com', email_verified: 'true' } },
      { username: 'carol', password: PASSWORD },
    ],
  }],
};
const POOL_ID = 'us-east-1_Kept1';
const DEMO_POOL = 'us-east-1_DemoPool1';

function sdkFor(endpoint: string): CognitoIdentityProviderClient {
  return new CognitoIdentityProviderClient({ region: 'us-east-1', endpoint, credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1 });
}

async function jwks(emulator: Emulator): Promise<JSONWebKeySet> {
  return (await (await fetch(`${emulator.issuer(POOL_ID)}/.well-known/jwks.json`)).json()) as JSONWebKeySet;
}

describe('emulator: tagged JSON of the data file', () => {
  it('round-trips Map, Set, bigint, keys, bytes, dates, non-finite numbers and objects that have a "$t" member', () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const value = {
      map: new Map<unknown, unknown>([['a', new Set([1n, -255n])], [2, { $t: 'map', v: 'not a tag' }]]),
      key: privateKey, bytes: Buffer.from('hi'), when: new Date(0), nan: Number.NaN, inf: -Infinity, skipped: undefined, fn: () => 1,
    };
    const back = decodeTagged(JSON.parse(JSON.stringify(encodeTagged(value))) as Json) as Record<string, unknown>;
    assert.deepEqual(back.map, value.map);
    assert.equal((back.key as KeyObject).equals(privateKey), true);
    assert.deepEqual([back.bytes, back.when, back.nan, back.inf], [value.bytes, value.when, Number.NaN, -Infinity]);
    assert.ok(!('skipped' in back) && !('fn' in back));
    assert.throws(() => encodeTagged(new (class Thing {})()), /cannot store a Thing/);
    assert.throws(() => decodeTagged({ $t: 'what' }), /unknown tag/);
  });
});

describe('emulator: data folder (dataDir, --data)', function () {
  this.timeout(60_000);
  let dir = '';
  const running: Emulator[] = [];

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cognito-emulator-data-'));
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((e) => e.stop()));
    await rm(dir, { recursive: true, force: true });
  });

  async function start(port = 0, seed: EmulatorSeed | undefined = SEED): Promise<Emulator> {
    const emulator = await startEmulator({ dataDir: dir, port, ...(seed ? { seed } : {}) });
    running.push(emulator);
    return emulator;
  }

  it('a restart keeps users, groups, domains, resource servers, devices, refresh tokens, keys, codes, lockout count and outbox', async () => {
    const first = await start();
    assert.equal(first.restored, false);
    const sdk = sdkFor(first.endpoint);
    const target = { sdk, poolId: POOL_ID, clientId: CLIENT_ID };
    await sdk.send(new CreateUserPoolDomainCommand({ UserPoolId: POOL_ID, Domain: 'kept-domain' }));
    await sdk.send(new CreateResourceServerCommand({ UserPoolId: POOL_ID, Identifier: 'api', Name: 'API', Scopes: [{ ScopeName: 'read', ScopeDescription: 'r' }] }));
    const signIn = (await srpLogin(target, 'alice', PASSWORD)).AuthenticationResult!;
    const deviceKey = signIn.NewDeviceMetadata!.DeviceKey!;
    await sdk.send(new SignUpCommand({ ClientId: CLIENT_ID, Username: 'bob', Password: PASSWORD, UserAttributes: [{ Name: 'email', Value: 'bob@example.com' }] }));
    for (let i = 0; i < 4; i++) {
      await rejects(sdk.send(new InitiateAuthCommand({
        ClientId: CLIENT_ID, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'carol', PASSWORD: 'wrong-Passw0rd!' },
      })), 'NotAuthorizedException');
    }
    const newKid = first.rotateSigningKey(POOL_ID);
    const outboxBefore = first.outbox();
    assert.equal(outboxBefore.length, 1);
    await first.stop();

    const second = await start(first.port);
    assert.equal(second.restored, true);
    const sdk2 = sdkFor(second.endpoint);
    const target2 = { sdk: sdk2, poolId: POOL_ID, clientId: CLIENT_ID };
    // Signing keys: both kept (the rotation was written), and a token signed before the restart verifies.
    const keys = await jwks(second);
    assert.deepEqual(keys.keys.map((k) => k.kid)[0], newKid);
    assert.equal(keys.keys.length, 2);
    await jwtVerify(signIn.IdToken!, createLocalJWKSet(keys), { issuer: second.issuer(POOL_ID), audience: CLIENT_ID });
    // The refresh token, bound to its device.
    const refreshed = await sdk2.send(new InitiateAuthCommand({
      ClientId: CLIENT_ID, AuthFlow: 'REFRESH_TOKEN_AUTH', AuthParameters: { REFRESH_TOKEN: signIn.RefreshToken!, DEVICE_KEY: deviceKey },
    }));
    await jwtVerify(refreshed.AuthenticationResult!.AccessToken!, createLocalJWKSet(keys), { issuer: second.issuer(POOL_ID) });
    // The password verifier: SRP again (a sign-in without a device key gets a second device).
    const again = (await srpLogin(target2, 'alice', PASSWORD)).AuthenticationResult!;
    const devices = await sdk2.send(new ListDevicesCommand({ AccessToken: again.AccessToken! }));
    assert.ok(devices.Devices!.some((d) => d.DeviceKey === deviceKey), 'the device of the first sign-in is kept');
    assert.equal(devices.Devices!.length, 2);
    const groups = await sdk2.send(new AdminListGroupsForUserCommand({ UserPoolId: POOL_ID, Username: 'alice' }));
    assert.deepEqual(groups.Groups!.map((g) => g.GroupName), ['admin']);
    const domain = await sdk2.send(new DescribeUserPoolDomainCommand({ Domain: 'kept-domain' }));
    assert.equal(domain.DomainDescription?.UserPoolId, POOL_ID);
    const server = await sdk2.send(new DescribeResourceServerCommand({ UserPoolId: POOL_ID, Identifier: 'api' }));
    assert.equal(server.ResourceServer?.Scopes?.[0]?.ScopeName, 'read');
    // The outbox, and the code it carries still confirms.
    assert.deepEqual(second.outbox(), outboxBefore);
    const code = second.outbox({ username: 'bob', purpose: 'SIGN_UP' })[0].code!;
    await sdk2.send(new ConfirmSignUpCommand({ ClientId: CLIENT_ID, Username: 'bob', ConfirmationCode: code }));
    assert.equal((await sdk2.send(new AdminGetUserCommand({ UserPoolId: POOL_ID, Username: 'bob' }))).UserStatus, 'CONFIRMED');
    // The lockout count: four wrong passwords before the restart, the fifth after it locks carol out.
    await rejects(sdk2.send(new InitiateAuthCommand({
      ClientId: CLIENT_ID, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'carol', PASSWORD: 'wrong-Passw0rd!' },
    })), 'NotAuthorizedException', 'Incorrect username or password.');
    await rejects(sdk2.send(new InitiateAuthCommand({
      ClientId: CLIENT_ID, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'carol', PASSWORD },
    })), 'NotAuthorizedException', 'Password attempts exceeded');
  });

  it('seeds apply only while the folder has no state; read-only calls do not write', async () => {
    const first = await start();
    await sdkFor(first.endpoint).send(new SignUpCommand({ ClientId: CLIENT_ID, Username: 'dave', Password: PASSWORD }));
    await first.stop();
    const second = await start();
    assert.equal(second.restored, true, 'the same seed again is not a duplicate-pool error');
    const file = join(dir, STATE_FILE);
    const before = await stat(file);
    const sdk = sdkFor(second.endpoint);
    await sdk.send(new DescribeUserPoolCommand({ UserPoolId: POOL_ID }));
    await sdk.send(new AdminGetUserCommand({ UserPoolId: POOL_ID, Username: 'dave' }));
    assert.equal((await stat(file)).ino, before.ino, 'no write after read-only operations');
    await rejects(sdk.send(new SignUpCommand({ ClientId: CLIENT_ID, Username: 'dave', Password: PASSWORD })), 'UsernameExistsException');
    const doc = JSON.parse(await readFile(file, 'utf8')) as { format: string; version: number };
    assert.equal(doc.version, 1);
    assert.ok(!(await readFile(file, 'utf8')).includes(PASSWORD), 'no password in the file');
  });

  it('a damaged file, another program\'s JSON or another version is an error naming the file; a bad "dataDir" a TypeError', async () => {
    const file = join(dir, STATE_FILE);
    const cases: Array<[string, RegExp]> = [
      ['{"format":"express-cognito-emulator-state","version":1,"region":"us-east-1","sto', /is not valid JSON/],
      ['{"name":"my-app","version":"1.0.0"}', /is not a data file of the Cognito emulator/],
      ['{"format":"express-cognito-emulator-state","version":99,"region":"us-east-1","store":{}}', /has format version 99; this emulator reads version 1/],
      ['{"format":"express-cognito-emulator-state","version":1,"region":"us-east-1","store":{"pools":{"$t":"nope"}}}', /is damaged/],
      ['', /is not valid JSON/],
    ];
    for (const [text, pattern] of cases) {
      await writeFile(file, text);
      await assert.rejects(startEmulator({ dataDir: dir }), (error: Error) => {
        assert.match(error.message, pattern);
        assert.ok(error.message.includes(file), error.message);
        return true;
      });
      assert.equal(await readFile(file, 'utf8'), text, 'the file is left as it was');
    }
    for (const bad of [42, '', '   ', file] as unknown[]) {
      await assert.rejects(startEmulator({ dataDir: bad as string }), TypeError);
    }
    const cli = spawn(process.execPath, ['--import', 'tsx', CLI, '--port', '0', '--data', dir], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    cli.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((done) => cli.on('exit', (c) => done(c)));
    assert.equal(code, 1);
    assert.ok(stderr.includes(file) && /is damaged/.test(stderr), stderr);
  });

  it('the example app\'s setUpHostedDemo runs again on restored state: it finds what it made, and signed-up users stay', async () => {
    const setUp = async (emulator: Emulator): Promise<HostedDemo> => setUpHostedDemo({
      emulator, sdk: sdkFor(emulator.endpoint), poolId: DEMO_POOL, clientId: DEMO_CLIENT_ID,
      origins: ['http://localhost:3999'], apiUrl: 'http://localhost:3999/api/orders',
    });
    const first = await start(0, DEMO_SEED);
    const demo = await setUp(first);
    await sdkFor(first.endpoint).send(new SignUpCommand({ ClientId: DEMO_CLIENT_ID, Username: 'frank', Password: PASSWORD }));
    await first.stop();
    const second = await start(0, DEMO_SEED);
    assert.equal(second.restored, true);
    const again = await setUp(second);
    assert.equal(again.hosted.m2m.clientId, demo.hosted.m2m.clientId);
    assert.equal(again.idpPoolId, demo.idpPoolId);
    const sdk = sdkFor(second.endpoint);
    assert.equal((await sdk.send(new ListUserPoolsCommand({ MaxResults: 60 }))).UserPools!.length, 2);
    assert.equal((await sdk.send(new ListUserPoolClientsCommand({ UserPoolId: DEMO_POOL, MaxResults: 60 }))).UserPoolClients!.length, 2);
    const idp = await sdk.send(new DescribeIdentityProviderCommand({ UserPoolId: DEMO_POOL, ProviderName: 'DemoIdP' }));
    assert.equal(idp.IdentityProvider!.ProviderDetails!.oidc_issuer, second.issuer(demo.idpPoolId), 'the issuer names this start\'s port');
    assert.equal((await sdk.send(new AdminGetUserCommand({ UserPoolId: DEMO_POOL, Username: 'frank' }))).Username, 'frank');
  });

  it('one emulator per data folder: a second one is refused naming the lock; stop, a failed start or a dead owner frees it', async () => {
    const lock = join(dir, LOCK_FILE);
    const first = await start();
    assert.equal(await readFile(lock, 'utf8'), `${process.pid}\n`);
    const refused = await startEmulator({ dataDir: dir }).then(() => undefined, (e: unknown) => e);
    assert.ok(refused instanceof EmulatorDataError, 'a second emulator on the folder is refused');
    assert.equal(refused.file, lock);
    assert.match(refused.message, new RegExp(`in use by another emulator \\(process ${process.pid}, this one\\)`));
    // The refused start changed nothing: the first still answers, and still holds the folder.
    assert.ok((await sdkFor(first.endpoint).send(new ListUserPoolsCommand({ MaxResults: 10 }))).UserPools?.length);
    await first.stop();
    running.splice(running.indexOf(first), 1);
    await assert.rejects(stat(lock), (e: NodeJS.ErrnoException) => e.code === 'ENOENT');

    // A failed start (its port taken) does not keep the folder.
    const blocker = await startEmulator();
    try {
      await assert.rejects(startEmulator({ dataDir: dir, port: blocker.port }), (e: NodeJS.ErrnoException) => e.code === 'EADDRINUSE');
      await assert.rejects(stat(lock), (e: NodeJS.ErrnoException) => e.code === 'ENOENT');
    } finally {
      await blocker.stop();
    }

    // A lock left by a process that died (and one that is not a pid at all) is taken over.
    const gone = spawn(process.execPath, ['-e', '']);
    await new Promise((resolve) => gone.once('exit', resolve));
    for (const stale of [`${gone.pid}\n`, 'not a pid\n']) {
      await writeFile(lock, stale);
      const next = await start();
      assert.equal(await readFile(lock, 'utf8'), `${process.pid}\n`);
      await next.stop();
      running.splice(running.indexOf(next), 1);
    }
  });

  it('cognito-emulator --data: killed (SIGKILL) while answering SignUp calls, it restarts with every acknowledged user', async () => {
    const seedFile = join(dir, 'seed.json');
    const data = join(dir, 'data');
    await writeFile(seedFile, JSON.stringify({ pools: [{ name: 'kept', idSuffix: 'Kept1', clients: [{ name: 'web', clientId: CLIENT_ID }] }] }));
    const runCli = (): Promise<{ child: ChildProcess; endpoint: string; exit: Promise<unknown> }> => {
      const child = spawn(process.execPath, ['--import', 'tsx', CLI, '--port', '0', '--data', data, '--seed', seedFile],
        { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
      const exit = new Promise((done) => child.on('exit', done));
      return new Promise((ready, fail) => {
        let stdout = '';
        child.stdout.on('data', (chunk: Buffer) => {
          stdout += chunk.toString();
          const endpoint = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)?.[1];
          if (endpoint && stdout.includes('Press Ctrl+C to stop.')) ready({ child, endpoint, exit });
        });
        void exit.then(() => fail(new Error(`the CLI exited: ${stdout}`)));
      });
    };
    const first = await runCli();
    const sdk = sdkFor(first.endpoint);
    const acknowledged: string[] = [];
    let next = 0;
    let killed = false;
    // Eight calls in flight at all times; the kill comes right as the 40th is acknowledged, with others mid-write.
    await new Promise<void>((done) => {
      const worker = async (): Promise<void> => {
        while (!killed) {
          const username = `user${next++}`;
          try {
            await sdk.send(new SignUpCommand({ ClientId: CLIENT_ID, Username: username, Password: PASSWORD }));
            acknowledged.push(username);
            if (acknowledged.length === 40 && !killed) {
              killed = true;
              first.child.kill('SIGKILL');
              done();
            }
          } catch {
            if (killed) return;
          }
        }
      };
      for (let i = 0; i < 8; i++) void worker();
    });
    await first.exit;
    const text = await readFile(join(data, STATE_FILE), 'utf8');
    assert.equal((JSON.parse(text) as { version: number }).version, 1);
    const second = await runCli();
    try {
      const sdk2 = sdkFor(second.endpoint);
      for (const username of acknowledged) {
        const user = await sdk2.send(new AdminGetUserCommand({ UserPoolId: POOL_ID, Username: username }));
        assert.equal(user.Username, username);
      }
    } finally {
      second.child.kill('SIGTERM');
      await second.exit;
    }
  });
});
