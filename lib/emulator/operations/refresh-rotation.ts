/**
 * GetTokensFromRefreshToken and refresh-token rotation.
 *
 * GetTokensFromRefreshToken works for every app client (the client secret is sent as is, not as a
 * SECRET_HASH). For a client with `RefreshTokenRotation.Feature: ENABLED` it also returns a new refresh
 * token of the same sign-in (`origin_jti`), and the one it replaces keeps working for
 * `RetryGracePeriodSeconds` (0–60, default 0) so that a client can retry a refresh whose answer it
 * lost; REFRESH_TOKEN_AUTH is refused for such a client, which must use this operation.
 * A refresh token bound to a device (DEVICE_KEY) needs that device key.
 */
import { timingSafeEqual } from 'node:crypto';
import type { EmulatorContext, OperationSpec } from '../context';
import { invalidParameter, notAuthorized } from '../errors';
import { optionalString, requireString, type Params } from '../protocol';
import type { ClientRecord, RefreshRecord } from '../store';
import { issueTokens } from '../tokens';
import { userKey } from '../user-directory';
import { clientMetadataOf } from '../user-triggers';

/** When each rotated-out refresh token stops working (ms since the epoch). */
const rotatedOut = new WeakMap<RefreshRecord, number>();

/** Whether the client rotates refresh tokens. */
export function rotatesRefreshTokens(client: ClientRecord): boolean {
  return client.refreshTokenRotation?.Feature === 'ENABLED';
}

/**
 * Refuses REFRESH_TOKEN_AUTH for a client that rotates refresh tokens.
 *
 * @throws WireError InvalidParameterException naming GetTokensFromRefreshToken.
 */
export function refuseRefreshTokenAuth(client: ClientRecord): void {
  if (rotatesRefreshTokens(client)) {
    throw invalidParameter('Refresh token rotation is enabled for this client: use GetTokensFromRefreshToken.');
  }
}

/**
 * Whether a refresh token that rotation replaced is past its grace period (for REFRESH_TOKEN_AUTH
 * after a client switched rotation off).
 */
export function rotatedOutAndExpired(record: RefreshRecord, now: number): boolean {
  const until = rotatedOut.get(record);
  return until !== undefined && now >= until;
}

function checkClientSecret(client: ClientRecord, given: string | undefined): void {
  if (!client.clientSecret) {
    if (given !== undefined && given !== '') {
      throw invalidParameter(`App client ${client.clientId} is not configured for secret but a client secret was received`);
    }
    return;
  }
  if (given === undefined || given === '') {
    throw notAuthorized(`Client ${client.clientId} is configured with secret but ClientSecret was not received`);
  }
  const a = Buffer.from(given);
  const b = Buffer.from(client.clientSecret);
  if (a.length !== b.length || !timingSafeEqual(a, b)) throw notAuthorized(`Unable to verify client secret for client ${client.clientId}`);
}

async function getTokensFromRefreshToken(ctx: EmulatorContext, params: Params): Promise<object> {
  const token = requireString(params, 'RefreshToken');
  const { pool, client } = ctx.store.client(requireString(params, 'ClientId'));
  checkClientSecret(client, optionalString(params, 'ClientSecret'));
  const deviceKey = optionalString(params, 'DeviceKey');
  const now = ctx.clock.now();
  const record = ctx.store.refreshTokens.get(token);
  if (!record || record.poolId !== pool.id || record.clientId !== client.clientId) throw notAuthorized('Invalid Refresh Token');
  if (record.revoked || ctx.store.revokedOrigins.has(record.originJti)) throw notAuthorized('Refresh Token has been revoked');
  if (now >= record.expiresAt) throw notAuthorized('Refresh Token has expired');
  if (rotatedOutAndExpired(record, now)) throw notAuthorized('Invalid Refresh Token');
  if (record.deviceKey !== undefined && deviceKey !== record.deviceKey) throw notAuthorized('Invalid Refresh Token');
  const user = pool.users.get(userKey(pool, record.username));
  if (!user) throw notAuthorized('User does not exist.');
  if (!user.enabled) throw notAuthorized('User is disabled.');
  const rotating = rotatesRefreshTokens(client);
  const clientMetadata = clientMetadataOf(params.ClientMetadata);
  const result = await issueTokens(ctx, pool, client, user, {
    originJti: record.originJti,
    authTime: record.authTime,
    withRefreshToken: rotating,
    ...(record.deviceKey !== undefined ? { deviceKey: record.deviceKey } : {}),
    ...(record.scopes ? { oauth: { scopes: record.scopes } } : {}),
    trigger: { source: 'TokenGeneration_RefreshTokens', ...(clientMetadata !== undefined ? { clientMetadata } : {}) },
  });
  if (rotating) markRotatedOut(client, record, now);
  return { AuthenticationResult: result };
}

/** A refresh token that was just exchanged for a new one stays usable for the client's grace period only. */
export function markRotatedOut(client: ClientRecord, record: RefreshRecord, now: number): void {
  if (rotatedOut.has(record)) return;
  const grace = client.refreshTokenRotation?.RetryGracePeriodSeconds ?? 0;
  rotatedOut.set(record, now + grace * 1000);
}

/** When a rotated-out refresh token stops working, for the data folder; `undefined` when it was not rotated out. */
export function rotatedOutUntil(record: RefreshRecord): number | undefined {
  return rotatedOut.get(record);
}

/** Marks a refresh token restored from the data folder as rotated out until `until` (ms since the epoch). */
export function restoreRotatedOut(record: RefreshRecord, until: number): void {
  rotatedOut.set(record, until);
}

/** Refresh-rotation operations by name. */
export const refreshRotationOperations: Record<string, OperationSpec> = {
  GetTokensFromRefreshToken: { handler: getTokensFromRefreshToken, signed: false },
};
