/**
 * The hosted UI's self-service pages, linked from its sign-in form: `/signup` → `/confirmUser` (the
 * code from the outbox; then signed in and back to the app, as Cognito's hosted UI does) and
 * `/forgotPassword` → `/confirmForgotPassword` (then the sign-in form again). They run the
 * emulator's own SignUp, ConfirmSignUp, ForgotPassword and ConfirmForgotPassword, with the
 * SECRET_HASH the emulator can compute, so every rule of those operations applies.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { secretHash } from '../../secret-hash';
import type { EmulatorContext } from '../context';
import { WireError } from '../errors';
import { operations } from '../operations/registry';
import type { ClientRecord, HostedLoginRecord } from '../store';
import { findUser } from '../user-directory';
import { finishAuthorize } from './authorize';
import { readForm, redirect, sendPage } from './http';
import { formLogin, queryLogin } from './login';
import { formPage, type FormInput } from './pages';
import { startSso, type HostedSite } from './sso';

type Step = 'signup' | 'confirmUser' | 'forgotPassword' | 'confirmForgotPassword';

const STEPS: Record<Step, { title: string; button: string; inputs: (username: string) => FormInput[] }> = {
  signup: {
    title: 'Sign up',
    button: 'Sign up',
    inputs: (username) => [
      { name: 'username', label: 'Username', autocomplete: 'username', value: username },
      { name: 'email', label: 'E-mail', type: 'email', autocomplete: 'email' },
      { name: 'password', label: 'Password', type: 'password', autocomplete: 'new-password' },
    ],
  },
  confirmUser: {
    title: 'Confirm your account',
    button: 'Confirm',
    inputs: () => [{ name: 'code', label: 'Verification code', autocomplete: 'one-time-code', numeric: true }],
  },
  forgotPassword: {
    title: 'Forgot your password?',
    button: 'Send a code',
    inputs: (username) => [{ name: 'username', label: 'Username', autocomplete: 'username', value: username }],
  },
  confirmForgotPassword: {
    title: 'Choose a new password',
    button: 'Change password',
    inputs: () => [
      { name: 'code', label: 'Code', autocomplete: 'one-time-code', numeric: true },
      { name: 'password', label: 'New password', type: 'password', autocomplete: 'new-password' },
    ],
  },
};

function render(
  site: HostedSite,
  res: ServerResponse,
  login: HostedLoginRecord,
  client: ClientRecord,
  step: Step,
  opts: { status?: number; error?: string; notice?: string; username?: string } = {},
): void {
  const spec = STEPS[step];
  const fields: Record<string, string> = { login_id: login.id, _csrf: login.csrf, ...(opts.username ? { for_user: opts.username } : {}) };
  const back = { href: `${site.basePath}/login?login_id=${encodeURIComponent(login.id)}`, text: 'Back to sign in' };
  sendPage(res, opts.status ?? 200, formPage({ title: spec.title, clientName: client.clientName }, `${site.basePath}/${step}`, fields, {
    inputs: spec.inputs(step === 'signup' || step === 'forgotPassword' ? opts.username ?? '' : ''),
    button: spec.button,
    links: [back],
    ...(opts.error ? { error: opts.error } : {}),
    ...(opts.notice ? { notice: opts.notice } : {}),
  }));
}

function withHash(client: ClientRecord, username: string): Record<string, string> {
  return client.clientSecret === undefined ? {} : { SecretHash: secretHash(username, client.clientId, client.clientSecret) };
}

function deliveryNotice(out: unknown, fallback: string): string {
  const d = (out as { CodeDeliveryDetails?: { Destination?: string } } | null)?.CodeDeliveryDetails;
  return d?.Destination ? `We sent a code to ${d.Destination}.` : fallback;
}

/** GET of a self-service page: the form for a hosted login in progress. */
export function selfServicePage(ctx: EmulatorContext, site: HostedSite, res: ServerResponse, step: Step, query: URLSearchParams): void {
  const login = queryLogin(ctx, site, res, query);
  if (login === undefined) return;
  const { client } = ctx.store.client(login.request.clientId, site.pool.id);
  render(site, res, login, client, step);
}

/** POST of a self-service page. */
export async function selfServicePost(
  ctx: EmulatorContext,
  site: HostedSite,
  req: IncomingMessage,
  res: ServerResponse,
  step: Step,
): Promise<void> {
  const form = await readForm(req);
  const login = formLogin(ctx, site, req, res, form);
  if (login === undefined) return;
  const { client } = ctx.store.client(login.request.clientId, site.pool.id);
  const username = ((step === 'signup' || step === 'forgotPassword' ? form.get('username') : form.get('for_user')) ?? '').trim();
  const code = form.get('code') ?? '';
  const password = form.get('password') ?? '';
  if (username === '') {
    return render(site, res, login, client, step === 'signup' || step === 'forgotPassword' ? step : 'signup', { status: 400, error: 'Enter a username.' });
  }
  try {
    switch (step) {
      case 'signup': {
        const email = (form.get('email') ?? '').trim();
        const out = await operations.SignUp.handler(ctx, {
          ClientId: client.clientId, Username: username, Password: password, ...withHash(client, username),
          ...(email ? { UserAttributes: [{ Name: 'email', Value: email }] } : {}),
        });
        if ((out as { UserConfirmed?: boolean }).UserConfirmed === true) return signedIn(ctx, site, res, login, username);
        return render(site, res, login, client, 'confirmUser', { username, notice: deliveryNotice(out, 'We sent you a verification code.') });
      }
      case 'confirmUser':
        await operations.ConfirmSignUp.handler(ctx, {
          ClientId: client.clientId, Username: username, ConfirmationCode: code, ...withHash(client, username),
        });
        return signedIn(ctx, site, res, login, username);
      case 'forgotPassword': {
        const out = await operations.ForgotPassword.handler(ctx, {
          ClientId: client.clientId, Username: username, ...withHash(client, username),
        });
        return render(site, res, login, client, 'confirmForgotPassword', { username, notice: deliveryNotice(out, 'We sent you a code.') });
      }
      case 'confirmForgotPassword':
        await operations.ConfirmForgotPassword.handler(ctx, {
          ClientId: client.clientId, Username: username, ConfirmationCode: code, Password: password, ...withHash(client, username),
        });
        return redirect(res, `${site.basePath}/login?login_id=${encodeURIComponent(login.id)}&notice=reset`);
    }
  } catch (e) {
    if (!(e instanceof WireError)) throw e;
    return render(site, res, login, client, step, { status: 400, error: e.message, username });
  }
}

// A confirmed sign-up signs the user in (the hosted UI's behaviour) and finishes the authorization.
async function signedIn(
  ctx: EmulatorContext, site: HostedSite, res: ServerResponse, login: HostedLoginRecord, username: string,
): Promise<void> {
  const user = findUser(site.pool, username);
  if (user === undefined) throw new Error('a confirmed sign-up has no user');
  ctx.store.hostedLogins.delete(login.id);
  const authTime = Math.floor(ctx.clock.now() / 1000);
  redirect(res, await finishAuthorize(ctx, login.request, user, authTime), { 'set-cookie': startSso(ctx, site, user, authTime) });
}

/** The self-service paths. */
export const SELF_SERVICE_STEPS: readonly Step[] = ['signup', 'confirmUser', 'forgotPassword', 'confirmForgotPassword'];
