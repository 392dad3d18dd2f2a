/**
 * amazon-cognito-identity-js's SRP client, driven step by step: the reference our `lib/srp.ts` must
 * agree with bit for bit. Used by test/lib/srp.test.ts and bench/srp.ts.
 *
 * The library's constructor draws a random `a` and computes A with its JavaScript big integers
 * (~100 ms); `helperWithSecret` skips that and sets a fixed `a` / A as the library's own fields.
 */
/* eslint-disable @typescript-eslint/no-require-imports */
const AuthenticationHelper = require('amazon-cognito-identity-js/lib/AuthenticationHelper').default;
const BigInteger = require('amazon-cognito-identity-js/lib/BigInteger').default;
const { Sha256 } = require('@aws-crypto/sha256-js');
/* eslint-enable @typescript-eslint/no-require-imports */

/** The library's AuthenticationHelper class (its constructor draws `a` and computes A). */
export const AwsAuthenticationHelper: new (poolName: string) => any = AuthenticationHelper;
/** The library's BigInteger (jsbn). */
export const AwsBigInteger: new (value: string, radix: number) => any = BigInteger;

/**
 * A helper whose smallAValue / largeAValue are fixed: A computed by the library itself, or taken
 * from `A` when given (which skips the library's ~90 ms exponentiation).
 */
export function helperWithSecret(poolName: string, a: bigint, A?: bigint): any {
  const helper = Object.create(AuthenticationHelper.prototype);
  helper.N = new BigInteger(
    'FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD' +
      'EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED' +
      'EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F' +
      '83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B' +
      'E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510' +
      '15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7' +
      'ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C' +
      'BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF',
    16,
  );
  helper.g = new BigInteger('2', 16);
  helper.k = new BigInteger(helper.hexHash(`${helper.padHex(helper.N)}${helper.padHex(helper.g)}`), 16);
  helper.infoBits = Buffer.from('Caldera Derived Key', 'utf8');
  helper.poolName = poolName;
  helper.smallAValue = new BigInteger(a.toString(16), 16);
  if (A === undefined) helper.getLargeAValue(() => undefined);
  else helper.largeAValue = new BigInteger(A.toString(16), 16);
  return helper;
}

/** The library's A for a helper, as a bigint. */
export function helperA(helper: any): bigint {
  return BigInt('0x' + helper.largeAValue.toString(16));
}

/** `getPasswordAuthenticationKey` (synchronous underneath), as a Buffer. */
export function awsKey(helper: any, userId: string, password: string, srpBHex: string, saltHex: string): Buffer {
  let key: Uint8Array | undefined;
  helper.getPasswordAuthenticationKey(
    userId,
    password,
    new BigInteger(srpBHex, 16),
    new BigInteger(saltHex, 16),
    (err: Error | null, hkdf: Uint8Array) => {
      if (err) throw err;
      key = hkdf;
    },
  );
  if (!key) throw new Error('getPasswordAuthenticationKey did not call back synchronously');
  return Buffer.from(key);
}

/** The signature exactly as CognitoUser.js builds it (HMAC with @aws-crypto/sha256-js). */
export function awsSignature(
  key: Uint8Array,
  poolName: string,
  userId: string,
  secretBlockBase64: string,
  timestamp: string,
): string {
  const message = Buffer.concat([
    Buffer.from(poolName, 'utf8'),
    Buffer.from(userId, 'utf8'),
    Buffer.from(secretBlockBase64, 'base64'),
    Buffer.from(timestamp, 'utf8'),
  ]);
  const hmac = new Sha256(key);
  hmac.update(message);
  return Buffer.from(hmac.digestSync()).toString('base64');
}

/**
 * A whole login as the library does it: a fresh helper (random a, A), the key, the signature.
 */
export function awsLogin(
  poolName: string,
  userId: string,
  password: string,
  srpBHex: string,
  saltHex: string,
  secretBlockBase64: string,
  timestamp: string,
): { srpA: string; signature: string } {
  const helper = new AuthenticationHelper(poolName);
  const srpA: string = helper.largeAValue.toString(16);
  const key = awsKey(helper, userId, password, srpBHex, saltHex);
  return { srpA, signature: awsSignature(key, poolName, userId, secretBlockBase64, timestamp) };
}
