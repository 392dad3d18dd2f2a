/**
 * @internal The machinery behind one `Cognito` instance: its SDK client, its token verifier, the
 * SECRET_HASH and DEVICE_KEY it adds to calls, and what happens at the end of every sign-in step —
 * a remembered device proves itself (DEVICE_SRP_AUTH), tokens are verified and kept, an offered device
 * is confirmed, or a challenge is raised as a typed error and remembered on `mfaTokens`.
 */
import type { AuthenticationResultType, NewDeviceMetadataType } from '@aws-sdk/client-cognito-identity-provider';
import createDebug from 'debug';
import { challengeError, type AuthStepOutput, type LoginFlow } from './challenge';
import type { Cognito } from './cognito';
import type { UserState } from './cognito-options';
import type { ResolvedConfig } from './config';
import { answerDeviceChallenge, confirmDevice, type DeviceSecrets } from './device';
import { CognitoServiceError, isCognitoError } from './errors';
import { secretHashParam } from './cognito-rules';
import type { RenewedTokens } from './renewal';
import { ServiceClient } from './service-client';
import { TokenVerifier } from './token-verifier';

const debug = createDebug('express-cognito:cognito');

/** @internal */
export class CognitoCore {
  readonly owner: Cognito;
  readonly config: ResolvedConfig;
  readonly service: ServiceClient;
  readonly deviceName: string | undefined;
  /** The app client rotates refresh tokens (told, or found out at a refresh). */
  rotation: boolean;
  #verifier: TokenVerifier | undefined;

  constructor(owner: Cognito, config: ResolvedConfig, state: UserState) {
    this.owner = owner;
    this.config = config;
    this.service = new ServiceClient(config, state.maxAttempts);
    this.deviceName = state.deviceName;
    this.rotation = state.refreshTokenRotation;
  }

  /** The verifier, made on first use (it shares the process-wide JWKS cache of the pool). */
  verifier(): TokenVerifier {
    this.#verifier ??= new TokenVerifier(this.config);
    return this.#verifier;
  }

  /** `{ SECRET_HASH }` for a client with a secret, built from `username` (the internal one, mostly). */
  hash(username: string): Record<string, string> {
    return secretHashParam(this.config, username);
  }

  /** `{ DEVICE_KEY }` when a device is remembered. */
  deviceParam(): Record<string, string> {
    const { deviceKey } = this.owner;
    return deviceKey !== undefined ? { DEVICE_KEY: deviceKey } : {};
  }

  device(): DeviceSecrets | undefined {
    const { deviceKey, deviceGroupKey, devicePassword } = this.owner;
    return deviceKey !== undefined && deviceGroupKey !== undefined && devicePassword !== undefined
      ? { deviceKey, deviceGroupKey, devicePassword }
      : undefined;
  }

  setDevice(device: DeviceSecrets | undefined): void {
    const o = this.owner;
    o.deviceKey = device?.deviceKey;
    o.deviceGroupKey = device?.deviceGroupKey;
    o.devicePassword = device?.devicePassword;
    if (device === undefined) o.userConfirmationNecessary = false;
  }

  clearTokens(): void {
    const o = this.owner;
    o.idToken = o.accessToken = o.refreshToken = o.tokenType = undefined;
    o.idClaims = o.accessClaims = undefined;
    o.expiresAt = undefined;
    o.mfaTokens = undefined;
  }

  requireUsername(): string {
    const { username } = this.owner;
    if (username === undefined || username === '') throw new TypeError('"username" is required: pass it as an option');
    return username;
  }

  requireAccessToken(): string {
    const { accessToken } = this.owner;
    if (accessToken === undefined) throw new TypeError('"accessToken" is required: sign in first or pass it as an option');
    return accessToken;
  }

  requireRefreshToken(): string {
    const { refreshToken } = this.owner;
    if (refreshToken === undefined) throw new TypeError('"refreshToken" is required: sign in first or pass it as an option');
    return refreshToken;
  }

  /**
   * Ends a sign-in step: answers DEVICE_SRP_AUTH for a remembered device, keeps the tokens of a
   * completed sign-in, or raises the challenge (remembered on `mfaTokens`).
   *
   * @param username the internal username, for the answers' USERNAME and SECRET_HASH.
   */
  async finish(output: AuthStepOutput, flow: LoginFlow, username: string, clientMetadata?: Record<string, string>): Promise<void> {
    let step = output;
    const device = this.device();
    if (step.ChallengeName === 'DEVICE_SRP_AUTH' && device !== undefined) {
      const { userPoolId, clientId, clientSecret, clock } = this.config;
      step = await answerDeviceChallenge(this.service, {
        flow, userPoolId, clientId, username, session: step.Session, device, clock,
        ...(clientSecret !== undefined ? { clientSecret } : {}),
        ...(clientMetadata !== undefined ? { clientMetadata } : {}),
      });
    }
    if (step.AuthenticationResult !== undefined) return this.accept(step.AuthenticationResult);
    if (step.ChallengeName === undefined) throw new CognitoServiceError('Cognito answered without tokens or a challenge.');
    const error = challengeError(step, flow, username);
    this.owner.mfaTokens = error.getTokens();
    throw error;
  }

  /**
   * Verifies and keeps the tokens of an `AuthenticationResult` (a refresh result without a refresh
   * token keeps the old one), then confirms a device Cognito offers.
   *
   * @throws TokenVerificationError when Cognito's own tokens do not verify (nothing is kept then).
   */
  async accept(result: AuthenticationResultType): Promise<void> {
    const { AccessToken: accessToken, IdToken: idToken, RefreshToken: refreshToken } = result;
    if (accessToken === undefined || idToken === undefined) throw new CognitoServiceError('Cognito answered without tokens.');
    const verifier = this.verifier();
    const [idClaims, accessClaims] = await Promise.all([
      verifier.verify(idToken, 'id', { accessToken }),
      verifier.verify(accessToken, 'access'),
    ]);
    const kept = refreshToken ?? this.owner.refreshToken;
    this.keep({
      idToken, accessToken, tokenType: result.TokenType ?? 'Bearer', idClaims, accessClaims, expiresAt: accessClaims.exp * 1000,
      ...(kept !== undefined ? { refreshToken: kept } : {}),
    });
    if (result.NewDeviceMetadata !== undefined) await this.#confirmNewDevice(result.NewDeviceMetadata, accessToken);
  }

  /** Keeps verified tokens (the one place the tokens, their claims and `expiresAt` are set together). */
  keep(tokens: Omit<RenewedTokens, 'refreshToken' | 'rotated'> & { refreshToken?: string }): void {
    const o = this.owner;
    o.idToken = tokens.idToken;
    o.accessToken = tokens.accessToken;
    if (tokens.refreshToken !== undefined) o.refreshToken = tokens.refreshToken;
    o.tokenType = tokens.tokenType;
    o.idClaims = tokens.idClaims;
    o.accessClaims = tokens.accessClaims;
    o.expiresAt = tokens.expiresAt;
    o.mfaTokens = undefined;
  }

  // The sign-in has succeeded whatever happens here: a failure only means the device is not remembered.
  async #confirmNewDevice(metadata: NewDeviceMetadataType, accessToken: string): Promise<void> {
    try {
      const device = await confirmDevice(this.service, accessToken, metadata, this.deviceName);
      this.setDevice(device);
      this.owner.userConfirmationNecessary = device.userConfirmationNecessary;
    } catch (e) {
      debug('ConfirmDevice failed; the device is not remembered: %s', isCognitoError(e) ? e.code : String(e));
    }
  }
}
