/**
 * Options of the `Cognito` class: the package-wide ones (resolved by `resolveConfig`, with their
 * environment fallbacks) plus the per-user state pycognito's constructor takes.
 */
import { MAX_USERNAME_LENGTH } from './cognito-rules';
import { resolveConfig, type CognitoOptions, type ResolvedConfig } from './config';
import { DEFAULT_MAX_ATTEMPTS } from './service-client';

/**
 * Options of `new Cognito(userPoolId, clientId, options)`. Besides these, every `CognitoOptions`
 * field (`clientSecret`, `region`, `endpoint`, `client`, `jwks`, `leewaySeconds`, `clock`,
 * `jwksCooldownMs`, `jwksTimeoutMs`) applies, with the same environment fallbacks.
 */
export interface CognitoUserOptions extends Omit<CognitoOptions, 'userPoolId' | 'clientId'> {
  /** The name the user signs in with (username, or an alias such as the e-mail address). */
  username?: string;
  /** Tokens of a saved session, to restore it. */
  idToken?: string;
  accessToken?: string;
  refreshToken?: string;
  /** A remembered device (all three together, as the `Cognito` instance exposed them). */
  deviceKey?: string;
  deviceGroupKey?: string;
  devicePassword?: string;
  /** `DeviceName` sent with ConfirmDevice when Cognito offers to remember this device. */
  deviceName?: string;
  /** SDK attempts per call (retries + 1) for the client made here; default 3. Ignored with `client`. */
  maxAttempts?: number;
  /**
   * The app client rotates refresh tokens: renew with GetTokensFromRefreshToken. Default false
   * (detected anyway when Cognito refuses REFRESH_TOKEN_AUTH).
   */
  refreshTokenRotation?: boolean;
  /** The environment to fall back on; default `process.env`. */
  env?: NodeJS.ProcessEnv;
}

/** The validated per-user options. */
export interface UserState {
  username?: string;
  idToken?: string;
  accessToken?: string;
  refreshToken?: string;
  device?: { deviceKey: string; deviceGroupKey: string; devicePassword: string };
  deviceName?: string;
  maxAttempts: number;
  refreshTokenRotation: boolean;
}

const TOKEN_FIELDS = ['idToken', 'accessToken', 'refreshToken'] as const;
const DEVICE_FIELDS = ['deviceKey', 'deviceGroupKey', 'devicePassword'] as const;

function optionalString(options: CognitoUserOptions, name: keyof CognitoUserOptions): string | undefined {
  const value = options[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length === 0) throw new TypeError(`"${name}" must be a non-empty string`);
  return value;
}

/**
 * Validates the `Cognito` constructor's arguments, once.
 *
 * @throws TypeError naming the option.
 * @example
 * const { config, state } = resolveCognitoOptions('eu-west-1_AbC123', 'client', { username: 'bob' });
 */
export function resolveCognitoOptions(
  userPoolId: string | undefined,
  clientId: string | readonly string[] | undefined,
  options: CognitoUserOptions = {},
): { config: ResolvedConfig; state: UserState } {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) throw new TypeError('options must be an object');
  const { env, ...shared } = options;
  if (env !== undefined && (typeof env !== 'object' || env === null)) throw new TypeError('"env" must be an object');
  const merged = { ...shared, userPoolId, clientId } as CognitoOptions;
  const config = env === undefined ? resolveConfig(merged) : resolveConfig(merged, env);
  return { config, state: resolveUserState(options) };
}

/**
 * The per-user fields of {@link CognitoUserOptions} (everything but the shared options), as given to
 * `Cognito.fromConfig(config, state)`.
 *
 * @example
 * const state: CognitoState = { username: 'bob', refreshToken, deviceKey, deviceGroupKey, devicePassword };
 */
export type CognitoState = Pick<CognitoUserOptions, 'username' | 'idToken' | 'accessToken' | 'refreshToken' | 'deviceKey'
  | 'deviceGroupKey' | 'devicePassword' | 'deviceName' | 'maxAttempts' | 'refreshTokenRotation'>;

/**
 * Validates the per-user fields, once.
 *
 * @throws TypeError naming the field.
 * @example
 * const state = resolveUserState({ username: 'bob', refreshTokenRotation: true });
 */
export function resolveUserState(options: CognitoState): UserState {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) throw new TypeError('state must be an object');
  const state: UserState = { maxAttempts: DEFAULT_MAX_ATTEMPTS, refreshTokenRotation: false };
  const username = optionalString(options, 'username');
  if (username !== undefined) {
    if (username.length > MAX_USERNAME_LENGTH) throw new TypeError(`"username" must be at most ${MAX_USERNAME_LENGTH} characters`);
    state.username = username;
  }
  for (const name of TOKEN_FIELDS) {
    const token = optionalString(options, name);
    if (token !== undefined) state[name] = token;
  }
  const device = DEVICE_FIELDS.map((name) => optionalString(options as CognitoUserOptions, name));
  if (device.some((v) => v !== undefined)) {
    if (device.some((v) => v === undefined)) {
      throw new TypeError('"deviceKey", "deviceGroupKey" and "devicePassword" must be given together');
    }
    const [deviceKey, deviceGroupKey, devicePassword] = device as [string, string, string];
    state.device = { deviceKey, deviceGroupKey, devicePassword };
  }
  const deviceName = optionalString(options, 'deviceName');
  if (deviceName !== undefined) state.deviceName = deviceName;
  if (options.maxAttempts !== undefined) {
    const n = options.maxAttempts;
    if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 1) throw new TypeError('"maxAttempts" must be a positive integer');
    state.maxAttempts = n;
  }
  if (options.refreshTokenRotation !== undefined) {
    if (typeof options.refreshTokenRotation !== 'boolean') throw new TypeError('"refreshTokenRotation" must be a boolean');
    state.refreshTokenRotation = options.refreshTokenRotation;
  }
  return state;
}

/**
 * A secret argument (a password, a key id): a non-empty string.
 *
 * @throws TypeError naming it.
 * @example
 * checkSecret(password, 'password');
 */
export function checkSecret(value: unknown, name: string): string {
  if (typeof value !== 'string' || value.length === 0) throw new TypeError(`"${name}" must be a non-empty string`);
  return value;
}

/**
 * `clientMetadata` for Lambda triggers: an object of strings, copied.
 *
 * @throws TypeError.
 * @example
 * checkClientMetadata({ source: 'web' });
 */
export function checkClientMetadata(value: unknown): Record<string, string> | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value) || Object.values(value).some((v) => typeof v !== 'string')) {
    throw new TypeError('"clientMetadata" must be an object of strings');
  }
  return { ...(value as Record<string, string>) };
}
