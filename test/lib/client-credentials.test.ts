// clientCredentials() over real HTTP against the emulator's /oauth2/token: discovery, the cache,
// single flight, refresh by the clock, and every failure as a typed error that quotes no secret.
import { strict as assert } from 'node:assert';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { format } from 'node:util';
import createDebug from 'debug';
import { clientCredentials, type ClientCredentialsOptions } from '../../lib/client-credentials';
import { isCognitoError, ThrottledError } from '../../lib/errors';
import { TokenVerifier } from '../../lib/token-verifier';
import { startEmulator, type Emulator } from '../../lib/emulator';

const HOUR_MS = 3600_000;

/** A `fetch` that counts what it sends, by method and path, and can be made to fail. */
function countingFetch(): { fetch: typeof fetch; calls: string[]; tokenCalls: () => number; failing: { on: boolean } } {
  const calls: string[] = [];
  const failing = { on: false };
  const counted: typeof fetch = async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : input.toString());
    calls.push(`${init?.method ?? 'GET'} ${url.pathname}`);
    if (failing.on) throw new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) });
    return fetch(input, init);
  };
  return { fetch: counted, calls, failing, tokenCalls: () => calls.filter((c) => c.endsWith('/oauth2/token')).length };
}

/** A local server answering every request with `answer` (or never, when it is undefined). */
async function stubServer(answer?: (res: ServerResponse) => void): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer((req, res) => {
    req.resume();
    if (answer !== undefined) answer(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

async function rejectsWith(promise: Promise<unknown>, code: string, status: number, secrets: string[]): Promise<Error> {
  const err = await promise.then(() => assert.fail('expected a refusal'), (e: unknown) => e);
  assert.ok(isCognitoError(err), `not a CognitoError: ${String(err)}`);
  assert.equal(err.code, code, err.message);
  assert.equal(err.status, status);
  const seen = format('%s %O', err.message, err);
  for (const secret of secrets) assert.ok(!seen.includes(secret), 'a secret or token leaked into the error');
  return err;
}

describe('lib/client-credentials', function () {
  let emulator: Emulator;
  let poolId: string;
  let m2mId: string;
  let m2mSecret: string;
  let webId: string;
  let webSecret: string;
  let bareId: string;
  let bareSecret: string;
  let bareSecretClient: string;
  let tokenEndpoint: string;

  before(async function () {
    emulator = await startEmulator();
    const oauth = { AllowedOAuthFlows: ['client_credentials'], AllowedOAuthScopes: ['orders/read'], AllowedOAuthFlowsUserPoolClient: true };
    const { pools } = await emulator.seed({ pools: [
      {
        name: 'm2m',
        domain: 'cc-test',
        resourceServers: [{ identifier: 'orders', name: 'Orders', scopes: [{ name: 'read', description: 'Read' }, { name: 'write', description: 'Write' }] }],
        clients: [
          { name: 'm2m', generateSecret: true, settings: oauth },
          { name: 'web', generateSecret: true, settings: { AllowedOAuthFlows: ['code'], AllowedOAuthScopes: ['openid'], AllowedOAuthFlowsUserPoolClient: true, CallbackURLs: ['http://127.0.0.1/cb'] } },
        ],
      },
      { name: 'bare', clients: [{ name: 'm2m', generateSecret: true }] },
    ] });
    poolId = pools.m2m.poolId;
    m2mId = pools.m2m.clients.m2m.clientId;
    m2mSecret = pools.m2m.clients.m2m.clientSecret!;
    webId = pools.m2m.clients.web.clientId;
    webSecret = pools.m2m.clients.web.clientSecret!;
    bareId = pools.bare.poolId;
    bareSecretClient = pools.bare.clients.m2m.clientId;
    bareSecret = pools.bare.clients.m2m.clientSecret!;
    tokenEndpoint = `${emulator.endpoint}/domain/cc-test/oauth2/token`;
  });
  after(() => emulator.stop());

  const options = (extra: Partial<ClientCredentialsOptions> = {}): ClientCredentialsOptions => ({
    userPoolId: poolId, clientId: m2mId, clientSecret: m2mSecret, endpoint: emulator.endpoint,
    clock: () => emulator.clock.now(), scopes: ['orders/read'], ...extra,
  });

  describe('construction', function () {
    it('refuses a missing secret, empty or malformed scopes and a bad tokenEndpoint with a TypeError, and makes no request', function () {
      const counter = countingFetch();
      const { clientSecret: _omitted, ...noSecret } = options();
      assert.throws(() => clientCredentials({ ...noSecret, fetch: counter.fetch }), (e: unknown) => e instanceof TypeError && /"clientSecret" is required/.test(e.message));
      assert.throws(() => clientCredentials(options({ scopes: [] })), /"scopes" must be a non-empty array/);
      assert.throws(() => clientCredentials(options({ scopes: ['orders/read write'] })), /"scopes"/);
      assert.throws(() => clientCredentials({ ...options(), scopes: undefined as unknown as string[] }), /"scopes"/);
      assert.throws(() => clientCredentials(options({ tokenEndpoint: 'ftp://example.com/token' })), /"tokenEndpoint"/);
      assert.throws(() => clientCredentials(options({ tokenEndpoint: 'http://example.com/oauth2/token', endpoint: undefined })), /"tokenEndpoint"/);
      assert.throws(() => clientCredentials(options({ fetch: 'nope' as unknown as typeof fetch })), /"fetch" must be a function/);
      clientCredentials(options({ fetch: counter.fetch }));
      assert.deepEqual(counter.calls, []);
    });
  });

  describe('fetching and caching', function () {
    it('discovers the token endpoint once, fetches a token the pool\'s verifier accepts, and caches it', async function () {
      const counter = countingFetch();
      const m2m = clientCredentials(options({ fetch: counter.fetch }));
      const now = emulator.clock.now();
      const info = await m2m.getTokenInfo();
      assert.deepEqual(counter.calls, [`GET /${poolId}/.well-known/openid-configuration`, 'POST /domain/cc-test/oauth2/token']);
      assert.deepEqual(info.scopes, ['orders/read']);
      assert.ok(Math.abs(info.expiresAt - (now + HOUR_MS)) < 5_000, `expiresAt ${info.expiresAt - now} ms from now`);
      const verifier = new TokenVerifier({ ...options(), clientId: m2mId });
      const claims = await verifier.verify(info.accessToken, 'access');
      assert.deepEqual([claims.sub, claims.client_id, claims.scope, claims.username], [m2mId, m2mId, 'orders/read', undefined]);

      assert.equal(await m2m.getToken(), info.accessToken);
      emulator.clock.advance(HOUR_MS / 2);
      assert.equal(await m2m.getToken(), info.accessToken);
      assert.equal(counter.tokenCalls(), 1);
      assert.equal(counter.calls.length, 2);
    });

    it('shares one request between 10 concurrent callers', async function () {
      const counter = countingFetch();
      const m2m = clientCredentials(options({ fetch: counter.fetch, tokenEndpoint }));
      const tokens = await Promise.all(Array.from({ length: 10 }, () => m2m.getToken()));
      assert.equal(new Set(tokens).size, 1);
      assert.deepEqual(counter.calls, ['POST /domain/cc-test/oauth2/token']);
    });

    it('refreshes once the clock passes 80 % of the lifetime, not before', async function () {
      const counter = countingFetch();
      const m2m = clientCredentials(options({ fetch: counter.fetch, tokenEndpoint }));
      const first = await m2m.getToken();
      emulator.clock.advance(0.8 * HOUR_MS - 60_000);
      assert.equal(await m2m.getToken(), first);
      assert.equal(counter.tokenCalls(), 1);
      emulator.clock.advance(61_000);
      const second = await m2m.getToken();
      assert.notEqual(second, first);
      assert.equal(counter.tokenCalls(), 2);
      assert.equal(await m2m.getToken(), second);
      assert.equal(counter.tokenCalls(), 2);
    });

    it('keeps the held token when a refresh fails before it expires, retries 10 s later, and fails once it has expired', async function () {
      const counter = countingFetch();
      const m2m = clientCredentials(options({ fetch: counter.fetch, tokenEndpoint }));
      const first = await m2m.getToken();
      emulator.clock.advance(0.9 * HOUR_MS);
      counter.failing.on = true;
      assert.equal(await m2m.getToken(), first);
      assert.equal(await m2m.getToken(), first);
      assert.equal(counter.tokenCalls(), 1 + 1, 'no new attempt within 10 s');
      emulator.clock.advance(11_000);
      assert.equal(await m2m.getToken(), first);
      assert.equal(counter.tokenCalls(), 3);
      emulator.clock.advance(0.1 * HOUR_MS);
      await rejectsWith(m2m.getToken(), 'ERR_COGNITO_UNAVAILABLE', 503, [m2mSecret, first]);
      counter.failing.on = false;
      assert.notEqual(await m2m.getToken(), first);
    });

    it('invalidate() makes the next call fetch a new token', async function () {
      const counter = countingFetch();
      const m2m = clientCredentials(options({ fetch: counter.fetch, tokenEndpoint }));
      const first = await m2m.getToken();
      m2m.invalidate();
      const second = await m2m.getToken();
      assert.notEqual(second, first);
      assert.equal(counter.tokenCalls(), 2);
    });

    it('reports the scopes granted: Cognito drops the ones the client may not have', async function () {
      const m2m = clientCredentials(options({ tokenEndpoint, scopes: ['orders/read', 'orders/write'] }));
      assert.deepEqual((await m2m.getTokenInfo()).scopes, ['orders/read']);
    });

    it('uses the global fetch by default', async function () {
      const m2m = clientCredentials(options());
      assert.match(await m2m.getToken(), /^[\w-]+\.[\w-]+\.[\w-]+$/);
    });
  });

  describe('failures', function () {
    it('a wrong secret is NotAuthorized (401) and quotes neither secret', async function () {
      const wrong = 'wrongSecretValue1234567890';
      await rejectsWith(clientCredentials(options({ clientSecret: wrong })).getToken(), 'ERR_COGNITO_NOT_AUTHORIZED', 401, [wrong, m2mSecret]);
      await rejectsWith(clientCredentials(options({ clientSecret: wrong, tokenEndpoint })).getToken(), 'ERR_COGNITO_NOT_AUTHORIZED', 401, [wrong]);
    });

    it('a client without the client_credentials flow is NotAuthorized (unauthorized_client)', async function () {
      const err = await rejectsWith(clientCredentials(options({ clientId: webId, clientSecret: webSecret, tokenEndpoint })).getToken(),
        'ERR_COGNITO_NOT_AUTHORIZED', 401, [webSecret]);
      assert.match(err.message, /unauthorized_client/);
    });

    it('a pool without a domain has no token_endpoint to discover: CognitoServiceError (502)', async function () {
      const bare = clientCredentials(options({ userPoolId: bareId, clientId: bareSecretClient, clientSecret: bareSecret }));
      const err = await rejectsWith(bare.getToken(), 'ERR_COGNITO_SERVICE', 502, [bareSecret]);
      assert.match(err.message, /token_endpoint/);
    });

    it('a failed discovery is not kept: the next call discovers again', async function () {
      const counter = countingFetch();
      const m2m = clientCredentials(options({ fetch: counter.fetch }));
      counter.failing.on = true;
      await rejectsWith(m2m.getToken(), 'ERR_COGNITO_UNAVAILABLE', 503, [m2mSecret]);
      counter.failing.on = false;
      await m2m.getToken();
      assert.deepEqual(counter.calls.filter((c) => c.startsWith('GET')).length, 2);
    });

    it('the emulator down is ServiceUnavailable (503), for discovery and for the token endpoint', async function () {
      const stub = await stubServer(() => undefined);
      await stub.close();
      const err = await rejectsWith(clientCredentials(options({ endpoint: stub.url })).getToken(), 'ERR_COGNITO_UNAVAILABLE', 503, [m2mSecret]);
      assert.match(err.message, /ECONNREFUSED/);
      await rejectsWith(clientCredentials(options({ tokenEndpoint: `${stub.url}/oauth2/token` })).getToken(), 'ERR_COGNITO_UNAVAILABLE', 503, [m2mSecret]);
    });

    it('a token endpoint that never answers times out after requestTimeoutMs: ServiceUnavailable (503)', async function () {
      const stub = await stubServer();
      try {
        const started = Date.now();
        const err = await rejectsWith(clientCredentials(options({ tokenEndpoint: `${stub.url}/oauth2/token`, requestTimeoutMs: 150 })).getToken(),
          'ERR_COGNITO_UNAVAILABLE', 503, [m2mSecret]);
        assert.match(err.message, /150 ms/);
        assert.ok(Date.now() - started < 5_000);
      } finally {
        await stub.close();
      }
    });

    it('5xx is ServiceUnavailable, 429 is Throttled with Retry-After, a malformed 200 is CognitoServiceError', async function () {
      const answers: Array<(res: ServerResponse) => void> = [
        (res) => res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"server_error"}'),
        (res) => res.writeHead(429, { 'retry-after': '7' }).end(),
        (res) => res.writeHead(200, { 'content-type': 'application/json' }).end(`{"access_token":"","expires_in":3600,"token_type":"Bearer","x":"${m2mSecret}"}`),
        (res) => res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":"invalid_scope","error_description":"scope orders/x"}'),
        (res) => res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":"made_up","error_description":"boom"}'),
      ];
      let next = 0;
      const stub = await stubServer((res) => answers[next++](res));
      try {
        const at = { tokenEndpoint: `${stub.url}/oauth2/token` };
        await rejectsWith(clientCredentials(options(at)).getToken(), 'ERR_COGNITO_UNAVAILABLE', 503, [m2mSecret]);
        const throttled = await rejectsWith(clientCredentials(options(at)).getToken(), 'ERR_COGNITO_THROTTLED', 429, [m2mSecret]);
        assert.equal((throttled as ThrottledError).retryAfterSeconds, 7);
        await rejectsWith(clientCredentials(options(at)).getToken(), 'ERR_COGNITO_SERVICE', 502, [m2mSecret]);
        assert.match((await rejectsWith(clientCredentials(options(at)).getToken(), 'ERR_COGNITO_SERVICE', 502, [])).message, /invalid_scope/);
        const other = await rejectsWith(clientCredentials(options(at)).getToken(), 'ERR_COGNITO_SERVICE', 502, []);
        assert.doesNotMatch(other.message, /made_up|boom/);
      } finally {
        await stub.close();
      }
    });

    it('logs no token and no secret to debug', async function () {
      const lines: string[] = [];
      const previousLog = createDebug.log;
      const previous = createDebug.disable();
      createDebug.enable('express-cognito:*');
      createDebug.log = (...args: unknown[]) => {
        lines.push(format(...args));
      };
      try {
        const counter = countingFetch();
        const m2m = clientCredentials(options({ fetch: counter.fetch }));
        const token = await m2m.getToken();
        emulator.clock.advance(0.9 * HOUR_MS);
        counter.failing.on = true;
        await m2m.getToken();
        await clientCredentials(options({ clientSecret: 'wrongSecretValue1234567890', tokenEndpoint })).getToken().catch(() => undefined);
        assert.ok(lines.some((l) => /token fetched/.test(l)), lines.join('\n'));
        assert.ok(lines.some((l) => /refresh failed/.test(l)), lines.join('\n'));
        for (const line of lines) {
          for (const secret of [token, m2mSecret, 'wrongSecretValue1234567890']) assert.ok(!line.includes(secret), line);
        }
      } finally {
        createDebug.log = previousLog;
        createDebug.disable();
        if (previous) createDebug.enable(previous);
      }
    });
  });
});
