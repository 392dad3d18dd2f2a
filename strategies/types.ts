/**
 * The public types of `CognitoStrategy`: its options, what `verify` receives, the default user, and
 * the `info` of a failed or unfinished login step.
 */
import type { Request } from 'express';
import type { CognitoOptions } from '../lib/config';
import type { CognitoErrorCode } from '../lib/error-codes';

/**
 * Options of `CognitoStrategy`: the shared Cognito options (see `resolveConfig`: `userPoolId`,
 * `clientId`, `clientSecret`, `region`, `endpoint`, `jwks`, `leewaySeconds`, `clock`, `client`…,
 * each falling back to the environment) and these.
 *
 * @example
 * const options: CognitoStrategyOptions = { authFlow: 'USER_SRP_AUTH', usernameField: 'email', challengeTtlSeconds: 180 };
 */
export interface CognitoStrategyOptions extends CognitoOptions {
  /**
   * How the user is signed in: `'USER_SRP_AUTH'` (default; the password never leaves this server),
   * `'ADMIN_USER_PASSWORD_AUTH'` (server-side admin flow; needs AWS credentials allowed to call
   * AdminInitiateAuth, and the flow enabled on the app client), or `'CUSTOM_AUTH'` (the pool's
   * Define/Create/VerifyAuthChallenge triggers decide: the username alone, or with a password proved
   * by SRP first; each CUSTOM_CHALLENGE is answered by a later POST of `answer`; the client needs
   * `ALLOW_CUSTOM_AUTH`), or `'USER_AUTH'` (choice-based sign-in: the username, then a factor the
   * pool allows and the user has — password (proved by SRP), e-mail or SMS code, passkey; the client
   * needs `ALLOW_USER_AUTH`).
   */
  authFlow?: 'USER_SRP_AUTH' | 'ADMIN_USER_PASSWORD_AUTH' | 'CUSTOM_AUTH' | 'USER_AUTH';
  /** Body field holding the username (default `'username'`; `a[b]` notation allowed). */
  usernameField?: string;
  /** Body field holding the password (default `'password'`). */
  passwordField?: string;
  /** Body field holding an MFA code (default `'code'`). */
  codeField?: string;
  /** Body field holding the new password at NEW_PASSWORD_REQUIRED (default `'newPassword'`). */
  newPasswordField?: string;
  /** Body field holding the chosen MFA type at SELECT_MFA_TYPE (default `'mfaType'`). */
  mfaTypeField?: string;
  /** Body field holding the answer to a CUSTOM_CHALLENGE (default `'answer'`). */
  answerField?: string;
  /** USER_AUTH: body field naming the factor to use (`PASSWORD`, `EMAIL_OTP`, `SMS_OTP`, `WEB_AUTHN`; default `'factor'`). */
  factorField?: string;
  /** USER_AUTH: body field holding the passkey assertion, the browser's `credential.toJSON()` (default `'credential'`). */
  credentialField?: string;
  /** USER_AUTH: body field asking for a new e-mail or SMS code (default `'resend'`). */
  resendField?: string;
  /** Pass `req` as the first argument of `verify` (default false). */
  passReqToCallback?: boolean;
  /** Also put the tokens on the default user as `user.tokens` (default false: they stay server side in the session). */
  storeTokensOnUser?: boolean;
  /** How long a pending challenge can be answered, in seconds (default 180: Cognito's challenge session lifetime). */
  challengeTtlSeconds?: number;
  /** Issuer shown by authenticator apps for the MFA_SETUP `otpauth://` URI (default `'Amazon Cognito'`). */
  totpIssuer?: string;
}

/**
 * The tokens of a successful login, as handed to `verify`.
 *
 * @example
 * new CognitoStrategy({}, (tokens: CognitoTokens, claims, done) => done(null, { id: claims.sub, exp: tokens.expiresAt }));
 */
export interface CognitoTokens {
  idToken: string;
  accessToken: string;
  refreshToken?: string;
  /** The access token's expiry, in seconds since the epoch. */
  expiresAt: number;
  tokenType: 'Bearer';
}

/**
 * The user built from the ID token when no `verify` is given.
 *
 * @example
 * app.get('/', (req, res) => res.send(`hello ${(req.user as CognitoUser).username}`));
 */
export interface CognitoUser {
  sub: string;
  /** `cognito:username` (for pools with e-mail as username this is the `sub`, not the e-mail). */
  username: string;
  email?: string;
  /** `cognito:groups`, or `[]`. */
  groups: string[];
  /** Only with `storeTokensOnUser: true`. */
  tokens?: CognitoTokens;
}

/**
 * What the strategy passes to `fail()` — `info` in a custom callback, `challenge.message` for flash
 * messages. `challenge` is set while a login step is pending; the app renders the matching form.
 *
 * @example
 * passport.authenticate('cognito', (err, user, info: CognitoFailureInfo, status) => {
 *   if (info?.challenge === 'SOFTWARE_TOKEN_MFA') return res.status(401).render('code');
 * });
 */
export interface CognitoFailureInfo {
  message: string;
  /** Stable code: one of {@link CognitoErrorCode} (`ERR_COGNITO_BAD_CREDENTIALS`, `ERR_COGNITO_MFA_SOFTWARE_TOKEN`…). */
  code: CognitoErrorCode;
  challenge?: 'SOFTWARE_TOKEN_MFA' | 'SMS_MFA' | 'NEW_PASSWORD_REQUIRED' | 'MFA_SETUP' | 'SELECT_MFA_TYPE' | 'CUSTOM_CHALLENGE'
    | 'SELECT_CHALLENGE' | 'EMAIL_OTP' | 'SMS_OTP' | 'WEB_AUTHN' | (string & {});
  /** MFA_SETUP: the TOTP secret (base32) to enter in an authenticator app; repeated after a wrong or malformed first code. */
  secretCode?: string;
  /** MFA_SETUP: the same secret as an `otpauth://` URI, for a QR code; repeated with `secretCode`. */
  otpauthUri?: string;
  /** SMS_MFA: where the code was sent (masked by Cognito, e.g. `+********1234`). */
  destination?: string;
  /** SELECT_MFA_TYPE: the types the user may choose from. */
  mfaTypes?: string[];
  /** NEW_PASSWORD_REQUIRED: attributes Cognito requires with the new password. */
  requiredAttributes?: string[];
  /**
   * CUSTOM_CHALLENGE: what the pool's CreateAuthChallenge trigger made public (e.g. `{ question }`),
   * to show the user; repeated while the same challenge is pending. Never the private parameters.
   */
  publicChallengeParameters?: Record<string, string>;
  /** SELECT_CHALLENGE: the first factors Cognito offers this user (`PASSWORD`, `PASSWORD_SRP`, `EMAIL_OTP`, `SMS_OTP`, `WEB_AUTHN`). */
  availableChallenges?: string[];
  /** WEB_AUTHN: PublicKeyCredentialRequestOptionsJSON for `navigator.credentials.get()`; post back the credential. */
  credentialRequestOptions?: Record<string, unknown>;
  /** The body field at fault, for a 400. */
  field?: string;
}

/**
 * `done` of a verify function, as in passport-local: `done(err)`, `done(null, user)` or
 * `done(null, false, info)`.
 *
 * @example
 * const verify: CognitoVerifyFunction = (tokens, claims, done: VerifyDone) => done(null, false, { message: 'Not allowed.' });
 */
export type VerifyDone = (err: unknown, user?: unknown, info?: unknown) => void;
/**
 * Maps a login's tokens and verified ID-token claims to the app's user.
 *
 * @example
 * const verify: CognitoVerifyFunction = (tokens, claims, done) => users.upsert(claims.sub).then((u) => done(null, u), done);
 */
export type CognitoVerifyFunction = (tokens: CognitoTokens, claims: Record<string, unknown>, done: VerifyDone) => void;
/**
 * {@link CognitoVerifyFunction} with `req` first (`passReqToCallback: true`).
 *
 * @example
 * const verify: CognitoVerifyFunctionWithRequest = (req, tokens, claims, done) => done(null, { sub: claims.sub, ip: req.ip });
 */
export type CognitoVerifyFunctionWithRequest = (
  req: Request,
  tokens: CognitoTokens,
  claims: Record<string, unknown>,
  done: VerifyDone,
) => void;

/**
 * The default `req.user`: `{ sub, username, email, groups }` from verified ID-token claims, plus the
 * tokens when asked.
 *
 * @example
 * defaultUser(idClaims); // { sub: '…', username: 'alice', email: 'alice@example.com', groups: ['admin'] }
 */
export function defaultUser(claims: Record<string, unknown>, tokens?: CognitoTokens): CognitoUser {
  const groups = Array.isArray(claims['cognito:groups']) ? (claims['cognito:groups'] as unknown[]).filter((g): g is string => typeof g === 'string') : [];
  // Verified Cognito ID tokens carry both as strings; anything else is no name at all.
  const sub = typeof claims.sub === 'string' ? claims.sub : '';
  const name = claims['cognito:username'];
  const user: CognitoUser = { sub, username: typeof name === 'string' ? name : sub, groups };
  if (typeof claims.email === 'string') user.email = claims.email;
  if (tokens) user.tokens = tokens;
  return user;
}
