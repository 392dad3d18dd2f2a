/**
 * SECRET_HASH, which Cognito requires in every auth call of an app client that has a secret.
 */
import { createHmac } from 'node:crypto';

/**
 * SECRET_HASH = base64(HMAC-SHA256(key = clientSecret, message = username + clientId)).
 *
 * `username` must be the name Cognito knows internally: USER_ID_FOR_SRP when answering a
 * challenge, the `cognito:username` claim on refresh — not an alias (e-mail, phone) the person
 * typed, or Cognito answers "Unable to verify secret hash for client".
 *
 * @param username Cognito's internal username.
 * @param clientId the app client id.
 * @param clientSecret the app client secret. Never copied into an error message.
 * @returns the hash, base64 (44 characters).
 * @throws TypeError when an argument is not a non-empty string.
 * @example
 * secretHash('alice', '4u1h0k1ck3d', 'the-client-secret'); // base64 string
 */
export function secretHash(username: string, clientId: string, clientSecret: string): string {
  for (const [name, value] of [
    ['username', username],
    ['clientId', clientId],
    ['clientSecret', clientSecret],
  ] as const) {
    if (typeof value !== 'string' || value.length === 0) throw new TypeError(`"${name}" must be a non-empty string`);
  }
  return createHmac('sha256', clientSecret).update(username + clientId, 'utf8').digest('base64');
}
