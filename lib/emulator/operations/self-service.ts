/**
 * Account self-service: SignUp, ConfirmSignUp, ResendConfirmationCode, ForgotPassword,
 * ConfirmForgotPassword and DeleteUser (client API), AdminConfirmSignUp and AdminResetUserPassword
 * (signed). Codes come from `verification-codes.ts`, messages go to the outbox, and unknown users are
 * answered as the client's `PreventUserExistenceErrors` says.
 */
import type { EmulatorContext, OperationSpec } from '../context';
import { decoyAnswersWithError, recoveryContact, signUpContact, simulatedContact, type Contact } from '../delivery';
import { WireError, invalidParameter, notAuthorized } from '../errors';
import { deliverMessage } from '../custom-message';
import { codeDeliveryDetails, type CodeDeliveryDetails, type OutboxPurpose } from '../outbox';
import { assertUserPasswordConforms } from '../password-policy';
import { poolDevices } from '../device-store';
import { newSessionId, temporaryPassword } from '../ids';
import { optionalBoolean, optionalString, requireString, type Params } from '../protocol';
import type { ClientRecord, PoolRecord, SignUpSessionRecord, UserRecord } from '../store';
import { authenticateUserAccess, revokeAllSignIns } from '../tokens';
import { findUser, parseAttributeList, requireUser, userKey, validateAttributes } from '../user-directory';
import { NO_CLIENT_ID, clientMetadataOf, nameValueMap, runPostConfirmation, runPreSignUp } from '../user-triggers';
import {
  checkCode,
  codeMismatch,
  consumeCode,
  countCodeRequest,
  dropCode,
  forgetCodes,
  issueCode,
} from '../verification-codes';
import { createUser, setPassword } from './admin-users';
import { checkSecretHash } from './auth-flows';
import { allowsPasswordless } from './sign-in-policy';
import { migrateUser } from './user-migration';

/** Cognito's text when a user has no verified contact to send a reset code to. */
export const NO_RECOVERY_CONTACT = 'Cannot reset password for the user as there is no registered/verified email or phone_number';

const EMAIL = /^[^\s@]+@[^\s@]+$/;

/** UserNotFoundException as the client API words it (LEGACY clients). */
export function userNotFoundForClient(): WireError {
  return new WireError('UserNotFoundException', 'Username/client id combination not found.');
}

/** The app client (and its pool) a client-API request names. */
export function clientOf(ctx: EmulatorContext, params: Params): { pool: PoolRecord; client: ClientRecord } {
  return ctx.store.client(requireString(params, 'ClientId'));
}

/**
 * Refuses attributes the client may not write, when its `WriteAttributes` is set.
 *
 * @throws WireError NotAuthorizedException "A client attempted to write unauthorized attribute".
 */
export function assertClientMayWrite(client: ClientRecord, names: Iterable<string>): void {
  const allowed = client.extra.WriteAttributes;
  if (!Array.isArray(allowed) || allowed.length === 0) return;
  for (const name of names) {
    if (!allowed.includes(name)) throw notAuthorized('A client attempted to write unauthorized attribute');
  }
}

/** Another user holding `value` of `attribute` as a verified sign-in alias. */
export function aliasHolder(pool: PoolRecord, attribute: string, value: string, except: UserRecord): UserRecord | undefined {
  const same = (v: string | undefined): boolean => v !== undefined && (attribute === 'email' ? v.toLowerCase() === value.toLowerCase() : v === value);
  for (const other of pool.users.values()) {
    if (other === except || !same(other.attributes.get(attribute))) continue;
    if (attribute === 'preferred_username' || other.attributes.get(`${attribute}_verified`) === 'true') return other;
  }
  return undefined;
}

/** Sends a code to a contact of the user (through the CustomMessage trigger) and returns the CodeDeliveryDetails. */
function sendCode(
  ctx: EmulatorContext,
  pool: PoolRecord,
  user: UserRecord,
  to: Contact,
  purpose: OutboxPurpose,
  code: string,
  params: Params,
): Promise<CodeDeliveryDetails> {
  const clientMetadata = clientMetadataOf(params.ClientMetadata);
  return deliverMessage(ctx, pool, user, { channel: to.channel, destination: to.destination, purpose, code }, {
    clientId: typeof params.ClientId === 'string' ? params.ClientId : NO_CLIENT_ID,
    ...(clientMetadata !== undefined ? { clientMetadata } : {}),
  });
}

// ClientId and ClientMetadata of a call, for PostConfirmation.
function confirmationCall(params: Params): { clientId: string; clientMetadata?: Record<string, string> } {
  const clientMetadata = clientMetadataOf(params.ClientMetadata);
  return {
    clientId: typeof params.ClientId === 'string' ? params.ClientId : NO_CLIENT_ID,
    ...(clientMetadata !== undefined ? { clientMetadata } : {}),
  };
}

/**
 * The answer for an unknown (or disabled) user under `PreventUserExistenceErrors: ENABLED`: a
 * simulated delivery, or — for some names, stable per name — the error a real account without a
 * deliverable contact gets.
 */
function decoyDelivery(pool: PoolRecord, username: string, operation: string, errorMessage: string): object {
  if (decoyAnswersWithError(pool, username, operation)) throw invalidParameter(errorMessage);
  const to = simulatedContact(pool, username);
  return { CodeDeliveryDetails: codeDeliveryDetails(to.channel, to.destination) };
}

/**
 * The user a call names; `undefined` for an unknown or disabled user when the client prevents
 * user-existence errors (the caller then answers as for a ghost).
 *
 * @throws WireError UserNotFoundException (LEGACY), NotAuthorizedException "User is disabled.".
 */
function targetUser(pool: PoolRecord, client: ClientRecord, username: string): UserRecord | undefined {
  const user = findUser(pool, username);
  if (user && user.enabled) return user;
  if (client.preventUserExistenceErrors === 'ENABLED') return undefined;
  if (!user) throw userNotFoundForClient();
  throw notAuthorized('User is disabled.');
}

// How long SignUp's Session waits for ConfirmSignUp: as long as the confirmation code.
const SIGN_UP_SESSION_MS = 24 * 3600 * 1000;

/**
 * A Session that carries a sign-up to the USER_AUTH sign-in (SignUp → ConfirmSignUp → InitiateAuth),
 * for clients that allow USER_AUTH; `undefined` for others.
 */
function signUpSession(
  ctx: EmulatorContext, client: ClientRecord, user: UserRecord, stage: SignUpSessionRecord['stage'],
): string | undefined {
  if (!client.allowedFlows.has('ALLOW_USER_AUTH')) return undefined;
  const now = ctx.clock.now();
  const record: SignUpSessionRecord = {
    id: newSessionId(), poolId: client.poolId, clientId: client.clientId, username: user.username, stage,
    expiresAt: now + (stage === 'SIGN_UP' ? SIGN_UP_SESSION_MS : client.authSessionValidityMinutes * 60 * 1000),
  };
  ctx.store.signUpSessions.set(record.id, record);
  ctx.store.noteWrite(now);
  return record.id;
}

/**
 * ConfirmSignUp's optional Session: SignUp's, for this user and client, unexpired; used once.
 *
 * @throws WireError NotAuthorizedException "Invalid session for the user.".
 */
function consumeSignUpSession(ctx: EmulatorContext, client: ClientRecord, user: UserRecord, id: string): void {
  const record = ctx.store.signUpSessions.get(id);
  const valid = record !== undefined && record.stage === 'SIGN_UP' && record.clientId === client.clientId && record.username === user.username
    && ctx.clock.now() < record.expiresAt;
  if (!valid) throw notAuthorized('Invalid session for the user.');
  ctx.store.signUpSessions.delete(id);
}

async function signUp(ctx: EmulatorContext, params: Params): Promise<object> {
  const { pool, client } = clientOf(ctx, params);
  const username = requireString(params, 'Username');
  checkSecretHash(client, optionalString(params, 'SecretHash'), username);
  const config = pool.extra.AdminCreateUserConfig as { AllowAdminCreateUserOnly?: unknown } | undefined;
  if (config?.AllowAdminCreateUserOnly === true) throw notAuthorized('SignUp is not permitted for this user pool');
  // Without a password only when the pool offers a passwordless first factor (EMAIL_OTP, SMS_OTP, WEB_AUTHN).
  const givenPassword = optionalString(params, 'Password');
  const password = (givenPassword === undefined || givenPassword === '') && allowsPasswordless(pool) ? undefined : requireString(params, 'Password');
  const attributes = parseAttributeList(params.UserAttributes);
  assertClientMayWrite(client, attributes.keys());
  validateAttributes(attributes);
  if (password !== undefined) assertUserPasswordConforms(password, pool.passwordPolicy);
  if (pool.usernameAttributes.length > 0) {
    if (findUser(pool, username)) {
      const name = EMAIL.test(username) ? 'email' : 'phone_number';
      throw new WireError('UsernameExistsException', `An account with the given ${name} already exists.`);
    }
  } else if (pool.users.has(userKey(pool, username))) {
    throw new WireError('UsernameExistsException', 'User already exists');
  }
  const clientMetadata = clientMetadataOf(params.ClientMetadata);
  const validationData = nameValueMap(params.ValidationData);
  // PreSignUp sees the attributes as given (plus the username attribute); a refusal creates nobody.
  const given = Object.fromEntries(attributes);
  if (pool.usernameAttributes.length > 0) given[EMAIL.test(username) ? 'email' : 'phone_number'] = username;
  const answer = await runPreSignUp(ctx, pool, {
    source: 'PreSignUp_SignUp', userName: username, clientId: client.clientId, userAttributes: given,
    ...(validationData !== undefined ? { validationData } : {}), ...(clientMetadata !== undefined ? { clientMetadata } : {}),
  });
  const user = createUser(
    ctx,
    pool,
    { Username: username, UserAttributes: params.UserAttributes },
    { status: answer.autoConfirmUser ? 'CONFIRMED' : 'UNCONFIRMED', permanentPassword: password ?? temporaryPassword(pool.passwordPolicy.MinimumLength) },
  );
  // A passwordless user has no password at all (createUser always sets one): PASSWORD is not offered.
  if (password === undefined) delete user.password;
  if (answer.autoVerifyEmail && user.attributes.has('email')) user.attributes.set('email_verified', 'true');
  if (answer.autoVerifyPhone && user.attributes.has('phone_number')) user.attributes.set('phone_number_verified', 'true');
  if (answer.autoConfirmUser) {
    await runPostConfirmation(ctx, pool, user, { source: 'PostConfirmation_ConfirmSignUp', ...confirmationCall(params) });
    return { UserConfirmed: true, UserSub: user.sub };
  }
  const to = signUpContact(pool, user);
  const session = signUpSession(ctx, client, user, 'SIGN_UP');
  const sessionMember = session !== undefined ? { Session: session } : {};
  if (!to) return { UserConfirmed: false, UserSub: user.sub, ...sessionMember };
  const { code } = issueCode(ctx, user, 'SIGN_UP', { attribute: to.attribute });
  const delivery = await sendCode(ctx, pool, user, to, 'SIGN_UP', code, params);
  return { UserConfirmed: false, UserSub: user.sub, CodeDeliveryDetails: delivery, ...sessionMember };
}

/** `User cannot be confirmed. Current status is …`. */
function cannotConfirm(user: UserRecord): WireError {
  return notAuthorized(`User cannot be confirmed. Current status is ${user.status}`);
}

async function confirmSignUp(ctx: EmulatorContext, params: Params): Promise<object> {
  const { pool, client } = clientOf(ctx, params);
  const username = requireString(params, 'Username');
  const given = requireString(params, 'ConfirmationCode');
  checkSecretHash(client, optionalString(params, 'SecretHash'), username);
  const user = targetUser(pool, client, username);
  if (!user) throw codeMismatch();
  if (user.status !== 'UNCONFIRMED') throw cannotConfirm(user);
  const record = checkCode(ctx, user, 'SIGN_UP', given);
  const signUpSessionId = optionalString(params, 'Session');
  if (signUpSessionId !== undefined) consumeSignUpSession(ctx, client, user, signUpSessionId);
  const attribute = record.attribute;
  const value = attribute ? user.attributes.get(attribute) : undefined;
  if (attribute && value !== undefined && pool.aliasAttributes.includes(attribute)) {
    const holder = aliasHolder(pool, attribute, value, user);
    if (holder && optionalBoolean(params, 'ForceAliasCreation') !== true) {
      throw new WireError('AliasExistsException', `An account with the ${attribute} already exists.`);
    }
    // ForceAliasCreation moves the alias: the other account's copy is no longer verified.
    if (holder) holder.attributes.set(`${attribute}_verified`, 'false');
  }
  dropCode(ctx, user, 'SIGN_UP');
  user.status = 'CONFIRMED';
  if (attribute && value !== undefined) user.attributes.set(`${attribute}_verified`, 'true');
  user.updatedAt = ctx.clock.now();
  // As on Cognito, a failing PostConfirmation fails the call, but the user stays confirmed.
  await runPostConfirmation(ctx, pool, user, { source: 'PostConfirmation_ConfirmSignUp', ...confirmationCall(params) });
  // The code just proved the e-mail / phone: InitiateAuth USER_AUTH with this Session signs in without another.
  const session = signUpSession(ctx, client, user, 'CONFIRMED');
  return session !== undefined ? { Session: session } : {};
}

async function resendConfirmationCode(ctx: EmulatorContext, params: Params): Promise<object> {
  const { pool, client } = clientOf(ctx, params);
  const username = requireString(params, 'Username');
  checkSecretHash(client, optionalString(params, 'SecretHash'), username);
  const user = targetUser(pool, client, username);
  if (!user) return decoyDelivery(pool, username, 'ResendConfirmationCode', 'User is already confirmed.');
  if (user.status !== 'UNCONFIRMED') throw invalidParameter('User is already confirmed.');
  const to = signUpContact(pool, user);
  if (!to) throw invalidParameter('Cannot resend codes. Auto verification not turned on.');
  countCodeRequest(ctx, user, 'SIGN_UP');
  const { code } = issueCode(ctx, user, 'SIGN_UP', { attribute: to.attribute });
  return { CodeDeliveryDetails: await sendCode(ctx, pool, user, to, 'RESEND_CODE', code, params) };
}

async function forgotPassword(ctx: EmulatorContext, params: Params): Promise<object> {
  const { pool, client } = clientOf(ctx, params);
  const username = requireString(params, 'Username');
  checkSecretHash(client, optionalString(params, 'SecretHash'), username);
  if (!findUser(pool, username)) {
    const clientMetadata = clientMetadataOf(params.ClientMetadata);
    await migrateUser(ctx, pool, client, username, {
      source: 'UserMigration_ForgotPassword', ...(clientMetadata !== undefined ? { clientMetadata } : {}),
    });
  }
  const user = targetUser(pool, client, username);
  if (!user) return decoyDelivery(pool, username, 'ForgotPassword', NO_RECOVERY_CONTACT);
  if (user.status === 'FORCE_CHANGE_PASSWORD') throw notAuthorized('User password cannot be reset in the current state.');
  const to = recoveryContact(pool, user);
  if (!to) throw invalidParameter(NO_RECOVERY_CONTACT);
  countCodeRequest(ctx, user, 'FORGOT_PASSWORD');
  const { code } = issueCode(ctx, user, 'FORGOT_PASSWORD');
  return { CodeDeliveryDetails: await sendCode(ctx, pool, user, to, 'FORGOT_PASSWORD', code, params) };
}

async function confirmForgotPassword(ctx: EmulatorContext, params: Params): Promise<object> {
  const { pool, client } = clientOf(ctx, params);
  const username = requireString(params, 'Username');
  const given = requireString(params, 'ConfirmationCode');
  const password = requireString(params, 'Password');
  checkSecretHash(client, optionalString(params, 'SecretHash'), username);
  // Before the user is looked up, so that a weak password gets the same answer for any name.
  assertUserPasswordConforms(password, pool.passwordPolicy);
  const user = targetUser(pool, client, username);
  if (!user) throw codeMismatch();
  if (user.status === 'UNCONFIRMED') throw new WireError('UserNotConfirmedException', 'User is not confirmed.');
  consumeCode(ctx, user, 'FORGOT_PASSWORD', given);
  setPassword(ctx, pool, user, password, true);
  await runPostConfirmation(ctx, pool, user, { source: 'PostConfirmation_ConfirmForgotPassword', ...confirmationCall(params) });
  return {};
}

async function adminConfirmSignUp(ctx: EmulatorContext, params: Params): Promise<object> {
  const pool = ctx.store.pool(requireString(params, 'UserPoolId'));
  const user = requireUser(pool, requireString(params, 'Username'));
  if (user.status !== 'UNCONFIRMED') throw cannotConfirm(user);
  dropCode(ctx, user, 'SIGN_UP');
  user.status = 'CONFIRMED';
  user.updatedAt = ctx.clock.now();
  await runPostConfirmation(ctx, pool, user, { source: 'PostConfirmation_ConfirmSignUp', ...confirmationCall(params) });
  return {};
}

async function adminResetUserPassword(ctx: EmulatorContext, params: Params): Promise<object> {
  const pool = ctx.store.pool(requireString(params, 'UserPoolId'));
  const user = requireUser(pool, requireString(params, 'Username'));
  if (user.status === 'FORCE_CHANGE_PASSWORD') throw notAuthorized('User password cannot be reset in the current state.');
  user.status = 'RESET_REQUIRED';
  user.updatedAt = ctx.clock.now();
  // Cognito sends the code only when the user has a verified contact; the reset happens either way.
  const to = recoveryContact(pool, user);
  if (to) await sendCode(ctx, pool, user, to, 'ADMIN_RESET_PASSWORD', issueCode(ctx, user, 'FORGOT_PASSWORD').code, params);
  return {};
}

function deleteUser(ctx: EmulatorContext, params: Params): object {
  const { pool, user } = authenticateUserAccess(ctx, requireString(params, 'AccessToken'));
  revokeAllSignIns(ctx, pool.id, user.username);
  pool.users.delete(userKey(pool, user.username));
  forgetCodes(ctx, user);
  ctx.store.lockouts.delete(user.sub);
  const devices = poolDevices(pool);
  for (const [key, device] of devices) if (device.username === user.username) devices.delete(key);
  return {};
}

/** Self-service operations by name. */
export const selfServiceOperations: Record<string, OperationSpec> = {
  SignUp: { handler: signUp, signed: false },
  ConfirmSignUp: { handler: confirmSignUp, signed: false },
  ResendConfirmationCode: { handler: resendConfirmationCode, signed: false },
  ForgotPassword: { handler: forgotPassword, signed: false },
  ConfirmForgotPassword: { handler: confirmForgotPassword, signed: false },
  DeleteUser: { handler: deleteUser, signed: false },
  AdminConfirmSignUp: { handler: adminConfirmSignUp, signed: true },
  AdminResetUserPassword: { handler: adminResetUserPassword, signed: true },
};
