/**
 * Reading `Authorization: Bearer <token>` (RFC 6750 §2.1) strictly: the scheme is case-insensitive,
 * there must be exactly one Authorization header, and the credentials must be one `token68`.
 */
import type { IncomingMessage } from 'node:http';

/**
 * What the request's Authorization header holds.
 *
 * @example
 * const auth: BearerResult = readBearer(req); // { kind: 'bearer', token: 'eyJ…' }
 */
export type BearerResult =
  | { kind: 'none' }
  | { kind: 'other-scheme' }
  | { kind: 'bearer'; token: string }
  | { kind: 'malformed'; reason: string };

// RFC 6750 b64token / RFC 7235 token68.
const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*$/;
// Far above any Cognito token (≈ 1–2 KB, more with custom claims); anything longer is not one.
const MAX_TOKEN_LENGTH = 16 * 1024;

/**
 * Classifies the request's Authorization header.
 *
 * Node keeps only the first of several `Authorization` headers in `req.headers`; the raw headers are
 * counted so that a request carrying two is refused instead of silently judged on one of them.
 *
 * @example
 * const auth = readBearer(req);
 * if (auth.kind === 'bearer') await verifier.verify(auth.token, 'access');
 */
export function readBearer(req: Pick<IncomingMessage, 'headers' | 'rawHeaders'>): BearerResult {
  let count = 0;
  const raw = Array.isArray(req.rawHeaders) ? req.rawHeaders : [];
  for (let i = 0; i < raw.length; i += 2) if (raw[i]?.toLowerCase() === 'authorization') count++;
  const header = req.headers.authorization;
  if (count > 1) return { kind: 'malformed', reason: 'more than one Authorization header' };
  if (header === undefined) return { kind: 'none' };
  const value = header.trim();
  if (value === '') return { kind: 'malformed', reason: 'empty Authorization header' };
  const space = value.search(/[ \t]/);
  const scheme = space === -1 ? value : value.slice(0, space);
  if (scheme.toLowerCase() !== 'bearer') return { kind: 'other-scheme' };
  if (space === -1) return { kind: 'malformed', reason: 'no token after "Bearer"' };
  const token = value.slice(space).trim();
  if (token === '' ) return { kind: 'malformed', reason: 'no token after "Bearer"' };
  if (token.length > MAX_TOKEN_LENGTH) return { kind: 'malformed', reason: 'token too long' };
  if (!TOKEN68.test(token)) return { kind: 'malformed', reason: 'the token must be a single b64token' };
  return { kind: 'bearer', token };
}
