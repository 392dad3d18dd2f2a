/**
 * The server half of SRP against the package's client half (lib/srp.ts): both derive the same key
 * for the right password and different ones otherwise; degenerate A values are refused; TIMESTAMP
 * parsing follows the client format.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { N } from '../../lib/srp-group';
import { createSrpEphemeral, srpPasswordAuthenticationKey } from '../../lib/srp';
import { formatSrpTimestamp } from '../../lib/srp-timestamp';
import {
  createPasswordVerifier,
  createServerEphemeral,
  derivePasswordKey,
  parseSrpTimestamp,
  passwordMatches,
  poolNameOf,
} from '../../lib/emulator/srp-server';


describe('emulator: srp-server', () => {
  it('poolNameOf takes the part after the underscore', () => {
    assert.equal(poolNameOf('us-east-1_AbC123'), 'AbC123');
  });

  it('client and server derive the same key for the right password, different ones for a wrong one', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 20 }), fc.string({ minLength: 1, maxLength: 30 }), (userId, password) => {
        const stored = createPasswordVerifier('Pool1', userId, password);
        const server = createServerEphemeral(stored.verifier);
        const ephemeral = createSrpEphemeral();
        const client = srpPasswordAuthenticationKey({ poolName: 'Pool1', userId, password, ephemeral, B: server.B, salt: stored.salt });
        assert.deepEqual(derivePasswordKey(ephemeral.A, server, stored.verifier), client);
        const wrong = srpPasswordAuthenticationKey({ poolName: 'Pool1', userId, password: password + 'x', ephemeral, B: server.B, salt: stored.salt });
        assert.notDeepEqual(derivePasswordKey(ephemeral.A, server, stored.verifier), wrong);
      }),
      { numRuns: 15 },
    );
  });

  it('salts with a leading zero byte still agree (integers lose leading zeros on the wire)', () => {
    const stored = createPasswordVerifier('Pool1', 'alice', 'Passw0rd!', 0x00ff112233445566778899aabbccddeen);
    const server = createServerEphemeral(stored.verifier);
    const ephemeral = createSrpEphemeral();
    const client = srpPasswordAuthenticationKey({ poolName: 'Pool1', userId: 'alice', password: 'Passw0rd!', ephemeral, B: server.B, salt: stored.salt });
    assert.deepEqual(derivePasswordKey(ephemeral.A, server, stored.verifier), client);
  });

  it('passwordMatches checks a password against the stored verifier', () => {
    const stored = createPasswordVerifier('Pool1', 'alice', 'Passw0rd!');
    assert.equal(passwordMatches('Pool1', 'alice', 'Passw0rd!', stored), true);
    assert.equal(passwordMatches('Pool1', 'alice', 'passw0rd!', stored), false);
    assert.equal(passwordMatches('Pool2', 'alice', 'Passw0rd!', stored), false);
  });

  it('refuses A = 0, A = N and A = 2N', () => {
    const stored = createPasswordVerifier('Pool1', 'alice', 'Passw0rd!');
    const server = createServerEphemeral(stored.verifier);
    for (const A of [0n, N, 2n * N]) assert.equal(derivePasswordKey(A, server, stored.verifier), undefined);
  });

  it('parses the TIMESTAMP format clients send, and nothing else', () => {
    const when = Date.UTC(2022, 0, 1, 0, 0, 0);
    assert.equal(parseSrpTimestamp(formatSrpTimestamp(new Date(when))), when);
    assert.equal(parseSrpTimestamp('Sat Jan 1 00:00:00 UTC 2022'), when);
    assert.equal(parseSrpTimestamp('Sat Jan 01 00:00:00 UTC 2022'), when);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4102444800 }), (seconds) => {
        assert.equal(parseSrpTimestamp(formatSrpTimestamp(new Date(seconds * 1000))), seconds * 1000);
      }),
    );
    for (const bad of ['', 'Sat Jan 1 00:00:00 GMT 2022', 'Sat Foo 1 00:00:00 UTC 2022', 'Sat Feb 30 00:00:00 UTC 2022', '2022-01-01T00:00:00Z', 'Sat Jan 1 24:00:00 UTC 2022']) {
      assert.equal(parseSrpTimestamp(bad), undefined, bad);
    }
  });
});
