/**
 * The SRP-6a group Cognito uses (RFC 5054, 3072-bit, g = 2) and the arithmetic on it.
 *
 * Modular exponentiation is done by OpenSSL as a raw RSA public-key operation: an RSA public key
 * whose modulus is N and whose public exponent is the exponent wanted, applied without padding, is
 * exactly `base^exponent mod N`. That is OpenSSL's Montgomery exponentiation, about as fast as a
 * Diffie-Hellman `computeSecret`, but with nothing to set up and nothing validated beyond `base < N`.
 * (The Diffie-Hellman form it replaces needs a DH object on N, whose construction runs a primality
 * check of seconds on Node 24, and whose `computeSecret` on Node 22 refuses the half of all bases that
 * are not quadratic residues: docs/architecture.md, "SRP speed"; the figure is in docs/benchmarks.md.)
 */
import { constants, createHash, createPublicKey, publicEncrypt } from 'node:crypto';

/** RFC 5054 appendix A, 3072-bit group prime, as Cognito uses it. */
export const N_HEX =
  'FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74' +
  '020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F1437' +
  '4FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED' +
  'EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF05' +
  '98DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB' +
  '9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B' +
  'E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF695581718' +
  '3995497CEA956AE515D2261898FA051015728E5A8AAAC42DAD33170D04507A33' +
  'A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7' +
  'ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864' +
  'D87602733EC86A64521F2B18177B200CBBE117577A615D6C770988C0BAD946E2' +
  '08E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF';

/** The group prime N. */
export const N = BigInt('0x' + N_HEX);
/** The generator g = 2. */
export const g = 2n;

/** Lower-case hex of a non-negative integer, without padding. */
export function toHex(value: bigint): string {
  if (value < 0n) throw new RangeError('SRP values are non-negative');
  return value.toString(16);
}

/**
 * Cognito's signed-magnitude padding of a hex string: odd length gets a leading `0`; a first digit
 * of 8–f (which would read as negative) gets a leading `00`.
 */
export function padHex(value: bigint | string): string {
  let hex = typeof value === 'bigint' ? toHex(value) : value.toLowerCase();
  if (hex.length % 2 === 1) hex = '0' + hex;
  else if ('89abcdef'.includes(hex[0] ?? '')) hex = '00' + hex;
  return hex;
}

/** SHA-256 over the bytes of a hex string, as 64 lower-case hex digits. */
export function hashHex(hex: string): string {
  return createHash('sha256').update(Buffer.from(hex, 'hex')).digest('hex');
}

/** SHA-256 over raw bytes or a UTF-8 string, as 64 lower-case hex digits. */
export function hashBytes(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** k = H(PAD(N) | PAD(g)). */
export const k = BigInt('0x' + hashHex(padHex(N) + padHex(g)));

const BYTE_LENGTH = N_HEX.length / 2;
const N_B64URL = Buffer.from(N_HEX, 'hex').toString('base64url');

function toBytes(value: bigint): Buffer {
  let hex = toHex(value);
  if (hex.length % 2 === 1) hex = '0' + hex;
  return Buffer.from(hex, 'hex');
}

/**
 * `base^exponent mod N`, computed by OpenSSL, for any base and any non-negative exponent. `base` is
 * reduced into [0, N) first; exponents 0 and 1 and the bases 0 and 1 are answered directly, so that
 * no attacker-chosen value reaches OpenSSL as a degenerate key or throws.
 */
export function modPowN(base: bigint, exponent: bigint): bigint {
  if (exponent < 0n) throw new RangeError('SRP exponents are non-negative');
  const b = ((base % N) + N) % N;
  if (exponent === 0n) return 1n;
  if (b === 0n || b === 1n) return b;
  // OpenSSL wants the public exponent below the modulus. N is prime, so b^(N−1) = 1 (Fermat) and
  // the exponent may be taken mod N−1.
  const e = exponent < N - 1n ? exponent : exponent % (N - 1n);
  if (e === 0n) return 1n;
  if (e === 1n) return b;
  const key = createPublicKey({ key: { kty: 'RSA', n: N_B64URL, e: toBytes(e).toString('base64url') }, format: 'jwk' });
  // RSA without padding takes a block exactly as long as the modulus, big-endian, zero-filled.
  const block = Buffer.alloc(BYTE_LENGTH);
  const bytes = toBytes(b);
  bytes.copy(block, BYTE_LENGTH - bytes.length);
  const result = publicEncrypt({ key, padding: constants.RSA_NO_PADDING }, block);
  return BigInt('0x' + result.toString('hex'));
}

/** `g^exponent mod N`, computed by OpenSSL. */
export function gPowN(exponent: bigint): bigint {
  return modPowN(g, exponent);
}

/** Bytes of N, for callers that need the group's size. */
export const N_BYTE_LENGTH = BYTE_LENGTH;
