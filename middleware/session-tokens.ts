/**
 * Where and how the web layer keeps Cognito state in `req.session` — the one place that knows.
 *
 * Everything lives under `req.session.cognito`:
 * - `tokens`: the signed-in user's ID, access and refresh tokens (server side, in the session store;
 *   never in a cookie, never on `req.user` unless the strategy is asked to put them there);
 * - `challenge`: a login in progress (MFA, new password…), bound to the session id it was started in
 *   and with its own expiry.
 *
 * Works with any session middleware that gives `req.session` as a plain object with express-session's
 * `regenerate(cb)` (express-session, and compatible ones).
 */
import { unverifiedClaims } from '../lib/cognito-rules';

/**
 * The session's key holding this package's state.
 *
 * @example
 * req.session[SESSION_KEY]; // { tokens: { idToken, accessToken, refreshToken, expiresAt, username } }
 */
export const SESSION_KEY = 'cognito';

/**
 * A signed-in user's tokens as kept in the session.
 *
 * @example
 * const tokens = getSessionTokens(req);
 * if (tokens && tokens.expiresAt * 1000 < Date.now()) { … }
 */
export interface SessionTokens {
  idToken: string;
  accessToken: string;
  /** Absent when the app chose not to keep it (then there is no renewal). */
  refreshToken?: string;
  /** The access token's `exp`, in seconds since the epoch. */
  expiresAt: number;
  /** Cognito's internal username (`cognito:username`), which refresh needs for the secret hash. */
  username?: string;
  /** A remembered device's key, which refresh must send (`DEVICE_KEY`). */
  deviceKey?: string;
}

/**
 * A login step in progress, as kept in the session between two POSTs to the login route.
 *
 * @example
 * setPendingChallenge(req, { name: 'SOFTWARE_TOKEN_MFA', state, username, expiresAt: now + 180_000 });
 */
export interface PendingChallenge {
  /** Cognito's challenge name (`SOFTWARE_TOKEN_MFA`, `SMS_MFA`, `NEW_PASSWORD_REQUIRED`, …). */
  name: string;
  /** What the `Cognito` class needs to answer it (its `mfaTokens`: session, parameters, flow). */
  state: unknown;
  /** The username Cognito knows the user by (`USER_ID_FOR_SRP`), or the one typed. */
  username: string;
  /** When the challenge stops being answerable, in ms since the epoch. */
  expiresAt: number;
  /** The session id the challenge was started in (set by {@link setPendingChallenge}). */
  sid?: string;
  /** MFA_SETUP: the TOTP secret already handed out (so a repeat of the step shows the same one). */
  secretCode?: string;
  /** MFA_SETUP: the `otpauth://` URI of that secret, repeated with it after a wrong code. */
  otpauthUri?: string;
  /** USER_AUTH: the challenge is the first factor (no password proved yet): a new code or another factor starts over. */
  firstFactor?: boolean;
}

interface SessionLike {
  [key: string]: unknown;
  regenerate?: (cb: (err?: unknown) => void) => void;
}

interface RequestWithSession {
  session?: unknown;
  sessionID?: string;
}

interface CognitoSessionState {
  tokens?: SessionTokens;
  challenge?: PendingChallenge;
}

function sessionOf(req: RequestWithSession): SessionLike | undefined {
  const s = req.session;
  return typeof s === 'object' && s !== null ? (s as SessionLike) : undefined;
}

function stateOf(session: SessionLike): CognitoSessionState | undefined {
  const state = session[SESSION_KEY];
  return typeof state === 'object' && state !== null ? state : undefined;
}

function writableState(session: SessionLike): CognitoSessionState {
  let state = stateOf(session);
  if (!state) {
    state = {};
    session[SESSION_KEY] = state;
  }
  return state;
}

function dropIfEmpty(session: SessionLike): void {
  const state = stateOf(session);
  if (state && state.tokens === undefined && state.challenge === undefined) delete session[SESSION_KEY];
}

/**
 * True when the request has a session object to keep state in.
 *
 * @example
 * if (!hasSession(req)) return this.error(new Error('express-session is needed'));
 */
export function hasSession(req: RequestWithSession): boolean {
  return sessionOf(req) !== undefined;
}

/**
 * Builds the session record for a fresh set of tokens: expiry and username come from the tokens'
 * own claims (decoded, not verified: the caller has just verified them or just got them from Cognito).
 *
 * @param tokens the tokens from a login or a refresh.
 * @param previous the record they replace (keeps its refresh token and device key when a refresh
 *   brought no new refresh token).
 * @example
 * setSessionTokens(req, toSessionTokens({ idToken, accessToken, refreshToken }));
 */
export function toSessionTokens(
  tokens: { idToken: string; accessToken: string; refreshToken?: string | undefined; deviceKey?: string | undefined },
  previous?: SessionTokens,
): SessionTokens {
  const access = decodeOrThrow(tokens.accessToken, 'access');
  const id = decodeOrThrow(tokens.idToken, 'ID');
  if (typeof access.exp !== 'number') throw new TypeError('the access token has no "exp" claim');
  const out: SessionTokens = { idToken: tokens.idToken, accessToken: tokens.accessToken, expiresAt: access.exp };
  const refreshToken = tokens.refreshToken ?? previous?.refreshToken;
  if (refreshToken) out.refreshToken = refreshToken;
  const username = typeof id['cognito:username'] === 'string' ? id['cognito:username']
    : typeof access.username === 'string' ? access.username : previous?.username;
  if (username) out.username = username;
  const deviceKey = tokens.deviceKey ?? (typeof access.device_key === 'string' ? access.device_key : previous?.deviceKey);
  if (deviceKey) out.deviceKey = deviceKey;
  return out;
}

/**
 * The session's tokens, or `undefined` when there is no session or no signed-in user.
 *
 * @example
 * const tokens = getSessionTokens(req);
 */
export function getSessionTokens(req: RequestWithSession): SessionTokens | undefined {
  const session = sessionOf(req);
  const tokens = session && stateOf(session)?.tokens;
  if (!tokens || typeof tokens !== 'object') return undefined;
  if (typeof tokens.accessToken !== 'string' || typeof tokens.idToken !== 'string' || typeof tokens.expiresAt !== 'number') {
    return undefined;
  }
  return tokens;
}

/**
 * Stores tokens in this request's copy of the session (saved by the session middleware at the end of
 * the request).
 *
 * @example
 * setSessionTokens(req, renewed);
 */
export function setSessionTokens(req: RequestWithSession, tokens: SessionTokens): void {
  const session = sessionOf(req);
  if (!session) throw new Error('No req.session: mount a session middleware (express-session) before this one');
  writableState(session).tokens = { ...tokens };
}

/**
 * Removes the tokens from the session (after a refused refresh, or at logout).
 *
 * @example
 * clearSessionTokens(req);
 */
export function clearSessionTokens(req: RequestWithSession): void {
  const session = sessionOf(req);
  const state = session && stateOf(session);
  if (!session || !state) return;
  delete state.tokens;
  dropIfEmpty(session);
}

/**
 * The login step in progress, if it belongs to this session (a record copied into another session
 * id is ignored). Expiry is the caller's decision (it has the clock).
 *
 * @example
 * const pending = getPendingChallenge(req);
 */
export function getPendingChallenge(req: RequestWithSession): PendingChallenge | undefined {
  const session = sessionOf(req);
  const challenge = session && stateOf(session)?.challenge;
  if (!challenge || typeof challenge !== 'object' || typeof challenge.name !== 'string') return undefined;
  if (challenge.sid !== undefined && challenge.sid !== req.sessionID) return undefined;
  return challenge;
}

/**
 * Stores a login step in progress, bound to the current session id.
 *
 * @example
 * setPendingChallenge(req, { name: 'SMS_MFA', state, username, expiresAt });
 */
export function setPendingChallenge(req: RequestWithSession, challenge: PendingChallenge): void {
  const session = sessionOf(req);
  if (!session) throw new Error('No req.session: mount a session middleware (express-session) before this one');
  const bound: PendingChallenge = { ...challenge };
  if (typeof req.sessionID === 'string') bound.sid = req.sessionID;
  writableState(session).challenge = bound;
}

/**
 * Forgets the login step in progress.
 *
 * @example
 * clearPendingChallenge(req);
 */
export function clearPendingChallenge(req: RequestWithSession): void {
  const session = sessionOf(req);
  const state = session && stateOf(session);
  if (!session || !state) return;
  delete state.challenge;
  dropIfEmpty(session);
}

/**
 * Makes `tokens` land in the session that the next `req.session.regenerate()` creates — the one
 * Passport's `req.logIn()` makes to prevent session fixation — and in no other. The current session
 * loses this package's state first, so that nothing (not even Passport's `keepSessionInfo` merge)
 * carries a previous user's tokens or a finished challenge into the new session.
 *
 * @returns false when the request has no session that can be regenerated.
 * @example
 * storeTokensAtRegeneration(req, tokens);
 * this.success(user); // passport regenerates the session, the tokens follow
 */
export function storeTokensAtRegeneration(req: RequestWithSession, tokens: SessionTokens): boolean {
  const session = sessionOf(req);
  if (!session || typeof session.regenerate !== 'function') return false;
  delete session[SESSION_KEY];
  const original = session.regenerate;
  // An own, non-enumerable property: invisible to JSON (the store) and to Passport's merge.
  Object.defineProperty(session, 'regenerate', {
    configurable: true,
    enumerable: false,
    writable: true,
    value(this: SessionLike, cb: (err?: unknown) => void) {
      delete (session as Record<string, unknown>).regenerate;
      original.call(this, (err?: unknown) => {
        if (!err && sessionOf(req) && sessionOf(req) !== session) setSessionTokens(req, tokens);
        cb(err);
      });
    },
  });
  return true;
}

/**
 * Regenerates the session now and stores `tokens` in the new one (for logins that do not go through
 * Passport's session support, e.g. `passport.authenticate('cognito', { session: false })`).
 *
 * @example
 * await regenerateWithTokens(req, tokens);
 */
export function regenerateWithTokens(req: RequestWithSession, tokens: SessionTokens): Promise<void> {
  const session = sessionOf(req);
  if (!session || typeof session.regenerate !== 'function') {
    return Promise.reject(new Error('No req.session: mount a session middleware (express-session) before this one'));
  }
  delete session[SESSION_KEY];
  return new Promise((resolve, reject) => {
    session.regenerate!.call(session, (err?: unknown) => {
      if (err) return reject(err instanceof Error ? err : new Error('session regeneration failed'));
      setSessionTokens(req, tokens);
      resolve();
    });
  });
}

function decodeOrThrow(token: string, which: string): Record<string, unknown> {
  const claims = unverifiedClaims(token);
  if (claims === undefined) throw new TypeError(`the ${which} token is not a JWT`);
  return claims;
}
