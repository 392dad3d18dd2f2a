/**
 * The challenge answers of `Cognito`, one method each (a base class so that `lib/cognito.ts` keeps the
 * sign-in starts, tokens and devices): every method hands its answer to the sign-in engine through
 * {@link CognitoChallenges.answer}, which `Cognito` implements with the pending challenge it keeps
 * (`mfaTokens`) and the outcome it stores. Each next step is raised as its typed error.
 */
import type { MfaTokens } from './challenge';
import { CognitoAccount } from './cognito-account';
import { checkClientMetadata } from './cognito-options';
import type { ChallengeAnswer, FirstFactor, WebAuthnCredential } from './sign-in-engine';

/** Options of the sign-in calls: what reaches Cognito's Lambda triggers. */
export interface AuthenticateOptions {
  /** Passed to Cognito's Lambda triggers. */
  clientMetadata?: Record<string, string>;
}

/**
 * Answers to every challenge, inherited by `Cognito`.
 *
 * @example
 * try { await u.authenticate(password); }
 * catch (e) { if (e instanceof SoftwareTokenMFAChallengeError) await u.respondToSoftwareTokenMfaChallenge(code); }
 */
export abstract class CognitoChallenges extends CognitoAccount {
  /** The pending challenge of the last sign-in step, if any. */
  abstract mfaTokens: MfaTokens | undefined;

  /**
   * Answers the pending challenge (`given`, else the remembered one) and keeps the outcome: the
   * tokens, or the next challenge (thrown as its typed error).
   */
  protected abstract answer(given: MfaTokens | undefined, answer: ChallengeAnswer, clientMetadata?: Record<string, string>): Promise<void>;

  /**
   * Answers SELECT_CHALLENGE with the factor the user picked. PASSWORD and PASSWORD_SRP can finish in
   * one step with `password` (PASSWORD_SRP proves it by SRP), WEB_AUTHN with a `credential`; without
   * them (and for EMAIL_OTP / SMS_OTP, whose code Cognito now sends) the factor's challenge follows.
   *
   * @throws the next challenge as its typed error; TypeError for a choice or field that does not fit.
   * @example
   * await u.selectChallenge('PASSWORD_SRP', { password });
   */
  async selectChallenge(
    choice: FirstFactor, answer: { password?: string; credential?: WebAuthnCredential } = {}, mfaTokens?: MfaTokens,
  ): Promise<void> {
    return this.answer(mfaTokens, { challenge: 'SELECT_CHALLENGE', choice, password: answer?.password, credential: answer?.credential });
  }
  /**
   * Answers EMAIL_OTP — the e-mailed sign-in code of USER_AUTH, or e-mail MFA after a password.
   *
   * @throws CodeMismatchError for a wrong code (the challenge stays pending); ChallengeExpiredError.
   * @example
   * await u.respondToEmailOtpChallenge('12345678');
   */
  async respondToEmailOtpChallenge(code: string, mfaTokens?: MfaTokens): Promise<void> {
    return this.answer(mfaTokens, { challenge: 'EMAIL_OTP', code });
  }
  /**
   * Answers SMS_OTP, the texted sign-in code of USER_AUTH.
   *
   * @throws as {@link respondToEmailOtpChallenge}.
   * @example
   * await u.respondToSmsOtpChallenge('12345678');
   */
  async respondToSmsOtpChallenge(code: string, mfaTokens?: MfaTokens): Promise<void> {
    return this.answer(mfaTokens, { challenge: 'SMS_OTP', code });
  }
  /**
   * Answers a PASSWORD or PASSWORD_SRP challenge (USER_AUTH asking for the password): PASSWORD_SRP
   * proves it by SRP.
   *
   * @throws `AuthenticationFailedError` for a wrong password; TypeError when neither is pending.
   * @example
   * await u.respondToPasswordChallenge(password);
   */
  async respondToPasswordChallenge(password: string, mfaTokens?: MfaTokens): Promise<void> {
    const name = (mfaTokens ?? this.mfaTokens)?.ChallengeName === 'PASSWORD' ? 'PASSWORD' : 'PASSWORD_SRP';
    return this.answer(mfaTokens, { challenge: name, password });
  }
  /**
   * Answers WEB_AUTHN with the browser's assertion (AuthenticationResponseJSON, `credential.toJSON()`,
   * or its JSON text) for the challenge's `requestOptions`.
   *
   * @throws `AuthenticationFailedError` for an assertion Cognito refuses; TypeError for a malformed one.
   * @example
   * await u.respondToWebAuthnChallenge(req.body.credential);
   */
  async respondToWebAuthnChallenge(credential: WebAuthnCredential, mfaTokens?: MfaTokens): Promise<void> {
    return this.answer(mfaTokens, { challenge: 'WEB_AUTHN', credential });
  }
  /**
   * Answers a CUSTOM_CHALLENGE. The triggers decide what follows: tokens, another
   * `CustomChallengeError` (a wrong answer usually brings a new question), or a failed sign-in.
   *
   * @param answer what the user answered (at most 2048 characters); `mfaTokens` as for the other answers.
   * @throws TypeError for a malformed answer or without a pending CUSTOM_CHALLENGE; `AuthenticationFailedError`
   *   when the triggers fail the sign-in; `ChallengeExpiredError`.
   * @example
   * await u.respondToCustomChallenge('blue', saved, { clientMetadata: { step: 'question' } });
   */
  async respondToCustomChallenge(answer: string, mfaTokens?: MfaTokens, options: AuthenticateOptions = {}): Promise<void> {
    const clientMetadata = checkClientMetadata(options?.clientMetadata);
    return this.answer(mfaTokens, { challenge: 'CUSTOM_CHALLENGE', answer }, clientMetadata);
  }
  /**
   * Answers NEW_PASSWORD_REQUIRED with the saved challenge (no new sign-in).
   *
   * @param attributes required attributes Cognito listed in `requiredAttributes` (names without prefix).
   * @throws TypeError when no such challenge is pending; further challenges as typed errors.
   * @example
   * await u.respondToNewPasswordChallenge('My-new-pass-2', saved);
   */
  async respondToNewPasswordChallenge(newPassword: string, mfaTokens?: MfaTokens, attributes?: Record<string, string>): Promise<void> {
    return this.answer(mfaTokens, { challenge: 'NEW_PASSWORD_REQUIRED', newPassword, attributes });
  }
  /**
   * Answers SOFTWARE_TOKEN_MFA with a code from the authenticator app.
   *
   * @throws CodeMismatchError for a wrong code (the challenge stays pending); ChallengeExpiredError.
   * @example
   * await u.respondToSoftwareTokenMfaChallenge('123456', err.getTokens());
   */
  async respondToSoftwareTokenMfaChallenge(code: string, mfaTokens?: MfaTokens): Promise<void> {
    return this.answer(mfaTokens, { challenge: 'SOFTWARE_TOKEN_MFA', code });
  }
  /**
   * Answers SMS_MFA with the code Cognito sent by SMS.
   *
   * @throws as {@link respondToSoftwareTokenMfaChallenge}.
   * @example
   * await u.respondToSmsMfaChallenge('123456');
   */
  async respondToSmsMfaChallenge(code: string, mfaTokens?: MfaTokens): Promise<void> {
    return this.answer(mfaTokens, { challenge: 'SMS_MFA', code });
  }
  /**
   * Answers SELECT_MFA_TYPE. Cognito then challenges for the chosen factor, which is raised as its
   * typed error (`SoftwareTokenMFAChallengeError` / `SMSMFAChallengeError`).
   *
   * @example
   * try { await u.respondToSelectMfaTypeChallenge('SOFTWARE_TOKEN_MFA'); }
   * catch (e) { if (e instanceof SoftwareTokenMFAChallengeError) askForCode(); else throw e; }
   */
  async respondToSelectMfaTypeChallenge(mfaType: 'SOFTWARE_TOKEN_MFA' | 'SMS_MFA' | 'EMAIL_OTP', mfaTokens?: MfaTokens): Promise<void> {
    return this.answer(mfaTokens, { challenge: 'SELECT_MFA_TYPE', mfaType });
  }
  /**
   * Finishes MFA_SETUP: VerifySoftwareToken with the first code, then the MFA_SETUP answer.
   *
   * @param deviceName the authenticator's friendly name.
   * @throws CodeMismatchError for a wrong code.
   * @example
   * await u.respondToMfaSetupChallenge(generateTotp(secretCode, Date.now()));
   */
  async respondToMfaSetupChallenge(code: string, mfaTokens?: MfaTokens, deviceName?: string): Promise<void> {
    return this.answer(mfaTokens, { challenge: 'MFA_SETUP', code, friendlyDeviceName: deviceName });
  }
}
