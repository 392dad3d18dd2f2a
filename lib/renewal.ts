/**
 * Renewing tokens with a refresh token, for every kind of app client:
 *
 * - a plain client: `InitiateAuth(REFRESH_TOKEN_AUTH)`, with `SECRET_HASH` built from the internal
 *   username (`cognito:username`, not the alias the person typed: pycognito's open bug) and
 *   `DEVICE_KEY` when the device is remembered (or Cognito answers "Invalid Refresh Token");
 * - a client that rotates refresh tokens: `GetTokensFromRefreshToken` (`ClientSecret` sent as is),
 *   keeping the new refresh token it returns. Cognito refuses REFRESH_TOKEN_AUTH for such a client;
 *   when REFRESH_TOKEN_AUTH is refused, GetTokensFromRefreshToken is tried once, and if it works the
 *   client is taken to rotate from then on (what Cognito says in the refusal is not relied upon).
 */
import type {
  AuthenticationResultType,
  GetTokensFromRefreshTokenCommandOutput,
  InitiateAuthCommandOutput,
} from '@aws-sdk/client-cognito-identity-provider';
import createDebug from 'debug';
import { CognitoServiceError } from './errors';
import { mapServiceError } from './service-errors';
import { internalUsernameFromTokens, secretHashParam } from './cognito-rules';
import { command } from './sdk';
import type { ResolvedConfig } from './config';
import type { AccessTokenClaims, IdTokenClaims, TokenVerifier } from './token-verifier';
import type { ServiceClient } from './service-client';

const debug = createDebug('express-cognito:renewal');

/** What {@link renewTokens} needs. */
export interface RenewalInput {
  clientId: string;
  clientSecret?: string;
  refreshToken: string;
  /** The internal username (see {@link refreshUsername}); without it a client with a secret rotates. */
  username?: string;
  deviceKey?: string;
  /** Use GetTokensFromRefreshToken straight away (the client is known to rotate refresh tokens). */
  rotation: boolean;
  clientMetadata?: Record<string, string>;
}

/** What {@link renewTokens} got. */
export interface RenewalOutcome {
  result: AuthenticationResultType;
  /** True when GetTokensFromRefreshToken was used (keep using it). */
  rotation: boolean;
}

/**
 * The username to build a refresh's SECRET_HASH from: the ID token's `cognito:username`, else the
 * access token's `username`, else `fallback`. The tokens are only decoded (Cognito checks them).
 *
 * @example
 * refreshUsername(u.idToken, u.accessToken, u.username); // 'b7d1…' even after a login by e-mail
 */
export function refreshUsername(idToken?: string, accessToken?: string, fallback?: string): string | undefined {
  return internalUsernameFromTokens(idToken, accessToken, fallback);
}

function errorName(e: unknown): string {
  return typeof e === 'object' && e !== null && typeof (e as { name?: unknown }).name === 'string' ? (e as { name: string }).name : '';
}

// REFRESH_TOKEN_AUTH refusals that GetTokensFromRefreshToken may not share: a rotating client, the
// flow switched off for the client, a secret hash Cognito would not verify.
function isRefusal(e: unknown): boolean {
  const name = errorName(e);
  return name === 'NotAuthorizedException' || name === 'InvalidParameterException';
}

async function rotate(service: ServiceClient, input: RenewalInput): Promise<AuthenticationResultType> {
  const out = await service.sendRaw<GetTokensFromRefreshTokenCommandOutput>(command('GetTokensFromRefreshToken', {
    ClientId: input.clientId,
    RefreshToken: input.refreshToken,
    ...(input.clientSecret !== undefined ? { ClientSecret: input.clientSecret } : {}),
    ...(input.deviceKey !== undefined ? { DeviceKey: input.deviceKey } : {}),
    ...(input.clientMetadata !== undefined ? { ClientMetadata: input.clientMetadata } : {}),
  }));
  return requireResult(out.AuthenticationResult);
}

function requireResult(result: AuthenticationResultType | undefined): AuthenticationResultType {
  if (result?.AccessToken === undefined || result.IdToken === undefined) {
    throw new CognitoServiceError('Cognito answered a refresh without tokens.');
  }
  return result;
}

/**
 * Gets new ID and access tokens (and, from a rotating client, a new refresh token).
 *
 * @throws RefreshTokenRejectedError (`ERR_COGNITO_REFRESH_REJECTED`) when Cognito refuses the refresh
 *   token; `ThrottledError`, `ServiceUnavailableError`, … as mapped by `mapServiceError`.
 * @example
 * const { result, rotation } = await renewTokens(service, { clientId, refreshToken, username, rotation: false });
 */
export async function renewTokens(service: ServiceClient, input: RenewalInput): Promise<RenewalOutcome> {
  // Without the username a SECRET_HASH cannot be built; GetTokensFromRefreshToken takes the secret itself.
  const rotation = input.rotation || (input.clientSecret !== undefined && input.username === undefined);
  if (rotation) {
    try {
      return { result: await rotate(service, input), rotation: true };
    } catch (e) {
      throw mapServiceError(e, 'refresh');
    }
  }
  const params: Record<string, string> = { REFRESH_TOKEN: input.refreshToken };
  if (input.username !== undefined) Object.assign(params, secretHashParam(input, input.username));
  if (input.deviceKey !== undefined) params.DEVICE_KEY = input.deviceKey;
  let first: unknown;
  try {
    const out = await service.sendRaw<InitiateAuthCommandOutput>(command('InitiateAuth', {
      AuthFlow: 'REFRESH_TOKEN_AUTH',
      ClientId: input.clientId,
      AuthParameters: params,
      ...(input.clientMetadata !== undefined ? { ClientMetadata: input.clientMetadata } : {}),
    }));
    return { result: requireResult(out.AuthenticationResult), rotation: false };
  } catch (e) {
    if (!isRefusal(e)) throw mapServiceError(e, 'refresh');
    first = e;
  }
  debug('REFRESH_TOKEN_AUTH refused (%s); trying GetTokensFromRefreshToken', errorName(first));
  try {
    return { result: await rotate(service, input), rotation: true };
  } catch (e) {
    // A refusal here is the refresh token's fault; an emulator or endpoint without the operation
    // leaves the first answer standing.
    const name = errorName(e);
    const unknownOperation = /UnknownOperation|InvalidAction|UnrecognizedClient|NotImplemented/i.test(name);
    throw mapServiceError(unknownOperation ? first : e, 'refresh');
  }
}

// App clients (endpoint + pool + client) found to rotate refresh tokens: a renewal brought a new one.
// Every later renewal for them, by any guard or `Cognito` of the process, goes straight to
// GetTokensFromRefreshToken (no refused REFRESH_TOKEN_AUTH first).
const rotatingClients = new Set<string>();

function clientKey(config: ResolvedConfig): string {
  return `${config.endpoint ?? ''}\0${config.userPoolId}\0${config.clientId}`;
}

/**
 * Whether this app client has been found to rotate refresh tokens (by any renewal of the process).
 *
 * @example
 * const rotation = told || clientRotates(config);
 */
export function clientRotates(config: ResolvedConfig): boolean {
  return rotatingClients.has(clientKey(config));
}

/** What {@link renewSession} renews. */
export interface SessionRenewalInput {
  refreshToken: string;
  /** The current tokens, for the internal username (SECRET_HASH) and nothing else. */
  idToken?: string | undefined;
  accessToken?: string | undefined;
  /** The name typed at sign-in: the fallback when the tokens name nobody. */
  username?: string | undefined;
  /** The session's device key (`DEVICE_KEY` / `DeviceKey`). */
  deviceKey?: string | undefined;
  /**
   * `true`: the client rotates refresh tokens (told, or found by the caller); `false`: the caller's
   * own knowledge says it has not seen it rotate (a `Cognito` instance); `undefined`: the process-wide
   * registry decides (the web layer).
   */
  rotation?: boolean | undefined;
}

/** Renewed, verified tokens. */
export interface RenewedTokens {
  /** Cognito answered with another refresh token: the client rotates them. */
  rotated: boolean;
  idToken: string;
  accessToken: string;
  /** The new refresh token of a rotating client, else the one renewed with. */
  refreshToken: string;
  tokenType: string;
  idClaims: IdTokenClaims;
  accessClaims: AccessTokenClaims;
  /** The access token's expiry, in milliseconds since the epoch. */
  expiresAt: number;
}

/**
 * Renews one session's tokens and verifies the new ones: the whole renewal the guard and `Cognito`
 * share (no `Cognito` instance is built for it). A client found to rotate is remembered process-wide.
 *
 * @throws RefreshTokenRejectedError when Cognito refuses the refresh token; ThrottledError,
 *   ServiceUnavailableError…; TokenVerificationError when Cognito's new tokens do not verify.
 * @example
 * const renewed = await renewSession({ config, service, verifier }, { refreshToken, idToken, accessToken });
 */
export async function renewSession(
  ctx: { readonly config: ResolvedConfig; readonly service: ServiceClient; readonly verifier: TokenVerifier },
  input: SessionRenewalInput,
): Promise<RenewedTokens> {
  const { config, service, verifier } = ctx;
  const rotation = input.rotation ?? clientRotates(config);
  const username = internalUsernameFromTokens(input.idToken, input.accessToken, input.username);
  debug('renewing%s', rotation ? ' (rotating client)' : '');
  const { result } = await renewTokens(service, {
    clientId: config.clientId,
    refreshToken: input.refreshToken,
    rotation,
    ...(config.clientSecret !== undefined ? { clientSecret: config.clientSecret } : {}),
    ...(username !== undefined ? { username } : {}),
    ...(input.deviceKey !== undefined ? { deviceKey: input.deviceKey } : {}),
  });
  // Only a rotating client answers with another refresh token (the old one then stops working).
  const rotated = result.RefreshToken !== undefined && result.RefreshToken !== input.refreshToken;
  if (rotated && !clientRotates(config)) {
    debug('the app client rotates refresh tokens: GetTokensFromRefreshToken from now on');
    rotatingClients.add(clientKey(config));
  }
  const idToken = result.IdToken as string;
  const accessToken = result.AccessToken as string;
  const [idClaims, accessClaims] = await Promise.all([
    verifier.verify(idToken, 'id', { accessToken }),
    verifier.verify(accessToken, 'access'),
  ]);
  return {
    rotated, idToken, accessToken, refreshToken: result.RefreshToken ?? input.refreshToken, tokenType: result.TokenType ?? 'Bearer',
    idClaims, accessClaims, expiresAt: accessClaims.exp * 1000,
  };
}
