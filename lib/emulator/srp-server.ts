/**
 * The server half of Cognito's SRP-6a (USER_SRP_AUTH + PASSWORD_VERIFIER), pure apart from
 * drawing random numbers. Group arithmetic comes from `lib/srp-group.ts` (OpenSSL modexp).
 *
 * Per user the emulator keeps only a salt and the verifier v = g^x, where
 * x = H(PAD(salt) | H(poolName | username | ":" | password)); the password itself is never stored.
 */
import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { N, gPowN, hashBytes, hashHex, k, modPowN, padHex, toHex } from '../srp-group';

/** What the emulator stores for a password. */
export interface PasswordVerifier {
  /** 16 random bytes, as an integer. */
  salt: bigint;
  /** v = g^x mod N. */
  verifier: bigint;
}

/** The server's ephemeral pair for one PASSWORD_VERIFIER challenge. */
export interface ServerEphemeral {
  /** Secret exponent b. */
  b: bigint;
  /** Public value B = (k·v + g^b) mod N. */
  B: bigint;
}

/** The part of a pool id after the `_`, which Cognito mixes into x and the claim signature. */
export function poolNameOf(poolId: string): string {
  return poolId.slice(poolId.indexOf('_') + 1);
}

function privateX(poolName: string, username: string, password: string, salt: bigint): bigint {
  const inner = hashBytes(`${poolName}${username}:${password}`);
  return BigInt('0x' + hashHex(padHex(salt) + inner));
}

/**
 * Derives a salt (random unless given) and the verifier for a password.
 *
 * @param poolName the pool id's part after `_`.
 * @param username the internal username (USER_ID_FOR_SRP).
 */
export function createPasswordVerifier(
  poolName: string,
  username: string,
  password: string,
  salt: bigint = BigInt('0x' + randomBytes(16).toString('hex')),
): PasswordVerifier {
  return { salt, verifier: gPowN(privateX(poolName, username, password, salt)) };
}

/** Whether `password` is the one behind `stored`, compared in constant time. */
export function passwordMatches(poolName: string, username: string, password: string, stored: PasswordVerifier): boolean {
  const candidate = createPasswordVerifier(poolName, username, password, stored.salt).verifier;
  const a = Buffer.from(padHex(candidate), 'hex');
  const b = Buffer.from(padHex(stored.verifier), 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Draws b and computes B = (k·v + g^b) mod N. */
export function createServerEphemeral(verifier: bigint): ServerEphemeral {
  for (;;) {
    const b = BigInt('0x' + randomBytes(32).toString('hex'));
    const B = (k * verifier + gPowN(b)) % N;
    if (B !== 0n) return { b, B };
  }
}

/**
 * The 16-byte key both sides derive: u = H(PAD(A) | PAD(B)), S = (A · v^u)^b mod N,
 * key = HKDF-SHA256(salt = PAD(u), ikm = PAD(S), info "Caldera Derived Key").
 *
 * @returns the key, or `undefined` when A mod N = 0 or u = 0 (a client trying to force S).
 */
export function derivePasswordKey(A: bigint, ephemeral: ServerEphemeral, verifier: bigint): Buffer | undefined {
  if (A <= 0n || A % N === 0n) return undefined;
  const u = BigInt('0x' + hashHex(padHex(A) + padHex(ephemeral.B)));
  if (u === 0n) return undefined;
  const S = modPowN((A % N) * modPowN(verifier, u), ephemeral.b);
  const key = hkdfSync('sha256', Buffer.from(padHex(S), 'hex'), Buffer.from(padHex(u), 'hex'), 'Caldera Derived Key', 16);
  return Buffer.from(key);
}

/**
 * The PASSWORD_CLAIM_SIGNATURE a client holding the right password sends:
 * HMAC-SHA256(key, poolName | userIdForSrp | SECRET_BLOCK bytes | TIMESTAMP).
 */
export function expectedClaimSignature(
  key: Buffer,
  poolName: string,
  userIdForSrp: string,
  secretBlock: Buffer,
  timestamp: string,
): Buffer {
  return createHmac('sha256', key)
    .update(Buffer.concat([Buffer.from(poolName, 'utf8'), Buffer.from(userIdForSrp, 'utf8'), secretBlock, Buffer.from(timestamp, 'utf8')]))
    .digest();
}

/** Constant-time comparison of a base64 PASSWORD_CLAIM_SIGNATURE with the expected bytes. */
export function claimSignatureMatches(givenBase64: string, expected: Buffer): boolean {
  const given = Buffer.from(givenBase64, 'base64');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Parses a hex SRP_A; `undefined` when it is not hex. */
export function parseSrpA(hex: string): bigint | undefined {
  if (!/^[0-9a-fA-F]{1,2048}$/.test(hex)) return undefined;
  return BigInt('0x' + hex);
}

/** Hex of B or the salt as sent in ChallengeParameters. */
export function srpHex(value: bigint): string {
  return toHex(value);
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * Parses a TIMESTAMP as Cognito clients send it, `Sat Jan 1 00:00:00 UTC 2022` (UTC, English names,
 * day of month not zero-padded; a zero-padded day is accepted too).
 *
 * @returns milliseconds since the epoch, or `undefined` when malformed.
 */
export function parseSrpTimestamp(text: string): number | undefined {
  const m = /^(Sun|Mon|Tue|Wed|Thu|Fri|Sat) ([A-Z][a-z]{2}) (\d{1,2}) (\d{2}):(\d{2}):(\d{2}) UTC (\d{4})$/.exec(text);
  if (!m) return undefined;
  const month = MONTHS.indexOf(m[2]);
  const [day, hours, minutes, seconds, year] = [m[3], m[4], m[5], m[6], m[7]].map(Number) as [number, number, number, number, number];
  if (month < 0 || day < 1 || day > 31 || hours > 23 || minutes > 59 || seconds > 60) return undefined;
  const ms = Date.UTC(year, month, day, hours, minutes, seconds);
  if (new Date(ms).getUTCDate() !== day) return undefined;
  return ms;
}
