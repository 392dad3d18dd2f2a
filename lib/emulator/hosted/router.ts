/**
 * The hosted UI on the emulator's origin: every pool domain under `/domain/<domain>/`, with
 * Cognito's paths below it (`/oauth2/authorize`, `/login`, `/oauth2/token`, `/oauth2/userInfo`,
 * `/oauth2/revoke`, `/logout`, `/error`), and the endpoints the OpenID discovery document names.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EmulatorContext } from '../context';
import { domainBaseUrl, primaryDomain } from '../operations/oauth-resources';
import type { PoolRecord } from '../store';
import { FormTooLarge, oauthError, sendPage } from './http';
import { idpResponse } from './federation';
import { authorize, loginPage, loginPost, logout } from './login';
import type { HostedSite } from './sso';
import { errorPage } from './pages';
import { SELF_SERVICE_STEPS, selfServicePage, selfServicePost } from './self-service';
import { revokeEndpoint, tokenEndpoint, userInfoEndpoint } from './token';

const DOMAIN_PATH = /^\/domain\/([a-z0-9.-]{1,253})(\/.*)$/;

/** Whether `path` is under a pool domain (so the hosted router answers it). */
export function isHostedPath(path: string): boolean {
  return DOMAIN_PATH.test(path);
}

/** The discovery document's members for a pool's domain (none when the pool has no domain). */
export function hostedEndpoints(endpoint: string, pool: PoolRecord): Record<string, string> {
  const domain = primaryDomain(pool);
  if (domain === undefined) return {};
  const base = domainBaseUrl(endpoint, domain.domain);
  return {
    authorization_endpoint: `${base}/oauth2/authorize`,
    token_endpoint: `${base}/oauth2/token`,
    userinfo_endpoint: `${base}/oauth2/userInfo`,
    revocation_endpoint: `${base}/oauth2/revoke`,
    end_session_endpoint: `${base}/logout`,
  };
}

function methodNotAllowed(res: ServerResponse, allow: string): void {
  sendPage(res, 405, errorPage({ title: 'Not allowed', clientName: 'Sign in' }, 'invalid_request', `Use ${allow}.`), { allow });
}

/** Answers a request under `/domain/<domain>/`. */
export async function handleHosted(ctx: EmulatorContext, endpoint: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://emulator');
  const match = DOMAIN_PATH.exec(url.pathname);
  const poolId = match ? ctx.store.domains.get(match[1]) : undefined;
  const pool = poolId === undefined ? undefined : ctx.store.pools.get(poolId);
  if (match === null || pool === undefined) {
    req.resume();
    return sendPage(res, 404, errorPage({ title: 'Not found', clientName: 'Sign in' }, 'not_found', 'There is no user pool domain here.'));
  }
  const site: HostedSite = { pool, origin: endpoint, basePath: `/domain/${match[1]}`, secure: endpoint.startsWith('https:') };
  const method = req.method ?? 'GET';
  const get = method === 'GET' || method === 'HEAD';
  try {
    switch (match[2]) {
      case '/oauth2/authorize':
        req.resume();
        return get ? await authorize(ctx, site, req, res, url.searchParams) : methodNotAllowed(res, 'GET');
      case '/oauth2/idpresponse':
        req.resume();
        return get ? await idpResponse(ctx, site, req, res, url.searchParams) : methodNotAllowed(res, 'GET');
      case '/login':
        if (get) {
          req.resume();
          return loginPage(ctx, site, res, url.searchParams);
        }
        return method === 'POST' ? await loginPost(ctx, site, req, res) : methodNotAllowed(res, 'GET or POST');
      case '/oauth2/token':
        if (method !== 'POST') {
          req.resume();
          return oauthError(res, 405, 'invalid_request', 'Use POST.', { allow: 'POST' });
        }
        return await tokenEndpoint(ctx, site, req, res);
      case '/oauth2/userInfo':
        return get || method === 'POST' ? userInfoEndpoint(ctx, site, req, res) : methodNotAllowed(res, 'GET or POST');
      case '/oauth2/revoke':
        if (method !== 'POST') {
          req.resume();
          return oauthError(res, 405, 'invalid_request', 'Use POST.', { allow: 'POST' });
        }
        return await revokeEndpoint(ctx, site, req, res);
      case '/signup':
      case '/confirmUser':
      case '/forgotPassword':
      case '/confirmForgotPassword': {
        const step = match[2].slice(1) as (typeof SELF_SERVICE_STEPS)[number];
        if (get) {
          req.resume();
          return selfServicePage(ctx, site, res, step, url.searchParams);
        }
        return method === 'POST' ? await selfServicePost(ctx, site, req, res, step) : methodNotAllowed(res, 'GET or POST');
      }
      case '/logout':
        req.resume();
        return get ? logout(ctx, site, req, res, url.searchParams) : methodNotAllowed(res, 'GET');
      case '/error':
        req.resume();
        return sendPage(res, 400, errorPage({ title: 'Something went wrong', clientName: 'Sign in' }, url.searchParams.get('error') ?? 'error',
          'The sign-in request was not valid.'));
      default:
        req.resume();
        return sendPage(res, 404, errorPage({ title: 'Not found', clientName: 'Sign in' }, 'not_found', 'There is no page here.'));
    }
  } catch (e) {
    if (e instanceof FormTooLarge) return oauthError(res, 413, 'invalid_request', 'The request body is too large.', { connection: 'close' });
    throw e;
  }
}
