/**
 * `Cognito`: pycognito's `Cognito` class in TypeScript idiom, without its known bugs. One instance
 * holds one user's tokens (and remembered device); every Cognito call goes through the AWS SDK and
 * every failure comes out as a `CognitoError` with a stable `code`.
 */
import type { JSONWebKeySet, JWK } from 'jose';
import { pendingChallenge, type MfaTokens } from './challenge';
import type { AccountContext } from './account';
import { CognitoChallenges, type AuthenticateOptions } from './cognito-challenges';
import { checkClientMetadata, checkSecret, resolveCognitoOptions, resolveUserState, type CognitoState, type CognitoUserOptions, type UserState } from './cognito-options';
import { renewalDue, unverifiedClaims } from './cognito-rules';
import { isResolvedConfig, type CognitoClientLike, type ResolvedConfig } from './config';
import { forgetDevice, updateDeviceStatus, type DeviceSecrets } from './device';
import { isCognitoError } from './errors';
import { renewSession } from './renewal';
import { ServiceClient } from './service-client';
import {
  answerChallenge, associateForSetup, startAdmin, startCustom, startSrp, startUserAuth, verifyPair,
  type ChallengeAnswer, type EngineContext, type FirstFactor, type SignInDevice, type StepResult,
} from './sign-in-engine';
import { globalSignOut, revokeRefreshToken } from './sign-out';
import { TokenVerifier, type AccessTokenClaims, type IdTokenClaims } from './token-verifier';
import { associateSoftwareToken, setMfaPreference, verifySoftwareToken } from './user-mfa';

export type { CognitoState, CognitoUserOptions } from './cognito-options';
export type { LoginFlow, MfaTokens } from './challenge';

export type { AuthenticateOptions } from './cognito-challenges';

/** Options of {@link Cognito.userAuthenticate}. */
export interface UserAuthenticateOptions extends AuthenticateOptions {
  /** The first factor to try (`PREFERRED_CHALLENGE`); without it, or one the user cannot present, SELECT_CHALLENGE. */
  preferredChallenge?: FirstFactor;
  /** With `preferredChallenge` PASSWORD (sent to Cognito) or PASSWORD_SRP (proved by SRP: never sent). */
  password?: string;
  /** The session ConfirmSignUp returned: sign the just-confirmed user in without another code. */
  session?: string;
}

/** Options of {@link Cognito.customAuthenticate}. */
export interface CustomAuthenticateOptions extends AuthenticateOptions {
  /** Prove the password first (SRP: `CHALLENGE_NAME: SRP_A`, then PASSWORD_VERIFIER), when the pool's DefineAuthChallenge asks for it. */
  password?: string;
}

// What `Cognito.fromConfig` hands to the constructor (set and taken within one synchronous call).
let handOver: { config: ResolvedConfig; state: UserState } | undefined;

/**
 * A Cognito user pool user, pycognito style: sign in (SRP or admin flow, every challenge as a typed
 * error), verify, renew and revoke tokens, manage MFA and remembered devices; sign up, confirm,
 * recover and manage the account, and the admin calls (inherited from {@link CognitoAccount}).
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
export class Cognito extends CognitoChallenges {
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

  readonly #service: ServiceClient;
  readonly #deviceName: string | undefined;
  #verifier: TokenVerifier | undefined;
  /** The app client rotates refresh tokens (told, or found out at a refresh). */
  #rotation: boolean;
  #renewing: Promise<void> | undefined;

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
    super();
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
    this.#service = new ServiceClient(config, state.maxAttempts);
    this.#deviceName = state.deviceName;
    this.#rotation = state.refreshTokenRotation;
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
    const clientMetadata = checkClientMetadata(options?.clientMetadata);
    this.#apply(await startSrp(this.#ctx(), this.#requireUsername(), password, this.#signInDevice(clientMetadata)));
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
    const clientMetadata = checkClientMetadata(options?.clientMetadata);
    this.#apply(await startAdmin(this.#ctx(), this.#requireUsername(), password, this.#signInDevice(clientMetadata)));
  }

  /**
   * Signs in with CUSTOM_AUTH: the pool's DefineAuthChallenge / CreateAuthChallenge /
   * VerifyAuthChallengeResponse triggers decide the steps. With `password`, the password is proved
   * first by SRP (the password never leaves this process). Each question is raised as a
   * `CustomChallengeError` (its `publicParameters` are what the trigger made public), answered with
   * {@link respondToCustomChallenge}.
   *
   * @throws CustomChallengeError (also on {@link mfaTokens}); `AuthenticationFailedError` when the
   *   triggers fail the sign-in, for a wrong password, or an unknown user alike.
   * @example
   * try { await u.customAuthenticate(); }
   * catch (e) { if (e instanceof CustomChallengeError) await u.respondToCustomChallenge(ask(e.publicParameters.question)); }
   */
  async customAuthenticate(options: CustomAuthenticateOptions = {}): Promise<void> {
    const password = options?.password;
    if (password !== undefined) checkSecret(password, 'password');
    const clientMetadata = checkClientMetadata(options?.clientMetadata);
    this.#apply(await startCustom(this.#ctx(), this.#requireUsername(), password, this.#signInDevice(clientMetadata)));
  }

  /**
   * Signs in with USER_AUTH (choice-based sign-in): the pool's allowed first factors (password, e-mail
   * or SMS code, passkey). Without `preferredChallenge` Cognito answers SELECT_CHALLENGE
   * (`SelectChallengeError` with `availableChallenges`: answer with {@link selectChallenge}); with it,
   * that factor's challenge (`EmailOtpChallengeError`, `SmsOtpChallengeError`, `WebAuthnChallengeError`),
   * or for a password the tokens (or MFA after it).
   *
   * @throws the challenge errors above (also on {@link mfaTokens}); `AuthenticationFailedError`.
   * @example
   * try { await u.userAuthenticate({ preferredChallenge: 'EMAIL_OTP' }); }
   * catch (e) { if (e instanceof EmailOtpChallengeError) await u.respondToEmailOtpChallenge(await askForCode()); }
   */
  async userAuthenticate(options: UserAuthenticateOptions = {}): Promise<void> {
    const { preferredChallenge, password, session } = options ?? {};
    if (password !== undefined) checkSecret(password, 'password');
    const clientMetadata = checkClientMetadata(options?.clientMetadata);
    this.#apply(await startUserAuth(this.#ctx(), this.#requireUsername(), { preferred: preferredChallenge, password, session },
      this.#signInDevice(clientMetadata)));
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
      await this.answer(this.mfaTokens, { challenge: 'NEW_PASSWORD_REQUIRED', newPassword });
    }
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
    const pending = mfaTokens ?? (this.mfaTokens?.ChallengeName === 'MFA_SETUP' ? this.mfaTokens : undefined);
    if (pending === undefined) {
      if (this.accessToken === undefined) throw new TypeError('"accessToken" (or a pending MFA_SETUP challenge) is required');
      return { secretCode: await associateSoftwareToken(this.#service, this.accessToken) };
    }
    const t = this.#pending(pending, 'MFA_SETUP');
    const { secretCode, challenge } = await this.#withinChallenge(t, () => associateForSetup(this.#ctx(), t));
    this.mfaTokens = challenge;
    return challenge.Session !== t.Session ? { secretCode, session: challenge.Session } : { secretCode };
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
    return verifySoftwareToken(this.#service, this.#requireAccessToken(), code, deviceName);
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
    return setMfaPreference(this.#service, this.#requireAccessToken(), sms, softwareToken, preferred);
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
    const { idToken, accessToken } = this;
    if (idToken === undefined && accessToken === undefined) throw new TypeError('"idToken" or "accessToken" is required');
    const { idClaims, accessClaims } = await verifyPair(this.#tokenVerifier(), idToken, accessToken);
    if (idClaims !== undefined) this.idClaims = idClaims;
    if (accessClaims !== undefined) this.#keepAccess(accessToken as string, accessClaims);
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
    if (!((idName === 'id_token' && tokenUse === 'id') || (idName === 'access_token' && tokenUse === 'access'))) {
      throw new TypeError('"idName" and "tokenUse" must be "id_token" and "id", or "access_token" and "access"');
    }
    if (typeof token !== 'string' || token.length === 0) throw new TypeError('"token" must be a non-empty string');
    const verifier = this.#tokenVerifier();
    if (tokenUse === 'access') {
      const claims = await verifier.verify(token, 'access');
      this.#keepAccess(token, claims);
      return claims;
    }
    const claims = await verifier.verify(token, 'id', this.accessToken === undefined ? {} : { accessToken: this.accessToken });
    this.idToken = token;
    this.idClaims = claims;
    return claims;
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
    const { clock, leewaySeconds } = this.config;
    // An access token that cannot be decoded counts as expired.
    const expired = renewalDue(unverifiedClaims(this.#requireAccessToken())?.exp, clock(), leewaySeconds);
    if (expired && renew) await this.renewAccessToken();
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
    this.#renewing ??= this.#renew().finally(() => {
      this.#renewing = undefined;
    });
    return this.#renewing;
  }

  /**
   * GlobalSignOut (every refresh token of the user stops working), then clears the tokens. On failure
   * the tokens are kept.
   *
   * @example
   * await u.logout();
   */
  async logout(): Promise<void> {
    await globalSignOut(this.#service, this.#requireAccessToken());
    this.#clearTokens();
  }

  /**
   * RevokeToken of the refresh token (ends this sign-in: its tokens are refused by Cognito), then
   * clears the tokens.
   *
   * @example
   * await u.revokeToken();
   */
  async revokeToken(): Promise<void> {
    await revokeRefreshToken(this.#service, this.config, this.#requireRefreshToken());
    this.#clearTokens();
  }

  /**
   * The pool's signing keys: the `jwks` option / `COGNITO_JWKS`, else fetched once and shared.
   *
   * @throws JwksUnavailableError when none can be had.
   * @example
   * const { keys } = await u.getKeys();
   */
  async getKeys(): Promise<JSONWebKeySet> {
    return this.#tokenVerifier().jwksCache.getKeys();
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
    const found = await this.#tokenVerifier().jwksCache.getKey(kid);
    return found === undefined ? undefined : { ...found.jwk };
  }

  /**
   * Uses another `CognitoIdentityProviderClient` from now on (pycognito's `switch_session`).
   *
   * @example
   * u.switchSession(new CognitoIdentityProviderClient({ region, credentials }));
   */
  switchSession(client: CognitoClientLike): void {
    this.#service.client = client;
  }

  /**
   * UpdateDeviceStatus of the remembered device: `remembered` (MFA may be skipped on it) or not.
   *
   * @example
   * if (u.userConfirmationNecessary && userSaidYes) await u.rememberDevice();
   */
  async rememberDevice(remembered = true): Promise<void> {
    if (this.deviceKey === undefined) throw new TypeError('"deviceKey" is required: no device is remembered');
    await updateDeviceStatus(this.#service, this.#requireAccessToken(), this.deviceKey, remembered);
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
    await forgetDevice(this.#service, this.#requireAccessToken(), this.deviceKey);
    this.#setDevice(undefined);
  }

  // -------------------------------------------------------------------------------------------
  // The fields are written here and nowhere else: what each engine step returned, kept.

  protected accountContext(): AccountContext {
    return { config: this.config, service: this.#service };
  }

  protected accountDeleted(): void {
    this.#clearTokens();
  }

  #ctx(): EngineContext {
    return { config: this.config, service: this.#service, verifier: this.#tokenVerifier() };
  }

  /** The verifier, made on first use (it shares the process-wide JWKS cache of the pool). */
  #tokenVerifier(): TokenVerifier {
    this.#verifier ??= new TokenVerifier(this.config);
    return this.#verifier;
  }

  #signInDevice(clientMetadata?: Record<string, string>): SignInDevice {
    const { deviceKey, deviceGroupKey, devicePassword } = this;
    const device: DeviceSecrets | undefined = deviceKey !== undefined && deviceGroupKey !== undefined && devicePassword !== undefined
      ? { deviceKey, deviceGroupKey, devicePassword }
      : undefined;
    return { device, deviceKey, deviceName: this.#deviceName, clientMetadata };
  }

  /** Keeps where a step left the sign-in: the tokens (and a confirmed device), or the challenge; a failure is thrown. */
  #apply(step: StepResult): void {
    if (step.deviceForgotten) this.#setDevice(undefined);
    switch (step.kind) {
      case 'signedIn': {
        const t = step.tokens;
        this.#keep(t.idToken, t.accessToken, t.refreshToken, t.tokenType, t.idClaims, t.accessClaims);
        if (step.newDevice !== undefined) {
          this.#setDevice(step.newDevice);
          this.userConfirmationNecessary = step.newDevice.userConfirmationNecessary;
        }
        return;
      }
      case 'challenge':
        this.mfaTokens = step.challenge;
        throw step.error;
      case 'failed':
        throw step.error;
    }
  }

  /** Answers the pending challenge (the argument, else the one remembered) and keeps the outcome. */
  protected async answer(given: MfaTokens | undefined, answer: ChallengeAnswer, clientMetadata?: Record<string, string>): Promise<void> {
    // Remembered first, so that a retry after a wrong code needs no argument.
    const t = this.#pending(given, answer.challenge);
    const step = await answerChallenge(this.#ctx(), t, answer, this.#signInDevice(clientMetadata), this.username);
    if (step.kind === 'failed') this.#forgetExpired(step.error, t);
    this.#apply(step);
  }

  /** Checks the challenge and remembers it on the instance. */
  #pending(given: MfaTokens | undefined, name: string): MfaTokens {
    const t = pendingChallenge(given, this.mfaTokens, [name]);
    this.mfaTokens = t;
    return t;
  }

  /** A call within a challenge: an expired challenge is forgotten. */
  async #withinChallenge<T>(t: MfaTokens, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (e) {
      this.#forgetExpired(e, t);
      throw e;
    }
  }

  #forgetExpired(e: unknown, t: MfaTokens): void {
    if (isCognitoError(e) && e.code === 'ERR_COGNITO_CHALLENGE_EXPIRED' && this.mfaTokens?.Session === t.Session) this.mfaTokens = undefined;
  }

  async #renew(): Promise<void> {
    const refreshToken = this.#requireRefreshToken();
    try {
      const renewed = await renewSession({ config: this.config, service: this.#service, verifier: this.#tokenVerifier() }, {
        refreshToken, idToken: this.idToken, accessToken: this.accessToken, username: this.username, deviceKey: this.deviceKey,
        rotation: this.#rotation,
      });
      this.#rotation ||= renewed.rotated;
      this.#keep(renewed.idToken, renewed.accessToken, renewed.refreshToken, renewed.tokenType, renewed.idClaims, renewed.accessClaims);
    } catch (e) {
      if (isCognitoError(e) && e.code === 'ERR_COGNITO_REFRESH_REJECTED' && this.refreshToken === refreshToken) this.#clearTokens();
      throw e;
    }
  }

  /** Keeps verified tokens: the one place the tokens, their claims and `expiresAt` are set together. */
  #keep(
    idToken: string, accessToken: string, refreshToken: string | undefined, tokenType: string,
    idClaims: IdTokenClaims, accessClaims: AccessTokenClaims,
  ): void {
    this.idToken = idToken;
    this.idClaims = idClaims;
    this.#keepAccess(accessToken, accessClaims);
    // A result without a refresh token (a refresh of a non-rotating client) keeps the old one.
    if (refreshToken !== undefined) this.refreshToken = refreshToken;
    this.tokenType = tokenType;
    this.mfaTokens = undefined;
  }

  #keepAccess(accessToken: string, accessClaims: AccessTokenClaims): void {
    this.accessToken = accessToken;
    this.accessClaims = accessClaims;
    this.expiresAt = accessClaims.exp * 1000;
  }

  #clearTokens(): void {
    this.idToken = this.accessToken = this.refreshToken = this.tokenType = undefined;
    this.idClaims = this.accessClaims = undefined;
    this.expiresAt = undefined;
    this.mfaTokens = undefined;
  }

  #setDevice(device: DeviceSecrets | undefined): void {
    this.deviceKey = device?.deviceKey;
    this.deviceGroupKey = device?.deviceGroupKey;
    this.devicePassword = device?.devicePassword;
    if (device === undefined) this.userConfirmationNecessary = false;
  }

  #requireUsername(): string {
    if (this.username === undefined || this.username === '') throw new TypeError('"username" is required: pass it as an option');
    return this.username;
  }

  #requireAccessToken(): string {
    if (this.accessToken === undefined) throw new TypeError('"accessToken" is required: sign in first or pass it as an option');
    return this.accessToken;
  }

  #requireRefreshToken(): string {
    if (this.refreshToken === undefined) throw new TypeError('"refreshToken" is required: sign in first or pass it as an option');
    return this.refreshToken;
  }
}
