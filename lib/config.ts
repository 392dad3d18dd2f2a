/**
 * The one configuration resolver: options + environment → a frozen {@link ResolvedConfig}.
 *
 * This is the only module of the package that reads `process.env` (CONVENTIONS §4). Every factory
 * (the `Cognito` class, the strategy, the middleware, the verifier) calls {@link resolveConfig} once, at
 * construction. Caller mistakes throw a `TypeError` naming the option; a secret is never echoed.
 */
import type { JSONWebKeySet, JWK } from 'jose';
import { systemClock, type Clock } from './clock';

/** The part of a `CognitoIdentityProviderClient` this package needs (so any client, or a fake, fits). */
export interface CognitoClientLike {
  send(command: unknown, ...rest: unknown[]): Promise<unknown>;
}

/**
 * Options shared by every factory of the package. Any field left out falls back to the environment.
 */
export interface CognitoOptions {
  /** User pool id, `<region>_<id>` (e.g. `eu-west-1_AbC123`). Env: `COGNITO_USER_POOL_ID`. Required. */
  userPoolId?: string;
  /**
   * App client id, or several allowed ones: tokens of any of them are accepted; the first is the one
   * used for calls. Env: `COGNITO_CLIENT_ID` (one id, or several separated by commas). Required.
   */
  clientId?: string | readonly string[];
  /** App client secret, for clients that have one. Env: `COGNITO_CLIENT_SECRET`. */
  clientSecret?: string;
  /** AWS region for API calls. Env: `AWS_REGION`; default: the pool id's prefix. */
  region?: string;
  /** Base URL of an emulator or VPC endpoint (`http(s)://…`). Env: `COGNITO_ENDPOINT`. */
  endpoint?: string;
  /** Signing keys to use instead of fetching: a JWKS object or its JSON text. Env: `COGNITO_JWKS`. */
  jwks?: JSONWebKeySet | string;
  /** Clock skew tolerated on `exp`, `nbf` and `iat`, in whole seconds. Default 5. */
  leewaySeconds?: number;
  /** Milliseconds since the epoch; inject one in tests. Default `Date.now`. */
  clock?: Clock;
  /** Minimum time between two JWKS refetches caused by an unknown `kid`, in ms. Default 30000. */
  jwksCooldownMs?: number;
  /** Timeout of one JWKS fetch, in ms. Default 5000. */
  jwksTimeoutMs?: number;
  /**
   * Timeout of one call to Cognito (connection and response), in ms, for the SDK client the package
   * makes itself (not for a `client` you pass). Default 10000. A call past it fails as
   * `ServiceUnavailableError` (503) instead of hanging a login or a renewal.
   */
  requestTimeoutMs?: number;
  /** A caller's own `CognitoIdentityProviderClient` (credentials, retries, tests). */
  client?: CognitoClientLike;
}

/** The validated, frozen result of {@link resolveConfig}. */
export interface ResolvedConfig {
  readonly userPoolId: string;
  /** The client id used for calls (the first allowed one). */
  readonly clientId: string;
  /** Every allowed client id (tokens' `aud` / `client_id` must be one of them). */
  readonly clientIds: readonly string[];
  readonly clientSecret?: string;
  readonly region: string;
  /** Without a trailing slash. */
  readonly endpoint?: string;
  readonly issuer: string;
  readonly jwksUri: string;
  /** Static signing keys (deep-frozen), when given. */
  readonly jwks?: JSONWebKeySet;
  readonly leewaySeconds: number;
  readonly clock: Clock;
  readonly jwksCooldownMs: number;
  readonly jwksTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly client?: CognitoClientLike;
}

/** Default clock-skew leeway, in seconds. */
export const DEFAULT_LEEWAY_SECONDS = 5;
/** Default JWKS refetch cooldown, in milliseconds. */
export const DEFAULT_JWKS_COOLDOWN_MS = 30_000;
/** Default JWKS fetch timeout, in milliseconds. */
export const DEFAULT_JWKS_TIMEOUT_MS = 5_000;
/** Default timeout of one Cognito call, in milliseconds. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;

// AWS: UserPoolId `[\w-]+_[0-9a-zA-Z]+`, at most 55 characters. The prefix is the region; an emulator
// may use a made-up one (`local_…`), so any lower-case dashed word is accepted here.
const POOL_ID = /^([a-z]{2,}(?:-[a-z0-9]+)*)_([0-9A-Za-z]+)$/;
const REGION = /^[a-z]{2,}(?:-[a-z0-9]+)*$/;
const CLIENT_ID = /^[\w+]{1,128}$/;

const resolvedConfigs = new WeakSet<object>();

/**
 * Validates options, fills the gaps from the environment and returns a frozen config. Calling it on a
 * config it returned gives that config back.
 *
 * Issuer: `https://cognito-idp.<pool region>.amazonaws.com/<poolId>` (the region in the pool id is the
 * one Cognito writes into `iss`, whatever `region`/`AWS_REGION` say), or `<endpoint>/<poolId>` when an
 * endpoint is set; `jwksUri` is `<issuer>/.well-known/jwks.json`.
 *
 * @param options the caller's options (unknown extra fields are ignored).
 * @param env the environment to fall back on; default `process.env`.
 * @throws TypeError naming the option when a value is missing or invalid.
 * @example
 * const config = resolveConfig({ userPoolId: 'eu-west-1_AbC123', clientId: ['web', 'mobile'] });
 * config.issuer;   // 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123'
 */
export function resolveConfig(options: CognitoOptions | ResolvedConfig = {}, env: NodeJS.ProcessEnv = process.env): ResolvedConfig {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new TypeError('options must be an object');
  }
  if (resolvedConfigs.has(options)) return options as ResolvedConfig;
  const o = options as CognitoOptions;

  const userPoolId = pick(o.userPoolId, env, 'COGNITO_USER_POOL_ID');
  if (userPoolId === undefined) throw new TypeError('"userPoolId" is required: pass it or set COGNITO_USER_POOL_ID');
  const poolMatch = typeof userPoolId === 'string' && userPoolId.length <= 55 ? POOL_ID.exec(userPoolId) : null;
  if (!poolMatch) throw new TypeError('"userPoolId" must look like "<region>_<id>", e.g. "eu-west-1_AbC123"');
  const poolRegion = poolMatch[1];

  const clientIds = resolveClientIds(o.clientId, env);

  const clientSecret = pick(o.clientSecret, env, 'COGNITO_CLIENT_SECRET');
  if (clientSecret !== undefined && (typeof clientSecret !== 'string' || !/^[\w+/=-]{1,256}$/.test(clientSecret))) {
    throw new TypeError('"clientSecret" must be a non-empty string of letters, digits and +/=_-');
  }

  const region = pick(o.region, env, 'AWS_REGION') ?? poolRegion;
  if (typeof region !== 'string' || !REGION.test(region)) throw new TypeError('"region" must be an AWS region name, e.g. "eu-west-1"');

  const endpointRaw = pick(o.endpoint, env, 'COGNITO_ENDPOINT');
  const endpoint = endpointRaw === undefined ? undefined : resolveEndpoint(endpointRaw);

  const jwksRaw = o.jwks ?? nonEmpty(env.COGNITO_JWKS);
  const jwks = jwksRaw === undefined ? undefined : resolveJwks(jwksRaw, o.jwks === undefined ? 'COGNITO_JWKS' : 'jwks');

  const leewaySeconds = integerOption(o.leewaySeconds, 'leewaySeconds', DEFAULT_LEEWAY_SECONDS, 0);
  const jwksCooldownMs = integerOption(o.jwksCooldownMs, 'jwksCooldownMs', DEFAULT_JWKS_COOLDOWN_MS, 0);
  const jwksTimeoutMs = integerOption(o.jwksTimeoutMs, 'jwksTimeoutMs', DEFAULT_JWKS_TIMEOUT_MS, 1);
  const requestTimeoutMs = integerOption(o.requestTimeoutMs, 'requestTimeoutMs', DEFAULT_REQUEST_TIMEOUT_MS, 1);

  const clock = o.clock ?? systemClock;
  if (typeof clock !== 'function') throw new TypeError('"clock" must be a function returning milliseconds since the epoch');

  const client = o.client;
  if (client !== undefined && (typeof client !== 'object' || client === null || typeof client.send !== 'function')) {
    throw new TypeError('"client" must be a CognitoIdentityProviderClient (an object with a send() method)');
  }

  const issuer = endpoint !== undefined
    ? `${endpoint}/${userPoolId}`
    : `https://cognito-idp.${poolRegion}.amazonaws.com/${userPoolId}`;

  const config: { -readonly [K in keyof ResolvedConfig]: ResolvedConfig[K] } = {
    userPoolId,
    clientId: clientIds[0],
    clientIds,
    region,
    issuer,
    jwksUri: `${issuer}/.well-known/jwks.json`,
    leewaySeconds,
    clock,
    jwksCooldownMs,
    jwksTimeoutMs,
    requestTimeoutMs,
  };
  if (clientSecret !== undefined) config.clientSecret = clientSecret;
  if (endpoint !== undefined) config.endpoint = endpoint;
  if (jwks !== undefined) config.jwks = jwks;
  if (client !== undefined) config.client = client;
  Object.freeze(config);
  resolvedConfigs.add(config);
  return config;
}

/**
 * Whether `value` is a config {@link resolveConfig} returned (and so needs no resolving again).
 *
 * @example
 * isResolvedConfig(resolveConfig({ userPoolId, clientId })); // true
 */
export function isResolvedConfig(value: unknown): value is ResolvedConfig {
  return typeof value === 'object' && value !== null && resolvedConfigs.has(value);
}

/** The option if given, else the environment variable (blank counts as unset). */
function pick<T>(value: T | undefined, env: NodeJS.ProcessEnv, name: string): T | string | undefined {
  return value !== undefined ? value : nonEmpty(env[name]);
}

function nonEmpty(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

function resolveClientIds(value: CognitoOptions['clientId'], env: NodeJS.ProcessEnv): readonly string[] {
  let ids: readonly unknown[];
  if (value === undefined) {
    const fromEnv = nonEmpty(env.COGNITO_CLIENT_ID);
    if (fromEnv === undefined) throw new TypeError('"clientId" is required: pass it or set COGNITO_CLIENT_ID');
    ids = fromEnv.split(',').map((s) => s.trim());
  } else if (typeof value === 'string') {
    ids = [value];
  } else if (Array.isArray(value)) {
    if (value.length === 0) throw new TypeError('"clientId" must not be an empty array');
    ids = value;
  } else {
    throw new TypeError('"clientId" must be a string or an array of strings');
  }
  for (const id of ids) {
    if (typeof id !== 'string' || !CLIENT_ID.test(id)) {
      throw new TypeError('"clientId" must be an app client id (letters, digits, _ and +), or an array of them');
    }
  }
  return Object.freeze([...new Set(ids as string[])]);
}

function resolveEndpoint(value: unknown): string {
  const message = '"endpoint" must be an http(s) URL without credentials, query or fragment';
  if (typeof value !== 'string') throw new TypeError(message);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new TypeError(message);
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.username || url.password || url.search || url.hash || value.includes('?') || value.includes('#')) {
    throw new TypeError(message);
  }
  return `${url.origin}${url.pathname}`.replace(/\/+$/, '');
}

function resolveJwks(value: unknown, name: 'jwks' | 'COGNITO_JWKS'): JSONWebKeySet {
  const message = name === 'jwks'
    ? '"jwks" must be a JWKS ({ "keys": [ … ] }) or its JSON text'
    : 'COGNITO_JWKS must be the JSON text of a JWKS ({ "keys": [ … ] })';
  let parsed: unknown = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value);
    } catch {
      throw new TypeError(message);
    }
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new TypeError(message);
  const keys = (parsed as { keys?: unknown }).keys;
  if (!Array.isArray(keys) || keys.some((k) => typeof k !== 'object' || k === null || Array.isArray(k))) {
    throw new TypeError(message);
  }
  // A private copy, frozen, so nobody can swap keys under the verifier.
  const copy = { keys: keys.map((k: JWK) => deepFreeze(structuredClone(k))) };
  return deepFreeze<JSONWebKeySet>(copy);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

function integerOption(value: unknown, name: string, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw new TypeError(`"${name}" must be ${min === 0 ? 'a non-negative' : 'a positive'} integer`);
  }
  return value;
}
