/**
 * Where a pool's triggers come from: LambdaConfig ARNs on CreateUserPool / UpdateUserPool (checked
 * like Cognito's and echoed by DescribeUserPool), a seeded pool's own functions, the emulator-wide
 * ones; the invocation records; and `cognito-emulator --triggers FILE` with ES and CommonJS modules.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  CognitoIdentityProviderClient,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  DescribeUserPoolCommand,
  SignUpCommand,
  UpdateUserPoolCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { startEmulator, type Emulator, type TriggerFunction } from '../../lib/emulator';
import { parseCliArgs } from '../../lib/emulator/cli-args';
import { checkLambdaConfig } from '../../lib/emulator/operations/lambda-config';
import { loadTriggerModule } from '../../lib/emulator/trigger-module';
import { rejects } from './helpers';

const PASSWORD = 'Passw0rd!';
const ARN = (name: string): string => `arn:aws:lambda:us-east-1:000000000000:function:${name}`;
const answer = (autoConfirmUser: boolean): TriggerFunction => (e: object) =>
  ({ ...e, response: { autoConfirmUser, autoVerifyEmail: false, autoVerifyPhone: false } });
const autoConfirm = answer(true);

describe('emulator: trigger configuration', () => {
  let emulator: Emulator;
  let sdk: CognitoIdentityProviderClient;
  before(async () => {
    emulator = await startEmulator({ triggers: { confirmAll: autoConfirm } });
    sdk = new CognitoIdentityProviderClient({
      region: emulator.region, endpoint: emulator.endpoint, credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1,
    });
  });
  after(async () => {
    sdk.destroy();
    await emulator.stop();
  });

  async function poolWith(lambdaConfig: Record<string, unknown> | undefined): Promise<{ poolId: string; clientId: string }> {
    const { UserPool } = await sdk.send(new CreateUserPoolCommand({ PoolName: 'cfg', ...(lambdaConfig ? { LambdaConfig: lambdaConfig } : {}) }));
    const { UserPoolClient } = await sdk.send(new CreateUserPoolClientCommand({ UserPoolId: UserPool!.Id!, ClientName: 'c' }));
    return { poolId: UserPool!.Id!, clientId: UserPoolClient!.ClientId! };
  }
  const signUp = (clientId: string, username: string) =>
    sdk.send(new SignUpCommand({ ClientId: clientId, Username: username, Password: PASSWORD }));

  it('CreateUserPool LambdaConfig: the ARN names a registered function, which then runs for that pool only; DescribeUserPool echoes it', async () => {
    const config = { PreSignUp: ARN('confirmAll'), PreTokenGenerationConfig: { LambdaArn: ARN('confirmAll'), LambdaVersion: 'V2_0' } };
    const withTrigger = await poolWith(config);
    const without = await poolWith(undefined);
    assert.equal((await signUp(withTrigger.clientId, 'ann')).UserConfirmed, true);
    assert.equal((await signUp(without.clientId, 'ann')).UserConfirmed, false);
    const { UserPool } = await sdk.send(new DescribeUserPoolCommand({ UserPoolId: withTrigger.poolId }));
    assert.deepEqual(UserPool?.LambdaConfig, config);
    const call = emulator.triggerInvocations('PreSignUp').at(-1)!;
    assert.equal(call.poolId, withTrigger.poolId);
  });

  it('UpdateUserPool sets and (without LambdaConfig) removes the triggers', async () => {
    const pool = await poolWith(undefined);
    await sdk.send(new UpdateUserPoolCommand({ UserPoolId: pool.poolId, LambdaConfig: { PreSignUp: ARN('confirmAll') } }));
    assert.equal((await signUp(pool.clientId, 'bob')).UserConfirmed, true);
    await sdk.send(new UpdateUserPoolCommand({ UserPoolId: pool.poolId }));
    assert.equal((await signUp(pool.clientId, 'cat')).UserConfirmed, false);
    const { UserPool } = await sdk.send(new DescribeUserPoolCommand({ UserPoolId: pool.poolId }));
    assert.equal(UserPool?.LambdaConfig, undefined);
  });

  it('an ARN that names no registered function: UnexpectedLambdaException when the trigger would run', async () => {
    const pool = await poolWith({ PreSignUp: ARN('missing') });
    await rejects(signUp(pool.clientId, 'dan'), 'UnexpectedLambdaException', /Function not found: arn:aws:lambda:us-east-1:000000000000:function:missing/);
  });

  it('refuses a malformed LambdaConfig as Cognito does', async () => {
    await rejects(poolWith({ PreSignUp: 'not-an-arn' }), 'InvalidParameterException', /lambdaConfig.preSignUp/);
    // The SDK drops members its model lacks, so an unknown one only arrives over raw JSON.
    const raw = await fetch(emulator.endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSCognitoIdentityProviderService.CreateUserPool',
        authorization: 'AWS4-HMAC-SHA256 Credential=x/20260101/us-east-1/cognito-idp/aws4_request, SignedHeaders=host, Signature=x',
      },
      body: JSON.stringify({ PoolName: 'raw', LambdaConfig: { PreSignup: ARN('x') } }),
    });
    assert.equal(raw.status, 400);
    assert.deepEqual(await raw.json(), { __type: 'InvalidParameterException', message: 'Unknown member PreSignup in LambdaConfig.' });
    await rejects(poolWith({ PreTokenGenerationConfig: { LambdaArn: ARN('x'), LambdaVersion: 'V9_0' } }), 'InvalidParameterException', /enum value set/);
    await rejects(poolWith({ PreTokenGenerationConfig: { LambdaArn: ARN('x') } }), 'InvalidParameterException');
    await rejects(
      poolWith({ PreTokenGeneration: ARN('a'), PreTokenGenerationConfig: { LambdaArn: ARN('b'), LambdaVersion: 'V1_0' } }),
      'InvalidParameterException', /must be the same function/,
    );
    assert.throws(() => checkLambdaConfig({ PreTokenGenerationConfig: { LambdaArn: ARN('x'), LambdaVersion: 'V2_0' } }, 'LITE'),
      (e: Error) => e.name === 'FeatureUnavailableInTierException' || (e as { type?: string }).type === 'FeatureUnavailableInTierException');
    assert.deepEqual(checkLambdaConfig({ CustomMessage: `${ARN('x')}:live` }, 'ESSENTIALS'), { CustomMessage: `${ARN('x')}:live` });
  });

  it('a seeded pool\'s own triggers come before LambdaConfig and the emulator-wide ones; bad entries are TypeErrors', async () => {
    const own = answer(false);
    const { pools } = await emulator.seed({ pools: [{
      name: 'own', clients: [{ name: 'web' }], settings: { LambdaConfig: { PreSignUp: ARN('confirmAll') } }, triggers: { PreSignUp: own },
    }] });
    assert.equal((await signUp(pools.own.clients.web.clientId, 'eve')).UserConfirmed, false);
    await assert.rejects(emulator.seed({ pools: [{ name: 'bad', triggers: { PreSignUp: 'nope' as never } }] }), TypeError);
    await assert.rejects(startEmulator({ triggers: { PreSignUp: 42 as never } }), /trigger "PreSignUp" must be a function/);
  });

  it('triggerInvocations(): copies, oldest first, filtered by trigger', () => {
    const all = emulator.triggerInvocations();
    const preSignUp = emulator.triggerInvocations('PreSignUp');
    assert.ok(preSignUp.length >= 3);
    assert.ok(preSignUp.every((i) => i.trigger === 'PreSignUp'));
    assert.ok(all.length >= preSignUp.length);
    assert.ok(preSignUp[0].at <= preSignUp.at(-1)!.at);
    preSignUp[0].event.userName = 'changed';
    assert.notEqual(emulator.triggerInvocations('PreSignUp')[0].event.userName, 'changed');
  });
});

describe('emulator: --triggers FILE', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'cognito-triggers-'));
    writeFileSync(join(dir, 'named.mjs'), [
      'export const PreSignUp = async (event) => {',
      '  event.response.autoConfirmUser = true;',
      '  return event;',
      '};',
      "export const tokens = { version: 'V2_0', handler: (event) => event };",
    ].join('\n'));
    writeFileSync(join(dir, 'default.mjs'), 'export default { PostConfirmation: (event) => event };\n');
    writeFileSync(join(dir, 'common.cjs'), 'module.exports = { PreAuthentication(event) { return event; } };\n');
    writeFileSync(join(dir, 'empty.mjs'), 'export const notATrigger = 1;\n');
    writeFileSync(join(dir, 'seed.json'), JSON.stringify({ pools: [{ name: 'cli', idSuffix: 'TriggerCli', clients: [{ name: 'web', clientId: 'triggerclient0000000000001' }] }] }));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('parses --triggers', () => {
    assert.equal(parseCliArgs(['--triggers', 't.mjs']).triggersFile, 't.mjs');
    assert.equal(parseCliArgs(['--triggers=t.cjs']).triggersFile, 't.cjs');
  });

  it('loads named exports, a default-exported object, and CommonJS exports; refuses a module without functions', async () => {
    const named = await loadTriggerModule(join(dir, 'named.mjs'));
    assert.deepEqual(Object.keys(named).sort(), ['PreSignUp', 'tokens']);
    assert.deepEqual(Object.keys(await loadTriggerModule(join(dir, 'default.mjs'))), ['PostConfirmation']);
    assert.deepEqual(Object.keys(await loadTriggerModule(join(dir, 'common.cjs'))), ['PreAuthentication']);
    await assert.rejects(loadTriggerModule(join(dir, 'empty.mjs')), TypeError);
    await assert.rejects(loadTriggerModule(join(dir, 'absent.mjs')), /could not be loaded/);
  });

  it('the CLI runs the module\'s functions: a PreSignUp export auto-confirms sign-ups', async () => {
    const root = resolve(__dirname, '../..');
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'lib/emulator/cli.ts'), '--port', '0',
      '--seed', join(dir, 'seed.json'), '--triggers', join(dir, 'named.mjs')], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
    try {
      const stdout = await new Promise<string>((ready, fail) => {
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          if (out.includes('Press Ctrl+C to stop.')) ready(out);
        });
        void exited.then(() => fail(new Error(`the CLI exited: ${out}`)));
      });
      assert.match(stdout, /Lambda triggers from .*named\.mjs: PreSignUp, tokens/);
      const endpoint = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)![1];
      const client = new CognitoIdentityProviderClient({ region: 'us-east-1', endpoint, credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1 });
      try {
        const out = await client.send(new SignUpCommand({ ClientId: 'triggerclient0000000000001', Username: 'cli-user', Password: PASSWORD }));
        assert.equal(out.UserConfirmed, true);
      } finally {
        client.destroy();
      }
    } finally {
      child.kill('SIGTERM');
      assert.equal(await exited, 0);
    }
  });
});
