/**
 * Cognito's rules that more than one part of the package needs, each once, as a pure function with
 * known-answer tests (test/lib/cognito-rules.test.ts): the internal username (SECRET_HASH's pitfall),
 * the longest username, when a token is due for renewal, a token's claims read without verification,
 * the SECRET_HASH parameter.
 */
import { secretHash } from './secret-hash';

/**
 * Cognito's limit on a username, in characters (its API refuses longer ones): the one limit the
 * package applies — `Cognito` refuses a longer `username` option, `CognitoStrategy` answers a longer
 * one as an unknown user would (401, no call).
 *
 * @example
 * if (username.length > MAX_USERNAME_LENGTH) return fail(401, 'ERR_COGNITO_BAD_CREDENTIALS');
 */
export const MAX_USERNAME_LENGTH = 128;

/**
 * A JWT's claims set decoded without any verification (for routing decisions only: which user a
 * refresh is for, when it expires; never for authorization). `undefined` when it cannot be decoded.
 *
 * @example
 * unverifiedClaims(session.accessToken)?.exp; // 1767225600
 */
export function unverifiedClaims(token: string | undefined): Record<string, unknown> | undefined {
  if (typeof token !== 'string' || token === '') return undefined;
  const parts = token.split('.');
  // A compact JWS: three segments, the middle one base64url of a JSON object (jose's decodeJwt rules).
  if (parts.length !== 3 || !/^[A-Za-z0-9_-]+$/.test(parts[1])) return undefined;
  try {
    const claims: unknown = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    return typeof claims === 'object' && claims !== null && !Array.isArray(claims) ? (claims as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function nonEmpty(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/**
 * The username Cognito knows the user by, during a sign-in: the one recorded with the challenge,
 * else the challenge's `USER_ID_FOR_SRP`, else the name typed (an alias such as an e-mail address
 * is only right until Cognito has said who that is).
 *
 * @example
 * internalUsernameFromChallenge({ USER_ID_FOR_SRP: 'b7d1…' }, undefined, 'bob@example.com'); // 'b7d1…'
 */
export function internalUsernameFromChallenge(
  parameters: Readonly<Record<string, string>> | undefined,
  recorded: string | undefined,
  typed: string | undefined,
): string | undefined {
  return nonEmpty(recorded) ?? nonEmpty(parameters?.USER_ID_FOR_SRP) ?? nonEmpty(typed);
}

/**
 * The username Cognito knows the user by, from a signed-in user's tokens: the ID token's
 * `cognito:username`, else the access token's `username`, else `fallback`. Only decoded: Cognito
 * checks the tokens of the call this is for.
 *
 * @example
 * internalUsernameFromTokens(idToken, accessToken, 'bob@example.com'); // 'b7d1…' after a login by e-mail
 */
export function internalUsernameFromTokens(idToken?: string, accessToken?: string, fallback?: string): string | undefined {
  return nonEmpty(unverifiedClaims(idToken)?.['cognito:username']) ?? nonEmpty(unverifiedClaims(accessToken)?.username) ?? nonEmpty(fallback);
}

/**
 * Whether a token with this `exp` (seconds) must be renewed at `nowMs`: it has expired, or expires
 * within `leewaySeconds`, so that it is renewed before a verifier with a clock slightly ahead refuses
 * it. An `exp` that is not a number counts as due.
 *
 * @example
 * renewalDue(1_700_000_100, 1_700_000_096_000, 5); // true: 4 s left, 5 s of leeway
 */
export function renewalDue(exp: unknown, nowMs: number, leewaySeconds: number): boolean {
  return typeof exp !== 'number' || !Number.isFinite(exp) || nowMs + leewaySeconds * 1000 >= exp * 1000;
}

/**
 * `{ SECRET_HASH }` for an app client with a secret (built from `username`, which must be the
 * internal username except for the first call of a sign-in), `{}` for one without.
 *
 * @example
 * const params = { USERNAME: name, ...secretHashParam(config, name) };
 */
export function secretHashParam(
  client: { readonly clientId: string; readonly clientSecret?: string | undefined },
  username: string,
): { SECRET_HASH?: string } {
  return client.clientSecret !== undefined ? { SECRET_HASH: secretHash(username, client.clientId, client.clientSecret) } : {};
}
