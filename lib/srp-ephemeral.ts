/**
 * The client's SRP-6a ephemeral key pair (a, A = g^a mod N) for one Cognito login.
 */
import { randomBytes } from 'node:crypto';
import { N, gPowN, toHex } from './srp-group';

/** One login's client ephemeral. Keep `a` secret and use the object for one login only. */
export interface SrpEphemeral {
  /** The secret exponent: 128 random bytes read as a positive integer. */
  readonly a: bigint;
  /** The public value A = g^a mod N. */
  readonly A: bigint;
  /** A as lower-case hex without padding: the `SRP_A` parameter of InitiateAuth / DEVICE_SRP_AUTH. */
  readonly srpA: string;
}

/** Size of the secret exponent, as amazon-cognito-identity-js and Cognito's own SDKs use. */
const SECRET_BYTES = 128;

/**
 * Builds the ephemeral for a given secret exponent: deterministic, for tests and known-answer
 * vectors. Production code uses {@link createSrpEphemeral}.
 *
 * @param a the secret exponent, a positive integer.
 * @throws TypeError when `a` is not a positive bigint.
 * @throws Error when A mod N = 0 (impossible for a prime N, checked as SRP-6a requires).
 * @example
 * srpEphemeralFromSecret(1n).srpA; // '2'
 */
export function srpEphemeralFromSecret(a: bigint): SrpEphemeral {
  if (typeof a !== 'bigint' || a <= 0n) throw new TypeError('the SRP secret "a" must be a positive bigint');
  const A = gPowN(a);
  if (A % N === 0n) throw new Error('SRP: A mod N is 0; use another secret');
  return Object.freeze({ a, A, srpA: toHex(A) });
}

/**
 * Creates a fresh client ephemeral for one SRP login: `a` from 128 cryptographically random bytes,
 * A = g^a mod N (one 3072-bit modular exponentiation in OpenSSL). A degenerate draw
 * (a = 0, or A mod N = 0) is thrown away and drawn again.
 *
 * @returns `{ a, A, srpA }`; send `srpA` as `SRP_A`, keep the object for the PASSWORD_VERIFIER answer.
 * @example
 * const ephemeral = createSrpEphemeral();
 * await client.send(new InitiateAuthCommand({ AuthFlow: 'USER_SRP_AUTH', ClientId,
 *   AuthParameters: { USERNAME: username, SRP_A: ephemeral.srpA } }));
 */
export function createSrpEphemeral(): SrpEphemeral {
  for (;;) {
    const a = BigInt('0x' + randomBytes(SECRET_BYTES).toString('hex'));
    if (a === 0n) continue;
    const A = gPowN(a);
    if (A % N === 0n) continue;
    return Object.freeze({ a, A, srpA: toHex(A) });
  }
}
