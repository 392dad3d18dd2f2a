/**
 * The signed-in routes of `cognitoAccount()`: password change, profile read and update, attribute
 * verification, account deletion. The router runs its `requireCognito()` first (bearer or session
 * tokens, renewed as usual), so each handler has the user's verified access token.
 *
 * | route | fields | Cognito |
 * |---|---|---|
 * | `POST /password` | `previousPassword`, `newPassword` | ChangePassword |
 * | `GET /profile` | — | GetUser |
 * | `POST /profile` | the allowed attributes (`profileAttributes`; `''` deletes one) | UpdateUserAttributes |
 * | `POST /verify/send` | `attribute` (`email` or `phone_number`) | GetUserAttributeVerificationCode |
 * | `POST /verify` | `attribute`, `code` | VerifyUserAttribute |
 * | `POST /delete` | `password` | a fresh sign-in (SRP), then DeleteUser; the session's tokens go |
 * | `POST /mfa/totp` | — | AssociateSoftwareToken: the secret and its `otpauth://` URI |
 * | `POST /mfa/totp/verify` | `code` | VerifySoftwareToken, then TOTP on and preferred |
 * | `POST /mfa/preference` | `preferred` (`totp` or `sms`) | SetUserMFAPreference (the factor must be on) |
 * | `POST /mfa/disable` | `factor` (`totp`, `sms` or `all`) | SetUserMFAPreference without it |
 */
import {
  changePassword, deleteUser, getUser, sendAttributeVerification, updateUserAttributes, verifyAttribute, type AccountContext,
} from '../lib/account';
import { Cognito } from '../lib/cognito';
import { ChallengeError, CognitoError, isCognitoError } from '../lib/errors';
import { otpauthUri } from '../lib/totp';
import { associateSoftwareToken, setMfaPreference, verifySoftwareToken } from '../lib/user-mfa';
import { readCode, readPassword } from '../strategies/login-fields';
import { badField, readAttributeFields, type Outcome } from './account-outcome';
import type { CognitoRequestContext } from './types';

/** Attributes that may be verified with a code. */
const VERIFIABLE = new Set(['email', 'phone_number']);
/** A sign-in this recent counts as the re-authentication deletion needs, when the password sign-in asks for MFA. */
export const RECENT_SIGN_IN_SECONDS = 300;

/** A signed-in route's input: the verified user, the body, and the JSON to answer with (GET /profile). */
export interface SignedInCall {
  ctx: AccountContext;
  user: CognitoRequestContext;
  body: unknown;
  /** Attributes `POST /profile` may set. */
  profileAttributes: readonly string[];
  /** The issuer shown in authenticator apps. */
  totpIssuer: string;
  nowSeconds: number;
}

function accessTokenOf(call: SignedInCall): string {
  const token = call.user.accessToken;
  if (token === undefined) throw new CognitoError('Sign in with an access token.', 'ERR_COGNITO_TOKEN_MISSING', 401);
  return token;
}

function readAttribute(body: unknown): string | undefined {
  const v = (body as Record<string, unknown> | undefined)?.attribute;
  if (v === undefined || v === '') return 'email';
  return typeof v === 'string' && VERIFIABLE.has(v) ? v : undefined;
}

/**
 * `POST /password`: ChangePassword.
 *
 * @example
 * await changePasswordRoute(call);   // { ok: true, next: 'profile' }
 */
export async function changePasswordRoute(call: SignedInCall): Promise<Outcome> {
  const previous = readPassword(call.body, 'previousPassword');
  if (previous.state !== 'ok') return badField('previousPassword', previous);
  const proposed = readPassword(call.body, 'newPassword');
  if (proposed.state !== 'ok') return badField('newPassword', proposed);
  await changePassword(call.ctx, accessTokenOf(call), previous.value, proposed.value);
  return { ok: true, next: 'profile', username: call.user.username };
}

/** `GET /profile`'s MFA state: the factors on (GetUser's `UserMFASettingList`) and the preferred one. */
export interface ProfileMfa {
  /** e.g. `['SOFTWARE_TOKEN_MFA']`; `[]` when none is on. */
  enabled: string[];
  /** `PreferredMfaSetting` (`SOFTWARE_TOKEN_MFA` or `SMS_MFA`), when one is set. */
  preferred?: string;
}

/**
 * `GET /profile`: the user's attributes and MFA state.
 *
 * @example
 * const { attributes, mfa } = await profileRoute(call);   // mfa: { enabled: ['SOFTWARE_TOKEN_MFA'], preferred: 'SOFTWARE_TOKEN_MFA' }
 */
export async function profileRoute(call: SignedInCall): Promise<{ username: string; attributes: Record<string, string>; mfa: ProfileMfa }> {
  const profile = await getUser(call.ctx, accessTokenOf(call));
  const mfa: ProfileMfa = { enabled: profile.mfa, ...(profile.preferredMfa === undefined ? {} : { preferred: profile.preferredMfa }) };
  return { username: profile.username, attributes: profile.attributes, mfa };
}

/**
 * `POST /profile`: UpdateUserAttributes with the allowed attributes present in the body.
 *
 * @example
 * await updateProfileRoute(call);   // next: 'verify' when a code was sent
 */
export async function updateProfileRoute(call: SignedInCall): Promise<Outcome> {
  const read = readAttributeFields(call.body, call.profileAttributes, true);
  if ('refused' in read) return read.refused;
  const attributes = read.values;
  if (Object.keys(attributes).length === 0) {
    return { ok: false, status: 400, code: 'ERR_COGNITO_MISSING_FIELD', field: call.profileAttributes[0] ?? 'attributes',
      message: 'No attribute to update.' };
  }
  const sent = await updateUserAttributes(call.ctx, accessTokenOf(call), attributes);
  const first = sent[0];
  return { ok: true, next: first === undefined ? 'profile' : 'verify', username: call.user.username, ...(first === undefined ? {} : { codeDelivery: first }) };
}

/**
 * `POST /verify/send`: a code to the attribute.
 *
 * @example
 * await sendVerificationRoute(call);
 */
export async function sendVerificationRoute(call: SignedInCall): Promise<Outcome> {
  const attribute = readAttribute(call.body);
  if (attribute === undefined) return { ok: false, status: 400, code: 'ERR_COGNITO_INVALID_FIELD', field: 'attribute', message: '"attribute" must be email or phone_number.' };
  const sent = await sendAttributeVerification(call.ctx, accessTokenOf(call), attribute);
  return { ok: true, next: 'verify', username: call.user.username, ...(sent === undefined ? {} : { codeDelivery: sent }) };
}

/**
 * `POST /verify`: VerifyUserAttribute.
 *
 * @example
 * await verifyRoute(call);   // next: 'profile'
 */
export async function verifyRoute(call: SignedInCall): Promise<Outcome> {
  const attribute = readAttribute(call.body);
  if (attribute === undefined) return { ok: false, status: 400, code: 'ERR_COGNITO_INVALID_FIELD', field: 'attribute', message: '"attribute" must be email or phone_number.' };
  const code = readCode(call.body, 'code');
  if (code.state !== 'ok') return badField('code', code);
  await verifyAttribute(call.ctx, accessTokenOf(call), attribute, code.value);
  return { ok: true, next: 'profile', username: call.user.username };
}

/**
 * `POST /delete`: the password proven by a fresh sign-in (or, when that sign-in asks for MFA, a
 * sign-in of the last {@link RECENT_SIGN_IN_SECONDS}), then DeleteUser.
 *
 * @example
 * await deleteRoute(call);   // next: 'signIn'; the caller clears the session's tokens
 */
export async function deleteRoute(call: SignedInCall): Promise<Outcome> {
  const password = readPassword(call.body, 'password');
  if (password.state !== 'ok') return badField('password', password);
  const accessToken = accessTokenOf(call);
  try {
    await Cognito.fromConfig(call.ctx.config, { username: call.user.username }).authenticate(password.value);
  } catch (e) {
    const authTime = call.user.claims.auth_time;
    const recent = typeof authTime === 'number' && call.nowSeconds - authTime <= RECENT_SIGN_IN_SECONDS;
    if (!(e instanceof ChallengeError && recent)) {
      if (e instanceof ChallengeError) {
        return { ok: false, status: 401, code: 'ERR_COGNITO_REAUTH_REQUIRED', message: 'Sign in again, then delete the account within five minutes.' };
      }
      if (isCognitoError(e) && e.code === 'ERR_COGNITO_BAD_CREDENTIALS') {
        return { ok: false, status: 401, code: 'ERR_COGNITO_BAD_CREDENTIALS', field: 'password', message: 'The password is not right.' };
      }
      throw e;
    }
  }
  await deleteUser(call.ctx, accessToken);
  return { ok: true, next: 'signIn', username: call.user.username };
}

/**
 * `POST /mfa/totp`: a new TOTP secret to add to an authenticator (turned on by {@link verifyTotpRoute}).
 *
 * @example
 * const { totp } = await enrolTotpRoute(call);   // totp.otpauthUri → a QR code
 */
export async function enrolTotpRoute(call: SignedInCall): Promise<Outcome> {
  const secretCode = await associateSoftwareToken(call.ctx.service, accessTokenOf(call));
  const uri = otpauthUri({ secretBase32: secretCode, accountName: call.user.username, issuer: call.totpIssuer });
  return { ok: true, next: 'mfa', username: call.user.username, totp: { secretCode, otpauthUri: uri } };
}

/** Which factors are on now, and the preferred one (from GetUser). */
async function currentMfa(call: SignedInCall): Promise<{ sms: boolean; totp: boolean; preferred: string | undefined }> {
  const profile = await getUser(call.ctx, accessTokenOf(call));
  return { sms: profile.mfa.includes('SMS_MFA'), totp: profile.mfa.includes('SOFTWARE_TOKEN_MFA'), preferred: profile.preferredMfa };
}

/**
 * `POST /mfa/totp/verify`: the authenticator's first code; then TOTP is on and preferred.
 *
 * @example
 * await verifyTotpRoute(call);   // next: 'mfa'
 */
export async function verifyTotpRoute(call: SignedInCall): Promise<Outcome> {
  const code = readCode(call.body, 'code');
  if (code.state !== 'ok') return badField('code', code);
  const token = accessTokenOf(call);
  await verifySoftwareToken(call.ctx.service, token, code.value);
  const now = await currentMfa(call);
  await setMfaPreference(call.ctx.service, token, now.sms, true, 'SOFTWARE_TOKEN');
  return { ok: true, next: 'mfa', username: call.user.username };
}

function readFactor(body: unknown, field: string, all: boolean): 'totp' | 'sms' | 'all' | undefined {
  const v = (body as Record<string, unknown> | undefined)?.[field];
  return v === 'totp' || v === 'sms' || (all && v === 'all') ? v : undefined;
}

/**
 * `POST /mfa/preference`: which enabled factor Cognito asks for first.
 *
 * @example
 * await preferMfaRoute(call);   // { preferred: 'sms' }
 */
export async function preferMfaRoute(call: SignedInCall): Promise<Outcome> {
  const preferred = readFactor(call.body, 'preferred', false);
  if (preferred === undefined) return { ok: false, status: 400, code: 'ERR_COGNITO_INVALID_FIELD', field: 'preferred', message: '"preferred" must be totp or sms.' };
  const now = await currentMfa(call);
  if (!(preferred === 'totp' ? now.totp : now.sms)) {
    return { ok: false, status: 400, code: 'ERR_COGNITO_INVALID_FIELD', field: 'preferred', message: 'That factor is not turned on.' };
  }
  await setMfaPreference(call.ctx.service, accessTokenOf(call), now.sms, now.totp, preferred === 'totp' ? 'SOFTWARE_TOKEN' : 'SMS');
  return { ok: true, next: 'mfa', username: call.user.username };
}

/**
 * `POST /mfa/disable`: a factor (or all) off; the other one, if on, becomes preferred. A pool whose
 * MFA is required refuses it (Cognito's answer).
 *
 * @example
 * await disableMfaRoute(call);   // { factor: 'totp' }
 */
export async function disableMfaRoute(call: SignedInCall): Promise<Outcome> {
  const factor = readFactor(call.body, 'factor', true);
  if (factor === undefined) return { ok: false, status: 400, code: 'ERR_COGNITO_INVALID_FIELD', field: 'factor', message: '"factor" must be totp, sms or all.' };
  const now = await currentMfa(call);
  const sms = factor === 'sms' || factor === 'all' ? false : now.sms;
  const totp = factor === 'totp' || factor === 'all' ? false : now.totp;
  const preferred = totp ? 'SOFTWARE_TOKEN' : sms ? 'SMS' : undefined;
  await setMfaPreference(call.ctx.service, accessTokenOf(call), sms, totp, preferred);
  return { ok: true, next: 'mfa', username: call.user.username };
}
