/**
 * The hosted UI's pages: sign-in, each challenge step, and errors. Plain HTML forms with an inline
 * stylesheet and no script; every interpolated value is escaped.
 */
import { escapeHtml as e } from './http';

const STYLE = `body{font:16px/1.5 system-ui,sans-serif;background:#f2f3f3;margin:0;color:#16191f}
main{max-width:26rem;margin:3rem auto;background:#fff;padding:1.5rem 2rem;border-radius:8px;box-shadow:0 1px 4px #0002}
h1{font-size:1.3rem;margin:0 0 1rem}label{display:block;margin:.8rem 0 .2rem;font-weight:600}
input[type=text],input[type=password]{width:100%;box-sizing:border-box;padding:.55rem;border:1px solid #879596;border-radius:4px;font:inherit}
button{margin-top:1.2rem;width:100%;padding:.6rem;background:#0972d3;color:#fff;border:0;border-radius:4px;font:inherit;font-weight:600}
.error{background:#fde8e8;border-left:4px solid #d91515;padding:.5rem .8rem}.note{color:#545b64;font-size:.9rem}
code{word-break:break-all;background:#f2f3f3;padding:.1rem .3rem}.choice{font-weight:400}
.provider{display:block;text-align:center;padding:.55rem;border:1px solid #0972d3;border-radius:4px;color:#0972d3;font-weight:600;text-decoration:none}
@media (max-width:30rem){main{margin:0;border-radius:0;box-shadow:none}}`;

/** What every hosted page shows: the app client's name on top. */
export interface PageFrame {
  title: string;
  clientName: string;
}

function layout(frame: PageFrame, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(frame.title)} · ${e(frame.clientName)}</title><style>${STYLE}</style></head>
<body><main><p class="note">${e(frame.clientName)}</p><h1>${e(frame.title)}</h1>${body}</main></body></html>`;
}

function errorBox(error: string | undefined): string {
  return error ? `<p class="error" role="alert">${e(error)}</p>` : '';
}

function hidden(fields: Record<string, string>): string {
  return Object.entries(fields).map(([k, v]) => `<input type="hidden" name="${e(k)}" value="${e(v)}">`).join('');
}

/** The sign-in form. */
export function signInPage(
  frame: PageFrame,
  action: string,
  fields: Record<string, string>,
  data: {
    error?: string;
    notice?: string;
    username?: string;
    providers?: Array<{ name: string; href: string }>;
    links?: Array<{ href: string; text: string }>;
  },
): string {
  const links = (data.links ?? []).map((l) => `<p class="note"><a href="${e(l.href)}">${e(l.text)}</a></p>`).join('');
  const providers = (data.providers ?? []).map((p) => `<p><a class="provider" href="${e(p.href)}">Sign in with ${e(p.name)}</a></p>`).join('');
  const notice = data.notice ? `<p>${e(data.notice)}</p>` : '';
  return layout(frame, `${errorBox(data.error)}${notice}${providers}${providers ? '<p class="note">or</p>' : ''}<form method="post" action="${e(action)}">${hidden(fields)}
<label for="username">Username</label><input type="text" id="username" name="username" autocomplete="username" required value="${e(data.username ?? '')}">
<label for="password">Password</label><input type="password" id="password" name="password" autocomplete="current-password" required>
<button type="submit">Sign in</button></form>${links}`);
}

/** One challenge step. */
export function challengePage(
  frame: PageFrame,
  action: string,
  fields: Record<string, string>,
  step: { name: string; parameters: Record<string, string>; error?: string; secretCode?: string; otpauthUri?: string },
): string {
  const code = (label: string, digits = 6): string => `<label for="code">${e(label)}</label>
<input type="text" id="code" name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{${digits}}" maxlength="${digits}" required>`;
  let inner: string;
  switch (step.name) {
    case 'SOFTWARE_TOKEN_MFA':
      inner = code('Code from your authenticator app');
      break;
    case 'SMS_MFA':
      inner = `<p>We sent a code to ${e(step.parameters.CODE_DELIVERY_DESTINATION ?? 'your phone')}.</p>${code('Code')}`;
      break;
    case 'EMAIL_OTP':
      inner = `<p>We sent a code to ${e(step.parameters.CODE_DELIVERY_DESTINATION ?? 'your e-mail')}.</p>${code('Code', 8)}`;
      break;
    case 'NEW_PASSWORD_REQUIRED':
      inner = `<p>Choose a new password to replace your temporary one.</p>
<label for="newPassword">New password</label><input type="password" id="newPassword" name="newPassword" autocomplete="new-password" required>
<label for="confirmPassword">New password again</label><input type="password" id="confirmPassword" name="confirmPassword" autocomplete="new-password" required>`;
      break;
    case 'SELECT_MFA_TYPE': {
      const choices = JSON.parse(step.parameters.MFAS_CAN_CHOOSE ?? '[]') as string[];
      inner = choices.map((c, i) => `<label class="choice"><input type="radio" name="mfaType" value="${e(c)}"${i === 0 ? ' checked' : ''}>
 ${c === 'SMS_MFA' ? 'Text message' : c === 'EMAIL_OTP' ? 'E-mail' : 'Authenticator app'}</label>`).join('');
      break;
    }
    case 'MFA_SETUP':
      inner = `<p>Add this key to your authenticator app, then enter the code it shows.</p>
<p>Key: <code>${e(step.secretCode ?? '')}</code></p><p class="note">URI: <code>${e(step.otpauthUri ?? '')}</code></p>${code('Code')}`;
      break;
    default:
      inner = '';
  }
  const title = step.name === 'NEW_PASSWORD_REQUIRED' ? 'Change password' : step.name === 'MFA_SETUP' ? 'Set up MFA' : 'Verify it is you';
  return layout({ ...frame, title }, `${errorBox(step.error)}<form method="post" action="${e(action)}">${hidden(fields)}${inner}
<button type="submit">Continue</button></form>`);
}

/** One input of a {@link formPage}. */
export interface FormInput {
  name: string;
  label: string;
  type?: 'text' | 'password' | 'email';
  autocomplete?: string;
  value?: string;
  numeric?: boolean;
}

/** A form of the self-service pages (sign-up, confirmation, forgotten password). */
export function formPage(
  frame: PageFrame,
  action: string,
  fields: Record<string, string>,
  data: { error?: string; notice?: string; inputs: FormInput[]; button: string; links?: Array<{ href: string; text: string }> },
): string {
  const inputs = data.inputs.map((i) => `<label for="${e(i.name)}">${e(i.label)}</label><input type="${i.type ?? 'text'}" id="${e(i.name)}"`
    + ` name="${e(i.name)}"${i.autocomplete ? ` autocomplete="${e(i.autocomplete)}"` : ''}${i.numeric ? ' inputmode="numeric"' : ''}`
    + ` value="${e(i.value ?? '')}" required>`).join('');
  const links = (data.links ?? []).map((l) => `<p class="note"><a href="${e(l.href)}">${e(l.text)}</a></p>`).join('');
  const notice = data.notice ? `<p>${e(data.notice)}</p>` : '';
  return layout(frame, `${errorBox(data.error)}${notice}<form method="post" action="${e(action)}">${hidden(fields)}${inputs}
<button type="submit">${e(data.button)}</button></form>${links}`);
}

/** An error page (bad request to the hosted UI). */
export function errorPage(frame: PageFrame, error: string, message: string): string {
  return layout(frame, `<p class="error" role="alert">${e(message)}</p><p class="note">error: <code>${e(error)}</code></p>`);
}
