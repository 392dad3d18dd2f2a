import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { base32Decode, base32Encode, generateTotp, otpauthUri, verifyTotp } from '../../lib/totp';

describe('lib/totp', () => {
  describe('base32 (RFC 4648 section 10 vectors)', () => {
    const vectors: Array<[string, string]> = [
      ['', ''],
      ['f', 'MY======'],
      ['fo', 'MZXQ===='],
      ['foo', 'MZXW6==='],
      ['foob', 'MZXW6YQ='],
      ['fooba', 'MZXW6YTB'],
      ['foobar', 'MZXW6YTBOI======'],
    ];
    for (const [plain, encoded] of vectors) {
      it(`encodes ${JSON.stringify(plain)} without padding`, () => {
        assert.equal(base32Encode(Buffer.from(plain)), encoded.replace(/=+$/, ''));
      });
      it(`decodes ${JSON.stringify(encoded)} with, without padding and in lower case`, () => {
        assert.equal(base32Decode(encoded).toString(), plain);
        assert.equal(base32Decode(encoded.replace(/=+$/, '')).toString(), plain);
        assert.equal(base32Decode(encoded.toLowerCase()).toString(), plain);
      });
    }

    it('encodes the RFC 6238 seed', () => {
      assert.equal(base32Encode(Buffer.from('12345678901234567890')), 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ');
    });

    it('throws TypeError on characters outside the alphabet', () => {
      for (const bad of ['MZXW1', 'MZXW8YTB', 'MZ XW', 'MZ=XW6YTB', 'MZXW6YT!', 'MZXWé']) {
        assert.throws(() => base32Decode(bad), TypeError, bad);
      }
    });

    it('throws TypeError on impossible lengths', () => {
      for (const bad of ['M', 'MZX', 'MZXW6Y', 'MZXW6YTBO']) assert.throws(() => base32Decode(bad), TypeError, bad);
    });

    it('round-trips any bytes', () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
          const text = base32Encode(bytes);
          assert.match(text, /^[A-Z2-7]*$/);
          assert.deepEqual(new Uint8Array(base32Decode(text)), bytes);
        }),
        { numRuns: 300 },
      );
    });
  });

  describe('generateTotp', () => {
    const seed = base32Encode(Buffer.from('12345678901234567890'));

    // RFC 6238 appendix B, SHA1 column.
    const rfc6238: Array<[number, string]> = [
      [59, '94287082'],
      [1111111109, '07081804'],
      [1111111111, '14050471'],
      [1234567890, '89005924'],
      [2000000000, '69279037'],
      [20000000000, '65353130'],
    ];
    for (const [seconds, code] of rfc6238) {
      it(`matches RFC 6238 at T=${seconds} (8 digits)`, () => {
        assert.equal(generateTotp(seed, seconds * 1000, { digits: 8 }), code);
      });
      it(`gives the last 6 digits by default at T=${seconds}`, () => {
        assert.equal(generateTotp(seed, seconds * 1000), code.slice(2));
      });
    }

    it('matches an independently computed 6-digit code (Python hmac)', () => {
      assert.equal(generateTotp('JBSWY3DPEHPK3PXP', 0), '282760');
      assert.equal(generateTotp('JBSWY3DPEHPK3PXP', 59_000), '996554');
      assert.equal(generateTotp('JBSWY3DPEHPK3PXP', 1_700_000_000_000), '324550');
      assert.equal(generateTotp('jbswy3dpehpk3pxp', 1_700_000_029_999), '367665');
    });

    it('honours stepSeconds', () => {
      assert.equal(generateTotp(seed, 59_000 * 2, { stepSeconds: 60, digits: 8 }), '94287082');
    });

    it('rejects caller mistakes with TypeError', () => {
      assert.throws(() => generateTotp('', 0), TypeError);
      assert.throws(() => generateTotp('not base32!', 0), TypeError);
      assert.throws(() => generateTotp(seed, -1), TypeError);
      assert.throws(() => generateTotp(seed, Number.NaN), TypeError);
      assert.throws(() => generateTotp(seed, 0, { digits: 5 }), TypeError);
      assert.throws(() => generateTotp(seed, 0, { stepSeconds: 0 }), TypeError);
    });
  });

  describe('verifyTotp', () => {
    const secret = 'JBSWY3DPEHPK3PXP';
    const now = 1_700_000_000_000; // step 56666666, code 324550

    it('accepts the current code', () => {
      assert.equal(verifyTotp(secret, '324550', now), true);
    });

    it('accepts one step either side by default, not two', () => {
      assert.equal(verifyTotp(secret, generateTotp(secret, now - 30_000), now), true);
      assert.equal(verifyTotp(secret, generateTotp(secret, now + 30_000), now), true);
      assert.equal(verifyTotp(secret, generateTotp(secret, now - 60_000), now), false);
      assert.equal(verifyTotp(secret, generateTotp(secret, now + 60_000), now), false);
    });

    it('honours window', () => {
      assert.equal(verifyTotp(secret, generateTotp(secret, now - 30_000), now, { window: 0 }), false);
      assert.equal(verifyTotp(secret, generateTotp(secret, now - 60_000), now, { window: 2 }), true);
    });

    it('refuses a wrong code', () => {
      assert.equal(verifyTotp(secret, '324551', now), false);
    });

    it('returns false, never throws, for malformed codes', () => {
      for (const bad of ['', '32455', '3245500', '32455a', ' 324550', '324 50', '３２４５５０', '-32455']) {
        assert.equal(verifyTotp(secret, bad, now), false, JSON.stringify(bad));
      }
      assert.equal(verifyTotp(secret, undefined as unknown as string, now), false);
      assert.equal(verifyTotp(secret, 324550 as unknown as string, now), false);
    });

    it('does not look before step 0', () => {
      assert.equal(verifyTotp(secret, '282760', 0), true);
    });

    it('throws TypeError on a bad secret or window', () => {
      assert.throws(() => verifyTotp('1', '123456', now), TypeError);
      assert.throws(() => verifyTotp(secret, '123456', now, { window: -1 }), TypeError);
    });
  });

  describe('otpauthUri', () => {
    it('builds the key URI with percent-encoded label and issuer', () => {
      assert.equal(
        otpauthUri({ secretBase32: 'jbswy3dpehpk3pxp', accountName: 'alice@example.com', issuer: 'Acme Co' }),
        'otpauth://totp/Acme%20Co:alice%40example.com?secret=JBSWY3DPEHPK3PXP&issuer=Acme%20Co' +
          '&algorithm=SHA1&digits=6&period=30',
      );
    });

    it('encodes reserved characters and strips secret padding', () => {
      const uri = otpauthUri({ secretBase32: 'MZXW6YQ=', accountName: 'a&b=c?d/e', issuer: 'R&D #1' });
      assert.equal(
        uri,
        'otpauth://totp/R%26D%20%231:a%26b%3Dc%3Fd%2Fe?secret=MZXW6YQ&issuer=R%26D%20%231' +
          '&algorithm=SHA1&digits=6&period=30',
      );
      const parsed = new URL(uri);
      assert.equal(parsed.searchParams.get('issuer'), 'R&D #1');
      assert.equal(parsed.searchParams.get('secret'), 'MZXW6YQ');
    });

    it('refuses colons, empty names and bad secrets', () => {
      assert.throws(() => otpauthUri({ secretBase32: 'JBSWY3DP', accountName: 'a:b', issuer: 'x' }), TypeError);
      assert.throws(() => otpauthUri({ secretBase32: 'JBSWY3DP', accountName: 'a', issuer: '' }), TypeError);
      assert.throws(() => otpauthUri({ secretBase32: '0000', accountName: 'a', issuer: 'x' }), TypeError);
    });
  });
});
