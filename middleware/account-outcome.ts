/**
 * What an account route answers, before content negotiation turns it into JSON or a redirect: shared
 * by the anonymous routes (`./cognito-account`) and the signed-in ones (`./account-signed-in`).
 */
import type { CognitoErrorCode } from '../lib/error-codes';
import type { CognitoError } from '../lib/errors';
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
  | { ok: false; status: number; code: CognitoErrorCode; message: string; field?: string; username?: string; retryAfter?: number };

/**
 * A `CognitoError` as a route's refusal (its status, code and message; `Retry-After` when throttled).
 *
 * @example
 * catch (e) { if (isCognitoError(e)) return refusal(e); throw e; }
 */
export function refusal(e: CognitoError): Outcome {
  const retryAfter = (e as { retryAfterSeconds?: unknown }).retryAfterSeconds;
  return {
    ok: false, status: e.status, code: e.code, message: e.message,
    ...(typeof retryAfter === 'number' ? { retryAfter } : {}),
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
