/**
 * Ending sign-ins at Cognito: GlobalSignOut (every refresh token of the user stops working) and
 * RevokeToken (one sign-in's refresh token, and the tokens issued from it). Stateless: the `Cognito`
 * class and `cognitoLogout()` call these with the tokens they hold.
 */
import type { ResolvedConfig } from './config';
import { command } from './sdk';
import type { ServiceClient } from './service-client';

/**
 * GlobalSignOut with the user's access token.
 *
 * @throws CognitoError as mapped by `mapServiceError`.
 * @example
 * await globalSignOut(service, accessToken);
 */
export async function globalSignOut(service: ServiceClient, accessToken: string): Promise<void> {
  await service.send(command('GlobalSignOut', { AccessToken: accessToken }), 'other');
}

/**
 * RevokeToken of a refresh token, with the client secret when the client has one.
 *
 * @throws CognitoError as mapped by `mapServiceError`.
 * @example
 * await revokeRefreshToken(service, config, refreshToken);
 */
export async function revokeRefreshToken(service: ServiceClient, config: ResolvedConfig, refreshToken: string): Promise<void> {
  const { clientId, clientSecret } = config;
  await service.send(command('RevokeToken', {
    Token: refreshToken, ClientId: clientId, ...(clientSecret !== undefined ? { ClientSecret: clientSecret } : {}),
  }), 'other');
}
