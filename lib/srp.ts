/**
 * The client side of Cognito's SRP-6a (USER_SRP_AUTH → PASSWORD_VERIFIER, and DEVICE_SRP_AUTH →
 * DEVICE_PASSWORD_VERIFIER), as pure functions over the group in `./srp-group`.
 *
 * Cognito's quirks, all matched bit for bit with amazon-cognito-identity-js:
 * - every big integer is hashed as the bytes of its *signed-magnitude* hex (`padHex`), and hashes
 *   and hex parameters (SALT, u, x) are first read as integers, so their leading zero bytes vanish;
 * - x = H(PAD(salt) | H(poolName | userId | ":" | password)) with poolName the part of the pool id
 *   after `_` (for a device: deviceGroupKey and deviceKey in place of poolName and userId);
 * - the session key is the first 16 bytes of HKDF-SHA256(salt = PAD(u), ikm = PAD(S),
 *   info = "Caldera Derived Key");
 * - the signature is HMAC-SHA256(key, poolName | userId | SECRET_BLOCK bytes | TIMESTAMP), base64.
 */
import { createHash, createHmac, hkdfSync } from 'node:crypto';
import { N, gPowN, k, modPowN, padHex } from './srp-group';
import type { SrpEphemeral } from './srp-ephemeral';
import { formatSrpTimestamp } from './srp-timestamp';

export { createSrpEphemeral, srpEphemeralFromSecret, type SrpEphemeral } from './srp-ephemeral';
export { formatSrpTimestamp } from './srp-timestamp';

const HKDF_INFO = Buffer.from('Caldera Derived Key', 'utf8');
const HEX = /^[0-9a-fA-F]+$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const POOL_ID = /^[\w-]+_[0-9A-Za-z]+$/;

function hexToBigInt(hex: string): bigint {
  return BigInt('0x' + hex);
}

function padBytes(value: bigint): Buffer {
  return Buffer.from(padHex(value), 'hex');
}

/**
 * u = H(PAD(A) | PAD(B)), the scrambling parameter.
 *
 * @throws Error when B mod N = 0 or u = 0 (SRP-6a requires the client to abort).
 * @example
 * computeSrpU(ephemeral.A, BigInt('0x' + challengeParameters.SRP_B));
 */
export function computeSrpU(A: bigint, B: bigint): bigint {
  if (B % N === 0n) throw new Error('SRP: the server value B is invalid (B mod N = 0)');
  const u = hexToBigInt(
    createHash('sha256').update(padBytes(A)).update(padBytes(B)).digest('hex'),
  );
  if (u === 0n) throw new Error('SRP: the scrambling parameter u is 0');
  return u;
}

/**
 * x = H(PAD(salt) | H(poolName | userId | ":" | password)), the private key derived from the password.
 * For a device, pass deviceGroupKey as `poolName`, deviceKey as `userId` and the device password.
 *
 * @param salt the SALT challenge parameter read as an integer.
 * @example
 * computeSrpX(BigInt('0x' + SALT), 'AbCdEf123', USER_ID_FOR_SRP, password);
 */
export function computeSrpX(salt: bigint, poolName: string, userId: string, password: string): bigint {
  const inner = createHash('sha256').update(`${poolName}${userId}:${password}`, 'utf8').digest();
  return hexToBigInt(createHash('sha256').update(padBytes(salt)).update(inner).digest('hex'));
}

/**
 * S = (B − k·g^x)^(a + u·x) mod N, with the base normalised into [0, N) first. Two modular
 * exponentiations in OpenSSL (g^x with a 256-bit exponent, then the ~1 100-bit main one).
 *
 * @example
 * const S = computeSrpS({ a: ephemeral.a, B, u, x });
 */
export function computeSrpS({ a, B, u, x }: { a: bigint; B: bigint; u: bigint; x: bigint }): bigint {
  const base = (((B - k * gPowN(x)) % N) + N) % N;
  return modPowN(base, a + u * x);
}

/**
 * The 16-byte session key: HKDF-SHA256 with salt PAD(u), input key material PAD(S) and info
 * "Caldera Derived Key".
 *
 * @example
 * const key = deriveSrpKey(S, u); // Buffer of 16 bytes
 */
export function deriveSrpKey(S: bigint, u: bigint): Buffer {
  return Buffer.from(hkdfSync('sha256', padBytes(S), padBytes(u), HKDF_INFO, 16));
}

/** Input of {@link srpPasswordAuthenticationKey}. */
export interface SrpKeyInput {
  /** The pool name (pool id after `_`), or the device group key for device SRP. */
  poolName: string;
  /** USER_ID_FOR_SRP, or the device key for device SRP. */
  userId: string;
  /** The user's password, or the device password. */
  password: string;
  /** This login's client ephemeral. */
  ephemeral: Pick<SrpEphemeral, 'a' | 'A'>;
  /** SRP_B read as an integer. */
  B: bigint;
  /** SALT read as an integer. */
  salt: bigint;
}

/**
 * The whole client computation of the session key (amazon-cognito-identity-js's
 * `getPasswordAuthenticationKey`): u, x, S, then HKDF.
 *
 * @throws Error when B mod N = 0 or u = 0.
 * @example
 * const key = srpPasswordAuthenticationKey({ poolName, userId, password, ephemeral, B, salt });
 */
export function srpPasswordAuthenticationKey({ poolName, userId, password, ephemeral, B, salt }: SrpKeyInput): Buffer {
  const u = computeSrpU(ephemeral.A, B);
  const x = computeSrpX(salt, poolName, userId, password);
  return deriveSrpKey(computeSrpS({ a: ephemeral.a, B, u, x }), u);
}

/**
 * PASSWORD_CLAIM_SIGNATURE = base64(HMAC-SHA256(key, utf8(poolName) | utf8(userId) |
 * SECRET_BLOCK bytes | utf8(timestamp))).
 *
 * @param secretBlock the SECRET_BLOCK bytes (already base64-decoded).
 * @example
 * passwordClaimSignature(key, poolName, userId, Buffer.from(SECRET_BLOCK, 'base64'), TIMESTAMP);
 */
export function passwordClaimSignature(
  key: Uint8Array,
  poolName: string,
  userId: string,
  secretBlock: Uint8Array,
  timestamp: string,
): string {
  return createHmac('sha256', key)
    .update(poolName, 'utf8')
    .update(userId, 'utf8')
    .update(secretBlock)
    .update(timestamp, 'utf8')
    .digest('base64');
}

/** The challenge parameters both verifier challenges carry. */
interface SrpChallengeParameters {
  SRP_B?: string;
  SALT?: string;
  SECRET_BLOCK?: string;
}

function challengeError(challenge: string, name: string, what: string): Error {
  return new Error(`Cognito's ${challenge} challenge is malformed: "${name}" is missing or not ${what}`);
}

// Validates the server's values; messages name the parameter, never echo a value.
function readChallenge(challenge: string, params: SrpChallengeParameters | undefined) {
  const p = (params ?? {}) as Record<string, unknown>;
  const hex = (name: string): bigint => {
    const value = p[name];
    if (typeof value !== 'string' || !HEX.test(value)) throw challengeError(challenge, name, 'hexadecimal');
    return hexToBigInt(value);
  };
  const B = hex('SRP_B');
  const salt = hex('SALT');
  const block = p.SECRET_BLOCK;
  if (typeof block !== 'string' || !BASE64.test(block) || block.replace(/=+$/, '').length % 4 === 1) {
    throw challengeError(challenge, 'SECRET_BLOCK', 'base64');
  }
  return { B, salt, secretBlock: block, secretBlockBytes: Buffer.from(block, 'base64') };
}

function requireString(name: string, value: unknown): string {
  if (typeof value !== 'string' || value.length === 0) throw new TypeError(`"${name}" must be a non-empty string`);
  return value;
}

/** Input of {@link passwordVerifierResponse}. */
export interface PasswordVerifierInput {
  /** The user pool id, `<region>_<name>`. */
  userPoolId: string;
  /** The user's password. Never copied into an error message. */
  password: string;
  /** The ephemeral whose `srpA` was sent to InitiateAuth. */
  ephemeral: SrpEphemeral;
  /** `ChallengeParameters` of the PASSWORD_VERIFIER challenge. */
  challengeParameters: SrpChallengeParameters & { USER_ID_FOR_SRP?: string };
  /** The time to sign (from the injectable clock). */
  now: Date;
}

/** ChallengeResponses of a PASSWORD_VERIFIER answer (add SECRET_HASH / DEVICE_KEY as needed). */
export interface PasswordVerifierResponse {
  PASSWORD_CLAIM_SIGNATURE: string;
  PASSWORD_CLAIM_SECRET_BLOCK: string;
  TIMESTAMP: string;
  USERNAME: string;
}

/**
 * Answers Cognito's PASSWORD_VERIFIER challenge (the second step of USER_SRP_AUTH).
 *
 * @returns the ChallengeResponses; USERNAME is USER_ID_FOR_SRP (Cognito's internal username, also
 *   the one to build a SECRET_HASH from).
 * @throws TypeError for a malformed `userPoolId`, `password` or `now` (caller mistakes).
 * @throws Error when a challenge parameter is missing or malformed, B mod N = 0 or u = 0.
 * @example
 * const ephemeral = createSrpEphemeral();
 * const init = await client.send(new InitiateAuthCommand({ AuthFlow: 'USER_SRP_AUTH', ClientId,
 *   AuthParameters: { USERNAME: username, SRP_A: ephemeral.srpA } }));
 * const ChallengeResponses = passwordVerifierResponse({ userPoolId, password, ephemeral,
 *   challengeParameters: init.ChallengeParameters!, now: new Date() });
 */
export function passwordVerifierResponse({
  userPoolId,
  password,
  ephemeral,
  challengeParameters,
  now,
}: PasswordVerifierInput): PasswordVerifierResponse {
  if (typeof userPoolId !== 'string' || !POOL_ID.test(userPoolId)) {
    throw new TypeError('"userPoolId" must look like "<region>_<id>"');
  }
  if (typeof password !== 'string') throw new TypeError('"password" must be a string');
  const timestamp = formatSrpTimestamp(now);
  const { B, salt, secretBlock, secretBlockBytes } = readChallenge('PASSWORD_VERIFIER', challengeParameters);
  const userId = (challengeParameters as Record<string, unknown>).USER_ID_FOR_SRP;
  if (typeof userId !== 'string' || userId.length === 0) {
    throw challengeError('PASSWORD_VERIFIER', 'USER_ID_FOR_SRP', 'a non-empty string');
  }
  const poolName = userPoolId.slice(userPoolId.indexOf('_') + 1);
  const key = srpPasswordAuthenticationKey({ poolName, userId, password, ephemeral, B, salt });
  return {
    PASSWORD_CLAIM_SIGNATURE: passwordClaimSignature(key, poolName, userId, secretBlockBytes, timestamp),
    PASSWORD_CLAIM_SECRET_BLOCK: secretBlock,
    TIMESTAMP: timestamp,
    USERNAME: userId,
  };
}

/** Input of {@link devicePasswordVerifierResponse}. */
export interface DevicePasswordVerifierInput {
  /** The remembered device's group key (NewDeviceMetadata.DeviceGroupKey). */
  deviceGroupKey: string;
  /** The remembered device's key (NewDeviceMetadata.DeviceKey). */
  deviceKey: string;
  /** The device password made by `generateDeviceVerifier` at ConfirmDevice. */
  devicePassword: string;
  /** The ephemeral whose `srpA` was sent with DEVICE_SRP_AUTH. */
  ephemeral: SrpEphemeral;
  /** `ChallengeParameters` of the DEVICE_PASSWORD_VERIFIER challenge. */
  challengeParameters: SrpChallengeParameters;
  /** The time to sign (from the injectable clock). */
  now: Date;
}

/** ChallengeResponses of a DEVICE_PASSWORD_VERIFIER answer, without USERNAME (the caller adds it). */
export interface DevicePasswordVerifierResponse {
  PASSWORD_CLAIM_SIGNATURE: string;
  PASSWORD_CLAIM_SECRET_BLOCK: string;
  TIMESTAMP: string;
  DEVICE_KEY: string;
}

/**
 * Answers Cognito's DEVICE_PASSWORD_VERIFIER challenge (after DEVICE_SRP_AUTH) for a remembered
 * device: the same SRP with deviceGroupKey and deviceKey in place of pool name and username.
 *
 * @throws TypeError for a missing `deviceGroupKey`, `deviceKey`, `devicePassword` or a bad `now`.
 * @throws Error when a challenge parameter is missing or malformed, B mod N = 0 or u = 0.
 * @example
 * const answer = devicePasswordVerifierResponse({ deviceGroupKey, deviceKey, devicePassword,
 *   ephemeral, challengeParameters: res.ChallengeParameters!, now: new Date() });
 * const ChallengeResponses = { ...answer, USERNAME: userIdForSrp };
 */
export function devicePasswordVerifierResponse({
  deviceGroupKey,
  deviceKey,
  devicePassword,
  ephemeral,
  challengeParameters,
  now,
}: DevicePasswordVerifierInput): DevicePasswordVerifierResponse {
  requireString('deviceGroupKey', deviceGroupKey);
  requireString('deviceKey', deviceKey);
  requireString('devicePassword', devicePassword);
  const timestamp = formatSrpTimestamp(now);
  const { B, salt, secretBlock, secretBlockBytes } = readChallenge('DEVICE_PASSWORD_VERIFIER', challengeParameters);
  const key = srpPasswordAuthenticationKey({
    poolName: deviceGroupKey,
    userId: deviceKey,
    password: devicePassword,
    ephemeral,
    B,
    salt,
  });
  return {
    PASSWORD_CLAIM_SIGNATURE: passwordClaimSignature(key, deviceGroupKey, deviceKey, secretBlockBytes, timestamp),
    PASSWORD_CLAIM_SECRET_BLOCK: secretBlock,
    TIMESTAMP: timestamp,
    DEVICE_KEY: deviceKey,
  };
}
