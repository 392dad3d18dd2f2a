/**
 * Random identifiers in the shapes Cognito uses: pool ids, client ids and secrets, subs, opaque
 * handles. All from `node:crypto`.
 */
import { randomBytes, randomInt, randomUUID } from 'node:crypto';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const LOWER_ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';

function pick(alphabet: string, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[randomInt(alphabet.length)];
  return out;
}

/** A user pool id, `<region>_<9 alphanumerics>`. */
export function newPoolId(region: string): string {
  return `${region}_${pick(ALNUM, 9)}`;
}

/** An app client id: 26 lower-case alphanumerics. */
export function newClientId(): string {
  return pick(LOWER_ALNUM, 26);
}

/** An app client secret: 51 lower-case alphanumerics. */
export function newClientSecret(): string {
  return pick(LOWER_ALNUM, 51);
}

/** A random UUID (user `sub`, `jti`, `origin_jti`, `event_id`). */
export function newUuid(): string {
  return randomUUID();
}

/** `bytes` random bytes as base64url, for opaque handles. */
export function randomToken(bytes: number): string {
  return randomBytes(bytes).toString('base64url');
}

/**
 * A challenge `Session`: shaped like Cognito's, which begin `AYAB` (so that none begins with `-`,
 * which `aws cognito-idp respond-to-auth-challenge --session VALUE` would read as an option), then
 * 192 random bytes.
 */
export function newSessionId(): string {
  return `AYAB${randomToken(192)}`;
}

/** A random numeric code of `digits` digits (SMS codes). */
export function numericCode(digits = 6): string {
  return String(randomInt(10 ** digits)).padStart(digits, '0');
}

/**
 * A temporary password that satisfies any policy up to `minimumLength` (upper, lower, digit, symbol).
 */
export function temporaryPassword(minimumLength = 8): string {
  const length = Math.max(minimumLength, 12);
  const core = pick(ALNUM, length - 4);
  return `${pick('ABCDEFGHJKLMNPQRSTUVWXYZ', 1)}${pick('abcdefghijkmnpqrstuvwxyz', 1)}${pick('23456789', 1)}!${core}`;
}
