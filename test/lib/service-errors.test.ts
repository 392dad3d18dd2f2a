// lib/service-errors.ts: what each AWS SDK v3 exception, network error or timeout becomes, and that
// no service text, token or request id that is not a plain identifier gets through.
import { strict as assert } from 'node:assert';
import {
  AuthenticationFailedError, ChallengeExpiredError, CodeMismatchError, CognitoError, CognitoServiceError,
  InvalidPasswordError, NotAuthorizedError, PasswordResetRequiredError, RefreshTokenRejectedError,
  ServiceUnavailableError, ThrottledError, UserNotConfirmedError,
} from '../../lib/errors';
import { isMissingCredentials, mapServiceError, missingCredentialsError } from '../../lib/service-errors';

/** An AWS SDK v3 service exception, shaped like the real ones. */
function sdkError(name: string, message: string, status = 400, extra: Record<string, unknown> = {}): Error {
  const e = new Error(message) as Error & Record<string, unknown>;
  e.name = name;
  e.$fault = status >= 500 ? 'server' : 'client';
  e.$metadata = { httpStatusCode: status, requestId: 'req-123' };
  Object.assign(e, extra);
  return e;
}

type ErrorClass = abstract new (...args: never[]) => CognitoError;

const SECRETY = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln';

describe('mapServiceError', () => {
  it('login: UserNotFoundException and NotAuthorizedException "Incorrect username or password." are indistinguishable', () => {
    const a = mapServiceError(sdkError('UserNotFoundException', 'User does not exist.'), 'login');
    const b = mapServiceError(sdkError('NotAuthorizedException', 'Incorrect username or password.'), 'login');
    for (const e of [a, b]) {
      assert.ok(e instanceof AuthenticationFailedError);
      assert.equal(e.code, 'ERR_COGNITO_BAD_CREDENTIALS');
      assert.equal(e.status, 401);
    }
    assert.equal(a.message, b.message);
    assert.equal(a.constructor, b.constructor);
    assert.ok(!('cause' in a) && !('cause' in b));
  });

  it('challenge: wrong password in PASSWORD_VERIFIER → AuthenticationFailedError; expired session → ChallengeExpiredError', () => {
    assert.ok(mapServiceError(sdkError('NotAuthorizedException', 'Incorrect username or password.'), 'challenge') instanceof AuthenticationFailedError);
    assert.ok(mapServiceError(sdkError('UserNotFoundException', 'User does not exist.'), 'challenge') instanceof AuthenticationFailedError);
    const e = mapServiceError(sdkError('NotAuthorizedException', 'Invalid session for the user, session is expired.'), 'challenge');
    assert.ok(e instanceof ChallengeExpiredError);
    assert.equal(e.code, 'ERR_COGNITO_CHALLENGE_EXPIRED');
  });

  it('refresh: NotAuthorizedException / UserNotFoundException → RefreshTokenRejectedError', () => {
    for (const msg of ['Invalid Refresh Token', 'Refresh Token has been revoked', 'Refresh Token has expired']) {
      const e = mapServiceError(sdkError('NotAuthorizedException', msg), 'refresh');
      assert.ok(e instanceof RefreshTokenRejectedError, msg);
      assert.equal(e.code, 'ERR_COGNITO_REFRESH_REJECTED');
    }
    assert.ok(mapServiceError(sdkError('UserNotFoundException', 'x'), 'refresh') instanceof RefreshTokenRejectedError);
  });

  it('other: NotAuthorizedException → NotAuthorizedError, keeping only known-safe texts', () => {
    const a = mapServiceError(sdkError('NotAuthorizedException', 'Access Token has been revoked'));
    assert.ok(a instanceof NotAuthorizedError);
    assert.equal(a.message, 'Access Token has been revoked');
    const b = mapServiceError(sdkError('NotAuthorizedException', `Bad token ${SECRETY}`), 'other');
    assert.ok(b instanceof NotAuthorizedError);
    assert.ok(!b.message.includes(SECRETY));
    // The wrong-password text outside a login is not turned into "bad credentials".
    assert.ok(mapServiceError(sdkError('NotAuthorizedException', 'Incorrect username or password.'), 'other') instanceof NotAuthorizedError);
  });

  it('"Password attempts exceeded" → ThrottledError', () => {
    assert.ok(mapServiceError(sdkError('NotAuthorizedException', 'Password attempts exceeded'), 'login') instanceof ThrottledError);
  });

  it('maps the named exceptions', () => {
    const table: Array<[string, ErrorClass, number?]> = [
      ['CodeMismatchException', CodeMismatchError],
      ['ExpiredCodeException', CodeMismatchError],
      ['EnableSoftwareTokenMFAException', CodeMismatchError],
      ['PasswordResetRequiredException', PasswordResetRequiredError],
      ['UserNotConfirmedException', UserNotConfirmedError],
      ['InvalidPasswordException', InvalidPasswordError],
      ['PasswordHistoryPolicyViolationException', InvalidPasswordError],
      ['TooManyRequestsException', ThrottledError],
      ['LimitExceededException', ThrottledError],
      ['TooManyFailedAttemptsException', ThrottledError],
      ['InternalErrorException', ServiceUnavailableError, 500],
      ['InvalidParameterException', CognitoServiceError],
      ['ResourceNotFoundException', CognitoServiceError],
      ['SomethingNewException', CognitoServiceError],
    ];
    for (const [name, cls, status] of table) {
      const e = mapServiceError(sdkError(name, `${name} message with ${SECRETY}`, status), 'login');
      assert.equal(e.constructor, cls, name);
      assert.equal(e.awsErrorName, name);
      assert.equal(e.requestId, 'req-123');
      assert.ok(!e.message.includes(SECRETY), name);
      assert.equal(e.cause, undefined, name);
    }
  });

  it('keeps a password-policy text but never anything else', () => {
    const policy = 'Password does not conform to policy: Password not long enough';
    assert.equal(mapServiceError(sdkError('InvalidPasswordException', policy)).message, policy);
    const odd = mapServiceError(sdkError('InvalidPasswordException', 'Password does not conform to policy: {"Password":"hunter2"}'));
    assert.ok(!odd.message.includes('hunter2'));
  });

  it('throttling: Retry-After header, HTTP 429, $retryable.throttling', () => {
    const withHeader = mapServiceError(sdkError('TooManyRequestsException', 'Rate exceeded', 400, { $response: { headers: { 'retry-after': '12' } } }));
    assert.ok(withHeader instanceof ThrottledError);
    assert.equal(withHeader.retryAfterSeconds, 12);
    const bogus = mapServiceError(sdkError('TooManyRequestsException', 'x', 400, { $response: { headers: { 'retry-after': 'soon' } } })) as ThrottledError;
    assert.equal(bogus.retryAfterSeconds, 1);
    assert.ok(mapServiceError(sdkError('Whatever', 'x', 429)) instanceof ThrottledError);
    assert.ok(mapServiceError(sdkError('Whatever', 'x', 400, { $retryable: { throttling: true } })) instanceof ThrottledError);
  });

  it('5xx and $fault server → ServiceUnavailableError', () => {
    assert.ok(mapServiceError(sdkError('UnknownError', 'x', 503)) instanceof ServiceUnavailableError);
    assert.ok(mapServiceError(sdkError('UnknownError', 'x', 502)) instanceof ServiceUnavailableError);
    const fault = Object.assign(new Error('x'), { name: 'Odd', $fault: 'server' });
    assert.ok(mapServiceError(fault) instanceof ServiceUnavailableError);
  });

  it('network errors and timeouts → ServiceUnavailableError with the cause kept', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    const timedOut = Object.assign(new Error('t'), { code: 'ETIMEDOUT' });
    const abort = Object.assign(new Error('aborted'), { name: 'AbortError' });
    const timeout = Object.assign(new Error('timeout'), { name: 'TimeoutError' });
    const fetchFailed = new TypeError('fetch failed', { cause: Object.assign(new Error('x'), { code: 'ECONNRESET' }) });
    const undici = Object.assign(new Error('x'), { code: 'UND_ERR_CONNECT_TIMEOUT' });
    for (const err of [refused, timedOut, abort, timeout, fetchFailed, undici]) {
      const e = mapServiceError(err, 'login');
      assert.ok(e instanceof ServiceUnavailableError, err.message);
      assert.equal(e.code, 'ERR_COGNITO_UNAVAILABLE');
      assert.equal(e.status, 503);
      assert.equal(e.cause, err);
    }
  });

  it('anything else → CognitoServiceError (502); CognitoErrors pass through unchanged', () => {
    for (const v of [new Error('boom'), 'a string', undefined, null, 42]) {
      const e = mapServiceError(v);
      assert.ok(e instanceof CognitoServiceError);
      assert.equal(e.status, 502);
    }
    const original = new CodeMismatchError();
    assert.equal(mapServiceError(original), original);
  });

  it('the SDK finding no AWS credentials (CredentialsProviderError) → CognitoServiceError saying credentials are needed', () => {
    // As @smithy's CredentialsProviderError is: a plain Error with a name, no $metadata, no $fault.
    const sdk = Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError', tryNextLink: false });
    for (const context of ['account', 'login', 'other'] as const) {
      const e = mapServiceError(sdk, context);
      assert.ok(e instanceof CognitoServiceError);
      assert.equal(e.code, 'ERR_COGNITO_SERVICE');
      assert.equal(e.status, 502);
      assert.match(e.message, /^AWS credentials allowed to make this call are needed, and the AWS SDK found none/);
      assert.equal(e.awsErrorName, 'CredentialsProviderError');
      assert.equal(e.cause, sdk);
      assert.ok(isMissingCredentials(e));
    }
    const named = missingCredentialsError('DescribeUserPool', sdk);
    assert.match(named.message, /^AWS credentials allowed to call DescribeUserPool are needed/);
    assert.ok(isMissingCredentials(named));
    assert.match(missingCredentialsError(`x ${SECRETY}`).message, /to make this call/, 'only a plain operation name is quoted');
    assert.ok(!isMissingCredentials(mapServiceError(new Error('boom'))), 'another local error stays the generic one');
    assert.equal(mapServiceError(new Error('boom')).message, 'Unexpected error calling Cognito.');
  });

  it('does not keep an AWS name or request id that is not a plain identifier', () => {
    const e = mapServiceError(sdkError(`Weird ${SECRETY}`, 'x', 400, { $metadata: { httpStatusCode: 400, requestId: `id ${SECRETY}` } }));
    assert.equal(e.awsErrorName, undefined);
    assert.equal(e.requestId, undefined);
  });
});
