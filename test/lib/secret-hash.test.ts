import { strict as assert } from 'node:assert';
import { secretHash } from '../../lib/secret-hash';

describe('lib/secret-hash', () => {
  // Expected values computed independently with
  //   printf '%s' "$username$clientId" | openssl dgst -sha256 -hmac "$secret" -binary | base64
  it('matches openssl for an ASCII username', () => {
    assert.equal(
      secretHash('alice@example.com', '1example23456789', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'),
      'WImFYFhCcrGnWAP8r1kt0rRZQZXYYrat8QjGSZPbW4c=',
    );
  });

  it('hashes the username as UTF-8', () => {
    assert.equal(secretHash('ünïcødé', '7e3f1bclientid', 's3cr3t'), 'r9P2sQSqlNiMgUSqDMnTn5VDmFt3eF79fVKvfWvfUgQ=');
  });

  it('depends on the order username + clientId', () => {
    assert.notEqual(secretHash('ab', 'c', 'k'), secretHash('c', 'ab', 'k'));
  });

  it('throws TypeError naming the argument, never echoing the secret', () => {
    assert.throws(() => secretHash('', 'c', 'k'), /"username"/);
    assert.throws(() => secretHash('u', undefined as unknown as string, 'k'), /"clientId"/);
    assert.throws(
      () => secretHash('u', 'c', ''),
      (err: Error) => err instanceof TypeError && /"clientSecret"/.test(err.message),
    );
  });
});
