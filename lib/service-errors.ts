/**
 * The service edge's error mapping: whatever a Cognito call threw (an AWS SDK v3 exception, a
 * network error, a timeout) becomes one of the {@link CognitoError} classes of `./errors`.
 *
 * Kept apart from the class tree because it is about the AWS SDK's error shapes (`name`, `$fault`,
 * `$metadata`, `$response`), not about this package's errors: only the service client and the
 * renewal call it.
 */
import {
  AliasExistsError, ExpiredCodeError, InvalidParameterError, LimitExceededError, PasskeyRefusedError, PasskeysNotEnabledError,
  UserNotFoundError, UsernameExistsError,
} from './account-errors';
import {
  AuthenticationFailedError,
  ChallengeExpiredError,
  CodeMismatchError,
  CognitoServiceError,
  InvalidPasswordError,
  isCognitoError,
  NotAuthorizedError,
  PasswordResetRequiredError,
  RefreshTokenRejectedError,
  ServiceUnavailableError,
  ThrottledError,
  UserNotConfirmedError,
  type CognitoError,
} from './errors';

/**
 * Which call failed; it decides what a NotAuthorizedException means (a refused refresh token, an
 * expired challenge session, or bad credentials), and whether the account errors of
 * `./account-errors` apply (`'account'`: sign-up, confirmation, recovery, profile, admin calls).
 *
 * @example
 * const context: ServiceErrorContext = 'refresh';
 * throw mapServiceError(e, context); // a NotAuthorizedException becomes RefreshTokenRejectedError
 */
export type ServiceErrorContext = 'login' | 'refresh' | 'challenge' | 'account' | 'other';

// Cognito's own fixed NotAuthorized texts that are safe and useful to pass on; anything else gets ours.
const SAFE_NOT_AUTHORIZED = new Set([
  'User is disabled.',
  'Access Token has been revoked',
  'Access Token has expired',
  'Invalid Access Token',
  'Refresh Token has been revoked',
  'Invalid Refresh Token',
  'Unable to verify secret hash for client',
]);

const NETWORK_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE', 'ECONNABORTED',
  'EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN', 'EHOSTDOWN', 'ESOCKETTIMEDOUT',
]);
const NETWORK_NAMES = new Set(['AbortError', 'TimeoutError', 'RequestTimeout', 'RequestTimeoutException', 'NetworkingError']);

interface SdkErrorShape {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  cause?: unknown;
  $fault?: unknown;
  $metadata?: { httpStatusCode?: unknown; requestId?: unknown };
  $response?: { headers?: Record<string, unknown> };
  $retryable?: { throttling?: unknown };
}

/**
 * Turns whatever a Cognito call threw (an AWS SDK v3 exception, a network error, a timeout) into a
 * {@link CognitoError}. A `CognitoError` is returned unchanged.
 *
 * - `UserNotFoundException`, and `NotAuthorizedException` "Incorrect username or password.", during
 *   `login` or `challenge` → {@link AuthenticationFailedError} (indistinguishable).
 * - `NotAuthorizedException` during `refresh` → {@link RefreshTokenRejectedError}; during `challenge`
 *   with an expired/invalid session → {@link ChallengeExpiredError}; otherwise {@link NotAuthorizedError}.
 * - Throttling → {@link ThrottledError}; network errors, timeouts, `$fault: 'server'`, 5xx →
 *   {@link ServiceUnavailableError}; anything else → {@link CognitoServiceError}.
 * - The SDK finding no AWS credentials for a signed call (`CredentialsProviderError`: DescribeUserPool,
 *   the admin calls) → {@link CognitoServiceError} saying so ({@link missingCredentialsError}), with
 *   `awsErrorName` `'CredentialsProviderError'`.
 *
 * The SDK exception is not kept as `cause` (its text is the service's, not ours); its name and request
 * id are kept as `awsErrorName` / `requestId`. Local network errors are kept as `cause`.
 *
 * @param err what was thrown.
 * @param context the kind of call (default `'other'`).
 * @example
 * try { await client.send(new InitiateAuthCommand(input)); }
 * catch (e) { throw mapServiceError(e, 'login'); }
 */
export function mapServiceError(err: unknown, context: ServiceErrorContext = 'other'): CognitoError {
  if (isCognitoError(err)) return err;
  const e: SdkErrorShape = typeof err === 'object' && err !== null ? err : {};
  const name = typeof e.name === 'string' ? e.name : '';
  const message = typeof e.message === 'string' ? e.message : '';
  const status = typeof e.$metadata?.httpStatusCode === 'number' ? e.$metadata.httpStatusCode : undefined;
  const isServiceError = status !== undefined || e.$fault === 'client' || e.$fault === 'server';

  if (!isServiceError) {
    if (name === CREDENTIALS_MISSING) return missingCredentialsError(undefined, err);
    const mapped = isNetworkError(e)
      ? new ServiceUnavailableError(undefined, { cause: err })
      : new CognitoServiceError('Unexpected error calling Cognito.', { cause: err });
    return mapped;
  }

  const mapped = mapByName(name, message, status, e, context);
  if (/^[A-Za-z0-9.:_-]{1,128}$/.test(name)) mapped.awsErrorName = name;
  const requestId = e.$metadata?.requestId;
  if (typeof requestId === 'string' && /^[\w-]{1,128}$/.test(requestId)) mapped.requestId = requestId;
  return mapped;
}

/** The name of the SDK's error when its credential chain found nothing (`@smithy`'s `CredentialsProviderError`). */
const CREDENTIALS_MISSING = 'CredentialsProviderError';

/**
 * The error for a call the SDK could not sign, for want of AWS credentials: a configuration fault
 * (502 `ERR_COGNITO_SERVICE`) whose message says what is needed, naming the operation when known.
 * The SDK's error is kept as `cause` (its text names the providers tried, no secret).
 *
 * @param operation the Cognito operation, e.g. `'DescribeUserPool'`.
 * @example
 * throw missingCredentialsError('DescribeUserPool', e);
 * // "AWS credentials allowed to call DescribeUserPool are needed, and the AWS SDK found none…"
 */
export function missingCredentialsError(operation?: string, cause?: unknown): CognitoServiceError {
  const call = operation !== undefined && /^[A-Za-z]{1,64}$/.test(operation) ? `call ${operation}` : 'make this call';
  const mapped = new CognitoServiceError(
    `AWS credentials allowed to ${call} are needed, and the AWS SDK found none: give the SDK client credentials `
    + '(an IAM role, environment variables or a profile).',
    cause === undefined ? undefined : { cause },
  );
  mapped.awsErrorName = CREDENTIALS_MISSING;
  return mapped;
}

/**
 * True when `e` is {@link missingCredentialsError}'s (also from another copy of the package).
 *
 * @example
 * catch (e) { if (isMissingCredentials(e)) throw missingCredentialsError('DescribeUserPool', e.cause); }
 */
export function isMissingCredentials(e: unknown): e is CognitoServiceError {
  return isCognitoError(e) && e.code === 'ERR_COGNITO_SERVICE' && e.awsErrorName === CREDENTIALS_MISSING;
}

function mapByName(
  name: string,
  message: string,
  status: number | undefined,
  e: SdkErrorShape,
  context: ServiceErrorContext,
): CognitoError {
  if (context === 'account') {
    const mapped = mapAccountError(name, message, e);
    if (mapped !== undefined) return mapped;
  }
  const loginLike = context === 'login' || context === 'challenge';
  switch (name) {
    case 'UserNotFoundException':
      if (loginLike) return new AuthenticationFailedError();
      if (context === 'refresh') return new RefreshTokenRejectedError();
      return new NotAuthorizedError();
    case 'NotAuthorizedException':
      return mapNotAuthorized(message, context);
    case 'CodeMismatchException':
    case 'EnableSoftwareTokenMFAException':
      return new CodeMismatchError();
    case 'ExpiredCodeException':
      return new CodeMismatchError('The verification code has expired.');
    case 'PasswordResetRequiredException':
      return new PasswordResetRequiredError();
    case 'UserNotConfirmedException':
      return new UserNotConfirmedError();
    case 'InvalidPasswordException':
    case 'PasswordHistoryPolicyViolationException':
      return new InvalidPasswordError(policyMessage(message));
    case 'TooManyRequestsException':
    case 'ThrottlingException':
    case 'LimitExceededException':
    case 'TooManyFailedAttemptsException':
      return new ThrottledError(retryAfter(e));
    case 'InternalErrorException':
    case 'ServiceUnavailableException':
    case 'ServiceUnavailable':
      return new ServiceUnavailableError();
  }
  if (status === 429 || e.$retryable?.throttling === true) return new ThrottledError(retryAfter(e));
  if (e.$fault === 'server' || (status !== undefined && status >= 500)) return new ServiceUnavailableError();
  if (NETWORK_NAMES.has(name)) return new ServiceUnavailableError();
  return new CognitoServiceError();
}

/** The exceptions that mean something of their own in an account call (see `./account-errors`). */
function mapAccountError(name: string, message: string, e: SdkErrorShape): CognitoError | undefined {
  switch (name) {
    case 'UsernameExistsException': return new UsernameExistsError();
    case 'AliasExistsException': return new AliasExistsError();
    case 'ExpiredCodeException': return new ExpiredCodeError();
    case 'LimitExceededException':
    case 'TooManyFailedAttemptsException':
      return new LimitExceededError(retryAfter(e));
    case 'UserNotFoundException': return new UserNotFoundError();
    case 'InvalidParameterException': return new InvalidParameterError(message);
    case 'WebAuthnChallengeNotFoundException':
    case 'WebAuthnOriginNotAllowedException':
    case 'WebAuthnRelyingPartyMismatchException':
    case 'WebAuthnClientMismatchException':
    case 'WebAuthnCredentialNotSupportedException':
      return new PasskeyRefusedError();
    case 'WebAuthnNotEnabledException':
    case 'WebAuthnConfigurationMissingException':
      return new PasskeysNotEnabledError();
    default: return undefined;
  }
}

function mapNotAuthorized(message: string, context: ServiceErrorContext): CognitoError {
  if (/password attempts exceeded/i.test(message)) return new ThrottledError(1, 'Too many failed attempts; try again later.');
  if (context === 'refresh') return new RefreshTokenRejectedError();
  if (context === 'challenge' && /invalid session|session is expired/i.test(message)) return new ChallengeExpiredError();
  if ((context === 'login' || context === 'challenge') &&
    /^(Incorrect username or password\.?|User does not exist\.?)$/.test(message.trim())) {
    return new AuthenticationFailedError();
  }
  return new NotAuthorizedError(SAFE_NOT_AUTHORIZED.has(message) ? message : undefined);
}

// Cognito's policy texts ("Password does not conform to policy: Password not long enough") hold no
// password; anything that does not look like one gets our fixed text.
function policyMessage(message: string): string | undefined {
  return /^Password (does not conform to policy|did not conform with policy|has previously been used)[\w .,:']{0,160}$/.test(message)
    ? message
    : undefined;
}

function retryAfter(e: SdkErrorShape): number {
  const headers = e.$response?.headers;
  const raw = headers ? headers['retry-after'] ?? headers['Retry-After'] : undefined;
  const seconds = typeof raw === 'string' ? Number(raw) : typeof raw === 'number' ? raw : NaN;
  return Number.isInteger(seconds) && seconds >= 0 && seconds <= 3600 ? seconds : 1;
}

function isNetworkError(e: SdkErrorShape, depth = 0): boolean {
  if (typeof e.name === 'string' && NETWORK_NAMES.has(e.name)) return true;
  if (typeof e.code === 'string' && (NETWORK_CODES.has(e.code) || e.code.startsWith('UND_ERR_'))) return true;
  // fetch() wraps the socket error: TypeError('fetch failed', { cause }).
  if (depth < 3 && typeof e.cause === 'object' && e.cause !== null) return isNetworkError(e.cause, depth + 1);
  return false;
}
