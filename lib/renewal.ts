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
import {
  GetTokensFromRefreshTokenCommand,
  InitiateAuthCommand,
  type AuthenticationResultType,
  type GetTokensFromRefreshTokenCommandOutput,
  type InitiateAuthCommandOutput,
} from '@aws-sdk/client-cognito-identity-provider';
import { decodeJwt } from 'jose';
import createDebug from 'debug';
import { CognitoServiceError, mapServiceError } from './errors';
import { secretHash } from './secret-hash';
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
  const claim = (token: string | undefined, name: string): string | undefined => {
    if (token === undefined) return undefined;
    try {
      const value = decodeJwt(token)[name];
      return typeof value === 'string' && value.length > 0 ? value : undefined;
    } catch {
      return undefined;
    }
  };
  return claim(idToken, 'cognito:username') ?? claim(accessToken, 'username') ?? fallback;
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
  const out = await service.sendRaw<GetTokensFromRefreshTokenCommandOutput>(new GetTokensFromRefreshTokenCommand({
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
  if (input.clientSecret !== undefined && input.username !== undefined) {
    params.SECRET_HASH = secretHash(input.username, input.clientId, input.clientSecret);
  }
  if (input.deviceKey !== undefined) params.DEVICE_KEY = input.deviceKey;
  let first: unknown;
  try {
    const out = await service.sendRaw<InitiateAuthCommandOutput>(new InitiateAuthCommand({
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
