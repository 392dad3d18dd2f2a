/**
 * The step pages of choice-based sign-in (USER_AUTH), drawn from the `loginStep` the login POST kept
 * in the session (`login-routes.ts`): the choice of factor, the e-mailed or texted code (also e-mail
 * MFA after a password), the passkey. And where a page opened on an IP address sends passkeys.
 */
import { isIP } from 'node:net';
import type { Request } from 'express';
import type { SafeHtml } from './html';
import type { PageContext } from './layout';
import { chooseFactorPage, codePage, offeredFactors, passkeySignInPage, PASSWORDLESS_PATH } from './passwordless-views';
import type { LoginStep } from './session-state';

/** The challenges {@link userAuthStepPage} draws. */
export const USER_AUTH_PAGES: ReadonlySet<string> = new Set(['SELECT_CHALLENGE', 'EMAIL_OTP', 'SMS_OTP', 'WEB_AUTHN', 'PASSWORD', 'PASSWORD_SRP']);

/**
 * The page at `http://localhost:<port>` when this request came to an IP address (`127.0.0.1`,
 * `[::1]`): passkeys of the relying party `localhost` work only there. `undefined` on a host name.
 *
 * @example
 * localhostUrlOf(req, '/mfa'); // 'http://localhost:3000/mfa' for a request to http://127.0.0.1:3000
 */
export function localhostUrlOf(req: Request, path = req.path): string | undefined {
  const host = req.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host) === 0) return undefined;
  // The port the browser used, digits only (the Host header is the client's to write).
  const port = /:(\d{1,5})$/.exec(req.get('host') ?? '')?.[1];
  return `http://localhost${port ? `:${port}` : ''}${path}`;
}

/**
 * The page of a USER_AUTH step, or `undefined` when the step lacks what its page needs (WEB_AUTHN
 * without options): the caller starts the sign-in again.
 *
 * @example
 * const page = userAuthStepPage(ctx, req.session.loginStep, localhostUrlOf(req));
 */
export function userAuthStepPage(ctx: PageContext, step: LoginStep, localhostUrl: string | undefined): SafeHtml | undefined {
  const data = {
    action: step.route ?? PASSWORDLESS_PATH,
    returnTo: step.returnTo,
    error: step.error,
    notice: step.notice,
    username: step.username,
    factors: offeredFactors(step.availableChallenges),
  };
  switch (step.challenge) {
    case 'SELECT_CHALLENGE':
      return chooseFactorPage(ctx, data);
    case 'PASSWORD':
    case 'PASSWORD_SRP':
      // Cognito asks for the password (a PASSWORD preferred without one): the choice page, with the password only.
      return chooseFactorPage(ctx, { ...data, factors: ['PASSWORD'] });
    case 'EMAIL_OTP':
    case 'SMS_OTP':
      return codePage(ctx, {
        ...data, channel: step.challenge === 'EMAIL_OTP' ? 'EMAIL' : 'SMS', destination: step.destination, firstFactor: step.firstFactor === true,
      });
    case 'WEB_AUTHN':
      return step.credentialRequestOptions
        ? passkeySignInPage(ctx, { ...data, requestOptions: step.credentialRequestOptions, localhostUrl })
        : undefined;
    default:
      return undefined;
  }
}
