/**
 * Federated sign-in through the hosted UI, offline: one pool of the emulator is the OIDC identity
 * provider of another. The browser goes app pool → upstream pool's hosted form → back through
 * /oauth2/idpresponse → the app's callback; the app pool's user is `Upstream_<sub>` with the mapped
 * attributes, `identities` and the `<poolId>_Upstream` group.
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
}

function hiddenFields(html: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) out[m[1]] = m[2];
  return out;
}

describe('emulator: federated sign-in through an OIDC identity provider (another pool)', function () {
  let emulator: Emulator;
  let appBase: string;
  let appPoolId: string;
  let webId: string;
  let upstreamSub: string;

  before(async () => {
    emulator = await startEmulator();
    const upstream = (await emulator.seed({ pools: [{
      name: 'upstream',
      domain: 'upstream-idp',
      clients: [{ name: 'federation', generateSecret: true, settings: {
        CallbackURLs: [`${emulator.endpoint}/domain/app-pool/oauth2/idpresponse`], AllowedOAuthFlows: ['code'],
        AllowedOAuthScopes: ['openid', 'email', 'profile'], AllowedOAuthFlowsUserPoolClient: true,
      } }],
      users: [{ username: 'fed', password: 'Passw0rd!', attributes: { email: 'fed@upstream.example', email_verified: 'true', name: 'Fed' } }],
    }] })).pools.upstream;
    upstreamSub = upstream.users.fed.sub;
    const app = (await emulator.seed({ pools: [{
      name: 'app',
      domain: 'app-pool',
      identityProviders: [
        {
          name: 'Upstream', type: 'OIDC', identifiers: ['upstream.example'],
          details: {
            client_id: upstream.clients.federation.clientId, client_secret: upstream.clients.federation.clientSecret!,
            attributes_request_method: 'GET', oidc_issuer: emulator.issuer(upstream.poolId), authorize_scopes: 'openid email profile',
          },
          attributeMapping: { email: 'email', name: 'name' },
        },
        {
          name: 'Faraway', type: 'OIDC',
          details: { client_id: 'x', attributes_request_method: 'GET', oidc_issuer: 'https://accounts.example.com', authorize_scopes: 'openid' },
        },
      ],
      clients: [{ name: 'web', settings: {
        CallbackURLs: [CALLBACK], AllowedOAuthFlows: ['code'], AllowedOAuthScopes: ['openid', 'email', 'profile'],
        AllowedOAuthFlowsUserPoolClient: true, SupportedIdentityProviders: ['COGNITO', 'Upstream', 'Faraway'],
      } }],
    }] })).pools.app;
    appPoolId = app.poolId;
    webId = app.clients.web.clientId;
    appBase = `${emulator.endpoint}/domain/app-pool`;
  });
  after(() => emulator.stop());

  const authorize = (extra: Record<string, string>): string =>
    `${appBase}/oauth2/authorize?${new URLSearchParams({ response_type: 'code', client_id: webId, redirect_uri: CALLBACK, state: 'app-state', ...extra }).toString()}`;

  /** Follows redirects through both pools, signing in on the upstream form; returns the app callback URL. */
  async function federate(browser: Browser, start: string): Promise<URL> {
    let res = await browser.go(start);
    for (let hops = 0; hops < 10; hops++) {
      const location = res.headers.get('location');
      if (res.status === 200) {
        const fields = hiddenFields(await res.text());
        res = await browser.go(`${emulator.endpoint}/domain/upstream-idp/login`, {
          method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ ...fields, username: 'fed', password: 'Passw0rd!' }).toString(),
        });
        continue;
      }
      assert.equal(res.status, 302, `unexpected ${res.status}: ${await res.text()}`);
      const url = new URL(location!, emulator.endpoint);
      if (url.origin + url.pathname === CALLBACK) return url;
      res = await browser.go(url.toString());
    }
    throw new Error('too many redirects');
  }

  async function exchange(code: string): Promise<Record<string, unknown>> {
    const res = await fetch(`${appBase}/oauth2/token`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', client_id: webId, code, redirect_uri: CALLBACK }).toString(),
    });
    assert.equal(res.status, 200);
    return (await res.json()) as Record<string, unknown>;
  }

  it('signs in through the upstream pool: <Provider>_<sub>, identities, mapped attributes, the provider group', async () => {
    const back = await federate(new Browser(), authorize({ identity_provider: 'Upstream', nonce: 'app-nonce' }));
    assert.equal(back.searchParams.get('state'), 'app-state');
    const tokens = await exchange(back.searchParams.get('code')!);
    const id = decodeJwt(tokens.id_token as string)!.payload;
    assert.equal(id['cognito:username'], `Upstream_${upstreamSub}`);
    assert.equal(id.email, 'fed@upstream.example');
    assert.equal(id.name, 'Fed');
    assert.equal(id.nonce, 'app-nonce');
    assert.deepEqual(id['cognito:groups'], [`${appPoolId}_Upstream`]);
    const identities = id.identities as Array<Record<string, unknown>>;
    assert.ok(Array.isArray(identities));
    assert.deepEqual([identities[0].userId, identities[0].providerName, identities[0].providerType, identities[0].primary],
      [upstreamSub, 'Upstream', 'OIDC', true]);
    assert.equal(id.iss, emulator.issuer(appPoolId));
  });

  it('idp_identifier picks the provider; a second sign-in is the same user', async () => {
    const back = await federate(new Browser(), authorize({ idp_identifier: 'upstream.example' }));
    const first = decodeJwt((await exchange(back.searchParams.get('code')!)).id_token as string)!.payload;
    const again = await federate(new Browser(), authorize({ identity_provider: 'Upstream' }));
    const second = decodeJwt((await exchange(again.searchParams.get('code')!)).id_token as string)!.payload;
    assert.equal(first.sub, second.sub);
  });

  it('the hosted sign-in page offers the client\'s providers', async () => {
    const browser = new Browser();
    const first = await browser.go(authorize({}));
    const page = await (await browser.go(new URL(first.headers.get('location')!, emulator.endpoint).toString())).text();
    assert.match(page, /Sign in with Upstream/);
    const href = /href="([^"]*identity_provider=Upstream[^"]*)"/.exec(page)![1].replace(/&#38;/g, '&');
    const back = await federate(browser, new URL(href, emulator.endpoint).toString());
    assert.equal(back.searchParams.get('state'), 'app-state');
  });

  it('refuses: a provider off loopback, an unsupported provider, an unknown state, the provider\'s error', async () => {
    const far = await fetch(authorize({ identity_provider: 'Faraway' }), { redirect: 'manual' });
    assert.equal(far.status, 400);
    assert.match(await far.text(), /only with identity providers on loopback/);
    const unsupported = await fetch(authorize({ identity_provider: 'Nope' }), { redirect: 'manual' });
    assert.equal(unsupported.status, 302);
    assert.equal(new URL(unsupported.headers.get('location')!).searchParams.get('error'), 'invalid_request');
    const unknown = await fetch(`${appBase}/oauth2/idpresponse?code=x&state=made-up`, { redirect: 'manual' });
    assert.equal(unknown.status, 400);
    const browser = new Browser();
    const toUpstream = await browser.go(authorize({ identity_provider: 'Upstream' }));
    const state = new URL(toUpstream.headers.get('location')!).searchParams.get('state')!;
    const denied = await browser.go(`${appBase}/oauth2/idpresponse?error=access_denied&state=${state}`);
    assert.equal(denied.status, 302);
    const url = new URL(denied.headers.get('location')!);
    assert.deepEqual([url.searchParams.get('error'), url.searchParams.get('state')], ['access_denied', 'app-state']);
    const reused = await browser.go(`${appBase}/oauth2/idpresponse?code=x&state=${state}`);
    assert.equal(reused.status, 400, 'a state is used once');
  });
});
