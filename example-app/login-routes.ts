/**
 * The login of the example app, as Post/Redirect/Get: every POST /login is answered with a 303 —
 * to the page the user asked for once signed in, to GET /login/step when Cognito asks for a further
 * step (an MFA code, a new password, an authenticator to set up, a choice of factor), or back to
 * GET /login after a refusal. Back and reload therefore only ever repeat a GET: no "Confirm Form
 * Resubmission", and a password is never sent twice.
 *
 * The step page is drawn from what the strategy said about the step, kept in the session
 * (`loginStep`: challenge name, masked destination, factors, the new authenticator's key, the
 * question of a custom challenge); the strategy keeps Cognito's own challenge session there too.
 * Never the password.
 *
 * With `securityCheck`, GET/POST /login/security-check is a second sign-in, by CUSTOM_AUTH (the
 * strategy `'cognito-custom'`): the password, then the question the pool's triggers ask
 * (`custom-challenge.ts`), answered on the same step page.
 *
 * With `passwordless`, GET/POST /login/passwordless is a third, by USER_AUTH (the strategy
 * `'cognito-choice'`): the username, then the ways in Cognito offers (an e-mailed or texted code, a
 * passkey, the password), on the same step page (`passwordless-steps.ts` draws those steps).
 */
import express, { type Request, type RequestHandler, type Response } from 'express';
import type { Passport } from 'passport';
import QRCode from 'qrcode';
import { accountFlash, isSafeReturnTo, type AccountFlash, type CognitoFailureInfo, type PasswordPolicy } from 'express-cognito';
import { trustedHtml, type SafeHtml } from './html';
import type { PageContext } from './layout';
import { weakPasswordMessage } from './password-policy';
import { localhostUrlOf, USER_AUTH_PAGES, userAuthStepPage } from './passwordless-steps';
import { PASSWORDLESS_PATH, passwordlessPage } from './passwordless-views';
import { takeOnce, type LoginStep } from './session-state';
import * as views from './views';

/** What the login routes need from the app. */
export interface LoginRoutesDeps {
  passport: InstanceType<typeof Passport>;
  ctx: (req: Request, hasForm?: boolean) => PageContext;
  send: (res: Response, status: number, page: SafeHtml) => void;
  policy: () => Promise<PasswordPolicy>;
  demo?: { users: views.DemoUser[]; totpSecret?: string } | undefined;
  /** The hosted UI's buttons on the login page (`hosted-routes.ts` serves them). */
  hosted?: views.LoginPageData['hosted'];
  /** The security-check sign-in (CUSTOM_AUTH, strategy `'cognito-custom'`) at /login/security-check. */
  securityCheck?: boolean | undefined;
  /** The passwordless sign-in (USER_AUTH, strategy `'cognito-choice'`) at /login/passwordless. */
  passwordless?: boolean | undefined;
}

/** Where the security-check sign-in lives. */
export const SECURITY_CHECK_PATH = '/login/security-check';

// What the strategy sends when it asks for a step (as opposed to a step that went wrong).
const PROMPT_CODES = new Set([
  'ERR_COGNITO_CHALLENGE',
  'ERR_COGNITO_MFA_SOFTWARE_TOKEN',
  'ERR_COGNITO_MFA_SMS',
  'ERR_COGNITO_MFA_SELECT',
  'ERR_COGNITO_MFA_SETUP',
  'ERR_COGNITO_NEW_PASSWORD_REQUIRED',
  'ERR_COGNITO_CUSTOM_CHALLENGE',
  'ERR_COGNITO_SELECT_CHALLENGE',
  'ERR_COGNITO_EMAIL_OTP',
  'ERR_COGNITO_SMS_OTP',
  'ERR_COGNITO_WEB_AUTHN',
]);

/**
 * A `returnTo` that is a path on this site, else `undefined` (no open redirects): the package's own
 * check, the one `requireCognito` uses to build the `returnTo` it sends here. The account router's
 * form routes (POST only) are no page to come back to.
 */
export function safeReturnTo(value: unknown): string | undefined {
  return isSafeReturnTo(value) && !/^\/account(\/|$|\?)/.test(value) ? value : undefined;
}

/** The login page's notice after an account journey ended there (the router's `next: 'signIn'`). */
function noticeOf(flash: AccountFlash | undefined): string | undefined {
  if (!flash?.ok) return undefined;
  switch (flash.route) {
    case 'confirm':
      return 'Account confirmed, sign in.';
    case 'sign-up':
      return 'Account created, sign in.';
    case 'reset':
      return 'Your password is changed: sign in with the new one.';
    case 'delete':
      return 'Your account has been deleted.';
    default:
      return undefined;
  }
}

/** GET /login, POST /login and GET /login/step. */
export function loginRoutes(deps: LoginRoutesDeps): express.Router {
  const { ctx, send } = deps;
  const router = express.Router();
  const urlOf = (path: string, returnTo: string | undefined): string => (returnTo ? `${path}?returnTo=${encodeURIComponent(returnTo)}` : path);

  router.get('/login', (req, res) => {
    const refused = takeOnce(req.session, 'loginNotice');
    const flash = accountFlash(req);
    send(res, 200, views.loginPage(ctx(req, true), {
      returnTo: safeReturnTo(req.query.returnTo),
      notice: noticeOf(flash) ?? (req.query.loggedOut === '1' ? 'You have been logged out.' : undefined),
      error: refused?.error,
      username: refused?.username ?? (flash?.ok && flash.route !== 'delete' ? flash.username : undefined),
      demoUsers: deps.demo?.users,
      demoTotpSecret: deps.demo?.totpSecret,
      hosted: deps.hosted,
      securityCheck: deps.securityCheck,
      passwordless: deps.passwordless,
    }));
  });

  if (deps.securityCheck) {
    router.get(SECURITY_CHECK_PATH, (req, res) => {
      const refused = takeOnce(req.session, 'loginNotice');
      send(res, 200, views.securityCheckPage(ctx(req, true), {
        returnTo: safeReturnTo(req.query.returnTo), error: refused?.error, username: refused?.username,
      }));
    });
    router.post(SECURITY_CHECK_PATH, loginPost('cognito-custom', SECURITY_CHECK_PATH));
  }
  if (deps.passwordless) {
    router.get(PASSWORDLESS_PATH, (req, res) => {
      const refused = takeOnce(req.session, 'loginNotice');
      send(res, 200, passwordlessPage(ctx(req, true), {
        returnTo: safeReturnTo(req.query.returnTo), error: refused?.error, username: refused?.username, localhostUrl: localhostUrlOf(req),
      }));
    });
    router.post(PASSWORDLESS_PATH, loginPost('cognito-choice', PASSWORDLESS_PATH, 'Please enter your username.'));
  }
  router.post('/login', loginPost('cognito', '/login'));

  /** A login POST through `strategy`; a refusal goes back to `path`, a step to GET /login/step (whose form posts to `path`). */
  function loginPost(strategy: string, path: string, missing = 'Please enter a username and a password.'): RequestHandler {
    return (req, res, next) => {
      const body = req.body as Record<string, unknown>;
      const returnTo = safeReturnTo(body.returnTo);
      const step = req.session.loginStep;
      // The second field is this page's own check; the strategy only needs `newPassword`.
      if (typeof body.newPassword === 'string' && body.newPassword !== body.confirmPassword && step) {
        req.session.loginStep = { ...step, error: 'The two passwords are not the same.', errorCode: undefined };
        return res.redirect(303, '/login/step');
      }
      const done = (err: unknown, user: Express.User | false, info: CognitoFailureInfo | undefined, status: number | undefined): void => {
        if (err) return next(err);
        if (user) {
          // Passport gives the signed-in user a new session: the step and the old CSRF token go with the old one.
          req.logIn(user, (loginErr) => (loginErr ? next(loginErr) : res.redirect(303, returnTo ?? '/profile')));
          return;
        }
        if (info?.challenge) {
          const isPrompt = PROMPT_CODES.has(info.code);
          // A refused answer repeats only the challenge name: keep what the prompt said (e.g. where the SMS went).
          const before = step?.challenge === info.challenge ? step : undefined;
          // A new question straight after an answer: that answer was wrong (the triggers ask again only then).
          const wrongAnswer = info.code === 'ERR_COGNITO_CUSTOM_CHALLENGE' && before !== undefined && typeof body.answer === 'string';
          // USER_AUTH: a POST with the username starts a new sign-in; one with the password proves it (what follows is MFA).
          const restarted = typeof body.username === 'string';
          const passwordSent = typeof body.password === 'string' && body.password !== '';
          const destination = info.destination ?? before?.destination;
          req.session.loginStep = {
            challenge: info.challenge,
            route: path,
            question: info.publicChallengeParameters?.question ?? before?.question,
            destination,
            availableChallenges: info.availableChallenges ?? (restarted ? undefined : step?.availableChallenges),
            credentialRequestOptions: info.credentialRequestOptions ?? before?.credentialRequestOptions,
            firstFactor: !passwordSent && (restarted || (step?.firstFactor ?? true)),
            username: restarted ? (body.username as string).slice(0, 256) : step?.username,
            notice: isPrompt && body.resend !== undefined ? `A new code is on its way${destination ? ` to ${destination}` : ''}.` : undefined,
            mfaTypes: info.mfaTypes ?? before?.mfaTypes,
            secretCode: info.secretCode ?? before?.secretCode,
            otpauthUri: info.otpauthUri ?? before?.otpauthUri,
            returnTo: returnTo ?? before?.returnTo,
            // Prompts are worded by the pages themselves; what went wrong is worded by the strategy.
            error: wrongAnswer ? 'That is not the answer; here is another one.' : isPrompt ? undefined : info.message,
            errorCode: isPrompt ? undefined : info.code,
          };
          return res.redirect(303, '/login/step');
        }
        delete req.session.loginStep;
        const typed = typeof body.username === 'string' && body.username.length <= 256 ? body.username : undefined;
        // A refused passkey is Cognito's "Incorrect username or password." too: say what was refused.
        const passkeyRefused = step?.challenge === 'WEB_AUTHN' && info?.code === 'ERR_COGNITO_BAD_CREDENTIALS';
        req.session.loginNotice = {
          error: status === 400 ? missing
            : passkeyRefused ? 'That passkey was not accepted. Sign in again.' : (info?.message ?? 'Incorrect username or password.'),
          ...(typed === undefined ? {} : { username: typed }),
        };
        res.redirect(303, urlOf(path, returnTo ?? step?.returnTo));
      };
      (deps.passport.authenticate(strategy, done) as RequestHandler)(req, res, next);
    };
  }

  router.get('/login/step', (req, res, next) => {
    const step = req.session.loginStep;
    if (!step) return res.redirect(req.user ? '/profile' : '/login');
    // The error is for the answer just refused, the notice for the post just made: a reload shows the step without them.
    if (step.error !== undefined || step.notice !== undefined) {
      req.session.loginStep = { ...step, error: undefined, errorCode: undefined, notice: undefined };
    }
    renderStep(req, res, step).catch(next);
  });

  async function renderStep(req: Request, res: Response, step: LoginStep): Promise<void> {
    const c = ctx(req, true);
    const data: views.ChallengePageData = { returnTo: step.returnTo, error: step.error };
    switch (step.challenge) {
      case 'SOFTWARE_TOKEN_MFA':
        return send(res, 200, views.softwareTokenMfaPage(c, data));
      case 'SMS_MFA':
        return send(res, 200, views.smsMfaPage(c, {
          ...data, message: step.destination ? `A six-digit code was sent to ${step.destination}.` : undefined,
        }));
      case 'NEW_PASSWORD_REQUIRED': {
        const policy = await deps.policy();
        const error = step.errorCode === 'ERR_COGNITO_INVALID_PASSWORD' ? weakPasswordMessage(step.error, policy) : step.error;
        return send(res, 200, views.newPasswordPage(c, { ...data, error, policy }));
      }
      case 'SELECT_MFA_TYPE':
        return send(res, 200, views.selectMfaTypePage(c, { ...data, choices: step.mfaTypes ?? ['SOFTWARE_TOKEN_MFA', 'SMS_MFA'] }));
      case 'MFA_SETUP': {
        const uri = step.otpauthUri;
        // The QR code is drawn here, on the server: no third-party image service ever sees the secret.
        const qrSvg = uri ? trustedHtml(await QRCode.toString(uri, { type: 'svg', margin: 2, errorCorrectionLevel: 'M' })) : undefined;
        return send(res, 200, views.mfaSetupPage(c, { ...data, secretCode: step.secretCode, otpauthUri: uri, qrSvg }));
      }
      case 'CUSTOM_CHALLENGE':
        return send(res, 200, views.customChallengePage(c, {
          ...data, question: step.question, action: step.route ?? SECURITY_CHECK_PATH,
        }));
      default: {
        const page = USER_AUTH_PAGES.has(step.challenge) ? userAuthStepPage(c, step, localhostUrlOf(req, PASSWORDLESS_PATH)) : undefined;
        if (page) return send(res, 200, page);
        delete req.session.loginStep;
        return res.redirect(step.route === PASSWORDLESS_PATH ? PASSWORDLESS_PATH : '/login');
      }
    }
  }

  return router;
}
