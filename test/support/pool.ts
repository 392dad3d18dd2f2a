/**
 * Test fixture: a fresh emulator with one user pool and one app client, an AWS SDK client wired
 * to it, and a helper to create users.
 *
 * One emulator per test file is plenty (pool creation generates an RSA key, ~0.1 s): start it in
 * `before` and stop it in `after`. Tests that need another pool shape call `startTestPool` again
 * (or `pool.emulator.seed(...)`) rather than sharing state across files.
 *
 * @example
 * let pool: TestPool;
 * before(async () => { pool = await startTestPool({ mfa: 'OPTIONAL' }); });
 * after(() => pool.stop());
 * it('logs in', async () => {
 *   await pool.createUser('alice', 'Passw0rd!');
 *   // pool.sdk.send(new InitiateAuthCommand({ ClientId: pool.clientId, ... }))
 * });
 */
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
  CreateGroupCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  type CreateUserPoolClientRequest,
  type CreateUserPoolRequest,
} from '@aws-sdk/client-cognito-identity-provider';
import { startEmulator, type Emulator, type EmulatorOptions } from '../../lib/emulator';

/** Options of {@link startTestPool}. */
export interface TestPoolOptions {
  /** Pool MfaConfiguration; default 'OFF'. */
  mfa?: 'OFF' | 'ON' | 'OPTIONAL';
  /** Give the app client a secret; default false. */
  generateSecret?: boolean;
  /**
   * Client ExplicitAuthFlows; default SRP, USER_PASSWORD, ADMIN_USER_PASSWORD and REFRESH.
   */
  explicitAuthFlows?: string[];
  /** e.g. ['email']: users sign in with their e-mail, the internal username is the sub. */
  usernameAttributes?: string[];
  /** e.g. ['email']: a verified e-mail works as a sign-in alias. */
  aliasAttributes?: string[];
  /** Access (and ID) token lifetime in minutes; default 60. */
  accessTokenValidityMinutes?: number;
  /** Any other CreateUserPoolClient members (override the above). */
  clientOptions?: Partial<CreateUserPoolClientRequest>;
  /** Any other CreateUserPool members (override the above), e.g. `{ AutoVerifiedAttributes: ['email'] }`. */
  poolOptions?: Partial<CreateUserPoolRequest>;
  /** Options of the emulator itself, e.g. `{ triggers, triggerTimeoutMs: 50 }`. */
  emulatorOptions?: EmulatorOptions;
}

/** Options of {@link TestPool.createUser}. */
export interface CreateTestUserOptions {
  /** Leave the password temporary (FORCE_CHANGE_PASSWORD); default false (CONFIRMED). */
  temporary?: boolean;
  /** Groups to add the user to (created when missing). */
  groups?: string[];
  /** User attributes, e.g. `{ email: 'a@example.com', email_verified: 'true' }`. */
  attributes?: Record<string, string>;
}

/** A running emulator with one pool and client. */
export interface TestPool {
  emulator: Emulator;
  endpoint: string;
  region: string;
  poolId: string;
  clientId: string;
  clientSecret?: string;
  /** SDK client with dummy credentials and `maxAttempts: 1` (faults surface at once). */
  sdk: CognitoIdentityProviderClient;
  /** Creates a user (CONFIRMED unless `temporary`). */
  createUser(username: string, password: string, opts?: CreateTestUserOptions): Promise<void>;
  /** Stops the emulator. */
  stop(): Promise<void>;
}

/** Default flows of the test client: everything the package uses. */
export const TEST_AUTH_FLOWS = [
  'ALLOW_USER_SRP_AUTH',
  'ALLOW_USER_PASSWORD_AUTH',
  'ALLOW_ADMIN_USER_PASSWORD_AUTH',
  'ALLOW_REFRESH_TOKEN_AUTH',
];

/** Starts an emulator with one pool and one app client. */
export async function startTestPool(options: TestPoolOptions = {}): Promise<TestPool> {
  const emulator = await startEmulator(options.emulatorOptions);
  const sdk = new CognitoIdentityProviderClient({
    region: emulator.region,
    endpoint: emulator.endpoint,
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    maxAttempts: 1,
  });
  try {
    const { UserPool } = await sdk.send(
      new CreateUserPoolCommand({
        PoolName: 'test',
        MfaConfiguration: options.mfa ?? 'OFF',
        ...(options.usernameAttributes ? { UsernameAttributes: options.usernameAttributes as never } : {}),
        ...(options.aliasAttributes ? { AliasAttributes: options.aliasAttributes as never } : {}),
        ...options.poolOptions,
      }),
    );
    const poolId = UserPool!.Id!;
    const minutes = options.accessTokenValidityMinutes;
    const { UserPoolClient } = await sdk.send(
      new CreateUserPoolClientCommand({
        UserPoolId: poolId,
        ClientName: 'test-client',
        GenerateSecret: options.generateSecret ?? false,
        ExplicitAuthFlows: (options.explicitAuthFlows ?? TEST_AUTH_FLOWS) as never,
        ...(minutes !== undefined
          ? { AccessTokenValidity: minutes, IdTokenValidity: minutes, TokenValidityUnits: { AccessToken: 'minutes', IdToken: 'minutes' } }
          : {}),
        ...options.clientOptions,
      }),
    );
    const clientId = UserPoolClient!.ClientId!;

    const createUser = async (username: string, password: string, opts: CreateTestUserOptions = {}): Promise<void> => {
      const attributes = Object.entries(opts.attributes ?? {}).map(([Name, Value]) => ({ Name, Value }));
      await sdk.send(
        new AdminCreateUserCommand({
          UserPoolId: poolId,
          Username: username,
          TemporaryPassword: password,
          MessageAction: 'SUPPRESS',
          UserAttributes: attributes,
        }),
      );
      if (!opts.temporary) {
        await sdk.send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: username, Password: password, Permanent: true }));
      }
      for (const group of opts.groups ?? []) {
        try {
          await sdk.send(new CreateGroupCommand({ UserPoolId: poolId, GroupName: group }));
        } catch (error) {
          if ((error as Error).name !== 'GroupExistsException') throw error;
        }
        await sdk.send(new AdminAddUserToGroupCommand({ UserPoolId: poolId, Username: username, GroupName: group }));
      }
    };

    return {
      emulator,
      endpoint: emulator.endpoint,
      region: emulator.region,
      poolId,
      clientId,
      ...(UserPoolClient!.ClientSecret ? { clientSecret: UserPoolClient!.ClientSecret } : {}),
      sdk,
      createUser,
      stop: async () => {
        sdk.destroy();
        await emulator.stop();
      },
    };
  } catch (error) {
    sdk.destroy();
    await emulator.stop();
    throw error;
  }
}
