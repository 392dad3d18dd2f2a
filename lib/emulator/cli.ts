#!/usr/bin/env node
/**
 * `cognito-emulator`: runs the local Cognito user-pool emulator until SIGINT / SIGTERM, seeded
 * from `--seed pool.json` and/or `--demo`, and prints how to point apps and the AWS CLI at it and
 * where its developer page is (pools, users and the outbox's codes, in a browser). With `--data DIR`
 * the state is kept in that folder across restarts, and the seeds apply only while it has none.
 * Client secrets and seed passwords are never printed; only the demo pool's published demo
 * passwords are.
 */
import { readFile } from 'node:fs/promises';
import { CliUsageError, parseCliArgs, USAGE, type CliOptions } from './cli-args';
import { DEMO_SEED, DEMO_TOTP_SECRET } from './demo-seed';
import { DEV_PAGE_PATH } from './dev-page';
import { startEmulator, type Emulator } from './emulator';
import type { EmulatorSeed, SeededPools } from './seed';
import { loadTriggerModule } from './trigger-module';

function describe(emulator: Emulator, seeded: SeededPools, demo: boolean): string[] {
  const lines = [
    `cognito-emulator listening on ${emulator.endpoint}`,
    // Pools, clients, users and the outbox with its codes, in a browser.
    `Developer page: ${emulator.endpoint}${DEV_PAGE_PATH}`,
    '',
  ];
  let first: { poolId: string; clientId?: string } | undefined;
  for (const pool of Object.values(seeded.pools)) {
    lines.push(`User pool "${pool.name}": ${pool.poolId}`);
    lines.push(`  JWKS: ${emulator.issuer(pool.poolId)}/.well-known/jwks.json`);
    const clients = Object.entries(pool.clients);
    for (const [name, client] of clients) {
      lines.push(`  App client "${name}": ${client.clientId}${client.clientSecret ? ' (has a secret: see DescribeUserPoolClient)' : ''}`);
    }
    const users = Object.keys(pool.users);
    if (users.length > 0) lines.push(`  Users: ${users.join(', ')}`);
    first ??= { poolId: pool.poolId, ...(clients[0] ? { clientId: clients[0][1].clientId } : {}) };
  }
  if (demo) {
    lines.push(
      '',
      'Demo users (published demo credentials):',
      '  alice / Passw0rd!   confirmed, group admin',
      `  bob   / Passw0rd!   TOTP MFA; add secret ${DEMO_TOTP_SECRET} to an authenticator app`,
      '  carol / Temp0rary!  temporary password, must set a new one at first sign-in',
      '  dave  / Passw0rd!   verified phone: USER_AUTH sign-in codes by SMS (in the outbox)',
    );
  }
  if (first) {
    const exportLine = [`COGNITO_ENDPOINT=${emulator.endpoint}`, `COGNITO_USER_POOL_ID=${first.poolId}`];
    if (first.clientId) exportLine.push(`COGNITO_CLIENT_ID=${first.clientId}`);
    lines.push('', `export ${exportLine.join(' ')} AWS_REGION=${emulator.region}`);
    lines.push(
      '',
      'AWS CLI example:',
      `  AWS_ACCESS_KEY_ID=x AWS_SECRET_ACCESS_KEY=x aws cognito-idp describe-user-pool --endpoint-url ${emulator.endpoint} ` +
        `--region ${emulator.region} --user-pool-id ${first.poolId}`,
    );
  }
  lines.push('', 'Press Ctrl+C to stop.');
  return lines;
}

function merge(seeded: SeededPools[]): SeededPools {
  return { pools: Object.assign({}, ...seeded.map((s) => s.pools)) as SeededPools['pools'] };
}

async function loadSeed(path: string): Promise<EmulatorSeed> {
  const text = await readFile(path, 'utf8');
  try {
    return JSON.parse(text) as EmulatorSeed;
  } catch {
    throw new Error(`${path} is not valid JSON`);
  }
}

async function run(options: CliOptions): Promise<void> {
  const seed = options.seedFile ? await loadSeed(options.seedFile) : undefined;
  const triggers = options.triggersFile ? await loadTriggerModule(options.triggersFile) : undefined;
  const emulator = await startEmulator({
    ...(triggers !== undefined ? { triggers } : {}),
    port: options.port, host: options.host, region: options.region,
    ...(options.dataDir !== undefined ? { dataDir: options.dataDir } : {}),
    // The emulator's own messages, codes included: they are how a person finishes a flow by hand.
    onMessage: (m) => console.log(`[outbox] ${m.channel} to ${m.destination} (${m.purpose}, ${m.username}): ${m.message.trim()}`),
  });
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    void emulator.stop().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  try {
    const seeded: SeededPools[] = [];
    // A data folder with state wins: seeds only fill an empty one.
    if (options.demo && !emulator.restored) seeded.push(await emulator.seed(DEMO_SEED));
    if (seed && !emulator.restored) seeded.push(await emulator.seed(seed));
    const lines = describe(emulator, merge(seeded), options.demo && !emulator.restored);
    if (triggers !== undefined) lines.splice(3, 0, `Lambda triggers from ${options.triggersFile ?? ''}: ${Object.keys(triggers).join(', ')}`, '');
    if (emulator.restored) {
      lines.splice(3, 0, `State restored from ${options.dataDir ?? ''} (seeds not applied); its pools are on the developer page.`, '');
    }
    console.log(lines.join('\n'));
  } catch (error) {
    await emulator.stop();
    throw error;
  }
}

function main(): void {
  let options: CliOptions;
  try {
    options = parseCliArgs(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof CliUsageError)) throw error;
    console.error(`cognito-emulator: ${error.message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (options.help) {
    console.log(USAGE);
    return;
  }
  run(options).catch((error: unknown) => {
    console.error(`cognito-emulator: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}

main();
