/**
 * `clientCredentials({ scopes })`: machine-to-machine access tokens from the user pool's OAuth 2.0
 * token endpoint (`grant_type=client_credentials`, RFC 6749 §4.4), for a service that calls an API
 * guarded by `requireCognito({ scope })`.
 *
 * No I/O at construction. The first `getToken()` discovers the token endpoint (once, from
 * `<issuer>/.well-known/openid-configuration`, unless `tokenEndpoint` is given) and fetches a token;
 * concurrent callers share that one request; the token is kept and handed out until its refresh
 * point (80 % of its lifetime, or 60 s before it expires if that comes sooner), when the next caller
 * fetches a new one. If that refresh fails while the token held is still valid, the held token is
 * returned and the refresh is tried again 10 s later; with no valid token, the failure is thrown.
 *
 * The client authenticates with `client_secret_basic`. Neither the secret nor a token ever goes
 * into an error message or a debug line: errors carry the HTTP status and the OAuth error code only.
 */
import createDebug from 'debug';
import { unverifiedClaims } from './cognito-rules';
import { resolveConfig, type CognitoOptions, type ResolvedConfig } from './config';
import {
  CognitoServiceError, isCognitoError, NotAuthorizedError, ServiceUnavailableError, ThrottledError, type CognitoError,
} from './errors';

const debug = createDebug('express-cognito:client-credentials');

/** After a failed refresh while the held token is still valid, the next attempt waits this long, in ms. */
const RETRY_AFTER_FAILURE_MS = 10_000;
/** Largest token-endpoint or discovery answer read, in bytes (Cognito's are well under 8 KiB). */
const MAX_BODY_BYTES = 64 * 1024;
// RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ).
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;
// The OAuth error codes an error answer may name; anything else is not repeated in a message.
const OAUTH_ERRORS: ReadonlySet<string> = new Set([
  'invalid_request', 'invalid_client', 'invalid_grant', 'unauthorized_client', 'unsupported_grant_type', 'invalid_scope',
]);

/**
 * Options of {@link clientCredentials}: the shared Cognito options (`userPoolId`, `clientId` (the
 * first one is used), `clientSecret` (required), `endpoint`, `clock`, `requestTimeoutMs` (default
 * 10000: the timeout of each discovery and token request)…, each falling back to the environment)
 * and these.
 *
 * @example
 * const options: ClientCredentialsOptions = { userPoolId, clientId: 'm2m', clientSecret, scopes: ['orders/read'] };
 */
export interface ClientCredentialsOptions extends CognitoOptions {
  /** The scopes to ask for (`<resource server>/<scope>`, e.g. `orders/read`). Required, at least one. */
  scopes: readonly string[];
  /**
   * The token endpoint (`https://<domain>/oauth2/token`). Default: the `token_endpoint` of the pool's
   * discovery document, fetched once from `<issuer>/.well-known/openid-configuration`.
   */
  tokenEndpoint?: string;
  /** The `fetch` to use (instrumentation, a proxy, tests). Default: the global `fetch`. */
  fetch?: typeof fetch;
}

/** A machine-to-machine access token and what is known of it. */
export interface ClientCredentialsToken {
  /** The access token (a JWT), for `Authorization: Bearer …`. */
  readonly accessToken: string;
  /** When it expires, in milliseconds since the epoch by the configured clock. */
  readonly expiresAt: number;
  /** The scopes Cognito granted (it drops the ones the app client may not have, silently). */
  readonly scopes: readonly string[];
}

/** What {@link clientCredentials} returns. */
export interface ClientCredentials {
  /** A valid access token: the cached one, or a new one when none is held or the refresh point has passed. */
  getToken(): Promise<string>;
  /** {@link getToken}, with the token's expiry and granted scopes. */
  getTokenInfo(): Promise<ClientCredentialsToken>;
  /** Forgets the cached token (say the API refused it): the next call fetches a new one. */
  invalidate(): void;
}

interface Held {
  readonly token: ClientCredentialsToken;
  /** From this time on (ms, by the clock), the next caller fetches a new token. */
  readonly refreshAt: number;
}

/**
 * Fetches, caches and renews machine-to-machine access tokens for one app client (which needs a
 * secret, the `client_credentials` flow and the scopes allowed, and a pool with a domain).
 *
 * @param options see {@link ClientCredentialsOptions}.
 * @throws TypeError at once when `clientSecret` is missing, `scopes` is empty or an option is invalid.
 * @returns `getToken()` and friends; their promises reject with `NotAuthorizedError` (401: the token
 *   endpoint refused the client — `invalid_client`, `unauthorized_client`), `ThrottledError` (429),
 *   `ServiceUnavailableError` (503: network error, timeout, 5xx) or `CognitoServiceError` (502: any
 *   other refusal — `invalid_scope`… — or a malformed answer, or no `token_endpoint` to discover).
 * @example
 * const m2m = clientCredentials({ userPoolId, clientId: 'm2m', clientSecret: process.env.M2M_SECRET, scopes: ['orders/read'] });
 * const res = await fetch('https://orders.example.com/api/orders', { headers: { authorization: `Bearer ${await m2m.getToken()}` } });
 */
export function clientCredentials(options: ClientCredentialsOptions): ClientCredentials {
  if (typeof options !== 'object' || options === null) throw new TypeError('clientCredentials options must be an object');
  const config = resolveConfig(options);
  const secret = config.clientSecret;
  if (secret === undefined) {
    throw new TypeError('"clientSecret" is required: the client_credentials grant authenticates the app client with its secret');
  }
  const scopes = scopeList(options.scopes);
  const fetchImpl = options.fetch ?? globalThis.fetch;
  if (typeof fetchImpl !== 'function') throw new TypeError('"fetch" must be a function');
  let endpoint = options.tokenEndpoint === undefined ? undefined : endpointUrl(options.tokenEndpoint, config);
  if (endpoint === undefined && options.tokenEndpoint !== undefined) {
    throw new TypeError('"tokenEndpoint" must be an https URL (http only for an http endpoint or a loopback host), without credentials');
  }
  // RFC 6749 §2.3.1: the id and secret are form-encoded before Basic (a no-op for Cognito's alphabets).
  const basic = `Basic ${Buffer.from(`${formEncode(config.clientId)}:${formEncode(secret)}`).toString('base64')}`;
  const body = new URLSearchParams({ grant_type: 'client_credentials', scope: scopes.join(' ') }).toString();
  const io: Io = { fetch: fetchImpl, timeoutMs: config.requestTimeoutMs };

  let held: Held | undefined;
  let inFlight: Promise<Held> | undefined;
  let discovery: Promise<string> | undefined;
  let generation = 0;

  const tokenEndpoint = (): Promise<string> => {
    if (endpoint !== undefined) return Promise.resolve(endpoint);
    if (discovery === undefined) {
      const found = discover(config, io).then((url) => {
        endpoint = url;
        return url;
      });
      discovery = found;
      // A failed discovery is not kept: the next caller tries again.
      found.catch(() => {
        if (discovery === found) discovery = undefined;
      });
    }
    return discovery;
  };

  const fetchShared = (): Promise<Held> => {
    if (inFlight !== undefined) return inFlight;
    const gen = generation;
    const request = tokenEndpoint()
      .then((url) => requestToken(url, basic, body, scopes, config, io))
      .then((fresh) => {
        if (gen === generation) held = fresh;
        return fresh;
      });
    inFlight = request;
    // Settled: the next caller after this one starts afresh (a failure is never kept).
    const done = (): void => {
      if (inFlight === request) inFlight = undefined;
    };
    request.then(done, done);
    return request;
  };

  const getTokenInfo = async (): Promise<ClientCredentialsToken> => {
    const current = held;
    const now = config.clock();
    if (current !== undefined && now < current.refreshAt && now < current.token.expiresAt) return current.token;
    if (current === undefined || now >= current.token.expiresAt) return (await fetchShared()).token;
    try {
      return (await fetchShared()).token;
    } catch (err) {
      // Refresh failed, but the token held is still good: hand it out and try again a little later.
      // (Every caller that shared the failed request lands here; the token compared is the same for all.)
      if (held?.token !== current.token || config.clock() >= current.token.expiresAt) throw err;
      debug('refresh failed (%s); keeping the current token until the next attempt', isCognitoError(err) ? err.code : 'error');
      held = { token: current.token, refreshAt: config.clock() + RETRY_AFTER_FAILURE_MS };
      return current.token;
    }
  };

  return {
    getTokenInfo,
    getToken: async () => (await getTokenInfo()).accessToken,
    invalidate: () => {
      generation++;
      held = undefined;
      inFlight = undefined;
    },
  };
}

interface Io {
  readonly fetch: typeof fetch;
  readonly timeoutMs: number;
}

/** One token request and its answer, as a {@link Held}; refusals as the package's errors. */
async function requestToken(
  url: string, basic: string, body: string, asked: readonly string[], config: ResolvedConfig, io: Io,
): Promise<Held> {
  const started = config.clock();
  const res = await send(io, url, 'token endpoint', {
    method: 'POST',
    headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body,
  });
  if (!res.ok) throw await tokenEndpointError(res, io);
  const answer = await readJson(res, io);
  if (!isRecord(answer) || typeof answer.access_token !== 'string' || answer.access_token === '' ||
    typeof answer.expires_in !== 'number' || !Number.isFinite(answer.expires_in) || answer.expires_in <= 0 ||
    typeof answer.token_type !== 'string' || answer.token_type.toLowerCase() !== 'bearer') {
    throw new CognitoServiceError('The token endpoint returned a malformed answer (no access_token, expires_in or Bearer token_type).');
  }
  const accessToken = answer.access_token;
  const claims = unverifiedClaims(accessToken);
  // Counted from when the request left (the conservative end), and never past the token's own exp.
  let expiresAt = started + answer.expires_in * 1000;
  if (typeof claims?.exp === 'number') expiresAt = Math.min(expiresAt, claims.exp * 1000);
  const lifetime = Math.max(expiresAt - started, 0);
  const margin = Math.min(Math.max(lifetime * 0.2, 60_000), lifetime * 0.5);
  const grantedText = typeof answer.scope === 'string' ? answer.scope : typeof claims?.scope === 'string' ? claims.scope : undefined;
  const granted = grantedText === undefined ? [...asked] : grantedText.split(' ').filter((s) => s !== '');
  const dropped = asked.filter((s) => !granted.includes(s));
  debug('token fetched for client %s: valid %ds, scopes %s', config.clientId, Math.round(lifetime / 1000), granted.join(' '));
  if (dropped.length > 0) debug('scopes not granted (the app client may not have them): %s', dropped.join(' '));
  return {
    token: Object.freeze({ accessToken, expiresAt, scopes: Object.freeze(granted) }),
    refreshAt: expiresAt - margin,
  };
}

/** The error for a non-2xx answer of the token endpoint: its status and OAuth `error` code, nothing else. */
async function tokenEndpointError(res: Response, io: Io): Promise<CognitoError> {
  const answer = await readJson(res, io).catch(() => undefined);
  const code = isRecord(answer) && typeof answer.error === 'string' && OAUTH_ERRORS.has(answer.error) ? answer.error : undefined;
  if (res.status === 429) return new ThrottledError(retryAfterSeconds(res), 'The token endpoint is throttling requests; try again later.');
  if (res.status >= 500) return new ServiceUnavailableError(`The token endpoint answered HTTP ${res.status}; try again later.`);
  if (code === 'invalid_client' || (code === undefined && res.status === 401)) {
    return new NotAuthorizedError('The token endpoint refused the client credentials (invalid_client): check "clientId" and "clientSecret".');
  }
  if (code === 'unauthorized_client') {
    return new NotAuthorizedError('The app client may not use the client_credentials grant (unauthorized_client).');
  }
  if (code === 'invalid_scope') {
    return new CognitoServiceError('The token endpoint granted none of the scopes asked for (invalid_scope): check "scopes".');
  }
  return new CognitoServiceError(`The token endpoint refused the request (HTTP ${res.status}${code === undefined ? '' : `, ${code}`}).`);
}

/** The pool's `token_endpoint`, from its discovery document. */
async function discover(config: ResolvedConfig, io: Io): Promise<string> {
  const res = await send(io, `${config.issuer}/.well-known/openid-configuration`, 'discovery document', {
    headers: { accept: 'application/json' },
  });
  if (!res.ok) {
    await res.body?.cancel().catch(() => undefined);
    if (res.status >= 500 || res.status === 429) {
      throw new ServiceUnavailableError(`The discovery document answered HTTP ${res.status}; try again later.`);
    }
    throw new CognitoServiceError(`The discovery document of ${config.issuer} answered HTTP ${res.status}.`);
  }
  const doc = await readJson(res, io);
  const named = isRecord(doc) ? doc.token_endpoint : undefined;
  const url = typeof named === 'string' ? endpointUrl(named, config) : undefined;
  if (url === undefined) {
    throw new CognitoServiceError('The discovery document names no usable token_endpoint: give the user pool a domain, or pass "tokenEndpoint".');
  }
  debug('token endpoint discovered: %s', url);
  return url;
}

/** `fetch` with the timeout and no redirects (a secret is never re-sent elsewhere); unreachable → 503. */
async function send(io: Io, url: string, what: string, init: RequestInit): Promise<Response> {
  try {
    // Called unbound: some fetch implementations refuse a `this` that is not the global object.
    const fetchFn = io.fetch;
    return await fetchFn(url, { ...init, redirect: 'error', signal: AbortSignal.timeout(io.timeoutMs) });
  } catch (err) {
    throw new ServiceUnavailableError(`The ${what} could not be reached or did not answer in ${io.timeoutMs} ms (${failureName(err)}).`);
  }
}

/** A JSON body of at most {@link MAX_BODY_BYTES}; `undefined` when it is larger or not JSON; 503 when the body breaks off. */
async function readJson(res: Response, io: Io): Promise<unknown> {
  if (Number(res.headers.get('content-length') ?? '0') > MAX_BODY_BYTES || res.body === null) {
    await res.body?.cancel().catch(() => undefined);
    return undefined;
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    // A fetch body is a byte stream; undici types it as ReadableStream<any>.
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > MAX_BODY_BYTES) {
        await reader.cancel().catch(() => undefined);
        return undefined;
      }
      chunks.push(value);
    }
  } catch (err) {
    throw new ServiceUnavailableError(`The answer broke off or did not come in ${io.timeoutMs} ms (${failureName(err)}).`);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

/** A network failure's name or code (`ECONNREFUSED`, `TimeoutError`…): never its message, which could quote a URL or header. */
function failureName(err: unknown): string {
  const cause = (err as { cause?: { code?: unknown; name?: unknown } } | undefined)?.cause;
  for (const candidate of [cause?.code, (err as { name?: unknown } | undefined)?.name, cause?.name]) {
    if (typeof candidate === 'string' && /^[A-Za-z_]{1,40}$/.test(candidate) && candidate !== 'TypeError' && candidate !== 'Error') return candidate;
  }
  return 'network error';
}

/** An http(s) URL to send the secret to: https, or http for an http `endpoint` or a loopback host; `undefined` otherwise. */
function endpointUrl(value: unknown, config: ResolvedConfig): string | undefined {
  if (typeof value !== 'string') return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  if (url.username || url.password || url.hash) return undefined;
  const loopback = url.hostname === 'localhost' || url.hostname === '[::1]' || /^127(?:\.\d{1,3}){3}$/.test(url.hostname);
  if (url.protocol === 'https:' || (url.protocol === 'http:' && (loopback || config.issuer.startsWith('http:')))) return url.toString();
  return undefined;
}

function scopeList(value: unknown): readonly string[] {
  if (!Array.isArray(value) || value.length === 0 || value.some((s) => typeof s !== 'string' || !SCOPE_TOKEN.test(s))) {
    throw new TypeError('"scopes" must be a non-empty array of scope names, e.g. ["orders/read"]');
  }
  return Object.freeze([...new Set(value as string[])]);
}

function formEncode(text: string): string {
  return encodeURIComponent(text).replace(/%20/g, '+');
}

function retryAfterSeconds(res: Response): number {
  const seconds = Number(res.headers.get('retry-after'));
  return Number.isInteger(seconds) && seconds > 0 ? Math.min(seconds, 3600) : 1;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
