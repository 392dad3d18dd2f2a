/**
 * The `Cognito` class's challenge answers and MFA management: NEW_PASSWORD_REQUIRED, SMS_MFA,
 * SOFTWARE_TOKEN_MFA, SELECT_MFA_TYPE, MFA_SETUP (AssociateSoftwareToken / VerifySoftwareToken with
 * the challenge Session), and the signed-in user's TOTP and MFA preference. Every answer goes to the
 * admin API when the sign-in was an admin one (`MfaTokens.AuthFlow`).
 */
import {
  AssociateSoftwareTokenCommand,
  SetUserMFAPreferenceCommand,
  VerifySoftwareTokenCommand,
  type AssociateSoftwareTokenCommandOutput,
  type VerifySoftwareTokenCommandOutput,
} from '@aws-sdk/client-cognito-identity-provider';
import { answerCommand, challengeUsername, pendingChallenge, type AuthStepOutput, type LoginFlow, type MfaTokens } from './challenge';
import type { CognitoCore } from './cognito-core';
import { CodeMismatchError, CognitoServiceError, isCognitoError } from './errors';

const MFA_TYPES = ['SOFTWARE_TOKEN_MFA', 'SMS_MFA'];
const PREFERRED = ['SMS', 'SOFTWARE_TOKEN'];

/**
 * A code typed by a person: a caller passing something else than a string is a TypeError; a string
 * that cannot be a code is refused as a wrong code, without asking Cognito.
 */
function checkCode(code: unknown): string {
  if (typeof code !== 'string') throw new TypeError('"code" must be a string');
  const trimmed = code.trim();
  if (!/^\d{6}$/.test(trimmed)) throw new CodeMismatchError();
  return trimmed;
}

function checkName(value: unknown, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length === 0 || value.length > 131) throw new TypeError(`"${name}" must be a non-empty string`);
  return value;
}

/** @internal The MFA half of a `Cognito` instance. */
export class MfaSteps {
  readonly #c: CognitoCore;

  constructor(core: CognitoCore) {
    this.#c = core;
  }

  get #owner() {
    return this.#c.owner;
  }

  async newPassword(newPassword: string, mfaTokens?: MfaTokens, attributes?: Record<string, string>): Promise<void> {
    if (typeof newPassword !== 'string' || newPassword.length === 0) throw new TypeError('"newPassword" must be a non-empty string');
    if (attributes !== undefined && (typeof attributes !== 'object' || attributes === null || Array.isArray(attributes) ||
      Object.values(attributes).some((v) => typeof v !== 'string'))) {
      throw new TypeError('"attributes" must be an object of strings');
    }
    const t = this.#pending(mfaTokens, ['NEW_PASSWORD_REQUIRED']);
    const username = challengeUsername(t, this.#owner.username);
    const responses: Record<string, string> = { USERNAME: username, NEW_PASSWORD: newPassword, ...this.#extra(username) };
    for (const [name, value] of Object.entries(attributes ?? {})) responses[`userAttributes.${name}`] = value;
    await this.#answer(t, 'NEW_PASSWORD_REQUIRED', responses, username);
  }

  async code(challengeName: 'SOFTWARE_TOKEN_MFA' | 'SMS_MFA', code: string, mfaTokens?: MfaTokens): Promise<void> {
    const t = this.#pending(mfaTokens, [challengeName]);
    const value = checkCode(code);
    const username = challengeUsername(t, this.#owner.username);
    const field = challengeName === 'SMS_MFA' ? 'SMS_MFA_CODE' : 'SOFTWARE_TOKEN_MFA_CODE';
    await this.#answer(t, challengeName, { USERNAME: username, [field]: value, ...this.#extra(username) }, username);
  }

  async selectType(mfaType: 'SOFTWARE_TOKEN_MFA' | 'SMS_MFA', mfaTokens?: MfaTokens): Promise<void> {
    if (!MFA_TYPES.includes(mfaType)) throw new TypeError('"mfaType" must be "SOFTWARE_TOKEN_MFA" or "SMS_MFA"');
    const t = this.#pending(mfaTokens, ['SELECT_MFA_TYPE']);
    const username = challengeUsername(t, this.#owner.username);
    await this.#answer(t, 'SELECT_MFA_TYPE', { USERNAME: username, ANSWER: mfaType, ...this.#extra(username) }, username);
  }

  async associate(mfaTokens?: MfaTokens): Promise<{ secretCode: string; session?: string }> {
    const pending = mfaTokens ?? (this.#owner.mfaTokens?.ChallengeName === 'MFA_SETUP' ? this.#owner.mfaTokens : undefined);
    if (pending !== undefined) {
      const t = this.#pending(pending, ['MFA_SETUP']);
      const out = await this.#send<AssociateSoftwareTokenCommandOutput>(new AssociateSoftwareTokenCommand({ Session: t.Session }), t);
      const secretCode = requireSecret(out.SecretCode);
      if (out.Session !== undefined) this.#owner.mfaTokens = { ...t, Session: out.Session };
      return out.Session !== undefined ? { secretCode, session: out.Session } : { secretCode };
    }
    const accessToken = this.#owner.accessToken;
    if (accessToken === undefined) throw new TypeError('"accessToken" (or a pending MFA_SETUP challenge) is required');
    const out = await this.#c.service.send<AssociateSoftwareTokenCommandOutput>(
      new AssociateSoftwareTokenCommand({ AccessToken: accessToken }), 'other');
    return { secretCode: requireSecret(out.SecretCode) };
  }

  async finishSetup(code: string, mfaTokens?: MfaTokens, deviceName?: string): Promise<void> {
    const t = this.#pending(mfaTokens, ['MFA_SETUP']);
    const value = checkCode(code);
    const friendly = checkName(deviceName, 'deviceName');
    const username = challengeUsername(t, this.#owner.username);
    const verified = await this.#send<VerifySoftwareTokenCommandOutput>(new VerifySoftwareTokenCommand({
      Session: t.Session, UserCode: value, ...(friendly !== undefined ? { FriendlyDeviceName: friendly } : {}),
    }), t);
    if (verified.Status !== 'SUCCESS') throw new CodeMismatchError();
    const next: MfaTokens = { ...t, ...(verified.Session !== undefined ? { Session: verified.Session } : {}) };
    this.#owner.mfaTokens = next;
    await this.#answer(next, 'MFA_SETUP', { USERNAME: username, ...this.#extra(username) }, username);
  }

  async verify(code: string, deviceName: string | undefined, accessToken: string): Promise<boolean> {
    const value = checkCode(code);
    const friendly = checkName(deviceName, 'deviceName');
    const out = await this.#c.service.send<VerifySoftwareTokenCommandOutput>(new VerifySoftwareTokenCommand({
      AccessToken: accessToken, UserCode: value, ...(friendly !== undefined ? { FriendlyDeviceName: friendly } : {}),
    }), 'other');
    return out.Status === 'SUCCESS';
  }

  async preference(sms: boolean, softwareToken: boolean, preferred: string | undefined, accessToken: string): Promise<void> {
    if (typeof sms !== 'boolean') throw new TypeError('"sms" must be a boolean');
    if (typeof softwareToken !== 'boolean') throw new TypeError('"softwareToken" must be a boolean');
    if (preferred !== undefined && !PREFERRED.includes(preferred)) throw new TypeError('"preferred" must be "SMS" or "SOFTWARE_TOKEN"');
    if ((sms || softwareToken) && preferred === undefined) {
      throw new TypeError('"preferred" must be "SMS" or "SOFTWARE_TOKEN" while a factor is enabled');
    }
    if ((preferred === 'SMS' && !sms) || (preferred === 'SOFTWARE_TOKEN' && !softwareToken)) {
      throw new TypeError('"preferred" must name an enabled factor');
    }
    await this.#c.service.send(new SetUserMFAPreferenceCommand({
      AccessToken: accessToken,
      SMSMfaSettings: { Enabled: sms, PreferredMfa: sms && preferred === 'SMS' },
      SoftwareTokenMfaSettings: { Enabled: softwareToken, PreferredMfa: softwareToken && preferred === 'SOFTWARE_TOKEN' },
    }), 'other');
  }

  // -------------------------------------------------------------------------------------------

  /** Checks the challenge and remembers it on the instance, so that a retry needs no argument. */
  #pending(given: MfaTokens | undefined, expected: readonly string[]): MfaTokens {
    const t = pendingChallenge(given, this.#owner.mfaTokens, expected);
    this.#owner.mfaTokens = t;
    return t;
  }

  #extra(username: string): Record<string, string> {
    const deviceKey = this.#owner.deviceKey;
    return { ...this.#c.hash(username), ...(deviceKey !== undefined ? { DEVICE_KEY: deviceKey } : {}) };
  }

  async #answer(t: MfaTokens, challengeName: string, responses: Record<string, string>, username: string): Promise<void> {
    // pendingChallenge() has checked AuthFlow against the two flows.
    const flow = (t.AuthFlow ?? 'USER_SRP_AUTH') as LoginFlow;
    const { userPoolId, clientId } = this.#c.config;
    const out = await this.#send<AuthStepOutput>(
      answerCommand({ flow, userPoolId, clientId, challengeName, session: t.Session, responses }), t);
    await this.#c.finish(out, flow, username);
  }

  /** A call within a challenge: an expired challenge is forgotten. */
  async #send<O>(command: object, t: MfaTokens): Promise<O> {
    try {
      return await this.#c.service.send<O>(command, 'challenge');
    } catch (e) {
      if (isCognitoError(e) && e.code === 'ERR_COGNITO_CHALLENGE_EXPIRED' && this.#owner.mfaTokens?.Session === t.Session) {
        this.#owner.mfaTokens = undefined;
      }
      throw e;
    }
  }
}

function requireSecret(secret: string | undefined): string {
  if (typeof secret !== 'string' || secret.length === 0) throw new CognitoServiceError('Cognito answered AssociateSoftwareToken without a secret.');
  return secret;
}
