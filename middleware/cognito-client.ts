/**
 * Building a `Cognito` (lib/cognito) for one user from the web layer's resolved config, so that the
 * strategy, the guard's renewal and the logout all talk to Cognito the same way.
 */
import { Cognito } from '../lib/cognito';
import type { ResolvedConfig } from '../lib/config';

/**
 * Per-user fields of a `Cognito` instance. (No device key: `Cognito` takes a remembered device only as
 * key, group key and password together, and the web login does not remember devices.)
 *
 * @example
 * const user: CognitoUserFields = { username: 'alice', refreshToken };
 */
export interface CognitoUserFields {
  username?: string | undefined;
  idToken?: string | undefined;
  accessToken?: string | undefined;
  refreshToken?: string | undefined;
}

/**
 * How the app client behaves, beyond the resolved config.
 *
 * @example
 * const client: CognitoClientFields = { refreshTokenRotation: true };
 */
export interface CognitoClientFields {
  /** The app client rotates refresh tokens: renew with GetTokensFromRefreshToken straight away. */
  refreshTokenRotation?: boolean | undefined;
}

/**
 * The `Cognito` constructor's options for `config` plus one user's fields (undefined ones left out).
 *
 * @example
 * new Cognito(config.userPoolId, config.clientId, cognitoOptionsFor(config, { username }));
 */
export function cognitoOptionsFor(
  config: ResolvedConfig,
  user: CognitoUserFields,
  client: CognitoClientFields = {},
): ConstructorParameters<typeof Cognito>[2] {
  const o: Record<string, unknown> = { region: config.region, clock: config.clock, leewaySeconds: config.leewaySeconds };
  if (config.clientSecret !== undefined) o.clientSecret = config.clientSecret;
  if (config.endpoint !== undefined) o.endpoint = config.endpoint;
  if (config.client !== undefined) o.client = config.client;
  if (config.jwks !== undefined) o.jwks = config.jwks;
  if (client.refreshTokenRotation !== undefined) o.refreshTokenRotation = client.refreshTokenRotation;
  for (const [k, v] of Object.entries(user)) if (v !== undefined) o[k] = v;
  return o as ConstructorParameters<typeof Cognito>[2];
}

/**
 * A `Cognito` for one user of the configured pool and client.
 *
 * @example
 * const cognito = cognitoFor(config, { refreshToken, username }, { refreshTokenRotation: true });
 * await cognito.renewAccessToken();
 */
export function cognitoFor(config: ResolvedConfig, user: CognitoUserFields, client: CognitoClientFields = {}): Cognito {
  return new Cognito(config.userPoolId, config.clientId, cognitoOptionsFor(config, user, client));
}
