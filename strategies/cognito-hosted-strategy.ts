/**
 * `CognitoHostedStrategy` (Passport name `'cognito-hosted'`): sign-in through the user pool's
 * managed login (hosted UI) with the OAuth 2.0 authorization code flow, PKCE (S256), `state` and
 * `nonce`, on top of openid-client (discovery, the authorization URL, the code exchange and its
 * checks). The tokens are then verified again by this package's `TokenVerifier` (signature, issuer,
 * `aud` / `client_id`, `token_use`, expiry), with `nonce` and `at_hash` checked here, and land in the
 * same session slot as `CognitoStrategy`'s, where `requireCognito()` reads and renews them.
 *
 * openid-client (ESM) loads on the first hosted sign-in: an app that only guards routes never loads it.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import { Strategy } from 'passport-strategy';
import type * as OpenIdClient from 'openid-client';
import { resolveConfig, type CognitoOptions, type ResolvedConfig } from '../lib/config';
import type { CognitoErrorCode } from '../lib/error-codes';
import { isCognitoError, ServiceUnavailableError } from '../lib/errors';
import { TokenVerifier } from '../lib/token-verifier';
import { hasSession, regenerateWithTokens, storeTokensAtRegeneration, toSessionTokens } from '../middleware/session-tokens';
import {
  defaultUser, type CognitoFailureInfo, type CognitoTokens, type CognitoVerifyFunction, type CognitoVerifyFunctionWithRequest,
  type VerifyDone,
} from './types';

/** Options of {@link CognitoHostedStrategy}: the shared Cognito options and these. */
export interface CognitoHostedStrategyOptions extends CognitoOptions {
  /** This app's callback URL, absolute, exactly as registered in the app client's CallbackURLs. */
  callbackURL: string;
  /** OAuth scopes to ask for (default `['openid', 'email', 'profile']`); `openid` is required (the ID token). */
  scope?: readonly string[];
  /** Send users straight to this federated identity provider (`identity_provider`), skipping Cognito's form. */
  identityProvider?: string;
  /** Pass `req` as the first argument of `verify` (default false). */
  passReqToCallback?: boolean;
  /** Also put the tokens on the default user as `user.tokens` (default false: they stay server side in the session). */
  storeTokensOnUser?: boolean;
  /** How long a user may take on the hosted pages, in seconds (default 600). */
  transactionTtlSeconds?: number;
}

/** What `passport.authenticate('cognito-hosted', options)` may add for one request. */
export interface CognitoHostedAuthenticateOptions {
  /** This sign-in only: go straight to this identity provider. */
  identityProvider?: string;
  /** This sign-in only: `prompt=login`, so the hosted form shows even with a live managed-login session. */
  prompt?: 'login';
  /** Passport's: false to skip `req.logIn` (the session is then regenerated here). */
  session?: boolean;
}

interface Transaction {
  state: string;
  nonce: string;
  codeVerifier: string;
  expiresAt: number;
}

type Outcome = { kind: 'success'; user: unknown; info?: unknown } | { kind: 'fail'; info: CognitoFailureInfo; status: number } | { kind: 'error'; err: unknown };

const TRANSACTION_KEY = 'cognitoHosted';
const PROVIDER = /^[\w.@+ -]{1,40}$/;

let openIdClient: Promise<typeof OpenIdClient> | undefined;
function loadOpenIdClient(): Promise<typeof OpenIdClient> {
  openIdClient ??= import('openid-client');
  return openIdClient;
}

function fail(status: number, code: CognitoErrorCode, message: string, extra: Record<string, string> = {}): Outcome {
  return { kind: 'fail', status, info: { code, message, ...extra } };
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** OpenID Connect's `at_hash` for an RS256 ID token: the left half of SHA-256 of the access token, base64url. */
function atHash(accessToken: string): string {
  return createHash('sha256').update(accessToken, 'ascii').digest().subarray(0, 16).toString('base64url');
}

/**
 * Passport strategy for the hosted UI. The same route both starts the sign-in (a redirect to
 * `/oauth2/authorize`) and, as the callback, finishes it (`?code=…&state=…`).
 *
 * - Start: PKCE verifier, `state` and `nonce` go into the session (express-session is required);
 *   the browser is redirected to the pool's authorization endpoint from the discovery document.
 * - Callback: the `state` must be this session's (one use, `transactionTtlSeconds`), the code is
 *   exchanged with the verifier, the ID and access tokens are verified, `nonce` and `at_hash`
 *   checked; the session is regenerated (Passport's `req.logIn`) with the tokens in the new one.
 * - Failures are `fail(info, status)` with `ERR_COGNITO_OAUTH_STATE` (400), `ERR_COGNITO_OAUTH_ERROR`
 *   (401, `info.error` from Cognito), `ERR_COGNITO_OAUTH_ID_TOKEN` (401) or a token-verification
 *   code; Cognito unreachable is `error(err)` with status 503.
 *
 * Renewal: the refresh token from the token endpoint works with REFRESH_TOKEN_AUTH, so
 * `requireCognito()` renews these sessions exactly as password sign-ins (one code path, single
 * flight, the Redis lock across instances); the renewed access token keeps the OAuth scopes.
 *
 * @example
 * passport.use(new CognitoHostedStrategy({ callbackURL: 'https://app.example.com/auth/callback' }));
 * app.get('/auth/login', passport.authenticate('cognito-hosted'));
 * app.get('/auth/callback', passport.authenticate('cognito-hosted', { successRedirect: '/', failureRedirect: '/login' }));
 */
export class CognitoHostedStrategy extends Strategy {
  /** Passport's name for this strategy. */
  name = 'cognito-hosted';
  private readonly config: ResolvedConfig;
  private readonly verifier: TokenVerifier;
  private readonly callbackURL: URL;
  private readonly scope: string;
  private readonly identityProvider?: string;
  private readonly passReqToCallback: boolean;
  private readonly storeTokensOnUser: boolean;
  private readonly transactionTtlMs: number;
  private readonly verify?: CognitoVerifyFunction | CognitoVerifyFunctionWithRequest;
  private discovered?: Promise<OpenIdClient.Configuration>;

  constructor(options: CognitoHostedStrategyOptions, verify?: CognitoVerifyFunction | CognitoVerifyFunctionWithRequest) {
    super();
    if (typeof options !== 'object' || options === null) throw new TypeError('CognitoHostedStrategy options must be an object');
    if (verify !== undefined && typeof verify !== 'function') throw new TypeError('"verify" must be a function');
    this.config = resolveConfig(options);
    this.verifier = new TokenVerifier(this.config);
    let callback: URL;
    try {
      callback = new URL(options.callbackURL);
    } catch {
      throw new TypeError('"callbackURL" must be an absolute URL (the app client\'s callback URL)');
    }
    if ((callback.protocol !== 'https:' && callback.protocol !== 'http:') || callback.hash !== '') {
      throw new TypeError('"callbackURL" must be an http(s) URL without a fragment');
    }
    this.callbackURL = callback;
    const scope = options.scope ?? ['openid', 'email', 'profile'];
    if (!Array.isArray(scope) || !scope.every((s) => typeof s === 'string' && /^[\x21\x23-\x5B\x5D-\x7E]{1,256}$/.test(s))) {
      throw new TypeError('"scope" must be an array of scope names');
    }
    if (!scope.includes('openid')) throw new TypeError('"scope" must include "openid": the sign-in needs the ID token');
    this.scope = scope.join(' ');
    if (options.identityProvider !== undefined) {
      if (typeof options.identityProvider !== 'string' || !PROVIDER.test(options.identityProvider)) {
        throw new TypeError('"identityProvider" must be an identity provider name');
      }
      this.identityProvider = options.identityProvider;
    }
    this.passReqToCallback = options.passReqToCallback === true;
    this.storeTokensOnUser = options.storeTokensOnUser === true;
    const ttl = options.transactionTtlSeconds ?? 600;
    if (!Number.isInteger(ttl) || ttl < 30 || ttl > 3600) throw new TypeError('"transactionTtlSeconds" must be an integer from 30 to 3600');
    this.transactionTtlMs = ttl * 1000;
    if (verify) this.verify = verify;
  }

  /**
   * Called by Passport: starts the sign-in, or finishes it when the request is the callback.
   *
   * @example
   * app.get('/auth/google', passport.authenticate('cognito-hosted', { identityProvider: 'Google' }));
   */
  override authenticate(req: Request, options: CognitoHostedAuthenticateOptions = {}): void {
    const query = new URL(req.originalUrl ?? req.url ?? '/', this.callbackURL).searchParams;
    const isCallback = query.has('code') || query.has('error') || query.has('state');
    (isCallback ? this.finish(req, options, query) : this.start(req, options)).then(
      (outcome) => {
        if (outcome === undefined) return;
        if (outcome.kind === 'success') return this.success(outcome.user, outcome.info);
        if (outcome.kind === 'fail') return this.fail(outcome.info, outcome.status);
        this.error(asError(outcome.err));
      },
      (err: unknown) => this.error(asError(err)),
    );
  }

  private configuration(): Promise<OpenIdClient.Configuration> {
    this.discovered ??= (async () => {
      const oidc = await loadOpenIdClient();
      const issuer = new URL(this.config.issuer);
      const auth = this.config.clientSecret === undefined ? oidc.None() : oidc.ClientSecretBasic(this.config.clientSecret);
      const insecure = issuer.protocol === 'http:' ? { execute: [oidc.allowInsecureRequests] } : {};
      const timeout = this.config.requestTimeoutMs / 1000;
      const configuration = await oidc.discovery(issuer, this.config.clientId, undefined, auth, { ...insecure, timeout });
      if (issuer.protocol === 'http:') oidc.allowInsecureRequests(configuration);
      configuration.timeout = this.config.requestTimeoutMs / 1000;
      return configuration;
    })();
    // A failed discovery is tried again by the next sign-in.
    this.discovered.catch(() => {
      this.discovered = undefined;
    });
    return this.discovered;
  }

  private async start(req: Request, options: CognitoHostedAuthenticateOptions): Promise<Outcome | undefined> {
    if (!hasSession(req)) return { kind: 'error', err: new Error('CognitoHostedStrategy needs a session (express-session) to keep state and PKCE') };
    const oidc = await loadOpenIdClient();
    let configuration: OpenIdClient.Configuration;
    try {
      configuration = await this.configuration();
    } catch (e) {
      return { kind: 'error', err: unavailable(e) };
    }
    const provider = options.identityProvider ?? this.identityProvider;
    if (provider !== undefined && !PROVIDER.test(provider)) return { kind: 'error', err: new TypeError('"identityProvider" must be a provider name') };
    const transaction: Transaction = {
      state: oidc.randomState(),
      nonce: oidc.randomNonce(),
      codeVerifier: oidc.randomPKCECodeVerifier(),
      expiresAt: this.config.clock() + this.transactionTtlMs,
    };
    (req.session as unknown as Record<string, unknown>)[TRANSACTION_KEY] = transaction;
    const url = oidc.buildAuthorizationUrl(configuration, {
      redirect_uri: this.callbackURL.toString(),
      scope: this.scope,
      state: transaction.state,
      nonce: transaction.nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(transaction.codeVerifier),
      code_challenge_method: 'S256',
      ...(provider !== undefined ? { identity_provider: provider } : {}),
      ...(options.prompt === 'login' ? { prompt: 'login' } : {}),
    });
    // Saved before the browser leaves, so the callback finds the transaction even with a slow store.
    await new Promise<void>((resolve, reject) => req.session.save((err?: unknown) => (err ? reject(asError(err)) : resolve())));
    this.redirect(url.toString());
    return undefined;
  }

  private async finish(req: Request, options: CognitoHostedAuthenticateOptions, query: URLSearchParams): Promise<Outcome> {
    if (!hasSession(req)) return { kind: 'error', err: new Error('CognitoHostedStrategy needs a session (express-session) to keep state and PKCE') };
    const session = req.session as unknown as Record<string, unknown>;
    const transaction = session[TRANSACTION_KEY] as Transaction | undefined;
    delete session[TRANSACTION_KEY];
    const state = query.get('state');
    const matches = transaction !== undefined && state !== null && safeEqual(state, transaction.state);
    if (!matches || this.config.clock() >= transaction.expiresAt) {
      return fail(400, 'ERR_COGNITO_OAUTH_STATE', 'The sign-in could not be matched to this browser, or took too long. Please start again.');
    }
    const error = query.get('error');
    if (error !== null) {
      return fail(401, 'ERR_COGNITO_OAUTH_ERROR', 'The sign-in was refused.', { error: error.slice(0, 64) });
    }
    const oidc = await loadOpenIdClient();
    let configuration: OpenIdClient.Configuration;
    try {
      configuration = await this.configuration();
    } catch (e) {
      return { kind: 'error', err: unavailable(e) };
    }
    const current = new URL(this.callbackURL);
    current.search = query.toString();
    let tokens: OpenIdClient.TokenEndpointResponse;
    try {
      tokens = await oidc.authorizationCodeGrant(configuration, current, {
        pkceCodeVerifier: transaction.codeVerifier,
        expectedState: transaction.state,
        expectedNonce: transaction.nonce,
        idTokenExpected: true,
      });
    } catch (e) {
      if (e instanceof oidc.ResponseBodyError || e instanceof oidc.AuthorizationResponseError) {
        return fail(401, 'ERR_COGNITO_OAUTH_ERROR', 'The sign-in was refused.', { error: e.error.slice(0, 64) });
      }
      // A claim of the ID token (nonce, iss, aud) or its times did not match: openid-client's own checks.
      if (e instanceof oidc.ClientError && /JWT_(CLAIM|TIMESTAMP)/.test(e.code ?? '')) {
        return fail(401, 'ERR_COGNITO_OAUTH_ID_TOKEN', 'The ID token does not match this sign-in.');
      }
      if (e instanceof oidc.ClientError) return fail(401, 'ERR_COGNITO_OAUTH_ERROR', 'The sign-in answer was not valid.', { error: 'invalid_response' });
      return { kind: 'error', err: unavailable(e) };
    }
    return this.complete(req, options, tokens, transaction);
  }

  private async complete(
    req: Request,
    options: CognitoHostedAuthenticateOptions,
    t: OpenIdClient.TokenEndpointResponse,
    tx: Transaction,
  ): Promise<Outcome> {
    const idToken = t.id_token;
    const accessToken = t.access_token;
    if (typeof idToken !== 'string') return fail(401, 'ERR_COGNITO_OAUTH_ID_TOKEN', 'Cognito sent no ID token: ask for the openid scope.');
    let claims: Record<string, unknown>;
    try {
      claims = { ...(await this.verifier.verify(idToken, 'id')) };
      await this.verifier.verify(accessToken, 'access');
    } catch (e) {
      if (isCognitoError(e) && e.status === 401) return fail(401, e.code, 'The tokens from Cognito did not verify.');
      throw e;
    }
    if (typeof claims.nonce !== 'string' || !safeEqual(claims.nonce, tx.nonce)) {
      return fail(401, 'ERR_COGNITO_OAUTH_ID_TOKEN', 'The ID token does not match this sign-in.');
    }
    if (typeof claims.at_hash !== 'string' || !safeEqual(claims.at_hash, atHash(accessToken))) {
      return fail(401, 'ERR_COGNITO_OAUTH_ID_TOKEN', 'The ID token does not match the access token.');
    }
    const refreshToken = typeof t.refresh_token === 'string' ? t.refresh_token : undefined;
    const stored = toSessionTokens({ idToken, accessToken, refreshToken });
    const tokens: CognitoTokens = { idToken, accessToken, expiresAt: stored.expiresAt, tokenType: 'Bearer' };
    if (refreshToken !== undefined) tokens.refreshToken = refreshToken;
    let user: unknown;
    let info: unknown;
    if (this.verify) {
      const result = await this.callVerify(req, tokens, claims);
      if (!result.user) {
        const given = result.info as Partial<CognitoFailureInfo> | undefined;
        return fail(401, given?.code ?? 'ERR_COGNITO_USER_REFUSED', given?.message ?? 'The user is not allowed to sign in.');
      }
      ({ user, info } = result);
    } else {
      user = defaultUser(claims, this.storeTokensOnUser ? tokens : undefined);
    }
    // The tokens go into the regenerated session only (no fixation, nothing in the pre-login session).
    if (options.session === false) await regenerateWithTokens(req, stored);
    else storeTokensAtRegeneration(req, stored);
    return { kind: 'success', user, info };
  }

  private callVerify(req: Request, tokens: CognitoTokens, claims: Record<string, unknown>): Promise<{ user: unknown; info: unknown }> {
    return new Promise((resolve, reject) => {
      let called = false;
      const done: VerifyDone = (err, user, info) => {
        if (called) return;
        called = true;
        // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- done(err) hands this.error what verify passed
        if (err) reject(err);
        else resolve({ user, info });
      };
      try {
        if (this.passReqToCallback) (this.verify as CognitoVerifyFunctionWithRequest)(req, tokens, claims, done);
        else (this.verify as CognitoVerifyFunction)(tokens, claims, done);
      } catch (e) {
        if (!called) {
          called = true;
          // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- what verify throws reaches this.error as thrown
          reject(e);
        }
      }
    });
  }
}

function asError(e: unknown): Error {
  return e instanceof Error ? e : new Error(typeof e === 'string' ? e : 'non-Error thrown');
}

function unavailable(cause: unknown): ServiceUnavailableError {
  return new ServiceUnavailableError('The sign-in service (the user pool\'s hosted UI) cannot be reached.', { cause });
}
