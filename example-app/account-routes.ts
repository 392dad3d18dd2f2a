/**
 * The account journeys of the example app: the package's `cognitoAccount()` router at `/account`
 * does the work (each form posts there and is answered with a 303 to the next page), and these
 * routes are the pages it sends the browser to — sign-up, confirm, forgot, reset, the profile with
 * its forms, e-mail verification and two-step verification.
 *
 * A few checks sit in front of the router because they are this app's forms, not Cognito's rules:
 * the repeated password must match, typed names lose their surrounding spaces, and a profile form
 * sends only the fields that changed (so an unchanged e-mail is not sent a new code).
 */
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import QRCode from 'qrcode';
import {
  accountFlash, Cognito, cognitoAccount, isCognitoError, resolveConfig,
  type AccountFlash, type CognitoOptions, type CognitoProfile, type CognitoRequestContext, type Passkey, type PasswordPolicy,
  type ResolvedConfig,
} from 'express-cognito';
import * as accountViews from './account-views';
import { trustedHtml, type SafeHtml } from './html';
import type { PageContext } from './layout';
import { weakPasswordMessage } from './password-policy';
import { localhostUrlOf } from './passwordless-steps';
import { passkeysSection } from './passwordless-views';
import { takeOnce } from './session-state';
import * as views from './views';

/** What the account routes need from the app. */
export interface AccountRoutesDeps {
  cognito: CognitoOptions;
  /** The issuer authenticator apps show for a new key. */
  totpIssuer: string;
  ctx: (req: Request, hasForm?: boolean) => PageContext;
  send: (res: Response, status: number, page: SafeHtml) => void;
  /** `requireCognito({ loginUrl: '/login', … })` of the app's pages. */
  guard: RequestHandler;
  policy: () => Promise<PasswordPolicy>;
  now: () => number;
  /** The Security page lists the user's passkeys and adds one (`cognitoPasskeys()` at /passkeys). */
  passkeys?: boolean | undefined;
}

/** Where the router sends a browser after each form (`cognitoAccount({ pages })`). */
export const ACCOUNT_PAGES = {
  'sign-up': '/sign-up', confirm: '/confirm', resend: '/confirm', forgot: '/forgot', reset: '/reset',
  signIn: '/login', profile: '/profile', verify: '/verify', mfa: '/mfa',
} as const;

// Forms with a repeated password: the field that is repeated, and the page the form is on.
const REPEATED: Record<string, { field: string; page: string }> = {
  '/sign-up': { field: 'password', page: '/sign-up' },
  '/reset': { field: 'newPassword', page: '/reset' },
  '/password': { field: 'newPassword', page: '/profile' },
};
const ANONYMOUS_FORMS = new Set(['/sign-up', '/confirm', '/resend', '/forgot', '/reset']);

/**
 * Trims the surrounding spaces of what people type as names (`username`, `email`, `name`): the
 * package refuses such a value rather than guess, and a phone keyboard adds a space after a word.
 * Passwords and codes are left as typed.
 */
export function trimTypedNames(req: Request, _res: Response, next: NextFunction): void {
  const body = req.body as Record<string, unknown> | undefined;
  if (req.method === 'POST' && body !== undefined && typeof body === 'object') {
    for (const name of ['username', 'email', 'name']) {
      const value = body[name];
      if (typeof value === 'string') body[name] = value.trim();
    }
  }
  next();
}

/** The account router and its pages, mounted after the session, the body parser and `cognitoCsrf()`. */
export function accountRoutes(deps: AccountRoutesDeps): express.Router {
  const { ctx, send, guard, policy } = deps;
  const config = resolveConfig(deps.cognito);
  const router = express.Router();

  router.use('/account', (req, res, next) => {
    if (req.method !== 'POST') return next();
    const body = req.body as Record<string, unknown>;
    const repeated = REPEATED[req.path];
    if (repeated && typeof body.confirmPassword === 'string' && body.confirmPassword !== body[repeated.field]) {
      const message = 'The two passwords are not the same.';
      if (req.accepts(['json', 'html']) !== 'html') {
        res.status(400).json({ error: 'invalid_request', code: 'ERR_COGNITO_INVALID_FIELD', field: 'confirmPassword', message });
        return;
      }
      req.session.formError = { route: req.path.slice(1), field: 'confirmPassword', message };
      if (ANONYMOUS_FORMS.has(req.path)) rememberDraft(req, body);
      return res.redirect(303, repeated.page);
    }
    if (ANONYMOUS_FORMS.has(req.path)) rememberDraft(req, body);
    if (req.path === '/profile') onlyChanged(body);
    next();
  });
  router.use('/account', cognitoAccount({ ...deps.cognito, pages: ACCOUNT_PAGES, totpIssuer: deps.totpIssuer, signUpAttributes: ['email'],
    profileAttributes: ['name', 'email'] }));

  // Pages that need the policy, the flash and the app's own form error, as one page call.
  const page = (handler: (req: Request, res: Response, state: PageState) => Promise<void> | void): RequestHandler => (req, res, next) => {
    policy()
      .then((p) => handler(req, res, { policy: p, flash: accountFlash(req), formError: takeOnce(req.session, 'formError') }))
      .catch(next);
  };

  router.get('/sign-up', page((req, res, s) => {
    if (req.user) return res.redirect('/profile');
    const draft = req.session.accountDraft;
    send(res, 200, accountViews.signUpPage(ctx(req, true), {
      policy: s.policy, username: draft?.username, email: draft?.email, error: failure(s, ['sign-up']),
    }));
  }));

  router.get('/confirm', page((req, res, s) => {
    const f = s.flash;
    const notice = f?.ok && f.route === 'sign-up'
      ? `We sent a code to ${f.destination ?? 'your e-mail address'}. Enter it to confirm the account.`
      : f?.ok && f.route === 'resend' ? 'If this account is waiting for its code, a new one is on its way.' : undefined;
    send(res, 200, accountViews.confirmPage(ctx(req, true), {
      username: f?.username ?? req.session.accountDraft?.username, notice, error: failure(s, ['confirm', 'resend']),
    }));
  }));

  router.get('/forgot', page((req, res, s) => {
    send(res, 200, accountViews.forgotPage(ctx(req, true), { username: req.session.accountDraft?.username, error: failure(s, ['forgot']) }));
  }));

  router.get('/reset', page((req, res, s) => {
    const f = s.flash;
    // The same words for every username (the router hides whether an account exists).
    const notice = f?.ok && f.route === 'forgot'
      ? 'If this account has a verified e-mail address or phone, a code is on its way to it.' : undefined;
    send(res, 200, accountViews.resetPage(ctx(req, true), {
      policy: s.policy, username: f?.username ?? req.session.accountDraft?.username, notice, error: failure(s, ['reset']),
    }));
  }));

  router.get('/profile', guard, page(async (req, res, fresh) => {
    // The password and delete forms are far down the page: their answer is shown there, and the
    // browser sent on to it (a fragment in a redirect is kept), rather than left at the top.
    const route = fresh.formError?.route ?? fresh.flash?.route;
    if (route === 'password' || route === 'delete') {
      req.session.profileMessages = { flash: fresh.flash, formError: fresh.formError };
      return res.redirect(`/profile#${route}-section`);
    }
    const kept = takeOnce(req.session, 'profileMessages');
    const s: PageState = kept ? { ...fresh, ...kept } : fresh;
    // This guard has no `scope`: it lets users only, never an app client's token.
    const c = req.cognito as CognitoRequestContext;
    const profile = await currentProfile(config, c.accessToken);
    const userClaims = c.idToken ? jwtPayload(c.idToken) : undefined;
    const exp = typeof c.claims.exp === 'number' ? c.claims.exp * 1000 : deps.now();
    const ok = (route: string): boolean => s.flash?.ok === true && s.flash.route === route;
    const account = accountViews.accountSections(ctx(req), {
      policy: s.policy,
      details: profile && {
        email: profile.attributes.email, emailVerified: profile.attributes.email_verified === 'true', name: profile.attributes.name,
      },
      detailsMessages: {
        notice: ok('verify') ? 'Your e-mail address is verified.' : ok('profile') ? 'Your details are saved.' : undefined,
        error: failure(s, ['profile']),
      },
      passwordMessages: { notice: ok('password') ? 'Your password is changed.' : undefined, error: failure(s, ['password']) },
      deleteMessages: { error: failure(s, ['delete']) },
      federatedBy: identityProviderOf(userClaims),
    });
    send(res, 200, views.profilePage(ctx(req), {
      username: c.username, sub: c.sub, groups: c.groups, expiresAtMs: exp, nowMs: deps.now(), accessClaims: c.claims,
      userClaims, account,
    }));
  }));

  router.get('/verify', guard, page(async (req, res, s) => {
    const f = s.flash;
    const to = f?.destination ?? 'your new address';
    const notice = f?.ok && f.route === 'profile' ? `We sent a code to ${to}. Enter it to verify the address.`
      : f?.ok && f.route === 'verify/send' ? `A new code is on its way to ${to}.` : undefined;
    const profile = await currentProfile(config, req.cognito!.accessToken);
    send(res, 200, accountViews.verifyPage(ctx(req), { email: profile?.attributes.email, notice, error: failure(s, ['verify', 'verify/send']) }));
  }));

  router.get('/mfa', guard, page(async (req, res, s) => {
    const f = s.flash;
    // The key stays in this (server-side) session until its first code is accepted, so that a wrong
    // code or a reload does not lose it; it is dropped once the authenticator is on.
    if (f?.ok && f.route === 'mfa/totp' && f.totp) req.session.totpEnrolment = f.totp;
    if (f?.ok && f.route === 'mfa/totp/verify') delete req.session.totpEnrolment;
    const federatedBy = identityProviderOf(req.cognito?.idToken ? jwtPayload(req.cognito.idToken) : undefined);
    if (federatedBy !== undefined) {
      send(res, 200, accountViews.mfaPage(ctx(req), { federatedBy }));
      return;
    }
    const notice = f?.ok && f.route === 'mfa/totp/verify' ? 'The authenticator app is on: signing in now asks for its code.'
      : f?.ok && f.route === 'mfa/disable' ? 'Turned off: signing in asks for the password only.' : undefined;
    const profile = await currentProfile(config, req.cognito!.accessToken);
    const pending = req.session.totpEnrolment;
    const enrolment = pending && {
      secretCode: pending.secretCode,
      // Drawn here, on the server: no third-party image service ever sees the key.
      qrSvg: trustedHtml(await QRCode.toString(pending.otpauthUri, { type: 'svg', margin: 2, errorCorrectionLevel: 'M' })),
    };
    let passkeys: SafeHtml | undefined;
    if (deps.passkeys) {
      const list = await currentPasskeys(config, req.cognito!.accessToken);
      const deleted = req.session.passkeyDeleted;
      delete req.session.passkeyDeleted;
      const gone = deleted !== undefined && list !== undefined && !list.some((p) => p.credentialId === deleted);
      passkeys = passkeysSection(ctx(req), {
        passkeys: list, localhostUrl: localhostUrlOf(req), notice: gone ? 'The passkey is deleted: it no longer signs you in.' : undefined,
      });
    }
    send(res, 200, accountViews.mfaPage(ctx(req), {
      state: profile && { totp: profile.mfa.includes('SOFTWARE_TOKEN_MFA'), sms: profile.mfa.includes('SMS_MFA') },
      enrolment, notice, error: failure(s, ['mfa/totp', 'mfa/totp/verify', 'mfa/disable', 'mfa/preference']), passkeys,
    }));
  }));

  router.post('/mfa/cancel', guard, (req, res) => {
    delete req.session.totpEnrolment;
    res.redirect(303, '/mfa');
  });

  return router;
}

interface PageState {
  policy: PasswordPolicy;
  flash: AccountFlash | undefined;
  formError: { route: string; field: string; message: string } | undefined;
}

function rememberDraft(req: Request, body: Record<string, unknown>): void {
  const text = (v: unknown): string | undefined => (typeof v === 'string' && v.length <= 256 ? v : undefined);
  req.session.accountDraft = { username: text(body.username), email: text(body.email) ?? req.session.accountDraft?.email };
}

// The profile form carries the values it showed: a field left as it was is not sent, so that an
// unchanged e-mail address is not sent a new code. An emptied e-mail is not a deletion either.
function onlyChanged(body: Record<string, unknown>): void {
  if (body.email === '' || body.email === body.previous_email) delete body.email;
  if (body.name === body.previous_name) delete body.name;
  delete body.previous_email;
  delete body.previous_name;
}

const FIELD_WORDS: Record<string, string> = {
  username: 'Enter a username: letters, digits and . _ - @ + without spaces.',
  code: 'Enter the six-digit code.',
  password: 'Enter a password.',
  newPassword: 'Enter a new password.',
  previousPassword: 'Enter your current password.',
  email: 'Enter a valid e-mail address.',
  name: 'Enter a shorter name.',
};

/** What went wrong on one of `routes`' forms, in words (the app's own check, or the router's answer). */
function failure(s: PageState, routes: readonly string[]): string | undefined {
  if (s.formError && routes.includes(s.formError.route)) return s.formError.message;
  const f = s.flash;
  if (!f || f.ok || !routes.includes(f.route)) return undefined;
  switch (f.code) {
    case 'ERR_COGNITO_INVALID_PASSWORD':
      return weakPasswordMessage(f.message, s.policy);
    case 'ERR_COGNITO_THROTTLED':
    case 'ERR_COGNITO_LIMIT_EXCEEDED':
      return 'Too many attempts: wait a while, then try again.';
    case 'ERR_COGNITO_BAD_CREDENTIALS':
    case 'ERR_COGNITO_NOT_AUTHORIZED':
      return f.route === 'password' ? 'Your current password is not right.' : 'The password is not right.';
    case 'ERR_COGNITO_MISSING_FIELD':
      if (f.route === 'profile') return 'Nothing to save: nothing was changed.';
      return (f.field && FIELD_WORDS[f.field]) ?? f.message;
    case 'ERR_COGNITO_INVALID_FIELD':
      return (f.field && FIELD_WORDS[f.field]) ?? f.message;
    default:
      // The package's messages never carry a password, a token or a code.
      return f.message ?? 'That did not work; please try again.';
  }
}

/** GetUser with the session's access token: the attributes as they are now, and the MFA factors. */
async function currentProfile(config: ResolvedConfig, accessToken: string | undefined): Promise<CognitoProfile | undefined> {
  if (accessToken === undefined) return undefined;
  try {
    return await Cognito.fromConfig(config, { accessToken }).getUser();
  } catch (e) {
    if (isCognitoError(e)) return undefined;
    throw e;
  }
}

/** ListWebAuthnCredentials with the session's access token, or `undefined` when Cognito refuses. */
async function currentPasskeys(config: ResolvedConfig, accessToken: string | undefined): Promise<Passkey[] | undefined> {
  if (accessToken === undefined) return undefined;
  try {
    return await Cognito.fromConfig(config, { accessToken }).listWebAuthnCredentials();
  } catch (e) {
    if (isCognitoError(e)) return undefined;
    throw e;
  }
}

/**
 * The claims of a token taken from this session's server-side store, for display only: the token
 * was issued to this server by Cognito at login, and `requireCognito` has just verified its pair.
 */
function jwtPayload(token: string): Record<string, unknown> | undefined {
  try {
    const part = token.split('.')[1];
    return part ? (JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The identity provider of a federated user (the ID token's `identities`, e.g. `DemoIdP`), else `undefined`. */
function identityProviderOf(claims: Record<string, unknown> | undefined): string | undefined {
  const identities = claims?.identities;
  if (!Array.isArray(identities)) return undefined;
  const first = identities[0] as { providerName?: unknown } | undefined;
  return typeof first?.providerName === 'string' ? first.providerName : undefined;
}
