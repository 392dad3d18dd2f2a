/**
 * Renewing the session's tokens for `requireCognito()`: single flight across every guard of the
 * process (N requests of one session, one refresh at Cognito), `lib/`'s renewal called directly (no
 * `Cognito` instance per renewal), and Cognito's answer turned into the guard's: new tokens in the
 * session, a 503 that keeps the refresh token, or a 401 that signs the session out.
 */
import { createHash } from 'node:crypto';
import createDebug from 'debug';
import type { ResolvedConfig } from '../lib/config';
import { isCognitoError } from '../lib/errors';
import { renewSession } from '../lib/renewal';
import { ServiceClient } from '../lib/service-client';
import type { TokenVerifier } from '../lib/token-verifier';
import { Refusal } from './refusal';
import { clearSessionTokens, setSessionTokens, toSessionTokens, type SessionTokens } from './session-tokens';
import { SingleFlight } from './single-flight';

const debug = createDebug('express-cognito:require');

/** Default `Retry-After` when Cognito or its keys are unreachable, in seconds. */
export const RETRY_AFTER_SECONDS = 5;

// Renewals in flight, shared by every guard of the process (two guards on one path must not refresh
// twice). A finished renewal stays available for 30 s of wall time to requests that loaded their copy
// of the session before it was saved; the key includes the access token, so a later renewal of the
// same (non-rotating) refresh token is never answered with these tokens.
const renewals = new SingleFlight<SessionTokens>({ retainMs: 30_000 });

/**
 * What one guard renews with: its resolved config, one service client, its verifier.
 *
 * @example
 * const renewal = sessionRenewal(config, verifier, false);
 */
export interface SessionRenewal {
  readonly config: ResolvedConfig;
  readonly service: ServiceClient;
  readonly verifier: TokenVerifier;
  /** Told that the app client rotates refresh tokens (else the process-wide registry decides). */
  readonly rotation: boolean;
}

/**
 * A guard's {@link SessionRenewal} (no I/O: the SDK client is made at the first renewal).
 *
 * @example
 * const renewal = sessionRenewal(config, new TokenVerifier(config), options.refreshTokenRotation ?? false);
 */
export function sessionRenewal(config: ResolvedConfig, verifier: TokenVerifier, rotation: boolean): SessionRenewal {
  return { config, service: new ServiceClient(config), verifier, rotation };
}

/**
 * Renews `tokens` (single flight) and puts the new ones in this request's session.
 *
 * @throws Refusal 503 (`Retry-After`) when Cognito throttles or is unreachable, the refresh token
 *   kept; Refusal 401 `ERR_COGNITO_REFRESH_REJECTED` when it refuses the refresh token, the session's
 *   tokens removed.
 * @example
 * tokens = await renewSessionTokens(g.renewal, req, tokens);
 */
export async function renewSessionTokens(r: SessionRenewal, req: object, tokens: SessionTokens): Promise<SessionTokens> {
  const refreshToken = tokens.refreshToken as string;
  const { config } = r;
  const key = createHash('sha256')
    .update(`${config.userPoolId}\0${config.clientId}\0${refreshToken}\0${tokens.accessToken}`)
    .digest('base64url');
  let renewed: SessionTokens;
  try {
    renewed = await renewals.run(key, async () => {
      const out = await renewSession(r, {
        refreshToken, idToken: tokens.idToken, accessToken: tokens.accessToken, username: tokens.username, deviceKey: tokens.deviceKey,
        rotation: r.rotation ? true : undefined,
      });
      return toSessionTokens({ idToken: out.idToken, accessToken: out.accessToken, refreshToken: out.refreshToken }, tokens);
    });
  } catch (err) {
    if (!isCognitoError(err)) throw err;
    if (err.code === 'ERR_COGNITO_THROTTLED' || err.status >= 500) {
      const retry = (err as { retryAfterSeconds?: unknown }).retryAfterSeconds;
      const seconds = typeof retry === 'number' && retry > 0 ? Math.ceil(retry) : RETRY_AFTER_SECONDS;
      debug('renewal impossible now (%s); keeping the refresh token', err.code);
      throw new Refusal(503, { error: 'temporarily_unavailable', code: err.code, message: 'Cognito is unavailable; try again later.' },
        { 'Retry-After': String(seconds) });
    }
    debug('refresh refused (%s); signing the session out', err.code);
    clearSessionTokens(req);
    throw new Refusal(401, { error: 'invalid_token', code: 'ERR_COGNITO_REFRESH_REJECTED', message: 'The session has ended; sign in again.' },
      { 'WWW-Authenticate': 'Bearer error="invalid_token", error_description="The session has ended"' }, true);
  }
  // Every request updates its own copy of the session, so none of them saves the old tokens back.
  setSessionTokens(req, renewed);
  return renewed;
}
