/**
 * Software-token (TOTP) enrolment and MFA preferences: AssociateSoftwareToken,
 * VerifySoftwareToken (with an access token or an MFA_SETUP challenge session),
 * SetUserMFAPreference and AdminSetUserMFAPreference. TOTP itself comes from `lib/totp.ts`.
 */
import { randomBytes } from 'node:crypto';
import { base32Encode, verifyTotp } from '../../totp';
import type { EmulatorContext, OperationSpec } from '../context';
import { WireError, invalidParameter, notAuthorized } from '../errors';
import { optionalObject, optionalString, requireString, type Params } from '../protocol';
import type { UserRecord } from '../store';
import { authenticateUserAccess } from '../tokens';
import { requireUser, userKey } from '../user-directory';
import { openSession } from './sign-in-steps';

/** How long an accepted TOTP code stays refused for reuse (the ±1 step window). */
const TOTP_REUSE_MS = 90 * 1000;

/**
 * Checks a TOTP code (±1 step) and refuses one this user already used within its window.
 */
export function acceptTotpCode(ctx: EmulatorContext, user: UserRecord, secret: string, code: string): boolean {
  const now = ctx.clock.now();
  if (!verifyTotp(secret, code, now, { window: 1 })) return false;
  user.mfa.usedTotpCodes = user.mfa.usedTotpCodes.filter((used) => Math.abs(now - used.at) < TOTP_REUSE_MS);
  if (user.mfa.usedTotpCodes.some((used) => used.code === code)) return false;
  user.mfa.usedTotpCodes.push({ code, at: now });
  return true;
}

function newTotpSecret(): string {
  return base32Encode(randomBytes(20));
}

function sessionFor(ctx: EmulatorContext, id: string): ReturnType<EmulatorContext['store']['session']> {
  const session = ctx.store.session(id, undefined, ctx.clock.now());
  if (session.challenge !== 'MFA_SETUP') throw notAuthorized('Invalid session for the user.');
  return session;
}

function associateSoftwareToken(ctx: EmulatorContext, params: Params): object {
  const accessToken = optionalString(params, 'AccessToken');
  const sessionId = optionalString(params, 'Session');
  if (accessToken) {
    const { user } = authenticateUserAccess(ctx, accessToken);
    const secret = newTotpSecret();
    user.mfa.pendingTotpSecret = secret;
    return { SecretCode: secret };
  }
  if (!sessionId) throw invalidParameter('Either AccessToken or Session is required.');
  const session = sessionFor(ctx, sessionId);
  const { pool, client } = ctx.store.client(session.clientId, session.poolId);
  const user = pool.users.get(userKey(pool, session.username));
  if (!user) throw notAuthorized('Invalid session for the user.');
  ctx.store.sessions.delete(session.id);
  const secret = newTotpSecret();
  const next = openSession(ctx, client, user, 'MFA_SETUP', {
    pendingTotpSecret: secret,
    ...(session.deviceKey ? { deviceKey: session.deviceKey } : {}),
  });
  return { SecretCode: secret, Session: next.id };
}

function codeMismatch(): WireError {
  return new WireError('EnableSoftwareTokenMFAException', 'Code mismatch');
}

function verifySoftwareToken(ctx: EmulatorContext, params: Params): object {
  const code = requireString(params, 'UserCode');
  const accessToken = optionalString(params, 'AccessToken');
  const sessionId = optionalString(params, 'Session');
  const now = ctx.clock.now();
  if (accessToken) {
    const { user } = authenticateUserAccess(ctx, accessToken);
    const secret = user.mfa.pendingTotpSecret;
    if (!secret) throw invalidParameter('User has not associated a software token.');
    if (!verifyTotp(secret, code, now, { window: 1 })) throw codeMismatch();
    user.mfa.totpSecret = secret;
    user.mfa.totpVerified = true;
    delete user.mfa.pendingTotpSecret;
    user.updatedAt = now;
    return { Status: 'SUCCESS' };
  }
  if (!sessionId) throw invalidParameter('Either AccessToken or Session is required.');
  const session = sessionFor(ctx, sessionId);
  if (!session.pendingTotpSecret) throw invalidParameter('User has not associated a software token.');
  if (!verifyTotp(session.pendingTotpSecret, code, now, { window: 1 })) throw codeMismatch();
  const { pool, client } = ctx.store.client(session.clientId, session.poolId);
  const user = pool.users.get(userKey(pool, session.username));
  if (!user) throw notAuthorized('Invalid session for the user.');
  ctx.store.sessions.delete(session.id);
  const next = openSession(ctx, client, user, 'MFA_SETUP', {
    pendingTotpSecret: session.pendingTotpSecret,
    totpVerified: true,
    ...(session.deviceKey ? { deviceKey: session.deviceKey } : {}),
  });
  return { Status: 'SUCCESS', Session: next.id };
}

function readSetting(params: Params, member: string): { enabled?: boolean; preferred?: boolean } | undefined {
  const value = optionalObject(params, member);
  if (!value) return undefined;
  const out: { enabled?: boolean; preferred?: boolean } = {};
  if (typeof value.Enabled === 'boolean') out.enabled = value.Enabled;
  if (typeof value.PreferredMfa === 'boolean') out.preferred = value.PreferredMfa;
  return out;
}

/**
 * Applies SMSMfaSettings / SoftwareTokenMfaSettings / EmailMfaSettings to a user.
 *
 * @throws WireError InvalidParameterException when enabling TOTP before it is verified,
 *   SMS without a phone number, or preferring a factor that is off.
 */
export function applyMfaPreference(ctx: EmulatorContext, user: UserRecord, params: Params): void {
  const sms = readSetting(params, 'SMSMfaSettings');
  const totp = readSetting(params, 'SoftwareTokenMfaSettings');
  const email = readSetting(params, 'EmailMfaSettings');
  if (totp?.enabled && !user.mfa.totpVerified) throw invalidParameter('User has not verified software token mfa');
  if (sms?.enabled && !user.attributes.has('phone_number')) throw invalidParameter('User does not have a phone number.');
  if (email?.enabled && !user.attributes.has('email')) throw invalidParameter('User does not have an email.');
  const smsOn = sms?.enabled ?? user.mfa.smsEnabled;
  const totpOn = totp?.enabled ?? user.mfa.totpEnabled;
  const emailOn = email?.enabled ?? user.mfa.emailEnabled === true;
  if ((sms?.preferred && !smsOn) || (totp?.preferred && !totpOn) || (email?.preferred && !emailOn)) {
    throw invalidParameter('The preferred MFA type must be enabled.');
  }
  if ([sms, totp, email].filter((s) => s?.preferred === true).length > 1) throw invalidParameter('Only one MFA type can be preferred.');
  user.mfa.smsEnabled = smsOn;
  user.mfa.totpEnabled = totpOn;
  user.mfa.emailEnabled = emailOn;
  if (sms?.preferred) user.mfa.preferred = 'SMS_MFA';
  else if (totp?.preferred) user.mfa.preferred = 'SOFTWARE_TOKEN_MFA';
  else if (email?.preferred) user.mfa.preferred = 'EMAIL_OTP';
  else if (sms?.preferred === false && user.mfa.preferred === 'SMS_MFA') delete user.mfa.preferred;
  else if (totp?.preferred === false && user.mfa.preferred === 'SOFTWARE_TOKEN_MFA') delete user.mfa.preferred;
  else if (email?.preferred === false && user.mfa.preferred === 'EMAIL_OTP') delete user.mfa.preferred;
  if (user.mfa.preferred === 'SMS_MFA' && !smsOn) delete user.mfa.preferred;
  if (user.mfa.preferred === 'SOFTWARE_TOKEN_MFA' && !totpOn) delete user.mfa.preferred;
  if (user.mfa.preferred === 'EMAIL_OTP' && !emailOn) delete user.mfa.preferred;
  user.updatedAt = ctx.clock.now();
}

function setUserMfaPreference(ctx: EmulatorContext, params: Params): object {
  const { user } = authenticateUserAccess(ctx, requireString(params, 'AccessToken'));
  applyMfaPreference(ctx, user, params);
  return {};
}

function adminSetUserMfaPreference(ctx: EmulatorContext, params: Params): object {
  const pool = ctx.store.pool(requireString(params, 'UserPoolId'));
  const user = requireUser(pool, requireString(params, 'Username'));
  applyMfaPreference(ctx, user, params);
  return {};
}

/** MFA operations by name. */
export const mfaOperations: Record<string, OperationSpec> = {
  AssociateSoftwareToken: { handler: associateSoftwareToken, signed: false },
  VerifySoftwareToken: { handler: verifySoftwareToken, signed: false },
  SetUserMFAPreference: { handler: setUserMfaPreference, signed: false },
  AdminSetUserMFAPreference: { handler: adminSetUserMfaPreference, signed: true },
};
