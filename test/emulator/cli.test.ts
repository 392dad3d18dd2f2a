/**
 * The `cognito-emulator` CLI, spawned through tsx: it prints the endpoint, the developer page's URL
 * and ids, serves the demo pool, stops cleanly on SIGTERM, never prints seed passwords or client
 * secrets, and answers bad flags with the usage and exit code 2.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CognitoIdentityProviderClient, InitiateAuthCommand, SignUpCommand } from '@aws-sdk/client-cognito-identity-provider';
import { parseCliArgs, CliUsageError } from '../../lib/emulator/cli-args';

const ROOT = resolve(__dirname, '../..');
const CLI = join(ROOT, 'lib/emulator/cli.ts');

interface Running {
  child: ChildProcess;
  stdout: string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
}

/** Spawns the CLI and resolves once it printed its banner (or exited). */
function runCli(args: string[]): Promise<Running> {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((done) =>
    child.on('exit', (code, signal) => done({ code, signal, stderr })),
  );
  return new Promise((ready) => {
    const running = (): Running => ({ child, stdout, exit });
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.includes('Press Ctrl+C to stop.')) ready(running());
    });
    void exit.then(() => ready(running()));
  });
}

describe('emulator: cognito-emulator CLI', () => {
  it('--port 0 --demo: prints endpoint, developer page, ids, demo users and export line; serves; stops on SIGTERM', async () => {
    const cli = await runCli(['--port', '0', '--demo']);
    const endpoint = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(cli.stdout)?.[1];
    assert.ok(endpoint, cli.stdout);
    assert.match(cli.stdout, /COGNITO_USER_POOL_ID=us-east-1_DemoPool1/);
    const clientId = /COGNITO_CLIENT_ID=(\w+)/.exec(cli.stdout)![1];
    assert.ok(cli.stdout.includes(`export COGNITO_ENDPOINT=${endpoint} `));
    assert.match(cli.stdout, /JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP/);
    assert.match(cli.stdout, /aws cognito-idp /);
    assert.ok(cli.stdout.includes(`\nDeveloper page: ${endpoint}/\n`), cli.stdout);
    const devPage = await fetch(`${endpoint}/`);
    assert.equal(devPage.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.match(await devPage.text(), /<code>democlient0000000000000001<\/code>/);
    const sdk = new CognitoIdentityProviderClient({ region: 'us-east-1', endpoint, credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1 });
    try {
      const out = await sdk.send(
        new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'alice', PASSWORD: 'Passw0rd!' } }),
      );
      assert.ok(out.AuthenticationResult?.AccessToken);
    } finally {
      sdk.destroy();
    }
    cli.child.kill('SIGTERM');
    const { code } = await cli.exit;
    assert.equal(code, 0);
  });

  it('prints each message as it is sent, so a person can read a code', async () => {
    const cli = await runCli(['--port', '0', '--demo']);
    const endpoint = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(cli.stdout)![1];
    const clientId = /COGNITO_CLIENT_ID=(\w+)/.exec(cli.stdout)![1];
    const printed = new Promise<string>((done) => {
      let out = '';
      cli.child.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const line = /^\[outbox\] .*$/m.exec(out);
        if (line) done(line[0]);
      });
    });
    const sdk = new CognitoIdentityProviderClient({ region: 'us-east-1', endpoint, credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1 });
    try {
      await sdk.send(new SignUpCommand({
        ClientId: clientId, Username: 'dora', Password: 'Passw0rd!-long', UserAttributes: [{ Name: 'email', Value: 'dora@example.com' }],
      }));
      const line = await printed;
      assert.match(line, /^\[outbox\] EMAIL to dora@example\.com \(SIGN_UP, dora\): .*\d{6}/);
      assert.ok(!line.includes('Passw0rd!-long'), 'never the password');
    } finally {
      sdk.destroy();
      cli.child.kill('SIGTERM');
      await cli.exit;
    }
  });

  it('--seed FILE: lists the seeded pool without printing passwords or client secrets', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cognito-emulator-'));
    try {
      const file = join(dir, 'seed.json');
      writeFileSync(
        file,
        JSON.stringify({
          pools: [{ name: 'mine', clients: [{ name: 'api', generateSecret: true, clientSecret: 'seedclientsecretvalue0000000000000000000000000000' }], users: [{ username: 'zed', password: 'S3cretSeedPass!' }] }],
        }),
      );
      const cli = await runCli(['--port=0', `--seed=${file}`]);
      assert.match(cli.stdout, /User pool "mine": us-east-1_\w+/);
      assert.match(cli.stdout, /Users: zed/);
      assert.ok(!cli.stdout.includes('S3cretSeedPass!'));
      assert.ok(!cli.stdout.includes('seedclientsecretvalue'));
      cli.child.kill('SIGINT');
      assert.equal((await cli.exit).code, 0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('bad flags print the usage on stderr and exit 2; a missing seed file exits 1', async () => {
    const [result, missing] = await Promise.all([
      runCli(['--bogus']).then((cli) => cli.exit),
      runCli(['--port', '0', '--seed', '/nonexistent/seed.json']).then((cli) => cli.exit),
    ]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /unknown argument "--bogus"/);
    assert.match(result.stderr, /Usage: cognito-emulator/);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /cognito-emulator: /);
  });

  describe('parseCliArgs', () => {
    it('reads flags in both forms, with defaults', () => {
      assert.deepEqual(parseCliArgs([]), { port: 9229, host: '127.0.0.1', region: 'us-east-1', demo: false, help: false });
      assert.deepEqual(parseCliArgs(['--port', '0', '--host=::1', '--region', 'eu-west-1', '--seed', 'a.json', '--demo']), {
        port: 0, host: '::1', region: 'eu-west-1', seedFile: 'a.json', demo: true, help: false,
      });
      assert.equal(parseCliArgs(['--help']).help, true);
    });

    it('refuses unknown flags, missing values and bad ports', () => {
      for (const argv of [['--nope'], ['--port'], ['--port', 'abc'], ['--port', '70000'], ['--seed', '--demo'], ['--region', 'mars'], ['--demo=yes']]) {
        assert.throws(() => parseCliArgs(argv), CliUsageError, argv.join(' '));
      }
    });
  });
});
