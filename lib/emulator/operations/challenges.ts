/**
 * RespondToAuthChallenge and AdminRespondToAuthChallenge: PASSWORD_VERIFIER (second half of SRP),
 * NEW_PASSWORD_REQUIRED, SMS_MFA, SOFTWARE_TOKEN_MFA, EMAIL_OTP (email MFA), SELECT_MFA_TYPE and MFA_SETUP;
 * CUSTOM_CHALLENGE (custom-auth.ts) and the USER_AUTH challenges (user-auth.ts) are handed on.
 */
import { timingSafeEqual } from 'node:crypto';
import type { EmulatorContext, OperationSpec } from '../context';
import { invalidParameter, notAuthorized } from '../errors';
import { assertPasswordConforms } from '../password-policy';
import { optionalString, requireEntry, requireEnum, requireString, stringMap, type Params } from '../protocol';
import { createPasswordVerifier, poolNameOf } from '../srp-server';
import type { ChallengeName, ClientRecord, MfaType, PoolRecord, SessionRecord, UserRecord } from '../store';
import { assertUniqueSignInNames, findUser, userKey, validateAttributes } from '../user-directory';
import { clientMetadataOf } from '../user-triggers';
import { afterCustomPassword, answerCustomChallenge } from './custom-auth';
import { checkSecretHash } from './auth-flows';
import { answerDeviceChallenge } from './devices';
import { checkPasswordClaim } from './srp-challenge';
import { acceptTotpCode } from './mfa';
import { answerUserAuth } from './user-auth';
import {
  afterPassword,
  assertMaySignIn,
  completeSignIn,
  enabledFactors,
  factorChallenge,
  HOSTED_SIGN_IN,
  mfaStep,
  type SignInFlow,
  type SignInResponse,
  wrongCode,
} from './sign-in-steps';

const CHALLENGE_NAMES = [
  'SMS_MFA', 'SOFTWARE_TOKEN_MFA', 'SELECT_MFA_TYPE', 'MFA_SETUP', 'PASSWORD_VERIFIER', 'CUSTOM_CHALLENGE',
  'DEVICE_SRP_AUTH', 'DEVICE_PASSWORD_VERIFIER', 'ADMIN_NO_SRP_AUTH', 'NEW_PASSWORD_REQUIRED', 'SMS_OTP', 'EMAIL_OTP',
  'WEB_AUTHN', 'PASSWORD', 'PASSWORD_SRP', 'SELECT_CHALLENGE',
] as const;

async function passwordVerifier(
  ctx: EmulatorContext, pool: PoolRecord, client: ClientRecord, answers: Record<string, string>, flow: SignInFlow,
): Promise<SignInResponse> {
  const { user, challenge } = checkPasswordClaim(ctx, pool, client, answers);
  // Within CUSTOM_AUTH the proof is one round: DefineAuthChallenge decides what follows.
  if (challenge.custom !== undefined) return afterCustomPassword(ctx, pool, client, user, challenge.custom, flow);
  assertMaySignIn(ctx, pool, user);
  return afterPassword(ctx, pool, client, user, answers.DEVICE_KEY, flow);
}

function newPassword(
  ctx: EmulatorContext,
  pool: PoolRecord,
  client: ClientRecord,
  user: UserRecord,
  session: SessionRecord,
  answers: Record<string, string>,
  flow: SignInFlow,
): Promise<SignInResponse> {
  const password = requireEntry(answers, 'NEW_PASSWORD');
  assertPasswordConforms(password, pool.passwordPolicy);
  const updates = new Map<string, string>();
  for (const [key, value] of Object.entries(answers)) {
    if (key.startsWith('userAttributes.')) updates.set(key.slice('userAttributes.'.length), value);
  }
  validateAttributes(updates);
  for (const name of updates.keys()) {
    // Cognito refuses these in the challenge answer (clients must drop them from userAttributes).
    if (name.endsWith('_verified')) throw invalidParameter(`Cannot modify the non-mutable attribute ${name}`);
    if (pool.usernameAttributes.includes(name) && user.attributes.has(name)) {
      throw invalidParameter(`Cannot modify an already provided ${name}`);
    }
  }
  const merged = new Map([...user.attributes, ...updates]);
  assertUniqueSignInNames(pool, user, merged);
  const now = ctx.clock.now();
  user.attributes = merged;
  user.password = createPasswordVerifier(poolNameOf(pool.id), user.username, password);
  user.passwordSetAt = now;
  user.status = 'CONFIRMED';
  user.updatedAt = now;
  ctx.store.sessions.delete(session.id);
  return mfaStep(ctx, pool, client, user, session.deviceKey, { ...flow, tokenSource: 'TokenGeneration_NewPasswordChallenge' });
}

/** SMS_MFA (`SMS_MFA_CODE`) or email MFA, EMAIL_OTP (`EMAIL_OTP_CODE`; `EMAIL_MFA_CODE`, the documented name, too). */
function codeMfa(
  ctx: EmulatorContext,
  pool: PoolRecord,
  client: ClientRecord,
  user: UserRecord,
  session: SessionRecord,
  answers: Record<string, string>,
  flow: SignInFlow,
): Promise<SignInResponse> {
  const email = session.challenge === 'EMAIL_OTP';
  const code = email && answers.EMAIL_OTP_CODE === undefined && answers.EMAIL_MFA_CODE !== undefined
    ? answers.EMAIL_MFA_CODE
    : requireEntry(answers, email ? 'EMAIL_OTP_CODE' : 'SMS_MFA_CODE');
  const expected = Buffer.from((email ? session.otpCode : session.smsCode) ?? '');
  const given = Buffer.from(code);
  if (expected.length === 0 || given.length !== expected.length || !timingSafeEqual(given, expected)) throw wrongCode(ctx, session);
  ctx.store.sessions.delete(session.id);
  return completeSignIn(ctx, pool, client, user, session.deviceKey, flow);
}

function softwareTokenMfa(
  ctx: EmulatorContext,
  pool: PoolRecord,
  client: ClientRecord,
  user: UserRecord,
  session: SessionRecord,
  answers: Record<string, string>,
  flow: SignInFlow,
): Promise<SignInResponse> {
  const code = requireEntry(answers, 'SOFTWARE_TOKEN_MFA_CODE');
  if (!user.mfa.totpSecret || !acceptTotpCode(ctx, user, user.mfa.totpSecret, code)) throw wrongCode(ctx, session);
  ctx.store.sessions.delete(session.id);
  return completeSignIn(ctx, pool, client, user, session.deviceKey, flow);
}

function selectMfaType(
  ctx: EmulatorContext,
  pool: PoolRecord,
  client: ClientRecord,
  user: UserRecord,
  session: SessionRecord,
  answers: Record<string, string>,
  flow: SignInFlow,
): Promise<SignInResponse> {
  const given = requireEntry(answers, 'ANSWER');
  // The documentation names email MFA EMAIL_MFA here; the challenge itself is EMAIL_OTP.
  const answer = given === 'EMAIL_MFA' ? 'EMAIL_OTP' : given;
  const factors = enabledFactors(pool, user);
  if (!(factors as string[]).includes(answer)) throw invalidParameter(`${answer} is not a valid MFA type for the user.`);
  ctx.store.sessions.delete(session.id);
  return factorChallenge(ctx, pool, client, user, answer as MfaType, session.deviceKey, flow);
}

function mfaSetup(
  ctx: EmulatorContext, pool: PoolRecord, client: ClientRecord, user: UserRecord, session: SessionRecord, flow: SignInFlow,
): Promise<SignInResponse> {
  if (!session.totpVerified || !session.pendingTotpSecret) {
    throw invalidParameter('Software token MFA has not been verified for this session; call AssociateSoftwareToken and VerifySoftwareToken first.');
  }
  user.mfa.totpSecret = session.pendingTotpSecret;
  user.mfa.totpVerified = true;
  user.mfa.totpEnabled = true;
  user.mfa.preferred = 'SOFTWARE_TOKEN_MFA';
  user.updatedAt = ctx.clock.now();
  ctx.store.sessions.delete(session.id);
  return completeSignIn(ctx, pool, client, user, session.deviceKey, flow);
}

// The call's ClientMetadata, and whether the hosted UI is answering (see HOSTED_SIGN_IN).
function signInFlowOf(params: Params): SignInFlow {
  const clientMetadata = clientMetadataOf(params.ClientMetadata);
  return {
    ...(clientMetadata !== undefined ? { clientMetadata } : {}),
    ...((params as Record<symbol, unknown>)[HOSTED_SIGN_IN] === true ? { hosted: true } : {}),
  };
}

async function respond(ctx: EmulatorContext, pool: PoolRecord, client: ClientRecord, params: Params): Promise<SignInResponse> {
  const name = requireEnum(params, 'ChallengeName', CHALLENGE_NAMES);
  const answers = stringMap(params, 'ChallengeResponses');
  const flow = signInFlowOf(params);
  if (name === 'PASSWORD_VERIFIER') return passwordVerifier(ctx, pool, client, answers, flow);
  if (name === 'DEVICE_SRP_AUTH' || name === 'DEVICE_PASSWORD_VERIFIER') return answerDeviceChallenge(ctx, pool, client, name, params, flow);
  const sessionId = optionalString(params, 'Session');
  if (!sessionId) throw invalidParameter('Missing required parameter Session');
  const session = ctx.store.session(sessionId, client.clientId, ctx.clock.now());
  if (session.userAuth !== undefined) return answerUserAuth(ctx, pool, client, session, name, answers, flow);
  if (session.challenge !== name) {
    throw invalidParameter(`Invalid challenge name ${name}: the session expects ${session.challenge}.`);
  }
  if (name === 'CUSTOM_CHALLENGE') return answerCustomChallenge(ctx, pool, client, session, answers, flow);
  const username = requireEntry(answers, 'USERNAME');
  const user = pool.users.get(userKey(pool, session.username));
  if (!user || findUser(pool, username)?.username !== user.username) throw notAuthorized('Invalid session for the user.');
  checkSecretHash(client, answers.SECRET_HASH, username);
  if (!user.enabled) throw notAuthorized('User is disabled.');
  const handlers: Partial<Record<ChallengeName, () => Promise<SignInResponse>>> = {
    NEW_PASSWORD_REQUIRED: () => newPassword(ctx, pool, client, user, session, answers, flow),
    SMS_MFA: () => codeMfa(ctx, pool, client, user, session, answers, flow),
    EMAIL_OTP: () => codeMfa(ctx, pool, client, user, session, answers, flow),
    SOFTWARE_TOKEN_MFA: () => softwareTokenMfa(ctx, pool, client, user, session, answers, flow),
    SELECT_MFA_TYPE: () => selectMfaType(ctx, pool, client, user, session, answers, flow),
    MFA_SETUP: () => mfaSetup(ctx, pool, client, user, session, flow),
  };
  const handler = handlers[session.challenge];
  if (!handler) throw invalidParameter(`${name} is not supported by the emulator.`);
  return handler();
}

function respondToAuthChallenge(ctx: EmulatorContext, params: Params): Promise<SignInResponse> {
  const { pool, client } = ctx.store.client(requireString(params, 'ClientId'));
  return respond(ctx, pool, client, params);
}

function adminRespondToAuthChallenge(ctx: EmulatorContext, params: Params): Promise<SignInResponse> {
  const poolId = requireString(params, 'UserPoolId');
  const { pool, client } = ctx.store.client(requireString(params, 'ClientId'), poolId);
  return respond(ctx, pool, client, params);
}

/** Challenge-answer operations by name. */
export const challengeOperations: Record<string, OperationSpec> = {
  RespondToAuthChallenge: { handler: respondToAuthChallenge, signed: false },
  AdminRespondToAuthChallenge: { handler: adminRespondToAuthChallenge, signed: true },
};
