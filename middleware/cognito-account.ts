/**
 * `cognitoAccount(options?)`: the account routes an app mounts where it likes (`app.use('/account',
 * cognitoAccount(…))`), each a POST with a JSON or urlencoded body:
 *
 * | route | fields | Cognito |
 * |---|---|---|
 * | `/sign-up` | `username`, `password`, the allowed attributes (`email`, …) | SignUp |
 * | `/confirm` | `username`, `code` | ConfirmSignUp |
 * | `/resend` | `username` | ResendConfirmationCode |
 * | `/forgot` | `username` | ForgotPassword |
 * | `/reset` | `username`, `code`, `newPassword` | ConfirmForgotPassword |
 *
 * Bad input is a 400 naming the field before any Cognito call. Answers cannot tell whether an
 * account exists (`hideAccounts`, default true, also on a LEGACY client): a taken username signs up
 * "successfully" (the code-delivery hint is derived from what was typed), resend and forgot answer
 * alike for anyone, a confirmation or reset for nobody is a wrong code. Every route is rate limited
 * per client IP and per username (`./rate-limit`), before Cognito is called.
 *
 * Content negotiation like the guard: an API client gets JSON (`{ ok: true, next, … }` or the error
 * body with its status); a browser posting a form gets a 303 (Post/Redirect/Get, so a reload never
 * resends a password) — to `pages[next]` on success, back to `pages[route]` on failure — with what to
 * show kept in the session for one read by {@link accountFlash}.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import createDebug from 'debug';
import { confirmForgotPassword, confirmSignUp, forgotPassword, resendConfirmationCode, signUp, type AccountContext } from '../lib/account';
import { resolveConfig, type CognitoOptions } from '../lib/config';
import type { CognitoErrorCode } from '../lib/error-codes';
import { CognitoError, isCognitoError } from '../lib/errors';
import type { PasswordRequirement } from '../lib/password-policy';
import { ServiceClient } from '../lib/service-client';
import { readCode, readPassword, readUsername } from '../strategies/login-fields';
import { readBody } from './form-body';
import { checkRule, MemoryRateLimitStore, overLimit, rateLimitKey, type RateLimitRule, type RateLimitStore } from './rate-limit';
import { badField, readAttributeFields, refusal, type AccountPage, type DeliveryHint, type Outcome, type TotpEnrolment } from './account-outcome';
import {
  changePasswordRoute, deleteRoute, disableMfaRoute, enrolTotpRoute, preferMfaRoute, profileRoute, sendVerificationRoute,
  updateProfileRoute, verifyRoute, verifyTotpRoute, type SignedInCall,
} from './account-signed-in';
import { requireCognito } from './require-cognito';
import { sendError, sendJson, sendRedirect, wantsHtml, type ErrorBody } from './respond';
import { clearSessionTokens } from './session-tokens';
import type { CognitoRequestContext } from './types';

const debug = createDebug('express-cognito:account');

/** The anonymous routes of {@link cognitoAccount}. */
export type AnonymousRoute = 'sign-up' | 'confirm' | 'resend' | 'forgot' | 'reset';
/** The routes that need a signed-in user (see `./account-signed-in`). */
export type SignedInRoute =
  'password' | 'profile' | 'verify' | 'verify/send' | 'delete' | 'mfa/totp' | 'mfa/totp/verify' | 'mfa/preference' | 'mfa/disable';
/** Every route of {@link cognitoAccount}. */
export type AccountRoute = AnonymousRoute | SignedInRoute;

/** The page holding each route's form, where a browser goes back to on a failure. */
const FORM_PAGE: Record<AccountRoute, AccountPage> = {
  'sign-up': 'sign-up', confirm: 'confirm', resend: 'confirm', forgot: 'forgot', reset: 'reset',
  password: 'profile', profile: 'profile', verify: 'verify', 'verify/send': 'verify', delete: 'profile',
  'mfa/totp': 'mfa', 'mfa/totp/verify': 'mfa', 'mfa/preference': 'mfa', 'mfa/disable': 'mfa',
};

const ANONYMOUS: readonly AnonymousRoute[] = ['sign-up', 'confirm', 'resend', 'forgot', 'reset'];
const SIGNED_IN: readonly SignedInRoute[] = [
  'password', 'profile', 'verify', 'verify/send', 'delete', 'mfa/totp', 'mfa/totp/verify', 'mfa/preference', 'mfa/disable',
];
export type { AccountPage } from './account-outcome';

/** Limits per client IP and per username of one kind of request. */
export interface AccountRateLimit {
  perIp?: RateLimitRule;
  perUser?: RateLimitRule;
}

/** Options of {@link cognitoAccount}: the shared Cognito options and these. */
export interface CognitoAccountOptions extends CognitoOptions {
  /** Hide whether an account exists in every answer (default true). */
  hideAccounts?: boolean;
  /** Attributes a sign-up form may set (default `email`, `phone_number`, `name`, `given_name`, `family_name`). */
  signUpAttributes?: readonly string[];
  /** Attributes `POST /profile` may change (default: the same as `signUpAttributes`). */
  profileAttributes?: readonly string[];
  /** The issuer an authenticator app shows for `POST /mfa/totp` (default `'Cognito'`). */
  totpIssuer?: string;
  /** The app's pages (paths), for browsers: each route's form, and `signIn`. Without them a browser gets the JSON answer's HTML page. */
  pages?: Partial<Record<AccountPage, string>>;
  /** Where hits are counted (default: this process's memory); a `RedisRateLimitStore` shares them between instances. */
  rateLimitStore?: RateLimitStore;
  /**
   * Per kind of request: `signUp`; `code` (confirm, reset, password, verify, delete: the guessable
   * ones); `send` (resend, forgot); `profile` (profile edits and verification codes of a signed-in user).
   */
  rateLimits?: { signUp?: AccountRateLimit; code?: AccountRateLimit; send?: AccountRateLimit; profile?: AccountRateLimit };
}

/** What {@link accountFlash} returns: the last answer of a form post, for the page it led to. */
export interface AccountFlash {
  route: AccountRoute;
  ok: boolean;
  code?: CognitoErrorCode;
  message?: string;
  /** The field at fault, for a 400. */
  field?: string;
  /**
   * The username the flow is about, to fill the next form, or the form again after a failure (as read
   * from it: trimmed). Only this browser sees it: the JSON answer of a failure never has it.
   */
  username?: string;
  /** `ERR_COGNITO_INVALID_PASSWORD`: the rule of the password policy the password broke, when Cognito said. */
  requirement?: PasswordRequirement;
  /** Where the code went, masked (`a***@e***`). */
  destination?: string;
  /** `POST /mfa/totp`: the secret and `otpauth://` URI to show (as a QR code) on the `mfa` page. */
  totp?: TotpEnrolment;
}

const FLASH_KEY = 'cognitoAccountFlash';

type Bucket = 'signUp' | 'code' | 'send' | 'profile';

const DEFAULT_LIMITS: Record<Bucket, Required<AccountRateLimit>> = {
  signUp: { perIp: { limit: 10, windowSeconds: 3600 }, perUser: { limit: 5, windowSeconds: 3600 } },
  code: { perIp: { limit: 30, windowSeconds: 900 }, perUser: { limit: 5, windowSeconds: 900 } },
  send: { perIp: { limit: 10, windowSeconds: 3600 }, perUser: { limit: 3, windowSeconds: 3600 } },
  profile: { perIp: { limit: 60, windowSeconds: 900 }, perUser: { limit: 20, windowSeconds: 900 } },
};

const DEFAULT_ATTRIBUTES = ['email', 'phone_number', 'name', 'given_name', 'family_name'];

type AccountRequest = IncomingMessage & { body?: unknown; ip?: string; session?: Record<string, unknown> };
type Next = (err?: unknown) => void;

/**
 * The last form answer kept for the page a browser was redirected to, read once (then forgotten).
 *
 * @example
 * app.get('/confirm', (req, res) => res.render('confirm', { flash: accountFlash(req) }));
 */
export function accountFlash(req: { session?: object }): AccountFlash | undefined {
  const session = req.session as Record<string, unknown> | undefined;
  const flash = session?.[FLASH_KEY] as AccountFlash | undefined;
  if (session !== undefined && flash !== undefined) delete session[FLASH_KEY];
  return flash;
}

/**
 * The account router.
 *
 * @throws TypeError for a bad option.
 * @example
 * app.use(session({ … }), express.urlencoded({ extended: false }), cognitoCsrf());
 * app.use('/account', cognitoAccount({ pages: { 'sign-up': '/sign-up', confirm: '/confirm', signIn: '/login' } }));
 */
export function cognitoAccount(options: CognitoAccountOptions = {}): (req: IncomingMessage, res: ServerResponse, next: Next) => void {
  if (typeof options !== 'object' || options === null) throw new TypeError('cognitoAccount options must be an object');
  const config = resolveConfig(options);
  const ctx: AccountContext = { config, service: new ServiceClient(config) };
  const hide = options.hideAccounts ?? true;
  if (typeof hide !== 'boolean') throw new TypeError('"hideAccounts" must be a boolean');
  const attributes = options.signUpAttributes ?? DEFAULT_ATTRIBUTES;
  if (!Array.isArray(attributes) || !attributes.every((a) => typeof a === 'string' && /^[\w:]{1,32}$/.test(a))) {
    throw new TypeError('"signUpAttributes" must be an array of attribute names');
  }
  const pages = checkPages(options.pages);
  const store = options.rateLimitStore ?? new MemoryRateLimitStore({ clock: config.clock });
  if (typeof store !== 'object' || store === null || typeof store.hit !== 'function') throw new TypeError('"rateLimitStore" must have a hit() method');
  const limits = checkLimits(options.rateLimits);

  const totpIssuer = options.totpIssuer ?? 'Cognito';
  if (typeof totpIssuer !== 'string' || totpIssuer === '' || totpIssuer.length > 64) throw new TypeError('"totpIssuer" must be a non-empty string');
  const profileAttributes = options.profileAttributes ?? attributes;
  if (!Array.isArray(profileAttributes) || !profileAttributes.every((a) => typeof a === 'string' && /^[\w:]{1,32}$/.test(a))) {
    throw new TypeError('"profileAttributes" must be an array of attribute names');
  }
  // The signed-in routes' guard: bearer or session tokens, renewed as everywhere; a browser that is
  // not signed in goes to the sign-in page.
  const guard = requireCognito({ ...options, ...(pages.signIn === undefined ? {} : { loginUrl: pages.signIn }) });

  const anonymous: Record<AnonymousRoute, (body: unknown) => Promise<Outcome>> = {
    'sign-up': (body) => doSignUp(ctx, body, attributes, hide),
    confirm: (body) => doConfirm(ctx, body, hide),
    resend: (body) => doSend(ctx, body, hide, 'resend'),
    forgot: (body) => doSend(ctx, body, hide, 'forgot'),
    reset: (body) => doReset(ctx, body, hide),
  };
  const signedIn: Record<Exclude<SignedInRoute, 'profile'> | 'profile', (call: SignedInCall) => Promise<Outcome>> = {
    password: changePasswordRoute, profile: updateProfileRoute, verify: verifyRoute, 'verify/send': sendVerificationRoute, delete: deleteRoute,
    'mfa/totp': enrolTotpRoute, 'mfa/totp/verify': verifyTotpRoute, 'mfa/preference': preferMfaRoute, 'mfa/disable': disableMfaRoute,
  };
  // Guessable answers (codes, passwords) count in 'code'; what sends a message in 'send'; a signed-in
  // user's profile edits (which may send a code) in 'profile'.
  const bucketOf: Record<AccountRoute, Bucket> = {
    'sign-up': 'signUp', confirm: 'code', reset: 'code', resend: 'send', forgot: 'send',
    password: 'code', verify: 'code', delete: 'code', profile: 'profile', 'verify/send': 'profile',
    'mfa/totp': 'profile', 'mfa/totp/verify': 'code', 'mfa/preference': 'profile', 'mfa/disable': 'profile',
  };

  const limited = async (req: AccountRequest, route: AccountRoute, user: string | undefined): Promise<Outcome | undefined> => {
    const bucket = bucketOf[route];
    const hits: Array<[string, RateLimitRule]> = [[rateLimitKey(bucket, 'ip', clientIp(req)), limits[bucket].perIp]];
    if (user !== undefined) hits.push([rateLimitKey(bucket, 'user', user), limits[bucket].perUser]);
    const wait = await overLimit(store, hits);
    return wait === undefined
      ? undefined
      : { ok: false, status: 429, code: 'ERR_COGNITO_THROTTLED', message: 'Too many attempts; try again later.', retryAfter: wait };
  };

  const runSignedIn = (req: AccountRequest, res: ServerResponse, next: Next, route: SignedInRoute): void => {
    guard(req, res, (err?: unknown) => {
      if (err !== undefined) return next(err);
      const user = (req as { cognito?: CognitoRequestContext }).cognito;
      if (user === undefined) return next(new Error('cognitoAccount: the guard let a request through without req.cognito'));
      void (async () => {
        const nowSeconds = Math.floor(config.clock() / 1000);
        if (req.method === 'GET') {
          const profile = await profileRoute({ ctx, user, body: undefined, profileAttributes, nowSeconds, totpIssuer });
          return sendJson(res, 200, { ok: true, ...profile });
        }
        let outcome: Outcome;
        try {
          const body = await readBody(req);
          const call: SignedInCall = { ctx, user, body, profileAttributes, nowSeconds, totpIssuer };
          outcome = (await limited(req, route, user.sub)) ?? await signedIn[route](call);
          if (outcome.ok && route === 'delete') forgetUser(req);
        } catch (e) {
          if (!isCognitoError(e)) throw e;
          outcome = refusal(e);
        }
        debug('%s → %s', route, outcome.ok ? 'ok' : outcome.code);
        answer(req, res, route, outcome, pages);
      })().catch(next);
    });
  };

  return (rawReq, res, next) => {
    const req = rawReq as AccountRequest;
    const route = routeOf(req.url);
    if (route === undefined) return next();
    const allowed = route === 'profile' ? ['GET', 'POST'] : ['POST'];
    if (!allowed.includes(req.method ?? '')) {
      res.setHeader('Allow', allowed.join(', '));
      return sendError(req, res, 405, { error: 'invalid_request', code: 'ERR_COGNITO_METHOD_NOT_ALLOWED', message: `Use ${allowed.join(' or ')}.` });
    }
    if ((SIGNED_IN as readonly string[]).includes(route)) return runSignedIn(req, res, next, route as SignedInRoute);
    void (async () => {
      let outcome: Outcome;
      // As the route reads it (trimmed), so that "ann" and "ann " count in one bucket.
      let typed: string | undefined;
      try {
        const body = await readBody(req);
        const username = readUsername(body, 'username');
        typed = username.state === 'ok' ? username.value : undefined;
        outcome = (await limited(req, route, typed)) ?? await anonymous[route as AnonymousRoute](body);
      } catch (e) {
        if (!isCognitoError(e)) return next(e);
        outcome = refusal(e);
      }
      debug('%s → %s', route, outcome.ok ? 'ok' : outcome.code);
      // For the failure flash: the same browser typed it, so it tells that browser nothing new.
      if (!outcome.ok && typed !== undefined) outcome = { ...outcome, username: typed };
      answer(req, res, route, outcome, pages);
    })().catch(next);
  };
}

/** After the account is deleted: its tokens and Passport's user leave the session. */
function forgetUser(req: AccountRequest): void {
  clearSessionTokens(req);
  if (req.session !== undefined) delete req.session.passport;
}


function routeOf(url: string | undefined): AccountRoute | undefined {
  const path = (url ?? '/').split('?')[0].replace(/\/+$/, '');
  const name = path.startsWith('/') ? path.slice(1) : path;
  return [...ANONYMOUS, ...SIGNED_IN].find((r) => r === name);
}

function clientIp(req: AccountRequest): string {
  return typeof req.ip === 'string' && req.ip !== '' ? req.ip : req.socket?.remoteAddress ?? 'unknown';
}

/** The masked hint Cognito gives (`a***@e***`, `+*******1234`), made from what was typed. */
function maskedHint(attributes: Record<string, string>): DeliveryHint | undefined {
  const email = attributes.email;
  if (email !== undefined) {
    const [local = '', domain = ''] = email.split('@');
    return { destination: `${local.slice(0, 1)}***@${domain.slice(0, 1)}***`, deliveryMedium: 'EMAIL', attributeName: 'email' };
  }
  const phone = attributes.phone_number;
  if (phone !== undefined) return { destination: `+${'*'.repeat(Math.max(0, phone.length - 5))}${phone.slice(-4)}`, deliveryMedium: 'SMS', attributeName: 'phone_number' };
  return undefined;
}

async function doSignUp(ctx: AccountContext, body: unknown, allowed: readonly string[], hide: boolean): Promise<Outcome> {
  const username = readUsername(body, 'username');
  if (username.state !== 'ok') return badField('username', username);
  const password = readPassword(body, 'password');
  if (password.state !== 'ok') return badField('password', password);
  const read = readAttributeFields(body, allowed, false);
  if ('refused' in read) return read.refused;
  const attributes = read.values;
  const hint = maskedHint(attributes);
  const success: Outcome = { ok: true, next: 'confirm', username: username.value, ...(hint === undefined ? {} : { codeDelivery: hint }) };
  try {
    const out = await signUp(ctx, username.value, password.value, attributes);
    if (out.userConfirmed) return { ok: true, next: 'signIn', username: username.value };
    return hide ? success : { ...success, ...(out.codeDelivery === undefined ? {} : { codeDelivery: out.codeDelivery }) };
  } catch (e) {
    if (hide && isCognitoError(e) && (e.code === 'ERR_COGNITO_USERNAME_EXISTS' || e.code === 'ERR_COGNITO_ALIAS_EXISTS')) return success;
    throw e;
  }
}

async function doConfirm(ctx: AccountContext, body: unknown, hide: boolean): Promise<Outcome> {
  const username = readUsername(body, 'username');
  if (username.state !== 'ok') return badField('username', username);
  const code = readCode(body, 'code');
  if (code.state !== 'ok') return badField('code', code);
  try {
    await confirmSignUp(ctx, username.value, code.value);
    return { ok: true, next: 'signIn', username: username.value };
  } catch (e) {
    throw hide ? asWrongCode(e) : e;
  }
}

async function doSend(ctx: AccountContext, body: unknown, hide: boolean, which: 'resend' | 'forgot'): Promise<Outcome> {
  const username = readUsername(body, 'username');
  if (username.state !== 'ok') return badField('username', username);
  const next: AccountPage = which === 'resend' ? 'confirm' : 'reset';
  try {
    const sent = which === 'resend' ? await resendConfirmationCode(ctx, username.value) : await forgotPassword(ctx, username.value);
    return { ok: true, next, username: username.value, ...(hide || sent === undefined ? {} : { codeDelivery: sent }) };
  } catch (e) {
    // Unknown user (LEGACY), nothing to send to, already confirmed, not resettable: answered as success.
    if (hide && isCognitoError(e) && ['ERR_COGNITO_USER_NOT_FOUND', 'ERR_COGNITO_INVALID_PARAMETER', 'ERR_COGNITO_NOT_AUTHORIZED'].includes(e.code)) {
      return { ok: true, next, username: username.value };
    }
    throw e;
  }
}

async function doReset(ctx: AccountContext, body: unknown, hide: boolean): Promise<Outcome> {
  const username = readUsername(body, 'username');
  if (username.state !== 'ok') return badField('username', username);
  const code = readCode(body, 'code');
  if (code.state !== 'ok') return badField('code', code);
  const password = readPassword(body, 'newPassword');
  if (password.state !== 'ok') return badField('newPassword', password);
  try {
    await confirmForgotPassword(ctx, username.value, code.value, password.value);
    return { ok: true, next: 'signIn', username: username.value };
  } catch (e) {
    throw hide ? asWrongCode(e) : e;
  }
}

const HIDDEN_AS_WRONG_CODE: ReadonlySet<string> = new Set([
  'ERR_COGNITO_USER_NOT_FOUND', 'ERR_COGNITO_NOT_AUTHORIZED', 'ERR_COGNITO_CODE_EXPIRED', 'ERR_COGNITO_CODE_MISMATCH',
]);

/**
 * With hidden accounts, "no such user", "already confirmed" and "expired" (only an existing account
 * has a code to expire) all read as one answer: wrong or expired, ask for a new code.
 */
function asWrongCode(e: unknown): unknown {
  if (isCognitoError(e) && HIDDEN_AS_WRONG_CODE.has(e.code)) {
    return new CognitoError('The code is wrong or has expired; check it or ask for a new one.', 'ERR_COGNITO_CODE_MISMATCH', 401);
  }
  return e;
}

function answer(
  req: AccountRequest, res: ServerResponse, route: AccountRoute, o: Outcome, pages: Partial<Record<AccountPage, string>>,
): void {
  const target = o.ok ? pages[o.next] : pages[FORM_PAGE[route]];
  if (wantsHtml(req) && target !== undefined && req.session !== undefined) {
    const flash: AccountFlash = o.ok
      ? {
        route, ok: true, username: o.username, ...(o.codeDelivery === undefined ? {} : { destination: o.codeDelivery.destination }),
        ...(o.totp === undefined ? {} : { totp: o.totp }),
      }
      : {
        route, ok: false, code: o.code, message: o.message, ...(o.field === undefined ? {} : { field: o.field }),
        ...(o.username === undefined ? {} : { username: o.username }),
        ...(o.requirement === undefined ? {} : { requirement: o.requirement }),
      };
    req.session[FLASH_KEY] = flash;
    return sendRedirect(res, target, 303);
  }
  if (!o.ok) {
    const headers: Record<string, string> = o.retryAfter === undefined ? {} : { 'Retry-After': String(o.retryAfter) };
    // Never the username: with hidden accounts, no JSON answer may differ by whom it was about.
    const body: ErrorBody & { requirement?: PasswordRequirement } = {
      error: o.status === 429 ? 'slow_down' : 'invalid_request', code: o.code, message: o.message,
      ...(o.field === undefined ? {} : { field: o.field }), ...(o.requirement === undefined ? {} : { requirement: o.requirement }),
    };
    return sendError(req, res, o.status, body, headers);
  }
  sendJson(res, 200, {
    ok: true, next: o.next,
    ...(o.codeDelivery === undefined ? {} : { codeDelivery: o.codeDelivery }), ...(o.totp === undefined ? {} : { totp: o.totp }),
  });
}

function checkPages(value: unknown): Partial<Record<AccountPage, string>> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null) throw new TypeError('"pages" must be an object of paths');
  const out: Partial<Record<AccountPage, string>> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (![...ANONYMOUS, 'signIn', 'profile', 'verify', 'mfa'].includes(k)) throw new TypeError(`"pages.${k}" is not a page of cognitoAccount`);
    if (typeof v !== 'string' || !/^\/(?![/\\])/.test(v)) throw new TypeError(`"pages.${k}" must be a path on this site (starting with one "/")`);
    out[k as AccountPage] = v;
  }
  return out;
}

function checkLimits(value: CognitoAccountOptions['rateLimits']): Record<Bucket, Required<AccountRateLimit>> {
  if (value !== undefined && (typeof value !== 'object' || value === null)) throw new TypeError('"rateLimits" must be an object');
  const out = { ...DEFAULT_LIMITS };
  for (const kind of ['signUp', 'code', 'send', 'profile'] as const) {
    const given = value?.[kind];
    if (given === undefined) continue;
    out[kind] = {
      perIp: given.perIp === undefined ? DEFAULT_LIMITS[kind].perIp : checkRule(given.perIp, `rateLimits.${kind}.perIp`),
      perUser: given.perUser === undefined ? DEFAULT_LIMITS[kind].perUser : checkRule(given.perUser, `rateLimits.${kind}.perUser`),
    };
  }
  return out;
}
