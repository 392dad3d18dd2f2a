/**
 * A pool's sign-in policy and feature plan: `Policies.SignInPolicy.AllowedFirstAuthFactors` (the
 * first factors USER_AUTH may offer; `['PASSWORD']` by default), `UserPoolTier` (LITE, ESSENTIALS —
 * the default — or PLUS) and `EmailMfaConfiguration`, checked as Cognito checks them: anything
 * beyond PASSWORD, and email MFA, need the Essentials tier or higher.
 */
import { WireError, invalidParameter, notInEnum } from '../errors';
import type { AuthFactor, PoolRecord, UserRecord } from '../store';
import { userHasPasskey } from './user-auth-webauthn';

/** `AuthFactorType`. */
export const AUTH_FACTORS: readonly AuthFactor[] = ['PASSWORD', 'EMAIL_OTP', 'SMS_OTP', 'WEB_AUTHN', 'SOFTWARE_TOKEN'];
/** `UserPoolTierType`. */
export const USER_POOL_TIERS = ['LITE', 'ESSENTIALS', 'PLUS'] as const;
/** A feature plan. */
export type UserPoolTier = (typeof USER_POOL_TIERS)[number];

const PATTERN_EMAIL_MESSAGE = /\{####\}/;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** FeatureUnavailableInTierException for a feature the Lite tier lacks. */
export function featureUnavailable(feature: string): WireError {
  return new WireError('FeatureUnavailableInTierException', `${feature} is not available in the Lite tier. Upgrade to Essentials or Plus.`);
}

/**
 * A `UserPoolTier` member, checked (absent: `undefined`).
 *
 * @throws WireError InvalidParameterException for a value outside LITE | ESSENTIALS | PLUS.
 */
export function resolveTier(value: unknown): UserPoolTier | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || !(USER_POOL_TIERS as readonly string[]).includes(value)) {
    throw notInEnum('UserPoolTier', typeof value === 'string' ? value : JSON.stringify(value), USER_POOL_TIERS);
  }
  return value as UserPoolTier;
}

/** The pool's feature plan: as set, else ESSENTIALS (CreateUserPool's default). */
export function tierOf(pool: PoolRecord): UserPoolTier {
  return resolveTier(pool.extra.UserPoolTier) ?? 'ESSENTIALS';
}

/**
 * `Policies.SignInPolicy`, checked: 1–5 distinct factors of `AuthFactorType`; on LITE only PASSWORD.
 *
 * @returns the allowed first factors, or `undefined` when no SignInPolicy was given.
 * @throws WireError InvalidParameterException, FeatureUnavailableInTierException.
 * @example
 * resolveSignInPolicy({ AllowedFirstAuthFactors: ['PASSWORD', 'EMAIL_OTP'] }, 'ESSENTIALS'); // ['PASSWORD', 'EMAIL_OTP']
 */
export function resolveSignInPolicy(value: unknown, tier: UserPoolTier): AuthFactor[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isRecord(value)) throw invalidParameter('SignInPolicy must be an object.');
  const given = value.AllowedFirstAuthFactors;
  const field = 'policies.signInPolicy.allowedFirstAuthFactors';
  if (given === undefined || given === null) return undefined;
  if (!Array.isArray(given)) throw invalidParameter('AllowedFirstAuthFactors must be a list.');
  if (given.length < 1 || given.length > 5) {
    throw invalidParameter(`1 validation error detected: Value at '${field}' failed to satisfy constraint: Member must have length between 1 and 5`);
  }
  const factors: AuthFactor[] = [];
  for (const factor of given) {
    if (typeof factor !== 'string' || !(AUTH_FACTORS as readonly string[]).includes(factor)) {
      throw notInEnum('Policies.SignInPolicy.AllowedFirstAuthFactors', String(factor), AUTH_FACTORS);
    }
    if (factors.includes(factor as AuthFactor)) throw invalidParameter(`Duplicate value ${factor} in AllowedFirstAuthFactors.`);
    factors.push(factor as AuthFactor);
  }
  if (tier === 'LITE' && factors.some((f) => f !== 'PASSWORD')) throw featureUnavailable('A sign-in policy with passwordless factors');
  return factors;
}

/**
 * SetUserPoolMfaConfig's `EmailMfaConfiguration`, checked: `Message` holds `{####}` (6–20,000
 * characters), `Subject` a non-empty string; refused on LITE.
 *
 * @throws WireError InvalidParameterException, FeatureUnavailableInTierException.
 */
export function resolveEmailMfaConfiguration(value: unknown, tier: UserPoolTier): { Message?: string; Subject?: string } | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isRecord(value)) throw invalidParameter('EmailMfaConfiguration must be an object.');
  if (tier === 'LITE') throw featureUnavailable('Email MFA');
  const out: { Message?: string; Subject?: string } = {};
  const { Message, Subject } = value;
  if (Message !== undefined && Message !== null) {
    if (typeof Message !== 'string' || Message.length < 6 || Message.length > 20000 || !PATTERN_EMAIL_MESSAGE.test(Message)) {
      throw invalidParameter('EmailMfaConfiguration.Message must contain the {####} placeholder and be 6 to 20000 characters long.');
    }
    out.Message = Message;
  }
  if (Subject !== undefined && Subject !== null) {
    if (typeof Subject !== 'string' || Subject.trim() === '') throw invalidParameter('EmailMfaConfiguration.Subject must not be empty.');
    out.Subject = Subject;
  }
  return out;
}

/** The pool's `AllowedFirstAuthFactors` (default `['PASSWORD']`). */
export function allowedFirstAuthFactors(pool: PoolRecord): AuthFactor[] {
  return pool.allowedFirstAuthFactors ? [...pool.allowedFirstAuthFactors] : ['PASSWORD'];
}

/** Whether users may sign up without a password: the pool allows a passwordless first factor. */
export function allowsPasswordless(pool: PoolRecord): boolean {
  return allowedFirstAuthFactors(pool).some((f) => f === 'EMAIL_OTP' || f === 'SMS_OTP' || f === 'WEB_AUTHN');
}

function verified(user: UserRecord, attribute: 'email' | 'phone_number'): boolean {
  const value = user.attributes.get(attribute);
  return value !== undefined && value !== '' && user.attributes.get(`${attribute}_verified`) === 'true';
}

/** Whether `user` can present `factor` as a first factor (whatever the pool allows). */
export function canPresent(pool: PoolRecord, user: UserRecord, factor: AuthFactor): boolean {
  switch (factor) {
    case 'PASSWORD': return user.password !== undefined;
    case 'EMAIL_OTP': return verified(user, 'email');
    case 'SMS_OTP': return verified(user, 'phone_number');
    case 'WEB_AUTHN': return userHasPasskey(pool, user);
    case 'SOFTWARE_TOKEN': return false;
  }
}

/** The `AvailableChallenges` of factors: PASSWORD stands for both PASSWORD and PASSWORD_SRP. */
export function challengesOf(factors: AuthFactor[]): string[] {
  return factors.flatMap((f) => (f === 'PASSWORD' ? ['PASSWORD', 'PASSWORD_SRP'] : f === 'SOFTWARE_TOKEN' ? [] : [f]));
}

/**
 * The first factors `user` may choose in USER_AUTH: the pool's allowed factors the user can present,
 * in the pool's order.
 */
export function userFirstFactors(pool: PoolRecord, user: UserRecord): AuthFactor[] {
  return allowedFirstAuthFactors(pool).filter((f) => canPresent(pool, user, f));
}
