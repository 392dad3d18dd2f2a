/**
 * The catalogue of every error `code` the package emits (CONVENTIONS §14): on a `CognitoError`, in
 * the JSON body of a `requireCognito()` / `cognitoLogout()` refusal, and in the `info` of a
 * `CognitoStrategy` `fail()`. Switch on `code`, not on the class: bundlers can duplicate classes.
 *
 * Each entry says when it is emitted and, in brackets, the HTTP status that goes with it (the
 * error's `status`, or the status of the refusal / `fail()`). The emulator's wire errors (`__type`)
 * are Cognito's, not these.
 */

/**
 * Every code the package emits, in one frozen list (for iterating, e.g. in a test or to build a
 * lookup table); {@link CognitoErrorCode} is its union type.
 *
 * @example
 * const known = new Set<string>(COGNITO_ERROR_CODES);
 * if (known.has(body.code)) showMessageFor(body.code as CognitoErrorCode);
 */
export const COGNITO_ERROR_CODES = Object.freeze([
  // -- Sign-in challenges (a ChallengeError subclass; `getTokens()` holds what the answer needs)
  /** [401] Cognito raised a challenge that has no class of its own (EMAIL_OTP, WEB_AUTHN…): `ChallengeError`. */
  'ERR_COGNITO_CHALLENGE',
  /** [401] NEW_PASSWORD_REQUIRED: the user must choose a new password (`ForceChangePasswordError`). */
  'ERR_COGNITO_NEW_PASSWORD_REQUIRED',
  /** [401] SELECT_MFA_TYPE: the user must choose an MFA method (`MFAChallengeError`). */
  'ERR_COGNITO_MFA_SELECT',
  /** [401] SOFTWARE_TOKEN_MFA: a code from the authenticator app is needed (`SoftwareTokenMFAChallengeError`). */
  'ERR_COGNITO_MFA_SOFTWARE_TOKEN',
  /** [401] SMS_MFA: the code sent by SMS is needed (`SMSMFAChallengeError`). */
  'ERR_COGNITO_MFA_SMS',
  /** [401] MFA_SETUP: the pool requires MFA, the user has none yet (`MFASetupRequiredError`; strategy `fail()` with the secret). */
  'ERR_COGNITO_MFA_SETUP',
  /** [401] SELECT_CHALLENGE (USER_AUTH): the user picks a first factor from `availableChallenges` (`SelectChallengeError`). */
  'ERR_COGNITO_SELECT_CHALLENGE',
  /** [401] EMAIL_OTP: the code Cognito e-mailed is needed, to sign in or as MFA (`EmailOtpChallengeError`). */
  'ERR_COGNITO_EMAIL_OTP',
  /** [401] SMS_OTP: the code Cognito texted is needed to sign in (`SmsOtpChallengeError`). */
  'ERR_COGNITO_SMS_OTP',
  /** [401] WEB_AUTHN: a passkey assertion for `requestOptions` is needed (`WebAuthnChallengeError`). */
  'ERR_COGNITO_WEB_AUTHN',
  /** [401] CUSTOM_CHALLENGE: the pool's CreateAuthChallenge trigger asks a question (`CustomChallengeError`; `publicParameters`). */
  'ERR_COGNITO_CUSTOM_CHALLENGE',
  /** [401] DEVICE_SRP_AUTH / DEVICE_PASSWORD_VERIFIER that could not be answered: no remembered device is held (`DeviceChallengeError`). */
  'ERR_COGNITO_DEVICE_CHALLENGE',

  // -- Token verification (`TokenVerificationError`, with `claim` and `reason`; the guard's 401 refusals)
  /** [401] The token is not a compact JWS of three canonical base64url segments with JSON objects, or is too large. */
  'ERR_COGNITO_TOKEN_MALFORMED',
  /** [401] `alg` is not RS256, or the signing key is not an RS256 key. */
  'ERR_COGNITO_TOKEN_ALG',
  /** [401] The JOSE header has a parameter Cognito never sends, or a missing or invalid `kid` / `typ`. */
  'ERR_COGNITO_TOKEN_HEADER',
  /** [401] No key of the pool's JWKS has the token's `kid`, even after a refetch. */
  'ERR_COGNITO_TOKEN_KID_UNKNOWN',
  /** [401] The signature does not verify. */
  'ERR_COGNITO_TOKEN_SIGNATURE',
  /** [401] `iss` is missing or is not this user pool. */
  'ERR_COGNITO_TOKEN_ISSUER',
  /** [401] `aud` (ID token) or `client_id` (access token) is not an allowed app client. */
  'ERR_COGNITO_TOKEN_AUDIENCE',
  /** [401] `token_use` is not the one asked for (`'access'` or `'id'`). */
  'ERR_COGNITO_TOKEN_USE',
  /** [401] `exp` has passed (beyond the leeway); the guard renews the session's tokens first when it can. */
  'ERR_COGNITO_TOKEN_EXPIRED',
  /** [401] `nbf` is in the future (beyond the leeway). */
  'ERR_COGNITO_TOKEN_NOT_YET_VALID',
  /** [401] `iat` is in the future (beyond the leeway). */
  'ERR_COGNITO_TOKEN_IAT',
  /** [401] A required claim is missing or of the wrong type, or the ID and access tokens are of different users. */
  'ERR_COGNITO_TOKEN_CLAIM',
  /** [401] The ID token's `at_hash` does not match its access token. */
  'ERR_COGNITO_TOKEN_AT_HASH',
  /** [401] The token was revoked by `cognitoLogout()` (the revocation store knows it). */
  'ERR_COGNITO_TOKEN_REVOKED',
  /** [401] No token: no bearer header and no signed-in session (the guard's `WWW-Authenticate` then has no error code). */
  'ERR_COGNITO_TOKEN_MISSING',

  // -- Signing keys and the Cognito service (mapped by `mapServiceError`)
  /** [503] No signing keys could be had: the JWKS could not be fetched and none were held (`JwksUnavailableError`). */
  'ERR_COGNITO_JWKS_UNAVAILABLE',
  /** [503] `verifySync` was called before the pool's keys were loaded: it never fetches them (`JwksNotLoadedError`). */
  'ERR_COGNITO_JWKS_NOT_LOADED',
  /** [401] Wrong password or unknown user, indistinguishably (`AuthenticationFailedError`). */
  'ERR_COGNITO_BAD_CREDENTIALS',
  /** [401] Cognito refused the refresh token (expired, revoked, signed out): sign in again (`RefreshTokenRejectedError`). */
  'ERR_COGNITO_REFRESH_REJECTED',
  /** [401] A wrong or expired MFA / verification code (`CodeMismatchError`); the challenge stays pending. */
  'ERR_COGNITO_CODE_MISMATCH',
  /** [401] The challenge session expired (Cognito's or the strategy's pending challenge): start again (`ChallengeExpiredError`). */
  'ERR_COGNITO_CHALLENGE_EXPIRED',
  /** [403] An administrator requires a password reset (`PasswordResetRequiredError`). */
  'ERR_COGNITO_PASSWORD_RESET_REQUIRED',
  /** [403] The account is not confirmed (`UserNotConfirmedError`). */
  'ERR_COGNITO_USER_NOT_CONFIRMED',
  /** [400] A new password does not meet the pool's policy or history (`InvalidPasswordError`). */
  'ERR_COGNITO_INVALID_PASSWORD',
  /** [409] SignUp / AdminCreateUser for a username that is taken (`UsernameExistsError`). */
  'ERR_COGNITO_USERNAME_EXISTS',
  /** [409] The e-mail or phone number is already another confirmed account's alias (`AliasExistsError`). */
  'ERR_COGNITO_ALIAS_EXISTS',
  /** [400] Cognito refused a passkey registration (options expired or used, origin, RP ID, client…): `awsErrorName` says which. */
  'ERR_COGNITO_PASSKEY_REFUSED',
  /** [403] Passkeys are not enabled for the pool (WebAuthnNotEnabledException, WebAuthnConfigurationMissingException). */
  'ERR_COGNITO_PASSKEYS_NOT_ENABLED',
  /** [404] No such passkey among the user's (DeleteWebAuthnCredential's ResourceNotFoundException). */
  'ERR_COGNITO_PASSKEY_NOT_FOUND',
  /** [401] Registering a passkey needs a recent sign-in (`cognitoPasskeys` `recentSignInSeconds`): sign in again. */
  'ERR_COGNITO_RECENT_SIGN_IN_REQUIRED',
  /** [401] A confirmation, reset or verification code that has expired: ask for a new one (`ExpiredCodeError`, a `CodeMismatchError`). */
  'ERR_COGNITO_CODE_EXPIRED',
  /** [429] Cognito's per-user limit on codes or attempts in an account call (`LimitExceededError`, a `ThrottledError`). */
  'ERR_COGNITO_LIMIT_EXCEEDED',
  /** [404] No such user, in an account call of a LEGACY client (`UserNotFoundError`); web layers answer it as success. */
  'ERR_COGNITO_USER_NOT_FOUND',
  /** [400] Cognito refused a parameter of an account call (`InvalidParameterError`; Cognito's text only when it echoes nothing sent). */
  'ERR_COGNITO_INVALID_PARAMETER',
  /** [429] Cognito throttled the call, or too many failed attempts (`ThrottledError`, `retryAfterSeconds`; the guard: 503). */
  'ERR_COGNITO_THROTTLED',
  /** [503] Cognito could not be reached or failed: network error, timeout, 5xx (`ServiceUnavailableError`). */
  'ERR_COGNITO_UNAVAILABLE',
  /** [401] Any other NotAuthorizedException: disabled user, revoked access token, wrong client… (`NotAuthorizedError`). */
  'ERR_COGNITO_NOT_AUTHORIZED',
  /** [502] Any other failure of Cognito: misconfiguration (no AWS credentials for a signed call), an odd answer (`CognitoServiceError`). */
  'ERR_COGNITO_SERVICE',

  // -- Web layer: `requireCognito()` and `cognitoLogout()` refusals
  /** [401] The `Authorization` header is a Bearer header that cannot be a token (`WWW-Authenticate: Bearer error="invalid_request"`). */
  'ERR_COGNITO_AUTHORIZATION_MALFORMED',
  /** [403] The user is in none of the route's `groups`. */
  'ERR_COGNITO_GROUP_REQUIRED',
  /** [403] The access token lacks a `scope` the route requires (`error="insufficient_scope"`). */
  'ERR_COGNITO_SCOPE_REQUIRED',
  /** [405] `cognitoLogout()` was called with a method it does not accept (POST by default; `Allow` says which). */
  'ERR_COGNITO_METHOD_NOT_ALLOWED',
  /** [401] Deleting the account needs a fresh sign-in (the password's sign-in asked for MFA): sign in, then delete. */
  'ERR_COGNITO_REAUTH_REQUIRED',
  /** [403] An unsafe request without this session's CSRF token (`cognitoCsrf()`; `CsrfTokenError`, passed to `next(err)`). */
  'ERR_COGNITO_CSRF',
  /** [503] Redis (revocation store, refresh lock) unreachable or failing; requests fail closed (`RedisUnavailableError`). */
  'ERR_COGNITO_REDIS_UNAVAILABLE',

  // -- `CognitoStrategy` `fail()` codes (besides the challenge and service codes above)
  /** [400] The first step lacks the username or the password; Cognito is not called. */
  'ERR_COGNITO_MISSING_CREDENTIALS',
  /** [400] A pending challenge's answer lacks a field it needs (`newPassword`, a required attribute…); `field` names it. */
  'ERR_COGNITO_MISSING_FIELD',
  /** [400] A field is malformed (a code that is not 6 digits, an `mfaType` not offered, too long); `field` names it. */
  'ERR_COGNITO_INVALID_FIELD',
  /** [400] A challenge answer (`code`, `newPassword`, `mfaType`) was posted, but no sign-in is in progress in this session. */
  'ERR_COGNITO_NO_PENDING_CHALLENGE',
  /** [401] Cognito asked for a challenge the strategy cannot answer; the sign-in must start again. */
  'ERR_COGNITO_CHALLENGE_UNSUPPORTED',
  /** [401] The app's `verify` refused the user (`done(null, false)`) without a code of its own. */
  'ERR_COGNITO_USER_REFUSED',

  // -- Hosted UI (`CognitoHostedStrategy` `fail()`)
  /** [400] The callback's `state` is missing or is not the one this session sent, or the sign-in took too long. */
  'ERR_COGNITO_OAUTH_STATE',
  /** [401] Cognito (or the federated provider) answered the callback with an OAuth error, or refused the code; `info.error` has it. */
  'ERR_COGNITO_OAUTH_ERROR',
  /** [401] The ID token of the callback has the wrong `nonce` or `at_hash`, or none. */
  'ERR_COGNITO_OAUTH_ID_TOKEN',
] as const);

/**
 * A code the package emits: the union of {@link COGNITO_ERROR_CODES} (jose's `JOSEErrorCode`, for
 * this package). `CognitoError.code`, the refusal bodies of the middleware and the strategy's
 * `fail()` info are typed with it, so a `switch` on `code` is checked by the compiler.
 *
 * @example
 * function messageFor(code: CognitoErrorCode): string {
 *   switch (code) {
 *     case 'ERR_COGNITO_TOKEN_EXPIRED': return 'Your session has expired.';
 *     case 'ERR_COGNITO_THROTTLED': return 'Too many attempts; try again in a minute.';
 *     default: return 'Sign-in failed.';
 *   }
 * }
 */
export type CognitoErrorCode = (typeof COGNITO_ERROR_CODES)[number];
