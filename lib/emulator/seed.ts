/**
 * Seeding: pools, app clients, groups and users from a JSON-able spec (the CLI's `--seed` file),
 * through the same code paths as the API operations. Seeds may also set what the API cannot set
 * directly: fixed ids, permanent passwords, a user's TOTP secret and MFA preference.
 */
import { base32Decode } from '../totp';
import type { EmulatorContext } from './context';
import { addToGroup, createUser } from './operations/admin-users';
import { createGroup, createUserPool, createUserPoolClient } from './operations/control-plane';
import { operations } from './operations/registry';
import type { MfaConfiguration, MfaType, UserStatus } from './store';
import { checkTriggerValue, type EmulatorTriggers } from './triggers';

/** A user in a seed. */
export interface SeedUser {
  /** The username (an e-mail address in pools whose `usernameAttributes` include `email`). */
  username: string;
  /** A permanent password: the user is CONFIRMED. */
  password?: string;
  /** A temporary password: the user is FORCE_CHANGE_PASSWORD. */
  temporaryPassword?: string;
  /** Attributes such as `email`, `email_verified: 'true'`, `phone_number`. */
  attributes?: Record<string, string>;
  groups?: string[];
  /** Default true. */
  enabled?: boolean;
  /** Overrides the status implied by the password fields (e.g. `UNCONFIRMED`, `RESET_REQUIRED`). */
  status?: UserStatus;
  /** A base32 TOTP secret, taken as verified. */
  totpSecret?: string;
  /** MFA settings; enabling TOTP needs `totpSecret`, enabling SMS needs `phone_number`, e-mail (email MFA) `email`. */
  mfa?: { totp?: boolean; sms?: boolean; email?: boolean; preferred?: MfaType };
}

/** An app client in a seed. */
export interface SeedClient {
  name: string;
  /** A fixed client id (26 lower-case alphanumerics recommended); random when absent. */
  clientId?: string;
  generateSecret?: boolean;
  /** A fixed secret (with `generateSecret`); random when absent. */
  clientSecret?: string;
  explicitAuthFlows?: string[];
  preventUserExistenceErrors?: 'ENABLED' | 'LEGACY';
  enableTokenRevocation?: boolean;
  /** Any other CreateUserPoolClient members, e.g. `{ AccessTokenValidity: 5, TokenValidityUnits: { AccessToken: 'minutes' } }`. */
  settings?: Record<string, unknown>;
}

/** A pool in a seed. */
export interface SeedPool {
  name: string;
  /** Fixed part after `<region>_` of the pool id (alphanumerics); random when absent. */
  idSuffix?: string;
  mfa?: MfaConfiguration;
  passwordPolicy?: Record<string, unknown>;
  /** `Policies.SignInPolicy.AllowedFirstAuthFactors` (USER_AUTH), e.g. `['PASSWORD', 'EMAIL_OTP']`; default `['PASSWORD']`. */
  allowedFirstAuthFactors?: string[];
  usernameAttributes?: string[];
  aliasAttributes?: string[];
  /** Any other CreateUserPool members. */
  settings?: Record<string, unknown>;
  /** A prefix domain for the hosted UI (CreateUserPoolDomain), served at `<endpoint>/domain/<domain>`. */
  domain?: string;
  /** Resource servers and their custom scopes (CreateResourceServer), made before the clients that allow them. */
  resourceServers?: Array<{ identifier: string; name: string; scopes?: Array<{ name: string; description: string }> }>;
  /** Federated identity providers (CreateIdentityProvider), made before the clients that support them. */
  identityProviders?: Array<{
    name: string;
    type: string;
    details: Record<string, string>;
    attributeMapping?: Record<string, string>;
    identifiers?: string[];
  }>;
  clients?: SeedClient[];
  groups?: Array<string | { name: string; description?: string; precedence?: number }>;
  users?: SeedUser[];
  /**
   * This pool's own Lambda triggers (in-process functions, by trigger name), ahead of its
   * `LambdaConfig` and of `startEmulator({ triggers })`. Seed users are created without them.
   */
  triggers?: EmulatorTriggers;
}

/** What {@link applySeed} creates. */
export interface EmulatorSeed {
  pools: SeedPool[];
}

/** A seeded pool, keyed by names from the spec. */
export interface SeededPool {
  poolId: string;
  name: string;
  clients: Record<string, { clientId: string; clientSecret?: string }>;
  /** Spec username → internal username and sub. */
  users: Record<string, { username: string; sub: string }>;
}

/** What a seed created, by pool name. */
export interface SeededPools {
  pools: Record<string, SeededPool>;
}

function checkSpec(spec: EmulatorSeed): void {
  if (typeof spec !== 'object' || spec === null || !Array.isArray(spec.pools)) {
    throw new TypeError('a seed must be an object with a "pools" array');
  }
  for (const pool of spec.pools) {
    if (typeof pool?.name !== 'string' || pool.name === '') throw new TypeError('every seeded pool needs a "name"');
    if (pool.idSuffix !== undefined && !/^[A-Za-z0-9]{1,55}$/.test(pool.idSuffix)) {
      throw new TypeError(`"idSuffix" of pool ${pool.name} must be 1-55 alphanumerics`);
    }
    if (pool.triggers !== undefined) {
      if (typeof pool.triggers !== 'object' || pool.triggers === null) throw new TypeError(`"triggers" of pool ${pool.name} must be an object`);
      for (const [name, value] of Object.entries(pool.triggers)) if (value !== undefined) checkTriggerValue(`${pool.name}.${name}`, value);
    }
    for (const user of pool.users ?? []) {
      if (typeof user?.username !== 'string') throw new TypeError(`every user of pool ${pool.name} needs a "username"`);
      if (user.totpSecret !== undefined) base32Decode(user.totpSecret);
      if (user.mfa?.totp && !user.totpSecret) throw new TypeError(`user ${user.username}: "mfa.totp" needs "totpSecret"`);
      if (user.mfa?.email && !user.attributes?.email) throw new TypeError(`user ${user.username}: "mfa.email" needs an "email" attribute`);
    }
  }
}

/**
 * Creates everything in `spec`. Cognito errors (a password against the policy, a duplicate
 * user…) are thrown as `WireError`; malformed specs as `TypeError`.
 *
 * @example
 * await applySeed(ctx, { pools: [{ name: 'test', clients: [{ name: 'web' }], users: [{ username: 'a', password: 'Passw0rd!' }] }] });
 */
export async function applySeed(ctx: EmulatorContext, spec: EmulatorSeed): Promise<SeededPools> {
  checkSpec(spec);
  const result: SeededPools = { pools: {} };
  for (const poolSpec of spec.pools) {
    const created = (await createUserPool(
      ctx,
      {
        ...poolSpec.settings,
        PoolName: poolSpec.name,
        ...(poolSpec.mfa ? { MfaConfiguration: poolSpec.mfa } : {}),
        ...(poolSpec.passwordPolicy || poolSpec.allowedFirstAuthFactors
          ? {
              Policies: {
                ...(poolSpec.passwordPolicy ? { PasswordPolicy: poolSpec.passwordPolicy } : {}),
                ...(poolSpec.allowedFirstAuthFactors
                  ? { SignInPolicy: { AllowedFirstAuthFactors: poolSpec.allowedFirstAuthFactors } }
                  : {}),
              },
            }
          : {}),
        ...(poolSpec.usernameAttributes ? { UsernameAttributes: poolSpec.usernameAttributes } : {}),
        ...(poolSpec.aliasAttributes ? { AliasAttributes: poolSpec.aliasAttributes } : {}),
      },
      poolSpec.idSuffix ? `${ctx.region}_${poolSpec.idSuffix}` : undefined,
    )) as { UserPool: { Id: string } };
    const pool = ctx.store.pool(created.UserPool.Id);
    const seeded: SeededPool = { poolId: pool.id, name: pool.name, clients: {}, users: {} };
    if (poolSpec.triggers !== undefined) pool.triggers = poolSpec.triggers;
    await seedOAuthResources(ctx, pool.id, poolSpec);

    for (const c of poolSpec.clients ?? []) {
      const out = createUserPoolClient(
        ctx,
        {
          ...c.settings,
          UserPoolId: pool.id,
          ClientName: c.name,
          GenerateSecret: c.generateSecret === true,
          ...(c.explicitAuthFlows ? { ExplicitAuthFlows: c.explicitAuthFlows } : {}),
          ...(c.preventUserExistenceErrors ? { PreventUserExistenceErrors: c.preventUserExistenceErrors } : {}),
          ...(c.enableTokenRevocation !== undefined ? { EnableTokenRevocation: c.enableTokenRevocation } : {}),
        },
        { ...(c.clientId ? { clientId: c.clientId } : {}), ...(c.clientSecret ? { clientSecret: c.clientSecret } : {}) },
      ) as { UserPoolClient: { ClientId: string; ClientSecret?: string } };
      seeded.clients[c.name] = {
        clientId: out.UserPoolClient.ClientId,
        ...(out.UserPoolClient.ClientSecret ? { clientSecret: out.UserPoolClient.ClientSecret } : {}),
      };
    }

    for (const g of poolSpec.groups ?? []) {
      const group = typeof g === 'string' ? { name: g } : g;
      createGroup(ctx, {
        UserPoolId: pool.id,
        GroupName: group.name,
        ...(group.description !== undefined ? { Description: group.description } : {}),
        ...(group.precedence !== undefined ? { Precedence: group.precedence } : {}),
      });
    }

    for (const u of poolSpec.users ?? []) {
      const user = createUser(
        ctx,
        pool,
        {
          Username: u.username,
          UserAttributes: Object.entries(u.attributes ?? {}).map(([Name, Value]) => ({ Name, Value })),
          ...(u.temporaryPassword ? { TemporaryPassword: u.temporaryPassword } : {}),
        },
        { ...(u.password ? { permanentPassword: u.password } : {}), ...(u.status ? { status: u.status } : {}) },
      );
      if (u.enabled === false) user.enabled = false;
      for (const group of u.groups ?? []) addToGroup(ctx, pool, user, group);
      if (u.totpSecret) {
        user.mfa.totpSecret = u.totpSecret.toUpperCase();
        user.mfa.totpVerified = true;
      }
      if (u.mfa?.totp) user.mfa.totpEnabled = true;
      if (u.mfa?.sms) user.mfa.smsEnabled = true;
      if (u.mfa?.email) user.mfa.emailEnabled = true;
      if (u.mfa?.preferred) user.mfa.preferred = u.mfa.preferred;
      seeded.users[u.username] = { username: user.username, sub: user.sub };
    }
    result.pools[poolSpec.name] = seeded;
  }
  return result;
}

// The domain, resource servers and identity providers of a seeded pool, through their operations.
async function seedOAuthResources(ctx: EmulatorContext, poolId: string, spec: SeedPool): Promise<void> {
  const call = async (name: string, params: Record<string, unknown>): Promise<void> => {
    const op = operations[name];
    if (op === undefined) throw new Error(`${name} is not an operation`);
    await op.handler(ctx, { UserPoolId: poolId, ...params });
  };
  if (spec.domain !== undefined) await call('CreateUserPoolDomain', { Domain: spec.domain });
  for (const server of spec.resourceServers ?? []) {
    await call('CreateResourceServer', {
      Identifier: server.identifier,
      Name: server.name,
      Scopes: (server.scopes ?? []).map((s) => ({ ScopeName: s.name, ScopeDescription: s.description })),
    });
  }
  for (const idp of spec.identityProviders ?? []) {
    await call('CreateIdentityProvider', {
      ProviderName: idp.name,
      ProviderType: idp.type,
      ProviderDetails: idp.details,
      ...(idp.attributeMapping ? { AttributeMapping: idp.attributeMapping } : {}),
      ...(idp.identifiers ? { IdpIdentifiers: idp.identifiers } : {}),
    });
  }
}
