/**
 * `CognitoStrategy({ authFlow: 'USER_AUTH' })`: what a login POST means for choice-based sign-in,
 * decided from the fields alone (nothing here calls Cognito). The first POST carries the username,
 * and a `factor` to try first or a `password` (always proved by SRP: PASSWORD_SRP). Then, by the
 * pending challenge: SELECT_CHALLENGE takes a `factor` among those Cognito offered (with the
 * password for PASSWORD); EMAIL_OTP / SMS_OTP take the `code` (6 to 8 digits); WEB_AUTHN the
 * browser's `credential`; PASSWORD / PASSWORD_SRP the `password`. While the first factor is pending,
 * `resend` asks for a new code and another `factor` switches to it: both start the sign-in again
 * with that factor preferred (Cognito's way to send a new code).
 */
import type { MfaTokens } from '../lib/challenge';
import { credentialJson, type ChallengeAnswer, type FirstFactor } from '../lib/sign-in-engine';
import type { CognitoErrorCode } from '../lib/error-codes';
import type { PendingChallenge } from '../middleware/session-tokens';
import type { FieldResult } from './login-fields';

/** The challenges of USER_AUTH this module answers (EMAIL_OTP also as e-mail MFA). */
export const USER_AUTH_STEPS: ReadonlySet<string> = new Set(['SELECT_CHALLENGE', 'EMAIL_OTP', 'SMS_OTP', 'WEB_AUTHN', 'PASSWORD', 'PASSWORD_SRP']);

/** The fields a USER_AUTH step reads. */
export interface UserAuthFields {
  factor: FieldResult;
  password: FieldResult;
  /** A 6-to-8-digit code (`readOtp`). */
  otp: FieldResult;
  credential: FieldResult;
  /** `resend` was posted. */
  resend: boolean;
}

/** Field names, for the 400s. */
export interface UserAuthFieldNames {
  factor: string;
  password: string;
  code: string;
  credential: string;
}

/** A refusal before any call: `fail(info, 400)`. */
export interface FieldRefusal {
  kind: 'refuse';
  code: CognitoErrorCode;
  message: string;
  field: string;
}

/** What a POST asks for. */
export type UserAuthDecision =
  | { kind: 'answer'; answer: ChallengeAnswer }
  | { kind: 'restart'; preferred: FirstFactor | undefined; password?: string }
  | FieldRefusal;

function refuse(code: CognitoErrorCode, message: string, field: string): FieldRefusal {
  return { kind: 'refuse', code, message, field };
}

function fieldRefusal(r: FieldResult, name: string, field: string, challenge: string | undefined): FieldRefusal | undefined {
  if (r.state === 'ok') return undefined;
  if (r.state === 'invalid') return refuse('ERR_COGNITO_INVALID_FIELD', `The ${name} ${r.reason}.`, field);
  return refuse('ERR_COGNITO_MISSING_FIELD', `The ${name} is required${challenge ? ` for ${challenge}` : ''}.`, field);
}

/**
 * The first POST: with a password, PASSWORD_SRP preferred (the password is proved, never sent);
 * else the `factor` posted as the preference, or none (Cognito answers SELECT_CHALLENGE).
 *
 * @example
 * userAuthStart(fields, names); // { kind: 'restart', preferred: 'EMAIL_OTP' }
 */
export function userAuthStart(f: UserAuthFields, names: UserAuthFieldNames): UserAuthDecision {
  if (f.factor.state === 'invalid') return refuse('ERR_COGNITO_INVALID_FIELD', `The factor ${f.factor.reason}.`, names.factor);
  const factor = f.factor.state === 'ok' ? (f.factor.value as FirstFactor) : undefined;
  if (f.password.state === 'ok') {
    if (factor !== undefined && factor !== 'PASSWORD' && factor !== 'PASSWORD_SRP') {
      return refuse('ERR_COGNITO_INVALID_FIELD', `A password goes with the PASSWORD factor, not ${factor}.`, names.factor);
    }
    return { kind: 'restart', preferred: 'PASSWORD_SRP', password: f.password.value };
  }
  if (factor === 'PASSWORD' || factor === 'PASSWORD_SRP') return refuse('ERR_COGNITO_MISSING_CREDENTIALS', 'Missing credentials', names.password);
  return { kind: 'restart', preferred: factor };
}

/**
 * A later POST while `pending` waits.
 *
 * @example
 * decideUserAuthStep(pending, fields, names); // { kind: 'answer', answer: { challenge: 'EMAIL_OTP', code: '12345678' } }
 */
export function decideUserAuthStep(pending: PendingChallenge, f: UserAuthFields, names: UserAuthFieldNames): UserAuthDecision {
  const name = pending.name;
  // The first factor is still pending: a new code, or another way in, starts over with it.
  if (pending.firstFactor === true && name !== 'SELECT_CHALLENGE' && (f.resend || f.factor.state !== 'absent')) {
    if (f.factor.state === 'invalid') return refuse('ERR_COGNITO_INVALID_FIELD', `The factor ${f.factor.reason}.`, names.factor);
    const factor = f.factor.state === 'ok' ? (f.factor.value as FirstFactor) : (name as FirstFactor);
    if (factor === 'PASSWORD' || factor === 'PASSWORD_SRP') {
      if (f.password.state !== 'ok') return fieldRefusal(f.password, 'password', names.password, name) as FieldRefusal;
      return { kind: 'restart', preferred: 'PASSWORD_SRP', password: f.password.value };
    }
    return { kind: 'restart', preferred: factor };
  }
  switch (name) {
    case 'SELECT_CHALLENGE': {
      const bad = fieldRefusal(f.factor, 'factor', names.factor, name);
      if (bad) return bad;
      const available = (pending.state as MfaTokens).AvailableChallenges ?? [];
      let choice = (f.factor as { value: string }).value as FirstFactor;
      if (choice === 'PASSWORD' || choice === 'PASSWORD_SRP') {
        // SRP whenever Cognito offers it: the password then never leaves this server.
        choice = available.includes('PASSWORD_SRP') ? 'PASSWORD_SRP' : 'PASSWORD';
        if (!available.includes(choice)) return offered(available, names);
        const missing = fieldRefusal(f.password, 'password', names.password, name);
        if (missing) return missing;
        return { kind: 'answer', answer: { challenge: 'SELECT_CHALLENGE', choice, password: (f.password as { value: string }).value } };
      }
      if (!available.includes(choice)) return offered(available, names);
      return { kind: 'answer', answer: { challenge: 'SELECT_CHALLENGE', choice } };
    }
    case 'EMAIL_OTP':
    case 'SMS_OTP': {
      const bad = fieldRefusal(f.otp, 'code', names.code, name);
      return bad ?? { kind: 'answer', answer: { challenge: name, code: (f.otp as { value: string }).value } };
    }
    case 'WEB_AUTHN': {
      const bad = fieldRefusal(f.credential, 'credential', names.credential, name);
      if (bad) return bad;
      const credential = (f.credential as { value: string }).value;
      try {
        credentialJson(credential);
      } catch {
        return refuse('ERR_COGNITO_INVALID_FIELD', 'The credential is not a WebAuthn credential.', names.credential);
      }
      return { kind: 'answer', answer: { challenge: 'WEB_AUTHN', credential } };
    }
    default: {
      const bad = fieldRefusal(f.password, 'password', names.password, name);
      return bad ?? { kind: 'answer', answer: { challenge: name as 'PASSWORD' | 'PASSWORD_SRP', password: (f.password as { value: string }).value } };
    }
  }
}

function offered(available: readonly string[], names: UserAuthFieldNames): FieldRefusal {
  // PASSWORD_SRP is this strategy's way to use PASSWORD: the page need only know PASSWORD.
  const shown = available.filter((c) => c !== 'PASSWORD_SRP' || !available.includes('PASSWORD'));
  return refuse('ERR_COGNITO_INVALID_FIELD', `The factor must be one of ${shown.join(', ')}.`, names.factor);
}
