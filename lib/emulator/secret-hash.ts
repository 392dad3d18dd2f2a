/**
 * Checking SECRET_HASH (base64 HMAC-SHA256(clientSecret, username + clientId), computed by the
 * package's own `lib/secret-hash.ts`) in constant time.
 */
import { timingSafeEqual } from 'node:crypto';
import { secretHash } from '../secret-hash';

/** Whether `given` is the SECRET_HASH of `username` for the client, compared in constant time. */
export function secretHashMatches(given: string, username: string, clientId: string, clientSecret: string): boolean {
  if (username === '') return false;
  const expected = Buffer.from(secretHash(username, clientId, clientSecret));
  const actual = Buffer.from(given);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
