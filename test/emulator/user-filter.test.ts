/**
 * lib/emulator/user-filter.ts: ListUsers' filter syntax and matching, as known answers.
 */
import assert from 'node:assert/strict';
import { WireError } from '../../lib/emulator/errors';
import type { UserRecord } from '../../lib/emulator/store';
import { FILTER_PARSE_ERROR, parseUserFilter, userMatches, type UserFilter } from '../../lib/emulator/user-filter';

function user(overrides: Partial<UserRecord> & { attrs?: Record<string, string> } = {}): UserRecord {
  const { attrs = {}, ...rest } = overrides;
  return {
    username: 'Alice',
    sub: '11111111-2222-3333-4444-555555555555',
    attributes: new Map(Object.entries(attrs)),
    status: 'CONFIRMED',
    enabled: true,
    createdAt: 0,
    updatedAt: 0,
    passwordSetAt: 0,
    groups: new Set(),
    mfa: { totpVerified: false, totpEnabled: false, smsEnabled: false, usedTotpCodes: [] },
    ...rest,
  };
}

function refusal(filter: string): WireError {
  try {
    parseUserFilter(filter);
  } catch (e) {
    assert.ok(e instanceof WireError);
    assert.equal(e.type, 'InvalidParameterException');
    return e;
  }
  assert.fail(`expected ${JSON.stringify(filter)} to be refused`);
}

const sensitive = { caseSensitive: true };
const insensitive = { caseSensitive: false };
const parsed = (filter: string): UserFilter => parseUserFilter(filter)!;

describe('emulator: user filter', () => {
  describe('parseUserFilter', () => {
    it('reads exact and prefix conditions, with or without blanks around the operator', () => {
      assert.deepEqual(parseUserFilter('family_name = "Reddy"'), { attribute: 'family_name', prefix: false, value: 'Reddy' });
      assert.deepEqual(parseUserFilter('given_name ^= "Jo"'), { attribute: 'given_name', prefix: true, value: 'Jo' });
      assert.deepEqual(parseUserFilter('email="a@b.c"'), { attribute: 'email', prefix: false, value: 'a@b.c' });
      assert.deepEqual(parseUserFilter('  cognito:user_status^="FORCE"  '), { attribute: 'cognito:user_status', prefix: true, value: 'FORCE' });
    });

    it('resolves \\" and \\\\ inside the quotes and keeps other characters as they are', () => {
      assert.equal(parsed('name = "Bob \\"the builder\\""').value, 'Bob "the builder"');
      assert.equal(parsed('name = "back\\\\slash"').value, 'back\\slash');
      assert.equal(parsed('name = "a=b ^= c\\n"').value, 'a=b ^= c\\n');
      assert.equal(parsed('name = ""').value, '');
    });

    it('treats an absent, empty or blank filter as no filter', () => {
      assert.equal(parseUserFilter(undefined), undefined);
      assert.equal(parseUserFilter(''), undefined);
      assert.equal(parseUserFilter('   '), undefined);
    });

    for (const bad of [
      'email = bob', 'email = \'bob\'', 'email == "bob"', 'email != "bob"', 'email ~ "bob"', 'email ^ = "bob"',
      'email = "bob', 'email = "bob\\"', 'email = "bob" and name = "x"', 'email = "bob" x', '= "bob"', 'email', 'email "bob"',
    ]) {
      it(`refuses ${bad} with "${FILTER_PARSE_ERROR}"`, () => {
        assert.equal(refusal(bad).message, FILTER_PARSE_ERROR);
      });
    }

    for (const name of ['custom:tier', 'address', 'email_verified', 'Email', 'updated_at']) {
      it(`refuses ${name}, which Cognito cannot search on`, () => {
        assert.equal(refusal(`${name} = "x"`).message, `Invalid search attribute: ${name}`);
      });
    }
  });

  describe('userMatches', () => {
    const alice = user({ attrs: { email: 'alice@example.com', given_name: 'Alice', phone_number: '+15550001' } });

    it('matches attributes exactly or by prefix, case-sensitively', () => {
      assert.ok(userMatches(sensitive, alice, parsed('email = "alice@example.com"')));
      assert.ok(!userMatches(sensitive, alice, parsed('email = "ALICE@example.com"')));
      assert.ok(!userMatches(sensitive, alice, parsed('email = "alice@example"')));
      assert.ok(userMatches(sensitive, alice, parsed('email ^= "alice@"')));
      assert.ok(userMatches(sensitive, alice, parsed('phone_number ^= "+1555"')));
      assert.ok(!userMatches(sensitive, alice, parsed('given_name ^= "al"')));
    });

    it('never matches a user without the attribute, even with an empty prefix', () => {
      assert.ok(!userMatches(sensitive, alice, parsed('family_name ^= ""')));
      assert.ok(userMatches(sensitive, alice, parsed('given_name ^= ""')));
    });

    it('compares username case-insensitively only in a case-insensitive pool', () => {
      assert.ok(userMatches(sensitive, alice, parsed('username = "Alice"')));
      assert.ok(!userMatches(sensitive, alice, parsed('username = "alice"')));
      assert.ok(userMatches(insensitive, alice, parsed('username = "aLiCe"')));
      assert.ok(userMatches(insensitive, alice, parsed('username ^= "AL"')));
      assert.ok(!userMatches(insensitive, alice, parsed('given_name = "alice"')));
    });

    it('reads sub, cognito:user_status (any case) and status (Enabled / Disabled, exact case)', () => {
      assert.ok(userMatches(sensitive, alice, parsed(`sub = "${alice.sub}"`)));
      assert.ok(userMatches(sensitive, alice, parsed('cognito:user_status = "confirmed"')));
      assert.ok(!userMatches(sensitive, alice, parsed('cognito:user_status = "UNCONFIRMED"')));
      assert.ok(userMatches(sensitive, alice, parsed('status = "Enabled"')));
      assert.ok(!userMatches(sensitive, alice, parsed('status = "enabled"')));
      assert.ok(userMatches(sensitive, user({ enabled: false }), parsed('status = "Disabled"')));
    });
  });
});
