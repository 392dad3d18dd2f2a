/**
 * GetUserAuthFactors (access token) and AdminGetUserAuthFactors (signed): a user's MFA settings and
 * `ConfiguredUserAuthFactors`, the factors USER_AUTH would let them use — first factors the pool
 * allows and the user can present (a password, a verified e-mail or phone, a passkey), and
 * SOFTWARE_TOKEN when TOTP MFA is on.
 */
import type { EmulatorContext, OperationSpec } from '../context';
import { requireString, type Params } from '../protocol';
import type { AuthFactor, PoolRecord, UserRecord } from '../store';
import { authenticateUserAccess } from '../tokens';
import { requireUser } from '../user-directory';
import { mfaSummary } from './admin-users';
import { AUTH_FACTORS, userFirstFactors } from './sign-in-policy';

/**
 * The factors `user` has configured for USER_AUTH, in `AuthFactorType` order.
 *
 * @example
 * configuredAuthFactors(pool, user); // ['PASSWORD', 'EMAIL_OTP']
 */
export function configuredAuthFactors(pool: PoolRecord, user: UserRecord): AuthFactor[] {
  const factors = new Set<AuthFactor>(userFirstFactors(pool, user));
  if (user.mfa.totpEnabled && user.mfa.totpSecret) factors.add('SOFTWARE_TOKEN');
  return AUTH_FACTORS.filter((f) => factors.has(f));
}

function authFactorsOf(pool: PoolRecord, user: UserRecord): object {
  const { PreferredMfaSetting, UserMFASettingList } = mfaSummary(user);
  return {
    Username: user.username,
    ...(PreferredMfaSetting !== undefined ? { PreferredMfaSetting } : {}),
    ...(UserMFASettingList !== undefined ? { UserMFASettingList } : {}),
    ConfiguredUserAuthFactors: configuredAuthFactors(pool, user),
  };
}

function getUserAuthFactors(ctx: EmulatorContext, params: Params): object {
  const { pool, user } = authenticateUserAccess(ctx, requireString(params, 'AccessToken'));
  return authFactorsOf(pool, user);
}

function adminGetUserAuthFactors(ctx: EmulatorContext, params: Params): object {
  const pool = ctx.store.pool(requireString(params, 'UserPoolId'));
  return authFactorsOf(pool, requireUser(pool, requireString(params, 'Username')));
}

/** The auth-factor operations by name. */
export const authFactorOperations: Record<string, OperationSpec> = {
  GetUserAuthFactors: { handler: getUserAuthFactors, signed: false },
  AdminGetUserAuthFactors: { handler: adminGetUserAuthFactors, signed: true },
};
