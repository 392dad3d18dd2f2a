/**
 * The hosted UI's sign-up and forgotten-password pages, linked from its sign-in form: sign up →
 * the code from the outbox → signed in and back to the app; forgot → code → new password → the
 * sign-in form; and their refusals (wrong code, weak password, no CSRF token, expired login).
 */
import assert from 'node:assert/strict';
import { startEmulator, type Emulator } from '../../lib/emulator';
import { decodeJwt } from '../../lib/emulator/jwt';

const CALLBACK = 'http://127.0.0.1:3000/callback';

class Browser {
  private readonly jar = new Map<string, string>();
  async go(url: string, init: RequestInit = {}): Promise<Response> {
    const cookie = [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(url, { ...init, redirect: 'manual', headers: { ...(init.headers as Record<string, string>), ...(cookie ? { cookie } : {}) } });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair.indexOf('=');
      if (/Max-Age=0/.test(line)) this.jar.delete(pair.slice(0, eq));
      else this.jar.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
    return res;
  }
  post(url: string, fields: Record<string, string>): Promise<Response> {
    return this.go(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() });
  }
}

function hiddenFields(html: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) out[m[1]] = m[2];
  return out;
}

describe('emulator: hosted UI sign-up and forgotten password', function () {
  let emulator: Emulator;
  let base: string;
  let clientId: string;
  let secretClientId: string;

  before(async () => {
    emulator = await startEmulator();
    const settings = {
      CallbackURLs: [CALLBACK], AllowedOAuthFlows: ['code'], AllowedOAuthScopes: ['openid', 'email'], AllowedOAuthFlowsUserPoolClient: true,
    };
    const { pools } = await emulator.seed({ pools: [{
      name: 'self', domain: 'self-service', settings: { AutoVerifiedAttributes: ['email'] },
      clients: [{ name: 'web', settings }, { name: 'secret', generateSecret: true, settings }],
      users: [{ username: 'ann', password: 'Passw0rd!', attributes: { email: 'ann@example.com', email_verified: 'true' } }],
    }] });
    clientId = pools.self.clients.web.clientId;
    secretClientId = pools.self.clients.secret.clientId;
    base = `${emulator.endpoint}/domain/self-service`;
  });
  after(() => emulator.stop());

  /** authorize → the sign-in page; returns its HTML and hidden fields. */
  async function signInPage(browser: Browser, client = clientId): Promise<{ html: string; fields: Record<string, string> }> {
    const q = new URLSearchParams({ response_type: 'code', client_id: client, redirect_uri: CALLBACK, state: 'st' });
    const first = await browser.go(`${base}/oauth2/authorize?${q.toString()}`);
    const page = await browser.go(new URL(first.headers.get('location')!, base).toString());
    const html = await page.text();
    return { html, fields: hiddenFields(html) };
  }

  for (const which of ['a public client', 'a client with a secret'] as const) {
    it(`sign up → confirm with the e-mailed code → signed in and back at the app (${which})`, async () => {
      const browser = new Browser();
      const { html, fields } = await signInPage(browser, which === 'a public client' ? clientId : secretClientId);
      assert.match(html, /Need an account\? Sign up/);
      const username = which === 'a public client' ? 'newbie' : 'newbie2';
      const signup = await browser.go(`${base}/signup?login_id=${fields.login_id}`);
      assert.equal(signup.status, 200);
      const confirm = await browser.post(`${base}/signup`, { ...hiddenFields(await signup.text()), username, email: `${username}@example.com`, password: 'Passw0rd!' });
      assert.equal(confirm.status, 200);
      const confirmHtml = await confirm.text();
      assert.match(confirmHtml, /We sent a code to/);
      const code = emulator.outbox({ username, purpose: 'SIGN_UP' }).at(-1)!.code!;
      const wrong = await browser.post(`${base}/confirmUser`, { ...hiddenFields(confirmHtml), code: code === '000000' ? '111111' : '000000' });
      assert.equal(wrong.status, 400);
      const done = await browser.post(`${base}/confirmUser`, { ...hiddenFields(await wrong.text()), code });
      assert.equal(done.status, 302);
      const back = new URL(done.headers.get('location')!);
      assert.equal(back.origin + back.pathname, CALLBACK);
      assert.equal(back.searchParams.get('state'), 'st');
      // The public client exchanges its code without a secret (the other's needs it: not the point here).
      if (which === 'a public client') {
        const tokens = await fetch(`${base}/oauth2/token`, {
          method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ grant_type: 'authorization_code', client_id: clientId, code: back.searchParams.get('code')!, redirect_uri: CALLBACK }).toString(),
        });
        const id = decodeJwt(((await tokens.json()) as { id_token: string }).id_token)!.payload;
        assert.equal(id['cognito:username'], username);
        assert.equal(id.email_verified, true);
      }
    });
  }

  it('sign-up refusals: a weak password (Cognito\'s message), a taken username, no CSRF token', async () => {
    const browser = new Browser();
    const { fields } = await signInPage(browser);
    const weak = await browser.post(`${base}/signup`, { ...fields, username: 'weakling', email: 'w@example.com', password: 'short' });
    assert.equal(weak.status, 400);
    const weakHtml = await weak.text();
    assert.match(weakHtml, /Password did not conform with policy/);
    assert.ok(!weakHtml.includes('value="short"'), 'the password is not echoed');
    const taken = await browser.post(`${base}/signup`, { ...fields, username: 'ann', email: 'x@example.com', password: 'Passw0rd!' });
    assert.equal(taken.status, 400);
    const noCsrf = await browser.post(`${base}/signup`, { login_id: fields.login_id, username: 'x', password: 'Passw0rd!' });
    assert.equal(noCsrf.status, 403);
    const expired = await browser.go(`${base}/signup?login_id=made-up`);
    assert.equal(expired.status, 400);
  });

  it('forgot → the code → a new password → the sign-in form says so, and the new password signs in', async () => {
    const browser = new Browser();
    const { html, fields } = await signInPage(browser);
    assert.match(html, /Forgot your password\?/);
    const forgot = await browser.post(`${base}/forgotPassword`, { ...fields, username: 'ann' });
    assert.equal(forgot.status, 200);
    const resetHtml = await forgot.text();
    const code = emulator.outbox({ username: 'ann', purpose: 'FORGOT_PASSWORD' }).at(-1)!.code!;
    const weak = await browser.post(`${base}/confirmForgotPassword`, { ...hiddenFields(resetHtml), code, password: 'weak' });
    assert.equal(weak.status, 400);
    const reset = await browser.post(`${base}/confirmForgotPassword`, { ...hiddenFields(await weak.text()), code, password: 'N3w-Passw0rd!' });
    assert.equal(reset.status, 302);
    const login = await browser.go(new URL(reset.headers.get('location')!, base).toString());
    const loginHtml = await login.text();
    assert.match(loginHtml, /Your password has been changed/);
    const signedIn = await browser.post(`${base}/login`, { ...hiddenFields(loginHtml), username: 'ann', password: 'N3w-Passw0rd!' });
    assert.equal(signedIn.status, 302);
    assert.ok(signedIn.headers.get('location')!.startsWith(`${CALLBACK}?code=`));
  });

  it('the notice on the sign-in form is chosen by key: text in the query is never shown', async () => {
    const browser = new Browser();
    const { fields } = await signInPage(browser);
    const page = await browser.go(`${base}/login?login_id=${fields.login_id}&notice=${encodeURIComponent('<b>Call +1 555</b>')}`);
    const html = await page.text();
    assert.ok(!html.includes('Call +1 555'));
  });
});
