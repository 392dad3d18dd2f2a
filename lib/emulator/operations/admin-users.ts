/**
 * Admin user management: AdminCreateUser (with its invitation), AdminGetUser, AdminSetUserPassword, AdminDeleteUser,
 * AdminDisableUser / AdminEnableUser, AdminUpdateUserAttributes and group membership.
 */
import { MAX_USERNAME_LENGTH } from '../../cognito-rules';
import type { EmulatorContext, OperationSpec } from '../context';
import { invitationContacts } from '../delivery';
import { WireError, invalidParameter, notInEnum, resourceNotFound } from '../errors';
import { newUuid, temporaryPassword } from '../ids';
import { deliverMessage } from '../custom-message';
import type { OutboxChannel } from '../outbox';
import { assertPasswordConforms } from '../password-policy';
import {
  epochSeconds,
  optionalBoolean,
  optionalEnum,
  optionalString,
  optionalStringList,
  requireString,
  type Params,
} from '../protocol';
import { createPasswordVerifier, poolNameOf } from '../srp-server';
import type { PoolRecord, UserRecord, UserStatus } from '../store';
import {
  assertUniqueSignInNames,
  attributeList,
  findUser,
  parseAttributeList,
  requireUser,
  userKey,
  validateAttributes,
} from '../user-directory';
import { NO_CLIENT_ID, clientMetadataOf, nameValueMap, runPreSignUp } from '../user-triggers';

const EMAIL = /^[^\s@]+@[^\s@]+$/;

/** The MFA members of AdminGetUser / GetUser. */
export function mfaSummary(user: UserRecord): Record<string, unknown> {
  const list: string[] = [];
  if (user.mfa.smsEnabled) list.push('SMS_MFA');
  if (user.mfa.totpEnabled) list.push('SOFTWARE_TOKEN_MFA');
  if (user.mfa.emailEnabled === true) list.push('EMAIL_OTP');
  return {
    ...(user.mfa.smsEnabled ? { MFAOptions: [{ DeliveryMedium: 'SMS', AttributeName: 'phone_number' }] } : {}),
    ...(user.mfa.preferred ? { PreferredMfaSetting: user.mfa.preferred } : {}),
    ...(list.length ? { UserMFASettingList: list } : {}),
  };
}

/** The `UserType` structure of AdminCreateUser. */
function describeUser(user: UserRecord): Record<string, unknown> {
  return {
    Username: user.username,
    Attributes: attributeList(user),
    UserCreateDate: epochSeconds(user.createdAt),
    UserLastModifiedDate: epochSeconds(user.updatedAt),
    Enabled: user.enabled,
    UserStatus: user.status,
  };
}

/** Options of {@link createUser} beyond the AdminCreateUser request (used by seeds). */
export interface CreateUserExtras {
  status?: UserStatus;
  permanentPassword?: string;
}

/**
 * Creates a user as AdminCreateUser does; seeds may set a permanent password or status directly.
 */
export function createUser(ctx: EmulatorContext, pool: PoolRecord, params: Params, extras: CreateUserExtras = {}): UserRecord {
  const given = requireString(params, 'Username');
  if (given.length > MAX_USERNAME_LENGTH) {
    throw invalidParameter(`1 validation error detected: Value at 'username' failed to satisfy constraint: Member must have length less than or equal to ${MAX_USERNAME_LENGTH}`);
  }
  const attributes = parseAttributeList(params.UserAttributes);
  validateAttributes(attributes);
  const sub = newUuid();
  let username = given;
  if (pool.usernameAttributes.length > 0) {
    const isEmail = EMAIL.test(given);
    if (pool.usernameAttributes.includes('email') && isEmail) attributes.set('email', given);
    else if (pool.usernameAttributes.includes('phone_number') && /^\+[0-9]{4,20}$/.test(given)) attributes.set('phone_number', given);
    else throw invalidParameter(pool.usernameAttributes.includes('email') ? 'Username should be an email.' : 'Username should be a phone number.');
    username = sub;
  } else if (EMAIL.test(given) && pool.aliasAttributes.includes('email')) {
    throw invalidParameter('Username cannot be of email format, since user pool is configured for email alias.');
  }
  if (pool.users.has(userKey(pool, username)) || (pool.usernameAttributes.length > 0 && findUser(pool, given))) {
    throw new WireError('UsernameExistsException', 'User account already exists');
  }
  assertUniqueSignInNames(pool, { username }, attributes);
  const password = extras.permanentPassword ?? optionalString(params, 'TemporaryPassword') ?? temporaryPassword(pool.passwordPolicy.MinimumLength);
  assertPasswordConforms(password, pool.passwordPolicy);
  optionalEnum(params, 'MessageAction', ['RESEND', 'SUPPRESS'] as const);
  const now = ctx.clock.now();
  const user: UserRecord = {
    username,
    sub,
    attributes,
    status: extras.status ?? (extras.permanentPassword ? 'CONFIRMED' : 'FORCE_CHANGE_PASSWORD'),
    enabled: true,
    createdAt: now,
    updatedAt: now,
    passwordSetAt: now,
    password: createPasswordVerifier(poolNameOf(pool.id), username, password),
    groups: new Set(),
    mfa: { totpVerified: false, totpEnabled: false, smsEnabled: false, usedTotpCodes: [] },
  };
  pool.users.set(userKey(pool, username), user);
  return user;
}

const MEDIUMS = ['SMS', 'EMAIL'] as const;

/** Sends the invitation (username and temporary password) to the user's contacts for `mediums`, through CustomMessage. */
async function sendInvitation(
  ctx: EmulatorContext,
  pool: PoolRecord,
  user: UserRecord,
  invitation: { shownUsername: string; password: string; mediums: OutboxChannel[] | undefined; clientMetadata?: Record<string, string> },
): Promise<void> {
  for (const to of invitationContacts(user, invitation.mediums)) {
    await deliverMessage(ctx, pool, user, {
      channel: to.channel,
      destination: to.destination,
      purpose: 'ADMIN_CREATE_USER',
      code: invitation.password,
      shownUsername: invitation.shownUsername,
    }, { ...(invitation.clientMetadata !== undefined ? { clientMetadata: invitation.clientMetadata } : {}) });
  }
}

/**
 * AdminCreateUser: a temporary password is generated (to the pool's policy) when none is given, and
 * the invitation goes to the outbox unless `MessageAction: 'SUPPRESS'`; `'RESEND'` sends a new one
 * (with a new temporary password) to an existing FORCE_CHANGE_PASSWORD user.
 */
async function adminCreateUser(ctx: EmulatorContext, params: Params): Promise<object> {
  const pool = ctx.store.pool(requireString(params, 'UserPoolId'));
  const action = optionalEnum(params, 'MessageAction', ['RESEND', 'SUPPRESS'] as const);
  const mediums = optionalStringList(params, 'DesiredDeliveryMediums');
  for (const medium of mediums ?? []) if (!(MEDIUMS as readonly string[]).includes(medium)) throw notInEnum('DesiredDeliveryMediums', medium, MEDIUMS);
  const password = optionalString(params, 'TemporaryPassword') ?? temporaryPassword(pool.passwordPolicy.MinimumLength);
  const given = requireString(params, 'Username');
  const clientMetadata = clientMetadataOf(params.ClientMetadata);
  let user: UserRecord;
  if (action === 'RESEND') {
    user = requireUser(pool, given);
    if (user.status !== 'FORCE_CHANGE_PASSWORD') {
      throw new WireError('UnsupportedUserStateException', `Resend not possible. ${user.username} status is not FORCE_CHANGE_PASSWORD.`);
    }
    setPassword(ctx, pool, user, password, false);
  } else {
    // PreSignUp_AdminCreateUser can refuse the user; its auto-confirm flags do not apply here (as Cognito).
    const validationData = nameValueMap(params.ValidationData);
    await runPreSignUp(ctx, pool, {
      source: 'PreSignUp_AdminCreateUser', userName: given, clientId: NO_CLIENT_ID,
      userAttributes: nameValueMap(params.UserAttributes) ?? {},
      ...(validationData !== undefined ? { validationData } : {}), ...(clientMetadata !== undefined ? { clientMetadata } : {}),
    });
    user = createUser(ctx, pool, { ...params, TemporaryPassword: password });
  }
  if (action !== 'SUPPRESS') {
    await sendInvitation(ctx, pool, user, {
      shownUsername: given,
      password,
      mediums: mediums as OutboxChannel[] | undefined,
      ...(clientMetadata !== undefined ? { clientMetadata } : {}),
    });
  }
  return { User: describeUser(user) };
}

function poolAndUser(ctx: EmulatorContext, params: Params): { pool: PoolRecord; user: UserRecord } {
  const pool = ctx.store.pool(requireString(params, 'UserPoolId'));
  return { pool, user: requireUser(pool, requireString(params, 'Username')) };
}

function adminGetUser(ctx: EmulatorContext, params: Params): object {
  const { user } = poolAndUser(ctx, params);
  return {
    Username: user.username,
    UserAttributes: attributeList(user),
    UserCreateDate: epochSeconds(user.createdAt),
    UserLastModifiedDate: epochSeconds(user.updatedAt),
    Enabled: user.enabled,
    UserStatus: user.status,
    ...mfaSummary(user),
  };
}

/** Sets a user's password (policy enforced); permanent → CONFIRMED, else FORCE_CHANGE_PASSWORD. */
export function setPassword(ctx: EmulatorContext, pool: PoolRecord, user: UserRecord, password: string, permanent: boolean): void {
  assertPasswordConforms(password, pool.passwordPolicy);
  const now = ctx.clock.now();
  user.password = createPasswordVerifier(poolNameOf(pool.id), user.username, password);
  user.passwordSetAt = now;
  user.status = permanent ? 'CONFIRMED' : 'FORCE_CHANGE_PASSWORD';
  user.updatedAt = now;
}

function adminSetUserPassword(ctx: EmulatorContext, params: Params): object {
  const { pool, user } = poolAndUser(ctx, params);
  setPassword(ctx, pool, user, requireString(params, 'Password'), optionalBoolean(params, 'Permanent') ?? false);
  return {};
}

/**
 * Adds a user to an existing group.
 *
 * @throws WireError ResourceNotFoundException "Group not found.".
 */
export function addToGroup(ctx: EmulatorContext, pool: PoolRecord, user: UserRecord, groupName: string): void {
  if (!pool.groups.has(groupName)) throw resourceNotFound('Group not found.');
  user.groups.add(groupName);
  user.updatedAt = ctx.clock.now();
}

function adminAddUserToGroup(ctx: EmulatorContext, params: Params): object {
  const { pool, user } = poolAndUser(ctx, params);
  addToGroup(ctx, pool, user, requireString(params, 'GroupName'));
  return {};
}

function adminRemoveUserFromGroup(ctx: EmulatorContext, params: Params): object {
  const { pool, user } = poolAndUser(ctx, params);
  const group = requireString(params, 'GroupName');
  if (!pool.groups.has(group)) throw resourceNotFound('Group not found.');
  user.groups.delete(group);
  return {};
}

function adminListGroupsForUser(ctx: EmulatorContext, params: Params): object {
  const { pool, user } = poolAndUser(ctx, params);
  return {
    Groups: [...user.groups].map((name) => {
      const group = pool.groups.get(name);
      return {
        GroupName: name,
        UserPoolId: pool.id,
        ...(group?.description !== undefined ? { Description: group.description } : {}),
        ...(group?.precedence !== undefined ? { Precedence: group.precedence } : {}),
      };
    }),
  };
}

function setEnabled(enabled: boolean) {
  return (ctx: EmulatorContext, params: Params): object => {
    const { user } = poolAndUser(ctx, params);
    user.enabled = enabled;
    user.updatedAt = ctx.clock.now();
    return {};
  };
}

function adminDeleteUser(ctx: EmulatorContext, params: Params): object {
  const { pool, user } = poolAndUser(ctx, params);
  pool.users.delete(userKey(pool, user.username));
  return {};
}

function adminUpdateUserAttributes(ctx: EmulatorContext, params: Params): object {
  const { pool, user } = poolAndUser(ctx, params);
  const updates = parseAttributeList(params.UserAttributes);
  validateAttributes(updates);
  const merged = new Map([...user.attributes, ...updates]);
  assertUniqueSignInNames(pool, user, merged);
  user.attributes = merged;
  user.updatedAt = ctx.clock.now();
  return {};
}

/** Admin user operations by name; all need AWS credentials. */
export const adminUserOperations: Record<string, OperationSpec> = {
  AdminCreateUser: { handler: adminCreateUser, signed: true },
  AdminGetUser: { handler: adminGetUser, signed: true },
  AdminSetUserPassword: { handler: adminSetUserPassword, signed: true },
  AdminAddUserToGroup: { handler: adminAddUserToGroup, signed: true },
  AdminRemoveUserFromGroup: { handler: adminRemoveUserFromGroup, signed: true },
  AdminListGroupsForUser: { handler: adminListGroupsForUser, signed: true },
  AdminDisableUser: { handler: setEnabled(false), signed: true },
  AdminEnableUser: { handler: setEnabled(true), signed: true },
  AdminDeleteUser: { handler: adminDeleteUser, signed: true },
  AdminUpdateUserAttributes: { handler: adminUpdateUserAttributes, signed: true },
};
