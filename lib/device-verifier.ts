/**
 * The secret a remembered device proves at DEVICE_SRP_AUTH, and the verifier Cognito stores for it
 * (ConfirmDevice's `DeviceSecretVerifierConfig`).
 */
import { randomBytes as cryptoRandomBytes } from 'node:crypto';
import { gPowN, padHex } from './srp-group';
import { computeSrpX } from './srp';

/** What {@link generateDeviceVerifier} returns. */
export interface DeviceVerifier {
  /** The device's password: 40 random bytes in base64. Store it with the device key; it is a secret. */
  devicePassword: string;
  /** `DeviceSecretVerifierConfig.PasswordVerifier`: base64 of the bytes of PAD(g^x). */
  passwordVerifier: string;
  /** `DeviceSecretVerifierConfig.Salt`: base64 of the bytes of PAD(salt), salt a 16-byte random number. */
  salt: string;
}

/** Options of {@link generateDeviceVerifier}. */
export interface DeviceVerifierOptions {
  /** Source of randomness, `node:crypto`'s `randomBytes` by default; injectable for known-answer tests. */
  randomBytes?: (size: number) => Uint8Array;
}

/**
 * Makes a device password and the SRP verifier Cognito needs to remember a device, encoded exactly
 * as amazon-cognito-identity-js's `AuthenticationHelper.generateHashDevice` + `ConfirmDevice` do:
 * the salt is a 16-byte random number written as its signed-magnitude hex (so 15–17 bytes once a
 * leading zero byte is dropped or a `00` sign byte added), x = H(PAD(salt) | H(deviceGroupKey |
 * deviceKey | ":" | devicePassword)), and the verifier is PAD(g^x mod N).
 *
 * @param deviceGroupKey `NewDeviceMetadata.DeviceGroupKey` from the authentication result.
 * @param deviceKey `NewDeviceMetadata.DeviceKey` from the authentication result.
 * @param options `randomBytes` (default `crypto.randomBytes`).
 * @returns `{ devicePassword, passwordVerifier, salt }`.
 * @throws TypeError when a key is not a non-empty string.
 * @example
 * const { devicePassword, passwordVerifier, salt } = generateDeviceVerifier(DeviceGroupKey, DeviceKey);
 * await client.send(new ConfirmDeviceCommand({ AccessToken, DeviceKey,
 *   DeviceSecretVerifierConfig: { PasswordVerifier: passwordVerifier, Salt: salt } }));
 */
export function generateDeviceVerifier(
  deviceGroupKey: string,
  deviceKey: string,
  options?: DeviceVerifierOptions,
): DeviceVerifier {
  for (const [name, value] of [
    ['deviceGroupKey', deviceGroupKey],
    ['deviceKey', deviceKey],
  ] as const) {
    if (typeof value !== 'string' || value.length === 0) throw new TypeError(`"${name}" must be a non-empty string`);
  }
  const random = options?.randomBytes ?? cryptoRandomBytes;
  const devicePassword = Buffer.from(random(40)).toString('base64');
  const saltValue = BigInt('0x' + Buffer.from(random(16)).toString('hex'));
  const x = computeSrpX(saltValue, deviceGroupKey, deviceKey, devicePassword);
  return {
    devicePassword,
    passwordVerifier: Buffer.from(padHex(gPowN(x)), 'hex').toString('base64'),
    salt: Buffer.from(padHex(saltValue), 'hex').toString('base64'),
  };
}
