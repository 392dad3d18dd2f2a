/**
 * The challenges the sign-in engine answers, one handler each: how its answer is checked, what must
 * happen first (MFA_SETUP's VerifySoftwareToken), the ChallengeResponses it sends, and whether the
 * answer proves a password by SRP (PASSWORD_SRP, and SELECT_CHALLENGE choosing it) — the engine then
 * answers the PASSWORD_VERIFIER that follows. A new challenge type is one entry of
 * {@link CHALLENGE_HANDLERS} and its member of {@link ChallengeAnswer}.
 */
import type { MfaTokens } from './challenge';
import { CodeMismatchError } from './errors';
import { command } from './sdk';
import type { EngineContext } from './sign-in-engine';

/** An answer to a pending challenge. */
export type ChallengeAnswer =
  | { challenge: 'SOFTWARE_TOKEN_MFA'; code: string }
  | { challenge: 'SMS_MFA'; code: string }
  | { challenge: 'NEW_PASSWORD_REQUIRED'; newPassword: string; attributes?: Record<string, string> | undefined }
  | { challenge: 'SELECT_MFA_TYPE'; mfaType: MfaType }
  | { challenge: 'MFA_SETUP'; code: string; friendlyDeviceName?: string | undefined }
  | { challenge: 'CUSTOM_CHALLENGE'; answer: string }
  | { challenge: 'SELECT_CHALLENGE'; choice: FirstFactor; password?: string | undefined; credential?: WebAuthnCredential | undefined }
  | { challenge: 'EMAIL_OTP'; code: string }
  | { challenge: 'SMS_OTP'; code: string }
  | { challenge: 'PASSWORD'; password: string }
  | { challenge: 'PASSWORD_SRP'; password: string }
  | { challenge: 'WEB_AUTHN'; credential: WebAuthnCredential };

/** The MFA types SELECT_MFA_TYPE offers (`EMAIL_OTP`: e-mail MFA). */
export type MfaType = 'SOFTWARE_TOKEN_MFA' | 'SMS_MFA' | 'EMAIL_OTP';

/** The first factors of USER_AUTH (`PREFERRED_CHALLENGE`, or the choice at SELECT_CHALLENGE). */
export type FirstFactor = 'PASSWORD' | 'PASSWORD_SRP' | 'EMAIL_OTP' | 'SMS_OTP' | 'WEB_AUTHN';

/** Every {@link FirstFactor}. */
export const FIRST_FACTORS: readonly FirstFactor[] = ['PASSWORD', 'PASSWORD_SRP', 'EMAIL_OTP', 'SMS_OTP', 'WEB_AUTHN'];

/**
 * A passkey assertion for the WEB_AUTHN challenge: the AuthenticationResponseJSON the browser's
 * `credential.toJSON()` gives (`{ id, rawId, type: 'public-key', response: { … }, … }`), or that
 * JSON as a string. Sent to Cognito as a string (its `CREDENTIAL`).
 */
export type WebAuthnCredential = Record<string, unknown> | string;

/** The largest WebAuthn credential sent, in bytes of JSON (real assertions are a few KiB). */
export const MAX_CREDENTIAL_BYTES = 16 * 1024;

/** The longest custom-challenge answer sent to Cognito, in characters. */
export const MAX_CUSTOM_ANSWER_LENGTH = 2048;

/** How one challenge is answered. */
export interface ChallengeHandler<A extends ChallengeAnswer = ChallengeAnswer> {
  /** Checks the answer (a caller's mistake is a TypeError; a code that cannot be one, a CodeMismatchError). */
  check(answer: A): A;
  /** What must happen before the answer (MFA_SETUP: VerifySoftwareToken); returns the challenge to answer. */
  before?(ctx: EngineContext, pending: MfaTokens, answer: A): Promise<MfaTokens>;
  /** The ChallengeResponses beside USERNAME, SECRET_HASH and DEVICE_KEY (and SRP_A, see `srpPassword`). */
  responses(answer: A): Record<string, string>;
  /** The password this answer proves by SRP: the engine adds SRP_A and answers the PASSWORD_VERIFIER that follows. */
  srpPassword?(answer: A): string | undefined;
}

const MFA_TYPES: readonly string[] = ['SOFTWARE_TOKEN_MFA', 'SMS_MFA', 'EMAIL_OTP'];

/**
 * A code typed by a person: a caller passing something else than a string is a TypeError; a string
 * that cannot be a code is refused as a wrong code, without asking Cognito.
 *
 * @example
 * checkCode(' 123456 '); // '123456'
 */
export function checkCode(code: unknown): string {
  if (typeof code !== 'string') throw new TypeError('"code" must be a string');
  const trimmed = code.trim();
  if (!/^\d{6}$/.test(trimmed)) throw new CodeMismatchError();
  return trimmed;
}

/**
 * An optional friendly name (a device or an authenticator): at most 131 characters, Cognito's limit.
 *
 * @example
 * checkFriendlyName('laptop', 'deviceName');
 */
export function checkFriendlyName(value: unknown, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length === 0 || value.length > 131) throw new TypeError(`"${name}" must be a non-empty string`);
  return value;
}

function checkAttributes(attributes: unknown): Record<string, string> | undefined {
  if (attributes === undefined) return undefined;
  if (typeof attributes !== 'object' || attributes === null || Array.isArray(attributes) ||
    Object.values(attributes).some((v) => typeof v !== 'string')) {
    throw new TypeError('"attributes" must be an object of strings');
  }
  return { ...(attributes as Record<string, string>) };
}

const codeHandler = <A extends Extract<ChallengeAnswer, { code: string }>>(field: string): ChallengeHandler<A> => ({
  check: (a) => ({ ...a, code: checkCode(a.code) }),
  responses: (a) => ({ [field]: a.code }),
});

/**
 * The challenges the engine answers, by name. A new challenge type is one entry here (and its
 * member of {@link ChallengeAnswer}).
 */
export const CHALLENGE_HANDLERS: { readonly [K in ChallengeAnswer['challenge']]: ChallengeHandler<Extract<ChallengeAnswer, { challenge: K }>> } = {
  SOFTWARE_TOKEN_MFA: codeHandler('SOFTWARE_TOKEN_MFA_CODE'),
  SMS_MFA: codeHandler('SMS_MFA_CODE'),
  NEW_PASSWORD_REQUIRED: {
    check: (a) => {
      if (typeof a.newPassword !== 'string' || a.newPassword.length === 0) throw new TypeError('"newPassword" must be a non-empty string');
      return { ...a, attributes: checkAttributes(a.attributes) };
    },
    responses: (a) => {
      const out: Record<string, string> = { NEW_PASSWORD: a.newPassword };
      for (const [name, value] of Object.entries(a.attributes ?? {})) out[`userAttributes.${name}`] = value;
      return out;
    },
  },
  SELECT_MFA_TYPE: {
    check: (a) => {
      if (!MFA_TYPES.includes(a.mfaType)) throw new TypeError('"mfaType" must be "SOFTWARE_TOKEN_MFA", "SMS_MFA" or "EMAIL_OTP"');
      return a;
    },
    responses: (a) => ({ ANSWER: a.mfaType }),
  },
  MFA_SETUP: {
    check: (a) => ({ ...a, code: checkCode(a.code), friendlyDeviceName: checkFriendlyName(a.friendlyDeviceName, 'deviceName') }),
    async before(ctx, pending, a) {
      const out = await ctx.service.send<{ Status?: string; Session?: string }>(command('VerifySoftwareToken', {
        Session: pending.Session,
        UserCode: a.code,
        ...(a.friendlyDeviceName !== undefined ? { FriendlyDeviceName: a.friendlyDeviceName } : {}),
      }), 'challenge');
      if (out.Status !== 'SUCCESS') throw new CodeMismatchError();
      return { ...pending, ...(out.Session !== undefined ? { Session: out.Session } : {}) };
    },
    responses: () => ({}),
  },
  CUSTOM_CHALLENGE: {
    check: (a) => {
      if (typeof a.answer !== 'string' || a.answer.length === 0 || a.answer.length > MAX_CUSTOM_ANSWER_LENGTH) {
        throw new TypeError(`"answer" must be a non-empty string of at most ${MAX_CUSTOM_ANSWER_LENGTH} characters`);
      }
      return a;
    },
    responses: (a) => ({ ANSWER: a.answer }),
  },
  SELECT_CHALLENGE: {
    check: (a) => {
      if (!FIRST_FACTORS.includes(a.choice)) throw new TypeError(`"choice" must be one of ${FIRST_FACTORS.join(', ')}`);
      const needsPassword = a.choice === 'PASSWORD' || a.choice === 'PASSWORD_SRP';
      if (!needsPassword && a.password !== undefined) throw new TypeError(`"password" goes with PASSWORD or PASSWORD_SRP, not ${a.choice}`);
      if (a.choice !== 'WEB_AUTHN' && a.credential !== undefined) throw new TypeError(`"credential" goes with WEB_AUTHN, not ${a.choice}`);
      return {
        challenge: 'SELECT_CHALLENGE', choice: a.choice,
        ...(a.password !== undefined ? { password: checkPassword(a.password) } : {}),
        ...(a.credential !== undefined ? { credential: credentialJson(a.credential) } : {}),
      };
    },
    // PASSWORD_SRP without the password: Cognito asks for it (a PASSWORD_SRP challenge); with it, SRP_A now.
    responses: (a) => ({
      ANSWER: a.choice,
      ...(a.choice === 'PASSWORD' && a.password !== undefined ? { PASSWORD: a.password } : {}),
      ...(a.credential !== undefined ? { CREDENTIAL: credentialText(a.credential) } : {}),
    }),
    srpPassword: (a) => (a.choice === 'PASSWORD_SRP' ? a.password : undefined),
  },
  EMAIL_OTP: otpHandler('EMAIL_OTP_CODE'),
  SMS_OTP: otpHandler('SMS_OTP_CODE'),
  PASSWORD: {
    check: (a) => ({ ...a, password: checkPassword(a.password) }),
    responses: (a) => ({ PASSWORD: a.password }),
  },
  PASSWORD_SRP: {
    check: (a) => ({ ...a, password: checkPassword(a.password) }),
    responses: () => ({}),
    srpPassword: (a) => a.password,
  },
  WEB_AUTHN: {
    check: (a) => ({ ...a, credential: credentialJson(a.credential) }),
    responses: (a) => ({ CREDENTIAL: credentialText(a.credential) }),
  },
};

/**
 * A one-time code of USER_AUTH (EMAIL_OTP, SMS_OTP) or of e-mail MFA: 6 to 8 digits (Cognito's
 * sign-in codes have 8, its MFA codes 6), spaces and dashes typed inside removed. Anything else than
 * a string is a TypeError; a string that cannot be a code is refused as a wrong code, without asking Cognito.
 *
 * @example
 * checkOtp(' 1234 5678 '); // '12345678'
 */
export function checkOtp(code: unknown): string {
  if (typeof code !== 'string') throw new TypeError('"code" must be a string');
  const digits = code.trim().replace(/[ -]/g, '');
  if (!/^\d{6,8}$/.test(digits)) throw new CodeMismatchError();
  return digits;
}

function otpHandler<A extends Extract<ChallengeAnswer, { challenge: 'EMAIL_OTP' | 'SMS_OTP' }>>(field: string): ChallengeHandler<A> {
  return {
    check: (a) => ({ ...a, code: checkOtp(a.code) }),
    responses: (a) => ({ [field]: a.code }),
  };
}

function checkPassword(password: unknown): string {
  if (typeof password !== 'string' || password.length === 0) throw new TypeError('"password" must be a non-empty string');
  return password;
}

// The credential as sent: check() (credentialJson) has already validated and serialised it.
function credentialText(credential: WebAuthnCredential): string {
  return typeof credential === 'string' ? credential : JSON.stringify(credential);
}

/**
 * A WebAuthn credential as the object Cognito's registration API takes (CompleteWebAuthnRegistration's
 * `Credential` document): checked as {@link credentialJson} checks it, then parsed.
 *
 * @throws TypeError naming `credential`.
 * @example
 * checkCredentialObject(JSON.stringify(registration)); // { id, rawId, type: 'public-key', response }
 */
export function checkCredentialObject(credential: unknown): Record<string, unknown> {
  return JSON.parse(credentialJson(credential)) as Record<string, unknown>;
}

/**
 * A WebAuthn credential as the JSON string Cognito takes: an object (serialised) or a string that
 * parses to one, with `id`, `type: 'public-key'` and `response`, at most {@link MAX_CREDENTIAL_BYTES}.
 *
 * @throws TypeError naming `credential`.
 * @example
 * credentialJson(assertion.toJSON()); // '{"id":"…","type":"public-key",…}'
 */
export function credentialJson(credential: unknown): string {
  let text: string;
  if (typeof credential === 'string') text = credential;
  else if (typeof credential === 'object' && credential !== null && !Array.isArray(credential)) text = JSON.stringify(credential);
  else throw new TypeError('"credential" must be a WebAuthn credential (an object or its JSON)');
  if (Buffer.byteLength(text, 'utf8') > MAX_CREDENTIAL_BYTES) throw new TypeError('"credential" is too large');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new TypeError('"credential" must be JSON');
  }
  const c = parsed as { id?: unknown; type?: unknown; response?: unknown } | null;
  if (typeof c !== 'object' || c === null || Array.isArray(c) || typeof c.id !== 'string' || c.id.length === 0 ||
    c.type !== 'public-key' || typeof c.response !== 'object' || c.response === null) {
    throw new TypeError('"credential" must be a PublicKeyCredential\'s JSON: id, type "public-key" and response');
  }
  return text;
}

