/**
 * The JWS half of token verification, pure: the compact serialization's structure (size, three
 * canonical base64url segments, a JSON header with only `alg`/`kid`/`typ`), the RS256 signature,
 * and the claims set decoded as a JSON object. No key lookup, no claims rules, no I/O: the
 * verifier ({@link TokenVerifier} in `./token-verifier`) chains these with `./token-claims`.
 *
 * Everything refused is a {@link TokenVerificationError} made by {@link refuse}.
 */
import { verify as cryptoVerify, type KeyObject } from 'node:crypto';
import createDebug from 'debug';
import { TokenVerificationError, type TokenErrorCode } from './errors';

const debug = createDebug('express-cognito:verify');

/** Tokens larger than this are refused unread. Cognito's are 1–2 KB; custom claims add some. */
export const MAX_TOKEN_LENGTH = 16 * 1024;

const B64URL = /^[A-Za-z0-9_-]+$/;
// Cognito sends { kid, alg }. Anything else — jku, x5u, jwk, x5c, crit, b64, zip… — is refused.
const ALLOWED_HEADER = new Set(['alg', 'kid', 'typ']);

/**
 * A {@link TokenVerificationError}: `reason` is a short fixed text (never the token or a claim's
 * value), `claim` the claim or header parameter at fault.
 *
 * @example
 * throw refuse('ERR_COGNITO_TOKEN_EXPIRED', 'the token has expired', 'exp');
 */
export function refuse(code: TokenErrorCode, reason: string, claim?: string, cause?: unknown): TokenVerificationError {
  const options: { claim?: string; cause?: unknown } = {};
  if (claim !== undefined) options.claim = claim;
  if (cause !== undefined) options.cause = cause;
  return new TokenVerificationError(code, reason, options);
}

/** The segments of a structurally valid token. */
export interface Jws {
  readonly kid: string;
  /** Length of `<header>.<payload>`, the signing input. */
  readonly signedLength: number;
  readonly payload: string;
  readonly signature: string;
}

/**
 * Size, shape and header checks: no key lookup, no crypto, so junk costs next to nothing.
 *
 * @throws TokenVerificationError `ERR_COGNITO_TOKEN_MISSING` / `_MALFORMED` / `_ALG` / `_HEADER`.
 * @example
 * const { kid } = parseJws(bearer);   // then find the key with this kid
 */
export function parseJws(token: unknown): Jws {
  if (token === undefined || token === null || token === '') throw refuse('ERR_COGNITO_TOKEN_MISSING', 'no token');
  if (typeof token !== 'string') throw refuse('ERR_COGNITO_TOKEN_MALFORMED', 'the token is not a string');
  if (token.length > MAX_TOKEN_LENGTH) throw refuse('ERR_COGNITO_TOKEN_MALFORMED', 'the token is too large');
  const parts = token.split('.');
  if (parts.length !== 3 || !B64URL.test(parts[0])) {
    throw refuse('ERR_COGNITO_TOKEN_MALFORMED', 'the token is not three base64url segments');
  }
  const [encodedHeader, payload, signature] = parts as [string, string, string];
  const kid = knownHeaders.get(encodedHeader) ?? checkHeader(encodedHeader);
  // After the header, so that an unsigned `alg: none` token is reported as such.
  if (!B64URL.test(payload) || !B64URL.test(signature)) {
    throw refuse('ERR_COGNITO_TOKEN_MALFORMED', 'the token is not three base64url segments');
  }
  if (!canonical(encodedHeader) || !canonical(payload) || !canonical(signature)) {
    throw refuse('ERR_COGNITO_TOKEN_MALFORMED', 'a segment is not canonical base64url');
  }
  return { kid, signedLength: encodedHeader.length + 1 + payload.length, payload, signature };
}

const B64URL_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * Whether a base64url segment is the one encoding of its bytes: the unused low bits of its last
 * character are zero (and no length leaves a lone character). Otherwise one signed token could be
 * spelt several ways, and anything keyed on the token string (the verified-token cache, revocation
 * by token) would see different tokens.
 */
function canonical(segment: string): boolean {
  const rest = segment.length % 4;
  if (rest === 0) return true;
  if (rest === 1) return false;
  const value = B64URL_ALPHABET.indexOf(segment[segment.length - 1]);
  return (value & (rest === 2 ? 0x0f : 0x03)) === 0;
}

// A pool signs with one or two keys, so its tokens carry one or two distinct header segments: the
// ones that passed checkHeader are remembered (a handful at most) to skip decoding them again.
const knownHeaders = new Map<string, string>();
const MAX_KNOWN_HEADERS = 64;

/** The header: a JSON object with `alg: RS256`, a `kid`, and nothing but `alg`/`kid`/`typ`. Returns the kid. */
function checkHeader(encodedHeader: string): string {
  const h = decodeJsonObject(encodedHeader, 'the header');
  if (h.alg !== 'RS256') throw refuse('ERR_COGNITO_TOKEN_ALG', 'alg must be RS256', 'alg');
  for (const name of Object.keys(h)) {
    if (!ALLOWED_HEADER.has(name)) throw refuse('ERR_COGNITO_TOKEN_HEADER', 'the header has a parameter Cognito never sends', name);
  }
  if (typeof h.kid !== 'string' || h.kid === '' || h.kid.length > 256) {
    throw refuse('ERR_COGNITO_TOKEN_HEADER', 'kid is missing or invalid', 'kid');
  }
  if (h.typ !== undefined && typeof h.typ !== 'string') throw refuse('ERR_COGNITO_TOKEN_HEADER', 'typ must be a string', 'typ');
  if (knownHeaders.size >= MAX_KNOWN_HEADERS) knownHeaders.clear();
  knownHeaders.set(encodedHeader, h.kid);
  return h.kid;
}

/**
 * RS256: RSASSA-PKCS1-v1_5 with SHA-256, synchronous, on the event loop (the callback form, as
 * jose uses, costs more CPU per token in thread hand-offs and lets a flood of forged tokens queue
 * behind libuv's four threads with DNS and file-system work; figures in docs/benchmarks.md).
 * False when the key or signature is unusable: no way to trust the token then.
 *
 * @example
 * if (!verifySignature(token, parseJws(token), key)) throw refuse('ERR_COGNITO_TOKEN_SIGNATURE', 'the signature is invalid');
 */
export function verifySignature(token: string, jws: Jws, key: KeyObject): boolean {
  try {
    // The token is ASCII (checked by parseJws), so latin1 is a byte-exact, fast encoding of the signing input.
    const signingInput = Buffer.from(token.slice(0, jws.signedLength), 'latin1');
    return cryptoVerify('sha256', signingInput, key, Buffer.from(jws.signature, 'base64url'));
  } catch (e) {
    debug('signature check failed: %s', (e as Error).message);
    return false;
  }
}

/**
 * The claims set: a JSON object (a signed array or non-JSON is malformed, as jose says).
 *
 * @throws TokenVerificationError `ERR_COGNITO_TOKEN_MALFORMED`.
 * @example
 * const claims = decodeClaimsSet(parseJws(token).payload);
 */
export function decodeClaimsSet(encoded: string): Record<string, unknown> {
  return decodeJsonObject(encoded, 'the claims set');
}

/** A base64url segment holding a JSON object; anything else (not JSON, an array, a string…) is malformed. */
function decodeJsonObject(segment: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
  } catch {
    value = undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw refuse('ERR_COGNITO_TOKEN_MALFORMED', `${what} is not a JSON object`);
  }
  return value as Record<string, unknown>;
}
