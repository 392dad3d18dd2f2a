/**
 * The pool's password policy, for the pages that ask for a new password: read once from Cognito
 * (DescribeUserPool, through the package's `Cognito#passwordPolicy()`), and put in words.
 *
 * DescribeUserPool needs AWS credentials allowed `cognito-idp:DescribeUserPool`; an app that has
 * none (the usual case for a public web client) shows Cognito's default policy instead, which is
 * also what a pool created with the defaults has.
 */
import { Cognito, passwordRequirement, resolveConfig, type CognitoOptions, type PasswordPolicy } from 'express-cognito';

/** Cognito's default password policy (a pool created without `Policies.PasswordPolicy`). */
export const DEFAULT_PASSWORD_POLICY: Readonly<PasswordPolicy> = Object.freeze({
  minimumLength: 8,
  requireLowercase: true,
  requireUppercase: true,
  requireNumbers: true,
  requireSymbols: true,
  passwordHistorySize: 0,
  temporaryPasswordValidityDays: 7,
});

// After a failed read, the default is shown and Cognito asked again only this much later: without
// credentials the SDK's lookup of them can take seconds, which no page should wait for each time.
const RETRY_AFTER_MS = 10 * 60 * 1000;

/**
 * A function that gives the pool's password policy: read on first use and kept; on a failure, the
 * default policy until a retry ten minutes later. Concurrent callers share one read.
 *
 * @example
 * const policy = passwordPolicySource({ userPoolId, clientId });
 * res.send(signUpPage({ policy: await policy() }));
 */
export function passwordPolicySource(options: CognitoOptions, clock: () => number = Date.now): () => Promise<PasswordPolicy> {
  const config = resolveConfig(options);
  let known: PasswordPolicy | undefined;
  let retryAt = 0;
  let reading: Promise<PasswordPolicy> | undefined;
  return () => {
    if (known !== undefined) return Promise.resolve(known);
    if (clock() < retryAt) return Promise.resolve(DEFAULT_PASSWORD_POLICY);
    reading ??= Cognito.fromConfig(config).passwordPolicy().then(
      (policy) => {
        known = policy;
        return policy;
      },
      () => {
        retryAt = clock() + RETRY_AFTER_MS;
        return DEFAULT_PASSWORD_POLICY;
      },
    ).finally(() => {
      reading = undefined;
    });
    return reading;
  };
}

/**
 * The policy's rules, one phrase each.
 *
 * @example
 * describePasswordPolicy(DEFAULT_PASSWORD_POLICY); // ['at least 8 characters', 'a lowercase letter', …]
 */
export function describePasswordPolicy(policy: PasswordPolicy): string[] {
  const rules = [`at least ${policy.minimumLength} characters`];
  if (policy.requireLowercase) rules.push('a lowercase letter (a–z)');
  if (policy.requireUppercase) rules.push('an uppercase letter (A–Z)');
  if (policy.requireNumbers) rules.push('a number (0–9)');
  if (policy.requireSymbols) rules.push('a symbol, such as ! ? - or #');
  if (policy.passwordHistorySize > 0) rules.push(`to differ from your last ${policy.passwordHistorySize} passwords`);
  return rules;
}

/**
 * Cognito's refusal of a new password, in words that say which rule it broke (read from its message
 * with the package's `passwordRequirement`).
 *
 * @example
 * weakPasswordMessage('Password does not conform to policy: Password not long enough', policy);
 * // 'This password is too weak: it needs at least 8 characters.'
 */
export function weakPasswordMessage(cognitoMessage: string | undefined, policy: PasswordPolicy): string {
  switch (passwordRequirement(cognitoMessage ?? '')) {
    case 'length':
      return `This password is too weak: it needs at least ${policy.minimumLength} characters.`;
    case 'lowercase':
      return 'This password is too weak: it needs a lowercase letter.';
    case 'uppercase':
      return 'This password is too weak: it needs an uppercase letter.';
    case 'numbers':
      return 'This password is too weak: it needs a number.';
    case 'symbols':
      return 'This password is too weak: it needs a symbol.';
    case 'history':
      return 'You have used this password before: choose a new one.';
    default:
      return 'This password does not meet the rules shown above it.';
  }
}
