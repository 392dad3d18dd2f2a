import { strict as assert } from 'node:assert';
import { generateDeviceVerifier } from '../../lib/device-verifier';
import { gPowN, padHex } from '../../lib/srp-group';
import { computeSrpX } from '../../lib/srp';
import { helperWithSecret } from '../support/aws-srp-reference';

// A randomBytes stand-in that replays fixed buffers in order.
function replay(...buffers: Buffer[]): (size: number) => Buffer {
  return (size) => {
    const next = buffers.shift();
    assert.ok(next && next.length === size, `unexpected request for ${size} random bytes`);
    return next;
  };
}

describe('lib/device-verifier', () => {
  const deviceGroupKey = '-AbCdEfGh';
  const deviceKey = 'us-east-1_0a1b2c3d-1111-4222-8333-444455556666';

  it('matches the DeviceSecretVerifierConfig amazon-cognito-identity-js produced (hard-coded)', () => {
    // generateHashDevice's randomPassword and SaltToHashDevices ('00b02f15…': its top bit set, so a
    // 00 sign byte was added) from one run of the library, and the verifier it computed.
    const devicePassword = 'hDKCuP3bu1nu/AtPAFv6ASlnSHIHrWtHIWB2UOOKbdr2vQZl8ojFSQ==';
    const saltBytes = Buffer.from('b02f155d66a14aec6cffb71b1ab1dfeb', 'hex');
    const result = generateDeviceVerifier(deviceGroupKey, deviceKey, {
      randomBytes: replay(Buffer.from(devicePassword, 'base64'), saltBytes),
    });
    assert.deepEqual(result, {
      devicePassword,
      salt: 'ALAvFV1moUrsbP+3Gxqx3+s=',
      passwordVerifier:
        'IQDs1C3UR1grsTXwWhoAjJ6aoucGZmF8hzJBIjPDKJcKVPXoYg3DowIn9/mCdr9pUhHjR1tjRPiH6jvgqurOfPI1Q3qHWtx9' +
        'JDUBhiSFerouqiBrHO0TLh+H4lFE9lyDDKupTLy9Nz3bto2Hyg8PR026NqBiqyqGfQ4uB3ljlJCpdXyYVYpzkyn550qvBxAR' +
        'ZNvYKmARxVhGwrPHpd00yOPKs4dPHZPFR7fZeR0VAhmkxulmTi1f+SlBNX4b6Kxh1J7t7fach88Ko9y6rB95djEzKCVzR8Fu' +
        'VbptYTOUqBMSYlvE3ZG0N01FGuB5w3GKaI9rTDcGKX6upDze21oBa29vxy6W6AGbN5yE0pkE4Jb+h4geqLALWova2veGxAMv' +
        'aSZEd3BzLRXRgEQBEJNclsuI4mYQLPcJ6/zKV6EIUayh8a6KL8PqKInRVz9djYhcz4nehWGbj1oZGT2Tlp0EsSTCZ5f/tbgP' +
        '/5u0aykXJ9gMHgJTczt2Fh159Fvi6Z5p',
    });
  });

  it('matches the library live on a fresh random draw', function () {
    this.timeout(20_000);
    const helper = helperWithSecret('unused', 1n);
    helper.generateHashDevice(deviceGroupKey, deviceKey, () => undefined);
    const saltHex: string = helper.SaltToHashDevices;
    const saltBytes = Buffer.from(BigInt('0x' + saltHex).toString(16).padStart(32, '0'), 'hex');
    const ours = generateDeviceVerifier(deviceGroupKey, deviceKey, {
      randomBytes: replay(Buffer.from(helper.randomPassword, 'base64'), saltBytes),
    });
    assert.equal(ours.devicePassword, helper.randomPassword);
    assert.equal(ours.salt, Buffer.from(saltHex, 'hex').toString('base64'));
    assert.equal(ours.passwordVerifier, Buffer.from(helper.verifierDevices, 'hex').toString('base64'));
  });

  it('drops leading zero bytes of the salt number, as the library does', () => {
    const salt = Buffer.from('0000' + '11'.repeat(14), 'hex');
    const result = generateDeviceVerifier(deviceGroupKey, deviceKey, { randomBytes: replay(Buffer.alloc(40, 7), salt) });
    assert.equal(Buffer.from(result.salt, 'base64').toString('hex'), '11'.repeat(14));
  });

  it('by default draws 40-byte passwords and 16-byte salts, fresh each time, with a consistent verifier', () => {
    const one = generateDeviceVerifier(deviceGroupKey, deviceKey);
    const two = generateDeviceVerifier(deviceGroupKey, deviceKey);
    assert.equal(Buffer.from(one.devicePassword, 'base64').length, 40);
    assert.notEqual(one.devicePassword, two.devicePassword);
    assert.notEqual(one.salt, two.salt);
    const saltBytes = Buffer.from(one.salt, 'base64');
    assert.ok(saltBytes.length >= 1 && saltBytes.length <= 17);
    const x = computeSrpX(BigInt('0x' + saltBytes.toString('hex')), deviceGroupKey, deviceKey, one.devicePassword);
    assert.equal(Buffer.from(one.passwordVerifier, 'base64').toString('hex'), padHex(gPowN(x)));
  });

  it('throws TypeError on missing keys', () => {
    assert.throws(() => generateDeviceVerifier('', deviceKey), /"deviceGroupKey"/);
    assert.throws(() => generateDeviceVerifier(deviceGroupKey, undefined as unknown as string), /"deviceKey"/);
  });
});
