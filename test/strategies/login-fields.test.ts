import { strict as assert } from 'node:assert';
import {
  lookup, readCode, readCredential, readFactor, readMfaType, readOtp, readPassword, readRequiredAttributes, readUsername,
} from '../../strategies/login-fields';

describe('strategies/login-fields', function () {
  it('lookup follows bracket notation and own properties only', function () {
    assert.equal(lookup({ user: { email: 'a' } }, 'user[email]'), 'a');
    assert.equal(lookup({ a: 1 }, 'b'), undefined);
    assert.equal(lookup({}, 'constructor'), undefined);
    assert.equal(lookup(undefined, 'a'), undefined);
  });
  it('usernames: present, absent, invalid', function () {
    assert.deepEqual(readUsername({ u: 'ann' }, 'u'), { state: 'ok', value: 'ann' });
    assert.equal(readUsername({ u: '' }, 'u').state, 'absent');
    for (const bad of [42, ['a'], 'a\tb', 'a\u00a0\nb', 'x'.repeat(257), 'ann\u0000']) {
      assert.equal(readUsername({ u: bad }, 'u').state, 'invalid', JSON.stringify(bad));
    }
    assert.equal(readUsername({ u: 'x'.repeat(256) }, 'u').state, 'ok');
  });
  it('usernames lose surrounding whitespace (spaces, tabs, no-break spaces); only whitespace is absent', function () {
    for (const typed of [' ann', 'ann ', ' ann ', '\tann\t', '\u00a0ann\u00a0', 'ann\u00a0 \t', '\u2007\ufeffann\r\n']) {
      assert.deepEqual(readUsername({ u: typed }, 'u'), { state: 'ok', value: 'ann' }, JSON.stringify(typed));
    }
    assert.deepEqual(readUsername({ u: ' ann@example.com ' }, 'u'), { state: 'ok', value: 'ann@example.com' });
    for (const blank of ['   ', '\t', '\u00a0 \u00a0']) assert.equal(readUsername({ u: blank }, 'u').state, 'absent', JSON.stringify(blank));
    assert.deepEqual(readUsername({ u: ' a\tb ' }, 'u'), { state: 'invalid', reason: 'has invalid characters' }, 'inside, a tab stays refused');
  });
  it('passwords are byte-limited and never altered', function () {
    assert.deepEqual(readPassword({ p: ' spaced pass ' }, 'p'), { state: 'ok', value: ' spaced pass ' });
    assert.equal(readPassword({ p: 'p'.repeat(1024) }, 'p').state, 'ok');
    assert.equal(readPassword({ p: '\u20ac'.repeat(342) }, 'p').state, 'invalid');
    assert.equal(readPassword({ p: { a: 1 } }, 'p').state, 'invalid');
  });
  it('codes are 6 digits (spaces and dashes removed)', function () {
    assert.deepEqual(readCode({ c: '123 456' }, 'c'), { state: 'ok', value: '123456' });
    assert.deepEqual(readCode({ c: 123456 }, 'c'), { state: 'ok', value: '123456' });
    for (const bad of ['12345', '1234567', 'abcdef', '12 34 5', 'x'.repeat(20), true]) assert.equal(readCode({ c: bad }, 'c').state, 'invalid', String(bad));
  });
  it('MFA types, with friendly aliases', function () {
    assert.deepEqual(readMfaType({ m: 'totp' }, 'm'), { state: 'ok', value: 'SOFTWARE_TOKEN_MFA' });
    assert.deepEqual(readMfaType({ m: 'SMS' }, 'm'), { state: 'ok', value: 'SMS_MFA' });
    assert.deepEqual(readMfaType({ m: 'email' }, 'm'), { state: 'ok', value: 'EMAIL_OTP' });
    assert.equal(readMfaType({ m: 'WEB_AUTHN' }, 'm').state, 'invalid');
  });
  it('USER_AUTH fields: factors with aliases, 6-to-8-digit codes, credentials as JSON or objects', function () {
    assert.deepEqual(readFactor({ f: 'passkey' }, 'f'), { state: 'ok', value: 'WEB_AUTHN' });
    assert.deepEqual(readFactor({ f: ' Email ' }, 'f'), { state: 'ok', value: 'EMAIL_OTP' });
    assert.equal(readFactor({ f: 'SOFTWARE_TOKEN' }, 'f').state, 'invalid');
    assert.equal(readFactor({ f: ['PASSWORD'] }, 'f').state, 'invalid');
    assert.deepEqual(readFactor({}, 'f'), { state: 'absent' });
    assert.deepEqual(readOtp({ c: '1234 5678' }, 'c'), { state: 'ok', value: '12345678' });
    assert.deepEqual(readOtp({ c: 123456 }, 'c'), { state: 'ok', value: '123456' });
    for (const bad of ['12345', '123456789', 'abcdefgh', '1'.repeat(30), { a: 1 }]) assert.equal(readOtp({ c: bad }, 'c').state, 'invalid');
    assert.deepEqual(readCredential({ c: { id: 'a' } }, 'c'), { state: 'ok', value: '{"id":"a"}' });
    assert.deepEqual(readCredential({ c: '{"id":"a"}' }, 'c'), { state: 'ok', value: '{"id":"a"}' });
    assert.equal(readCredential({ c: ['x'] }, 'c').state, 'invalid');
    assert.equal(readCredential({ c: 'x'.repeat(17 * 1024) }, 'c').state, 'invalid');
  });
  it('required attributes of NEW_PASSWORD_REQUIRED, from JSON or flat form fields', function () {
    const required = ['userAttributes.name', 'userAttributes.custom:team'];
    assert.deepEqual(readRequiredAttributes({ attributes: { name: 'Ann', 'custom:team': 'blue' } }, required), { values: { name: 'Ann', 'custom:team': 'blue' } });
    assert.deepEqual(readRequiredAttributes({ 'attributes[name]': 'Ann', 'attributes[custom:team]': 'red' }, required), { values: { name: 'Ann', 'custom:team': 'red' } });
    assert.deepEqual(readRequiredAttributes({ attributes: { name: 'Ann' } }, required), { missing: 'custom:team' });
    assert.deepEqual(readRequiredAttributes({ attributes: { name: 42 } }, ['name']), { missing: 'name' });
    assert.deepEqual(readRequiredAttributes({}, []), { values: {} });
    assert.deepEqual(readRequiredAttributes({}, ['bad name!']), { missing: 'attribute' });
  });
});
