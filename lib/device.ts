/**
 * Remembered devices for the `Cognito` class: confirming the device Cognito offers after a sign-in
 * (NewDeviceMetadata → ConfirmDevice with a generated device password and SRP verifier), proving it at
 * a later sign-in (DEVICE_SRP_AUTH → DEVICE_PASSWORD_VERIFIER), and changing or forgetting it.
 */
import type { ConfirmDeviceCommandOutput, NewDeviceMetadataType } from '@aws-sdk/client-cognito-identity-provider';
import { answerCommand, type AuthStepOutput, type LoginFlow } from './challenge';
import type { Clock } from './clock';
import { generateDeviceVerifier } from './device-verifier';
import { CognitoServiceError } from './errors';
import { secretHash } from './secret-hash';
import { command } from './sdk';
import type { ServiceClient } from './service-client';
import { createSrpEphemeral, devicePasswordVerifierResponse } from './srp';

/** A remembered device: persist all three (the password is a secret) to sign in with it later. */
export interface DeviceSecrets {
  deviceKey: string;
  deviceGroupKey: string;
  devicePassword: string;
}

/** What {@link confirmDevice} got. */
export interface ConfirmedDevice extends DeviceSecrets {
  /** Cognito waits for UpdateDeviceStatus before remembering it (`DeviceOnlyRememberedOnUserPrompt`). */
  userConfirmationNecessary: boolean;
}

/**
 * Confirms the device Cognito offered in `NewDeviceMetadata`.
 *
 * @throws CognitoError as mapped by `mapServiceError`.
 * @example
 * const device = await confirmDevice(service, accessToken, result.NewDeviceMetadata!, 'laptop');
 */
export async function confirmDevice(
  service: ServiceClient,
  accessToken: string,
  metadata: NewDeviceMetadataType,
  deviceName: string | undefined,
): Promise<ConfirmedDevice> {
  const { DeviceKey: deviceKey, DeviceGroupKey: deviceGroupKey } = metadata;
  if (!deviceKey || !deviceGroupKey) throw new CognitoServiceError('Cognito offered a device without its keys.');
  const { devicePassword, passwordVerifier, salt } = generateDeviceVerifier(deviceGroupKey, deviceKey);
  const out = await service.send<ConfirmDeviceCommandOutput>(command('ConfirmDevice', {
    AccessToken: accessToken,
    DeviceKey: deviceKey,
    DeviceSecretVerifierConfig: { PasswordVerifier: passwordVerifier, Salt: salt },
    ...(deviceName !== undefined ? { DeviceName: deviceName } : {}),
  }), 'other');
  return { deviceKey, deviceGroupKey, devicePassword, userConfirmationNecessary: out.UserConfirmationNecessary === true };
}

/** What {@link answerDeviceChallenge} needs. */
export interface DeviceChallengeInput {
  flow: LoginFlow;
  userPoolId: string;
  clientId: string;
  clientSecret?: string;
  /** The internal username (USER_ID_FOR_SRP). */
  username: string;
  /** The Session of the DEVICE_SRP_AUTH challenge. */
  session: string | undefined;
  device: DeviceSecrets;
  clock: Clock;
  clientMetadata?: Record<string, string>;
}

/**
 * Answers DEVICE_SRP_AUTH and the DEVICE_PASSWORD_VERIFIER that follows, and returns Cognito's
 * answer to the latter (tokens, normally).
 *
 * @throws CognitoError as mapped by `mapServiceError`; CognitoServiceError for a malformed challenge.
 * @example
 * const out = await answerDeviceChallenge(service, { flow, userPoolId, clientId, username, session, device, clock });
 */
export async function answerDeviceChallenge(service: ServiceClient, input: DeviceChallengeInput): Promise<AuthStepOutput> {
  const { flow, userPoolId, clientId, clientSecret, username, device, clientMetadata } = input;
  const hash = (name: string): Record<string, string> =>
    clientSecret !== undefined ? { SECRET_HASH: secretHash(name, clientId, clientSecret) } : {};
  const ephemeral = createSrpEphemeral();
  const step = await service.send<AuthStepOutput>(answerCommand({
    flow, userPoolId, clientId, clientMetadata,
    challengeName: 'DEVICE_SRP_AUTH',
    session: input.session,
    responses: { USERNAME: username, DEVICE_KEY: device.deviceKey, SRP_A: ephemeral.srpA, ...hash(username) },
  }), 'challenge');
  if (step.ChallengeName !== 'DEVICE_PASSWORD_VERIFIER') return step;
  const name = step.ChallengeParameters?.USERNAME ?? username;
  let answer: ReturnType<typeof devicePasswordVerifierResponse>;
  try {
    answer = devicePasswordVerifierResponse({
      ...device,
      ephemeral,
      challengeParameters: step.ChallengeParameters ?? {},
      now: new Date(input.clock()),
    });
  } catch {
    throw new CognitoServiceError('Cognito sent a malformed DEVICE_PASSWORD_VERIFIER challenge.');
  }
  return service.send<AuthStepOutput>(answerCommand({
    flow, userPoolId, clientId, clientMetadata,
    challengeName: 'DEVICE_PASSWORD_VERIFIER',
    session: step.Session,
    responses: { ...answer, USERNAME: name, ...hash(name) },
  }), 'challenge');
}

/**
 * Marks the device remembered (MFA may be skipped on it) or not remembered.
 *
 * @example
 * await updateDeviceStatus(service, accessToken, deviceKey, true);
 */
export async function updateDeviceStatus(
  service: ServiceClient,
  accessToken: string,
  deviceKey: string,
  remembered: boolean,
): Promise<void> {
  await service.send(command('UpdateDeviceStatus', {
    AccessToken: accessToken,
    DeviceKey: deviceKey,
    DeviceRememberedStatus: remembered ? 'remembered' : 'not_remembered',
  }), 'other');
}

/**
 * Makes Cognito forget the device.
 *
 * @example
 * await forgetDevice(service, accessToken, deviceKey);
 */
export async function forgetDevice(service: ServiceClient, accessToken: string, deviceKey: string): Promise<void> {
  await service.send(command('ForgetDevice', { AccessToken: accessToken, DeviceKey: deviceKey }), 'other');
}
