/**
 * A software passkey authenticator for tests without a browser: from creation options (as
 * StartWebAuthnRegistration returns them) it makes a P-256 (ES256) key pair and the
 * RegistrationResponseJSON a browser would send ("none" attestation, CBOR by the tiny encoder
 * below); from request options (CREDENTIAL_REQUEST_OPTIONS) it signs the AuthenticationResponseJSON.
 * Knobs break one thing at a time (origin, RP ID, challenge, signature, counter, UV flag, algorithm).
 *
 * @example
 * const authenticator = new SoftAuthenticator();
 * const { response } = authenticator.register(creationOptions, 'http://localhost:3000');
 * const assertion = authenticator.assert(JSON.parse(params.CREDENTIAL_REQUEST_OPTIONS), 'http://localhost:3000');
 */
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';

/** A CBOR value the encoder writes: unsigned/negative integers, byte and text strings, arrays and maps. */
export type CborValue = number | string | Uint8Array | CborValue[] | Map<CborValue, CborValue>;

function head(major: number, length: number): Buffer {
  if (length < 24) return Buffer.from([(major << 5) | length]);
  if (length < 0x100) return Buffer.from([(major << 5) | 24, length]);
  if (length < 0x10000) {
    const out = Buffer.alloc(3);
    out[0] = (major << 5) | 25;
    out.writeUInt16BE(length, 1);
    return out;
  }
  const out = Buffer.alloc(5);
  out[0] = (major << 5) | 26;
  out.writeUInt32BE(length, 1);
  return out;
}

/**
 * Encodes a value as CBOR (RFC 8949), definite lengths, integers up to 32 bits; map entries in the
 * order given (CTAP2's canonical order is the caller's to choose).
 *
 * @example
 * encodeCbor(new Map([['fmt', 'none']])); // a1 63 66 6d 74 64 6e 6f 6e 65
 */
export function encodeCbor(value: CborValue): Buffer {
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || Math.abs(value) > 0xffffffff) throw new TypeError(`cannot encode ${value}`);
    return value >= 0 ? head(0, value) : head(1, -1 - value);
  }
  if (typeof value === 'string') {
    const bytes = Buffer.from(value, 'utf8');
    return Buffer.concat([head(3, bytes.length), bytes]);
  }
  if (value instanceof Uint8Array) return Buffer.concat([head(2, value.length), value]);
  if (Array.isArray(value)) return Buffer.concat([head(4, value.length), ...value.map(encodeCbor)]);
  const parts = [head(5, value.size)];
  for (const [k, v] of value) parts.push(encodeCbor(k), encodeCbor(v));
  return Buffer.concat(parts);
}

/** PublicKeyCredentialCreationOptionsJSON, as far as the authenticator reads it. */
export interface CreationOptions {
  challenge: string;
  rp: { id?: string; name: string };
  user: { id: string; name: string; displayName: string };
  pubKeyCredParams: Array<{ alg: number; type: string }>;
  excludeCredentials?: Array<{ id: string; type: string }>;
}

/** PublicKeyCredentialRequestOptionsJSON, as far as the authenticator reads it. */
export interface RequestOptions {
  challenge: string;
  rpId?: string;
  allowCredentials?: Array<{ id: string; type: string }>;
}

/** What can be broken in a ceremony. */
export interface Knobs {
  /** Hash this RP ID into the authenticator data instead of the options'. */
  rpId?: string;
  /** Answer this challenge instead of the options'. */
  challenge?: string;
  /** `clientDataJSON.type`; default `webauthn.create` / `webauthn.get`. */
  type?: string;
  /** The UV flag; default true. */
  userVerified?: boolean;
  /** The UP flag; default true. */
  userPresent?: boolean;
  /** The signature counter to report; default the credential's next value (it counts up from 0 at creation). */
  counter?: number;
}

/** Registration knobs. */
export interface RegistrationKnobs extends Knobs {
  /** Key algorithm: ES256 (default) or EdDSA (Ed25519, COSE -8), which the pool refuses. */
  algorithm?: 'ES256' | 'EdDSA';
  /** Reuse this credential id (to register a credential twice). */
  credentialId?: string;
}

/** Assertion knobs. */
export interface AssertionKnobs extends Knobs {
  /** Sign with this credential, whatever the options allow. */
  credentialId?: string;
  /** Flip a bit of the signature. */
  badSignature?: boolean;
  /** `response.userHandle`; default the one stored at creation; `null` leaves it out. */
  userHandle?: string | null;
}

/** A credential the authenticator holds. */
export interface SoftCredential {
  id: string;
  rpId: string;
  userHandle: string;
  privateKey: KeyObject;
  algorithm: 'ES256' | 'EdDSA';
  counter: number;
}

const FLAG_UP = 0x01;
const FLAG_UV = 0x04;
const FLAG_BE = 0x08;
const FLAG_BS = 0x10;
const FLAG_AT = 0x40;

function sha256(data: Uint8Array | string): Buffer {
  return createHash('sha256').update(data).digest();
}

function counterBytes(counter: number): Buffer {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(counter >>> 0, 0);
  return out;
}

function coseKey(privateKey: KeyObject, algorithm: 'ES256' | 'EdDSA'): Buffer {
  const jwk = privateKey.export({ format: 'jwk' });
  const x = Buffer.from(jwk.x ?? '', 'base64url');
  if (algorithm === 'EdDSA') return encodeCbor(new Map<CborValue, CborValue>([[1, 1], [3, -8], [-1, 6], [-2, x]]));
  const y = Buffer.from(jwk.y ?? '', 'base64url');
  return encodeCbor(new Map<CborValue, CborValue>([[1, 2], [3, -7], [-1, 1], [-2, x], [-3, y]]));
}

function clientDataJson(type: string, challenge: string, origin: string): Buffer {
  return Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin: false }), 'utf8');
}

function flagsOf(knobs: Knobs, extra: number): number {
  return (knobs.userPresent === false ? 0 : FLAG_UP) | (knobs.userVerified === false ? 0 : FLAG_UV) | FLAG_BE | FLAG_BS | extra;
}

/** A platform authenticator in memory, holding the passkeys it made. */
export class SoftAuthenticator {
  /** The credentials made so far, by id. */
  readonly credentials = new Map<string, SoftCredential>();

  /**
   * Makes a passkey for creation options at `origin` and returns the RegistrationResponseJSON
   * (`CompleteWebAuthnRegistration`'s `Credential`) and the credential kept.
   */
  register(
    options: CreationOptions, origin: string, knobs: RegistrationKnobs = {},
  ): { response: Record<string, unknown>; credential: SoftCredential } {
    const algorithm = knobs.algorithm ?? 'ES256';
    const { privateKey } = algorithm === 'EdDSA' ? generateKeyPairSync('ed25519') : generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const rpId = knobs.rpId ?? options.rp.id ?? new URL(origin).hostname;
    const idBytes = knobs.credentialId !== undefined ? Buffer.from(knobs.credentialId, 'base64url') : randomBytes(32);
    const id = idBytes.toString('base64url');
    const lengthBytes = Buffer.alloc(2);
    lengthBytes.writeUInt16BE(idBytes.length, 0);
    const authData = Buffer.concat([
      sha256(rpId), Buffer.from([flagsOf(knobs, FLAG_AT)]), counterBytes(knobs.counter ?? 0),
      Buffer.alloc(16), lengthBytes, idBytes, coseKey(privateKey, algorithm),
    ]);
    const attestationObject = encodeCbor(new Map<CborValue, CborValue>([['fmt', 'none'], ['attStmt', new Map()], ['authData', authData]]));
    const clientData = clientDataJson(knobs.type ?? 'webauthn.create', knobs.challenge ?? options.challenge, origin);
    const credential: SoftCredential = { id, rpId, userHandle: options.user.id, privateKey, algorithm, counter: knobs.counter ?? 0 };
    this.credentials.set(id, credential);
    const response = {
      id,
      rawId: id,
      type: 'public-key',
      response: {
        clientDataJSON: clientData.toString('base64url'),
        attestationObject: attestationObject.toString('base64url'),
        authenticatorData: authData.toString('base64url'),
        transports: ['hybrid', 'internal'],
        publicKeyAlgorithm: algorithm === 'EdDSA' ? -8 : -7,
      },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
    };
    return { response, credential };
  }

  /**
   * Signs request options at `origin` with the first held credential they allow (or `knobs.credentialId`)
   * and returns the AuthenticationResponseJSON; `JSON.stringify` it for `CREDENTIAL`.
   *
   * @throws Error when the authenticator holds no credential the options allow.
   */
  assert(options: RequestOptions, origin: string, knobs: AssertionKnobs = {}): Record<string, unknown> {
    const allowed = new Set((options.allowCredentials ?? []).map((c) => c.id));
    const rpId = options.rpId ?? new URL(origin).hostname;
    const credential = knobs.credentialId !== undefined
      ? this.credentials.get(knobs.credentialId)
      : [...this.credentials.values()].find((c) => c.rpId === rpId && (allowed.size === 0 || allowed.has(c.id)));
    if (!credential) throw new Error('the soft authenticator holds no credential these options allow');
    const counter = knobs.counter ?? credential.counter + 1;
    credential.counter = Math.max(credential.counter, counter);
    const authData = Buffer.concat([sha256(knobs.rpId ?? rpId), Buffer.from([flagsOf(knobs, 0)]), counterBytes(counter)]);
    const clientData = clientDataJson(knobs.type ?? 'webauthn.get', knobs.challenge ?? options.challenge, origin);
    const signed = Buffer.concat([authData, sha256(clientData)]);
    const signature = credential.algorithm === 'EdDSA' ? sign(null, signed, credential.privateKey) : sign('sha256', signed, credential.privateKey);
    if (knobs.badSignature) signature[signature.length - 1] ^= 0x01;
    const userHandle = knobs.userHandle === undefined ? credential.userHandle : knobs.userHandle;
    return {
      id: credential.id,
      rawId: credential.id,
      type: 'public-key',
      response: {
        authenticatorData: authData.toString('base64url'),
        clientDataJSON: clientData.toString('base64url'),
        signature: signature.toString('base64url'),
        ...(userHandle !== null ? { userHandle } : {}),
      },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
    };
  }
}
