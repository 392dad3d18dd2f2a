/**
 * Remembered devices in the emulator: the devices of each pool (by device key), the device group key
 * of each user, and the short-lived state behind DEVICE_SRP_AUTH / DEVICE_PASSWORD_VERIFIER sessions.
 *
 * Kept beside the main store (weakly keyed by pool, user and store) so that device tracking is an
 * add-on: a pool tracks devices when it was created with a `DeviceConfiguration`. Then every sign-in
 * that does not present a known device is offered a new one (`NewDeviceMetadata`), its tokens and
 * refresh token are bound to that device key, and a later sign-in presenting a confirmed device must
 * prove it with device SRP.
 */
import type { EmulatorContext } from './context';
import { WireError, resourceNotFound } from './errors';
import { newSessionId, newUuid, randomToken } from './ids';
import type { ServerEphemeral } from './srp-server';
import type { ClientRecord, EmulatorStore, PoolRecord, UserRecord } from './store';

/** A device Cognito handed out, confirmed (with an SRP verifier) or not yet. */
export interface DeviceRecord {
  deviceKey: string;
  deviceGroupKey: string;
  poolId: string;
  /** Internal username of the owner. */
  username: string;
  /** Set by ConfirmDevice: the device's SRP salt and verifier. */
  salt?: bigint;
  verifier?: bigint;
  name?: string;
  status: 'remembered' | 'not_remembered';
  createdAt: number;
  updatedAt: number;
  lastAuthenticatedAt?: number;
}

/** A device SRP step in progress. */
export interface DeviceSession {
  id: string;
  poolId: string;
  clientId: string;
  username: string;
  deviceKey: string;
  stage: 'DEVICE_SRP_AUTH' | 'DEVICE_PASSWORD_VERIFIER';
  expiresAt: number;
  /** DEVICE_PASSWORD_VERIFIER: the client's A, the server's ephemeral and the SECRET_BLOCK. */
  A?: bigint;
  ephemeral?: ServerEphemeral;
  secretBlock?: string;
}

const devicesByPool = new WeakMap<PoolRecord, Map<string, DeviceRecord>>();
const groupKeys = new WeakMap<UserRecord, string>();
const sessionsByStore = new WeakMap<EmulatorStore, Map<string, DeviceSession>>();

/** The devices of a pool, by device key. */
export function poolDevices(pool: PoolRecord): Map<string, DeviceRecord> {
  let devices = devicesByPool.get(pool);
  if (devices === undefined) {
    devices = new Map();
    devicesByPool.set(pool, devices);
  }
  return devices;
}

/** Whether the pool remembers devices (it has a `DeviceConfiguration`). */
export function tracksDevices(pool: PoolRecord): boolean {
  return pool.deviceConfiguration !== undefined;
}

/** The device of this user with this key, if any. */
export function userDevice(pool: PoolRecord, user: UserRecord, deviceKey: string | undefined): DeviceRecord | undefined {
  if (deviceKey === undefined) return undefined;
  const device = poolDevices(pool).get(deviceKey);
  return device !== undefined && device.username === user.username ? device : undefined;
}

function groupKeyOf(user: UserRecord): string {
  let key = groupKeys.get(user);
  if (key === undefined) {
    key = `-${randomToken(7).replace(/[-_]/g, 'x')}`;
    groupKeys.set(user, key);
  }
  return key;
}

/** `NewDeviceMetadata` of an `AuthenticationResult`. */
export interface NewDeviceMetadata {
  DeviceKey: string;
  DeviceGroupKey: string;
}

/**
 * The device a completed sign-in binds its tokens to: the known device the client presented, else —
 * in a pool that tracks devices — a new one, offered as `NewDeviceMetadata`.
 */
export function deviceForSignIn(
  ctx: EmulatorContext,
  pool: PoolRecord,
  user: UserRecord,
  deviceKey: string | undefined,
): { deviceKey?: string; newDevice?: NewDeviceMetadata } {
  if (!tracksDevices(pool)) return {};
  const known = userDevice(pool, user, deviceKey);
  const now = ctx.clock.now();
  if (known !== undefined) {
    known.lastAuthenticatedAt = now;
    return { deviceKey: known.deviceKey };
  }
  const device: DeviceRecord = {
    deviceKey: `${pool.id.slice(0, pool.id.indexOf('_'))}_${newUuid()}`,
    deviceGroupKey: groupKeyOf(user),
    poolId: pool.id,
    username: user.username,
    status: 'not_remembered',
    createdAt: now,
    updatedAt: now,
    lastAuthenticatedAt: now,
  };
  poolDevices(pool).set(device.deviceKey, device);
  return { deviceKey: device.deviceKey, newDevice: { DeviceKey: device.deviceKey, DeviceGroupKey: device.deviceGroupKey } };
}

function sessions(store: EmulatorStore): Map<string, DeviceSession> {
  let map = sessionsByStore.get(store);
  if (map === undefined) {
    map = new Map();
    sessionsByStore.set(store, map);
  }
  return map;
}

/** Opens a device SRP session (3 minutes, or the client's AuthSessionValidity). */
export function openDeviceSession(
  ctx: EmulatorContext,
  client: ClientRecord,
  fields: Omit<DeviceSession, 'id' | 'poolId' | 'clientId' | 'expiresAt'>,
): DeviceSession {
  const now = ctx.clock.now();
  const map = sessions(ctx.store);
  for (const [id, s] of map) if (now >= s.expiresAt) map.delete(id);
  const session: DeviceSession = {
    id: newSessionId(),
    poolId: client.poolId,
    clientId: client.clientId,
    expiresAt: now + client.authSessionValidityMinutes * 60 * 1000,
    ...fields,
  };
  map.set(session.id, session);
  return session;
}

/**
 * Takes a device SRP session for answering: each is good for one answer.
 *
 * @throws WireError NotAuthorizedException when unknown, for another client, or expired.
 */
export function takeDeviceSession(ctx: EmulatorContext, id: string, clientId: string): DeviceSession {
  const map = sessions(ctx.store);
  const session = map.get(id);
  if (session === undefined || session.clientId !== clientId) {
    throw new WireError('NotAuthorizedException', 'Invalid session for the user.');
  }
  map.delete(id);
  if (ctx.clock.now() >= session.expiresAt) {
    throw new WireError('NotAuthorizedException', 'Invalid session for the user, session is expired.');
  }
  return session;
}

/**
 * After the password is proven: a sign-in presenting a confirmed device of the user must prove the
 * device too (DEVICE_SRP_AUTH). A device key Cognito does not know for this user is refused as
 * Cognito does (clients then sign in again without it).
 *
 * @returns the DEVICE_SRP_AUTH challenge, or `undefined` when there is no device to prove.
 * @throws WireError ResourceNotFoundException "Device does not exist."
 */
export function startDeviceChallenge(
  ctx: EmulatorContext,
  pool: PoolRecord,
  client: ClientRecord,
  user: UserRecord,
  deviceKey: string | undefined,
): { ChallengeName: 'DEVICE_SRP_AUTH'; Session: string; ChallengeParameters: Record<string, string> } | undefined {
  if (deviceKey === undefined || !tracksDevices(pool)) return undefined;
  const device = userDevice(pool, user, deviceKey);
  if (device === undefined) throw resourceNotFound('Device does not exist.');
  if (device.verifier === undefined) return undefined;
  const session = openDeviceSession(ctx, client, { username: user.username, deviceKey, stage: 'DEVICE_SRP_AUTH' });
  return { ChallengeName: 'DEVICE_SRP_AUTH', Session: session.id, ChallengeParameters: { USERNAME: user.username, DEVICE_KEY: deviceKey } };
}

/** What the data folder keeps of a pool's devices: the devices, and each user's device group key. */
export interface PoolDeviceState {
  devices: Map<string, DeviceRecord>;
  /** Device group keys by internal username. */
  groupKeys: Map<string, string>;
}

/** The devices of a pool and its users' group keys, for the data folder (device SRP sessions are not kept). */
export function exportPoolDevices(pool: PoolRecord): PoolDeviceState {
  const groups = new Map<string, string>();
  for (const user of pool.users.values()) {
    const key = groupKeys.get(user);
    if (key !== undefined) groups.set(user.username, key);
  }
  return { devices: devicesByPool.get(pool) ?? new Map<string, DeviceRecord>(), groupKeys: groups };
}

/** Puts back what {@link exportPoolDevices} returned, on a pool restored from the data folder. */
export function importPoolDevices(pool: PoolRecord, state: PoolDeviceState): void {
  devicesByPool.set(pool, state.devices);
  for (const user of pool.users.values()) {
    const key = state.groupKeys.get(user.username);
    if (key !== undefined) groupKeys.set(user, key);
  }
}
