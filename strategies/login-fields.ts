/**
 * Reading and checking the login form of `CognitoStrategy` before anything reaches Cognito: JSON or
 * urlencoded bodies, configurable field names (with passport-local's `user[name]` bracket notation),
 * and size limits so that an oversized or non-string field is a 400, never a call to Cognito.
 */
import { MAX_USERNAME_LENGTH } from '../lib/cognito-rules';
import { MAX_CREDENTIAL_BYTES, MAX_CUSTOM_ANSWER_LENGTH } from '../lib/sign-in-engine';

/**
 * Longest username field read, in characters: twice Cognito's limit ({@link MAX_USERNAME_LENGTH}).
 * Longer is a malformed form (400); between the two, a well-formed name of nobody, which the
 * strategy answers as an unknown user (401), so the limit itself tells an attacker nothing.
 *
 * @example
 * if (name.length > MAX_USERNAME_FIELD_LENGTH) return fail(400);
 */
export const MAX_USERNAME_FIELD_LENGTH = 2 * MAX_USERNAME_LENGTH;
/**
 * Longest password accepted, in UTF-8 bytes (1 KiB).
 *
 * @example
 * if (Buffer.byteLength(pw) > MAX_PASSWORD_BYTES) return fail(400);
 */
export const MAX_PASSWORD_BYTES = 1024;

/**
 * The outcome of reading one field.
 *
 * @example
 * const r: FieldResult = readCode(req.body, 'code'); // { state: 'invalid', reason: 'must be 6 digits' }
 */
export type FieldResult =
  | { state: 'absent' }
  | { state: 'invalid'; reason: string }
  | { state: 'ok'; value: string };

/**
 * Looks up `field` in `body`, following `a[b][c]` bracket notation like passport-local.
 *
 * @returns the raw value, or `undefined` when any step is missing.
 * @example
 * lookup({ user: { name: 'ann' } }, 'user[name]'); // 'ann'
 */
export function lookup(body: unknown, field: string): unknown {
  if (typeof body !== 'object' || body === null) return undefined;
  const path = field.split(/[[\]]+/).filter((s) => s.length > 0);
  let node: unknown = body;
  for (const key of path) {
    if (typeof node !== 'object' || node === null || !Object.prototype.hasOwnProperty.call(node, key)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

function hasControl(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

/**
 * A username: a string of at most {@link MAX_USERNAME_FIELD_LENGTH} characters, trimmed of surrounding
 * whitespace (spaces, tabs, no-break spaces: a phone's autocomplete adds one, and Cognito usernames
 * hold none), then non-empty and without control characters. Only whitespace is absent.
 *
 * @example
 * readUsername({ username: ' ann@example.com ' }, 'username'); // { state: 'ok', value: 'ann@example.com' }
 */
export function readUsername(body: unknown, field: string): FieldResult {
  const raw = lookup(body, field);
  if (raw === undefined || raw === null || raw === '') return { state: 'absent' };
  if (typeof raw !== 'string') return { state: 'invalid', reason: 'must be a string' };
  if (raw.length > MAX_USERNAME_FIELD_LENGTH) return { state: 'invalid', reason: 'is too long' };
  const value = raw.trim();
  if (value === '') return { state: 'absent' };
  if (hasControl(value)) return { state: 'invalid', reason: 'has invalid characters' };
  return { state: 'ok', value };
}

/**
 * A password (or a new password): a non-empty string of at most {@link MAX_PASSWORD_BYTES} bytes.
 * Never trimmed or otherwise changed.
 *
 * @example
 * readPassword(req.body, 'password');
 */
export function readPassword(body: unknown, field: string): FieldResult {
  const raw = lookup(body, field);
  if (raw === undefined || raw === null || raw === '') return { state: 'absent' };
  if (typeof raw !== 'string') return { state: 'invalid', reason: 'must be a string' };
  if (Buffer.byteLength(raw, 'utf8') > MAX_PASSWORD_BYTES) return { state: 'invalid', reason: 'is too long' };
  return { state: 'ok', value: raw };
}

/**
 * A one-time code (TOTP or SMS): 6 digits; spaces people type in the middle are removed.
 *
 * @example
 * readCode({ code: '123 456' }, 'code'); // { state: 'ok', value: '123456' }
 */
export function readCode(body: unknown, field: string): FieldResult {
  const raw = lookup(body, field);
  if (raw === undefined || raw === null || raw === '') return { state: 'absent' };
  if (typeof raw !== 'string' && typeof raw !== 'number') return { state: 'invalid', reason: 'must be a string of digits' };
  const text = String(raw);
  if (text.length > 16) return { state: 'invalid', reason: 'must be 6 digits' };
  const code = text.replace(/[ -]/g, '');
  if (!/^\d{6}$/.test(code)) return { state: 'invalid', reason: 'must be 6 digits' };
  return { state: 'ok', value: code };
}

/**
 * A CUSTOM_CHALLENGE answer: a string (or a number, as JSON may send one) of at most
 * {@link MAX_CUSTOM_ANSWER_LENGTH} characters, without control characters; surrounding whitespace is
 * kept out (what the user typed is otherwise passed as is: the Verify trigger judges it).
 *
 * @example
 * readAnswer({ answer: ' blue ' }, 'answer'); // { state: 'ok', value: 'blue' }
 */
export function readAnswer(body: unknown, field: string): FieldResult {
  const raw = lookup(body, field);
  if (raw === undefined || raw === null || raw === '') return { state: 'absent' };
  if (typeof raw !== 'string' && !(typeof raw === 'number' && Number.isFinite(raw))) return { state: 'invalid', reason: 'must be a string' };
  const text = String(raw);
  if (text.length > MAX_CUSTOM_ANSWER_LENGTH) return { state: 'invalid', reason: 'is too long' };
  const value = text.trim();
  if (value === '') return { state: 'absent' };
  if (hasControl(value)) return { state: 'invalid', reason: 'has invalid characters' };
  return { state: 'ok', value };
}

/**
 * A one-time sign-in code (USER_AUTH's EMAIL_OTP / SMS_OTP, e-mail MFA): 6 to 8 digits, spaces and
 * dashes typed inside removed.
 *
 * @example
 * readOtp({ code: '1234 5678' }, 'code'); // { state: 'ok', value: '12345678' }
 */
export function readOtp(body: unknown, field: string): FieldResult {
  const raw = lookup(body, field);
  if (raw === undefined || raw === null || raw === '') return { state: 'absent' };
  if (typeof raw !== 'string' && typeof raw !== 'number') return { state: 'invalid', reason: 'must be a string of digits' };
  const text = String(raw);
  if (text.length > 20) return { state: 'invalid', reason: 'must be 6 to 8 digits' };
  const code = text.trim().replace(/[ -]/g, '');
  if (!/^\d{6,8}$/.test(code)) return { state: 'invalid', reason: 'must be 6 to 8 digits' };
  return { state: 'ok', value: code };
}

/**
 * A first factor of USER_AUTH, as a form names it: `PASSWORD`, `PASSWORD_SRP`, `EMAIL_OTP`,
 * `SMS_OTP`, `WEB_AUTHN` (any case; `email`, `sms`, `passkey` too).
 *
 * @example
 * readFactor({ factor: 'passkey' }, 'factor'); // { state: 'ok', value: 'WEB_AUTHN' }
 */
export function readFactor(body: unknown, field: string): FieldResult {
  const raw = lookup(body, field);
  if (raw === undefined || raw === null || raw === '') return { state: 'absent' };
  const reason = 'must be PASSWORD, EMAIL_OTP, SMS_OTP or WEB_AUTHN';
  if (typeof raw !== 'string' || raw.length > 32) return { state: 'invalid', reason };
  const upper = raw.trim().toUpperCase();
  const aliases: Record<string, string> = { EMAIL: 'EMAIL_OTP', SMS: 'SMS_OTP', PASSKEY: 'WEB_AUTHN', WEBAUTHN: 'WEB_AUTHN' };
  const value = aliases[upper] ?? upper;
  return ['PASSWORD', 'PASSWORD_SRP', 'EMAIL_OTP', 'SMS_OTP', 'WEB_AUTHN'].includes(value) ? { state: 'ok', value } : { state: 'invalid', reason };
}

/**
 * A WebAuthn credential posted by the page (the browser's `credential.toJSON()`): a JSON object, or
 * its JSON text (a form field), of at most {@link MAX_CREDENTIAL_BYTES}. Its shape is checked later, by the engine.
 *
 * @example
 * readCredential({ credential: '{"id":"…"}' }, 'credential'); // { state: 'ok', value: '{"id":"…"}' }
 */
export function readCredential(body: unknown, field: string): FieldResult {
  const raw = lookup(body, field);
  if (raw === undefined || raw === null || raw === '') return { state: 'absent' };
  let text: string;
  if (typeof raw === 'string') text = raw;
  else if (typeof raw === 'object' && !Array.isArray(raw)) text = JSON.stringify(raw);
  else return { state: 'invalid', reason: 'must be a WebAuthn credential' };
  if (Buffer.byteLength(text, 'utf8') > MAX_CREDENTIAL_BYTES) return { state: 'invalid', reason: 'is too large' };
  return { state: 'ok', value: text };
}

/**
 * The MFA types a user can pick at SELECT_MFA_TYPE.
 *
 * @example
 * MFA_TYPES.includes(choice);
 */
export const MFA_TYPES = ['SOFTWARE_TOKEN_MFA', 'SMS_MFA'] as const;
/**
 * One of {@link MFA_TYPES}.
 *
 * @example
 * const t: MfaType = 'SOFTWARE_TOKEN_MFA';
 */
export type MfaType = (typeof MFA_TYPES)[number];

/**
 * An MFA type: `SOFTWARE_TOKEN_MFA` or `SMS_MFA` (also accepted: `TOTP`/`SOFTWARE_TOKEN` and `SMS`,
 * any case).
 *
 * @example
 * readMfaType({ mfaType: 'totp' }, 'mfaType'); // { state: 'ok', value: 'SOFTWARE_TOKEN_MFA' }
 */
export function readMfaType(body: unknown, field: string): FieldResult {
  const raw = lookup(body, field);
  if (raw === undefined || raw === null || raw === '') return { state: 'absent' };
  if (typeof raw !== 'string' || raw.length > 32) return { state: 'invalid', reason: 'must be SOFTWARE_TOKEN_MFA, SMS_MFA or EMAIL_OTP' };
  const upper = raw.toUpperCase();
  if (upper === 'SOFTWARE_TOKEN_MFA' || upper === 'TOTP' || upper === 'SOFTWARE_TOKEN') return { state: 'ok', value: 'SOFTWARE_TOKEN_MFA' };
  if (upper === 'SMS_MFA' || upper === 'SMS') return { state: 'ok', value: 'SMS_MFA' };
  if (upper === 'EMAIL_OTP' || upper === 'EMAIL_MFA' || upper === 'EMAIL') return { state: 'ok', value: 'EMAIL_OTP' };
  return { state: 'invalid', reason: 'must be SOFTWARE_TOKEN_MFA, SMS_MFA or EMAIL_OTP' };
}

/**
 * The attributes NEW_PASSWORD_REQUIRED says the user must give with the new password
 * (`requiredAttributes`, e.g. `["userAttributes.name"]`), read from `attributes[<name>]` — a JSON
 * object `{ attributes: { name: 'Ann' } }` or form fields named `attributes[name]`. Each must be a
 * non-empty string of at most 2048 characters.
 *
 * @returns the values by attribute name (prefix removed), or the first missing/invalid name.
 * @example
 * readRequiredAttributes({ attributes: { name: 'Ann' } }, ['userAttributes.name']); // { values: { name: 'Ann' } }
 */
export function readRequiredAttributes(
  body: unknown, required: readonly string[],
): { values: Record<string, string> } | { missing: string } {
  const values: Record<string, string> = {};
  for (const raw of required) {
    const name = raw.replace(/^userAttributes\./, '');
    if (!/^[\w:.-]{1,64}$/.test(name)) return { missing: 'attribute' };
    const key = `attributes[${name}]`;
    const flat = typeof body === 'object' && body !== null && Object.prototype.hasOwnProperty.call(body, key)
      ? (body as Record<string, unknown>)[key] : undefined;
    const value = lookup(body, key) ?? flat;
    if (typeof value !== 'string' || value === '' || value.length > 2048) return { missing: name };
    values[name] = value;
  }
  return { values };
}
