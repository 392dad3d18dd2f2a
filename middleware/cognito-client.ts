/**
 * Building a `Cognito` (lib/cognito) for one user from the web layer's resolved config, so that the
 * strategy, the guard's renewal and the logout all talk to Cognito the same way.
 */
import { Cognito, type CognitoState } from '../lib/cognito';
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
 * A `Cognito` for one user of the configured pool and client.
 *
 * @example
 * const cognito = cognitoFor(config, { refreshToken, username }, { refreshTokenRotation: true });
 * await cognito.renewAccessToken();
 */
export function cognitoFor(config: ResolvedConfig, user: CognitoUserFields, client: CognitoClientFields = {}): Cognito {
  const { deviceKey, ...fields } = user;
  const state: CognitoState = {};
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) (state as Record<string, unknown>)[k] = v;
  if (client.refreshTokenRotation !== undefined) state.refreshTokenRotation = client.refreshTokenRotation;
  // The resolved config itself, not options rebuilt from it: every option (requestTimeoutMs,
  // jwksCooldownMs, jwksTimeoutMs…) stays the one the web layer resolved.
  const cognito = Cognito.fromConfig(config, state);
  // A remembered device is taken only whole (key, group key, password); a refresh needs just the
  // key, which `Cognito` sends as DEVICE_KEY / DeviceKey whenever `deviceKey` is set.
  if (deviceKey !== undefined) cognito.deviceKey = deviceKey;
  return cognito;
}
