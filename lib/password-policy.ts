/**
 * A pool's password policy and the rules of it Cognito names when it refuses a password: what an
 * `InvalidPasswordError` carries, and what a sign-up page shows before the user types.
 */

/** A rule of a pool's password policy. */
export type PasswordRequirement = 'length' | 'lowercase' | 'uppercase' | 'numbers' | 'symbols' | 'history';

/** A pool's password policy (DescribeUserPool's `Policies.PasswordPolicy`, in this package's words). */
export interface PasswordPolicy {
  minimumLength: number;
  requireLowercase: boolean;
  requireUppercase: boolean;
  requireNumbers: boolean;
  requireSymbols: boolean;
  /** Previous passwords that may not be reused (0: none remembered). */
  passwordHistorySize: number;
  /** Days an administrator-set temporary password stays valid. */
  temporaryPasswordValidityDays: number;
}

const REQUIREMENT_TEXTS: ReadonlyArray<readonly [RegExp, PasswordRequirement]> = [
  [/not long enough/i, 'length'],
  [/lowercase/i, 'lowercase'],
  [/uppercase/i, 'uppercase'],
  [/numeric/i, 'numbers'],
  [/symbol/i, 'symbols'],
  [/previously been used/i, 'history'],
];

/**
 * The rule Cognito's InvalidPasswordException text names ("Password does not conform to policy:
 * Password must have uppercase characters" → `'uppercase'`).
 *
 * @example
 * passwordRequirement('Password does not conform to policy: Password not long enough'); // 'length'
 */
export function passwordRequirement(message: string): PasswordRequirement | undefined {
  return REQUIREMENT_TEXTS.find(([re]) => re.test(message))?.[1];
}
