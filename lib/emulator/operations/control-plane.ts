/**
 * Control-plane operations: user pools (their sign-in policy and feature plan: sign-in-policy.ts), their
 * MFA configuration, app clients and groups.
 */
import type { EmulatorContext, OperationSpec } from '../context';
import { WireError, invalidParameter, notInEnum } from '../errors';
import { newClientId, newClientSecret, newPoolId } from '../ids';
import { resolvePasswordPolicy } from '../password-policy';
import {
  epochSeconds,
  optionalBoolean,
  optionalEnum,
  optionalInteger,
  optionalObject,
  optionalString,
  optionalStringList,
  requireString,
  type Params,
} from '../protocol';
import { createSigningKey } from '../signing-keys';
import type { ClientRecord, GroupRecord, MfaConfiguration, PoolRecord, ValidityUnit } from '../store';
import { describeClientOAuth, resolveClientOAuth } from '../oauth-settings';
import { resolveClientFlows } from './auth-flows';
import { checkLambdaConfig } from './lambda-config';
import {
  allowedFirstAuthFactors, resolveEmailMfaConfiguration, resolveSignInPolicy, resolveTier, tierOf,
} from './sign-in-policy';

const MFA_VALUES = ['OFF', 'ON', 'OPTIONAL'] as const;
const UNITS = ['seconds', 'minutes', 'hours', 'days'] as const;
const UNIT_SECONDS: Record<ValidityUnit, number> = { seconds: 1, minutes: 60, hours: 3600, days: 86400 };

// Members stored and echoed as given. Message templates, AutoVerifiedAttributes,
// AccountRecoverySetting, AdminCreateUserConfig and UserAttributeUpdateSettings are read from there
// by the self-service operations (outbox.ts, delivery.ts); the rest are not acted on.
const POOL_PASSTHROUGH = [
  'AutoVerifiedAttributes', 'AdminCreateUserConfig', 'EmailConfiguration', 'SmsConfiguration', 'UserPoolTags',
  'AccountRecoverySetting', 'UserPoolAddOns', 'DeletionProtection', 'VerificationMessageTemplate', 'LambdaConfig',
  'Schema', 'UserAttributeUpdateSettings', 'SmsAuthenticationMessage', 'UserPoolTier',
  'EmailVerificationMessage', 'EmailVerificationSubject', 'SmsVerificationMessage',
];
// The OAuth members (CallbackURLs, AllowedOAuthFlows, …) are modelled: see ../oauth-settings.ts.
const CLIENT_PASSTHROUGH = ['ReadAttributes', 'WriteAttributes', 'AnalyticsConfiguration', 'EnablePropagateAdditionalUserContextData'];

function pick(params: Params, members: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const m of members) if (params[m] !== undefined && params[m] !== null) out[m] = params[m];
  return out;
}

function checkAttributeList(list: string[] | undefined, member: string, allowed: readonly string[]): string[] {
  for (const value of list ?? []) if (!allowed.includes(value)) throw notInEnum(member, value, allowed);
  return [...(list ?? [])];
}

/** The `UserPool` structure of DescribeUserPool / CreateUserPool. */
export function describePool(pool: PoolRecord): Record<string, unknown> {
  return {
    Id: pool.id,
    Name: pool.name,
    Arn: pool.arn,
    Policies: { PasswordPolicy: { ...pool.passwordPolicy }, SignInPolicy: { AllowedFirstAuthFactors: allowedFirstAuthFactors(pool) } },
    UserPoolTier: tierOf(pool),
    MfaConfiguration: pool.mfa,
    LastModifiedDate: epochSeconds(pool.updatedAt),
    CreationDate: epochSeconds(pool.createdAt),
    EstimatedNumberOfUsers: pool.users.size,
    ...(pool.usernameAttributes.length ? { UsernameAttributes: [...pool.usernameAttributes] } : {}),
    ...(pool.aliasAttributes.length ? { AliasAttributes: [...pool.aliasAttributes] } : {}),
    UsernameConfiguration: { CaseSensitive: pool.caseSensitive },
    ...(pool.deviceConfiguration ? { DeviceConfiguration: pool.deviceConfiguration } : {}),
    ...domainMembers(pool),
    ...pool.extra,
  };
}

// DescribeUserPool's `Domain` (the prefix) and `CustomDomain`.
function domainMembers(pool: PoolRecord): Record<string, string> {
  const out: Record<string, string> = {};
  for (const d of pool.domains) out[d.certificateArn === undefined ? 'Domain' : 'CustomDomain'] = d.domain;
  return out;
}

/** CreateUserPool: also generates the pool's 2048-bit RS256 signing key. */
export async function createUserPool(ctx: EmulatorContext, params: Params, fixedId?: string): Promise<object> {
  const name = requireString(params, 'PoolName');
  const policies = optionalObject(params, 'Policies');
  const passwordPolicy = resolvePasswordPolicy(policies?.PasswordPolicy);
  const mfa = optionalEnum<MfaConfiguration>(params, 'MfaConfiguration', MFA_VALUES) ?? 'OFF';
  const usernameAttributes = checkAttributeList(optionalStringList(params, 'UsernameAttributes'), 'UsernameAttributes', ['email', 'phone_number']);
  const aliasAttributes = checkAttributeList(optionalStringList(params, 'AliasAttributes'), 'AliasAttributes', ['email', 'phone_number', 'preferred_username']);
  if (usernameAttributes.length > 0 && aliasAttributes.length > 0) {
    throw invalidParameter('Only one of the aliasAttributes or usernameAttributes can be set in a User Pool.');
  }
  const caseSensitive = optionalObject(params, 'UsernameConfiguration')?.CaseSensitive !== false;
  const tier = resolveTier(params.UserPoolTier) ?? 'ESSENTIALS';
  const signInFactors = resolveSignInPolicy(policies?.SignInPolicy, tier);
  const lambdaConfig = checkLambdaConfig(params.LambdaConfig, params.UserPoolTier);
  const id = fixedId ?? newPoolId(ctx.region);
  if (ctx.store.pools.has(id)) throw invalidParameter(`User pool ${id} already exists.`);
  const now = ctx.clock.now();
  const pool: PoolRecord = {
    id,
    name,
    arn: `arn:aws:cognito-idp:${ctx.region}:000000000000:userpool/${id}`,
    createdAt: now,
    updatedAt: now,
    passwordPolicy,
    mfa,
    softwareTokenMfa: true,
    smsMfa: true,
    usernameAttributes,
    aliasAttributes,
    caseSensitive,
    ...(optionalObject(params, 'DeviceConfiguration') ? { deviceConfiguration: optionalObject(params, 'DeviceConfiguration') } : {}),
    ...(signInFactors ? { allowedFirstAuthFactors: signInFactors } : {}),
    extra: { ...pick(params, POOL_PASSTHROUGH), ...(lambdaConfig ? { LambdaConfig: lambdaConfig } : {}) },
    keyRing: { keys: [await createSigningKey()] },
    clients: new Map(),
    users: new Map(),
    groups: new Map(),
    domains: [],
    resourceServers: new Map(),
    identityProviders: new Map(),
  };
  ctx.store.pools.set(id, pool);
  return { UserPool: describePool(pool) };
}

function describeUserPool(ctx: EmulatorContext, params: Params): object {
  return { UserPool: describePool(ctx.store.pool(requireString(params, 'UserPoolId'))) };
}

function mfaConfigOf(pool: PoolRecord): object {
  return {
    SoftwareTokenMfaConfiguration: { Enabled: pool.softwareTokenMfa },
    SmsMfaConfiguration: { SmsAuthenticationMessage: pool.extra.SmsAuthenticationMessage ?? 'Your authentication code is {####}. ' },
    ...(pool.emailMfaConfiguration ? { EmailMfaConfiguration: { ...pool.emailMfaConfiguration } } : {}),
    MfaConfiguration: pool.mfa,
  };
}

function setUserPoolMfaConfig(ctx: EmulatorContext, params: Params): object {
  const pool = ctx.store.pool(requireString(params, 'UserPoolId'));
  const mfa = optionalEnum<MfaConfiguration>(params, 'MfaConfiguration', MFA_VALUES);
  const totp = optionalObject(params, 'SoftwareTokenMfaConfiguration');
  const sms = optionalObject(params, 'SmsMfaConfiguration');
  // Email MFA (and its texts, also those of EMAIL_OTP sign-in codes): Essentials or Plus only.
  const email = resolveEmailMfaConfiguration(params.EmailMfaConfiguration, tierOf(pool));
  if (email) pool.emailMfaConfiguration = email;
  if (totp && typeof totp.Enabled === 'boolean') pool.softwareTokenMfa = totp.Enabled;
  if (sms) pool.smsMfa = true;
  if (mfa) pool.mfa = mfa;
  if (pool.mfa !== 'OFF' && !pool.softwareTokenMfa && !pool.smsMfa && !pool.emailMfaConfiguration) {
    throw invalidParameter('At least one MFA method must be enabled when MFA is ON or OPTIONAL.');
  }
  pool.updatedAt = ctx.clock.now();
  return mfaConfigOf(pool);
}

function getUserPoolMfaConfig(ctx: EmulatorContext, params: Params): object {
  return mfaConfigOf(ctx.store.pool(requireString(params, 'UserPoolId')));
}

function validity(
  params: Params,
  member: 'AccessTokenValidity' | 'IdTokenValidity' | 'RefreshTokenValidity',
  unitKey: 'AccessToken' | 'IdToken' | 'RefreshToken',
  defaults: { seconds: number; unit: ValidityUnit; minSeconds: number; maxSeconds: number; range: string },
): { value: number; unit: ValidityUnit; seconds: number } {
  const units = optionalObject(params, 'TokenValidityUnits') ?? {};
  const givenUnit = optionalEnum<ValidityUnit>(units, unitKey, UNITS);
  const value = optionalInteger(params, member);
  if (value === undefined) {
    const unit = givenUnit ?? defaults.unit;
    const inUnit = defaults.seconds / UNIT_SECONDS[unit];
    return Number.isInteger(inUnit)
      ? { value: inUnit, unit, seconds: defaults.seconds }
      : { value: defaults.seconds / 60, unit: 'minutes', seconds: defaults.seconds };
  }
  const unit = givenUnit ?? (unitKey === 'RefreshToken' ? 'days' : 'hours');
  const seconds = value * UNIT_SECONDS[unit];
  if (seconds < defaults.minSeconds || seconds > defaults.maxSeconds) {
    throw invalidParameter(`${member} must be between ${defaults.range}.`);
  }
  return { value, unit, seconds };
}

/** The `UserPoolClient` structure. */
export function describeClient(client: ClientRecord): Record<string, unknown> {
  return {
    UserPoolId: client.poolId,
    ClientName: client.clientName,
    ClientId: client.clientId,
    ...(client.clientSecret ? { ClientSecret: client.clientSecret } : {}),
    LastModifiedDate: epochSeconds(client.updatedAt),
    CreationDate: epochSeconds(client.createdAt),
    RefreshTokenValidity: client.refreshTokenValidity,
    AccessTokenValidity: client.accessTokenValidity,
    IdTokenValidity: client.idTokenValidity,
    TokenValidityUnits: { ...client.units },
    ExplicitAuthFlows: [...client.explicitAuthFlows],
    ...describeClientOAuth(client.oauth),
    PreventUserExistenceErrors: client.preventUserExistenceErrors,
    EnableTokenRevocation: client.enableTokenRevocation,
    AuthSessionValidity: client.authSessionValidityMinutes,
    ...(client.refreshTokenRotation ? { RefreshTokenRotation: { ...client.refreshTokenRotation } } : {}),
    ...client.extra,
  };
}

/** CreateUserPoolClient. `fixed` lets a seed choose the id (and secret). */
export function createUserPoolClient(
  ctx: EmulatorContext,
  params: Params,
  fixed?: { clientId?: string; clientSecret?: string },
): object {
  const pool = ctx.store.pool(requireString(params, 'UserPoolId'));
  requireString(params, 'ClientName');
  const clientId = fixed?.clientId ?? newClientId();
  if (pool.clients.has(clientId)) throw invalidParameter(`User pool client ${clientId} already exists.`);
  const secret = optionalBoolean(params, 'GenerateSecret') ? fixed?.clientSecret ?? newClientSecret() : undefined;
  const now = ctx.clock.now();
  const fixedFields = { clientId, ...(secret !== undefined ? { clientSecret: secret } : {}), createdAt: now, updatedAt: now };
  const client = buildClient(pool, params, fixedFields);
  pool.clients.set(clientId, client);
  return { UserPoolClient: describeClient(client) };
}

/**
 * UpdateUserPoolClient. As in Cognito, every setting left out of the request goes back to its
 * default (the id, secret and creation date stay): callers send the whole configuration.
 */
function updateUserPoolClient(ctx: EmulatorContext, params: Params): object {
  const { pool, client } = ctx.store.client(requireString(params, 'ClientId'), requireString(params, 'UserPoolId'));
  const next = buildClient(pool, { ClientName: client.clientName, ...params }, {
    clientId: client.clientId,
    ...(client.clientSecret !== undefined ? { clientSecret: client.clientSecret } : {}),
    createdAt: client.createdAt,
    updatedAt: ctx.clock.now(),
  });
  pool.clients.set(client.clientId, next);
  return { UserPoolClient: describeClient(next) };
}

/** DeleteUserPoolClient: the client's refresh tokens stop working with it. */
function deleteUserPoolClient(ctx: EmulatorContext, params: Params): object {
  const { pool, client } = ctx.store.client(requireString(params, 'ClientId'), requireString(params, 'UserPoolId'));
  pool.clients.delete(client.clientId);
  for (const record of ctx.store.refreshTokens.values()) if (record.clientId === client.clientId) record.revoked = true;
  return {};
}

function buildClient(
  pool: PoolRecord,
  params: Params,
  fixed: { clientId: string; clientSecret?: string; createdAt: number; updatedAt: number },
): ClientRecord {
  const clientName = requireString(params, 'ClientName');
  const flows = resolveClientFlows(optionalStringList(params, 'ExplicitAuthFlows'));
  const access = validity(params, 'AccessTokenValidity', 'AccessToken', { seconds: 3600, unit: 'minutes', minSeconds: 300, maxSeconds: 86400, range: '5 minutes and 1 day' });
  const id = validity(params, 'IdTokenValidity', 'IdToken', { seconds: 3600, unit: 'minutes', minSeconds: 300, maxSeconds: 86400, range: '5 minutes and 1 day' });
  const refresh = validity(params, 'RefreshTokenValidity', 'RefreshToken', { seconds: 30 * 86400, unit: 'days', minSeconds: 3600, maxSeconds: 3650 * 86400, range: '60 minutes and 10 years' });
  const sessionMinutes = optionalInteger(params, 'AuthSessionValidity') ?? 3;
  if (sessionMinutes < 3 || sessionMinutes > 15) throw invalidParameter('AuthSessionValidity must be between 3 and 15 minutes.');
  const prevent = optionalEnum(params, 'PreventUserExistenceErrors', ['ENABLED', 'LEGACY'] as const) ?? 'LEGACY';
  const rotation = optionalObject(params, 'RefreshTokenRotation');
  if (rotation) {
    if (rotation.Feature !== 'ENABLED' && rotation.Feature !== 'DISABLED') {
      throw notInEnum('RefreshTokenRotation.Feature', String(rotation.Feature), ['ENABLED', 'DISABLED']);
    }
    const grace = rotation.RetryGracePeriodSeconds;
    if (grace !== undefined && (typeof grace !== 'number' || !Number.isInteger(grace) || grace < 0 || grace > 60)) {
      throw invalidParameter('RetryGracePeriodSeconds must be between 0 and 60.');
    }
  }
  return {
    poolId: pool.id,
    clientId: fixed.clientId,
    clientName,
    ...(fixed.clientSecret !== undefined ? { clientSecret: fixed.clientSecret } : {}),
    explicitAuthFlows: flows.explicit,
    allowedFlows: flows.allowed,
    accessTokenValidity: access.value,
    idTokenValidity: id.value,
    refreshTokenValidity: refresh.value,
    units: { AccessToken: access.unit, IdToken: id.unit, RefreshToken: refresh.unit },
    accessTtlSeconds: access.seconds,
    idTtlSeconds: id.seconds,
    refreshTtlSeconds: refresh.seconds,
    enableTokenRevocation: optionalBoolean(params, 'EnableTokenRevocation') ?? true,
    preventUserExistenceErrors: prevent,
    authSessionValidityMinutes: sessionMinutes,
    ...(rotation
      ? {
          refreshTokenRotation: {
            Feature: rotation.Feature as 'ENABLED' | 'DISABLED',
            ...(rotation.RetryGracePeriodSeconds !== undefined
              ? { RetryGracePeriodSeconds: rotation.RetryGracePeriodSeconds as number }
              : {}),
          },
        }
      : {}),
    oauth: resolveClientOAuth(pool, params, fixed.clientSecret !== undefined),
    extra: pick(params, CLIENT_PASSTHROUGH),
    createdAt: fixed.createdAt,
    updatedAt: fixed.updatedAt,
  };
}

function describeUserPoolClient(ctx: EmulatorContext, params: Params): object {
  const poolId = requireString(params, 'UserPoolId');
  const { client } = ctx.store.client(requireString(params, 'ClientId'), poolId);
  return { UserPoolClient: describeClient(client) };
}

/** The `GroupType` structure of CreateGroup (and ListGroups). */
export function describeGroup(poolId: string, group: GroupRecord): object {
  return {
    GroupName: group.name,
    UserPoolId: poolId,
    ...(group.description !== undefined ? { Description: group.description } : {}),
    ...(group.roleArn !== undefined ? { RoleArn: group.roleArn } : {}),
    ...(group.precedence !== undefined ? { Precedence: group.precedence } : {}),
    LastModifiedDate: epochSeconds(group.updatedAt),
    CreationDate: epochSeconds(group.createdAt),
  };
}

/** CreateGroup. */
export function createGroup(ctx: EmulatorContext, params: Params): object {
  const pool = ctx.store.pool(requireString(params, 'UserPoolId'));
  const name = requireString(params, 'GroupName');
  if (pool.groups.has(name)) throw new WireError('GroupExistsException', `A group with the name ${name} already exists.`);
  const precedence = optionalInteger(params, 'Precedence');
  const description = optionalString(params, 'Description');
  const roleArn = optionalString(params, 'RoleArn');
  const now = ctx.clock.now();
  const group: GroupRecord = {
    name,
    createdAt: now,
    updatedAt: now,
    ...(description !== undefined ? { description } : {}),
    ...(precedence !== undefined ? { precedence } : {}),
    ...(roleArn !== undefined ? { roleArn } : {}),
  };
  pool.groups.set(name, group);
  return { Group: describeGroup(pool.id, group) };
}

/** Control-plane operations by name; all need AWS credentials. */
export const controlPlaneOperations: Record<string, OperationSpec> = {
  CreateUserPool: { handler: (ctx, params) => createUserPool(ctx, params), signed: true },
  DescribeUserPool: { handler: describeUserPool, signed: true },
  SetUserPoolMfaConfig: { handler: setUserPoolMfaConfig, signed: true },
  GetUserPoolMfaConfig: { handler: getUserPoolMfaConfig, signed: true },
  CreateUserPoolClient: { handler: (ctx, params) => createUserPoolClient(ctx, params), signed: true },
  DescribeUserPoolClient: { handler: describeUserPoolClient, signed: true },
  UpdateUserPoolClient: { handler: updateUserPoolClient, signed: true },
  DeleteUserPoolClient: { handler: deleteUserPoolClient, signed: true },
  CreateGroup: { handler: createGroup, signed: true },
};
