import { strict as assert } from 'node:assert';
import { inspect } from 'node:util';
import {
  AuthenticationFailedError, ChallengeError, ChallengeExpiredError, challengeErrorFor, CodeMismatchError, CognitoError,
  CognitoServiceError, CustomChallengeError, DeviceChallengeError, EmailOtpChallengeError, SelectChallengeError, SmsOtpChallengeError,
  WebAuthnChallengeError, ForceChangePasswordError, InvalidPasswordError, isCognitoError,
  JwksUnavailableError, MFAChallengeError, MFASetupRequiredError, NotAuthorizedError,
  PasswordResetRequiredError, RedisUnavailableError, RefreshTokenRejectedError, ServiceUnavailableError, SMSMFAChallengeError,
  SoftwareTokenMFAChallengeError, ThrottledError, TokenVerificationError, UserNotConfirmedError,
} from '../../lib/errors';

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
      [new RedisUnavailableError(), 'ERR_COGNITO_REDIS_UNAVAILABLE', 503, RedisUnavailableError],
      [new TokenVerificationError('ERR_COGNITO_TOKEN_EXPIRED', 'expired', { claim: 'exp' }), 'ERR_COGNITO_TOKEN_EXPIRED', 401, TokenVerificationError],
      [new ForceChangePasswordError({ session: 's' }), 'ERR_COGNITO_NEW_PASSWORD_REQUIRED', 401, ForceChangePasswordError],
      [new MFAChallengeError({}), 'ERR_COGNITO_MFA_SELECT', 401, MFAChallengeError],
      [new SoftwareTokenMFAChallengeError({}), 'ERR_COGNITO_MFA_SOFTWARE_TOKEN', 401, SoftwareTokenMFAChallengeError],
      [new SMSMFAChallengeError({}), 'ERR_COGNITO_MFA_SMS', 401, SMSMFAChallengeError],
      [new MFASetupRequiredError({}), 'ERR_COGNITO_MFA_SETUP', 401, MFASetupRequiredError],
      [new DeviceChallengeError({ challengeName: 'DEVICE_SRP_AUTH' }), 'ERR_COGNITO_DEVICE_CHALLENGE', 401, DeviceChallengeError],
      [new ChallengeError({ challengeName: 'CUSTOM_CHALLENGE' }), 'ERR_COGNITO_CHALLENGE', 401, ChallengeError],
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

    it('USER_AUTH challenges carry AvailableChallenges and the parsed WebAuthn request options', () => {
      const select = challengeErrorFor({ ChallengeName: 'SELECT_CHALLENGE', Session: 's', AvailableChallenges: ['PASSWORD_SRP', 'EMAIL_OTP'] }, 'u');
      assert.ok(select instanceof SelectChallengeError);
      assert.deepEqual(select.availableChallenges, ['PASSWORD_SRP', 'EMAIL_OTP']);
      assert.deepEqual(select.getTokens().AvailableChallenges, ['PASSWORD_SRP', 'EMAIL_OTP']);
      const options = { challenge: 'abc', rpId: 'localhost', allowCredentials: [] };
      const web = challengeErrorFor({ ChallengeName: 'WEB_AUTHN', Session: 's', ChallengeParameters: { CREDENTIAL_REQUEST_OPTIONS: JSON.stringify(options) } });
      assert.ok(web instanceof WebAuthnChallengeError);
      assert.deepEqual(web.requestOptions, options);
      assert.equal(new WebAuthnChallengeError({ parameters: { CREDENTIAL_REQUEST_OPTIONS: '{' } }).requestOptions, undefined);
      assert.equal(new WebAuthnChallengeError({ parameters: { CREDENTIAL_REQUEST_OPTIONS: '[1]' } }).requestOptions, undefined);
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
        ['CUSTOM_CHALLENGE', CustomChallengeError],
        ['SELECT_CHALLENGE', SelectChallengeError],
        ['EMAIL_OTP', EmailOtpChallengeError],
        ['SMS_OTP', SmsOtpChallengeError],
        ['WEB_AUTHN', WebAuthnChallengeError],
        ['PASSWORD_SRP', ChallengeError],
      ];
      for (const [name, cls] of pairs) {
        const e = challengeErrorFor({ ChallengeName: name, Session: 's', ChallengeParameters: { a: 'b' } }, 'user-1', 'USER_SRP_AUTH');
        assert.equal(e.constructor, cls, name);
        assert.equal(e.challengeName, name);
        assert.equal(e.session, 's');
        assert.equal(e.username, 'user-1');
        // SELECT_CHALLENGE always says what it offers (nothing, when Cognito listed nothing).
        const offered = name === 'SELECT_CHALLENGE' ? { AvailableChallenges: [] } : {};
        assert.deepEqual(e.getTokens(), {
          ChallengeName: name, Session: 's', ChallengeParameters: { a: 'b' }, AuthFlow: 'USER_SRP_AUTH', Username: 'user-1', ...offered,
        });
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
        assert.equal(isCognitoError(v), false, inspect(v));
      }
    });
  });
});
