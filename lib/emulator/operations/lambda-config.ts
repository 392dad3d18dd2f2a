/**
 * A pool's `LambdaConfig`: checked like Cognito's (CreateUserPool, UpdateUserPool) and kept in the
 * pool, where the trigger registry (../triggers.ts) reads it. `UpdateUserPool` here changes only
 * `LambdaConfig`, `UserPoolTier` and `Policies.SignInPolicy`: as on Cognito, a request without
 * `LambdaConfig` removes the pool's triggers, one without a SignInPolicy restores `['PASSWORD']`.
 */
import type { EmulatorContext, OperationSpec } from '../context';
import { WireError, invalidParameter } from '../errors';
import { optionalObject, requireString, type Params } from '../protocol';
import { resolveSignInPolicy, resolveTier, tierOf } from './sign-in-policy';

/** The `LambdaConfig` members that take a Lambda ARN. */
const ARN_MEMBERS = [
  'PreSignUp', 'CustomMessage', 'PostConfirmation', 'PreAuthentication', 'PostAuthentication', 'DefineAuthChallenge',
  'CreateAuthChallenge', 'VerifyAuthChallengeResponse', 'PreTokenGeneration', 'UserMigration',
] as const;
/** Members with `{ LambdaArn, LambdaVersion }`, and the versions each accepts. */
const VERSIONED_MEMBERS: Record<string, readonly string[]> = {
  PreTokenGenerationConfig: ['V1_0', 'V2_0', 'V3_0'],
  CustomSMSSender: ['V1_0'],
  CustomEmailSender: ['V1_0'],
};
const LAMBDA_ARN = /^arn:aws[a-zA-Z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9$_-]{1,128})?$/;
const KMS_ARN = /^arn:aws[a-zA-Z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkArn(member: string, value: unknown): string {
  if (typeof value !== 'string' || !LAMBDA_ARN.test(value)) {
    throw invalidParameter(`1 validation error detected: Value at 'lambdaConfig.${member[0].toLowerCase()}${member.slice(1)}' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:[\\w+=/,.@-]+:[\\w+=/,.@-]+:([\\w+=/,.@-]*)?:[0-9]+:[\\w+=/,.@-]+(:[\\w+=/,.@-]+)?(:[\\w+=/,.@-]+)?`);
  }
  return value;
}

/**
 * Checks a `LambdaConfig` as Cognito does and returns a copy to store (`undefined` when absent).
 * `PreTokenGeneration` and `PreTokenGenerationConfig.LambdaArn` must agree when both are given;
 * `LambdaVersion` V2_0 / V3_0 is refused for a pool on the `LITE` tier (Essentials or Plus only).
 *
 * @throws WireError InvalidParameterException for an unknown member, a malformed ARN or version;
 *   FeatureUnavailableInTierException for access-token customisation on `LITE`.
 * @example
 * checkLambdaConfig({ PreSignUp: 'arn:aws:lambda:us-east-1:000000000000:function:preSignUp' }, undefined);
 */
export function checkLambdaConfig(value: unknown, tier: unknown): Record<string, unknown> | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isRecord(value)) throw invalidParameter('LambdaConfig must be an object.');
  const out: Record<string, unknown> = {};
  for (const [member, given] of Object.entries(value)) {
    if (given === undefined || given === null) continue;
    if ((ARN_MEMBERS as readonly string[]).includes(member)) {
      out[member] = checkArn(member, given);
    } else if (member in VERSIONED_MEMBERS) {
      if (!isRecord(given)) throw invalidParameter(`${member} must be an object with LambdaArn and LambdaVersion.`);
      const extra = Object.keys(given).find((k) => k !== 'LambdaArn' && k !== 'LambdaVersion');
      if (extra !== undefined) throw invalidParameter(`Unknown member ${extra} in LambdaConfig.${member}.`);
      const arn = checkArn(`${member}.LambdaArn`, given.LambdaArn);
      const versions = VERSIONED_MEMBERS[member];
      if (typeof given.LambdaVersion !== 'string' || !versions.includes(given.LambdaVersion)) {
        throw invalidParameter(`1 validation error detected: Value '${String(given.LambdaVersion)}' at 'lambdaConfig.${member}.lambdaVersion' failed to satisfy constraint: Member must satisfy enum value set: [${versions.join(', ')}]`);
      }
      out[member] = { LambdaArn: arn, LambdaVersion: given.LambdaVersion };
    } else if (member === 'KMSKeyID') {
      if (typeof given !== 'string' || !KMS_ARN.test(given)) throw invalidParameter('KMSKeyID must be the ARN of a KMS key.');
      out[member] = given;
    } else {
      throw invalidParameter(`Unknown member ${member} in LambdaConfig.`);
    }
  }
  const config = out.PreTokenGenerationConfig as { LambdaArn: string; LambdaVersion: string } | undefined;
  if (config !== undefined && out.PreTokenGeneration !== undefined && out.PreTokenGeneration !== config.LambdaArn) {
    throw invalidParameter('PreTokenGeneration and PreTokenGenerationConfig.LambdaArn must be the same function.');
  }
  if (config !== undefined && config.LambdaVersion !== 'V1_0' && tier === 'LITE') {
    throw new WireError('FeatureUnavailableInTierException', 'Access token customization is not available in the Lite tier.');
  }
  if ((out.CustomSMSSender !== undefined || out.CustomEmailSender !== undefined) && out.KMSKeyID === undefined) {
    throw invalidParameter('KMSKeyID is required with a custom sender trigger.');
  }
  return out;
}

function updateUserPool(ctx: EmulatorContext, params: Params): object {
  const pool = ctx.store.pool(requireString(params, 'UserPoolId'));
  const tier = resolveTier(params.UserPoolTier) ?? tierOf(pool);
  const config = checkLambdaConfig(params.LambdaConfig, tier);
  const signInFactors = resolveSignInPolicy(optionalObject(params, 'Policies')?.SignInPolicy, tier);
  if (config === undefined) delete pool.extra.LambdaConfig;
  else pool.extra.LambdaConfig = config;
  if (signInFactors === undefined) delete pool.allowedFirstAuthFactors;
  else pool.allowedFirstAuthFactors = signInFactors;
  if (params.UserPoolTier !== undefined && params.UserPoolTier !== null) pool.extra.UserPoolTier = tier;
  pool.updatedAt = ctx.clock.now();
  return {};
}

/** `UpdateUserPool` (its `LambdaConfig`, `UserPoolTier` and `Policies.SignInPolicy`), signed. */
export const lambdaConfigOperations: Record<string, OperationSpec> = {
  UpdateUserPool: { handler: updateUserPool, signed: true },
};
