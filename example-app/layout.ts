/**
 * What every page of the example app shares: the page frame (header, navigation, who is signed in),
 * the hidden CSRF field, the error and notice boxes, and the password rules shown above a new
 * password. Every interpolated value goes through the `html` tag, which escapes it.
 */
import type { PasswordPolicy } from 'express-cognito';
import { html, type HtmlValue, type SafeHtml } from './html';
import { describePasswordPolicy } from './password-policy';

/** What every page needs: the session's CSRF token, and who is signed in (for the header). */
export interface PageContext {
  csrfToken: string;
  username?: string | undefined;
  /** The signed-in user's groups: the navigation shows Admin to group `admin` only. */
  groups?: readonly string[] | undefined;
  appName: string;
  /** The app has a machine-to-machine client: the navigation shows its page to signed-in users. */
  m2m?: boolean | undefined;
}

// Only what this visitor may open: a signed-out visitor has nothing to do on Profile or Admin.
function nav(ctx: PageContext): SafeHtml {
  if (!ctx.username) return html`<nav><a href="/login">Log in</a><a href="/sign-up">Sign up</a></nav>`;
  return html`<nav><a href="/profile">Profile</a><a href="/mfa">Security</a>${
    ctx.groups?.includes('admin') ? html`<a href="/admin">Admin</a>` : ''
  }${ctx.m2m ? html`<a href="/m2m">M2M</a>` : ''}</nav>
  <span class="who">Signed in as <strong>${ctx.username}</strong></span>
  <form method="post" action="/logout">
    <input type="hidden" name="_csrf" value="${ctx.csrfToken}">
    <button type="submit" class="link">Log out</button>
  </form>`;
}

/**
 * The page frame: `<head>`, the header with the navigation, and `body` in `<main>`.
 *
 * @example
 * layout(ctx, 'Profile', html`<h1>Hello</h1>`);
 */
export function layout(ctx: PageContext, title: string, body: HtmlValue): SafeHtml {
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
  ${nav(ctx)}
</div></header>
<main>
${body}
</main>
</body>
</html>
`;
}

/** The hidden field `cognitoCsrf()` checks. */
export function csrfField(ctx: PageContext): SafeHtml {
  return html`<input type="hidden" name="_csrf" value="${ctx.csrfToken}">`;
}

/** What went wrong, announced to screen readers. */
export function errorBox(error: string | undefined, id?: string): SafeHtml {
  return error ? html`<p class="error" role="alert"${id ? html` id="${id}"` : ''}>${error}</p>` : html``;
}

/** What went right. */
export function noticeBox(message: string | undefined, id?: string): SafeHtml {
  return message ? html`<p class="notice" role="status"${id ? html` id="${id}"` : ''}>${message}</p>` : html``;
}

/** The rules of the pool's password policy, shown before the user types (inputs point at it with `aria-describedby`). */
export function passwordRules(policy: PasswordPolicy, id = 'password-rules'): SafeHtml {
  return html`<div class="rules" id="${id}"><span>Your password needs:</span>
    <ul>${describePasswordPolicy(policy).map((rule) => html`<li>${rule}</li>`)}</ul></div>`;
}

/** Input of {@link newPasswordFields}. */
export interface NewPasswordFieldsData {
  policy: PasswordPolicy;
  /** Name of the first field (`password` at sign-up, `newPassword` elsewhere). */
  name: string;
  label: string;
  autofocus?: boolean;
}

/**
 * A new password and its repetition (`confirmPassword`), with the policy's rules above them: the
 * browser's password manager offers a strong one (`autocomplete="new-password"`), and `minlength`
 * stops a too short one before it is sent.
 */
export function newPasswordFields(data: NewPasswordFieldsData): SafeHtml {
  const min = data.policy.minimumLength;
  return html`${passwordRules(data.policy)}
    <label for="${data.name}">${data.label}</label>
    <input type="password" id="${data.name}" name="${data.name}" autocomplete="new-password" minlength="${min}" maxlength="256"
      aria-describedby="password-rules" required${data.autofocus ? html` autofocus` : ''}>
    <label for="confirmPassword">Repeat the password</label>
    <input type="password" id="confirmPassword" name="confirmPassword" autocomplete="new-password" minlength="${min}" maxlength="256" required>`;
}

/** A six-digit code input: the phone's keyboard shows digits, and it offers a code from a text message. */
export function codeInput(label: string, autofocus = true): SafeHtml {
  return html`<label for="code">${label}</label>
    <input type="text" id="code" name="code" inputmode="numeric" pattern="[0-9]{3} ?[0-9]{3}" maxlength="7" autocomplete="one-time-code"
      required${autofocus ? html` autofocus` : ''}>`;
}

/**
 * A username input (the one a password manager fills); `autocomplete` is `username webauthn` where
 * the browser may offer a passkey's account too.
 */
export function usernameInput(value: string | undefined, autofocus = false, autocomplete = 'username'): SafeHtml {
  return html`<label for="username">Username</label>
    <input type="text" id="username" name="username" value="${value ?? ''}" autocomplete="${autocomplete}" autocapitalize="none"
      spellcheck="false" maxlength="128" required${autofocus ? html` autofocus` : ''}>`;
}
