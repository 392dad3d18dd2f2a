/**
 * Time-based one-time passwords (RFC 6238 over RFC 4226 HOTP, HMAC-SHA1) and the RFC 4648 base32
 * encoding authenticator apps use for their shared secrets — what Cognito's SOFTWARE_TOKEN_MFA
 * (AssociateSoftwareToken / VerifySoftwareToken) speaks.
 *
 * Pure functions: the time is always passed in, never read from the clock.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

// Character code → 5-bit value, -1 for characters outside the alphabet. Lower case maps like upper.
const DECODE_TABLE: Int8Array = (() => {
  const table = new Int8Array(128).fill(-1);
  for (let i = 0; i < ALPHABET.length; i++) {
    table[ALPHABET.charCodeAt(i)] = i;
    table[ALPHABET.toLowerCase().charCodeAt(i)] = i;
  }
  return table;
})();

/**
 * Encodes bytes as RFC 4648 base32 (upper case, alphabet `A–Z2–7`), **without** `=` padding — the
 * form authenticator apps and `otpauth://` URIs expect.
 *
 * @param bytes the bytes to encode.
 * @returns the base32 text, `ceil(8 * bytes.length / 5)` characters long.
 * @example
 * base32Encode(Buffer.from('foobar')); // 'MZXW6YTBOI'
 */
export function base32Encode(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = ((buffer << 8) | byte) & 0xfff;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += ALPHABET[(buffer >>> bits) & 31];
    }
  }
  if (bits > 0) out += ALPHABET[(buffer << (5 - bits)) & 31];
  return out;
}

/**
 * Decodes RFC 4648 base32. Case-insensitive; trailing `=` padding is optional and ignored.
 *
 * @param text base32 text.
 * @returns the decoded bytes.
 * @throws TypeError when `text` is not a string, holds a character outside the base32 alphabet
 *   (including `=` anywhere but at the end), or has a length no byte string encodes to
 *   (1, 3 or 6 characters past a multiple of 8).
 * @example
 * base32Decode('mzxw6ytboi======').toString(); // 'foobar'
 */
export function base32Decode(text: string): Buffer {
  if (typeof text !== 'string') throw new TypeError('base32 input must be a string');
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === 0x3d /* = */) end--;
  const rest = end % 8;
  if (rest === 1 || rest === 3 || rest === 6) {
    throw new TypeError(`base32 input has an impossible length (${end} characters without padding)`);
  }
  const out = Buffer.alloc(Math.floor((end * 5) / 8));
  let buffer = 0;
  let bits = 0;
  let index = 0;
  for (let i = 0; i < end; i++) {
    const code = text.charCodeAt(i);
    const value = code < 128 ? DECODE_TABLE[code] : -1;
    if (value < 0) throw new TypeError(`base32 input has an invalid character at position ${i}`);
    buffer = ((buffer << 5) | value) & 0xfff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out[index++] = (buffer >>> bits) & 0xff;
    }
  }
  return out;
}

/** Options of {@link generateTotp}. */
export interface TotpOptions {
  /** Length of a time step, in seconds. Default 30 (what Cognito and authenticator apps use). */
  stepSeconds?: number;
  /** Number of digits of the code, 6–10. Default 6. */
  digits?: number;
}

/** Options of {@link verifyTotp}. */
export interface VerifyTotpOptions extends TotpOptions {
  /**
   * How many time steps either side of the current one are also accepted, for clock drift and the
   * time a person takes to type. Default 1 (so 3 codes are valid at any moment).
   */
  window?: number;
}

function resolveStep(options: TotpOptions | undefined): number {
  const step = options?.stepSeconds ?? 30;
  if (!Number.isSafeInteger(step) || step <= 0) {
    throw new TypeError('"stepSeconds" must be a positive integer');
  }
  return step;
}

function resolveDigits(options: TotpOptions | undefined): number {
  const digits = options?.digits ?? 6;
  if (!Number.isInteger(digits) || digits < 6 || digits > 10) {
    throw new TypeError('"digits" must be an integer from 6 to 10');
  }
  return digits;
}

function resolveKey(secretBase32: string): Buffer {
  const key = base32Decode(secretBase32);
  if (key.length === 0) throw new TypeError('the TOTP secret must not be empty');
  return key;
}

function resolveCounter(timeMs: number, step: number): number {
  if (!Number.isFinite(timeMs) || timeMs < 0) {
    throw new TypeError('"timeMs" must be a non-negative finite number of milliseconds');
  }
  return Math.floor(timeMs / 1000 / step);
}

// RFC 4226 section 5.3: HMAC-SHA1 over the 8-byte big-endian counter, dynamic truncation.
function hotp(key: Buffer, counter: number, digits: number): string {
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac('sha1', key).update(message).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return (binary % 10 ** digits).toString().padStart(digits, '0');
}

/**
 * Computes the RFC 6238 TOTP code (HMAC-SHA1) for a base32 secret at a given time.
 *
 * @param secretBase32 the shared secret in base32 (as Cognito's AssociateSoftwareToken returns it).
 * @param timeMs the time, in milliseconds since the Unix epoch.
 * @param options `stepSeconds` (default 30) and `digits` (default 6).
 * @returns the code, zero-padded to `digits` characters.
 * @throws TypeError for a malformed or empty secret, a negative time or bad options.
 * @example
 * generateTotp('JBSWY3DPEHPK3PXP', Date.UTC(2024, 0, 1)); // a 6-digit string such as '123456'
 */
export function generateTotp(secretBase32: string, timeMs: number, options?: TotpOptions): string {
  const step = resolveStep(options);
  const digits = resolveDigits(options);
  return hotp(resolveKey(secretBase32), resolveCounter(timeMs, step), digits);
}

/**
 * Checks a TOTP code against a base32 secret at a given time, accepting `window` steps either side.
 * Every candidate is compared in constant time and all of them are always computed, so the time
 * taken tells nothing about which step (if any) matched.
 *
 * @param secretBase32 the shared secret in base32.
 * @param code the code the person typed. Anything that is not exactly `digits` ASCII digits is
 *   simply wrong: the result is `false`, never an exception.
 * @param timeMs the time, in milliseconds since the Unix epoch.
 * @param options `window` in steps (default 1), `stepSeconds` (default 30), `digits` (default 6).
 * @returns whether the code is valid.
 * @throws TypeError for a malformed or empty secret, a negative time or bad options (caller mistakes).
 * @example
 * const now = Date.now();
 * verifyTotp(secret, generateTotp(secret, now), now); // true
 */
export function verifyTotp(
  secretBase32: string,
  code: string,
  timeMs: number,
  options?: VerifyTotpOptions,
): boolean {
  const step = resolveStep(options);
  const digits = resolveDigits(options);
  const window = options?.window ?? 1;
  if (!Number.isInteger(window) || window < 0 || window > 10) {
    throw new TypeError('"window" must be an integer from 0 to 10');
  }
  const key = resolveKey(secretBase32);
  const counter = resolveCounter(timeMs, step);
  if (typeof code !== 'string' || code.length !== digits || !/^[0-9]+$/.test(code)) return false;
  const given = Buffer.from(code, 'ascii');
  let ok = false;
  for (let c = counter - window; c <= counter + window; c++) {
    if (c < 0) continue;
    const expected = Buffer.from(hotp(key, c, digits), 'ascii');
    // No short-circuit: every candidate is compared.
    ok = timingSafeEqual(expected, given) || ok;
  }
  return ok;
}

/** Input of {@link otpauthUri}. */
export interface OtpauthUriInput {
  /** The shared secret in base32 (padding and case are normalised). */
  secretBase32: string;
  /** The account shown in the authenticator app, e.g. the username or e-mail. */
  accountName: string;
  /** Who issued it, e.g. the app's name. */
  issuer: string;
}

/**
 * Builds the `otpauth://` key URI (Google Authenticator's Key Uri Format) that authenticator apps
 * read from a QR code: `otpauth://totp/<issuer>:<account>?secret=…&issuer=…&algorithm=SHA1&digits=6&period=30`.
 * Issuer and account are percent-encoded (spaces as `%20`); the secret is upper-case base32
 * without padding.
 *
 * @throws TypeError when the secret is not valid base32, or the issuer or account is empty or
 *   contains a `:` (which apps would read as the label separator).
 * @example
 * otpauthUri({ secretBase32: 'JBSWY3DPEHPK3PXP', accountName: 'alice@example.com', issuer: 'Acme Co' });
 * // 'otpauth://totp/Acme%20Co:alice%40example.com?secret=JBSWY3DPEHPK3PXP&issuer=Acme%20Co&algorithm=SHA1&digits=6&period=30'
 */
export function otpauthUri({ secretBase32, accountName, issuer }: OtpauthUriInput): string {
  for (const [name, value] of [
    ['accountName', accountName],
    ['issuer', issuer],
  ] as const) {
    if (typeof value !== 'string' || value.length === 0) throw new TypeError(`"${name}" must be a non-empty string`);
    if (value.includes(':')) throw new TypeError(`"${name}" must not contain ":"`);
  }
  const secret = base32Encode(resolveKey(secretBase32));
  const label = `${encodeURIComponent(issuer)}:${encodeURIComponent(accountName)}`;
  return (
    `otpauth://totp/${label}?secret=${secret}&issuer=${encodeURIComponent(issuer)}` +
    '&algorithm=SHA1&digits=6&period=30'
  );
}
