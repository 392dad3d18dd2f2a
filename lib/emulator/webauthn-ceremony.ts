/**
 * Reading what a browser sends back from a WebAuthn ceremony before the signature is checked: the
 * client data (type, challenge, origin) and the fixed head of the authenticator data (RP ID hash,
 * flags, counter). Pure functions; they return `undefined` for malformed input and leave the error
 * to the caller, which knows which Cognito exception applies.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

/** The members of `clientDataJSON` a relying party checks. */
export interface ClientData {
  type: string;
  challenge: string;
  origin: string;
}

/** The fixed head of authenticator data (WebAuthn §6.1). */
export interface AuthenticatorDataHead {
  rpIdHash: Buffer;
  /** User present (flag bit 0). */
  up: boolean;
  /** User verified (flag bit 2). */
  uv: boolean;
  counter: number;
}

const BASE64URL = /^[A-Za-z0-9_-]*$/;

/** Whether `value` is a non-empty base64url string (no padding). */
export function isBase64Url(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && BASE64URL.test(value);
}

/** An object member as a record, or `undefined`. */
export function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/**
 * The client data of a response (`response.clientDataJSON`, base64url of a JSON object).
 *
 * @example
 * readClientData(Buffer.from(JSON.stringify({ type: 'webauthn.get', challenge: 'x', origin: 'https://a.example' })).toString('base64url'));
 */
export function readClientData(encoded: unknown): ClientData | undefined {
  if (!isBase64Url(encoded)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  const data = asRecord(parsed);
  if (!data || typeof data.type !== 'string' || typeof data.challenge !== 'string' || typeof data.origin !== 'string') return undefined;
  return { type: data.type, challenge: data.challenge, origin: data.origin };
}

/** The RP ID hash, flags and counter at the start of authenticator data, or `undefined` when it is too short. */
export function readAuthenticatorDataHead(bytes: Uint8Array): AuthenticatorDataHead | undefined {
  if (bytes.length < 37) return undefined;
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const flags = buffer[32];
  return { rpIdHash: buffer.subarray(0, 32), up: (flags & 0x01) !== 0, uv: (flags & 0x04) !== 0, counter: buffer.readUInt32BE(33) };
}

/** Whether an RP ID hash from authenticator data (its first 32 bytes) is SHA-256 of relying party `rpId`. */
export function rpIdHashMatches(rpIdHash: Uint8Array, rpId: string): boolean {
  return Buffer.from(rpIdHash).equals(createHash('sha256').update(rpId, 'utf8').digest());
}

/** Constant-time comparison of two challenges (base64url strings). */
export function sameChallenge(given: string, expected: string): boolean {
  const a = Buffer.from(given, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

// One DER INTEGER of an ECDSA signature at `at`: minimal, positive, at most 33 bytes. Returns the offset after it.
function derInteger(bytes: Uint8Array, at: number): number | undefined {
  if (bytes[at] !== 0x02) return undefined;
  const length = bytes[at + 1];
  if (length === undefined || length < 1 || length > 33 || at + 2 + length > bytes.length) return undefined;
  const first = bytes[at + 2];
  if ((first & 0x80) !== 0) return undefined;
  if (first === 0 && (length === 1 || ((bytes[at + 3]) & 0x80) === 0)) return undefined;
  return at + 2 + length;
}

/**
 * Whether an ES256 signature is strict DER (`SEQUENCE { INTEGER r, INTEGER s }`, exact lengths,
 * minimal integers), as WebAuthn authenticators produce it. A lenient parser would accept a
 * signature whose lengths were tampered with; this refuses it before the signature check.
 *
 * @example
 * isStrictDerSignature(Buffer.from(response.signature, 'base64url'));
 */
export function isStrictDerSignature(bytes: Uint8Array): boolean {
  if (bytes.length < 8 || bytes.length > 72 || bytes[0] !== 0x30 || bytes[1] !== bytes.length - 2) return false;
  const afterR = derInteger(bytes, 2);
  if (afterR === undefined) return false;
  return derInteger(bytes, afterR) === bytes.length;
}
