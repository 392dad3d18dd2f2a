/**
 * RS256 signing keys of a user pool: a fresh 2048-bit RSA key per pool (never one shipped in the
 * package), rotation, and the public JWKS. `kid` is the key's RFC 7638 thumbprint.
 */
import { createHash, generateKeyPair, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';

const generateKeyPairAsync = promisify(generateKeyPair);

/** One signing key of a pool. */
export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** Public JWK as published in the JWKS. */
  jwk: PublicJwk;
}

/** A public RSA JWK as Cognito publishes it. */
export interface PublicJwk {
  kid: string;
  alg: 'RS256';
  kty: 'RSA';
  use: 'sig';
  n: string;
  e: string;
}

/** A pool's keys: the newest signs; older ones stay published until retired. */
export interface KeyRing {
  /** Newest first. */
  keys: SigningKey[];
}

function toSigningKey(privateKey: KeyObject, publicKey: KeyObject): SigningKey {
  const exported = publicKey.export({ format: 'jwk' });
  const n = String(exported.n);
  const e = String(exported.e);
  const kid = createHash('sha256').update(JSON.stringify({ e, kty: 'RSA', n })).digest('base64');
  return { kid, privateKey, publicKey, jwk: { kid, alg: 'RS256', kty: 'RSA', use: 'sig', n, e } };
}

/** Generates a signing key without blocking the event loop. */
export async function createSigningKey(): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPairAsync('rsa', { modulusLength: 2048 });
  return toSigningKey(privateKey, publicKey);
}

/** Generates a signing key synchronously (key rotation, which is a synchronous API). */
export function createSigningKeySync(): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return toSigningKey(privateKey, publicKey);
}

/** The key that signs new tokens. */
export function activeKey(ring: KeyRing): SigningKey {
  const key = ring.keys[0];
  if (!key) throw new Error('the pool has no signing key');
  return key;
}

/**
 * Puts `key` in front; with `retireOld`, drops every other key from the JWKS (tokens they signed
 * stop verifying).
 */
export function rotate(ring: KeyRing, key: SigningKey, retireOld: boolean): void {
  ring.keys = retireOld ? [key] : [key, ...ring.keys];
}

/** The JWKS document of a ring. */
export function jwksOf(ring: KeyRing): { keys: PublicJwk[] } {
  return { keys: ring.keys.map((key) => ({ ...key.jwk })) };
}
