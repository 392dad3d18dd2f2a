/**
 * The MFA_SETUP step of `CognitoStrategy`: handing out a TOTP key once per login (secret and
 * `otpauth://` URI, kept with the pending challenge in the session), and repeating it whenever the
 * step is still pending — an empty POST, a wrong or a malformed first code — so that the app can
 * show the QR code again without keeping its own copy.
 */
import type { Request } from 'express';
import type { MfaTokens } from '../lib/challenge';
import { associateForSetup, type EngineContext } from '../lib/sign-in-engine';
import { otpauthUri } from '../lib/totp';
import { getPendingChallenge, setPendingChallenge, type PendingChallenge } from '../middleware/session-tokens';
import type { CognitoFailureInfo } from './types';

/**
 * A TOTP key as shown to the person: the base32 secret and its `otpauth://` URI (for a QR code).
 *
 * @example
 * const key: TotpKey = { secretCode: 'JBSWY3DPEHPK3PXP', otpauthUri: 'otpauth://totp/App:bob?secret=…' };
 */
export interface TotpKey {
  secretCode: string;
  otpauthUri: string;
}

/** What {@link mfaSetupPrompt} needs from the strategy. */
export interface MfaSetupSettings {
  /** Issuer shown by authenticator apps. */
  issuer: string;
  /** "Now" in ms. */
  clock: () => number;
  /** How long the pending challenge stays answerable, in ms. */
  challengeTtlMs: number;
}

/**
 * The key handed out earlier in this login, if any (the URI is rebuilt for a record that has only
 * the secret).
 *
 * @example
 * const key = pendingTotpKey(pending, 'My App');
 */
export function pendingTotpKey(pending: PendingChallenge, issuer: string): TotpKey | undefined {
  const { secretCode } = pending;
  if (typeof secretCode !== 'string' || secretCode === '') return undefined;
  const uri = typeof pending.otpauthUri === 'string' ? pending.otpauthUri : totpUri(pending.username, secretCode, issuer);
  return { secretCode, otpauthUri: uri };
}

/**
 * The MFA_SETUP prompt: on the first call AssociateSoftwareToken gets a secret, which is stored with
 * the pending challenge (with the challenge session it replaces); later calls repeat it.
 *
 * @example
 * const info = await mfaSetupPrompt(req, engine, pending, { issuer, clock, challengeTtlMs }); // fail(info, 401)
 */
export async function mfaSetupPrompt(
  req: Request, engine: EngineContext, pending: PendingChallenge, settings: MfaSetupSettings,
): Promise<CognitoFailureInfo> {
  let key = pendingTotpKey(pending, settings.issuer);
  if (!key) {
    const { secretCode, challenge } = await associateForSetup(engine, pending.state as MfaTokens);
    key = { secretCode, otpauthUri: totpUri(pending.username, secretCode, settings.issuer) };
    // AssociateSoftwareToken replaces the challenge's Session: the next step must use the new one.
    setPendingChallenge(req, { ...pending, state: challenge, ...key, expiresAt: settings.clock() + settings.challengeTtlMs });
  }
  return {
    challenge: 'MFA_SETUP',
    code: 'ERR_COGNITO_MFA_SETUP',
    message: 'Add this key to an authenticator app, then send the code it shows.',
    ...key,
  };
}

/**
 * `info` of a failed answer to MFA_SETUP with the key repeated, when the step is still pending in
 * this session (a wrong or malformed code); otherwise `info` unchanged.
 *
 * @example
 * return { kind: 'fail', status, info: withPendingTotpKey(req, info, issuer) };
 */
export function withPendingTotpKey(req: Request, info: CognitoFailureInfo, issuer: string): CognitoFailureInfo {
  if (info.challenge !== 'MFA_SETUP' || info.secretCode !== undefined) return info;
  const pending = getPendingChallenge(req);
  const key = pending?.name === 'MFA_SETUP' ? pendingTotpKey(pending, issuer) : undefined;
  return key ? { ...info, ...key } : info;
}

function totpUri(username: string, secretCode: string, issuer: string): string {
  return otpauthUri({ secretBase32: secretCode, accountName: username.replace(/:/g, '_') || 'user', issuer });
}
