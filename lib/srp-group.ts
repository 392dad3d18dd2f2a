/**
 * The SRP-6a group Cognito uses (RFC 5054, 3072-bit, g = 2) and the arithmetic on it.
 *
 * Modular exponentiation is done by OpenSSL through a `node:crypto` Diffie-Hellman object built on
 * the group: with the exponent set as its private key, `computeSecret(base)` is `base^e mod N` and
 * the public key it derives is `g^e mod N`. That is about 1–2 ms for 3072 bits, against ~70 ms for
 * a JavaScript big-integer loop.
 */
import { createDiffieHellman, createHash, type DiffieHellman } from 'node:crypto';

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

const N_BYTES = Buffer.from(N_HEX, 'hex');
const BYTE_LENGTH = N_BYTES.length;

// One DH object for the process: building one runs OpenSSL's DH_check (a primality test), which is
// far dearer than the exponentiation itself. JavaScript is single-threaded and each use below is
// synchronous, so sharing it is safe.
let dh: DiffieHellman | undefined;
function group(): DiffieHellman {
  dh ??= createDiffieHellman(N_BYTES, Buffer.from([2]));
  return dh;
}

function toBytes(value: bigint): Buffer {
  let hex = toHex(value);
  if (hex.length % 2 === 1) hex = '0' + hex;
  return Buffer.from(hex, 'hex');
}

function fromBytes(bytes: Buffer): bigint {
  return bytes.length === 0 ? 0n : BigInt('0x' + bytes.toString('hex'));
}

/**
 * `base^exponent mod N`, computed by OpenSSL. `base` is reduced into [0, N) first; the degenerate
 * bases OpenSSL refuses (0, 1, N−1) are handled here so that an attacker-chosen value never throws.
 */
export function modPowN(base: bigint, exponent: bigint): bigint {
  if (exponent < 0n) throw new RangeError('SRP exponents are non-negative');
  const b = ((base % N) + N) % N;
  if (exponent === 0n) return 1n;
  if (b === 0n) return 0n;
  if (b === 1n) return 1n;
  if (b === N - 1n) return exponent % 2n === 0n ? 1n : N - 1n;
  const d = group();
  d.setPrivateKey(toBytes(exponent));
  return fromBytes(d.computeSecret(toBytes(b)));
}

/** `g^exponent mod N`, computed by OpenSSL. */
export function gPowN(exponent: bigint): bigint {
  return modPowN(g, exponent);
}

/** Bytes of N, for callers that need the group's size. */
export const N_BYTE_LENGTH = BYTE_LENGTH;
