/**
 * Ending sign-ins: GlobalSignOut (every sign-in of the user, by access token),
 * AdminUserGlobalSignOut, and RevokeToken (one sign-in, by refresh token).
 */
import { timingSafeEqual } from 'node:crypto';
import type { EmulatorContext, OperationSpec } from '../context';
import { WireError } from '../errors';
import { decodeJwt } from '../jwt';
import { optionalString, requireString, type Params } from '../protocol';
import { authenticateUserAccess, revokeAllSignIns } from '../tokens';
import { requireUser } from '../user-directory';

function globalSignOut(ctx: EmulatorContext, params: Params): object {
  const { pool, user } = authenticateUserAccess(ctx, requireString(params, 'AccessToken'));
  revokeAllSignIns(ctx, pool.id, user.username);
  return {};
}

function adminUserGlobalSignOut(ctx: EmulatorContext, params: Params): object {
  const pool = ctx.store.pool(requireString(params, 'UserPoolId'));
  const user = requireUser(pool, requireString(params, 'Username'));
  revokeAllSignIns(ctx, pool.id, user.username);
  return {};
}

function sameSecret(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function revokeToken(ctx: EmulatorContext, params: Params): object {
  const token = requireString(params, 'Token');
  const clientId = requireString(params, 'ClientId');
  const clientSecret = optionalString(params, 'ClientSecret');
  const { client } = ctx.store.client(clientId);
  if (client.clientSecret ? !sameSecret(clientSecret, client.clientSecret) : clientSecret !== undefined) {
    throw new WireError('UnauthorizedException', 'Invalid client credentials.');
  }
  if (!client.enableTokenRevocation) {
    throw new WireError('UnsupportedOperationException', 'Token revocation is not enabled for this client.');
  }
  if (decodeJwt(token)) throw new WireError('UnsupportedTokenTypeException', 'Unsupported token type.');
  const record = ctx.store.refreshTokens.get(token);
  // Unknown tokens are not an error (RFC 7009); a token of another client is.
  if (!record) return {};
  if (record.clientId !== client.clientId) throw new WireError('UnauthorizedException', 'Invalid token for this client.');
  record.revoked = true;
  ctx.store.revokedOrigins.add(record.originJti);
  return {};
}

/** Sign-out operations by name. */
export const signOutOperations: Record<string, OperationSpec> = {
  GlobalSignOut: { handler: globalSignOut, signed: false },
  AdminUserGlobalSignOut: { handler: adminUserGlobalSignOut, signed: true },
  RevokeToken: { handler: revokeToken, signed: false },
};
