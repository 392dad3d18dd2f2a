/**
 * SECRET_HASH, the proof of the client secret Cognito asks of clients that have one:
 * base64(HMAC-SHA256(clientSecret, username + clientId)). Pure.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Computes a SECRET_HASH.
 *
 * @example
 * computeSecretHash('alice', 'clientid', 'secret'); // base64 string
 */
export function computeSecretHash(username: string, clientId: string, clientSecret: string): string {
  return createHmac('sha256', clientSecret).update(username + clientId).digest('base64');
}

/** Whether `given` is the SECRET_HASH of `username` for the client, compared in constant time. */
export function secretHashMatches(given: string, username: string, clientId: string, clientSecret: string): boolean {
  const expected = Buffer.from(computeSecretHash(username, clientId, clientSecret));
  const actual = Buffer.from(given);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
