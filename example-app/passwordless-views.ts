/**
 * The pages of passwordless sign-in (USER_AUTH, `/login/passwordless`) and the passkeys section of
 * the Security page. Every interpolated value goes through the `html` tag; the one script is the
 * package's `/passkeys/client.js` (from `cognitoPasskeys()`), which binds to the `data-passkey-*`
 * attributes: the request options travel as JSON in an attribute, never in inline script.
 */
import { html, type SafeHtml } from './html';
import { csrfField, errorBox, layout, noticeBox, usernameInput, type PageContext } from './layout';

/** Where the passwordless sign-in lives. */
export const PASSWORDLESS_PATH = '/login/passwordless';
/** Where `cognitoPasskeys()` is mounted, and its browser script. */
export const PASSKEYS_PATH = '/passkeys';
/** The app's own script of the passkey pages (`passkey-page-script.ts`). */
export const PASSKEY_PAGE_SCRIPT_PATH = '/passkey-page.js';

// The package's script first: deferred scripts run in order, and the page's needs its handlers bound.
function scripts(): SafeHtml {
  return html`<script src="${PASSKEYS_PATH}/client.js" defer></script>
<script src="${PASSKEY_PAGE_SCRIPT_PATH}" defer></script>`;
}

const FACTOR_LABELS: Record<string, string> = {
  EMAIL_OTP: 'E-mail me a code',
  SMS_OTP: 'Text me a code',
  WEB_AUTHN: 'Passkey',
  PASSWORD: 'Password',
};
const FACTOR_IDS: Record<string, string> = { EMAIL_OTP: 'factor-email', SMS_OTP: 'factor-sms', WEB_AUTHN: 'factor-passkey' };

function returnToField(returnTo: string | undefined): SafeHtml {
  return returnTo ? html`<input type="hidden" name="returnTo" value="${returnTo}">` : html``;
}

/**
 * The note for a page opened on an IP address (`http://127.0.0.1:3000`): a passkey belongs to a
 * domain name (the pool's relying party, `localhost`), and the browser refuses it anywhere else.
 */
function passkeyOriginNotice(localhostUrl: string | undefined): SafeHtml {
  return localhostUrl
    ? html`<p class="warning" id="passkey-origin">Passkeys work at <a href="${localhostUrl}">${localhostUrl}</a> only: a passkey belongs
    to a domain name (here <code>localhost</code>), and this page is open on an IP address, where the browser offers none.</p>`
    : html``;
}

/** The first factors a page offers, PASSWORD_SRP shown as PASSWORD (the strategy proves the password by SRP). */
export function offeredFactors(available: readonly string[] | undefined): string[] {
  const names = (available ?? []).map((c) => (c === 'PASSWORD_SRP' ? 'PASSWORD' : c));
  return [...new Set(names)].filter((c) => c in FACTOR_LABELS);
}

/** The login page's way here: "Sign in without a password" (a link: it only starts a sign-in). */
export function passwordlessLink(returnTo: string | undefined): SafeHtml {
  const query = returnTo ? `?returnTo=${encodeURIComponent(returnTo)}` : '';
  return html`<p class="or">or</p>
  <a class="button secondary" id="passwordless-link" href="${PASSWORDLESS_PATH}${query}">Sign in without a password</a>
  <p class="hint">A code by e-mail or text message, or a passkey.</p>`;
}

/** Input of {@link passwordlessPage}. */
export interface PasswordlessPageData {
  returnTo?: string | undefined;
  error?: string | undefined;
  username?: string | undefined;
  /** The same page at `http://localhost:<port>`, when this one is open on an IP address. */
  localhostUrl?: string | undefined;
}

/** GET /login/passwordless: the username; the user pool then offers its ways in. */
export function passwordlessPage(ctx: PageContext, data: PasswordlessPageData): SafeHtml {
  return layout(ctx, 'Sign in without a password', html`<section class="card narrow">
  <h1>Sign in without a password</h1>
  <p class="muted">Your username first: the user pool then offers the ways in your account has — a code by e-mail or by
    text message, a passkey, or your password (Cognito's choice-based sign-in, USER_AUTH).</p>
  ${errorBox(data.error)}
  <form method="post" action="${PASSWORDLESS_PATH}" id="passwordless-form">
    ${csrfField(ctx)}${returnToField(data.returnTo)}
    ${usernameInput(data.username, true, 'username webauthn')}
    <button type="submit">Continue</button>
  </form>
  <p class="hint" id="passkey-hint">Have a passkey? Your browser may suggest its account in the username field. Cognito needs the
    username before it can ask for a passkey, so the passkey itself comes next: choose "Passkey" and the browser's passkey
    window opens at once.</p>
  ${passkeyOriginNotice(data.localhostUrl)}
  <p class="links"><a href="/login" id="password-login-link">Log in with a password</a></p>
</section>`);
}

/** What a step page of USER_AUTH shows: where its forms post, and the factors to switch to. */
export interface UserAuthStepData {
  /** The route the forms post to (the passwordless sign-in's). */
  action: string;
  returnTo?: string | undefined;
  error?: string | undefined;
  notice?: string | undefined;
  /** The username typed at the start. */
  username?: string | undefined;
  /** The factors Cognito offered (SELECT_CHALLENGE): the choices, or the other ways in. */
  factors: readonly string[];
}

// One button per factor (posting `factor`), and the password with its own field.
function factorForms(ctx: PageContext, data: UserAuthStepData, except: string | undefined, idPrefix: string): SafeHtml {
  const buttons = data.factors.filter((f) => f !== except && f !== 'PASSWORD');
  const password = data.factors.includes('PASSWORD') && except !== 'PASSWORD';
  return html`${buttons.length ? html`<form method="post" action="${data.action}" id="${idPrefix}factor-form" class="factors">
    ${csrfField(ctx)}${returnToField(data.returnTo)}
    ${buttons.map((f) => html`<button type="submit" name="factor" value="${f}" id="${idPrefix}${FACTOR_IDS[f] ?? f}"
      class="${idPrefix ? 'secondary' : ''}">${FACTOR_LABELS[f] ?? f}</button>`)}
  </form>` : ''}
  ${password && buttons.length ? html`<p class="or">or your password</p>` : ''}
  ${password ? html`<form method="post" action="${data.action}" id="${idPrefix}factor-password-form" class="narrow-form">
    ${csrfField(ctx)}${returnToField(data.returnTo)}
    <input type="hidden" name="factor" value="PASSWORD">
    ${data.username ? html`<input type="text" autocomplete="username" value="${data.username}" hidden readonly>` : ''}
    <label for="${idPrefix}password">Password</label>
    <input type="password" id="${idPrefix}password" name="password" autocomplete="current-password" maxlength="256" required>
    <button type="submit" class="${idPrefix ? 'secondary' : ''}">Sign in with the password</button>
  </form>` : ''}`;
}

function startAgain(): SafeHtml {
  return html`<p class="muted"><a href="${PASSWORDLESS_PATH}" id="start-again">Start again</a></p>`;
}

function signingInAs(username: string | undefined): SafeHtml {
  return username ? html`<p class="muted">Signing in as <strong id="step-username">${username}</strong>.</p>` : html``;
}

/** SELECT_CHALLENGE: the ways in Cognito offers this account, and only those. */
export function chooseFactorPage(ctx: PageContext, data: UserAuthStepData): SafeHtml {
  return layout(ctx, 'How do you want to sign in?', html`<section class="card narrow">
  <h1>How do you want to sign in?</h1>
  ${signingInAs(data.username)}
  ${errorBox(data.error)}
  ${factorForms(ctx, data, undefined, '')}
  ${startAgain()}
</section>`);
}

/** Input of {@link codePage}. */
export interface CodePageData extends UserAuthStepData {
  channel: 'EMAIL' | 'SMS';
  /** Where the code went, masked by Cognito (`a***@e***`, `+*******0104`). */
  destination?: string | undefined;
  /** A first factor: a new code, or another way in, may be asked for (not so for e-mail MFA after a password). */
  firstFactor: boolean;
}

/** EMAIL_OTP / SMS_OTP: the code, where it went, a new one, another way in. */
export function codePage(ctx: PageContext, data: CodePageData): SafeHtml {
  const email = data.channel === 'EMAIL';
  const challenge = email ? 'EMAIL_OTP' : 'SMS_OTP';
  const others = data.factors.filter((f) => f !== challenge);
  return layout(ctx, email ? 'E-mail code' : 'Text message code', html`<section class="card narrow">
  <h1>${email ? 'Enter the code we e-mailed you' : 'Enter the code we texted you'}</h1>
  ${noticeBox(data.notice, 'code-notice')}
  ${errorBox(data.error)}
  <p class="muted" id="code-destination">${data.destination
    ? html`We sent a code to <strong>${data.destination}</strong>.`
    : email ? 'We sent a code to your e-mail address.' : 'We sent a code to your phone.'} It works once, for a few minutes.</p>
  <form method="post" action="${data.action}" id="code-form">
    ${csrfField(ctx)}${returnToField(data.returnTo)}
    <label for="code">${email ? 'Code from the e-mail' : 'Code from the text message'}</label>
    <input type="text" id="code" name="code" inputmode="numeric" pattern="[0-9 ]{6,9}" maxlength="9" autocomplete="one-time-code"
      required autofocus>
    <button type="submit">Sign in</button>
  </form>
  ${data.firstFactor ? html`<form method="post" action="${data.action}" id="resend-form" class="inline">
    ${csrfField(ctx)}${returnToField(data.returnTo)}
    <input type="hidden" name="resend" value="1">
    <button type="submit" class="link" id="resend">Send a new code</button>
  </form>
  ${others.length ? html`<h2>Use another way</h2>${factorForms(ctx, data, challenge, 'other-')}` : ''}
  ${startAgain()}` : html`<p class="muted"><a href="/login">Start again</a></p>`}
</section>`);
}

/** Input of {@link passkeySignInPage}. */
export interface PasskeySignInPageData extends UserAuthStepData {
  /** WEB_AUTHN's options for `navigator.credentials.get()`. */
  requestOptions: Record<string, unknown>;
  localhostUrl?: string | undefined;
}

/**
 * WEB_AUTHN: the package's script reads the options from `data-request-options`, asks the browser
 * for the passkey and posts the assertion in the hidden `credential` field; the app's script starts
 * that as the page opens (`data-autostart`), the button again.
 */
export function passkeySignInPage(ctx: PageContext, data: PasskeySignInPageData): SafeHtml {
  return layout(ctx, 'Sign in with a passkey', html`<section class="card narrow">
  <h1>Sign in with your passkey</h1>
  ${signingInAs(data.username)}
  ${errorBox(data.error)}
  ${passkeyOriginNotice(data.localhostUrl)}
  <p class="muted">Your browser asks for the passkey: confirm with your fingerprint, face, screen lock or security key.</p>
  <form method="post" action="${data.action}" id="passkey-form" data-passkey-sign-in data-autostart
    data-request-options="${JSON.stringify(data.requestOptions)}">
    ${csrfField(ctx)}${returnToField(data.returnTo)}
    <input type="hidden" name="credential">
    <button type="submit" id="passkey-button">Use my passkey</button>
  </form>
  <p class="error" role="alert" id="passkey-error" hidden></p>
  <p class="hint">Closed the browser's window, or nothing happened? Press the button to ask again.</p>
  ${data.factors.some((f) => f !== 'WEB_AUTHN') ? html`<h2>Use another way</h2>${factorForms(ctx, data, 'WEB_AUTHN', 'other-')}` : ''}
  ${startAgain()}
</section>
${scripts()}`);
}

/** One passkey of the list, as the Security page shows it. */
export interface PasskeyRow {
  credentialId: string;
  friendlyName?: string | undefined;
  createdAt?: Date | undefined;
  authenticatorAttachment?: string | undefined;
}

/** Input of {@link passkeysSection}. */
export interface PasskeysSectionData {
  /** The user's passkeys, or `undefined` when Cognito could not be asked. */
  passkeys: readonly PasskeyRow[] | undefined;
  notice?: string | undefined;
  error?: string | undefined;
  /** The Security page at `http://localhost:<port>`, when it is open on an IP address. */
  localhostUrl?: string | undefined;
}

function attachmentOf(value: string | undefined): string {
  if (value === 'platform') return 'this device';
  if (value === 'cross-platform') return 'security key or phone';
  return 'not said';
}

/** The Security page's passkeys: the list with delete buttons, and "Add a passkey". */
export function passkeysSection(ctx: PageContext, data: PasskeysSectionData): SafeHtml {
  const list = data.passkeys === undefined
    ? html`<p class="muted">Your passkeys cannot be read right now.</p>`
    : data.passkeys.length === 0
      ? html`<p class="muted" id="no-passkeys">No passkeys yet.</p>`
      : html`<table class="passkeys" id="passkey-list">
    <tr><th>Name</th><th>Created</th><th>Kind</th><th><span class="visually-hidden">Delete</span></th></tr>
    ${data.passkeys.map((p) => html`<tr class="passkey">
      <td class="passkey-name">${p.friendlyName ?? 'Passkey'}</td>
      <td>${p.createdAt ? html`<span class="nowrap">${p.createdAt.toISOString().slice(0, 10)}</span> ${p.createdAt.toISOString().slice(11, 16)} UTC` : ''}</td>
      <td>${attachmentOf(p.authenticatorAttachment)}</td>
      <td><form method="post" action="${PASSKEYS_PATH}/delete" class="inline">
        ${csrfField(ctx)}<input type="hidden" name="credentialId" value="${p.credentialId}">
        <button type="submit" class="link danger-link">Delete</button>
      </form></td>
    </tr>`)}
  </table>`;
  return html`<section class="card narrow" id="passkeys-section">
  <h2>Passkeys</h2>
  ${noticeBox(data.notice, 'passkeys-notice')}
  ${errorBox(data.error)}
  <p class="muted">A passkey signs you in on the <a href="${PASSWORDLESS_PATH}">passwordless page</a> with no password and no code:
    your device checks your fingerprint, face or screen lock, and the private key never leaves it.</p>
  ${list}
  ${passkeyOriginNotice(data.localhostUrl)}
  <button type="button" id="add-passkey" data-passkey-register data-passkeys-path="${PASSKEYS_PATH}" data-csrf-token="${ctx.csrfToken}"
    >Add a passkey</button>
  <p class="error" role="alert" id="passkey-error" hidden></p>
  <p class="hint">Adding one needs a sign-in within the last 5 minutes: if yours is older, log out and in again first.</p>
</section>
${scripts()}`;
}
