import { strict as assert } from 'node:assert';
import {
  AuthenticationFailedError, ChallengeError, ChallengeExpiredError, challengeErrorFor, CodeMismatchError, CognitoError,
  CognitoServiceError, DeviceChallengeError, ForceChangePasswordError, InvalidPasswordError, isCognitoError,
  JwksUnavailableError, mapServiceError, MFAChallengeError, MFASetupRequiredError, NotAuthorizedError,
  PasswordResetRequiredError, RefreshTokenRejectedError, ServiceUnavailableError, SMSMFAChallengeError,
  SoftwareTokenMFAChallengeError, ThrottledError, TokenVerificationError, UserNotConfirmedError,
} from '../../lib/errors';

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

describe('lib/errors', () => {
  describe('the tree', () => {
    const cases: Array<[CognitoError, string, number, ErrorClass]> = [
      [new AuthenticationFailedError(), 'ERR_COGNITO_BAD_CREDENTIALS', 401, AuthenticationFailedError],
      [new RefreshTokenRejectedError(), 'ERR_COGNITO_REFRESH_REJECTED', 401, RefreshTokenRejectedError],
      [new CodeMismatchError(), 'ERR_COGNITO_CODE_MISMATCH', 401, CodeMismatchError],
      [new ChallengeExpiredError(), 'ERR_COGNITO_CHALLENGE_EXPIRED', 401, ChallengeExpiredError],
      [new PasswordResetRequiredError(), 'ERR_COGNITO_PASSWORD_RESET_REQUIRED', 403, PasswordResetRequiredError],
      [new UserNotConfirmedError(), 'ERR_COGNITO_USER_NOT_CONFIRMED', 403, UserNotConfirmedError],
      [new InvalidPasswordError(), 'ERR_COGNITO_INVALID_PASSWORD', 400, InvalidPasswordError],
      [new ThrottledError(7), 'ERR_COGNITO_THROTTLED', 429, ThrottledError],
      [new ServiceUnavailableError(), 'ERR_COGNITO_UNAVAILABLE', 503, ServiceUnavailableError],
      [new NotAuthorizedError(), 'ERR_COGNITO_NOT_AUTHORIZED', 401, NotAuthorizedError],
      [new CognitoServiceError(), 'ERR_COGNITO_SERVICE', 502, CognitoServiceError],
      [new JwksUnavailableError(), 'ERR_COGNITO_JWKS_UNAVAILABLE', 503, JwksUnavailableError],
      [new TokenVerificationError('ERR_COGNITO_TOKEN_EXPIRED', 'expired', { claim: 'exp' }), 'ERR_COGNITO_TOKEN_EXPIRED', 401, TokenVerificationError],
      [new ForceChangePasswordError({ session: 's' }), 'ERR_COGNITO_NEW_PASSWORD_REQUIRED', 401, ForceChangePasswordError],
      [new MFAChallengeError({}), 'ERR_COGNITO_MFA_SELECT', 401, MFAChallengeError],
      [new SoftwareTokenMFAChallengeError({}), 'ERR_COGNITO_MFA_SOFTWARE_TOKEN', 401, SoftwareTokenMFAChallengeError],
      [new SMSMFAChallengeError({}), 'ERR_COGNITO_MFA_SMS', 401, SMSMFAChallengeError],
      [new MFASetupRequiredError({}), 'ERR_COGNITO_MFA_SETUP', 401, MFASetupRequiredError],
      [new DeviceChallengeError({ challengeName: 'DEVICE_SRP_AUTH' }), 'ERR_COGNITO_DEVICE_CHALLENGE', 401, DeviceChallengeError],
    ];
    for (const [err, code, status, cls] of cases) {
      it(`${cls.name}: code ${code}, status ${status}, name, instanceof`, () => {
        assert.equal(err.code, code);
        assert.equal(err.status, status);
        assert.equal(err.name, cls.name);
        assert.ok(err instanceof cls);
        assert.ok(err instanceof CognitoError);
        assert.ok(err instanceof Error);
        assert.ok(isCognitoError(err));
        assert.match(err.code, /^ERR_COGNITO_[A-Z_]+$/);
        assert.ok(err.message.length > 0);
      });
    }

    it('AuthenticationFailedError has the one indistinguishable message', () => {
      assert.equal(new AuthenticationFailedError().message, 'Incorrect username or password.');
    });

    it('ThrottledError carries retryAfterSeconds (default 1)', () => {
      assert.equal(new ThrottledError(7).retryAfterSeconds, 7);
      assert.equal(new ThrottledError().retryAfterSeconds, 1);
    });

    it('TokenVerificationError carries claim, reason and cause', () => {
      const cause = new Error('inner');
      const e = new TokenVerificationError('ERR_COGNITO_TOKEN_AUDIENCE', 'client_id is not allowed', { claim: 'client_id', cause });
      assert.equal(e.claim, 'client_id');
      assert.equal(e.reason, 'client_id is not allowed');
      assert.equal(e.cause, cause);
      assert.ok(!('claim' in new TokenVerificationError('ERR_COGNITO_TOKEN_MISSING', 'no token')));
    });

    it('the MFA challenges share MFAChallengeError and ChallengeError', () => {
      for (const e of [new SoftwareTokenMFAChallengeError({}), new SMSMFAChallengeError({}), new MFASetupRequiredError({})]) {
        assert.ok(e instanceof MFAChallengeError);
        assert.ok(e instanceof ChallengeError);
      }
      assert.ok(!(new ForceChangePasswordError({}) instanceof MFAChallengeError));
    });
  });

  describe('ChallengeError.getTokens() (pycognito get_tokens)', () => {
    it('returns ChallengeName, Session, ChallengeParameters, and the Username and AuthFlow when known', () => {
      const e = new SoftwareTokenMFAChallengeError({ session: 'sess', parameters: { USER_ID_FOR_SRP: 'u1' }, username: 'u1' });
      assert.deepEqual(e.getTokens(), { ChallengeName: 'SOFTWARE_TOKEN_MFA', Session: 'sess', ChallengeParameters: { USER_ID_FOR_SRP: 'u1' }, Username: 'u1' });
      const admin = new SoftwareTokenMFAChallengeError({ session: 'sess', username: 'u1', authFlow: 'ADMIN_USER_PASSWORD_AUTH' });
      assert.equal(admin.getTokens().AuthFlow, 'ADMIN_USER_PASSWORD_AUTH');
      assert.equal(e.username, 'u1');
      assert.equal(e.challengeName, 'SOFTWARE_TOKEN_MFA');
    });

    it('omits Session when there is none, and returns copies', () => {
      const e = new MFAChallengeError({ parameters: { MFAS_CAN_CHOOSE: '["SMS_MFA"]' } });
      const t = e.getTokens();
      assert.ok(!('Session' in t));
      t.ChallengeParameters.X = 'y';
      assert.ok(!('X' in e.parameters));
    });

    it('never puts the session in the message', () => {
      const e = new ForceChangePasswordError({ session: SECRETY });
      assert.ok(!e.message.includes(SECRETY));
      assert.ok(!String(e.stack).includes(SECRETY));
    });

    it('challengeErrorFor picks the subclass by ChallengeName', () => {
      const pairs: Array<[string, ErrorClass]> = [
        ['NEW_PASSWORD_REQUIRED', ForceChangePasswordError],
        ['SELECT_MFA_TYPE', MFAChallengeError],
        ['SOFTWARE_TOKEN_MFA', SoftwareTokenMFAChallengeError],
        ['SMS_MFA', SMSMFAChallengeError],
        ['MFA_SETUP', MFASetupRequiredError],
        ['DEVICE_SRP_AUTH', DeviceChallengeError],
        ['DEVICE_PASSWORD_VERIFIER', DeviceChallengeError],
        ['CUSTOM_CHALLENGE', ChallengeError],
      ];
      for (const [name, cls] of pairs) {
        const e = challengeErrorFor({ ChallengeName: name, Session: 's', ChallengeParameters: { a: 'b' } }, 'user-1', 'USER_SRP_AUTH');
        assert.equal(e.constructor, cls, name);
        assert.equal(e.challengeName, name);
        assert.equal(e.session, 's');
        assert.equal(e.username, 'user-1');
        assert.deepEqual(e.getTokens(), { ChallengeName: name, Session: 's', ChallengeParameters: { a: 'b' }, AuthFlow: 'USER_SRP_AUTH', Username: 'user-1' });
      }
    });

    it('does not echo an odd challenge name in the message', () => {
      const e = challengeErrorFor({ ChallengeName: `X ${SECRETY}` });
      assert.ok(!e.message.includes(SECRETY));
    });
  });

  describe('isCognitoError', () => {
    it('matches by code, so a duplicated class still counts', () => {
      const foreign = Object.assign(new Error('Token refused: expired'), { code: 'ERR_COGNITO_TOKEN_EXPIRED', status: 401 });
      assert.ok(isCognitoError(foreign));
    });
    it('refuses other things', () => {
      for (const v of [null, undefined, 'ERR_COGNITO_X', 42, new Error('x'), Object.assign(new Error('x'), { code: 'ECONNREFUSED', status: 1 }),
        { code: 'ERR_COGNITO_X' }, new TypeError('bad option')]) {
        assert.equal(isCognitoError(v), false, String(v));
      }
    });
  });

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

    it('does not keep an AWS name or request id that is not a plain identifier', () => {
      const e = mapServiceError(sdkError(`Weird ${SECRETY}`, 'x', 400, { $metadata: { httpStatusCode: 400, requestId: `id ${SECRETY}` } }));
      assert.equal(e.awsErrorName, undefined);
      assert.equal(e.requestId, undefined);
    });
  });
});
