/**
 * The typed request context the web layer sets, and the one declaration-merging block of the
 * package (CONVENTIONS §8): after `requireCognito()` has let a request through, `req.cognito` holds
 * who made it.
 */

import type { AccessTokenClaims, CognitoClaims } from '../lib/token-verifier';

/**
 * What `requireCognito()` puts on `req.cognito` once a user's token was verified (`principal: 'user'`).
 * A machine-to-machine token gives a {@link CognitoClientContext} instead: `req.cognito` is either
 * ({@link CognitoContext}); `principal` tells them apart, and a guard without `scope` only ever
 * lets users through.
 *
 * @example
 * app.get('/me', requireCognito(), (req, res) => {
 *   const { sub, username, groups, source } = req.cognito as CognitoRequestContext;
 *   res.json({ sub, username, groups, source });
 * });
 */
export interface CognitoRequestContext {
  /** A user signed in (as opposed to an app client on its own, {@link CognitoClientContext}). */
  principal: 'user';
  /** The verified claims of the token that was checked (`tokenUse` says which one): `IdTokenClaims` or `AccessTokenClaims`. */
  claims: CognitoClaims;
  /** Which token was checked: the access token (default) or the ID token. */
  tokenUse: 'access' | 'id';
  /** Cognito's username (`username` in an access token, `cognito:username` in an ID token). */
  username: string;
  /** The user's stable id (`sub`). */
  sub: string;
  /** The app client the token was issued to (`client_id` of an access token, `aud` of an ID token). */
  clientId: string;
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

/**
 * What `requireCognito({ scope })` puts on `req.cognito` for a machine-to-machine access token (the
 * `client_credentials` grant, e.g. from `clientCredentials()`): no user, so no `username` and no
 * groups; `sub` is the app client's id. Only ever a bearer token, never renewed, and only accepted by
 * a guard that requires a `scope`.
 *
 * @example
 * app.get('/api/orders', requireCognito({ clientId: [webClientId, m2mClientId], scope: 'orders/read' }), (req, res) => {
 *   const who = req.cognito!.principal === 'client' ? `client ${req.cognito!.clientId}` : req.cognito!.username;
 *   res.json({ who });
 * });
 */
export interface CognitoClientContext {
  /** An app client on its own, with no user. */
  principal: 'client';
  /** The verified claims of the access token. */
  claims: AccessTokenClaims;
  tokenUse: 'access';
  /** Absent: there is no user. */
  username?: undefined;
  /** The app client's id (Cognito's `sub` of a client-credentials token). */
  sub: string;
  /** The app client's id (`client_id`). */
  clientId: string;
  /** Always `[]`: an app client is in no group (so a `groups` guard refuses it). */
  groups: string[];
  /** The scopes granted (`scope`, split on spaces), e.g. `['orders/read']`. */
  scopes: string[];
  source: 'bearer';
  /** The bearer token. */
  accessToken: string;
  idToken?: undefined;
}

/**
 * What `req.cognito` holds after `requireCognito()`: a user's context or an app client's.
 *
 * @example
 * const who = (c: CognitoContext): string => (c.principal === 'user' ? c.username : `client ${c.clientId}`);
 */
export type CognitoContext = CognitoRequestContext | CognitoClientContext;

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** Set by `requireCognito()` once the request's token was verified: a user's, or (`principal: 'client'`) an app client's. */
      cognito?: CognitoContext;
    }
  }
}
