/**
 * The `Cognito` class's way to Cognito: an AWS SDK client made on first use (no I/O, not even a
 * client, in a constructor; the SDK itself is only loaded then, see `sdk.ts`) unless the caller gave
 * one, and every failure mapped to a `CognitoError` by `mapServiceError`.
 */
import type { CognitoClientLike, ResolvedConfig } from './config';
import { sdk } from './sdk';
import { mapServiceError, type ServiceErrorContext } from './service-errors';

/** Default SDK attempts per call (the SDK's own default). */
export const DEFAULT_MAX_ATTEMPTS = 3;

// One SDK client per (region, endpoint, attempts, timeout) for the whole process: the web layer builds
// a `Cognito` per login, renewal and logout, and a client per call would redo the SDK's configuration
// and lose its kept-alive connections.
const sharedClients = new Map<string, CognitoClientLike>();

function sharedClient(region: string, endpoint: string | undefined, maxAttempts: number, timeoutMs: number): CognitoClientLike {
  const key = JSON.stringify([region, endpoint ?? null, maxAttempts, timeoutMs]);
  let client = sharedClients.get(key);
  if (client === undefined) {
    client = new (sdk().CognitoIdentityProviderClient)({
      region,
      maxAttempts,
      ...(endpoint !== undefined ? { endpoint } : {}),
      // Without throwOnRequestTimeout the SDK only warns when requestTimeout passes, and a hanging
      // Cognito would hang the login or renewal with it.
      requestHandler: { connectionTimeout: timeoutMs, requestTimeout: timeoutMs, throwOnRequestTimeout: true },
    });
    sharedClients.set(key, client);
  }
  return client;
}

/**
 * Sends commands to Cognito through one (replaceable) SDK client.
 *
 * @example
 * const service = new ServiceClient(config, 3);
 * const out = await service.send<InitiateAuthCommandOutput>(command('InitiateAuth', input), 'login');
 */
export class ServiceClient {
  #client: CognitoClientLike | undefined;
  readonly #region: string;
  readonly #endpoint: string | undefined;
  readonly #maxAttempts: number;
  readonly #timeoutMs: number;

  constructor(config: ResolvedConfig, maxAttempts: number = DEFAULT_MAX_ATTEMPTS) {
    this.#client = config.client;
    this.#region = config.region;
    this.#endpoint = config.endpoint;
    this.#maxAttempts = maxAttempts;
    this.#timeoutMs = config.requestTimeoutMs;
  }

  /**
   * The SDK client in use: the caller's, else one shared by the process for this region, endpoint,
   * `maxAttempts` and `requestTimeoutMs`, created on first use.
   */
  get client(): CognitoClientLike {
    this.#client ??= sharedClient(this.#region, this.#endpoint, this.#maxAttempts, this.#timeoutMs);
    return this.#client;
  }

  /** Replaces the SDK client (pycognito's `switch_session`). */
  set client(client: CognitoClientLike) {
    if (typeof client !== 'object' || client === null || typeof client.send !== 'function') {
      throw new TypeError('"client" must be a CognitoIdentityProviderClient (an object with a send() method)');
    }
    this.#client = client;
  }

  /**
   * Sends a command; any failure becomes a `CognitoError` (see `mapServiceError`).
   *
   * @param context what kind of call this is; it decides what NotAuthorizedException means.
   */
  async send<O>(command: object, context: ServiceErrorContext): Promise<O> {
    try {
      return (await this.client.send(command)) as O;
    } catch (e) {
      throw mapServiceError(e, context);
    }
  }

  /** Sends a command and lets the SDK's own error through, for callers that must look at it first. */
  async sendRaw<O>(command: object): Promise<O> {
    return (await this.client.send(command)) as O;
  }
}
