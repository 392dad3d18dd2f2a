// lib/account-errors.ts and the 'account' context of mapServiceError: each account exception's
// typed error, its code and status, and that no text the caller sent gets through.
import { strict as assert } from 'node:assert';
import {
  AliasExistsError, ExpiredCodeError, InvalidParameterError, LimitExceededError, UserNotFoundError, UsernameExistsError,
} from '../../lib/account-errors';
import { checkUsername, fromAttributeList, toAttributeList } from '../../lib/account';
import { CodeMismatchError, CognitoError, InvalidPasswordError, ThrottledError } from '../../lib/errors';
import { passwordRequirement } from '../../lib/password-policy';
import { mapServiceError } from '../../lib/service-errors';

function sdkError(name: string, message: string, status = 400): Error {
  const e = new Error(message) as Error & Record<string, unknown>;
  e.name = name;
  e.$fault = 'client';
  e.$metadata = { httpStatusCode: status, requestId: 'req-42' };
  return e;
}

const SECRET = 'Hunter2!secret-password';

describe('account errors (mapServiceError, context "account")', () => {
  it('each account exception becomes its typed error, with code and status', () => {
    const table: Array<[string, abstract new (...a: never[]) => CognitoError, string, number]> = [
      ['UsernameExistsException', UsernameExistsError, 'ERR_COGNITO_USERNAME_EXISTS', 409],
      ['AliasExistsException', AliasExistsError, 'ERR_COGNITO_ALIAS_EXISTS', 409],
      ['ExpiredCodeException', ExpiredCodeError, 'ERR_COGNITO_CODE_EXPIRED', 401],
      ['LimitExceededException', LimitExceededError, 'ERR_COGNITO_LIMIT_EXCEEDED', 429],
      ['TooManyFailedAttemptsException', LimitExceededError, 'ERR_COGNITO_LIMIT_EXCEEDED', 429],
      ['UserNotFoundException', UserNotFoundError, 'ERR_COGNITO_USER_NOT_FOUND', 404],
      ['InvalidParameterException', InvalidParameterError, 'ERR_COGNITO_INVALID_PARAMETER', 400],
      ['CodeMismatchException', CodeMismatchError, 'ERR_COGNITO_CODE_MISMATCH', 401],
      ['InvalidPasswordException', InvalidPasswordError, 'ERR_COGNITO_INVALID_PASSWORD', 400],
    ];
    for (const [name, cls, code, status] of table) {
      const e = mapServiceError(sdkError(name, `${name}: value ${SECRET}`), 'account');
      assert.equal(e.constructor, cls, name);
      assert.equal(e.code, code, name);
      assert.equal(e.status, status, name);
      assert.equal(e.awsErrorName, name);
      assert.ok(!e.message.includes(SECRET), `${name} echoes nothing sent`);
    }
  });

  it('the subclasses keep their parents\' handling: an expired code is a CodeMismatchError, a limit a ThrottledError', () => {
    assert.ok(new ExpiredCodeError() instanceof CodeMismatchError);
    const limit = new LimitExceededError(30);
    assert.ok(limit instanceof ThrottledError);
    assert.equal(limit.retryAfterSeconds, 30);
  });

  it('outside an account call the exceptions keep their sign-in meaning', () => {
    assert.equal(mapServiceError(sdkError('ExpiredCodeException', 'x'), 'challenge').constructor, CodeMismatchError);
    assert.equal(mapServiceError(sdkError('LimitExceededException', 'x'), 'login').constructor, ThrottledError);
  });

  it('InvalidParameterError passes on only the known texts that echo nothing', () => {
    const safe = 'Cannot reset password for the user as there is no registered/verified email or phone_number';
    assert.equal(mapServiceError(sdkError('InvalidParameterException', safe), 'account').message, safe);
    const echo = `1 validation error detected: Value '${SECRET}' at 'password' failed to satisfy constraint`;
    const e = mapServiceError(sdkError('InvalidParameterException', echo), 'account');
    assert.equal(e.message, 'Cognito refused a parameter of the request.');
  });

  it('InvalidPasswordError names the rule broken', () => {
    const cases: Array<[string, string | undefined]> = [
      ['Password does not conform to policy: Password not long enough', 'length'],
      ['Password does not conform to policy: Password must have uppercase characters', 'uppercase'],
      ['Password does not conform to policy: Password must have lowercase characters', 'lowercase'],
      ['Password does not conform to policy: Password must have numeric characters', 'numbers'],
      ['Password does not conform to policy: Password must have symbol characters', 'symbols'],
      ['Password has previously been used', 'history'],
      ['Something else', undefined],
    ];
    for (const [text, rule] of cases) {
      assert.equal(passwordRequirement(text), rule, text);
      const e = mapServiceError(sdkError('InvalidPasswordException', text), 'account');
      assert.ok(e instanceof InvalidPasswordError);
      assert.equal(e.requirement, rule, text);
    }
  });
});

describe('lib/account argument checks (before any call)', () => {
  it('usernames', () => {
    assert.equal(checkUsername('ann'), 'ann');
    for (const bad of ['', ' ann', 'ann ', 'u'.repeat(129), 42, undefined]) assert.throws(() => checkUsername(bad), TypeError, String(bad));
  });

  it('attribute maps both ways', () => {
    assert.deepEqual(toAttributeList({ email: 'a@b.c', 'custom:tier': 'gold' }, 'attributes'),
      [{ Name: 'email', Value: 'a@b.c' }, { Name: 'custom:tier', Value: 'gold' }]);
    assert.throws(() => toAttributeList({ email: '' }, 'attributes'), TypeError);
    assert.deepEqual(toAttributeList({ email: '' }, 'attributes', true), [{ Name: 'email', Value: '' }]);
    assert.throws(() => toAttributeList({ 'bad name': 'x' }, 'attributes'), TypeError);
    assert.throws(() => toAttributeList({ email: 7 }, 'attributes'), TypeError);
    assert.throws(() => toAttributeList([], 'attributes'), TypeError);
    assert.deepEqual(fromAttributeList([{ Name: 'sub', Value: 's' }, { Name: 1 }, null]), { sub: 's' });
    assert.deepEqual(fromAttributeList(undefined), {});
  });
});
