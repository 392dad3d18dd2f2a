/**
 * `Cognito`: pycognito's `Cognito` class in TypeScript idiom, without its known bugs. One instance
 * holds one user's tokens (and remembered device); every Cognito call goes through the AWS SDK and
 * every failure comes out as a `CognitoError` with a stable `code`.
 */
import { GlobalSignOutCommand, RevokeTokenCommand } from '@aws-sdk/client-cognito-identity-provider';
import type { JSONWebKeySet, JWK } from 'jose';
import type { MfaTokens } from './challenge';
import { CognitoCore } from './cognito-core';
import { resolveCognitoOptions, resolveUserState, type CognitoState, type CognitoUserOptions, type UserState } from './cognito-options';
import { isResolvedConfig, type CognitoClientLike, type ResolvedConfig } from './config';
import { forgetDevice, updateDeviceStatus } from './device';
import { isCognitoError } from './errors';
import { MfaSteps } from './mfa-steps';
import { adminSignIn, checkClientMetadata, checkSecret, srpSignIn } from './sign-in';
import { TokenSession } from './token-session';
import type { AccessTokenClaims, IdTokenClaims } from './token-verifier';

export type { CognitoState, CognitoUserOptions } from './cognito-options';
export type { LoginFlow, MfaTokens } from './challenge';

/** Options of {@link Cognito.authenticate} and {@link Cognito.adminAuthenticate}. */
export interface AuthenticateOptions {
  /** Passed to Cognito's Lambda triggers. */
  clientMetadata?: Record<string, string>;
}

// What `Cognito.fromConfig` hands to the constructor (set and taken within one synchronous call).
let handOver: { config: ResolvedConfig; state: UserState } | undefined;

/**
 * A Cognito user pool user, pycognito style: sign in (SRP or admin flow, every challenge as a typed
 * error), verify, renew and revoke tokens, manage MFA and remembered devices.
 *
 * @example
 * const u = new Cognito('eu-west-1_AbC123', 'client-id', { username: 'bob' });
 * try { await u.authenticate('bobs-password'); }
 * catch (e) {
 *   if (e instanceof SoftwareTokenMFAChallengeError) await u.respondToSoftwareTokenMfaChallenge(code);
 *   else throw e;
 * }
 * if (await u.checkToken()) save(u.accessToken); // renewed
 */
export class Cognito {
  /** The resolved configuration (pool, client, region, endpoint, issuer, leeway, clock…). */
  readonly config: ResolvedConfig;
  /** The pool id. */
  readonly userPoolId: string;
  /** The app client id used for calls. */
  readonly clientId: string;
  /** The name the user signs in with (username or alias). */
  username: string | undefined;
  /** The current tokens (`undefined` before sign-in and after logout). */
  idToken: string | undefined;
  accessToken: string | undefined;
  refreshToken: string | undefined;
  /** `'Bearer'` once signed in. */
  tokenType: string | undefined;
  /** Claims of the last verified ID / access token. */
  idClaims: IdTokenClaims | undefined;
  accessClaims: AccessTokenClaims | undefined;
  /** The pending challenge of the last sign-in step, if any (see {@link MfaTokens}). */
  mfaTokens: MfaTokens | undefined;
  /** When the access token expires, in milliseconds since the epoch. */
  expiresAt: number | undefined;
  /** The remembered device: persist all three (the password is a secret) and pass them back. */
  deviceKey: string | undefined;
  deviceGroupKey: string | undefined;
  devicePassword: string | undefined;
  /** ConfirmDevice said the user must opt in (`DeviceOnlyRememberedOnUserPrompt`): see {@link rememberDevice}. */
  userConfirmationNecessary = false;

  readonly #core: CognitoCore;
  readonly #mfa: MfaSteps;
  readonly #tokens: TokenSession;

  /**
   * No I/O here: the SDK client and the signing keys are fetched on first use.
   *
   * @param userPoolId `<region>_<id>`; `undefined` for `COGNITO_USER_POOL_ID`.
   * @param clientId the app client id, or several allowed ones (the first is used for calls);
   *   `undefined` for `COGNITO_CLIENT_ID`.
   * @param options see {@link CognitoUserOptions}.
   * @throws TypeError naming the option when one is missing or invalid.
   */
  constructor(userPoolId: string | undefined, clientId: string | readonly string[] | undefined, options: CognitoUserOptions = {}) {
    const given = handOver;
    handOver = undefined;
    const { config, state } = given ?? resolveCognitoOptions(userPoolId, clientId, options);
    this.config = config;
    this.userPoolId = config.userPoolId;
    this.clientId = config.clientId;
    this.username = state.username;
    this.idToken = state.idToken;
    this.accessToken = state.accessToken;
    this.refreshToken = state.refreshToken;
    this.tokenType = state.accessToken !== undefined ? 'Bearer' : undefined;
    this.idClaims = undefined;
    this.accessClaims = undefined;
    this.mfaTokens = undefined;
    this.expiresAt = undefined;
    this.deviceKey = state.device?.deviceKey;
    this.deviceGroupKey = state.device?.deviceGroupKey;
    this.devicePassword = state.device?.devicePassword;
    this.#core = new CognitoCore(this, config, state);
    this.#mfa = new MfaSteps(this.#core);
    this.#tokens = new TokenSession(this.#core);
  }

  /**
   * A `Cognito` on a config that `resolveConfig` already resolved (the web layer's): nothing is
   * resolved again, so every option of that config — `requestTimeoutMs`, `jwksCooldownMs`,
   * `jwksTimeoutMs`, `client`, `clock`… — is the one in force.
   *
   * @param config a config returned by `resolveConfig`.
   * @param state one user's fields (username, tokens, remembered device, `refreshTokenRotation`…).
   * @throws TypeError when `config` did not come from `resolveConfig`, or for a bad `state` field.
   * @example
   * const config = resolveConfig({ requestTimeoutMs: 2000 });
   * const u = Cognito.fromConfig(config, { username: 'bob' });
   */
  static fromConfig(config: ResolvedConfig, state: CognitoState = {}): Cognito {
    if (!isResolvedConfig(config)) {
      throw new TypeError('"config" must be a config returned by resolveConfig()');
    }
    const resolved = resolveUserState(state);
    handOver = { config, state: resolved };
    return new Cognito(config.userPoolId, config.clientIds);
  }

  /**
   * Signs in with USER_SRP_AUTH: InitiateAuth, then the PASSWORD_VERIFIER answer, then (for a
   * remembered device) DEVICE_SRP_AUTH / DEVICE_PASSWORD_VERIFIER. SECRET_HASH is built from the
   * typed username for InitiateAuth and from USER_ID_FOR_SRP for the answers.
   *
   * @throws ChallengeError subclasses (`ForceChangePasswordError`, `SoftwareTokenMFAChallengeError`,
   *   `SMSMFAChallengeError`, `MFAChallengeError`, `MFASetupRequiredError`); the challenge is also on
   *   {@link mfaTokens}. `AuthenticationFailedError` for a wrong password or an unknown user alike.
   * @example
   * await u.authenticate('bobs-password', { clientMetadata: { source: 'web' } });
   */
  async authenticate(password: string, options: AuthenticateOptions = {}): Promise<void> {
    checkSecret(password, 'password');
    return srpSignIn(this.#core, password, checkClientMetadata(options?.clientMetadata));
  }

  /**
   * Signs in with ADMIN_USER_PASSWORD_AUTH (AdminInitiateAuth: needs AWS credentials on the client).
   * Challenges are raised as by {@link authenticate} (pycognito crashes here) and answered later with
   * the admin API.
   *
   * @throws as {@link authenticate}.
   * @example
   * await u.adminAuthenticate('bobs-password');
   */
  async adminAuthenticate(password: string, options: AuthenticateOptions = {}): Promise<void> {
    checkSecret(password, 'password');
    return adminSignIn(this.#core, password, checkClientMetadata(options?.clientMetadata));
  }

  /**
   * pycognito's `new_password_challenge`: signs in with the current (temporary) password and answers
   * NEW_PASSWORD_REQUIRED with `newPassword`. If Cognito asks for no new password, the user is simply
   * signed in.
   *
   * @throws as {@link authenticate}; `InvalidPasswordError` when the new password breaks the policy.
   * @example
   * await u.newPasswordChallenge('Temp-pass-1', 'My-new-pass-2');
   */
  async newPasswordChallenge(password: string, newPassword: string): Promise<void> {
    checkSecret(newPassword, 'newPassword');
    try {
      await this.authenticate(password);
    } catch (e) {
      if (!isCognitoError(e) || e.code !== 'ERR_COGNITO_NEW_PASSWORD_REQUIRED') throw e;
      await this.#mfa.newPassword(newPassword, this.mfaTokens);
    }
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
    return this.#mfa.newPassword(newPassword, mfaTokens, attributes);
  }

  /**
   * Answers SOFTWARE_TOKEN_MFA with a code from the authenticator app.
   *
   * @throws CodeMismatchError for a wrong code (the challenge stays pending); ChallengeExpiredError.
   * @example
   * await u.respondToSoftwareTokenMfaChallenge('123456', err.getTokens());
   */
  async respondToSoftwareTokenMfaChallenge(code: string, mfaTokens?: MfaTokens): Promise<void> {
    return this.#mfa.code('SOFTWARE_TOKEN_MFA', code, mfaTokens);
  }

  /**
   * Answers SMS_MFA with the code Cognito sent by SMS.
   *
   * @throws as {@link respondToSoftwareTokenMfaChallenge}.
   * @example
   * await u.respondToSmsMfaChallenge('123456');
   */
  async respondToSmsMfaChallenge(code: string, mfaTokens?: MfaTokens): Promise<void> {
    return this.#mfa.code('SMS_MFA', code, mfaTokens);
  }

  /**
   * Answers SELECT_MFA_TYPE. Cognito then challenges for the chosen factor, which is raised as its
   * typed error (`SoftwareTokenMFAChallengeError` / `SMSMFAChallengeError`).
   *
   * @example
   * try { await u.respondToSelectMfaTypeChallenge('SOFTWARE_TOKEN_MFA'); }
   * catch (e) { if (e instanceof SoftwareTokenMFAChallengeError) askForCode(); else throw e; }
   */
  async respondToSelectMfaTypeChallenge(mfaType: 'SOFTWARE_TOKEN_MFA' | 'SMS_MFA', mfaTokens?: MfaTokens): Promise<void> {
    return this.#mfa.selectType(mfaType, mfaTokens);
  }

  /**
   * AssociateSoftwareToken: with the MFA_SETUP challenge's Session when one is pending (or given),
   * else with the access token. During MFA_SETUP the challenge's Session is replaced on
   * {@link mfaTokens}: save that before the next request.
   *
   * @returns the TOTP secret (base32) and, during MFA_SETUP, the new Session.
   * @example
   * const { secretCode } = await u.associateSoftwareToken();
   */
  async associateSoftwareToken(mfaTokens?: MfaTokens): Promise<{ secretCode: string; session?: string }> {
    return this.#mfa.associate(mfaTokens);
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
    return this.#mfa.finishSetup(code, mfaTokens, deviceName);
  }

  /**
   * VerifySoftwareToken with the access token (after {@link associateSoftwareToken}).
   *
   * @returns true once Cognito accepted the code.
   * @throws CodeMismatchError for a wrong code.
   * @example
   * await u.verifySoftwareToken('123456', 'phone');
   */
  async verifySoftwareToken(code: string, deviceName?: string): Promise<boolean> {
    return this.#mfa.verify(code, deviceName, this.#core.requireAccessToken());
  }

  /**
   * SetUserMFAPreference for the signed-in user.
   *
   * @param preferred `'SMS'` or `'SOFTWARE_TOKEN'`, required (and enabled) while a factor is on.
   * @throws TypeError for a bad `preferred`.
   * @example
   * await u.setUserMfaPreference(false, true, 'SOFTWARE_TOKEN');
   */
  async setUserMfaPreference(sms: boolean, softwareToken: boolean, preferred?: 'SMS' | 'SOFTWARE_TOKEN'): Promise<void> {
    return this.#mfa.preference(sms, softwareToken, preferred, this.#core.requireAccessToken());
  }

  /**
   * Verifies the ID token (with `at_hash` against the access token when it has one) and the access
   * token, and sets {@link idClaims} / {@link accessClaims}.
   *
   * @throws TokenVerificationError with the failing `code` and `claim`; TypeError without tokens.
   * @example
   * await new Cognito(pool, client, { idToken, accessToken }).verifyTokens();
   */
  async verifyTokens(): Promise<void> {
    return this.#tokens.verifyAll();
  }

  /**
   * Verifies one token and keeps it (pycognito's `verify_token`): `idName` says where.
   *
   * @returns the verified claims.
   * @throws TokenVerificationError; TypeError when `idName` and `tokenUse` do not go together.
   * @example
   * const claims = await u.verifyToken(bearer, 'access_token', 'access');
   */
  async verifyToken(token: string, idName: 'id_token' | 'access_token', tokenUse: 'id' | 'access'): Promise<IdTokenClaims | AccessTokenClaims> {
    return this.#tokens.verifyOne(token, idName, tokenUse);
  }

  /**
   * Whether the access token has expired — or expires within `leewaySeconds`, so that it is renewed
   * before a verifier with a clock slightly ahead refuses it — by the injectable clock; with `renew`,
   * renews it then. The token is decoded, not verified (see {@link verifyTokens}).
   *
   * @returns true when it had expired.
   * @throws TypeError without an access token; the errors of {@link renewAccessToken}.
   * @example
   * if (await u.checkToken()) session.tokens = { accessToken: u.accessToken, idToken: u.idToken };
   */
  async checkToken(renew = true): Promise<boolean> {
    const expired = this.#tokens.expired();
    if (expired && renew) await this.#tokens.renew();
    return expired;
  }

  /**
   * Gets new tokens with the refresh token (see `./renewal`): REFRESH_TOKEN_AUTH with SECRET_HASH
   * from the internal username and DEVICE_KEY, or GetTokensFromRefreshToken for a rotating client
   * (keeping the new refresh token). Concurrent calls share one request.
   *
   * @throws RefreshTokenRejectedError (`ERR_COGNITO_REFRESH_REJECTED`) when Cognito refuses the
   *   refresh token: the tokens are cleared. TypeError without a refresh token.
   * @example
   * await u.renewAccessToken();
   */
  async renewAccessToken(): Promise<void> {
    return this.#tokens.renew();
  }

  /**
   * GlobalSignOut (every refresh token of the user stops working), then clears the tokens. On failure
   * the tokens are kept.
   *
   * @example
   * await u.logout();
   */
  async logout(): Promise<void> {
    await this.#core.service.send(new GlobalSignOutCommand({ AccessToken: this.#core.requireAccessToken() }), 'other');
    this.#core.clearTokens();
  }

  /**
   * RevokeToken of the refresh token (ends this sign-in: its tokens are refused by Cognito), then
   * clears the tokens.
   *
   * @example
   * await u.revokeToken();
   */
  async revokeToken(): Promise<void> {
    const { clientId, clientSecret } = this.config;
    await this.#core.service.send(new RevokeTokenCommand({
      Token: this.#core.requireRefreshToken(), ClientId: clientId, ...(clientSecret !== undefined ? { ClientSecret: clientSecret } : {}),
    }), 'other');
    this.#core.clearTokens();
  }

  /**
   * The pool's signing keys: the `jwks` option / `COGNITO_JWKS`, else fetched once and shared.
   *
   * @throws JwksUnavailableError when none can be had.
   * @example
   * const { keys } = await u.getKeys();
   */
  async getKeys(): Promise<JSONWebKeySet> {
    return this.#core.verifier().jwksCache.getKeys();
  }

  /**
   * One signing key by `kid` (an unknown `kid` refetches the JWKS at most once per cooldown).
   *
   * @returns the public JWK, or `undefined`.
   * @example
   * const jwk = await u.getKey(header.kid);
   */
  async getKey(kid: string): Promise<JWK | undefined> {
    checkSecret(kid, 'kid');
    const found = await this.#core.verifier().jwksCache.getKey(kid);
    return found === undefined ? undefined : { ...found.jwk };
  }

  /**
   * Uses another `CognitoIdentityProviderClient` from now on (pycognito's `switch_session`).
   *
   * @example
   * u.switchSession(new CognitoIdentityProviderClient({ region, credentials }));
   */
  switchSession(client: CognitoClientLike): void {
    this.#core.service.client = client;
  }

  /**
   * UpdateDeviceStatus of the remembered device: `remembered` (MFA may be skipped on it) or not.
   *
   * @example
   * if (u.userConfirmationNecessary && userSaidYes) await u.rememberDevice();
   */
  async rememberDevice(remembered = true): Promise<void> {
    if (this.deviceKey === undefined) throw new TypeError('"deviceKey" is required: no device is remembered');
    await updateDeviceStatus(this.#core.service, this.#core.requireAccessToken(), this.deviceKey, remembered);
    this.userConfirmationNecessary = false;
  }

  /**
   * ForgetDevice, then forgets the device here too.
   *
   * @example
   * await u.forgetDevice();
   */
  async forgetDevice(): Promise<void> {
    if (this.deviceKey === undefined) throw new TypeError('"deviceKey" is required: no device is remembered');
    await forgetDevice(this.#core.service, this.#core.requireAccessToken(), this.deviceKey);
    this.#core.setDevice(undefined);
  }
}
