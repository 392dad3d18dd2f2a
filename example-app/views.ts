/**
 * The pages of the example app: small functions from data to HTML. Every interpolated value goes
 * through the `html` tag, which escapes it (see `html.ts`); no page has inline script or style.
 */
import { html, type HtmlValue, type SafeHtml } from './html';

/** What every page needs: the session's CSRF token, and who is logged in (for the header). */
export interface PageContext {
  csrfToken: string;
  username?: string | undefined;
  appName: string;
}

/** A demo account shown on the login page when the app runs on the embedded emulator. */
export interface DemoUser {
  username: string;
  password: string;
  note: string;
}

function layout(ctx: PageContext, title: string, body: HtmlValue): SafeHtml {
  const who = ctx.username
    ? html`<span class="who">Signed in as <strong>${ctx.username}</strong></span>
      <form method="post" action="/logout">
        <input type="hidden" name="_csrf" value="${ctx.csrfToken}">
        <button type="submit" class="link">Log out</button>
      </form>`
    : html`<a href="/login">Log in</a>`;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · ${ctx.appName}</title>
<link rel="stylesheet" href="/style.css">
</head>
<body>
<header><div class="bar">
  <a class="brand" href="/">${ctx.appName}</a>
  <nav><a href="/profile">Profile</a><a href="/admin">Admin</a><a href="/api/me">/api/me</a></nav>
  ${who}
</div></header>
<main>
${body}
</main>
</body>
</html>
`;
}

function csrfField(ctx: PageContext): SafeHtml {
  return html`<input type="hidden" name="_csrf" value="${ctx.csrfToken}">`;
}

function returnToField(returnTo: string | undefined): SafeHtml {
  return returnTo ? html`<input type="hidden" name="returnTo" value="${returnTo}">` : html``;
}

function errorBox(error: string | undefined): SafeHtml {
  return error ? html`<p class="error" role="alert">${error}</p>` : html``;
}

function noticeBox(message: string | undefined): SafeHtml {
  return message ? html`<p class="notice">${message}</p>` : html``;
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
</section>`
    : '';
  return layout(
    ctx,
    'Log in',
    html`<section class="card narrow">
  <h1>Log in</h1>
  ${noticeBox(data.notice)}
  ${errorBox(data.error)}
  <form method="post" action="/login" id="login-form">
    ${csrfField(ctx)}${returnToField(data.returnTo)}
    <label for="username">Username</label>
    <input type="text" id="username" name="username" value="${data.username ?? ''}" autocomplete="username" autocapitalize="none" spellcheck="false" required autofocus>
    <label for="password">Password</label>
    <input type="password" id="password" name="password" autocomplete="current-password" required>
    <button type="submit">Log in</button>
  </form>
</section>
${demo}`,
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
    <label for="code">${label}</label>
    <input type="text" id="code" name="code" inputmode="numeric" pattern="[0-9]{6}" maxlength="6" autocomplete="one-time-code" required autofocus>
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

/** NEW_PASSWORD_REQUIRED: the first login with a temporary password. */
export function newPasswordPage(ctx: PageContext, data: ChallengePageData): SafeHtml {
  return layout(
    ctx,
    'Choose a new password',
    html`<section class="card narrow">
  <h1>Choose a new password</h1>
  ${errorBox(data.error)}
  <p class="muted">${data.message ?? 'Your password was temporary. Choose the one you will use from now on.'}</p>
  <form method="post" action="/login" id="new-password-form">
    ${csrfField(ctx)}${returnToField(data.returnTo)}
    <label for="newPassword">New password</label>
    <input type="password" id="newPassword" name="newPassword" autocomplete="new-password" required autofocus>
    <label for="confirmPassword">Repeat the new password</label>
    <input type="password" id="confirmPassword" name="confirmPassword" autocomplete="new-password" required>
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

/** MFA_SETUP: scan the QR code (or type the secret), then confirm with a first code. */
export function mfaSetupPage(ctx: PageContext, data: MfaSetupPageData): SafeHtml {
  return layout(
    ctx,
    'Set up two-step verification',
    html`<section class="card narrow">
  <h1>Set up two-step verification</h1>
  ${errorBox(data.error)}
  <p class="muted">This account needs an authenticator app. Scan the QR code with the app (or type the key), then enter the six-digit code it shows.</p>
  ${data.qrSvg ? html`<div class="qr" id="qr" role="img" aria-label="QR code of the authenticator key">${data.qrSvg}</div>` : ''}
  ${data.secretCode ? html`<p>Or type this key: <span class="secret" id="secret-code">${data.secretCode}</span></p>` : ''}
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
  return html`<table id="${id}">
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
  <table>
    <tr><th>Subject (sub)</th><td><code>${data.sub}</code></td></tr>
    <tr><th>Groups</th><td id="profile-groups">${data.groups.length ? data.groups.map((g) => html`<span class="tag">${g}</span>`) : html`<span class="muted">none</span>`}</td></tr>
    <tr><th>Access token expires</th><td id="access-expiry">${new Date(data.expiresAtMs).toISOString()} <span class="muted">(${describeRemaining(data.expiresAtMs - data.nowMs)})</span></td></tr>
  </table>
</section>
${data.userClaims ? html`<section class="card"><h2>ID token claims</h2>${claimsTable('id-claims', data.userClaims)}</section>` : ''}
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
