/**
 * What comes after a user proved their password: NEW_PASSWORD_REQUIRED, then the MFA step the
 * pool and user call for (SMS_MFA, SOFTWARE_TOKEN_MFA, EMAIL_OTP, SELECT_MFA_TYPE, MFA_SETUP), then tokens.
 * Every challenge carries an opaque `Session` bound to user and client, kept server-side.
 */
import type { EmulatorContext } from '../context';
import { deviceForSignIn, startDeviceChallenge } from '../device-store';
import { WireError, notAuthorized } from '../errors';
import { maskEmail } from '../outbox';
import { newSessionId, numericCode } from '../ids';
import { deliverMessage } from '../custom-message';
import type { TokenSource } from '../pre-token';
import type { ChallengeName, ClientRecord, MfaType, PoolRecord, SessionRecord, UserRecord } from '../store';
import { issueTokens, type AuthenticationResult } from '../tokens';
import { attributeList, maskPhone } from '../user-directory';
import { runPostAuthentication } from '../user-triggers';

/** An InitiateAuth / RespondToAuthChallenge response. */
export interface SignInResponse {
  ChallengeName?: ChallengeName;
  Session?: string;
  ChallengeParameters: Record<string, string>;
  AuthenticationResult?: AuthenticationResult;
  /** USER_AUTH's SELECT_CHALLENGE: the first factors the user may choose from. */
  AvailableChallenges?: string[];
}

/**
 * What a sign-in step knows about the call beyond user and client, for the Lambda triggers.
 */
export interface SignInFlow {
  /** The call's ClientMetadata (InitiateAuth / RespondToAuthChallenge), handed to the triggers. */
  clientMetadata?: Record<string, string>;
  /** PreTokenGeneration's source: `TokenGeneration_Authentication` unless a new password or a device's proof came last. */
  tokenSource?: Extract<TokenSource, 'TokenGeneration_Authentication' | 'TokenGeneration_NewPasswordChallenge' | 'TokenGeneration_AuthenticateDevice'>;
  /** A hosted-UI sign-in: these tokens are discarded (the code exchange makes the app's), so PreTokenGeneration waits for that. */
  hosted?: boolean;
}

/**
 * Marks the params of a RespondToAuthChallenge made by the hosted UI itself (a symbol: no wire
 * request can carry it).
 */
export const HOSTED_SIGN_IN = Symbol('hosted sign-in');

/** Wrong MFA codes allowed on one session before it is dropped. */
export const MAX_CODE_FAILURES = 5;

/** Digits of an EMAIL_OTP / SMS_OTP code (sign-in and email MFA): Cognito's are 8 (SMS_MFA's 6). */
export const OTP_CODE_DIGITS = 8;

/** Counts a wrong code; the session is dropped after {@link MAX_CODE_FAILURES}. */
export function wrongCode(ctx: EmulatorContext, session: SessionRecord): WireError {
  session.failures += 1;
  if (session.failures >= MAX_CODE_FAILURES) {
    ctx.store.sessions.delete(session.id);
    return notAuthorized('Invalid session for the user.');
  }
  return new WireError('CodeMismatchException', 'Invalid code received for user');
}

/**
 * Refuses users who may not sign in whatever their password: not confirmed, reset required, or
 * with an expired temporary password.
 */
export function assertMaySignIn(ctx: EmulatorContext, pool: PoolRecord, user: UserRecord): void {
  if (user.status === 'UNCONFIRMED') throw new WireError('UserNotConfirmedException', 'User is not confirmed.');
  if (user.status === 'RESET_REQUIRED') {
    throw new WireError('PasswordResetRequiredException', 'Password reset required for the user');
  }
  if (user.status === 'FORCE_CHANGE_PASSWORD') {
    const validMs = pool.passwordPolicy.TemporaryPasswordValidityDays * 86400 * 1000;
    if (ctx.clock.now() > user.passwordSetAt + validMs) {
      throw notAuthorized('Temporary password has expired and must be reset by an administrator.');
    }
  }
}

/** The second factors a user can be challenged with in this pool. */
export function enabledFactors(pool: PoolRecord, user: UserRecord): MfaType[] {
  const factors: MfaType[] = [];
  if (pool.smsMfa && user.mfa.smsEnabled && user.attributes.has('phone_number')) factors.push('SMS_MFA');
  if (pool.softwareTokenMfa && user.mfa.totpEnabled && user.mfa.totpSecret) factors.push('SOFTWARE_TOKEN_MFA');
  if (pool.emailMfaConfiguration && user.mfa.emailEnabled === true && user.attributes.has('email')) factors.push('EMAIL_OTP');
  return factors;
}

/** Opens a challenge session; it expires after the client's AuthSessionValidity (3 minutes default). */
export function openSession(
  ctx: EmulatorContext,
  client: ClientRecord,
  user: Pick<UserRecord, 'username'>,
  challenge: ChallengeName,
  extra: Partial<Pick<SessionRecord, 'smsCode' | 'otpCode' | 'userAuth' | 'pendingTotpSecret' | 'totpVerified' | 'deviceKey'>> = {},
): SessionRecord {
  const now = ctx.clock.now();
  const record: SessionRecord = {
    id: newSessionId(),
    poolId: client.poolId,
    clientId: client.clientId,
    username: user.username,
    challenge,
    expiresAt: now + client.authSessionValidityMinutes * 60 * 1000,
    failures: 0,
    ...extra,
  };
  ctx.store.putSession(record, now);
  return record;
}

function challenge(
  ctx: EmulatorContext,
  client: ClientRecord,
  user: UserRecord,
  name: ChallengeName,
  parameters: Record<string, string>,
  extra: Parameters<typeof openSession>[4] = {},
): SignInResponse {
  const session = openSession(ctx, client, user, name, extra);
  return { ChallengeName: name, Session: session.id, ChallengeParameters: { ...parameters, USER_ID_FOR_SRP: user.username } };
}

/** Raises SMS_MFA: a 6-digit code goes to the outbox (an SMS, purpose `MFA`, through CustomMessage_Authentication). */
export async function smsChallenge(
  ctx: EmulatorContext,
  pool: PoolRecord,
  client: ClientRecord,
  user: UserRecord,
  deviceKey?: string,
  flow: SignInFlow = {},
): Promise<SignInResponse> {
  const phoneNumber = user.attributes.get('phone_number') ?? '';
  const code = numericCode(6);
  await deliverMessage(ctx, pool, user, { channel: 'SMS', destination: phoneNumber, purpose: 'MFA', code }, {
    clientId: client.clientId,
    ...(flow.clientMetadata !== undefined ? { clientMetadata: flow.clientMetadata } : {}),
  });
  return challenge(
    ctx,
    client,
    user,
    'SMS_MFA',
    { CODE_DELIVERY_DELIVERY_MEDIUM: 'SMS', CODE_DELIVERY_DESTINATION: maskPhone(phoneNumber) },
    { smsCode: code, ...(deviceKey ? { deviceKey } : {}) },
  );
}

/** Raises email MFA (`EMAIL_OTP`): an 8-digit code goes to the outbox (an e-mail, purpose `MFA`). */
async function emailChallenge(
  ctx: EmulatorContext, pool: PoolRecord, client: ClientRecord, user: UserRecord, deviceKey: string | undefined, flow: SignInFlow,
): Promise<SignInResponse> {
  const email = user.attributes.get('email') ?? '';
  const code = numericCode(OTP_CODE_DIGITS);
  const subject = pool.emailMfaConfiguration?.Subject;
  await deliverMessage(ctx, pool, user, { channel: 'EMAIL', destination: email, purpose: 'MFA', code, ...(subject ? { subject } : {}) }, {
    clientId: client.clientId,
    ...(flow.clientMetadata !== undefined ? { clientMetadata: flow.clientMetadata } : {}),
  });
  return challenge(
    ctx, client, user, 'EMAIL_OTP',
    { CODE_DELIVERY_DELIVERY_MEDIUM: 'EMAIL', CODE_DELIVERY_DESTINATION: maskEmail(email) },
    { otpCode: code, ...(deviceKey ? { deviceKey } : {}) },
  );
}

/** Raises the challenge for one factor. */
export async function factorChallenge(
  ctx: EmulatorContext,
  pool: PoolRecord,
  client: ClientRecord,
  user: UserRecord,
  factor: MfaType,
  deviceKey?: string,
  flow: SignInFlow = {},
): Promise<SignInResponse> {
  if (factor === 'SMS_MFA') return smsChallenge(ctx, pool, client, user, deviceKey, flow);
  if (factor === 'EMAIL_OTP') return emailChallenge(ctx, pool, client, user, deviceKey, flow);
  return challenge(ctx, client, user, 'SOFTWARE_TOKEN_MFA', {}, deviceKey ? { deviceKey } : {});
}

/**
 * Tokens for a completed sign-in (a new `origin_jti`, a refresh token): the PostAuthentication
 * trigger first (its failure fails the sign-in), then PreTokenGeneration as the tokens are made.
 */
export async function completeSignIn(
  ctx: EmulatorContext,
  pool: PoolRecord,
  client: ClientRecord,
  user: UserRecord,
  deviceKey?: string,
  flow: SignInFlow = {},
): Promise<SignInResponse> {
  // In a pool that remembers devices: the known device presented, else a new one (NewDeviceMetadata).
  const device = deviceForSignIn(ctx, pool, user, deviceKey);
  const clientMetadata = flow.clientMetadata !== undefined ? { clientMetadata: flow.clientMetadata } : {};
  await runPostAuthentication(ctx, pool, client, user, { newDeviceUsed: device.newDevice !== undefined, ...clientMetadata });
  const result = await issueTokens(ctx, pool, client, user, {
    withRefreshToken: true,
    ...(device.deviceKey ? { deviceKey: device.deviceKey } : {}),
    trigger: flow.hosted === true ? false : { source: flow.tokenSource ?? 'TokenGeneration_Authentication', ...clientMetadata },
  });
  return {
    ChallengeParameters: {},
    AuthenticationResult: device.newDevice ? Object.assign(result, { NewDeviceMetadata: device.newDevice }) : result,
  };
}

/** The MFA step (or tokens) for a user whose password is settled. */
export async function mfaStep(
  ctx: EmulatorContext,
  pool: PoolRecord,
  client: ClientRecord,
  user: UserRecord,
  deviceKey?: string,
  flow: SignInFlow = {},
): Promise<SignInResponse> {
  if (pool.mfa === 'OFF') return completeSignIn(ctx, pool, client, user, deviceKey, flow);
  const factors = enabledFactors(pool, user);
  if (factors.length === 0) {
    if (pool.mfa === 'OPTIONAL') return completeSignIn(ctx, pool, client, user, deviceKey, flow);
    return challenge(ctx, client, user, 'MFA_SETUP', { MFAS_CAN_SETUP: '["SOFTWARE_TOKEN_MFA"]' }, deviceKey ? { deviceKey } : {});
  }
  const preferred = user.mfa.preferred && factors.includes(user.mfa.preferred) ? user.mfa.preferred : undefined;
  if (factors.length > 1 && !preferred) {
    return challenge(ctx, client, user, 'SELECT_MFA_TYPE', { MFAS_CAN_CHOOSE: JSON.stringify(factors) }, deviceKey ? { deviceKey } : {});
  }
  return factorChallenge(ctx, pool, client, user, preferred ?? factors[0], deviceKey, flow);
}

/**
 * The step after a successful password check: NEW_PASSWORD_REQUIRED for a user on a temporary
 * password, else {@link mfaStep}.
 */
export async function afterPassword(
  ctx: EmulatorContext,
  pool: PoolRecord,
  client: ClientRecord,
  user: UserRecord,
  deviceKey?: string,
  flow: SignInFlow = {},
): Promise<SignInResponse> {
  if (user.status === 'FORCE_CHANGE_PASSWORD') {
    const attributes: Record<string, string> = {};
    for (const { Name, Value } of attributeList(user)) if (Name !== 'sub') attributes[Name] = Value;
    return challenge(ctx, client, user, 'NEW_PASSWORD_REQUIRED', {
      userAttributes: JSON.stringify(attributes),
      requiredAttributes: '[]',
    }, deviceKey ? { deviceKey } : {});
  }
  // A confirmed device presented by the client proves itself first (DEVICE_SRP_AUTH).
  const deviceChallenge = startDeviceChallenge(ctx, pool, client, user, deviceKey);
  if (deviceChallenge) return deviceChallenge;
  return mfaStep(ctx, pool, client, user, deviceKey, flow);
}
