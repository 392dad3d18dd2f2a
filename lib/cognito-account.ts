/**
 * The account methods of `Cognito` (pycognito's names, TypeScript idiom): sign-up, confirmation,
 * recovery, password change, profile, attribute verification, deletion, and the admin calls. A base
 * class so that `lib/cognito.ts` stays about sign-in; every method is one call of `./account` with
 * the instance's username or access token, and none writes a field (deleting the account asks the
 * subclass to forget its tokens).
 */
import {
  changePassword, confirmForgotPassword, confirmSignUp, deleteUser, describePasswordPolicy, forgotPassword, getUser,
  resendConfirmationCode, sendAttributeVerification, signUp, updateUserAttributes, verifyAttribute,
  type AccountContext, type ConfirmSignUpOptions, type CodeDelivery, type SignUpOptions, type SignUpResult, type UserProfile,
} from './account';
import {
  adminCreateUser, adminGetUser, adminGroupMembership, adminListGroupsForUser, adminUpdateUserAttributes, adminUserAction, listUsers,
  type AdminCreateUserOptions, type CognitoUserRecord,
} from './account-admin';
import type { ResolvedConfig } from './config';
import {
  completePasskeyRegistration, deletePasskey, getUserAuthFactors, listPasskeys, startPasskeyRegistration,
  type Passkey, type UserAuthFactors,
} from './passkeys';
import type { PasswordPolicy } from './password-policy';

export type { Passkey, UserAuthFactors } from './passkeys';

/** What {@link CognitoAccount.getUser} returns: the user's username, attributes and MFA settings. */
export type CognitoProfile = UserProfile;

/**
 * Account self-service and admin methods, inherited by `Cognito`.
 *
 * @example
 * const u = new Cognito(poolId, clientId, { username: 'ann' });
 * await u.register('S3cure!pass', { email: 'ann@example.com' });
 * await u.confirmSignUp('123456');
 */
export abstract class CognitoAccount {
  abstract readonly config: ResolvedConfig;
  abstract username: string | undefined;
  abstract accessToken: string | undefined;
  /** The config and service client the account calls use. */
  protected abstract accountContext(): AccountContext;
  /** Forgets the tokens once the account they belong to is deleted. */
  protected abstract accountDeleted(): void;

  /**
   * SignUp for {@link username}: the account is UNCONFIRMED until {@link confirmSignUp} (unless a
   * PreSignUp trigger confirms it). `password` `undefined`: a passwordless account, where the pool
   * allows EMAIL_OTP, SMS_OTP or WEB_AUTHN as first factors.
   *
   * @param attributes e.g. `{ email: 'ann@example.com', name: 'Ann' }` (custom ones as `custom:…`).
   * @throws UsernameExistsError, InvalidPasswordError (`requirement` says which rule), InvalidParameterError.
   * @example
   * const { codeDelivery } = await u.register('S3cure!pass', { email: 'ann@example.com' });
   */
  async register(
    password: string | undefined, attributes: Record<string, string> = {}, options: SignUpOptions = {},
  ): Promise<SignUpResult> {
    return signUp(this.accountContext(), this.#username(), password, attributes, options);
  }

  /**
   * ConfirmSignUp with the code sent at sign-up.
   *
   * @returns the session for a `USER_AUTH` sign-in right after, when Cognito gives one.
   * @throws CodeMismatchError, ExpiredCodeError, AliasExistsError, NotAuthorizedError (already confirmed).
   * @example
   * await u.confirmSignUp('123456');
   */
  async confirmSignUp(
    code: string, options: ConfirmSignUpOptions = {},
  ): Promise<string | undefined> {
    return confirmSignUp(this.accountContext(), this.#username(), code, options);
  }

  /**
   * ResendConfirmationCode.
   *
   * @throws LimitExceededError; UserNotFoundError for a LEGACY client.
   * @example
   * const sentTo = await u.resendConfirmationCode();   // { destination: 'a***@e***', … }
   */
  async resendConfirmationCode(): Promise<CodeDelivery | undefined> {
    return resendConfirmationCode(this.accountContext(), this.#username());
  }

  /**
   * ForgotPassword: a reset code to the user's verified e-mail or phone.
   *
   * @throws LimitExceededError, InvalidParameterError (no verified contact); UserNotFoundError (LEGACY).
   * @example
   * await u.initiateForgotPassword();
   */
  async initiateForgotPassword(): Promise<CodeDelivery | undefined> {
    return forgotPassword(this.accountContext(), this.#username());
  }

  /**
   * ConfirmForgotPassword: the code and the new password.
   *
   * @throws CodeMismatchError, ExpiredCodeError, InvalidPasswordError, LimitExceededError.
   * @example
   * await u.confirmForgotPassword('123456', 'N3w!password');
   */
  async confirmForgotPassword(code: string, newPassword: string): Promise<void> {
    return confirmForgotPassword(this.accountContext(), this.#username(), code, newPassword);
  }

  /**
   * ChangePassword of the signed-in user.
   *
   * @throws NotAuthorizedError (wrong previous password), InvalidPasswordError, LimitExceededError.
   * @example
   * await u.changePassword('old!Passw0rd', 'new!Passw0rd');
   */
  async changePassword(previousPassword: string, proposedPassword: string): Promise<void> {
    return changePassword(this.accountContext(), this.#accessToken(), previousPassword, proposedPassword);
  }

  /**
   * GetUser: the signed-in user's attributes as an object, and MFA settings.
   *
   * @example
   * const { attributes } = await u.getUser();   // { sub: '…', email: 'ann@example.com', email_verified: 'true' }
   */
  async getUser(): Promise<CognitoProfile> {
    return getUser(this.accountContext(), this.#accessToken());
  }

  /**
   * GetUserAuthFactors: the first factors the signed-in user can sign in with (`configuredFactors`:
   * PASSWORD, EMAIL_OTP, SMS_OTP, WEB_AUTHN) and their MFA.
   *
   * @example
   * if ((await u.getUserAuthFactors()).configuredFactors.includes('WEB_AUTHN')) offerPasskeySignIn();
   */
  async getUserAuthFactors(): Promise<UserAuthFactors> {
    return getUserAuthFactors(this.accountContext(), this.#accessToken());
  }

  /**
   * StartWebAuthnRegistration: the creation options (PublicKeyCredentialCreationOptionsJSON) to hand
   * to the browser's `navigator.credentials.create()` (after `PublicKeyCredential.parseCreationOptionsFromJSON`).
   *
   * @throws PasskeysNotEnabledError.
   * @example
   * res.json(await u.startWebAuthnRegistration());
   */
  async startWebAuthnRegistration(): Promise<Record<string, unknown>> {
    return startPasskeyRegistration(this.accountContext(), this.#accessToken());
  }

  /**
   * CompleteWebAuthnRegistration with the browser's RegistrationResponseJSON (`credential.toJSON()`).
   *
   * @throws TypeError for a malformed credential; PasskeyRefusedError (expired options, origin, RP ID…).
   * @example
   * await u.completeWebAuthnRegistration(req.body.credential);
   */
  async completeWebAuthnRegistration(credential: Record<string, unknown> | string): Promise<void> {
    return completePasskeyRegistration(this.accountContext(), this.#accessToken(), credential);
  }

  /**
   * ListWebAuthnCredentials: the user's passkeys (every page).
   *
   * @example
   * const passkeys = await u.listWebAuthnCredentials(); // [{ credentialId, friendlyName, createdAt, … }]
   */
  async listWebAuthnCredentials(): Promise<Passkey[]> {
    return listPasskeys(this.accountContext(), this.#accessToken());
  }

  /**
   * DeleteWebAuthnCredential: removes one of the user's passkeys.
   *
   * @example
   * await u.deleteWebAuthnCredential(credentialId);
   */
  async deleteWebAuthnCredential(credentialId: string): Promise<void> {
    return deletePasskey(this.accountContext(), this.#accessToken(), credentialId);
  }

  /**
   * UpdateUserAttributes of the signed-in user (`''` deletes an attribute). A new e-mail or phone is
   * sent a code: {@link validateVerification} with it.
   *
   * @returns where codes were sent.
   * @throws AliasExistsError, InvalidParameterError.
   * @example
   * await u.updateProfile({ given_name: 'Ann', email: 'ann@new.example' });
   */
  async updateProfile(attributes: Record<string, string>): Promise<CodeDelivery[]> {
    return updateUserAttributes(this.accountContext(), this.#accessToken(), attributes);
  }

  /**
   * GetUserAttributeVerificationCode: a code to verify `email` (default) or `phone_number`.
   *
   * @example
   * await u.sendVerification('phone_number');
   */
  async sendVerification(attribute = 'email'): Promise<CodeDelivery | undefined> {
    return sendAttributeVerification(this.accountContext(), this.#accessToken(), attribute);
  }

  /**
   * VerifyUserAttribute with the code sent.
   *
   * @throws CodeMismatchError, ExpiredCodeError, AliasExistsError.
   * @example
   * await u.validateVerification('123456');   // email
   */
  async validateVerification(code: string, attribute = 'email'): Promise<void> {
    return verifyAttribute(this.accountContext(), this.#accessToken(), attribute, code);
  }

  /**
   * DeleteUser: deletes the signed-in user's account, then forgets the tokens.
   *
   * @example
   * await u.deleteUser();
   */
  async deleteUser(): Promise<void> {
    await deleteUser(this.accountContext(), this.#accessToken());
    this.accountDeleted();
  }

  /**
   * The pool's password policy (DescribeUserPool: AWS credentials needed), e.g. to show it on a
   * sign-up page or to fill `InvalidPasswordError.policy`.
   *
   * @throws CognitoServiceError (`ERR_COGNITO_SERVICE`, `awsErrorName` `'CredentialsProviderError'`) whose
   *   message says so when the SDK client has no AWS credentials (an app client alone cannot read the policy).
   * @example
   * const { minimumLength } = await u.passwordPolicy();
   */
  async passwordPolicy(): Promise<PasswordPolicy> {
    return describePasswordPolicy(this.accountContext());
  }

  // -- Admin (AWS credentials: the SDK client's); `username` defaults to the instance's.

  /**
   * AdminCreateUser. Without `temporaryPassword` Cognito generates one and sends the invitation.
   *
   * @example
   * await admin.adminCreateUser('bob', { attributes: { email: 'bob@example.com' }, deliveryMediums: ['EMAIL'] });
   */
  async adminCreateUser(username: string | undefined, options: AdminCreateUserOptions = {}): Promise<CognitoUserRecord> {
    return adminCreateUser(this.accountContext(), username ?? this.#username(), options);
  }

  /**
   * AdminGetUser.
   *
   * @example
   * const { status } = await admin.adminGetUser('bob');
   */
  async adminGetUser(username?: string): Promise<CognitoUserRecord> {
    return adminGetUser(this.accountContext(), username ?? this.#username());
  }

  /**
   * AdminResetUserPassword: the user must reset (a code is sent; sign-in answers PasswordResetRequired).
   *
   * @example
   * await admin.adminResetUserPassword('bob');
   */
  async adminResetUserPassword(username?: string): Promise<void> {
    return adminUserAction(this.accountContext(), 'AdminResetUserPassword', username ?? this.#username());
  }

  /**
   * AdminConfirmSignUp.
   *
   * @example
   * await admin.adminConfirmSignUp('bob');
   */
  async adminConfirmSignUp(username?: string): Promise<void> {
    return adminUserAction(this.accountContext(), 'AdminConfirmSignUp', username ?? this.#username());
  }

  /**
   * AdminDeleteUser.
   *
   * @example
   * await admin.adminDeleteUser('bob');
   */
  async adminDeleteUser(username?: string): Promise<void> {
    return adminUserAction(this.accountContext(), 'AdminDeleteUser', username ?? this.#username());
  }

  /**
   * AdminDisableUser: sign-in refused ("User is disabled.") until enabled again.
   *
   * @example
   * await admin.adminDisableUser('bob');
   */
  async adminDisableUser(username?: string): Promise<void> {
    return adminUserAction(this.accountContext(), 'AdminDisableUser', username ?? this.#username());
  }

  /**
   * AdminEnableUser.
   *
   * @example
   * await admin.adminEnableUser('bob');
   */
  async adminEnableUser(username?: string): Promise<void> {
    return adminUserAction(this.accountContext(), 'AdminEnableUser', username ?? this.#username());
  }

  /**
   * AdminUpdateUserAttributes (`''` deletes an attribute).
   *
   * @example
   * await admin.adminUpdateUserAttributes({ email_verified: 'true' }, 'bob');
   */
  async adminUpdateUserAttributes(attributes: Record<string, string>, username?: string): Promise<void> {
    return adminUpdateUserAttributes(this.accountContext(), username ?? this.#username(), attributes);
  }

  /**
   * AdminAddUserToGroup.
   *
   * @example
   * await admin.adminAddUserToGroup('admins', 'bob');
   */
  async adminAddUserToGroup(group: string, username?: string): Promise<void> {
    return adminGroupMembership(this.accountContext(), username ?? this.#username(), group, true);
  }

  /**
   * AdminRemoveUserFromGroup.
   *
   * @example
   * await admin.adminRemoveUserFromGroup('admins', 'bob');
   */
  async adminRemoveUserFromGroup(group: string, username?: string): Promise<void> {
    return adminGroupMembership(this.accountContext(), username ?? this.#username(), group, false);
  }

  /**
   * AdminListGroupsForUser (every page): group names.
   *
   * @example
   * const groups = await admin.adminListGroupsForUser('bob');
   */
  async adminListGroupsForUser(username?: string): Promise<string[]> {
    return adminListGroupsForUser(this.accountContext(), username ?? this.#username());
  }

  /**
   * ListUsers (every page), with Cognito's filter syntax.
   *
   * @example
   * const [ann] = await admin.listUsers('email = "ann@example.com"');
   */
  async listUsers(filter?: string): Promise<CognitoUserRecord[]> {
    return listUsers(this.accountContext(), filter);
  }

  #username(): string {
    if (this.username === undefined || this.username === '') throw new TypeError('"username" is required: pass it as an option');
    return this.username;
  }

  #accessToken(): string {
    if (this.accessToken === undefined) throw new TypeError('"accessToken" is required: sign in first or pass it as an option');
    return this.accessToken;
  }
}
