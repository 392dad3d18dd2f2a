/**
 * Federated sign-in through an OIDC identity provider, offline: `/oauth2/authorize` with
 * `identity_provider` (or `idp_identifier`) sends the browser to the provider with state, nonce and
 * PKCE; `/oauth2/idpresponse` exchanges its code, verifies its ID token (RS256 against its JWKS,
 * issuer, audience, expiry, nonce) and signs in the pool's user `<Provider>_<subject>` — created
 * on first sign-in with status EXTERNAL_PROVIDER, the mapped attributes, `identities`, and the
 * group `<poolId>_<Provider>` — then finishes the authorization like a password sign-in.
 *
 * The provider must be on loopback (another pool of this emulator, or a local test IdP): the
 * emulator never reaches the internet.
 */
import { createHash, createPublicKey, randomBytes, type JsonWebKey } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EmulatorContext } from '../context';
import { WireError } from '../errors';
import { newUuid, randomToken } from '../ids';
import { decodeJwt, jwtSignatureValid } from '../jwt';
import type { AuthorizeRequest, FederationRecord, IdentityProviderRecord, PoolRecord, UserRecord } from '../store';
import { findUser, userKey } from '../user-directory';
import { runPostConfirmation, runPreSignUp } from '../user-triggers';
import { finishAuthorize } from './authorize';
import { redirect, sendPage, withParams } from './http';
import { startSso, type HostedSite } from './sso';
import { errorPage } from './pages';

const FEDERATION_TTL_MS = 10 * 60 * 1000;
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);
const FETCH_TIMEOUT_MS = 5000;

interface ProviderEndpoints {
  issuer: string;
  authorize: string;
  token: string;
  jwks: string;
}

class FederationError extends Error {}

function loopbackUrl(value: string | undefined, what: string): string {
  let url: URL;
  try {
    url = new URL(value ?? '');
  } catch {
    throw new FederationError(`The identity provider's ${what} is not a URL.`);
  }
  if (!LOOPBACK.has(url.hostname) || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new FederationError(`The emulator federates only with identity providers on loopback; ${what} is ${url.origin}.`);
  }
  return url.toString();
}

async function fetchJson(url: string, init: RequestInit = {}): Promise<Record<string, unknown>> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(FETCH_TIMEOUT_MS), redirect: 'error' });
  const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  if (!res.ok) throw new FederationError(`The identity provider answered ${res.status}${typeof body.error === 'string' ? ` (${body.error})` : ''}.`);
  return body;
}

// The endpoints of the provider: ProviderDetails where given, else its discovery document.
async function endpointsOf(provider: IdentityProviderRecord): Promise<ProviderEndpoints> {
  const d = provider.details;
  const issuer = loopbackUrl(d.oidc_issuer, 'oidc_issuer').replace(/\/$/, '');
  if (d.authorize_url && d.token_url && d.jwks_uri) {
    return { issuer, authorize: loopbackUrl(d.authorize_url, 'authorize_url'), token: loopbackUrl(d.token_url, 'token_url'), jwks: loopbackUrl(d.jwks_uri, 'jwks_uri') };
  }
  const doc = await fetchJson(`${issuer}/.well-known/openid-configuration`);
  const s = (name: string): string | undefined => (typeof doc[name] === 'string' ? doc[name] : undefined);
  return {
    issuer,
    authorize: loopbackUrl(d.authorize_url ?? s('authorization_endpoint'), 'authorization_endpoint'),
    token: loopbackUrl(d.token_url ?? s('token_endpoint'), 'token_endpoint'),
    jwks: loopbackUrl(d.jwks_uri ?? s('jwks_uri'), 'jwks_uri'),
  };
}

function failPage(res: ServerResponse, message: string): void {
  sendPage(res, 400, errorPage({ title: 'Sign-in failed', clientName: 'Sign in' }, 'federation_error', message));
}

/** `/oauth2/authorize` for an OIDC provider: off to the provider with state, nonce and PKCE. */
export async function startFederation(
  ctx: EmulatorContext,
  site: HostedSite,
  res: ServerResponse,
  request: AuthorizeRequest,
  providerName: string,
): Promise<void> {
  const provider = site.pool.identityProviders.get(providerName);
  if (provider === undefined || provider.type !== 'OIDC') return failPage(res, `${providerName} is not an OIDC identity provider of this pool.`);
  let endpoints: ProviderEndpoints;
  try {
    endpoints = await endpointsOf(provider);
  } catch (e) {
    if (e instanceof FederationError || e instanceof TypeError || (e as Error).name === 'TimeoutError') return failPage(res, messageOf(e));
    throw e;
  }
  const record: FederationRecord = {
    state: randomToken(24),
    request,
    provider: provider.name,
    nonce: randomToken(24),
    codeVerifier: randomBytes(32).toString('base64url'),
    expiresAt: ctx.clock.now() + FEDERATION_TTL_MS,
  };
  ctx.store.federations.set(record.state, record);
  ctx.store.noteWrite(ctx.clock.now());
  redirect(res, withParams(endpoints.authorize, {
    response_type: 'code',
    client_id: provider.details.client_id,
    redirect_uri: `${site.origin}${site.basePath}/oauth2/idpresponse`,
    scope: provider.details.authorize_scopes,
    state: record.state,
    nonce: record.nonce,
    code_challenge: createHash('sha256').update(record.codeVerifier).digest('base64url'),
    code_challenge_method: 'S256',
  }));
}

function messageOf(e: unknown): string {
  if (e instanceof FederationError) return e.message;
  return 'The identity provider could not be reached.';
}

async function verifiedClaims(
  ctx: EmulatorContext,
  provider: IdentityProviderRecord,
  endpoints: ProviderEndpoints,
  idToken: unknown,
  nonce: string,
): Promise<Record<string, unknown>> {
  const jwt = typeof idToken === 'string' ? decodeJwt(idToken) : undefined;
  if (jwt === undefined) throw new FederationError('The identity provider sent no ID token.');
  if (jwt.header.alg !== 'RS256') throw new FederationError('The identity provider\'s ID token is not RS256.');
  const jwks = await fetchJson(endpoints.jwks);
  const keys = Array.isArray(jwks.keys) ? (jwks.keys as Array<JsonWebKey & { kid?: string }>) : [];
  const jwk = keys.find((k) => k.kid === jwt.header.kid && k.kty === 'RSA');
  if (jwk === undefined || !jwtSignatureValid(jwt, createPublicKey({ key: jwk, format: 'jwk' }))) {
    throw new FederationError('The identity provider\'s ID token signature does not verify.');
  }
  const c = jwt.payload;
  const audience = Array.isArray(c.aud) ? c.aud : [c.aud];
  if (c.iss !== endpoints.issuer) throw new FederationError('The identity provider\'s ID token has another issuer.');
  if (!audience.includes(provider.details.client_id)) throw new FederationError('The identity provider\'s ID token is for another client.');
  if (typeof c.exp !== 'number' || c.exp * 1000 <= ctx.clock.now()) throw new FederationError('The identity provider\'s ID token has expired.');
  if (c.nonce !== nonce) throw new FederationError('The identity provider\'s ID token has another nonce.');
  if (typeof c.sub !== 'string' || c.sub === '') throw new FederationError('The identity provider\'s ID token has no subject.');
  return c;
}

function claimText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean' || typeof value === 'number') return String(value);
  return undefined;
}

// The pool's user for this provider's subject: created on first sign-in (PreSignUp_ExternalProvider
// first, PostConfirmation_ConfirmSignUp after), attributes refreshed after.
async function federatedUser(
  ctx: EmulatorContext,
  pool: PoolRecord,
  provider: IdentityProviderRecord,
  claims: Record<string, unknown>,
  clientId: string,
): Promise<UserRecord> {
  const subject = claimText(claims[provider.attributeMapping.username ?? 'sub']) ?? String(claims.sub);
  const username = `${provider.name}_${subject}`;
  const now = ctx.clock.now();
  let user = findUser(pool, username);
  const created = user === undefined;
  if (user === undefined) {
    user = {
      username, sub: newUuid(), attributes: new Map(), status: 'EXTERNAL_PROVIDER', enabled: true, createdAt: now, updatedAt: now,
      passwordSetAt: now, groups: new Set(), mfa: { totpVerified: false, totpEnabled: false, smsEnabled: false, usedTotpCodes: [] },
    };
    user.attributes.set('identities', JSON.stringify([{
      userId: subject, providerName: provider.name, providerType: provider.type, issuer: null, primary: true, dateCreated: now,
    }]));
  }
  for (const [attribute, claim] of Object.entries(provider.attributeMapping)) {
    if (attribute === 'username') continue;
    const value = claimText(claims[claim]);
    if (value !== undefined) user.attributes.set(attribute, value);
  }
  if (created) {
    const answer = await runPreSignUp(ctx, pool, {
      source: 'PreSignUp_ExternalProvider', userName: username, clientId, userAttributes: Object.fromEntries(user.attributes),
    });
    if (answer.autoVerifyEmail && user.attributes.has('email')) user.attributes.set('email_verified', 'true');
    if (answer.autoVerifyPhone && user.attributes.has('phone_number')) user.attributes.set('phone_number_verified', 'true');
    pool.users.set(userKey(pool, username), user);
  }
  const group = `${pool.id}_${provider.name}`;
  if (!pool.groups.has(group)) pool.groups.set(group, { name: group, createdAt: now, updatedAt: now });
  user.groups.add(group);
  user.updatedAt = now;
  if (created) await runPostConfirmation(ctx, pool, user, { source: 'PostConfirmation_ConfirmSignUp', clientId });
  return user;
}

/** GET `/oauth2/idpresponse`: the provider's answer. */
export async function idpResponse(
  ctx: EmulatorContext,
  site: HostedSite,
  req: IncomingMessage,
  res: ServerResponse,
  query: URLSearchParams,
): Promise<void> {
  const state = query.get('state') ?? '';
  const record = ctx.store.federations.get(state);
  ctx.store.federations.delete(state);
  if (record === undefined || ctx.clock.now() >= record.expiresAt || record.request.poolId !== site.pool.id) {
    return failPage(res, 'This sign-in is unknown or has expired. Start again from the app.');
  }
  const back = (error: string, description: string): void =>
    redirect(res, withParams(record.request.redirectUri, { error, error_description: description, state: record.request.state }));
  if (query.get('error') !== null) return back('access_denied', 'The identity provider refused the sign-in.');
  const code = query.get('code');
  const provider = site.pool.identityProviders.get(record.provider);
  if (code === null || provider === undefined) return back('invalid_request', 'The identity provider sent no code.');
  let user: UserRecord;
  try {
    const endpoints = await endpointsOf(provider);
    const tokens = await fetchJson(endpoints.token, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        client_id: provider.details.client_id,
        ...(provider.details.client_secret ? { client_secret: provider.details.client_secret } : {}),
        redirect_uri: `${site.origin}${site.basePath}/oauth2/idpresponse`,
        code_verifier: record.codeVerifier,
      }).toString(),
    });
    const claims = await verifiedClaims(ctx, provider, endpoints, tokens.id_token, record.nonce);
    user = await federatedUser(ctx, site.pool, provider, claims, record.request.clientId);
  } catch (e) {
    // A trigger's refusal goes back to the app, as Cognito's error_description.
    if (e instanceof WireError) return back('invalid_request', e.message);
    if (e instanceof FederationError || e instanceof TypeError || (e as Error).name === 'TimeoutError') return failPage(res, messageOf(e));
    throw e;
  }
  if (!user.enabled) return back('access_denied', 'User is disabled.');
  req.resume();
  const authTime = Math.floor(ctx.clock.now() / 1000);
  redirect(res, await finishAuthorize(ctx, record.request, user, authTime), { 'set-cookie': startSso(ctx, site, user, authTime) });
}
