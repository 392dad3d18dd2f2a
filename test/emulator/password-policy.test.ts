/**
 * The password policy: Cognito's defaults, merging, range checks and its messages.
 */
import assert from 'node:assert/strict';
import {
  DEFAULT_PASSWORD_POLICY,
  assertPasswordConforms,
  passwordPolicyViolation,
  resolvePasswordPolicy,
} from '../../lib/emulator/password-policy';

describe('emulator: password policy', () => {
  it('defaults to 8 characters with every character class', () => {
    assert.deepEqual(resolvePasswordPolicy(undefined), DEFAULT_PASSWORD_POLICY);
    assert.equal(passwordPolicyViolation('Passw0rd!', DEFAULT_PASSWORD_POLICY), undefined);
  });

  it('names the first rule a password breaks', () => {
    const cases: Array<[string, string]> = [
      ['Pa0!', 'Password not long enough'],
      ['passw0rd!', 'Password must have uppercase characters'],
      ['PASSW0RD!', 'Password must have lowercase characters'],
      ['Password!', 'Password must have numeric characters'],
      ['Passw0rdd', 'Password must have symbol characters'],
    ];
    for (const [password, message] of cases) assert.equal(passwordPolicyViolation(password, DEFAULT_PASSWORD_POLICY), message);
    assert.throws(() => assertPasswordConforms('short', DEFAULT_PASSWORD_POLICY), {
      name: 'InvalidPasswordException',
      message: 'Password does not conform to policy: Password not long enough',
    });
  });

  it('merges a partial policy and checks ranges', () => {
    const relaxed = resolvePasswordPolicy({ MinimumLength: 6, RequireSymbols: false, RequireUppercase: false });
    assert.equal(passwordPolicyViolation('abc123', relaxed), undefined);
    assert.equal(relaxed.RequireLowercase, true);
    assert.throws(() => resolvePasswordPolicy({ MinimumLength: 5 }), { name: 'InvalidParameterException' });
    assert.throws(() => resolvePasswordPolicy({ MinimumLength: 100 }), { name: 'InvalidParameterException' });
  });

  it('counts any of Cognito\'s special characters (including space) as a symbol', () => {
    for (const symbol of ['^', '$', '*', '.', '[', ']', '{', '}', '(', ')', '?', '"', '!', '@', '#', '%', '&', '/', '\\', ',', '>', '<', "'", ':', ';', '|', '_', '~', '`', '=', '+', '-', ' ']) {
      assert.equal(passwordPolicyViolation(`Passw0rd${symbol}`, DEFAULT_PASSWORD_POLICY), undefined, JSON.stringify(symbol));
    }
  });
});
