/**
 * What the example app itself keeps in the session between a form post and the page it redirects
 * to (Post/Redirect/Get): never a password, a token or a code typed by the user.
 *
 * The package keeps its own state there too (Passport's user, the tokens, the pending sign-in
 * challenge, the CSRF token, `accountFlash`); these are the app's additions.
 */
import type { AccountFlash } from 'express-cognito';
import type { SessionData } from 'express-session';

/** The sign-in step Cognito asked for, as the strategy described it: what GET /login/step shows. */
export interface LoginStep {
  challenge: string;
  /** The login route the step's form posts to (`/login`, or the security check's). */
  route?: string | undefined;
  /** CUSTOM_CHALLENGE: the question the pool's CreateAuthChallenge trigger asks. */
  question?: string | undefined;
  /** SMS_MFA, EMAIL_OTP, SMS_OTP: where the code went (masked by Cognito). */
  destination?: string | undefined;
  /** USER_AUTH: the first factors Cognito offered at SELECT_CHALLENGE (kept for "use another way"). */
  availableChallenges?: string[] | undefined;
  /** WEB_AUTHN: the options for `navigator.credentials.get()` (a challenge to sign, no secret). */
  credentialRequestOptions?: Record<string, unknown> | undefined;
  /**
   * USER_AUTH: the step is the first factor (no password was proved), so a new code or another
   * factor may be asked for; false for e-mail MFA after a password.
   */
  firstFactor?: boolean | undefined;
  /** The username typed at the start (for the password manager on the choice page). */
  username?: string | undefined;
  /** What went right with the last post (a new code was sent): shown once. */
  notice?: string | undefined;
  /** SELECT_MFA_TYPE: the factors to choose from. */
  mfaTypes?: string[] | undefined;
  /** MFA_SETUP: the new authenticator's key and its `otpauth://` URI (drawn as a QR code). */
  secretCode?: string | undefined;
  otpauthUri?: string | undefined;
  returnTo?: string | undefined;
  /** Why the last answer was refused: shown once. */
  error?: string | undefined;
  /** The strategy's code of that refusal (e.g. `ERR_COGNITO_INVALID_PASSWORD`), with `error`. */
  errorCode?: string | undefined;
}

/** A refused login, for the next GET /login (once). */
export interface LoginNotice {
  error: string;
  username?: string | undefined;
}

/** What was typed into an account form (no password, no code), to fill it again after a refusal. */
export interface AccountDraft {
  username?: string | undefined;
  email?: string | undefined;
}

/** A form the app refused before the account router saw it (e.g. two different passwords), for its page (once). */
export interface FormError {
  route: string;
  field: string;
  message: string;
}

/** An authenticator being set up (POST /account/mfa/totp), shown on /mfa until its first code is accepted. */
export interface TotpEnrolment {
  secretCode: string;
  otpauthUri: string;
}

/** The profile page's answer to a form far down the page, kept over the redirect that scrolls to it. */
export interface ProfileMessages {
  flash?: AccountFlash | undefined;
  formError?: FormError | undefined;
}

declare module 'express-session' {
  interface SessionData {
    loginStep: LoginStep;
    profileMessages: ProfileMessages;
    loginNotice: LoginNotice;
    accountDraft: AccountDraft;
    formError: FormError;
    totpEnrolment: TotpEnrolment;
    /** Set at GET /auth/callback: this session came from the hosted UI, so logout ends its managed-login session too. */
    hostedSignIn: boolean;
    /** Where GET /auth/hosted was asked to lead once signed in (a path on this site), until the callback. */
    hostedReturnTo: string;
    /** The passkey a delete form asked to remove: the Security page says it is gone once it is. */
    passkeyDeleted: string;
  }
}

/**
 * Reads a one-shot value from the session and forgets it.
 *
 * @example
 * const notice = takeOnce(req.session, 'loginNotice');
 */
export function takeOnce<K extends 'loginNotice' | 'formError' | 'profileMessages'>(
  session: Partial<SessionData> | undefined, key: K,
): SessionData[K] | undefined {
  if (session === undefined) return undefined;
  const value = session[key];
  if (value !== undefined) delete session[key];
  return value;
}
