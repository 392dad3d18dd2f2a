/**
 * A signed-in user's own attributes: UpdateUserAttributes (a changed e-mail or phone becomes
 * unverified and, when auto-verified, is sent a code; with `UserAttributeUpdateSettings.
 * AttributesRequireVerificationBeforeUpdate` the verified old value stays until the new one is
 * verified), GetUserAttributeVerificationCode and VerifyUserAttribute.
 */
import type { EmulatorContext, OperationSpec } from '../context';
import { autoVerifiedAttributes } from '../delivery';
import { WireError, invalidParameter } from '../errors';
import { deliverMessage } from '../custom-message';
import type { CodeDeliveryDetails, OutboxPurpose } from '../outbox';
import { requireString, type Params } from '../protocol';
import type { PoolRecord, UserRecord } from '../store';
import { authenticateUserAccess } from '../tokens';
import { assertUniqueSignInNames, parseAttributeList, validateAttributeNames, validateAttributes } from '../user-directory';
import { checkCode, countCodeRequest, dropCode, expiredCode, issueCode, pendingCode, verifyKind } from '../verification-codes';
import { clientMetadataOf } from '../user-triggers';
import { aliasHolder, assertClientMayWrite } from './self-service';

type Verifiable = 'email' | 'phone_number';

function isVerifiable(name: string): name is Verifiable {
  return name === 'email' || name === 'phone_number';
}

function requireVerifiable(params: Params): Verifiable {
  const name = requireString(params, 'AttributeName');
  if (!isVerifiable(name)) throw invalidParameter(`Invalid attribute name: ${name} cannot be verified.`);
  return name;
}

/** The attributes the pool keeps at their old value until a new value is verified. */
function keptUntilVerified(pool: PoolRecord): string[] {
  const settings = pool.extra.UserAttributeUpdateSettings as { AttributesRequireVerificationBeforeUpdate?: unknown } | undefined;
  const list = settings?.AttributesRequireVerificationBeforeUpdate;
  return Array.isArray(list) ? list.filter((v): v is string => typeof v === 'string') : [];
}

function sameValue(name: string, a: string | undefined, b: string): boolean {
  return a !== undefined && (name === 'email' ? a.toLowerCase() === b.toLowerCase() : a === b);
}

/** Another user already signing in with `value` (UsernameAttributes pools). */
function assertFreeUsernameAttribute(pool: PoolRecord, user: UserRecord, name: string, value: string): void {
  if (!pool.usernameAttributes.includes(name)) return;
  for (const other of pool.users.values()) {
    if (other !== user && sameValue(name, other.attributes.get(name), value)) {
      throw new WireError('AliasExistsException', `An account with the given ${name} already exists.`);
    }
  }
}

function sendVerification(
  ctx: EmulatorContext,
  pool: PoolRecord,
  user: UserRecord,
  attribute: Verifiable,
  destination: string,
  purpose: OutboxPurpose,
  call: { clientId: string; params: Params },
  pendingValue?: string,
): Promise<CodeDeliveryDetails> {
  const { code } = issueCode(ctx, user, verifyKind(attribute), { attribute, ...(pendingValue !== undefined ? { pendingValue } : {}) });
  const clientMetadata = clientMetadataOf(call.params.ClientMetadata);
  return deliverMessage(ctx, pool, user, { channel: attribute === 'email' ? 'EMAIL' : 'SMS', destination, purpose, code }, {
    clientId: call.clientId, ...(clientMetadata !== undefined ? { clientMetadata } : {}),
  });
}

async function updateUserAttributes(ctx: EmulatorContext, params: Params): Promise<object> {
  const { pool, user, claims } = authenticateUserAccess(ctx, requireString(params, 'AccessToken'));
  const updates = parseAttributeList(params.UserAttributes);
  const clientId = typeof claims.client_id === 'string' ? claims.client_id : '';
  const client = pool.clients.get(clientId);
  if (client) assertClientMayWrite(client, updates.keys());
  const deletions = [...updates].filter(([, value]) => value === '').map(([name]) => name);
  const sets = new Map([...updates].filter(([, value]) => value !== ''));
  validateAttributeNames(deletions);
  validateAttributes(sets);
  const keep = keptUntilVerified(pool);
  const auto = autoVerifiedAttributes(pool);
  const next = new Map(user.attributes);
  const codes: Array<{ attribute: Verifiable; value: string; pending: boolean }> = [];
  for (const [name, value] of sets) {
    if (!isVerifiable(name) || user.attributes.get(name) === value) {
      next.set(name, value);
      continue;
    }
    assertFreeUsernameAttribute(pool, user, name, value);
    const explicitlyVerified = sets.get(`${name}_verified`);
    if (keep.includes(name) && user.attributes.get(`${name}_verified`) === 'true' && explicitlyVerified === undefined) {
      codes.push({ attribute: name, value, pending: true });
      continue;
    }
    next.set(name, value);
    if (explicitlyVerified === undefined) next.set(`${name}_verified`, 'false');
    if (auto.includes(name) && explicitlyVerified !== 'true') codes.push({ attribute: name, value, pending: false });
    else dropCode(ctx, user, verifyKind(name));
  }
  for (const name of deletions) {
    next.delete(name);
    if (isVerifiable(name)) {
      next.delete(`${name}_verified`);
      dropCode(ctx, user, verifyKind(name));
    }
  }
  assertUniqueSignInNames(pool, user, next);
  user.attributes = next;
  user.updatedAt = ctx.clock.now();
  const list: CodeDeliveryDetails[] = [];
  for (const { attribute, value, pending } of codes) {
    list.push(await sendVerification(ctx, pool, user, attribute, value, 'UPDATE_ATTRIBUTE', { clientId, params }, pending ? value : undefined));
  }
  return list.length > 0 ? { CodeDeliveryDetailsList: list } : {};
}

async function getUserAttributeVerificationCode(ctx: EmulatorContext, params: Params): Promise<object> {
  const { pool, user, claims } = authenticateUserAccess(ctx, requireString(params, 'AccessToken'));
  const clientId = typeof claims.client_id === 'string' ? claims.client_id : '';
  const attribute = requireVerifiable(params);
  const pending = pendingCode(ctx, user, verifyKind(attribute))?.pendingValue;
  const destination = pending ?? user.attributes.get(attribute);
  if (destination === undefined || destination === '') throw invalidParameter(`User does not have the attribute ${attribute}.`);
  countCodeRequest(ctx, user, verifyKind(attribute));
  return { CodeDeliveryDetails: await sendVerification(ctx, pool, user, attribute, destination, 'VERIFY_ATTRIBUTE', { clientId, params }, pending) };
}

function verifyUserAttribute(ctx: EmulatorContext, params: Params): object {
  const { pool, user } = authenticateUserAccess(ctx, requireString(params, 'AccessToken'));
  const attribute = requireVerifiable(params);
  const kind = verifyKind(attribute);
  const record = checkCode(ctx, user, kind, requireString(params, 'Code'));
  const value = record.pendingValue ?? user.attributes.get(attribute);
  if (value === undefined || value === '') {
    dropCode(ctx, user, kind);
    throw expiredCode();
  }
  // A verified e-mail / phone is a sign-in alias: it must not be another account's already.
  if (pool.aliasAttributes.includes(attribute) && aliasHolder(pool, attribute, value, user)) {
    throw new WireError('AliasExistsException', `An account with the ${attribute} already exists.`);
  }
  if (record.pendingValue !== undefined) assertFreeUsernameAttribute(pool, user, attribute, value);
  dropCode(ctx, user, kind);
  user.attributes.set(attribute, value);
  user.attributes.set(`${attribute}_verified`, 'true');
  user.updatedAt = ctx.clock.now();
  return {};
}

/** Attribute operations by name (authorised by the access token). */
export const attributeVerificationOperations: Record<string, OperationSpec> = {
  UpdateUserAttributes: { handler: updateUserAttributes, signed: false },
  GetUserAttributeVerificationCode: { handler: getUserAttributeVerificationCode, signed: false },
  VerifyUserAttribute: { handler: verifyUserAttribute, signed: false },
};
