/**
 * Fixtures for the `Cognito` class tests: a `Cognito` bound to a test pool (same endpoint, the
 * emulator's clock injected, SDK `maxAttempts: 1`), unique usernames, TOTP codes on the emulator
 * clock, and a helper that expects a `CognitoError` code.
 */
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import {
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  type CreateUserPoolClientRequest,
  type DeviceConfigurationType,
} from '@aws-sdk/client-cognito-identity-provider';
import { Cognito, type CognitoUserOptions } from '../../lib/cognito';
import { isCognitoError, type CognitoError } from '../../lib/errors';
import { generateTotp } from '../../lib/totp';
import { TEST_AUTH_FLOWS, type TestPool } from './pool';

let counter = 0;

/** A username no other test of this process uses. */
export function uniqueName(prefix = 'user'): string {
  counter += 1;
  return `${prefix}${process.pid}x${counter}`;
}

/** A password that meets the default policy. */
export const PASSWORD = 'Passw0rd!long';

/** A `Cognito` for `pool`, on the emulator's clock. */
export function cognitoFor(pool: TestPool, options: CognitoUserOptions = {}, clientId = pool.clientId): Cognito {
  return new Cognito(pool.poolId, clientId, {
    endpoint: pool.endpoint,
    region: pool.region,
    clock: () => pool.emulator.clock.now(),
    maxAttempts: 1,
    ...(pool.clientSecret !== undefined && clientId === pool.clientId ? { clientSecret: pool.clientSecret } : {}),
    env: {},
    ...options,
  });
}

/** A new confirmed user and a `Cognito` for them. */
export async function newUser(
  pool: TestPool,
  options: CognitoUserOptions = {},
  userOptions: Parameters<TestPool['createUser']>[2] = {},
): Promise<{ username: string; cognito: Cognito }> {
  const username = uniqueName();
  await pool.createUser(username, PASSWORD, userOptions);
  return { username, cognito: cognitoFor(pool, { username, ...options }) };
}

/** The current TOTP code for `secret` on the emulator clock. */
export function totpNow(pool: TestPool, secret: string): string {
  return generateTotp(secret, pool.emulator.clock.now());
}

/** Moves the emulator clock to the next 30-second TOTP step (codes may not be reused). */
export function nextTotpStep(pool: TestPool): void {
  pool.emulator.clock.advance(30_000);
}

/** Awaits `promise`, expecting a `CognitoError` with `code`; returns it. */
export async function rejectsWithCode(promise: Promise<unknown>, code: string): Promise<CognitoError> {
  let error: unknown;
  try {
    await promise;
  } catch (e) {
    error = e;
  }
  assert.ok(error !== undefined, `expected ${code}, but the call succeeded`);
  assert.ok(isCognitoError(error), `expected a CognitoError ${code}, got ${inspect(error)}`);
  assert.equal(error.code, code, `expected ${code}, got ${error.code}: ${error.message}`);
  return error;
}

/** Awaits `promise`, expecting a TypeError whose message matches `pattern`. */
export async function rejectsWithTypeError(promise: Promise<unknown>, pattern: RegExp): Promise<void> {
  await assert.rejects(promise, (e: unknown) => e instanceof TypeError && pattern.test(e.message));
}

/** Options of {@link extraPool}. */
export interface ExtraPoolOptions {
  mfa?: 'OFF' | 'ON' | 'OPTIONAL';
  deviceConfiguration?: DeviceConfigurationType;
  generateSecret?: boolean;
  clientOptions?: Partial<CreateUserPoolClientRequest>;
}

/**
 * Another pool (and client) in the same emulator, with settings `startTestPool` does not offer
 * (DeviceConfiguration), as a `TestPool` whose `createUser` works on it. Stopping it is a no-op.
 */
export async function extraPool(base: TestPool, options: ExtraPoolOptions = {}): Promise<TestPool> {
  const { UserPool } = await base.sdk.send(new CreateUserPoolCommand({
    PoolName: 'extra',
    MfaConfiguration: options.mfa ?? 'OFF',
    ...(options.deviceConfiguration ? { DeviceConfiguration: options.deviceConfiguration } : {}),
  }));
  const poolId = UserPool!.Id!;
  const { UserPoolClient } = await base.sdk.send(new CreateUserPoolClientCommand({
    UserPoolId: poolId, ClientName: 'extra', GenerateSecret: options.generateSecret ?? false,
    ExplicitAuthFlows: TEST_AUTH_FLOWS as never, ...options.clientOptions,
  }));
  const clientSecret = UserPoolClient!.ClientSecret;
  return {
    ...base,
    poolId,
    clientId: UserPoolClient!.ClientId!,
    ...(clientSecret ? { clientSecret } : { clientSecret: undefined }),
    createUser: async (username, password, opts = {}) => {
      const attributes = Object.entries(opts.attributes ?? {}).map(([Name, Value]) => ({ Name, Value }));
      await base.sdk.send(new AdminCreateUserCommand({
        UserPoolId: poolId, Username: username, TemporaryPassword: password, MessageAction: 'SUPPRESS', UserAttributes: attributes,
      }));
      if (!opts.temporary) {
        await base.sdk.send(
          new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: username, Password: password, Permanent: true }),
        );
      }
    },
    stop: () => Promise.resolve(),
  };
}
