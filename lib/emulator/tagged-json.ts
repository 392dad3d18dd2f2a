/**
 * A tagged JSON encoding of the emulator's records, so that the data folder needs no per-field code:
 * `Map`, `Set`, `bigint`, `Date`, byte buffers, non-finite numbers and `KeyObject` keys (private
 * keys as PKCS#8 DER, public keys as SPKI DER) become `{ "$t": <tag>, "v": <payload> }`, and a plain
 * object that itself has a `$t` member is wrapped (`"$t": "obj"`) so it cannot be mistaken for a tag.
 * Functions are dropped (they are in-process hooks, such as Lambda triggers); any other class is
 * refused rather than silently flattened. Pure: no I/O.
 */
import { createPrivateKey, createPublicKey, createSecretKey, KeyObject } from 'node:crypto';

/** A JSON value. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const TAG = '$t';

// Exporting an RSA key costs more than the rest of a pool: keys never change, so each is exported once.
const exportedKeys = new WeakMap<KeyObject, Json>();

function encodeKey(key: KeyObject): Json {
  let out = exportedKeys.get(key);
  if (out === undefined) {
    const der = key.type === 'private'
      ? key.export({ format: 'der', type: 'pkcs8' })
      : key.type === 'public' ? key.export({ format: 'der', type: 'spki' }) : key.export();
    out = { [TAG]: 'key', v: { type: key.type, der: der.toString('base64') } };
    exportedKeys.set(key, out);
  }
  return out;
}

/**
 * Encodes a value as tagged JSON.
 *
 * @throws TypeError for a value of a class the encoding does not know (a bug to fix here, not data to lose).
 * @example
 * JSON.stringify(encodeTagged(new Map([['a', 1n]]))); // '{"$t":"map","v":[["a",{"$t":"bigint","v":"1"}]]}'
 */
export function encodeTagged(value: unknown): Json {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) ? value : { [TAG]: 'num', v: String(value) };
    case 'bigint':
      return { [TAG]: 'bigint', v: value.toString(16) };
    case 'undefined':
    case 'function':
    case 'symbol':
      return null;
    default:
      break;
  }
  if (value === null) return null;
  if (Array.isArray(value)) return value.map(encodeTagged);
  if (value instanceof Map) return { [TAG]: 'map', v: [...value].map(([k, v]) => [encodeTagged(k), encodeTagged(v)]) };
  if (value instanceof Set) return { [TAG]: 'set', v: [...value].map(encodeTagged) };
  if (value instanceof KeyObject) return encodeKey(value);
  if (value instanceof Date) return { [TAG]: 'date', v: value.getTime() };
  if (value instanceof Uint8Array) return { [TAG]: 'bytes', v: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64') };
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) {
    const name = (value as { constructor?: { name?: string } }).constructor?.name ?? 'unknown';
    throw new TypeError(`cannot store a ${name} in the emulator's data folder`);
  }
  const out: { [key: string]: Json } = {};
  for (const [k, v] of Object.entries(value as object) as Array<[string, unknown]>) {
    if (v === undefined || typeof v === 'function' || typeof v === 'symbol') continue;
    out[k] = encodeTagged(v);
  }
  return Object.hasOwn(out, TAG) ? { [TAG]: 'obj', v: out } : out;
}

/** Thrown by {@link decodeTagged} for a tag it does not know or a payload of the wrong shape. */
export class TaggedJsonError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TaggedJsonError';
  }
}

function decodeObject(value: { [key: string]: Json }): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = decodeTagged(v);
  return out;
}

function payloadOf<T>(value: Json, check: (v: Json) => boolean, tag: string): T {
  if (!check(value)) throw new TaggedJsonError(`a "${tag}" value has a malformed payload`);
  return value as T;
}

const isArray = (v: Json): boolean => Array.isArray(v);
const isString = (v: Json): boolean => typeof v === 'string';
const isObject = (v: Json): boolean => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Decodes what {@link encodeTagged} produced.
 *
 * @throws TaggedJsonError for an unknown tag or a malformed payload.
 */
export function decodeTagged(value: Json): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(decodeTagged);
  if (!Object.hasOwn(value, TAG)) return decodeObject(value);
  const tag = value[TAG];
  const v = value.v ?? null;
  switch (tag) {
    case 'map':
      return new Map(payloadOf<Json[]>(v, isArray, tag).map((entry) => {
        const pair = payloadOf<[Json, Json]>(entry, (e) => Array.isArray(e) && e.length === 2, tag);
        return [decodeTagged(pair[0]), decodeTagged(pair[1])];
      }));
    case 'set':
      return new Set(payloadOf<Json[]>(v, isArray, tag).map(decodeTagged));
    case 'bigint': {
      const hex = payloadOf<string>(v, (s) => typeof s === 'string' && /^-?[0-9a-f]+$/.test(s), tag);
      return hex.startsWith('-') ? -BigInt(`0x${hex.slice(1)}`) : BigInt(`0x${hex}`);
    }
    case 'num':
      return Number(payloadOf<string>(v, isString, tag));
    case 'date':
      return new Date(payloadOf<number>(v, (n) => typeof n === 'number', tag));
    case 'bytes':
      return Buffer.from(payloadOf<string>(v, isString, tag), 'base64');
    case 'key': {
      const key = payloadOf<{ type: Json; der: Json }>(v, (k) => isObject(k) && typeof (k as { der?: Json }).der === 'string', tag);
      const der = Buffer.from(key.der as string, 'base64');
      try {
        if (key.type === 'private') return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
        if (key.type === 'public') return createPublicKey({ key: der, format: 'der', type: 'spki' });
        if (key.type === 'secret') return createSecretKey(der);
      } catch {
        throw new TaggedJsonError('a signing key cannot be read');
      }
      throw new TaggedJsonError(`a key of type ${JSON.stringify(key.type)} cannot be read`);
    }
    case 'obj':
      return decodeObject(payloadOf<{ [key: string]: Json }>(v, isObject, tag));
    default:
      throw new TaggedJsonError(`unknown tag ${JSON.stringify(tag)}`);
  }
}
