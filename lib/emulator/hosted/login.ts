/**
 * The hosted UI's sign-in: `/oauth2/authorize` (straight back with a code when the browser's
 * managed-login session is still good), `/login` and its challenge steps (driving the emulator's
 * own sign-in: password, NEW_PASSWORD_REQUIRED, SOFTWARE_TOKEN_MFA, SMS_MFA, EMAIL_OTP (email MFA), SELECT_MFA_TYPE,
 * MFA_SETUP), and `/logout` (the only thing that ends the managed-login session, as in Cognito).
 *
 * Forms carry a CSRF token that must also be in the `XSRF-TOKEN` cookie; posts answer with a 302
 * (a reload never resends a password); the managed-login cookie lasts one hour on the domain's path.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { secretHash } from '../../secret-hash';
import type { EmulatorContext } from '../context';
import { WireError } from '../errors';
import { randomToken } from '../ids';
import { operations } from '../operations/registry';
import { hostedPasswordSignIn } from '../operations/auth';
import { HOSTED_SIGN_IN, type SignInResponse } from '../operations/sign-in-steps';
import type { ClientRecord, HostedLoginRecord } from '../store';
import { findUser } from '../user-directory';
import { checkAuthorize, finishAuthorize } from './authorize';
import { startFederation } from './federation';
import { SSO_COOKIE, ssoUser, startSso, type HostedSite } from './sso';
import { cookies, readForm, redirect, sendPage, setCookie } from './http';
import { challengePage, errorPage, signInPage, type PageFrame } from './pages';

const LOGIN_TTL_MS = 15 * 60 * 1000;
// What a redirect back to the sign-in form may say (a key, never text from the query).
const NOTICES: Record<string, string | undefined> = { reset: 'Your password has been changed. Sign in with the new one.' };
const CSRF_COOKIE = 'XSRF-TOKEN';

function frameOf(client: ClientRecord | undefined, title: string): PageFrame {
  return { title, clientName: client?.clientName ?? 'Sign in' };
}

/** GET `/oauth2/authorize`. */
export async function authorize(
  ctx: EmulatorContext,
  site: HostedSite,
  req: IncomingMessage,
  res: ServerResponse,
  query: URLSearchParams,
): Promise<void> {
  const check = checkAuthorize(site.pool, query);
  if (!check.ok) {
    if ('redirect' in check) return redirect(res, check.redirect);
    return sendPage(res, check.page.status, errorPage(frameOf(undefined, 'Something went wrong'), check.page.error, check.page.message));
  }
  if (check.identityProvider !== undefined && check.identityProvider !== 'COGNITO') {
    return startFederation(ctx, site, res, check.request, check.identityProvider);
  }
  const sso = check.forceLogin ? undefined : ssoUser(ctx, site, req);
  if (sso !== undefined) return redirect(res, await finishAuthorize(ctx, check.request, sso.user, sso.authTime));
  redirect(res, `${site.basePath}/login?${query.toString()}`);
}

function newLogin(ctx: EmulatorContext, request: HostedLoginRecord['request']): HostedLoginRecord {
  const now = ctx.clock.now();
  const login: HostedLoginRecord = { id: randomToken(24), request, csrf: randomToken(24), expiresAt: now + LOGIN_TTL_MS };
  ctx.store.hostedLogins.set(login.id, login);
  ctx.store.noteWrite(now);
  return login;
}

function csrfCookie(site: HostedSite, login: HostedLoginRecord): string {
  return setCookie(CSRF_COOKIE, login.csrf, `${site.basePath}/`, LOGIN_TTL_MS / 1000, site.secure);
}

/** Renders the sign-in form (or the challenge reached) of a hosted login. */
export function renderLogin(
  site: HostedSite,
  res: ServerResponse,
  login: HostedLoginRecord,
  client: ClientRecord,
  status: number,
  error?: string,
  username?: string,
  notice?: string,
): void {
  const fields = { login_id: login.id, _csrf: login.csrf };
  const providers = client.oauth.identityProviders.filter((n) => n !== 'COGNITO').map((name) => ({
    name,
    href: `${site.basePath}/oauth2/authorize?${authorizeQuery(login.request, name)}`,
  }));
  const page = login.challenge === undefined
    ? signInPage(frameOf(client, 'Sign in'), `${site.basePath}/login`, fields, {
      ...(error ? { error } : {}), ...(username ? { username } : {}), ...(notice ? { notice } : {}), providers,
      links: [
        { href: `${site.basePath}/forgotPassword?login_id=${encodeURIComponent(login.id)}`, text: 'Forgot your password?' },
        { href: `${site.basePath}/signup?login_id=${encodeURIComponent(login.id)}`, text: 'Need an account? Sign up' },
      ],
    })
    : challengePage(frameOf(client, 'Sign in'), `${site.basePath}/login`, fields, {
      name: login.challenge.name,
      parameters: login.challenge.parameters,
      ...(error ? { error } : {}),
      ...(login.challenge.parameters.SECRET_CODE ? {
        secretCode: login.challenge.parameters.SECRET_CODE,
        otpauthUri: `otpauth://totp/${encodeURIComponent(client.clientName)}:${encodeURIComponent(login.challenge.username)}`
          + `?secret=${login.challenge.parameters.SECRET_CODE}&issuer=${encodeURIComponent(client.clientName)}`,
      } : {}),
    });
  sendPage(res, status, page, { 'set-cookie': csrfCookie(site, login) });
}

// The authorization request again, going straight to one identity provider.
function authorizeQuery(request: HostedLoginRecord['request'], provider: string): string {
  return new URLSearchParams({
    response_type: request.responseType,
    client_id: request.clientId,
    redirect_uri: request.redirectUri,
    scope: request.scopes.join(' '),
    identity_provider: provider,
    ...(request.state !== undefined ? { state: request.state } : {}),
    ...(request.nonce !== undefined ? { nonce: request.nonce } : {}),
    ...(request.codeChallenge !== undefined ? { code_challenge: request.codeChallenge, code_challenge_method: 'S256' } : {}),
  }).toString();
}

/** GET `/login`: the authorize request is checked again (the page can be opened directly, as on Cognito). */
export function loginPage(ctx: EmulatorContext, site: HostedSite, res: ServerResponse, query: URLSearchParams): void {
  const pending = query.get('login_id');
  if (pending !== null) {
    const login = ctx.store.hostedLogins.get(pending);
    if (login !== undefined && ctx.clock.now() < login.expiresAt && login.request.poolId === site.pool.id) {
      const { client } = ctx.store.client(login.request.clientId, site.pool.id);
      const notice = NOTICES[query.get('notice') ?? ''];
      return renderLogin(site, res, login, client, 200, undefined, undefined, notice);
    }
    return sendPage(res, 400, errorPage(frameOf(undefined, 'Sign-in expired'), 'invalid_request', 'This sign-in has expired. Start again from the app.'));
  }
  const check = checkAuthorize(site.pool, query);
  if (!check.ok) {
    if ('redirect' in check) return redirect(res, check.redirect);
    return sendPage(res, check.page.status, errorPage(frameOf(undefined, 'Something went wrong'), check.page.error, check.page.message));
  }
  renderLogin(site, res, newLogin(ctx, check.request), check.client, 200);
}

function withSecretHash(client: ClientRecord, username: string, answers: Record<string, string>): Record<string, string> {
  if (client.clientSecret === undefined) return answers;
  return { ...answers, SECRET_HASH: secretHash(username, client.clientId, client.clientSecret) };
}

async function respond(
  ctx: EmulatorContext,
  client: ClientRecord,
  login: HostedLoginRecord,
  form: URLSearchParams,
): Promise<SignInResponse> {
  const step = login.challenge!;
  const answers: Record<string, string> = { USERNAME: step.username };
  let session = step.session;
  switch (step.name) {
    case 'SOFTWARE_TOKEN_MFA':
      answers.SOFTWARE_TOKEN_MFA_CODE = form.get('code') ?? '';
      break;
    case 'SMS_MFA':
      answers.SMS_MFA_CODE = form.get('code') ?? '';
      break;
    case 'EMAIL_OTP':
      answers.EMAIL_OTP_CODE = form.get('code') ?? '';
      break;
    case 'SELECT_MFA_TYPE':
      answers.ANSWER = form.get('mfaType') ?? '';
      break;
    case 'NEW_PASSWORD_REQUIRED': {
      const password = form.get('newPassword') ?? '';
      if (password !== form.get('confirmPassword')) throw new WireError('InvalidPasswordException', 'The two passwords are not the same.');
      answers.NEW_PASSWORD = password;
      break;
    }
    case 'MFA_SETUP': {
      const verified = (await operations.VerifySoftwareToken.handler(ctx, { Session: session, UserCode: form.get('code') ?? '' })) as { Session: string };
      session = verified.Session;
      break;
    }
    default:
      throw new WireError('InvalidParameterException', 'This step cannot be answered here.');
  }
  return (await operations.RespondToAuthChallenge.handler(ctx, {
    ClientId: client.clientId,
    ChallengeName: step.name,
    Session: session,
    ChallengeResponses: withSecretHash(client, step.username, answers),
    [HOSTED_SIGN_IN]: true,
  })) as SignInResponse;
}

// The next challenge of a sign-in, kept on the login record (MFA_SETUP first gets its secret).
async function nextStep(ctx: EmulatorContext, login: HostedLoginRecord, out: SignInResponse, username: string): Promise<void> {
  if (out.ChallengeName === undefined || out.Session === undefined) return;
  let parameters = out.ChallengeParameters;
  let session = out.Session;
  if (out.ChallengeName === 'MFA_SETUP') {
    type Associated = { SecretCode: string; Session: string };
    const associated = (await operations.AssociateSoftwareToken.handler(ctx, { Session: session })) as Associated;
    session = associated.Session;
    parameters = { ...parameters, SECRET_CODE: associated.SecretCode };
  }
  login.challenge = { name: out.ChallengeName, session, username: out.ChallengeParameters.USER_ID_FOR_SRP ?? username, parameters };
}

/**
 * The hosted login a posted form belongs to, its CSRF token checked (form field and cookie); else
 * the error page is sent and `undefined` returned.
 */
export function formLogin(
  ctx: EmulatorContext,
  site: HostedSite,
  req: IncomingMessage,
  res: ServerResponse,
  form: URLSearchParams,
): HostedLoginRecord | undefined {
  const login = ctx.store.hostedLogins.get(form.get('login_id') ?? '');
  if (login === undefined || ctx.clock.now() >= login.expiresAt || login.request.poolId !== site.pool.id) {
    sendPage(res, 400, errorPage(frameOf(undefined, 'Sign-in expired'), 'invalid_request', 'This sign-in has expired. Start again from the app.'));
    return undefined;
  }
  if (form.get('_csrf') !== login.csrf || cookies(req).get(CSRF_COOKIE) !== login.csrf) {
    sendPage(res, 403, errorPage(frameOf(undefined, 'Form expired'), 'invalid_request', 'The form expired. Go back and try again.'));
    return undefined;
  }
  return login;
}

/** The hosted login named by `?login_id=` of a GET, or `undefined` (the error page sent). */
export function queryLogin(
  ctx: EmulatorContext,
  site: HostedSite,
  res: ServerResponse,
  query: URLSearchParams,
): HostedLoginRecord | undefined {
  const login = ctx.store.hostedLogins.get(query.get('login_id') ?? '');
  if (login === undefined || ctx.clock.now() >= login.expiresAt || login.request.poolId !== site.pool.id) {
    sendPage(res, 400, errorPage(frameOf(undefined, 'Sign-in expired'), 'invalid_request', 'This sign-in has expired. Start again from the app.'));
    return undefined;
  }
  return login;
}

/** POST `/login`: the sign-in form or a challenge answer. */
export async function loginPost(ctx: EmulatorContext, site: HostedSite, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const form = await readForm(req);
  const login = formLogin(ctx, site, req, res, form);
  if (login === undefined) return;
  const now = ctx.clock.now();
  const { client } = ctx.store.client(login.request.clientId, site.pool.id);
  const username = (form.get('username') ?? '').trim();
  let out: SignInResponse;
  try {
    if (login.challenge === undefined) {
      if (username === '' || !form.get('password')) return renderLogin(site, res, login, client, 400, 'Enter your username and password.', username);
      out = await hostedPasswordSignIn(ctx, site.pool, client, username, form.get('password') ?? '');
    } else {
      out = await respond(ctx, client, login, form);
    }
  } catch (e) {
    if (!(e instanceof WireError)) throw e;
    // A session that ran out (or too many wrong codes) means starting again from the form.
    if (login.challenge !== undefined && /session/i.test(e.message)) login.challenge = undefined;
    return renderLogin(site, res, login, client, 400, e.message, username);
  }
  if (out.AuthenticationResult === undefined) {
    await nextStep(ctx, login, out, username);
    return redirect(res, `${site.basePath}/login?login_id=${encodeURIComponent(login.id)}`);
  }
  // Signed in: the tokens of the API path are not what the app gets; that sign-in is closed at once.
  const refresh = out.AuthenticationResult.RefreshToken;
  const record = refresh === undefined ? undefined : ctx.store.refreshTokens.get(refresh);
  if (record !== undefined) ctx.store.refreshTokens.delete(record.token);
  const name = login.challenge?.username ?? findUser(site.pool, username)?.username ?? username;
  const user = findUser(site.pool, name);
  ctx.store.hostedLogins.delete(login.id);
  if (user === undefined) throw new Error('hosted sign-in finished for a user that does not exist');
  const authTime = Math.floor(now / 1000);
  redirect(res, await finishAuthorize(ctx, login.request, user, authTime), {
    'set-cookie': [startSso(ctx, site, user, authTime), setCookie(CSRF_COOKIE, '', `${site.basePath}/`, 0, site.secure)],
  });
}

/**
 * GET `/logout`: `client_id` and a registered `logout_uri`, or `redirect_uri` + `response_type` to
 * sign in again. Ends the managed-login session; anything unregistered is an error page, never a
 * redirect.
 */
export function logout(ctx: EmulatorContext, site: HostedSite, req: IncomingMessage, res: ServerResponse, query: URLSearchParams): void {
  const client = site.pool.clients.get(query.get('client_id') ?? '');
  if (client === undefined) return sendPage(res, 400, errorPage(frameOf(undefined, 'Sign out'), 'invalid_request', 'Unknown or missing client_id.'));
  const logoutUri = query.get('logout_uri');
  const clear = setCookie(SSO_COOKIE, '', `${site.basePath}/`, 0, site.secure);
  const id = cookies(req).get(SSO_COOKIE);
  if (logoutUri !== null) {
    if (!client.oauth.logoutUrls.includes(logoutUri)) {
      return sendPage(res, 400, errorPage(frameOf(client, 'Sign out'), 'invalid_request', 'logout_uri is not a sign-out URL of this app client.'));
    }
    if (id !== undefined) ctx.store.ssoSessions.delete(id);
    return redirect(res, logoutUri, { 'set-cookie': clear });
  }
  if (query.get('redirect_uri') !== null && query.get('response_type') !== null) {
    const check = checkAuthorize(site.pool, query);
    if (!check.ok && !('redirect' in check)) {
      return sendPage(res, check.page.status, errorPage(frameOf(client, 'Sign out'), check.page.error, check.page.message));
    }
    if (id !== undefined) ctx.store.ssoSessions.delete(id);
    return redirect(res, `${site.basePath}/login?${query.toString()}`, { 'set-cookie': clear });
  }
  sendPage(res, 400, errorPage(frameOf(client, 'Sign out'), 'invalid_request', 'Give logout_uri, or redirect_uri and response_type.'));
}
