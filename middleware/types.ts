/**
 * The typed request context the web layer sets, and the one declaration-merging block of the
 * package (CONVENTIONS §8): after `requireCognito()` has let a request through, `req.cognito` holds
 * who made it.
 */

import type { CognitoClaims } from '../lib/token-verifier';

/**
 * What `requireCognito()` puts on `req.cognito` once a token was verified.
 *
 * @example
 * app.get('/me', requireCognito(), (req, res) => {
 *   const { sub, username, groups, source } = req.cognito!;
 *   res.json({ sub, username, groups, source });
 * });
 */
export interface CognitoRequestContext {
  /** The verified claims of the token that was checked (`tokenUse` says which one): `IdTokenClaims` or `AccessTokenClaims`. */
  claims: CognitoClaims;
  /** Which token was checked: the access token (default) or the ID token. */
  tokenUse: 'access' | 'id';
  /** Cognito's username (`username` in an access token, `cognito:username` in an ID token). */
  username: string;
  /** The user's stable id (`sub`). */
  sub: string;
  /** `cognito:groups`, or `[]` when the user is in no group. */
  groups: string[];
  /** The access token's scopes (`scope`, split on spaces); `[]` for an ID token. */
  scopes: string[];
  /** Where the token came from: an `Authorization: Bearer` header or the session. */
  source: 'bearer' | 'session';
  /** The access token, when one is at hand (the bearer token, or the session's). */
  accessToken?: string;
  /** The ID token, when one is at hand (the bearer token, or the session's). */
  idToken?: string;
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** Set by `requireCognito()` once the request's token was verified. */
      cognito?: CognitoRequestContext;
    }
  }
}
