/**
 * The package's error tree, in one file (CONVENTIONS §5).
 *
 * Every error extends {@link CognitoError} and carries a stable `code` (`ERR_COGNITO_…`) and the HTTP
 * `status` a web layer should answer with. Callers switch on `code` (see {@link isCognitoError}),
 * because bundlers can duplicate classes and break `instanceof`.
 *
 * Messages are fixed texts written here: they never copy a password, a token, a client secret, or
 * free text from the service that could contain one. A mistake by the caller (a bad option) is a
 * `TypeError`, never a `CognitoError`.
 *
 * The codes themselves are catalogued in `./error-codes` ({@link CognitoErrorCode}); turning AWS SDK
 * exceptions into these classes is `mapServiceError`, at the service edge (`./service-errors`).
 */
import { passwordRequirement, type PasswordPolicy, type PasswordRequirement } from './password-policy';
import type { CognitoErrorCode } from './error-codes';

/**
 * Every token-verification failure code: the `ERR_COGNITO_TOKEN_…` members of {@link CognitoErrorCode}.
 *
 * @example
 * const code: TokenErrorCode = 'ERR_COGNITO_TOKEN_EXPIRED';
 */
export type TokenErrorCode = Extract<CognitoErrorCode, `ERR_COGNITO_TOKEN_${string}`>;

/** Options common to every {@link CognitoError} constructor. */
export interface CognitoErrorOptions {
  /** The underlying error, when it is safe to keep (it must not hold a secret). */
  cause?: unknown;
}

/**
 * Base of every error this package raises on purpose.
 *
 * @example
 * try { await cognito.authenticate(password); }
 * catch (e) { if (isCognitoError(e)) res.status(e.status).json({ error: e.code }); else throw e; }
 */
export class CognitoError extends Error {
  /** A stable, machine-readable code: one of {@link CognitoErrorCode}. */
  readonly code: CognitoErrorCode;
  /** The HTTP status a web layer should answer with. */
  readonly status: number;
  /** The AWS exception name (`err.name`) this error was mapped from, when it was. */
  declare awsErrorName?: string;
  /** The AWS request id, when this error was mapped from a service response. */
  declare requestId?: string;

  constructor(message: string, code: CognitoErrorCode, status = 500, options?: CognitoErrorOptions) {
    super(message, options && 'cause' in options ? { cause: options.cause } : undefined);
    this.name = new.target.name;
    this.code = code;
    this.status = status;
  }
}

/**
 * True when `e` is one of this package's errors: checks for an `ERR_COGNITO_` `code`, a numeric
 * `status` and a `message`, not the class, so duplicated copies of the package still match. (A copy
 * of another version may carry a code this version's {@link CognitoErrorCode} does not list.)
 *
 * @example
 * if (isCognitoError(err) && err.code === 'ERR_COGNITO_TOKEN_EXPIRED') await renew();
 */
export function isCognitoError(e: unknown): e is CognitoError {
  if (typeof e !== 'object' || e === null) return false;
  const { code, status, message } = e as { code?: unknown; status?: unknown; message?: unknown };
  return typeof code === 'string' && code.startsWith('ERR_COGNITO') && typeof status === 'number' && typeof message === 'string';
}

// ---------------------------------------------------------------------------------------------
// Challenges

/** The challenge response Cognito returns, in the SDK's shape (pycognito's `get_tokens()`). */
export interface ChallengeTokens {
  ChallengeName: string;
  Session?: string;
  ChallengeParameters: Record<string, string>;
  /** The flow the sign-in used, so that the answer goes to the admin API after an admin login. */
  AuthFlow?: string;
  /** The username Cognito knows the user by (USER_ID_FOR_SRP), for `USERNAME` and `SECRET_HASH`. */
  Username?: string;
  /** SELECT_CHALLENGE (USER_AUTH): the first factors Cognito offers this user (the response's `AvailableChallenges`). */
  AvailableChallenges?: string[];
}

/** What a {@link ChallengeError} is built from. */
export interface ChallengeDetails {
  challengeName: string;
  session?: string;
  parameters?: Record<string, string>;
  /** The username Cognito knows the user by (`USER_ID_FOR_SRP`), when known. */
  username?: string;
  /** The flow the sign-in used (`USER_SRP_AUTH`, `ADMIN_USER_PASSWORD_AUTH`), when known. */
  authFlow?: string;
  /** SELECT_CHALLENGE: the first factors offered. */
  availableChallenges?: string[];
}

/**
 * Cognito answered a sign-in step with a challenge instead of tokens. The `session` is what the next
 * `RespondToAuthChallenge` needs; it is kept out of the message.
 *
 * @example
 * catch (e) { if (e instanceof ChallengeError) req.session.challenge = e.getTokens(); }
 */
export class ChallengeError extends CognitoError {
  readonly challengeName: string;
  declare readonly session?: string;
  readonly parameters: Record<string, string>;
  declare readonly username?: string;
  declare readonly authFlow?: string;
  declare readonly availableChallenges?: string[];

  constructor(details: ChallengeDetails, message?: string, code: CognitoErrorCode = 'ERR_COGNITO_CHALLENGE') {
    super(message ?? `Cognito requires the ${safeName(details.challengeName)} challenge.`, code, 401);
    this.challengeName = details.challengeName;
    if (details.session !== undefined) this.session = details.session;
    this.parameters = { ...(details.parameters ?? {}) };
    if (details.username !== undefined) this.username = details.username;
    if (details.authFlow !== undefined) this.authFlow = details.authFlow;
    if (details.availableChallenges !== undefined) this.availableChallenges = [...details.availableChallenges];
  }

  /**
   * The challenge as Cognito sent it, like pycognito's `get_tokens()`.
   *
   * @example
   * const { ChallengeName, Session } = err.getTokens();
   */
  getTokens(): ChallengeTokens {
    const out: ChallengeTokens = { ChallengeName: this.challengeName, ChallengeParameters: { ...this.parameters } };
    if (this.session !== undefined) out.Session = this.session;
    if (this.authFlow !== undefined) out.AuthFlow = this.authFlow;
    if (this.username !== undefined) out.Username = this.username;
    if (this.availableChallenges !== undefined) out.AvailableChallenges = [...this.availableChallenges];
    return out;
  }
}

/**
 * NEW_PASSWORD_REQUIRED: the user must choose a new password (pycognito's `ForceChangePasswordException`).
 *
 * @example
 * catch (e) { if (e instanceof ForceChangePasswordError) await u.newPasswordChallenge(pw, newPw); }
 */
export class ForceChangePasswordError extends ChallengeError {
  constructor(details: Omit<ChallengeDetails, 'challengeName'> & { challengeName?: string }) {
    super({ ...details, challengeName: details.challengeName ?? 'NEW_PASSWORD_REQUIRED' },
      'The user must set a new password.', 'ERR_COGNITO_NEW_PASSWORD_REQUIRED');
  }
}

/**
 * SELECT_MFA_TYPE, and the base of every MFA challenge (pycognito's `MFAChallengeException`).
 * The available types are in `parameters.MFAS_CAN_CHOOSE` (a JSON array).
 *
 * @example
 * catch (e) { if (e instanceof MFAChallengeError) return askForCode(e.challengeName, e.getTokens()); }
 */
export class MFAChallengeError extends ChallengeError {
  constructor(details: Omit<ChallengeDetails, 'challengeName'> & { challengeName?: string }, message?: string, code?: CognitoErrorCode) {
    super({ ...details, challengeName: details.challengeName ?? 'SELECT_MFA_TYPE' },
      message ?? 'The user must choose a multi-factor authentication method.', code ?? 'ERR_COGNITO_MFA_SELECT');
  }
}

/**
 * SOFTWARE_TOKEN_MFA: a code from the user's authenticator app is needed.
 *
 * @example
 * catch (e) { if (e instanceof SoftwareTokenMFAChallengeError) await u.respondToSoftwareTokenMfaChallenge(code, e.getTokens()); }
 */
export class SoftwareTokenMFAChallengeError extends MFAChallengeError {
  constructor(details: Omit<ChallengeDetails, 'challengeName'>) {
    super({ ...details, challengeName: 'SOFTWARE_TOKEN_MFA' },
      'A code from the authenticator app is required.', 'ERR_COGNITO_MFA_SOFTWARE_TOKEN');
  }
}

/**
 * SMS_MFA: the code Cognito sent by SMS is needed (`parameters.CODE_DELIVERY_DESTINATION` is masked).
 *
 * @example
 * catch (e) { if (e instanceof SMSMFAChallengeError) await u.respondToSmsMfaChallenge(code, e.getTokens()); }
 */
export class SMSMFAChallengeError extends MFAChallengeError {
  constructor(details: Omit<ChallengeDetails, 'challengeName'>) {
    super({ ...details, challengeName: 'SMS_MFA' }, 'The code sent by SMS is required.', 'ERR_COGNITO_MFA_SMS');
  }
}

/**
 * MFA_SETUP: the pool requires MFA and the user has none yet (associate a software token first).
 *
 * @example
 * catch (e) { if (e instanceof MFASetupRequiredError) startTotpEnrolment(e.session); }
 */
export class MFASetupRequiredError extends MFAChallengeError {
  constructor(details: Omit<ChallengeDetails, 'challengeName'>) {
    super({ ...details, challengeName: 'MFA_SETUP' }, 'The user must set up multi-factor authentication.', 'ERR_COGNITO_MFA_SETUP');
  }
}

/**
 * DEVICE_SRP_AUTH / DEVICE_PASSWORD_VERIFIER: Cognito asks a remembered device to prove itself, and
 * this `Cognito` holds no device secrets to answer with (when it holds them, `authenticate()`
 * answers the challenge itself). Sign in again with the device the user's earlier sign-in kept.
 *
 * @example
 * catch (e) {
 *   if (!(e instanceof DeviceChallengeError)) throw e;
 *   const { deviceKey, deviceGroupKey, devicePassword } = await loadDevice(username);
 *   await new Cognito(userPoolId, clientId, { username, deviceKey, deviceGroupKey, devicePassword }).authenticate(password);
 * }
 */
export class DeviceChallengeError extends ChallengeError {
  constructor(details: ChallengeDetails) {
    super(details, 'Cognito requires device authentication.', 'ERR_COGNITO_DEVICE_CHALLENGE');
  }
}

/**
 * CUSTOM_CHALLENGE (CUSTOM_AUTH): the pool's CreateAuthChallenge trigger asks something — a question,
 * a code it sent — described by `publicParameters` (its `publicChallengeParameters`, without Cognito's
 * `USERNAME`). Answer with `Cognito#respondToCustomChallenge(answer)`; a wrong answer usually brings a
 * new CUSTOM_CHALLENGE, as the DefineAuthChallenge trigger decides.
 *
 * @example
 * catch (e) { if (e instanceof CustomChallengeError) return ask(e.publicParameters.question, e.getTokens()); }
 */
export class CustomChallengeError extends ChallengeError {
  constructor(details: Omit<ChallengeDetails, 'challengeName'>) {
    super({ ...details, challengeName: 'CUSTOM_CHALLENGE' }, 'The sign-in asks a custom challenge.', 'ERR_COGNITO_CUSTOM_CHALLENGE');
  }

  /** What the CreateAuthChallenge trigger made public (`USERNAME` left out). */
  get publicParameters(): Record<string, string> {
    return publicChallengeParameters(this.parameters);
  }
}

/**
 * A CUSTOM_CHALLENGE's public parameters: its `ChallengeParameters` without Cognito's `USERNAME`.
 *
 * @example
 * publicChallengeParameters({ question: 'Colour?', USERNAME: 'ann' }); // { question: 'Colour?' }
 */
export function publicChallengeParameters(params: Record<string, string>): Record<string, string> {
  const { USERNAME: _username, ...rest } = params;
  return rest;
}

/**
 * SELECT_CHALLENGE (USER_AUTH without a preferred factor, or with one the user cannot present): the
 * user picks one of `availableChallenges` (`PASSWORD`, `PASSWORD_SRP`, `EMAIL_OTP`, `SMS_OTP`,
 * `WEB_AUTHN`); answer with `Cognito#selectChallenge(choice, …)`.
 *
 * @example
 * catch (e) { if (e instanceof SelectChallengeError) return offer(e.availableChallenges, e.getTokens()); }
 */
export class SelectChallengeError extends ChallengeError {
  declare readonly availableChallenges: string[];

  constructor(details: Omit<ChallengeDetails, 'challengeName'>) {
    super({ ...details, challengeName: 'SELECT_CHALLENGE', availableChallenges: details.availableChallenges ?? [] },
      'The user must choose how to sign in.', 'ERR_COGNITO_SELECT_CHALLENGE');
  }
}

/**
 * EMAIL_OTP: the code Cognito e-mailed — a first factor of USER_AUTH, or e-mail MFA after a password
 * (`parameters.CODE_DELIVERY_DESTINATION` is masked).
 *
 * @example
 * catch (e) { if (e instanceof EmailOtpChallengeError) await u.respondToEmailOtpChallenge(code, e.getTokens()); }
 */
export class EmailOtpChallengeError extends ChallengeError {
  constructor(details: Omit<ChallengeDetails, 'challengeName'>) {
    super({ ...details, challengeName: 'EMAIL_OTP' }, 'The code sent by e-mail is required.', 'ERR_COGNITO_EMAIL_OTP');
  }
}

/**
 * SMS_OTP: the code Cognito texted, a first factor of USER_AUTH.
 *
 * @example
 * catch (e) { if (e instanceof SmsOtpChallengeError) await u.respondToSmsOtpChallenge(code, e.getTokens()); }
 */
export class SmsOtpChallengeError extends ChallengeError {
  constructor(details: Omit<ChallengeDetails, 'challengeName'>) {
    super({ ...details, challengeName: 'SMS_OTP' }, 'The code sent by SMS is required.', 'ERR_COGNITO_SMS_OTP');
  }
}

/**
 * WEB_AUTHN: a passkey must sign `requestOptions` (PublicKeyCredentialRequestOptionsJSON, parsed from
 * Cognito's `CREDENTIAL_REQUEST_OPTIONS` string) in the browser; answer with the credential
 * (`Cognito#respondToWebAuthnChallenge`).
 *
 * @example
 * catch (e) { if (e instanceof WebAuthnChallengeError) return res.json({ options: e.requestOptions }); }
 */
export class WebAuthnChallengeError extends ChallengeError {
  constructor(details: Omit<ChallengeDetails, 'challengeName'>) {
    super({ ...details, challengeName: 'WEB_AUTHN' }, 'A passkey is required.', 'ERR_COGNITO_WEB_AUTHN');
  }

  /** The request options for `navigator.credentials.get()` (JSON form), or `undefined` when Cognito sent none that parse. */
  get requestOptions(): Record<string, unknown> | undefined {
    return parseJsonObject(this.parameters.CREDENTIAL_REQUEST_OPTIONS);
  }
}

/**
 * A JSON object held in a string (Cognito sends WebAuthn options so), or `undefined`.
 *
 * @example
 * parseJsonObject('{"challenge":"abc"}'); // { challenge: 'abc' }
 */
export function parseJsonObject(text: string | undefined): Record<string, unknown> | undefined {
  if (typeof text !== 'string') return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Builds the right {@link ChallengeError} subclass for a Cognito challenge response.
 *
 * @param response `ChallengeName`, `Session` and `ChallengeParameters` from InitiateAuth or
 *   RespondToAuthChallenge.
 * @param username the username Cognito knows the user by, if the caller has it.
 * @example
 * if (out.ChallengeName) throw challengeErrorFor(out, out.ChallengeParameters?.USER_ID_FOR_SRP);
 */
export function challengeErrorFor(
  response: { ChallengeName?: string; Session?: string; ChallengeParameters?: Record<string, string>; AvailableChallenges?: string[] },
  username?: string,
  authFlow?: string,
): ChallengeError {
  const details: ChallengeDetails = {
    challengeName: response.ChallengeName ?? 'UNKNOWN',
    parameters: response.ChallengeParameters ?? {},
  };
  if (response.Session !== undefined) details.session = response.Session;
  if (username !== undefined) details.username = username;
  if (authFlow !== undefined) details.authFlow = authFlow;
  if (Array.isArray(response.AvailableChallenges)) details.availableChallenges = response.AvailableChallenges.filter((c) => typeof c === 'string');
  switch (details.challengeName) {
    case 'NEW_PASSWORD_REQUIRED': return new ForceChangePasswordError(details);
    case 'SELECT_MFA_TYPE': return new MFAChallengeError(details);
    case 'SOFTWARE_TOKEN_MFA': return new SoftwareTokenMFAChallengeError(details);
    case 'SMS_MFA': return new SMSMFAChallengeError(details);
    case 'MFA_SETUP': return new MFASetupRequiredError(details);
    case 'CUSTOM_CHALLENGE': return new CustomChallengeError(details);
    case 'SELECT_CHALLENGE': return new SelectChallengeError(details);
    case 'EMAIL_OTP': return new EmailOtpChallengeError(details);
    case 'SMS_OTP': return new SmsOtpChallengeError(details);
    case 'WEB_AUTHN': return new WebAuthnChallengeError(details);
    case 'DEVICE_SRP_AUTH':
    case 'DEVICE_PASSWORD_VERIFIER': return new DeviceChallengeError(details);
    default: return new ChallengeError(details);
  }
}

// ---------------------------------------------------------------------------------------------
// Token verification

/**
 * A token was refused. `code` says why (see {@link TokenErrorCode}); `claim` names the claim or
 * header parameter at fault; `reason` is a short fixed text (never the token or a claim's value).
 *
 * @example
 * catch (e) { if (e instanceof TokenVerificationError && e.code === 'ERR_COGNITO_TOKEN_EXPIRED') return renew(); }
 */
export class TokenVerificationError extends CognitoError {
  declare readonly code: TokenErrorCode;
  declare readonly claim?: string;
  readonly reason: string;

  constructor(code: TokenErrorCode, reason: string, options?: CognitoErrorOptions & { claim?: string }) {
    super(`Token refused: ${reason}`, code, 401, options);
    this.reason = reason;
    if (options?.claim !== undefined) this.claim = options.claim;
  }
}

/**
 * No signing keys could be had (the JWKS could not be fetched and none were held): a 503, not the
 * token's fault.
 *
 * @example
 * catch (e) { if (isCognitoError(e) && e.code === 'ERR_COGNITO_JWKS_UNAVAILABLE') res.status(503).end(); }
 */
export class JwksUnavailableError extends CognitoError {
  declare readonly code: 'ERR_COGNITO_JWKS_UNAVAILABLE' | 'ERR_COGNITO_JWKS_NOT_LOADED';

  /**
   * @param reason a short fixed text.
   * @param code `ERR_COGNITO_JWKS_NOT_LOADED` only for {@link JwksNotLoadedError}.
   */
  constructor(
    reason = 'the signing keys could not be fetched', options?: CognitoErrorOptions,
    code: 'ERR_COGNITO_JWKS_UNAVAILABLE' | 'ERR_COGNITO_JWKS_NOT_LOADED' = 'ERR_COGNITO_JWKS_UNAVAILABLE',
  ) {
    super(`JWKS unavailable: ${reason}`, code, 503, options);
  }
}

/**
 * `TokenVerifier.verifySync` was called before the pool's keys were loaded: it never fetches them
 * (`verify` does; `loadKeys()` loads them ahead). A 503, not the token's fault.
 *
 * @example
 * catch (e) { if (e instanceof JwksNotLoadedError) { await verifier.loadKeys(); return verifier.verifySync(t, 'access'); } }
 */
export class JwksNotLoadedError extends JwksUnavailableError {
  declare readonly code: 'ERR_COGNITO_JWKS_NOT_LOADED';

  constructor() {
    super('the signing keys are not loaded yet (verifySync never fetches them)', undefined, 'ERR_COGNITO_JWKS_NOT_LOADED');
  }
}

// ---------------------------------------------------------------------------------------------
// Service errors

/**
 * Wrong password or unknown user: one message, so the two cannot be told apart.
 *
 * @example
 * catch (e) { if (e instanceof AuthenticationFailedError) return done(null, false, { message: e.message }); }
 */
export class AuthenticationFailedError extends CognitoError {
  constructor(options?: CognitoErrorOptions) {
    super('Incorrect username or password.', 'ERR_COGNITO_BAD_CREDENTIALS', 401, options);
  }
}

/**
 * The refresh token was refused (expired, revoked, signed out, or wrong device/client): sign in again.
 *
 * @example
 * catch (e) { if (e instanceof RefreshTokenRejectedError) req.session.destroy(() => res.redirect('/login')); }
 */
export class RefreshTokenRejectedError extends CognitoError {
  constructor(options?: CognitoErrorOptions) {
    super('The refresh token was rejected; sign in again.', 'ERR_COGNITO_REFRESH_REJECTED', 401, options);
  }
}

/**
 * A wrong (or expired) MFA / verification code.
 *
 * @example
 * catch (e) { if (e instanceof CodeMismatchError) return showForm('Wrong code, try again'); }
 */
export class CodeMismatchError extends CognitoError {
  declare readonly code: 'ERR_COGNITO_CODE_MISMATCH' | 'ERR_COGNITO_CODE_EXPIRED';

  /** @param code `ERR_COGNITO_CODE_EXPIRED` only for `ExpiredCodeError`. */
  constructor(
    message = 'Invalid verification code.', options?: CognitoErrorOptions,
    code: 'ERR_COGNITO_CODE_MISMATCH' | 'ERR_COGNITO_CODE_EXPIRED' = 'ERR_COGNITO_CODE_MISMATCH',
  ) {
    super(message, code, 401, options);
  }
}

/**
 * The challenge session expired (Cognito keeps one for 3 minutes): start the sign-in again.
 *
 * @example
 * catch (e) { if (e instanceof ChallengeExpiredError) return res.redirect('/login'); }
 */
export class ChallengeExpiredError extends CognitoError {
  constructor(options?: CognitoErrorOptions) {
    super('The sign-in session expired; start again.', 'ERR_COGNITO_CHALLENGE_EXPIRED', 401, options);
  }
}

/**
 * An administrator has required a password reset (PasswordResetRequiredException).
 *
 * @example
 * catch (e) { if (e instanceof PasswordResetRequiredError) return res.redirect('/forgot-password'); }
 */
export class PasswordResetRequiredError extends CognitoError {
  constructor(options?: CognitoErrorOptions) {
    super('The password must be reset.', 'ERR_COGNITO_PASSWORD_RESET_REQUIRED', 403, options);
  }
}

/**
 * The user has not confirmed the account (UserNotConfirmedException).
 *
 * @example
 * catch (e) { if (e instanceof UserNotConfirmedError) return res.redirect('/confirm'); }
 */
export class UserNotConfirmedError extends CognitoError {
  constructor(options?: CognitoErrorOptions) {
    super('The user is not confirmed.', 'ERR_COGNITO_USER_NOT_CONFIRMED', 403, options);
  }
}

/**
 * A new password does not meet the pool's policy (InvalidPasswordException, password history).
 *
 * @example
 * catch (e) { if (e instanceof InvalidPasswordError) return showForm(e.message); }
 */
export class InvalidPasswordError extends CognitoError {
  /** The rule the password broke, read from Cognito's text; `undefined` when it did not say. */
  readonly requirement: PasswordRequirement | undefined;
  /** The pool's policy, when the caller knew it (`Cognito.passwordPolicy()`, the web layer's option). */
  policy: PasswordPolicy | undefined;

  constructor(message = 'The password does not conform to the password policy.', options?: CognitoErrorOptions & { policy?: PasswordPolicy }) {
    super(message, 'ERR_COGNITO_INVALID_PASSWORD', 400, options);
    this.requirement = passwordRequirement(message);
    this.policy = options?.policy;
  }
}


/**
 * Cognito throttled the call (TooManyRequestsException, LimitExceededException, too many attempts).
 *
 * @example
 * catch (e) { if (e instanceof ThrottledError) res.set('Retry-After', String(e.retryAfterSeconds)).status(429).end(); }
 */
export class ThrottledError extends CognitoError {
  /** Seconds to wait before trying again (from a `Retry-After` header when Cognito sent one). */
  readonly retryAfterSeconds: number;

  declare readonly code: 'ERR_COGNITO_THROTTLED' | 'ERR_COGNITO_LIMIT_EXCEEDED';

  /** @param code `ERR_COGNITO_LIMIT_EXCEEDED` only for `LimitExceededError`. */
  constructor(
    retryAfterSeconds = 1, message = 'Too many requests; try again later.', options?: CognitoErrorOptions,
    code: 'ERR_COGNITO_THROTTLED' | 'ERR_COGNITO_LIMIT_EXCEEDED' = 'ERR_COGNITO_THROTTLED',
  ) {
    super(message, code, 429, options);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/**
 * Cognito could not be reached or failed (network error, timeout, 5xx).
 *
 * @example
 * catch (e) { if (e instanceof ServiceUnavailableError) res.status(503).end(); }
 */
export class ServiceUnavailableError extends CognitoError {
  constructor(message = 'Cognito is unavailable; try again later.', options?: CognitoErrorOptions) {
    super(message, 'ERR_COGNITO_UNAVAILABLE', 503, options);
  }
}

/**
 * Any other NotAuthorizedException (revoked token, disabled user, wrong client…).
 *
 * @example
 * catch (e) { if (e instanceof NotAuthorizedError) res.status(401).end(); }
 */
export class NotAuthorizedError extends CognitoError {
  constructor(message = 'Not authorized.', options?: CognitoErrorOptions) {
    super(message, 'ERR_COGNITO_NOT_AUTHORIZED', 401, options);
  }
}

/**
 * Any other failure from Cognito (misconfiguration, unexpected answer): a 502 for the web layer.
 *
 * @example
 * catch (e) { if (e instanceof CognitoServiceError) log(e.awsErrorName, e.requestId); }
 */
export class CognitoServiceError extends CognitoError {
  constructor(message = 'Cognito returned an error.', options?: CognitoErrorOptions) {
    super(message, 'ERR_COGNITO_SERVICE', 502, options);
  }
}

// ---------------------------------------------------------------------------------------------
// Shared stores

/**
 * Redis could not be reached or answered with an error: a 503, and never a reason to let a request
 * through (callers fail closed).
 *
 * @example
 * catch (e) { if (isCognitoError(e) && e.code === 'ERR_COGNITO_REDIS_UNAVAILABLE') res.status(503).end(); }
 */
export class RedisUnavailableError extends CognitoError {
  constructor(options?: CognitoErrorOptions) {
    super('The shared store (Redis) is unavailable; try again later.', 'ERR_COGNITO_REDIS_UNAVAILABLE', 503, options);
  }
}

/** Only simple identifiers reach a message. */
function safeName(name: unknown): string {
  return typeof name === 'string' && /^[A-Z0-9_]{1,64}$/.test(name) ? name : 'unknown';
}
