/**
 * Account self-service and administration as stateless functions of `{ config, service }`: sign-up,
 * confirmation, password recovery and change, profile and attribute verification, account
 * deletion, and the admin calls. `Cognito` (through `./cognito-account`) and the web layer's account
 * router call them with what they hold. Arguments are checked before any call (a `TypeError` naming
 * the argument); Cognito's refusals arrive as the typed errors of `./account-errors` and `./errors`
 * (every call is made in the `'account'` context of `mapServiceError`).
 *
 * SECRET_HASH (clients with a secret) is computed from the username as sent, which Cognito checks
 * it against; `Cognito` sends the internal username once it knows it (after a sign-in).
 */
import { MAX_USERNAME_LENGTH, secretHashParam } from './cognito-rules';
import type { ResolvedConfig } from './config';
import type { PasswordPolicy } from './password-policy';
import { command, type CommandInput, type CommandName } from './sdk';
import type { ServiceClient } from './service-client';

/** What the account functions need. */
export interface AccountContext {
  readonly config: ResolvedConfig;
  readonly service: ServiceClient;
}

/** Where Cognito sent a code (`CodeDeliveryDetails`); the destination is masked by Cognito. */
export interface CodeDelivery {
  /** e.g. `a***@e***` or `+*******1234`. */
  destination: string;
  deliveryMedium: 'EMAIL' | 'SMS';
  /** `email` or `phone_number`. */
  attributeName: string;
}

/** SignUp's answer. */
export interface SignUpResult {
  /** The new user's `sub`. */
  userSub: string;
  /** True when the account needs no confirmation (a PreSignUp trigger confirmed it). */
  userConfirmed: boolean;
  /** Where the confirmation code went; absent when none was sent. */
  codeDelivery?: CodeDelivery;
  /** A session for `USER_AUTH` sign-in right after confirmation, when Cognito gives one. */
  session?: string;
}

/** A user as the admin calls and ListUsers describe one. */
export interface CognitoUserRecord {
  username: string;
  attributes: Record<string, string>;
  /** `UNCONFIRMED`, `CONFIRMED`, `FORCE_CHANGE_PASSWORD`, `RESET_REQUIRED`, `EXTERNAL_PROVIDER`… */
  status: string | undefined;
  enabled: boolean;
  createdAt: Date | undefined;
  updatedAt: Date | undefined;
  /** MFA factors in use (`SOFTWARE_TOKEN_MFA`, `SMS_MFA`, …), when Cognito says. */
  mfa: string[];
  preferredMfa: string | undefined;
}

/** Options of {@link signUp}. */
export interface SignUpOptions {
  clientMetadata?: Record<string, string>;
  /** ValidationData for a PreSignUp trigger. */
  validationData?: Record<string, string>;
}

/** Options of {@link confirmSignUp}. */
export interface ConfirmSignUpOptions {
  /** Move the e-mail / phone alias from the confirmed account that holds it to this one. */
  forceAliasCreation?: boolean;
  clientMetadata?: Record<string, string>;
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

const MAX_PASSWORD_LENGTH = 256;
const MAX_CODE_LENGTH = 2048;
const MAX_ATTRIBUTE_NAME = 32;
const MAX_ATTRIBUTE_VALUE = 2048;
const MAX_METADATA_ENTRIES = 50;

/**
 * SignUp: a new UNCONFIRMED user (unless a trigger confirms it), a code to the pool's auto-verified
 * channel.
 *
 * @throws UsernameExistsError, InvalidPasswordError (with `requirement`), InvalidParameterError,
 *   LimitExceededError; TypeError for a bad argument.
 * @example
 * const { userSub, codeDelivery } = await signUp(ctx, 'ann', 'S3cure!pass', { email: 'ann@example.com' });
 */
export async function signUp(
  ctx: AccountContext, username: unknown, password: unknown, attributes: unknown = {}, options: SignUpOptions = {},
): Promise<SignUpResult> {
  const name = checkUsername(username);
  const out = await on<{ UserSub?: string; UserConfirmed?: boolean; CodeDeliveryDetails?: unknown; Session?: string }>(ctx)('SignUp', {
    ClientId: ctx.config.clientId, Username: name, ...secretHash(ctx, name),
    Password: checkPassword(password, 'password'),
    UserAttributes: toAttributeList(attributes, 'attributes'),
    ...metadata(options.clientMetadata, 'clientMetadata', 'ClientMetadata'),
    ...(options.validationData === undefined ? {} : { ValidationData: toAttributeList(options.validationData, 'validationData') }),
  });
  const delivery = codeDelivery(out.CodeDeliveryDetails);
  return {
    userSub: typeof out.UserSub === 'string' ? out.UserSub : '',
    userConfirmed: out.UserConfirmed === true,
    ...(delivery === undefined ? {} : { codeDelivery: delivery }),
    ...(typeof out.Session === 'string' ? { session: out.Session } : {}),
  };
}

/**
 * ConfirmSignUp with the code the user received.
 *
 * @returns the session Cognito hands back for `USER_AUTH` sign-in, when it does.
 * @throws CodeMismatchError, ExpiredCodeError, AliasExistsError, LimitExceededError,
 *   NotAuthorizedError (already confirmed), UserNotFoundError (LEGACY clients).
 * @example
 * await confirmSignUp(ctx, 'ann', '123456');
 */
export async function confirmSignUp(
  ctx: AccountContext, username: unknown, code: unknown, options: ConfirmSignUpOptions = {},
): Promise<string | undefined> {
  const name = checkUsername(username);
  const out = await on<{ Session?: string }>(ctx)('ConfirmSignUp', {
    ClientId: ctx.config.clientId, Username: name, ...secretHash(ctx, name), ConfirmationCode: checkCodeValue(code),
    ...(options.forceAliasCreation === undefined ? {} : { ForceAliasCreation: checkBoolean(options.forceAliasCreation, 'forceAliasCreation') }),
    ...metadata(options.clientMetadata, 'clientMetadata', 'ClientMetadata'),
  });
  return typeof out.Session === 'string' ? out.Session : undefined;
}

/**
 * ResendConfirmationCode.
 *
 * @throws LimitExceededError, UserNotFoundError (LEGACY clients), InvalidParameterError.
 * @example
 * const sentTo = await resendConfirmationCode(ctx, 'ann');
 */
export async function resendConfirmationCode(
  ctx: AccountContext, username: unknown, clientMetadata?: Record<string, string>,
): Promise<CodeDelivery | undefined> {
  const name = checkUsername(username);
  const out = await on<{ CodeDeliveryDetails?: unknown }>(ctx)('ResendConfirmationCode', {
    ClientId: ctx.config.clientId, Username: name, ...secretHash(ctx, name), ...metadata(clientMetadata, 'clientMetadata', 'ClientMetadata'),
  });
  return codeDelivery(out.CodeDeliveryDetails);
}

/**
 * ForgotPassword: a reset code to the user's verified e-mail or phone.
 *
 * @throws LimitExceededError, InvalidParameterError (no verified contact), NotAuthorizedError,
 *   UserNotFoundError (LEGACY clients).
 * @example
 * const sentTo = await forgotPassword(ctx, 'ann');
 */
export async function forgotPassword(
  ctx: AccountContext, username: unknown, clientMetadata?: Record<string, string>,
): Promise<CodeDelivery | undefined> {
  const name = checkUsername(username);
  const out = await on<{ CodeDeliveryDetails?: unknown }>(ctx)('ForgotPassword', {
    ClientId: ctx.config.clientId, Username: name, ...secretHash(ctx, name), ...metadata(clientMetadata, 'clientMetadata', 'ClientMetadata'),
  });
  return codeDelivery(out.CodeDeliveryDetails);
}

/**
 * ConfirmForgotPassword: the code and the new password.
 *
 * @throws CodeMismatchError, ExpiredCodeError, InvalidPasswordError, LimitExceededError, UserNotConfirmedError.
 * @example
 * await confirmForgotPassword(ctx, 'ann', '123456', 'N3w!password');
 */
export async function confirmForgotPassword(
  ctx: AccountContext, username: unknown, code: unknown, newPassword: unknown, clientMetadata?: Record<string, string>,
): Promise<void> {
  const name = checkUsername(username);
  await on(ctx)('ConfirmForgotPassword', {
    ClientId: ctx.config.clientId, Username: name, ...secretHash(ctx, name), ConfirmationCode: checkCodeValue(code),
    Password: checkPassword(newPassword, 'newPassword'), ...metadata(clientMetadata, 'clientMetadata', 'ClientMetadata'),
  });
}

/**
 * ChangePassword of the signed-in user.
 *
 * @throws NotAuthorizedError (wrong previous password), InvalidPasswordError, LimitExceededError.
 * @example
 * await changePassword(ctx, accessToken, 'old!Passw0rd', 'new!Passw0rd');
 */
export async function changePassword(ctx: AccountContext, accessToken: string, previous: unknown, proposed: unknown): Promise<void> {
  await on(ctx)('ChangePassword', {
    AccessToken: accessToken, PreviousPassword: checkPassword(previous, 'previousPassword'), ProposedPassword: checkPassword(proposed, 'proposedPassword'),
  });
}

/**
 * GetUser: the signed-in user's username, every attribute (as an object) and MFA settings.
 *
 * @example
 * const { attributes } = await getUser(ctx, accessToken);   // { sub, email, email_verified, … }
 */
export async function getUser(
  ctx: AccountContext, accessToken: string,
): Promise<Omit<CognitoUserRecord, 'status' | 'enabled' | 'createdAt' | 'updatedAt'>> {
  const out = await on<Record<string, unknown>>(ctx)('GetUser', { AccessToken: accessToken });
  return {
    username: typeof out.Username === 'string' ? out.Username : '',
    attributes: fromAttributeList(out.UserAttributes),
    mfa: stringList(out.UserMFASettingList),
    preferredMfa: typeof out.PreferredMfaSetting === 'string' ? out.PreferredMfaSetting : undefined,
  };
}

/**
 * UpdateUserAttributes: an empty value deletes the attribute; a changed e-mail or phone number is
 * sent a code (and, with `AttributesRequireVerificationBeforeUpdate`, kept unchanged until verified).
 *
 * @returns where the verification codes went.
 * @throws AliasExistsError, InvalidParameterError, LimitExceededError.
 * @example
 * const sent = await updateUserAttributes(ctx, accessToken, { given_name: 'Ann', email: 'new@example.com' });
 */
export async function updateUserAttributes(
  ctx: AccountContext, accessToken: string, attributes: unknown, clientMetadata?: Record<string, string>,
): Promise<CodeDelivery[]> {
  const out = await on<{ CodeDeliveryDetailsList?: unknown }>(ctx)('UpdateUserAttributes', {
    AccessToken: accessToken, UserAttributes: toAttributeList(attributes, 'attributes', true),
    ...metadata(clientMetadata, 'clientMetadata', 'ClientMetadata'),
  });
  const list = Array.isArray(out.CodeDeliveryDetailsList) ? (out.CodeDeliveryDetailsList as unknown[]) : [];
  return list.map(codeDelivery).filter((d): d is CodeDelivery => d !== undefined);
}

/**
 * GetUserAttributeVerificationCode: a code to verify `email` or `phone_number`.
 *
 * @throws LimitExceededError, InvalidParameterError.
 * @example
 * await sendAttributeVerification(ctx, accessToken, 'email');
 */
export async function sendAttributeVerification(
  ctx: AccountContext, accessToken: string, attribute: unknown,
): Promise<CodeDelivery | undefined> {
  const out = await on<{ CodeDeliveryDetails?: unknown }>(ctx)('GetUserAttributeVerificationCode', {
    AccessToken: accessToken, AttributeName: checkAttributeName(attribute, 'attribute'),
  });
  return codeDelivery(out.CodeDeliveryDetails);
}

/**
 * VerifyUserAttribute with the code sent.
 *
 * @throws CodeMismatchError, ExpiredCodeError, AliasExistsError, LimitExceededError.
 * @example
 * await verifyAttribute(ctx, accessToken, 'email', '123456');
 */
export async function verifyAttribute(ctx: AccountContext, accessToken: string, attribute: unknown, code: unknown): Promise<void> {
  await on(ctx)('VerifyUserAttribute', {
    AccessToken: accessToken, AttributeName: checkAttributeName(attribute, 'attribute'), Code: checkCodeValue(code),
  });
}

/**
 * DeleteUser: the signed-in user deletes their own account (its refresh tokens go with it).
 *
 * @example
 * await deleteUser(ctx, accessToken);
 */
export async function deleteUser(ctx: AccountContext, accessToken: string): Promise<void> {
  await on(ctx)('DeleteUser', { AccessToken: accessToken });
}

/**
 * DescribeUserPool's password policy (needs AWS credentials allowed `cognito-idp:DescribeUserPool`).
 *
 * @example
 * const { minimumLength } = await describePasswordPolicy(ctx);
 */
export async function describePasswordPolicy(ctx: AccountContext): Promise<PasswordPolicy> {
  const out = await on<{ UserPool?: { Policies?: { PasswordPolicy?: Record<string, unknown> } } }>(ctx)('DescribeUserPool', {
    UserPoolId: ctx.config.userPoolId,
  });
  const p = out.UserPool?.Policies?.PasswordPolicy ?? {};
  const num = (v: unknown, fallback: number): number => (typeof v === 'number' && Number.isFinite(v) ? v : fallback);
  return {
    minimumLength: num(p.MinimumLength, 8),
    requireLowercase: p.RequireLowercase === true,
    requireUppercase: p.RequireUppercase === true,
    requireNumbers: p.RequireNumbers === true,
    requireSymbols: p.RequireSymbols === true,
    passwordHistorySize: num(p.PasswordHistorySize, 0),
    temporaryPasswordValidityDays: num(p.TemporaryPasswordValidityDays, 7),
  };
}

// ---------------------------------------------------------------------------------------------
// Admin calls (AWS credentials: the SDK client's)

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

// ---------------------------------------------------------------------------------------------

/** The sender of one account call: `on<Output>(ctx)('SignUp', input)`, the input typed by the command's name. */
function on<O = unknown>(ctx: AccountContext): <N extends CommandName>(operation: N, input: CommandInput<N>) => Promise<O> {
  return (operation, input) => ctx.service.send<O>(command(operation, input), 'account');
}

function secretHash(ctx: AccountContext, username: string): { SecretHash?: string } {
  const p = secretHashParam(ctx.config, username);
  return p.SECRET_HASH === undefined ? {} : { SecretHash: p.SECRET_HASH };
}

/**
 * A username as the caller gave it: a non-empty string of at most Cognito's 128 characters.
 *
 * @example
 * checkUsername(' ann ');   // TypeError: surrounding spaces
 */
export function checkUsername(value: unknown): string {
  if (typeof value !== 'string' || value === '') throw new TypeError('"username" must be a non-empty string');
  if (value.length > MAX_USERNAME_LENGTH) throw new TypeError(`"username" must be at most ${MAX_USERNAME_LENGTH} characters`);
  if (value.trim() !== value) throw new TypeError('"username" must not begin or end with spaces');
  return value;
}

function checkPassword(value: unknown, name: string): string {
  if (typeof value !== 'string' || value === '') throw new TypeError(`"${name}" must be a non-empty string`);
  if (value.length > MAX_PASSWORD_LENGTH) throw new TypeError(`"${name}" must be at most ${MAX_PASSWORD_LENGTH} characters`);
  return value;
}

function checkCodeValue(value: unknown): string {
  const code = typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? String(value).padStart(6, '0') : value;
  if (typeof code !== 'string' || !/^\S+$/.test(code) || code.length > MAX_CODE_LENGTH) throw new TypeError('"code" must be a code (no spaces)');
  return code;
}

function checkBoolean(value: unknown, name: string): boolean {
  if (typeof value !== 'boolean') throw new TypeError(`"${name}" must be a boolean`);
  return value;
}

function checkAttributeName(value: unknown, name: string): string {
  if (typeof value !== 'string' || !/^[\w:.-]+$/.test(value) || value.length > MAX_ATTRIBUTE_NAME) {
    throw new TypeError(`"${name}" must be an attribute name (e.g. "email")`);
  }
  return value;
}

/**
 * `{ email: 'a@b' }` → `[{ Name: 'email', Value: 'a@b' }]`, each name and value checked; `allowEmpty`
 * lets a value be `''` (which deletes the attribute in an update).
 *
 * @example
 * toAttributeList({ email: 'ann@example.com' }, 'attributes');
 */
export function toAttributeList(value: unknown, name: string, allowEmpty = false): Array<{ Name: string; Value: string }> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new TypeError(`"${name}" must be an object of attribute values`);
  const list: Array<{ Name: string; Value: string }> = [];
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    checkAttributeName(key, `${name}.${key.slice(0, 40)}`);
    if (typeof v !== 'string' || (!allowEmpty && v === '') || v.length > MAX_ATTRIBUTE_VALUE) {
      throw new TypeError(`"${name}.${key}" must be a ${allowEmpty ? '' : 'non-empty '}string of at most ${MAX_ATTRIBUTE_VALUE} characters`);
    }
    list.push({ Name: key, Value: v });
  }
  return list;
}

/**
 * `[{ Name, Value }]` → `{ [Name]: Value }` (anything malformed skipped).
 *
 * @example
 * fromAttributeList([{ Name: 'email', Value: 'ann@example.com' }]);   // { email: 'ann@example.com' }
 */
export function fromAttributeList(list: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!Array.isArray(list)) return out;
  for (const item of list as Array<{ Name?: unknown; Value?: unknown }>) {
    if (typeof item === 'object' && item !== null && typeof item.Name === 'string' && typeof item.Value === 'string') out[item.Name] = item.Value;
  }
  return out;
}

function metadata(value: Record<string, string> | undefined, name: string, member: string): Record<string, Record<string, string>> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new TypeError(`"${name}" must be an object of strings`);
  const entries = Object.entries(value);
  if (entries.length > MAX_METADATA_ENTRIES || !entries.every(([, v]) => typeof v === 'string')) {
    throw new TypeError(`"${name}" must be an object of at most ${MAX_METADATA_ENTRIES} strings`);
  }
  return { [member]: value };
}

function codeDelivery(value: unknown): CodeDelivery | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const d = value as { Destination?: unknown; DeliveryMedium?: unknown; AttributeName?: unknown };
  if (d.DeliveryMedium !== 'EMAIL' && d.DeliveryMedium !== 'SMS') return undefined;
  return {
    destination: typeof d.Destination === 'string' ? d.Destination : '',
    deliveryMedium: d.DeliveryMedium,
    attributeName: typeof d.AttributeName === 'string' ? d.AttributeName : d.DeliveryMedium === 'EMAIL' ? 'email' : 'phone_number',
  };
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? (value as unknown[]).filter((v): v is string => typeof v === 'string') : [];
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
