/**
 * Lambda triggers on the hosted UI over real HTTP: the sign-in form runs PreAuthentication and
 * PostAuthentication once, the code exchange runs PreTokenGeneration once (TokenGeneration_HostedAuth,
 * with the granted scopes), a refresh runs it again (TokenGeneration_RefreshTokens), and refusals
 * come back as the form's error or an OAuth error.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { startEmulator, type Emulator, type TriggerFunction } from '../../lib/emulator';
import { claimsOf } from './helpers';

const CALLBACK = 'http://127.0.0.1:3000/callback';
const identity: TriggerFunction = (e: unknown) => e;

/** Cookies kept, redirects not followed. */
class Browser {
  private readonly jar = new Map<string, string>();
  async go(url: string, init: RequestInit = {}): Promise<Response> {
    const cookie = [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(url, { ...init, redirect: 'manual', headers: { ...(init.headers as Record<string, string>), ...(cookie ? { cookie } : {}) } });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair.indexOf('=');
      if (/Max-Age=0/.test(line) || pair.slice(eq + 1) === '') this.jar.delete(pair.slice(0, eq));
      else this.jar.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
    return res;
  }
}

describe('emulator: Lambda triggers on the hosted UI', () => {
  let emulator: Emulator;
  let base: string;
  let webId: string;
  const behaviour: { pre: TriggerFunction; token: TriggerFunction } = { pre: identity, token: identity };

  before(async () => {
    emulator = await startEmulator({
      triggerTimeoutMs: 50,
      triggers: {
        PreAuthentication: (e) => behaviour.pre(e),
        PostAuthentication: identity,
        PreTokenGeneration: { version: 'V2_0', handler: (e) => behaviour.token(e) },
      },
    });
    const { pools } = await emulator.seed({ pools: [{
      name: 'hosted', domain: 'triggers-hosted',
      clients: [{ name: 'web', settings: {
        CallbackURLs: [CALLBACK], AllowedOAuthFlows: ['code'], AllowedOAuthScopes: ['openid', 'email'], AllowedOAuthFlowsUserPoolClient: true,
        SupportedIdentityProviders: ['COGNITO'],
      } }],
      users: [{ username: 'ann', password: 'Passw0rd!', attributes: { email: 'ann@example.com', email_verified: 'true' } }],
    }] });
    webId = pools.hosted.clients.web.clientId;
    base = `${emulator.endpoint}/domain/triggers-hosted`;
  });
  after(() => emulator.stop());
  afterEach(() => {
    behaviour.pre = identity;
    behaviour.token = identity;
  });

  /** authorize → form → POST; the answer to the POST, and the PKCE verifier. */
  async function postLogin(): Promise<{ res: Response; verifier: string }> {
    const browser = new Browser();
    const verifier = randomBytes(32).toString('base64url');
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const query = new URLSearchParams({
      response_type: 'code', client_id: webId, redirect_uri: CALLBACK, scope: 'openid email', code_challenge: challenge, code_challenge_method: 'S256',
    });
    const first = await browser.go(`${base}/oauth2/authorize?${query.toString()}`);
    const page = await browser.go(new URL(first.headers.get('location')!, base).toString());
    const fields: Record<string, string> = {};
    for (const m of (await page.text()).matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) fields[m[1]] = m[2];
    const res = await browser.go(`${base}/login`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...fields, username: 'ann', password: 'Passw0rd!' }).toString(),
    });
    return { res, verifier };
  }
  const token = async (body: Record<string, string>): Promise<{ status: number; json: Record<string, unknown> }> => {
    const res = await fetch(`${base}/oauth2/token`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ client_id: webId, ...body }).toString(),
    });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  };
  const count = (): Record<string, number> => {
    const out: Record<string, number> = {};
    for (const i of emulator.triggerInvocations()) out[i.trigger] = (out[i.trigger] ?? 0) + 1;
    return out;
  };

  it('sign-in form: PreAuthentication and PostAuthentication once; the code exchange: PreTokenGeneration once, HostedAuth', async () => {
    behaviour.token = (e) => ({
      ...e,
      response: { claimsAndScopeOverrideDetails: { idTokenGeneration: { claimsToAddOrOverride: { via: 'hosted' } } } },
    });
    const before = count();
    const { res, verifier } = await postLogin();
    assert.equal(res.status, 302);
    const code = new URL(res.headers.get('location')!).searchParams.get('code')!;
    const after = count();
    assert.equal((after.PreAuthentication ?? 0) - (before.PreAuthentication ?? 0), 1);
    assert.equal((after.PostAuthentication ?? 0) - (before.PostAuthentication ?? 0), 1);
    assert.equal(after.PreTokenGeneration ?? 0, before.PreTokenGeneration ?? 0, 'the form\'s own (discarded) tokens run no trigger');
    const tokens = await token({ grant_type: 'authorization_code', code, redirect_uri: CALLBACK, code_verifier: verifier });
    assert.equal(tokens.status, 200);
    assert.equal(claimsOf(tokens.json.id_token as string).via, 'hosted');
    const call = emulator.triggerInvocations('PreTokenGeneration').at(-1)!;
    assert.equal(call.triggerSource, 'TokenGeneration_HostedAuth');
    assert.deepEqual((call.event.request as { scopes: string[] }).scopes, ['openid', 'email']);
    assert.equal(count().PreTokenGeneration, (before.PreTokenGeneration ?? 0) + 1);

    const refreshed = await token({ grant_type: 'refresh_token', refresh_token: tokens.json.refresh_token as string });
    assert.equal(refreshed.status, 200);
    assert.equal(emulator.triggerInvocations('PreTokenGeneration').at(-1)!.triggerSource, 'TokenGeneration_RefreshTokens');
    assert.equal(claimsOf(refreshed.json.id_token as string).via, 'hosted');
  });

  it('a refusing PreAuthentication: the form again, with the trigger\'s message', async () => {
    behaviour.pre = () => { throw new Error('closed for maintenance'); };
    const { res } = await postLogin();
    assert.equal(res.status, 400);
    assert.match(await res.text(), /PreAuthentication failed with error closed for maintenance\./);
  });

  it('a refusing PreTokenGeneration at the code exchange: 400 invalid_request with its message', async () => {
    const { res, verifier } = await postLogin();
    const code = new URL(res.headers.get('location')!).searchParams.get('code')!;
    behaviour.token = () => { throw new Error('no tokens today'); };
    const answer = await token({ grant_type: 'authorization_code', code, redirect_uri: CALLBACK, code_verifier: verifier });
    assert.equal(answer.status, 400);
    assert.deepEqual(answer.json, { error: 'invalid_request', error_description: 'PreTokenGeneration failed with error no tokens today.' });
  });
});
