/**
 * The admin calls of account management (AWS credentials: the SDK client's), as stateless functions
 * of `{ config, service }`: create, get, reset, confirm, delete, disable, enable, attributes, groups
 * and ListUsers (every page). Arguments are checked before any call, as in `./account`.
 */
import {
  checkBoolean, checkPassword, checkUsername, fromAttributeList, metadata, on, stringList, toAttributeList, type AccountContext,
  type UserProfile,
} from './account';

/** A user as the admin calls and ListUsers describe one. */
export interface CognitoUserRecord extends UserProfile {
  /** `UNCONFIRMED`, `CONFIRMED`, `FORCE_CHANGE_PASSWORD`, `RESET_REQUIRED`, `EXTERNAL_PROVIDER`… */
  status: string | undefined;
  enabled: boolean;
  createdAt: Date | undefined;
  updatedAt: Date | undefined;
}

/** Options of {@link adminCreateUser}. */
export interface AdminCreateUserOptions {
  /** Without it Cognito generates one (and sends it, unless `messageAction: 'SUPPRESS'`). */
  temporaryPassword?: string;
  attributes?: Record<string, string>;
  /** `SUPPRESS`: send no invitation; `RESEND`: send it again to an existing user. */
  messageAction?: 'SUPPRESS' | 'RESEND';
  deliveryMediums?: Array<'EMAIL' | 'SMS'>;
  forceAliasCreation?: boolean;
  clientMetadata?: Record<string, string>;
}

/**
 * AdminCreateUser.
 *
 * @throws UsernameExistsError, InvalidPasswordError, InvalidParameterError, AliasExistsError.
 * @example
 * const user = await adminCreateUser(ctx, 'bob', { attributes: { email: 'bob@example.com' } });
 */
export async function adminCreateUser(
  ctx: AccountContext, username: unknown, options: AdminCreateUserOptions = {},
): Promise<CognitoUserRecord> {
  const mediums = options.deliveryMediums;
  if (mediums !== undefined && !(Array.isArray(mediums) && mediums.every((m) => m === 'EMAIL' || m === 'SMS'))) {
    throw new TypeError('"deliveryMediums" must be an array of "EMAIL" and "SMS"');
  }
  if (options.messageAction !== undefined && options.messageAction !== 'SUPPRESS' && options.messageAction !== 'RESEND') {
    throw new TypeError('"messageAction" must be "SUPPRESS" or "RESEND"');
  }
  const out = await on<{ User?: Record<string, unknown> }>(ctx)('AdminCreateUser', {
    UserPoolId: ctx.config.userPoolId, Username: checkUsername(username),
    ...(options.temporaryPassword === undefined ? {} : { TemporaryPassword: checkPassword(options.temporaryPassword, 'temporaryPassword') }),
    ...(options.attributes === undefined ? {} : { UserAttributes: toAttributeList(options.attributes, 'attributes') }),
    ...(options.messageAction === undefined ? {} : { MessageAction: options.messageAction }),
    ...(mediums === undefined ? {} : { DesiredDeliveryMediums: mediums }),
    ...(options.forceAliasCreation === undefined ? {} : { ForceAliasCreation: checkBoolean(options.forceAliasCreation, 'forceAliasCreation') }),
    ...metadata(options.clientMetadata, 'clientMetadata', 'ClientMetadata'),
  });
  return userRecord(out.User ?? {}, 'Attributes');
}

/**
 * AdminGetUser.
 *
 * @throws UserNotFoundError.
 * @example
 * const { status, attributes } = await adminGetUser(ctx, 'bob');
 */
export async function adminGetUser(ctx: AccountContext, username: unknown): Promise<CognitoUserRecord> {
  const out = await on<Record<string, unknown>>(ctx)('AdminGetUser', { UserPoolId: ctx.config.userPoolId, Username: checkUsername(username) });
  return userRecord(out, 'UserAttributes');
}

/** The admin calls that take only the pool and a username. */
export type AdminUserAction =
  'AdminResetUserPassword' | 'AdminConfirmSignUp' | 'AdminDeleteUser' | 'AdminDisableUser' | 'AdminEnableUser' | 'AdminUserGlobalSignOut';

/**
 * One of the admin calls on a user that answer nothing: reset password, confirm, delete, disable,
 * enable, global sign-out.
 *
 * @throws UserNotFoundError, NotAuthorizedError, InvalidParameterError.
 * @example
 * await adminUserAction(ctx, 'AdminDisableUser', 'bob');
 */
export async function adminUserAction(ctx: AccountContext, action: AdminUserAction, username: unknown): Promise<void> {
  await on(ctx)(action, { UserPoolId: ctx.config.userPoolId, Username: checkUsername(username) });
}

/**
 * AdminUpdateUserAttributes (an empty value deletes the attribute).
 *
 * @example
 * await adminUpdateUserAttributes(ctx, 'bob', { email_verified: 'true' });
 */
export async function adminUpdateUserAttributes(ctx: AccountContext, username: unknown, attributes: unknown): Promise<void> {
  await on(ctx)('AdminUpdateUserAttributes', {
    UserPoolId: ctx.config.userPoolId, Username: checkUsername(username), UserAttributes: toAttributeList(attributes, 'attributes', true),
  });
}

/**
 * AdminAddUserToGroup / AdminRemoveUserFromGroup.
 *
 * @example
 * await adminGroupMembership(ctx, 'bob', 'admins', true);
 */
export async function adminGroupMembership(ctx: AccountContext, username: unknown, group: unknown, member: boolean): Promise<void> {
  if (typeof group !== 'string' || group === '' || group.length > 128) throw new TypeError('"group" must be a group name (1 to 128 characters)');
  await on(ctx)(member ? 'AdminAddUserToGroup' : 'AdminRemoveUserFromGroup', {
    UserPoolId: ctx.config.userPoolId, Username: checkUsername(username), GroupName: group,
  });
}

/**
 * AdminListGroupsForUser, every page: the names of the user's groups.
 *
 * @example
 * const groups = await adminListGroupsForUser(ctx, 'bob');   // ['admins']
 */
export async function adminListGroupsForUser(ctx: AccountContext, username: unknown): Promise<string[]> {
  const name = checkUsername(username);
  const groups: string[] = [];
  let next: string | undefined;
  do {
    const out = await on<{ Groups?: Array<{ GroupName?: unknown }>; NextToken?: string }>(ctx)('AdminListGroupsForUser', {
      UserPoolId: ctx.config.userPoolId, Username: name, Limit: 60, ...(next === undefined ? {} : { NextToken: next }),
    });
    for (const g of out.Groups ?? []) if (typeof g.GroupName === 'string') groups.push(g.GroupName);
    next = typeof out.NextToken === 'string' && out.NextToken !== '' ? out.NextToken : undefined;
  } while (next !== undefined);
  return groups;
}

/**
 * ListUsers, every page, with Cognito's filter syntax (`email = "ann@example.com"`, `username ^= "a"`).
 *
 * @throws InvalidParameterError for a filter Cognito refuses.
 * @example
 * const unconfirmed = await listUsers(ctx, 'cognito:user_status = "UNCONFIRMED"');
 */
export async function listUsers(ctx: AccountContext, filter?: unknown): Promise<CognitoUserRecord[]> {
  if (filter !== undefined && (typeof filter !== 'string' || filter.length > 256)) throw new TypeError('"filter" must be a string of at most 256 characters');
  const users: CognitoUserRecord[] = [];
  let next: string | undefined;
  do {
    const out = await on<{ Users?: Array<Record<string, unknown>>; PaginationToken?: string }>(ctx)('ListUsers', {
      UserPoolId: ctx.config.userPoolId, Limit: 60,
      ...(filter === undefined || filter === '' ? {} : { Filter: filter }), ...(next === undefined ? {} : { PaginationToken: next }),
    });
    for (const u of out.Users ?? []) users.push(userRecord(u, 'Attributes'));
    next = typeof out.PaginationToken === 'string' && out.PaginationToken !== '' ? out.PaginationToken : undefined;
  } while (next !== undefined);
  return users;
}

function date(value: unknown): Date | undefined {
  if (value instanceof Date) return value;
  if (typeof value === 'number') return new Date(value * 1000);
  return undefined;
}

function userRecord(u: Record<string, unknown>, attributesMember: 'Attributes' | 'UserAttributes'): CognitoUserRecord {
  return {
    username: typeof u.Username === 'string' ? u.Username : '',
    attributes: fromAttributeList(u[attributesMember]),
    status: typeof u.UserStatus === 'string' ? u.UserStatus : undefined,
    enabled: u.Enabled !== false,
    createdAt: date(u.UserCreateDate),
    updatedAt: date(u.UserLastModifiedDate),
    mfa: stringList(u.UserMFASettingList),
    preferredMfa: typeof u.PreferredMfaSetting === 'string' ? u.PreferredMfaSetting : undefined,
  };
}
