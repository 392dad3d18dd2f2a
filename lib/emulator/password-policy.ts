/**
 * Cognito's password policy and its check, pure. Messages follow Cognito's
 * "Password does not conform to policy: …" wording.
 */
import { WireError } from './errors';

/** A user pool's password policy, as in `Policies.PasswordPolicy`. */
export interface PasswordPolicy {
  MinimumLength: number;
  RequireUppercase: boolean;
  RequireLowercase: boolean;
  RequireNumbers: boolean;
  RequireSymbols: boolean;
  /** How long a temporary password from AdminCreateUser stays usable, in days. */
  TemporaryPasswordValidityDays: number;
}

/** Cognito's defaults: 8 characters, every character class, temporary passwords valid 7 days. */
export const DEFAULT_PASSWORD_POLICY: Readonly<PasswordPolicy> = Object.freeze({
  MinimumLength: 8,
  RequireUppercase: true,
  RequireLowercase: true,
  RequireNumbers: true,
  RequireSymbols: true,
  TemporaryPasswordValidityDays: 7,
});

// The special characters Cognito counts as symbols.
const SYMBOLS = new Set('^$*.[]{}()?"!@#%&/\\,><\':;|_~`=+- ');

/**
 * Merges a `PasswordPolicy` request value over the defaults, validating ranges.
 *
 * @throws WireError InvalidParameterException for out-of-range values.
 */
export function resolvePasswordPolicy(input: unknown): PasswordPolicy {
  const policy: PasswordPolicy = { ...DEFAULT_PASSWORD_POLICY };
  if (input === undefined || input === null) return policy;
  if (typeof input !== 'object') throw new WireError('SerializationException', 'PasswordPolicy must be an object');
  const given = input as Record<string, unknown>;
  for (const key of ['RequireUppercase', 'RequireLowercase', 'RequireNumbers', 'RequireSymbols'] as const) {
    if (given[key] !== undefined) policy[key] = given[key] === true;
  }
  for (const [key, min, max] of [
    ['MinimumLength', 6, 99],
    ['TemporaryPasswordValidityDays', 0, 365],
  ] as const) {
    const value = given[key];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      // The request is JSON: a primitive as it reads, an object or array as JSON.
      const shown = typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : JSON.stringify(value);
      throw new WireError(
        'InvalidParameterException',
        `1 validation error detected: Value '${shown}' at 'policies.passwordPolicy.${key.charAt(0).toLowerCase() + key.slice(1)}' ` +
          `failed to satisfy constraint: Member must have value between ${min} and ${max}`,
      );
    }
    policy[key] = value;
  }
  return policy;
}

/**
 * Why a password breaks the policy, or `undefined` when it conforms.
 *
 * @example
 * passwordPolicyViolation('short', DEFAULT_PASSWORD_POLICY); // 'Password not long enough'
 */
export function passwordPolicyViolation(password: string, policy: PasswordPolicy): string | undefined {
  if ([...password].length < policy.MinimumLength) return 'Password not long enough';
  if (password.length > 256) return 'Password must be at most 256 characters';
  if (policy.RequireUppercase && !/[A-Z]/.test(password)) return 'Password must have uppercase characters';
  if (policy.RequireLowercase && !/[a-z]/.test(password)) return 'Password must have lowercase characters';
  if (policy.RequireNumbers && !/[0-9]/.test(password)) return 'Password must have numeric characters';
  if (policy.RequireSymbols && ![...password].some((c) => SYMBOLS.has(c))) return 'Password must have symbol characters';
  return undefined;
}

/**
 * Throws Cognito's `InvalidPasswordException` when `password` breaks `policy`.
 *
 * @throws WireError InvalidPasswordException "Password does not conform to policy: …".
 */
export function assertPasswordConforms(password: string, policy: PasswordPolicy): void {
  const violation = passwordPolicyViolation(password, policy);
  if (violation !== undefined) {
    throw new WireError('InvalidPasswordException', `Password does not conform to policy: ${violation}`);
  }
}

/**
 * The same check for the user-facing operations (SignUp, ConfirmForgotPassword, ChangePassword),
 * which word it the way Cognito does there: "Password did not conform with policy: …".
 *
 * @throws WireError InvalidPasswordException "Password did not conform with policy: …".
 */
export function assertUserPasswordConforms(password: string, policy: PasswordPolicy): void {
  const violation = passwordPolicyViolation(password, policy);
  if (violation !== undefined) {
    throw new WireError('InvalidPasswordException', `Password did not conform with policy: ${violation}`);
  }
}
