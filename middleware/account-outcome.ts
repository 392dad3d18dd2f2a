/**
 * What an account route answers, before content negotiation turns it into JSON or a redirect: shared
 * by the anonymous routes (`./cognito-account`) and the signed-in ones (`./account-signed-in`).
 */
import type { CognitoErrorCode } from '../lib/error-codes';
import type { CognitoError } from '../lib/errors';
import type { PasswordRequirement } from '../lib/password-policy';
import type { FieldResult } from '../strategies/login-fields';

/** The pages of the account flows a browser is sent to. */
export type AccountPage = 'sign-up' | 'confirm' | 'resend' | 'forgot' | 'reset' | 'signIn' | 'profile' | 'verify' | 'mfa';

/** Where a code went (masked), as the JSON answer shows it. */
export interface DeliveryHint {
  destination: string;
  deliveryMedium: string;
  attributeName: string;
}

/** A TOTP authenticator to add: the secret and its `otpauth://` URI (for a QR code). */
export interface TotpEnrolment {
  secretCode: string;
  otpauthUri: string;
}

/** An answer of a route: JSON fields on success, or a refusal. */
export type Outcome =
  | { ok: true; next: AccountPage; username: string; codeDelivery?: DeliveryHint; totp?: TotpEnrolment }
  | {
    ok: false; status: number; code: CognitoErrorCode; message: string; field?: string;
    /** The username the request was about, as read from the form: for the browser's flash only, never the JSON. */
    username?: string;
    /** The rule of the password policy a refused password broke (`ERR_COGNITO_INVALID_PASSWORD`), when Cognito said. */
    requirement?: PasswordRequirement;
    retryAfter?: number;
  };

const REQUIREMENTS: ReadonlySet<unknown> = new Set<PasswordRequirement>(['length', 'lowercase', 'uppercase', 'numbers', 'symbols', 'history']);

function isRequirement(value: unknown): value is PasswordRequirement {
  return REQUIREMENTS.has(value);
}

/**
 * A `CognitoError` as a route's refusal (its status, code and message; `Retry-After` when throttled;
 * the broken rule of a refused password).
 *
 * @example
 * catch (e) { if (isCognitoError(e)) return refusal(e); throw e; }
 */
export function refusal(e: CognitoError): Outcome {
  const retryAfter = (e as { retryAfterSeconds?: unknown }).retryAfterSeconds;
  // Read as data, not by class: a duplicated copy of the package throws its own InvalidPasswordError.
  const requirement = e.code === 'ERR_COGNITO_INVALID_PASSWORD' ? (e as { requirement?: unknown }).requirement : undefined;
  return {
    ok: false, status: e.status, code: e.code, message: e.message,
    ...(typeof retryAfter === 'number' ? { retryAfter } : {}),
    ...(isRequirement(requirement) ? { requirement } : {}),
  };
}

/**
 * A 400 naming a missing or malformed field.
 *
 * @example
 * if (code.state !== 'ok') return badField('code', code);
 */
export function badField(field: string, result: FieldResult): Outcome {
  const missing = result.state === 'absent';
  return {
    ok: false, status: 400, code: missing ? 'ERR_COGNITO_MISSING_FIELD' : 'ERR_COGNITO_INVALID_FIELD', field,
    message: missing ? `"${field}" is required.` : `"${field}" ${result.state === 'invalid' ? result.reason : 'is invalid'}.`,
  };
}

/** Longest attribute value a form may send (Cognito's limit). */
const MAX_ATTRIBUTE_LENGTH = 2048;

/**
 * The allowed attribute fields present in a form body: strings without surrounding spaces, at most
 * 2048 characters; an empty one is skipped, or kept with `keepEmpty` (it deletes the attribute in an
 * update). A 400 naming the first field that is not so.
 *
 * @example
 * const read = readAttributeFields(body, ['email', 'name'], false);
 * if ('refused' in read) return read.refused;
 */
export function readAttributeFields(
  body: unknown, allowed: readonly string[], keepEmpty: boolean,
): { values: Record<string, string> } | { refused: Outcome } {
  const fields = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const values: Record<string, string> = {};
  for (const name of allowed) {
    const v = fields[name];
    if (v === undefined || (v === '' && !keepEmpty)) continue;
    if (typeof v !== 'string' || v.length > MAX_ATTRIBUTE_LENGTH || v.trim() !== v) {
      return { refused: { ok: false, status: 400, code: 'ERR_COGNITO_INVALID_FIELD', field: name, message: `"${name}" is invalid.` } };
    }
    values[name] = v;
  }
  return { values };
}
