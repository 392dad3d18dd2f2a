/**
 * The account pages of the example app, each a form posting to the package's `cognitoAccount()`
 * router (mounted at `/account`): sign-up, confirmation, forgotten password, e-mail verification,
 * two-step verification, and the account sections of the profile page.
 */
import type { PasswordPolicy } from 'express-cognito';
import { html, type SafeHtml } from './html';
import { codeInput, csrfField, errorBox, layout, newPasswordFields, noticeBox, usernameInput, type PageContext } from './layout';
import { authenticatorKey } from './views';

/** What every account page may show above its form: what just happened, or what went wrong. */
export interface Messages {
  notice?: string | undefined;
  error?: string | undefined;
}

/** Input of {@link signUpPage}. */
export interface SignUpPageData extends Messages {
  policy: PasswordPolicy;
  username?: string | undefined;
  email?: string | undefined;
}

/** /sign-up: username, e-mail, password twice (the policy shown above it). */
export function signUpPage(ctx: PageContext, data: SignUpPageData): SafeHtml {
  return layout(ctx, 'Create an account', html`<section class="card narrow">
  <h1>Create an account</h1>
  ${errorBox(data.error)}
  <form method="post" action="/account/sign-up" id="sign-up-form">
    ${csrfField(ctx)}
    ${usernameInput(data.username, !data.username)}
    <label for="email">E-mail address</label>
    <input type="email" id="email" name="email" value="${data.email ?? ''}" autocomplete="email" maxlength="254" required>
    <p class="hint">We send a code to it, to check it is yours.</p>
    ${newPasswordFields({ policy: data.policy, name: 'password', label: 'Password', autofocus: Boolean(data.username) })}
    <button type="submit">Create account</button>
  </form>
  <p class="muted">Already have an account? <a href="/login">Log in</a></p>
</section>`);
}

/** Input of {@link confirmPage}. */
export interface ConfirmPageData extends Messages {
  username?: string | undefined;
}

/** /confirm: the code from the sign-up e-mail; "send the code again" posts the same form to /account/resend. */
export function confirmPage(ctx: PageContext, data: ConfirmPageData): SafeHtml {
  return layout(ctx, 'Confirm your account', html`<section class="card narrow">
  <h1>Confirm your account</h1>
  ${noticeBox(data.notice, 'confirm-notice')}
  ${errorBox(data.error)}
  <form method="post" action="/account/confirm" id="confirm-form">
    ${csrfField(ctx)}
    ${usernameInput(data.username, !data.username)}
    ${codeInput('Code from the e-mail', Boolean(data.username))}
    <button type="submit">Confirm</button>
    <p class="hint">No e-mail? Check the spam folder, or
      <button type="submit" class="link" id="resend" formaction="/account/resend" formnovalidate>send the code again</button></p>
  </form>
</section>`);
}

/** Input of {@link forgotPage}. */
export interface ForgotPageData extends Messages {
  username?: string | undefined;
}

/** /forgot: the username; a code goes to the account's verified e-mail or phone. */
export function forgotPage(ctx: PageContext, data: ForgotPageData): SafeHtml {
  return layout(ctx, 'Forgot your password?', html`<section class="card narrow">
  <h1>Forgot your password?</h1>
  ${errorBox(data.error)}
  <p class="muted">Enter your username: we send a code to the e-mail address (or phone) of the account, to choose a new password.</p>
  <form method="post" action="/account/forgot" id="forgot-form">
    ${csrfField(ctx)}
    ${usernameInput(data.username, true)}
    <button type="submit">Send the code</button>
  </form>
  <p class="links"><a href="/login">Back to log in</a></p>
</section>`);
}

/** Input of {@link resetPage}. */
export interface ResetPageData extends Messages {
  policy: PasswordPolicy;
  username?: string | undefined;
}

/** /reset: the code and the new password (twice). */
export function resetPage(ctx: PageContext, data: ResetPageData): SafeHtml {
  return layout(ctx, 'Choose a new password', html`<section class="card narrow">
  <h1>Choose a new password</h1>
  ${noticeBox(data.notice, 'reset-notice')}
  ${errorBox(data.error)}
  <form method="post" action="/account/reset" id="reset-form">
    ${csrfField(ctx)}
    ${usernameInput(data.username, !data.username)}
    ${codeInput('Code from the message', Boolean(data.username))}
    ${newPasswordFields({ policy: data.policy, name: 'newPassword', label: 'New password' })}
    <button type="submit">Set the new password</button>
  </form>
  <p class="links"><a href="/forgot">Send a new code</a> <a href="/login">Back to log in</a></p>
</section>`);
}

/** /verify: the code sent to a new e-mail address; "send the code again" posts to /account/verify/send. */
export function verifyPage(ctx: PageContext, data: Messages & { email?: string | undefined }): SafeHtml {
  return layout(ctx, 'Verify your e-mail address', html`<section class="card narrow">
  <h1>Verify your e-mail address</h1>
  ${noticeBox(data.notice, 'verify-notice')}
  ${errorBox(data.error)}
  ${data.email ? html`<p class="muted">The code was sent to <strong id="verify-email">${data.email}</strong>.</p>` : ''}
  <form method="post" action="/account/verify" id="verify-form">
    ${csrfField(ctx)}
    <input type="hidden" name="attribute" value="email">
    ${codeInput('Code from the e-mail')}
    <button type="submit">Verify</button>
    <p class="hint">No e-mail?
      <button type="submit" class="link" id="resend" formaction="/account/verify/send" formnovalidate>Send the code again</button></p>
  </form>
  <p class="links"><a href="/profile">Back to your profile</a></p>
</section>`);
}

/** Input of {@link mfaPage}. */
export interface MfaPageData extends Messages {
  /** Which factors are on (from GetUser), or `undefined` when Cognito could not be asked. */
  state?: { totp: boolean; sms: boolean } | undefined;
  /** An authenticator being set up: its key, as text and as a QR code. */
  enrolment?: { secretCode: string; qrSvg: SafeHtml } | undefined;
  /**
   * The identity provider of a federated user: Cognito applies no MFA of its own to such a sign-in
   * (the provider does), so the page offers nothing to turn on.
   */
  federatedBy?: string | undefined;
  /** The passkeys section (`passwordless-views.ts`), below two-step verification. */
  passkeys?: SafeHtml | undefined;
}

function postButton(ctx: PageContext, action: string, id: string, label: string, fields: Record<string, string> = {}, kind = ''): SafeHtml {
  return html`<form method="post" action="${action}" id="${id}" class="inline">
    ${csrfField(ctx)}${Object.entries(fields).map(([k, v]) => html`<input type="hidden" name="${k}" value="${v}">`)}
    <button type="submit"${kind ? html` class="${kind}"` : ''}>${label}</button>
  </form>`;
}

/** /mfa: what is on, set up (or replace) an authenticator with its QR code, turn it off. */
export function mfaPage(ctx: PageContext, data: MfaPageData): SafeHtml {
  if (data.federatedBy !== undefined) {
    return layout(ctx, 'Two-step verification', html`<section class="card narrow" id="mfa-federated">
  <h1>Two-step verification</h1>
  <p class="muted">You sign in through <strong>${data.federatedBy}</strong>, which asks for any second step itself:
    this user pool adds none to such a sign-in. Turn it on in your ${data.federatedBy} account.</p>
</section>`);
  }
  const s = data.state;
  const status = s === undefined
    ? html`<p class="muted">Your settings cannot be read right now.</p>`
    : html`<table class="kv" id="mfa-state">
    <tr><th>Authenticator app</th><td id="mfa-totp">${s.totp ? html`<span class="tag on">on</span>` : html`<span class="tag">off</span>`}</td></tr>
    ${s.sms ? html`<tr><th>Text message (SMS)</th><td id="mfa-sms"><span class="tag on">on</span></td></tr>` : ''}
  </table>`;
  const enrol = data.enrolment
    ? html`<section class="card narrow" id="enrol">
  <h2>Add the key to your authenticator app</h2>
  <p class="muted">Scan the QR code with the app (or type the key), then enter the six-digit code it shows.
    ${s?.totp ? 'Until then your current authenticator keeps working; afterwards only the new one does.' : ''}</p>
  ${authenticatorKey(data.enrolment)}
  <form method="post" action="/account/mfa/totp/verify" id="totp-verify-form">
    ${csrfField(ctx)}
    ${codeInput('Code from the app')}
    <button type="submit">Turn on</button>
  </form>
  ${postButton(ctx, '/mfa/cancel', 'cancel-enrol', 'Cancel', {}, 'link')}
</section>`
    : '';
  const actions = data.enrolment || s === undefined
    ? ''
    : html`<div class="actions">
    ${s.totp
      ? html`${postButton(ctx, '/account/mfa/totp', 'enrol', 'Set up a new authenticator')}
    ${postButton(ctx, '/account/mfa/disable', 'disable-totp', 'Turn off the authenticator', { factor: 'totp' }, 'danger')}`
      : postButton(ctx, '/account/mfa/totp', 'enrol', 'Set up an authenticator app')}
    ${s.sms ? postButton(ctx, '/account/mfa/disable', 'disable-sms', 'Turn off text messages', { factor: 'sms' }, 'danger') : ''}
  </div>`;
  return layout(ctx, 'Two-step verification', html`<section class="card narrow">
  <h1>Two-step verification</h1>
  ${noticeBox(data.notice, 'mfa-notice')}
  ${errorBox(data.error)}
  <p class="muted">With it on, signing in asks for a six-digit code from an app on your phone after the password.</p>
  ${status}
  ${actions}
</section>
${enrol}
${data.passkeys ?? ''}`);
}

/** The account's details as Cognito has them now (GetUser). */
export interface AccountDetails {
  email?: string | undefined;
  emailVerified: boolean;
  name?: string | undefined;
}

/** Input of {@link accountSections}. */
export interface AccountSectionsData {
  policy: PasswordPolicy;
  /** `undefined` when Cognito could not be asked. */
  details?: AccountDetails | undefined;
  /** What just happened, and what went wrong, per section. */
  detailsMessages?: Messages | undefined;
  passwordMessages?: Messages | undefined;
  deleteMessages?: Messages | undefined;
  /**
   * The identity provider the user signs in with (a federated user, e.g. `DemoIdP`): the password is
   * that provider's, so there is none to change here, nor one to confirm a deletion with.
   */
  federatedBy?: string | undefined;
}

/** The profile page's account sections: the details and their form, the password, deleting the account. */
export function accountSections(ctx: PageContext, data: AccountSectionsData): SafeHtml {
  const d = data.details;
  const verified = d?.emailVerified
    ? html`<span class="tag on" id="email-state">verified</span>`
    : html`<span class="tag warn" id="email-state">not verified</span> <a href="/verify">Verify it</a>`;
  const details = d === undefined
    ? html`<p class="muted">Your details cannot be read right now.</p>`
    : html`<table class="kv">
    <tr><th>E-mail</th><td><span id="profile-email">${d.email ?? ''}</span> ${d.email ? verified : html`<span class="muted">none</span>`}</td></tr>
    <tr><th>Name</th><td id="profile-name">${d.name ?? html`<span class="muted">not given</span>`}</td></tr>
  </table>
  <form method="post" action="/account/profile" id="profile-form" class="narrow-form">
    ${csrfField(ctx)}
    <input type="hidden" name="previous_email" value="${d.email ?? ''}">
    <input type="hidden" name="previous_name" value="${d.name ?? ''}">
    <label for="name">Name</label>
    <input type="text" id="name" name="name" value="${d.name ?? ''}" autocomplete="name" maxlength="256">
    <label for="email">E-mail address</label>
    <input type="email" id="email" name="email" value="${d.email ?? ''}" autocomplete="email" maxlength="254" required>
    <p class="hint">A new address gets a code, to check it is yours.</p>
    <button type="submit">Save</button>
  </form>`;
  return html`<section class="card" id="details-section">
  <h2>Your details</h2>
  ${noticeBox(data.detailsMessages?.notice, 'details-notice')}
  ${errorBox(data.detailsMessages?.error)}
  ${details}
</section>
${data.federatedBy === undefined ? passwordAndDelete(ctx, data) : html`<section class="card" id="federated-section">
  <h2>Your password</h2>
  <p class="muted">You sign in through <strong>${data.federatedBy}</strong>: your password is kept there, and changed there.
    This user pool made your account at your first sign-in, and copies your e-mail address and name from ${data.federatedBy}
    at each one: a change saved here lasts until the next.</p>
</section>`}`;
}

function passwordAndDelete(ctx: PageContext, data: AccountSectionsData): SafeHtml {
  return html`<section class="card" id="password-section">
  <h2>Change your password</h2>
  ${noticeBox(data.passwordMessages?.notice, 'password-notice')}
  ${errorBox(data.passwordMessages?.error)}
  <form method="post" action="/account/password" id="password-form" class="narrow-form">
    ${csrfField(ctx)}
    <label for="previousPassword">Current password</label>
    <input type="password" id="previousPassword" name="previousPassword" autocomplete="current-password" maxlength="256" required>
    ${newPasswordFields({ policy: data.policy, name: 'newPassword', label: 'New password' })}
    <button type="submit">Change password</button>
  </form>
</section>
<section class="card danger-zone" id="delete-section">
  <h2>Delete your account</h2>
  ${errorBox(data.deleteMessages?.error)}
  <p class="muted">This deletes the account and signs you out everywhere. It cannot be undone.</p>
  <form method="post" action="/account/delete" id="delete-form" class="narrow-form">
    ${csrfField(ctx)}
    <label for="deletePassword">Your password, to confirm</label>
    <input type="password" id="deletePassword" name="password" autocomplete="current-password" maxlength="256" required>
    <button type="submit" class="danger">Delete my account</button>
  </form>
</section>`;
}
