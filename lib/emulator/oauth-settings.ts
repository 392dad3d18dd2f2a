/**
 * The OAuth 2.0 settings of an app client (CreateUserPoolClient / UpdateUserPoolClient members
 * `CallbackURLs`, `LogoutURLs`, `DefaultRedirectURI`, `AllowedOAuthFlows`, `AllowedOAuthScopes`,
 * `AllowedOAuthFlowsUserPoolClient`, `SupportedIdentityProviders`), checked as Cognito checks them,
 * and the redirect-URL rule the authorize and logout endpoints apply again.
 */
import { WireError, invalidParameter, notInEnum } from './errors';
import { optionalBoolean, optionalString, optionalStringList, type Params } from './protocol';
import type { ClientOAuth, PoolRecord } from './store';

/** The OAuth flows a client may allow. */
export const OAUTH_FLOWS = ['code', 'implicit', 'client_credentials'] as const;
/** Scopes every pool has, besides its resource servers' `<identifier>/<scope>`. */
export const STANDARD_SCOPES = ['phone', 'email', 'openid', 'profile', 'aws.cognito.signin.user.admin'] as const;

const MAX_URLS = 100;
const MAX_URL_LENGTH = 1024;
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);
const SCRIPT_SCHEMES = new Set(['javascript:', 'data:', 'vbscript:', 'file:', 'blob:']);

/**
 * Why a callback or logout URL cannot be registered, or `undefined` when it can: absolute, no
 * fragment, HTTPS (HTTP only on `localhost`, `127.0.0.1` and `[::1]`, any port), or an app's own
 * scheme (`myapp://callback`); never a scheme that runs script.
 *
 * @example
 * redirectUrlProblem('http://127.0.0.1:3000/callback'); // undefined
 * redirectUrlProblem('http://example.com/cb');          // 'must use HTTPS …'
 */
export function redirectUrlProblem(value: string): string | undefined {
  if (value.length === 0 || value.length > MAX_URL_LENGTH) return `must be 1 to ${MAX_URL_LENGTH} characters`;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be an absolute URL';
  }
  if (value.includes('#')) return 'must not have a fragment';
  if (SCRIPT_SCHEMES.has(url.protocol)) return `must not use the ${url.protocol} scheme`;
  if (url.protocol === 'http:' && !LOOPBACK_HOSTS.has(url.hostname)) {
    return 'must use HTTPS (HTTP is allowed only for localhost, 127.0.0.1 and [::1])';
  }
  if ((url.protocol === 'http:' || url.protocol === 'https:') && url.hostname === '') return 'must name a host';
  return undefined;
}

function urlList(params: Params, member: 'CallbackURLs' | 'LogoutURLs'): string[] {
  const list = optionalStringList(params, member) ?? [];
  if (list.length > MAX_URLS) throw invalidParameter(`${member} can have at most ${MAX_URLS} URLs.`);
  for (const url of list) {
    const problem = redirectUrlProblem(url);
    if (problem !== undefined) throw invalidParameter(`Invalid ${member} entry ${JSON.stringify(url.slice(0, 200))}: it ${problem}.`);
  }
  return [...new Set(list)];
}

/** Whether `scope` exists in this pool: a standard scope or one of a resource server's. */
export function scopeExists(pool: PoolRecord, scope: string): boolean {
  if ((STANDARD_SCOPES as readonly string[]).includes(scope)) return true;
  const slash = scope.lastIndexOf('/');
  if (slash <= 0) return false;
  const server = pool.resourceServers.get(scope.slice(0, slash));
  return server?.scopes.some((s) => s.ScopeName === scope.slice(slash + 1)) ?? false;
}

/**
 * The client's OAuth settings from a Create/UpdateUserPoolClient request.
 *
 * @throws WireError InvalidParameterException, InvalidOAuthFlowException or
 *   ScopeDoesNotExistException, with Cognito's wording where it is known.
 */
export function resolveClientOAuth(pool: PoolRecord, params: Params, hasSecret: boolean): ClientOAuth {
  const callbackUrls = urlList(params, 'CallbackURLs');
  const logoutUrls = urlList(params, 'LogoutURLs');
  const defaultRedirectUri = optionalString(params, 'DefaultRedirectURI');
  if (defaultRedirectUri !== undefined && !callbackUrls.includes(defaultRedirectUri)) {
    throw invalidParameter('DefaultRedirectURI must be one of the CallbackURLs.');
  }
  const flows = [...new Set(optionalStringList(params, 'AllowedOAuthFlows') ?? [])];
  for (const flow of flows) {
    if (!(OAUTH_FLOWS as readonly string[]).includes(flow)) throw notInEnum('allowedOAuthFlows', flow, OAUTH_FLOWS);
  }
  const scopes = [...new Set(optionalStringList(params, 'AllowedOAuthScopes') ?? [])];
  for (const scope of scopes) {
    if (!scopeExists(pool, scope)) throw new WireError('ScopeDoesNotExistException', `Invalid scope requested: ${scope.slice(0, 300)}`);
  }
  const identityProviders = [...new Set(optionalStringList(params, 'SupportedIdentityProviders') ?? [])];
  for (const name of identityProviders) {
    if (name !== 'COGNITO' && !pool.identityProviders.has(name)) {
      throw invalidParameter(`The provider ${name.slice(0, 64)} does not exist for User Pool ${pool.id}`);
    }
  }
  const enabled = optionalBoolean(params, 'AllowedOAuthFlowsUserPoolClient') ?? false;
  if (enabled) {
    if (flows.length === 0) throw new WireError('InvalidOAuthFlowException', 'AllowedOAuthFlows can not be empty when the client is allowed OAuth flows.');
    if (scopes.length === 0) throw new WireError('InvalidOAuthFlowException', 'AllowedOAuthScopes can not be empty when the client is allowed OAuth flows.');
  }
  const interactive = flows.includes('code') || flows.includes('implicit');
  if (flows.includes('client_credentials')) {
    if (interactive) {
      throw new WireError('InvalidOAuthFlowException', 'client_credentials flow can not be selected along with code flow or implicit flow');
    }
    if (!hasSecret) throw new WireError('InvalidOAuthFlowException', 'client_credentials flow can not be selected if client does not have a client secret.');
    if (scopes.some((s) => (STANDARD_SCOPES as readonly string[]).includes(s))) {
      throw new WireError('InvalidOAuthFlowException', 'client_credentials flow can only be used with custom scopes.');
    }
  }
  if (interactive && callbackUrls.length === 0) {
    throw new WireError('InvalidOAuthFlowException', 'CallbackUrls can not be empty when code flow or implicit flow is selected');
  }
  return {
    callbackUrls,
    logoutUrls,
    ...(defaultRedirectUri !== undefined ? { defaultRedirectUri } : {}),
    flows,
    scopes,
    enabled,
    identityProviders,
  };
}

/** The members of `UserPoolClient` that {@link resolveClientOAuth} read, as DescribeUserPoolClient echoes them. */
export function describeClientOAuth(oauth: ClientOAuth): Record<string, unknown> {
  return {
    ...(oauth.callbackUrls.length ? { CallbackURLs: [...oauth.callbackUrls] } : {}),
    ...(oauth.logoutUrls.length ? { LogoutURLs: [...oauth.logoutUrls] } : {}),
    ...(oauth.defaultRedirectUri !== undefined ? { DefaultRedirectURI: oauth.defaultRedirectUri } : {}),
    ...(oauth.flows.length ? { AllowedOAuthFlows: [...oauth.flows] } : {}),
    ...(oauth.scopes.length ? { AllowedOAuthScopes: [...oauth.scopes] } : {}),
    AllowedOAuthFlowsUserPoolClient: oauth.enabled,
    ...(oauth.identityProviders.length ? { SupportedIdentityProviders: [...oauth.identityProviders] } : {}),
  };
}
