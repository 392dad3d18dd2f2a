/**
 * The pages of the example app: small functions from data to HTML. Every interpolated value goes
 * through the `html` tag, which escapes it (see `html.ts`); no page has inline script or style.
 */
import type { PasswordPolicy } from 'express-cognito';
import { html, type HtmlValue, type SafeHtml } from './html';
import { codeInput, csrfField, errorBox, layout, newPasswordFields, noticeBox, usernameInput, type PageContext } from './layout';
import { passwordlessLink } from './passwordless-views';

export type { PageContext } from './layout';

/** A demo account shown on the login page when the app runs on the embedded emulator. */
export interface DemoUser {
  username: string;
  password: string;
  note: string;
}

function returnToField(returnTo: string | undefined): SafeHtml {
  return returnTo ? html`<input type="hidden" name="returnTo" value="${returnTo}">` : html``;
}

/** Input of {@link loginPage}. */
export interface LoginPageData {
  returnTo?: string | undefined;
  error?: string | undefined;
  notice?: string | undefined;
  username?: string | undefined;
  demoUsers?: readonly DemoUser[] | undefined;
  /** bob's TOTP secret on the embedded emulator, shown so it can be added to an authenticator. */
  demoTotpSecret?: string | undefined;
  /** The app signs in through the hosted UI too: its button, and the federated provider's (by name). */
  hosted?: { identityProvider?: string | undefined } | undefined;
  /** The security-check sign-in (CUSTOM_AUTH) is offered: a link to it. */
  securityCheck?: boolean | undefined;
  /** The passwordless sign-in (USER_AUTH: codes, passkeys) is offered: a link to it. */
  passwordless?: boolean | undefined;
}

// The hosted UI's buttons: links (GET), since they only start a sign-in; the callback does the rest.
function hostedButtons(data: LoginPageData): SafeHtml {
  if (!data.hosted) return html``;
  const query = data.returnTo ? `?returnTo=${encodeURIComponent(data.returnTo)}` : '';
  const idp = data.hosted.identityProvider;
  // After "Sign in without a password", the hosted buttons join its group: one "or" for both.
  return html`<div id="hosted-signin">
    ${data.passwordless ? '' : html`<p class="or">or</p>`}
    <a class="button secondary" id="hosted-link" href="/auth/hosted${query}">Sign in with the hosted page</a>
    ${idp ? html`<a class="button secondary" id="federated-link" href="/auth/federated${query}">Sign in with ${idp}</a>` : ''}
    <p class="hint">The user pool's own sign-in page (Cognito's managed login)${idp ? html`, or straight to ${idp} through it` : ''}, then back here.</p>
  </div>`;
}

/** The login form; with the embedded emulator, also the demo accounts. */
export function loginPage(ctx: PageContext, data: LoginPageData): SafeHtml {
  const demo = data.demoUsers?.length
    ? html`<section class="card narrow demo">
  <h2>Demo accounts</h2>
  <p class="muted">This app runs on the embedded Cognito emulator. Log in as:</p>
  <table>
    <tr><th>Username</th><th>Password</th><th>What happens</th></tr>
    ${data.demoUsers.map((u) => html`<tr><td><code>${u.username}</code></td><td><code>${u.password}</code></td><td>${u.note}</td></tr>`)}
  </table>
  ${data.demoTotpSecret ? html`<p class="muted">bob's TOTP secret (add it to an authenticator app):<br><span class="secret" id="demo-totp-secret">${data.demoTotpSecret}</span></p>` : ''}
  <p class="muted">Or <a href="/sign-up">create an account</a>: the codes Cognito would e-mail are printed in the terminal that runs the app.</p>
</section>`
    : '';
  return layout(
    ctx,
    'Log in',
    html`<section class="card narrow">
  <h1>Log in</h1>
  ${noticeBox(data.notice, 'login-notice')}
  ${errorBox(data.error)}
  <form method="post" action="/login" id="login-form">
    ${csrfField(ctx)}${returnToField(data.returnTo)}
    ${usernameInput(data.username, !data.username)}
    <label for="password">Password</label>
    <input type="password" id="password" name="password" autocomplete="current-password" maxlength="256" required${data.username ? html` autofocus` : ''}>
    <button type="submit">Log in</button>
  </form>
  <p class="links"><a href="/forgot" id="forgot-link">Forgot your password?</a> <a href="/sign-up">Create an account</a></p>
  ${data.passwordless ? passwordlessLink(data.returnTo) : ''}
  ${hostedButtons(data)}
  ${data.securityCheck ? html`<p class="hint"><a id="security-check-link" href="/login/security-check${data.returnTo ? `?returnTo=${encodeURIComponent(data.returnTo)}` : ''}">Sign in with a security check</a>: your password, then a question the user pool asks (CUSTOM_AUTH).</p>` : ''}
</section>
${demo}`,
  );
}

/** Input of {@link securityCheckPage}. */
export interface SecurityCheckPageData {
  returnTo?: string | undefined;
  error?: string | undefined;
  username?: string | undefined;
}

/** The CUSTOM_AUTH sign-in: username and password, then the pool's question (on the step page). */
export function securityCheckPage(ctx: PageContext, data: SecurityCheckPageData): SafeHtml {
  return layout(
    ctx,
    'Sign in with a security check',
    html`<section class="card narrow">
  <h1>Sign in with a security check</h1>
  <p class="muted">Your password first (checked by SRP: it never leaves this server), then the user pool's own question,
  asked by its CreateAuthChallenge trigger.</p>
  ${errorBox(data.error)}
  <form method="post" action="/login/security-check" id="security-check-form">
    ${csrfField(ctx)}${returnToField(data.returnTo)}
    ${usernameInput(data.username, !data.username)}
    <label for="password">Password</label>
    <input type="password" id="password" name="password" autocomplete="current-password" maxlength="256" required${data.username ? html` autofocus` : ''}>
    <button type="submit">Continue</button>
  </form>
  <p class="links"><a href="/login">Back to log in</a></p>
</section>`,
  );
}

/** Input of {@link customChallengePage}. */
export interface CustomChallengePageData extends ChallengePageData {
  /** The question the pool's trigger asks (its public parameter `question`). */
  question?: string | undefined;
  /** The route the answer is posted to. */
  action: string;
}

/** CUSTOM_CHALLENGE: the pool's question, and the answer. */
export function customChallengePage(ctx: PageContext, data: CustomChallengePageData): SafeHtml {
  return layout(
    ctx,
    'Security check',
    html`<section class="card narrow">
  <h1>One more check</h1>
  ${errorBox(data.error)}
  <p id="challenge-question">${data.question ?? 'Answer the question the user pool asks.'}</p>
  <form method="post" action="${data.action}" id="answer-form">
    ${csrfField(ctx)}${returnToField(data.returnTo)}
    <label for="answer">Answer</label>
    <input type="text" id="answer" name="answer" autocomplete="off" maxlength="2048" required autofocus>
    <button type="submit">Continue</button>
  </form>
  <p class="muted"><a href="/login/security-check">Start again</a></p>
</section>`,
  );
}

/** Input of the challenge pages. */
export interface ChallengePageData {
  returnTo?: string | undefined;
  /** What the strategy said about this step (e.g. where the SMS went, or why the last try failed). */
  message?: string | undefined;
  error?: string | undefined;
}

function codeForm(ctx: PageContext, data: ChallengePageData, label: string): SafeHtml {
  return html`<form method="post" action="/login" id="code-form">
    ${csrfField(ctx)}${returnToField(data.returnTo)}
    ${codeInput(label)}
    <button type="submit">Verify</button>
  </form>
  <p class="muted"><a href="/login">Start again</a></p>`;
}

/** SOFTWARE_TOKEN_MFA: the six-digit code from the authenticator app. */
export function softwareTokenMfaPage(ctx: PageContext, data: ChallengePageData): SafeHtml {
  return layout(
    ctx,
    'Authenticator code',
    html`<section class="card narrow">
  <h1>Enter your authenticator code</h1>
  ${errorBox(data.error)}
  <p class="muted">${data.message ?? 'Open your authenticator app and type the current six-digit code.'}</p>
  ${codeForm(ctx, data, 'Code')}
</section>`,
  );
}

/** SMS_MFA: the code sent by text message. */
export function smsMfaPage(ctx: PageContext, data: ChallengePageData): SafeHtml {
  return layout(
    ctx,
    'SMS code',
    html`<section class="card narrow">
  <h1>Enter the code we texted you</h1>
  ${errorBox(data.error)}
  <p class="muted">${data.message ?? 'A six-digit code was sent to your phone.'}</p>
  ${codeForm(ctx, data, 'Code from the text message')}
</section>`,
  );
}

/** Input of {@link newPasswordPage}. */
export interface NewPasswordPageData extends ChallengePageData {
  policy: PasswordPolicy;
}

/** NEW_PASSWORD_REQUIRED: the first login with a temporary password. */
export function newPasswordPage(ctx: PageContext, data: NewPasswordPageData): SafeHtml {
  return layout(
    ctx,
    'Choose a new password',
    html`<section class="card narrow">
  <h1>Choose a new password</h1>
  ${errorBox(data.error)}
  <p class="muted">${data.message ?? 'Your password was temporary. Choose the one you will use from now on.'}</p>
  <form method="post" action="/login" id="new-password-form">
    ${csrfField(ctx)}${returnToField(data.returnTo)}
    ${newPasswordFields({ policy: data.policy, name: 'newPassword', label: 'New password', autofocus: true })}
    <button type="submit">Set password</button>
  </form>
  <p class="muted"><a href="/login">Start again</a></p>
</section>`,
  );
}

/** Input of {@link mfaSetupPage}. */
export interface MfaSetupPageData extends ChallengePageData {
  secretCode?: string | undefined;
  otpauthUri?: string | undefined;
  /** The QR code of `otpauthUri` as SVG markup, generated server-side. */
  qrSvg?: SafeHtml | undefined;
}

/** The QR code and the key as text, for an authenticator app (sign-in's MFA_SETUP and the /mfa page). */
export function authenticatorKey(data: { secretCode?: string | undefined; qrSvg?: SafeHtml | undefined }): SafeHtml {
  return html`${data.qrSvg ? html`<div class="qr" id="qr" role="img" aria-label="QR code of the authenticator key">${data.qrSvg}</div>` : ''}
  ${data.secretCode ? html`<p>Or type this key: <span class="secret" id="secret-code">${data.secretCode}</span></p>` : ''}`;
}

/** MFA_SETUP: scan the QR code (or type the secret), then confirm with a first code. */
export function mfaSetupPage(ctx: PageContext, data: MfaSetupPageData): SafeHtml {
  return layout(
    ctx,
    'Set up two-step verification',
    html`<section class="card narrow">
  <h1>Set up two-step verification</h1>
  ${errorBox(data.error)}
  <p class="muted">This account needs an authenticator app. Scan the QR code with the app (or type the key), then enter the six-digit code it shows.</p>
  ${authenticatorKey(data)}
  ${codeForm(ctx, data, 'Code from the app')}
</section>`,
  );
}

const MFA_TYPE_LABELS: Record<string, string> = {
  SOFTWARE_TOKEN_MFA: 'Authenticator app',
  SMS_MFA: 'Text message (SMS)',
  EMAIL_OTP: 'E-mail',
};

/** Input of {@link selectMfaTypePage}. */
export interface SelectMfaTypePageData extends ChallengePageData {
  choices: readonly string[];
}

/** SELECT_MFA_TYPE: the person picks which second factor to use. */
export function selectMfaTypePage(ctx: PageContext, data: SelectMfaTypePageData): SafeHtml {
  return layout(
    ctx,
    'Choose how to verify',
    html`<section class="card narrow">
  <h1>How do you want to verify it's you?</h1>
  ${errorBox(data.error)}
  ${data.message ? html`<p class="muted">${data.message}</p>` : ''}
  <form method="post" action="/login" id="mfa-type-form">
    ${csrfField(ctx)}${returnToField(data.returnTo)}
    ${data.choices.map(
      (c, i) => html`<label class="choice"><input type="radio" name="mfaType" value="${c}" ${i === 0 ? html`checked` : ''}> ${MFA_TYPE_LABELS[c] ?? c}</label>`,
    )}
    <button type="submit">Continue</button>
  </form>
  <p class="muted"><a href="/login">Start again</a></p>
</section>`,
  );
}

// Claims that are times (seconds since the epoch) are shown as such.
const TIME_CLAIMS = new Set(['exp', 'iat', 'auth_time', 'nbf']);

function claimValue(name: string, value: unknown): HtmlValue {
  if (TIME_CLAIMS.has(name) && typeof value === 'number') {
    return html`<code>${value}</code> <span class="muted">(${new Date(value * 1000).toISOString()})</span>`;
  }
  if (typeof value === 'string') return value;
  return html`<code>${JSON.stringify(value)}</code>`;
}

function claimsTable(id: string, claims: Record<string, unknown>): SafeHtml {
  return html`<table class="kv" id="${id}">
    ${Object.keys(claims)
      .sort()
      .map((k) => html`<tr><th>${k}</th><td>${claimValue(k, claims[k])}</td></tr>`)}
  </table>`;
}

/** Input of {@link profilePage}. */
export interface ProfilePageData {
  username: string;
  sub: string;
  groups: readonly string[];
  /** When the access token expires (ms since the epoch), and "now" to say how long that is. */
  expiresAtMs: number;
  nowMs: number;
  accessClaims: Record<string, unknown>;
  userClaims?: Record<string, unknown> | undefined;
  /** The account's details and forms (see `account-views.ts`), between the greeting and the tokens. */
  account?: SafeHtml | undefined;
}

function describeRemaining(ms: number): string {
  if (ms <= 0) return 'expired; it is renewed on the next request';
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.floor((ms % 60_000) / 1000);
  return minutes > 0 ? `in ${minutes} min ${seconds} s` : `in ${seconds} s`;
}

/** The signed-in person: who they are, their groups, their tokens' claims and expiry. */
export function profilePage(ctx: PageContext, data: ProfilePageData): SafeHtml {
  return layout(
    ctx,
    'Profile',
    html`<section class="card">
  <h1>Hello, <span id="profile-username">${data.username}</span></h1>
  <table class="kv">
    <tr><th>Subject (sub)</th><td><code>${data.sub}</code></td></tr>
    <tr><th>Groups</th><td id="profile-groups">${data.groups.length ? data.groups.map((g) => html`<span class="tag">${g}</span>`) : html`<span class="muted">none</span>`}</td></tr>
    <tr><th>Access token expires</th><td id="access-expiry">${new Date(data.expiresAtMs).toISOString()} <span class="muted">(${describeRemaining(data.expiresAtMs - data.nowMs)})</span></td></tr>
  </table>
  <p class="muted">The same, as JSON for an API client: <a href="/api/me">/api/me</a>.</p>
</section>
${data.account ?? ''}
${data.userClaims ? html`<section class="card"><h2>ID token claims</h2>
  <p class="muted">As Cognito issued them at sign-in: a change of your details shows here after the next sign-in.</p>
  ${claimsTable('id-claims', data.userClaims)}</section>` : ''}
<section class="card"><h2>Access token claims</h2>${claimsTable('access-claims', data.accessClaims)}</section>`,
  );
}

/** The page only members of the `admin` group reach. */
export function adminPage(ctx: PageContext, data: { username: string; groups: readonly string[] }): SafeHtml {
  return layout(
    ctx,
    'Admin',
    html`<section class="card">
  <h1>Admin area</h1>
  <p id="admin-welcome">Welcome, <strong>${data.username}</strong>. You are here because you are in the group
  ${data.groups.filter((g) => g === 'admin').map((g) => html`<span class="tag">${g}</span>`)}.</p>
  <p class="muted">This route is guarded by <code>requireCognito({ groups: ['admin'], loginUrl: '/login' })</code>.</p>
</section>`,
  );
}

/** Input of {@link m2mPage}. */
export interface M2mPageData {
  /** The machine-to-machine app client, and the API it called. */
  clientId: string;
  apiUrl: string;
  /** What is known of the token it got (never the token itself). */
  token?: { scopes: readonly string[]; expiresAtMs: number } | undefined;
  /** Why no token could be had. */
  error?: string | undefined;
  /** The API's answer: status and body (JSON, pretty-printed). */
  api?: { status: number; body: string } | undefined;
  nowMs: number;
}

/** /m2m: a client-credentials token fetched by the server, and the app's own API called with it. */
export function m2mPage(ctx: PageContext, data: M2mPageData): SafeHtml {
  const t = data.token;
  return layout(
    ctx,
    'Machine to machine',
    html`<section class="card">
  <h1>Machine to machine</h1>
  <p class="muted">The server asked the user pool's token endpoint for an access token with the <code>client_credentials</code>
  grant (an app client on its own, no user), then called <code>GET ${data.apiUrl}</code> with it as a bearer token. The token
  stays on the server; it is cached and renewed by <code>clientCredentials()</code>.</p>
  ${errorBox(data.error, 'm2m-error')}
  <table class="kv" id="m2m-token">
    <tr><th>App client</th><td><code>${data.clientId}</code></td></tr>
    ${t ? html`<tr><th>Scopes granted</th><td id="m2m-scopes">${t.scopes.map((s) => html`<span class="tag">${s}</span>`)}</td></tr>
    <tr><th>Token expires</th><td id="m2m-expiry">${new Date(t.expiresAtMs).toISOString()} <span class="muted">(${describeRemaining(t.expiresAtMs - data.nowMs)})</span></td></tr>` : ''}
    ${data.api ? html`<tr><th>API answer</th><td id="m2m-status">HTTP ${data.api.status}</td></tr>` : ''}
  </table>
</section>
${data.api ? html`<section class="card"><h2>What the API returned</h2><pre class="json" id="m2m-result">${data.api.body}</pre></section>` : ''}`,
  );
}

/** Input of {@link errorPage}. */
export interface ErrorPageData {
  status: number;
  title: string;
  message: string;
}

/** Any error, in words: never a stack trace. */
export function errorPage(ctx: PageContext, data: ErrorPageData): SafeHtml {
  return layout(
    ctx,
    data.title,
    html`<section class="card narrow">
  <h1>${data.title}</h1>
  <p id="error-message">${data.message}</p>
  <p class="muted">Error ${data.status}. <a href="/">Back to the start</a></p>
</section>`,
  );
}
