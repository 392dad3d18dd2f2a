/**
 * Remembered devices: ConfirmDevice, UpdateDeviceStatus, ForgetDevice, GetDevice, ListDevices (and
 * AdminListDevices, AdminForgetDevice), and the device SRP challenges DEVICE_SRP_AUTH →
 * DEVICE_PASSWORD_VERIFIER — the same SRP-6a as a password login with the device group key in place
 * of the pool name, the device key in place of the username, and the verifier from ConfirmDevice.
 *
 * A proven device that is remembered skips MFA when the pool's `ChallengeRequiredOnNewDevice` is
 * true (a remembered device stands in for the second factor); otherwise MFA follows as usual.
 */
import { randomBytes } from 'node:crypto';
import { N } from '../../srp-group';
import type { EmulatorContext, OperationSpec } from '../context';
import {
  openDeviceSession,
  poolDevices,
  takeDeviceSession,
  userDevice,
  type DeviceRecord,
} from '../device-store';
import { invalidParameter, notAuthorized, notInEnum, resourceNotFound } from '../errors';
import { epochSeconds, optionalObject, optionalString, requireEntry, requireString, stringMap, type Params } from '../protocol';
import {
  claimSignatureMatches,
  createServerEphemeral,
  derivePasswordKey,
  expectedClaimSignature,
  parseSrpA,
  parseSrpTimestamp,
  srpHex,
} from '../srp-server';
import type { ClientRecord, PoolRecord, UserRecord } from '../store';
import { authenticateUserAccess } from '../tokens';
import { findUser, requireUser, userKey } from '../user-directory';
import { checkSecretHash } from './auth-flows';
import { completeSignIn, mfaStep, type SignInFlow, type SignInResponse } from './sign-in-steps';

/** How far a device TIMESTAMP may be from the emulator clock (as for passwords). */
const TIMESTAMP_TOLERANCE_MS = 5 * 60 * 1000;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

function base64Integer(value: unknown, member: string): bigint {
  if (typeof value !== 'string' || !BASE64.test(value) || value.length > 4096) {
    throw invalidParameter(`DeviceSecretVerifierConfig.${member} must be base64.`);
  }
  const hex = Buffer.from(value, 'base64').toString('hex');
  return hex === '' ? 0n : BigInt('0x' + hex);
}

function deviceType(device: DeviceRecord): object {
  const attributes = [
    { Name: 'device_status', Value: 'valid' },
    { Name: 'dev:device_remembered_status', Value: device.status },
    ...(device.name !== undefined ? [{ Name: 'device_name', Value: device.name }] : []),
  ];
  return {
    DeviceKey: device.deviceKey,
    DeviceAttributes: attributes,
    DeviceCreateDate: epochSeconds(device.createdAt),
    DeviceLastModifiedDate: epochSeconds(device.updatedAt),
    ...(device.lastAuthenticatedAt !== undefined ? { DeviceLastAuthenticatedDate: epochSeconds(device.lastAuthenticatedAt) } : {}),
  };
}

/** The caller's device named by `DeviceKey`, found through the access token. */
function ownDevice(ctx: EmulatorContext, params: Params): { pool: PoolRecord; user: UserRecord; device: DeviceRecord } {
  const { pool, user } = authenticateUserAccess(ctx, requireString(params, 'AccessToken'));
  const device = userDevice(pool, user, requireString(params, 'DeviceKey'));
  if (device === undefined) throw resourceNotFound('Device does not exist.');
  return { pool, user, device };
}

/** Refresh tokens bound to a forgotten device stop working. */
function forget(ctx: EmulatorContext, pool: PoolRecord, device: DeviceRecord): void {
  poolDevices(pool).delete(device.deviceKey);
  for (const record of ctx.store.refreshTokens.values()) {
    if (record.poolId === pool.id && record.deviceKey === device.deviceKey) record.revoked = true;
  }
}

function confirmDevice(ctx: EmulatorContext, params: Params): object {
  const { pool, device } = ownDevice(ctx, params);
  const config = optionalObject(params, 'DeviceSecretVerifierConfig');
  if (config === undefined) throw invalidParameter('Missing required parameter DeviceSecretVerifierConfig');
  const verifier = base64Integer(config.PasswordVerifier, 'PasswordVerifier');
  const salt = base64Integer(config.Salt, 'Salt');
  if (verifier <= 1n || verifier >= N - 1n || salt === 0n) throw invalidParameter('Invalid device verifier.');
  const name = optionalString(params, 'DeviceName');
  const prompt = pool.deviceConfiguration?.DeviceOnlyRememberedOnUserPrompt === true;
  device.verifier = verifier;
  device.salt = salt;
  if (name !== undefined) device.name = name;
  device.status = prompt ? 'not_remembered' : 'remembered';
  device.updatedAt = ctx.clock.now();
  return { UserConfirmationNecessary: prompt };
}

function updateDeviceStatus(ctx: EmulatorContext, params: Params): object {
  const { device } = ownDevice(ctx, params);
  const status = optionalString(params, 'DeviceRememberedStatus');
  if (status !== undefined && status !== 'remembered' && status !== 'not_remembered') {
    throw notInEnum('DeviceRememberedStatus', status, ['remembered', 'not_remembered']);
  }
  device.status = status ?? 'not_remembered';
  device.updatedAt = ctx.clock.now();
  return {};
}

function forgetDevice(ctx: EmulatorContext, params: Params): object {
  const { pool, device } = ownDevice(ctx, params);
  forget(ctx, pool, device);
  return {};
}

function getDevice(ctx: EmulatorContext, params: Params): object {
  return { Device: deviceType(ownDevice(ctx, params).device) };
}

function listFor(pool: PoolRecord, user: UserRecord): object {
  return { Devices: [...poolDevices(pool).values()].filter((d) => d.username === user.username).map(deviceType) };
}

function listDevices(ctx: EmulatorContext, params: Params): object {
  const { pool, user } = authenticateUserAccess(ctx, requireString(params, 'AccessToken'));
  return listFor(pool, user);
}

function adminUser(ctx: EmulatorContext, params: Params): { pool: PoolRecord; user: UserRecord } {
  const pool = ctx.store.pool(requireString(params, 'UserPoolId'));
  return { pool, user: requireUser(pool, requireString(params, 'Username')) };
}

function adminListDevices(ctx: EmulatorContext, params: Params): object {
  const { pool, user } = adminUser(ctx, params);
  return listFor(pool, user);
}

function adminForgetDevice(ctx: EmulatorContext, params: Params): object {
  const { pool, user } = adminUser(ctx, params);
  const device = userDevice(pool, user, requireString(params, 'DeviceKey'));
  if (device === undefined) throw resourceNotFound('Device does not exist.');
  forget(ctx, pool, device);
  return {};
}

function skipsMfa(pool: PoolRecord, device: DeviceRecord): boolean {
  return device.status === 'remembered' && pool.deviceConfiguration?.ChallengeRequiredOnNewDevice === true;
}

/**
 * Answers DEVICE_SRP_AUTH (returns DEVICE_PASSWORD_VERIFIER with SRP_B, SALT, SECRET_BLOCK) and
 * DEVICE_PASSWORD_VERIFIER (checks the claim signature, then MFA or tokens), for
 * RespondToAuthChallenge and AdminRespondToAuthChallenge.
 *
 * @throws WireError NotAuthorizedException for a bad session or proof,
 *   ResourceNotFoundException for a device that is gone.
 */
export async function answerDeviceChallenge(
  ctx: EmulatorContext,
  pool: PoolRecord,
  client: ClientRecord,
  name: 'DEVICE_SRP_AUTH' | 'DEVICE_PASSWORD_VERIFIER',
  params: Params,
  flow: SignInFlow = {},
): Promise<SignInResponse> {
  const answers = stringMap(params, 'ChallengeResponses');
  const sessionId = optionalString(params, 'Session');
  if (!sessionId) throw invalidParameter('Missing required parameter Session');
  const session = takeDeviceSession(ctx, sessionId, client.clientId);
  if (session.stage !== name) throw invalidParameter(`Invalid challenge name ${name}: the session expects ${session.stage}.`);
  const username = requireEntry(answers, 'USERNAME');
  const user = pool.users.get(userKey(pool, session.username));
  if (!user || findUser(pool, username)?.username !== user.username) throw notAuthorized('Invalid session for the user.');
  checkSecretHash(client, answers.SECRET_HASH, username);
  if (!user.enabled) throw notAuthorized('User is disabled.');
  if (requireEntry(answers, 'DEVICE_KEY') !== session.deviceKey) throw notAuthorized('Invalid device key given.');
  const device = userDevice(pool, user, session.deviceKey);
  if (device?.verifier === undefined || device.salt === undefined) throw resourceNotFound('Device does not exist.');

  if (name === 'DEVICE_SRP_AUTH') {
    const A = parseSrpA(requireEntry(answers, 'SRP_A'));
    if (A === undefined || A % N === 0n) throw invalidParameter('Invalid SRP_A value.');
    const ephemeral = createServerEphemeral(device.verifier);
    const secretBlock = randomBytes(96).toString('base64');
    const next = openDeviceSession(ctx, client, {
      username: user.username, deviceKey: device.deviceKey, stage: 'DEVICE_PASSWORD_VERIFIER', A, ephemeral, secretBlock,
    });
    return {
      ChallengeName: 'DEVICE_PASSWORD_VERIFIER',
      Session: next.id,
      ChallengeParameters: { USERNAME: user.username, SRP_B: srpHex(ephemeral.B), SALT: srpHex(device.salt), SECRET_BLOCK: secretBlock },
    };
  }

  const signature = requireEntry(answers, 'PASSWORD_CLAIM_SIGNATURE');
  const secretBlock = requireEntry(answers, 'PASSWORD_CLAIM_SECRET_BLOCK');
  const timestamp = requireEntry(answers, 'TIMESTAMP');
  const now = ctx.clock.now();
  const sentAt = parseSrpTimestamp(timestamp);
  if (secretBlock !== session.secretBlock || session.A === undefined || session.ephemeral === undefined) throw notAuthorized();
  if (sentAt === undefined || Math.abs(sentAt - now) > TIMESTAMP_TOLERANCE_MS) throw notAuthorized();
  const key = derivePasswordKey(session.A, session.ephemeral, device.verifier);
  if (!key) throw notAuthorized();
  const expected = expectedClaimSignature(key, device.deviceGroupKey, device.deviceKey, Buffer.from(secretBlock, 'base64'), timestamp);
  if (!claimSignatureMatches(signature, expected)) throw notAuthorized();
  device.lastAuthenticatedAt = now;
  const deviceFlow: SignInFlow = { ...flow, tokenSource: 'TokenGeneration_AuthenticateDevice' };
  return skipsMfa(pool, device)
    ? completeSignIn(ctx, pool, client, user, device.deviceKey, deviceFlow)
    : mfaStep(ctx, pool, client, user, device.deviceKey, deviceFlow);
}

/** Device operations by name. */
export const deviceOperations: Record<string, OperationSpec> = {
  ConfirmDevice: { handler: confirmDevice, signed: false },
  UpdateDeviceStatus: { handler: updateDeviceStatus, signed: false },
  ForgetDevice: { handler: forgetDevice, signed: false },
  GetDevice: { handler: getDevice, signed: false },
  ListDevices: { handler: listDevices, signed: false },
  AdminListDevices: { handler: adminListDevices, signed: true },
  AdminForgetDevice: { handler: adminForgetDevice, signed: true },
};
