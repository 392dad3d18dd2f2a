/**
 * Account self-service as stateless functions of `{ config, service }`: sign-up, confirmation,
 * password recovery and change, profile and attribute verification, account deletion (the admin
 * calls are in `./account-admin`). `Cognito` (through `./cognito-account`) and the web layer's account
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
import { isMissingCredentials, missingCredentialsError } from './service-errors';

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

/** A user's username, attributes (as an object) and MFA settings: GetUser's answer. */
export interface UserProfile {
  username: string;
  attributes: Record<string, string>;
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

const MAX_PASSWORD_LENGTH = 256;
const MAX_CODE_LENGTH = 2048;
const MAX_ATTRIBUTE_NAME = 32;
const MAX_ATTRIBUTE_VALUE = 2048;
const MAX_METADATA_ENTRIES = 50;

/**
 * SignUp: a new UNCONFIRMED user (unless a trigger confirms it), a code to the pool's auto-verified
 * channel. `password` `undefined` signs up a passwordless user (a pool that allows a passwordless
 * first factor).
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
    // No password: a passwordless account (the pool must allow EMAIL_OTP, SMS_OTP or WEB_AUTHN first factors).
    ...(password === undefined ? {} : { Password: checkPassword(password, 'password') }),
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
export async function getUser(ctx: AccountContext, accessToken: string): Promise<UserProfile> {
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
 * @throws CognitoServiceError (`ERR_COGNITO_SERVICE`, `awsErrorName` `'CredentialsProviderError'`)
 *   saying so when the SDK has no AWS credentials.
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

/**
 * The sender of one account call, the input typed by the command's name.
 *
 * @example
 * const out = await on<{ UserSub?: string }>(ctx)('SignUp', input);
 */
export function on<O = unknown>(ctx: AccountContext): <N extends CommandName>(operation: N, input: CommandInput<N>) => Promise<O> {
  return async (operation, input) => {
    try {
      return await ctx.service.send<O>(command(operation, input), 'account');
    } catch (e) {
      // The mapper does not know the operation; the message should name what the credentials must allow.
      throw isMissingCredentials(e) ? missingCredentialsError(operation, e.cause) : e;
    }
  };
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

/**
 * A password argument: a non-empty string of at most 256 characters, never altered.
 *
 * @example
 * checkPassword(newPassword, 'newPassword');
 */
export function checkPassword(value: unknown, name: string): string {
  if (typeof value !== 'string' || value === '') throw new TypeError(`"${name}" must be a non-empty string`);
  if (value.length > MAX_PASSWORD_LENGTH) throw new TypeError(`"${name}" must be at most ${MAX_PASSWORD_LENGTH} characters`);
  return value;
}

function checkCodeValue(value: unknown): string {
  const code = typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? String(value).padStart(6, '0') : value;
  if (typeof code !== 'string' || !/^\S+$/.test(code) || code.length > MAX_CODE_LENGTH) throw new TypeError('"code" must be a code (no spaces)');
  return code;
}

/**
 * A boolean argument.
 *
 * @example
 * checkBoolean(options.forceAliasCreation, 'forceAliasCreation');
 */
export function checkBoolean(value: unknown, name: string): boolean {
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

/**
 * `{ [member]: value }` for a ClientMetadata-like map of strings, `{}` without one.
 *
 * @example
 * metadata({ source: 'web' }, 'clientMetadata', 'ClientMetadata');
 */
export function metadata(value: Record<string, string> | undefined, name: string, member: string): Record<string, Record<string, string>> {
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

/**
 * The strings of a list (anything else dropped).
 *
 * @example
 * stringList(['SMS_MFA', 7]);   // ['SMS_MFA']
 */
export function stringList(value: unknown): string[] {
  return Array.isArray(value) ? (value as unknown[]).filter((v): v is string => typeof v === 'string') : [];
}
