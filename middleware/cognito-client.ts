/**
 * Building a `Cognito` (lib/cognito) for one user from the web layer's resolved config, so that the
 * strategy, the guard's renewal and the logout all talk to Cognito the same way.
 */
import { Cognito } from '../lib/cognito';
import type { ResolvedConfig } from '../lib/config';

/**
 * Per-user fields of a `Cognito` instance.
 *
 * @example
 * const user: CognitoUserFields = { username: 'alice', refreshToken, deviceKey };
 */
export interface CognitoUserFields {
  username?: string | undefined;
  idToken?: string | undefined;
  accessToken?: string | undefined;
  refreshToken?: string | undefined;
  /**
   * The device key of the session's tokens (`device_key`), which a refresh must send (`DEVICE_KEY`):
   * a pool that tracks devices binds each sign-in's refresh token to one. Only the key — the web login
   * does not remember devices, so there is no device group key or password (no device sign-in).
   */
  deviceKey?: string | undefined;
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
  for (const [k, v] of Object.entries(user)) if (v !== undefined && k !== 'deviceKey') o[k] = v;
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
  const cognito = new Cognito(config.userPoolId, config.clientId, cognitoOptionsFor(config, user, client));
  // The constructor takes a remembered device only whole (key, group key, password); a refresh needs
  // just the key, which `Cognito` sends as DEVICE_KEY / DeviceKey whenever `deviceKey` is set.
  if (user.deviceKey !== undefined) cognito.deviceKey = user.deviceKey;
  return cognito;
}
