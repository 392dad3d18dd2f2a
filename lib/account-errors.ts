/**
 * The errors of account self-service (sign-up, confirmation, recovery, profile), each a
 * {@link CognitoError} with a code of its own. `mapServiceError` raises them for calls made in the
 * `'account'` context; during a sign-in the same exceptions keep their sign-in meaning (an expired
 * MFA code is a {@link CodeMismatchError}, a limit is a {@link ThrottledError}).
 */
import { CodeMismatchError, CognitoError, ThrottledError, type CognitoErrorOptions } from './errors';

/**
 * SignUp (or AdminCreateUser) for a username that is taken (UsernameExistsException). A web layer
 * that must not reveal accounts answers it as it answers a successful sign-up.
 *
 * @example
 * catch (e) { if (e instanceof UsernameExistsError) return showForm('Pick another username'); }
 */
export class UsernameExistsError extends CognitoError {
  constructor(options?: CognitoErrorOptions) {
    super('An account with this username already exists.', 'ERR_COGNITO_USERNAME_EXISTS', 409, options);
  }
}

/**
 * The e-mail or phone number is already another confirmed account's alias (AliasExistsException).
 *
 * @example
 * catch (e) { if (e instanceof AliasExistsError) return showForm('This e-mail is used by another account'); }
 */
export class AliasExistsError extends CognitoError {
  constructor(options?: CognitoErrorOptions) {
    super('An account with this e-mail or phone number already exists.', 'ERR_COGNITO_ALIAS_EXISTS', 409, options);
  }
}

/**
 * A confirmation, reset or verification code that has expired (ExpiredCodeException): ask for a new
 * one. A subclass of {@link CodeMismatchError}, so code that handles a wrong code handles it too.
 *
 * @example
 * catch (e) { if (e instanceof ExpiredCodeError) return offerResend(); }
 */
export class ExpiredCodeError extends CodeMismatchError {
  declare readonly code: 'ERR_COGNITO_CODE_EXPIRED';

  constructor(options?: CognitoErrorOptions) {
    super('The code has expired; ask for a new one.', options, 'ERR_COGNITO_CODE_EXPIRED');
  }
}

/**
 * Cognito's per-user limit on codes and attempts (LimitExceededException, TooManyFailedAttempts…):
 * "Attempt limit exceeded, please try after some time." A subclass of {@link ThrottledError}.
 *
 * @example
 * catch (e) { if (e instanceof LimitExceededError) return res.status(429).render('later'); }
 */
export class LimitExceededError extends ThrottledError {
  declare readonly code: 'ERR_COGNITO_LIMIT_EXCEEDED';

  constructor(retryAfterSeconds = 1, options?: CognitoErrorOptions) {
    super(retryAfterSeconds, 'Attempt limit exceeded; try again later.', options, 'ERR_COGNITO_LIMIT_EXCEEDED');
  }
}

/**
 * No such user, in an account call of a client whose `PreventUserExistenceErrors` is LEGACY
 * (UserNotFoundException). Web layers answer it as they answer success, so as not to reveal accounts.
 *
 * @example
 * catch (e) { if (e instanceof UserNotFoundError) return res.redirect('/account/reset'); }
 */
export class UserNotFoundError extends CognitoError {
  constructor(options?: CognitoErrorOptions) {
    super('No such user.', 'ERR_COGNITO_USER_NOT_FOUND', 404, options);
  }
}

// Cognito's InvalidParameterException texts that hold nothing the caller typed and help a user.
const SAFE_INVALID_PARAMETER = [
  /^Cannot reset password for the user as there is no registered\/verified email or phone_number\.?$/,
  /^Invalid email address format\.?$/,
  /^Invalid phone number format\.?$/,
  /^User is already confirmed\.?$/,
  /^Username should be (an email|a phone number)\.?$/,
  /^Attributes did not conform to the schema: [\w:. ,-]{1,200}$/,
  /^Cannot modify the non-mutable attribute [\w:]{1,64}\.?$/,
];

/**
 * Cognito refused a parameter (InvalidParameterException) in an account call: a 400. Its message is
 * Cognito's only when that text is one of a known few that echo nothing the caller sent (Cognito's
 * validation messages can quote the value, a password included); otherwise a fixed text.
 *
 * @example
 * catch (e) { if (e instanceof InvalidParameterError) return showForm(e.message); }
 */
export class InvalidParameterError extends CognitoError {
  constructor(message?: string, options?: CognitoErrorOptions) {
    const safe = message !== undefined && SAFE_INVALID_PARAMETER.some((re) => re.test(message));
    super(safe ? message : 'Cognito refused a parameter of the request.', 'ERR_COGNITO_INVALID_PARAMETER', 400, options);
  }
}

/**
 * Cognito refused a passkey registration (its `awsErrorName` says why: WebAuthnChallengeNotFoundException
 * — the options expired or were used —, WebAuthnOriginNotAllowedException, WebAuthnRelyingPartyMismatchException,
 * WebAuthnClientMismatchException, WebAuthnCredentialNotSupportedException): start the registration again.
 *
 * @example
 * catch (e) { if (e instanceof PasskeyRefusedError) return res.status(400).json({ code: e.code }); }
 */
export class PasskeyRefusedError extends CognitoError {
  constructor(options?: CognitoErrorOptions) {
    super('The passkey was not accepted; try again.', 'ERR_COGNITO_PASSKEY_REFUSED', 400, options);
  }
}

/**
 * Passkeys are not available in this user pool (WebAuthnNotEnabledException: WEB_AUTHN is not an
 * allowed first factor or the pool's feature plan lacks it; WebAuthnConfigurationMissingException:
 * no relying party ID and no domain).
 *
 * @example
 * catch (e) { if (e instanceof PasskeysNotEnabledError) hidePasskeySection(); }
 */
export class PasskeysNotEnabledError extends CognitoError {
  constructor(options?: CognitoErrorOptions) {
    super('Passkeys are not enabled for this user pool.', 'ERR_COGNITO_PASSKEYS_NOT_ENABLED', 403, options);
  }
}

/**
 * DeleteWebAuthnCredential of a passkey the user does not have (another user's, or one already
 * deleted): ResourceNotFoundException.
 *
 * @example
 * catch (e) { if (e instanceof PasskeyNotFoundError) return res.status(404).end(); }
 */
export class PasskeyNotFoundError extends CognitoError {
  constructor(options?: CognitoErrorOptions) {
    super('No such passkey.', 'ERR_COGNITO_PASSKEY_NOT_FOUND', 404, options);
  }
}
