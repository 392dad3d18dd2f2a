// requireCognito({ scope }) and machine-to-machine access tokens (client_credentials, minted by the
// emulator's /oauth2/token through clientCredentials()), over real HTTP with supertest: accepted only
// as bearer tokens at a guard with a scope, every check still made, never in a session.
import { strict as assert } from 'node:assert';
import express from 'express';
import session from 'express-session';
import request from 'supertest';
import { clientCredentials } from '../../lib/client-credentials';
import { TokenVerificationError } from '../../lib/errors';
import { checkClaimsShape } from '../../lib/token-claims';
import { startEmulator, type Emulator } from '../../lib/emulator';
import { requireCognito, type RequireCognitoOptions } from '../../middleware/require-cognito';
import { getSessionTokens, setSessionTokens } from '../../middleware/session-tokens';

const PASSWORD = 'Passw0rd!';
const HOUR_MS = 3600_000;

describe('requireCognito — machine-to-machine tokens', function () {
  let emulator: Emulator;
  let poolId: string;
  let webId: string;
  let m2mId: string;
  let m2mSecret: string;
  let otherPool: { poolId: string; clientId: string; clientSecret: string };
  let app: express.Express;

  before(async function () {
    emulator = await startEmulator();
    const resourceServers = [{ identifier: 'orders', name: 'Orders', scopes: [{ name: 'read', description: 'Read' }, { name: 'write', description: 'Write' }] }];
    const m2mClient = {
      name: 'm2m', generateSecret: true,
      settings: { AllowedOAuthFlows: ['client_credentials'], AllowedOAuthScopes: ['orders/read'], AllowedOAuthFlowsUserPoolClient: true },
    };
    const { pools } = await emulator.seed({ pools: [
      {
        name: 'api', domain: 'm2m-api', resourceServers, groups: ['staff'],
        clients: [{ name: 'web', explicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] }, m2mClient],
        users: [{ username: 'ann', password: PASSWORD, groups: ['staff'] }],
      },
      { name: 'other', domain: 'm2m-other', resourceServers, clients: [m2mClient] },
    ] });
    poolId = pools.api.poolId;
    webId = pools.api.clients.web.clientId;
    m2mId = pools.api.clients.m2m.clientId;
    m2mSecret = pools.api.clients.m2m.clientSecret!;
    const otherM2m = pools.other.clients.m2m;
    otherPool = { poolId: pools.other.poolId, clientId: otherM2m.clientId, clientSecret: otherM2m.clientSecret! };

    const base = { userPoolId: poolId, clientId: [webId, m2mId], endpoint: emulator.endpoint, clock: () => emulator.clock.now() };
    const guard = (extra: Partial<RequireCognitoOptions> = {}) => requireCognito({ ...base, ...extra });
    app = express();
    app.use(express.json());
    app.use(session({ secret: 'm2m test secret', resave: false, saveUninitialized: false }));
    const show = (req: express.Request, res: express.Response): void => {
      const { claims: _claims, accessToken: _access, idToken: _id, ...rest } = req.cognito!;
      res.json({ ...rest, hasUsernameKey: 'username' in req.cognito! });
    };
    app.get('/orders', guard({ scope: 'orders/read' }), show);
    app.get('/orders/write', guard({ scope: ['orders/read', 'orders/write'] }), show);
    app.get('/staff-orders', guard({ scope: 'orders/read', groups: 'staff' }), show);
    app.get('/web-only', guard({ clientId: webId, scope: 'orders/read' }), show);
    app.get('/me', guard(), show);
    app.post('/plant', (req, res) => {
      setSessionTokens(req, req.body);
      res.json({ ok: true });
    });
    app.get('/session-tokens', (req, res) => res.json({ has: getSessionTokens(req) !== undefined }));
  });
  after(() => emulator.stop());

  /** A fresh client-credentials token of the api pool (or another pool's). */
  type M2mClient = { poolId: string; clientId: string; clientSecret: string };
  async function m2mToken(pool: M2mClient = { poolId, clientId: m2mId, clientSecret: m2mSecret }): Promise<string> {
    return clientCredentials({
      userPoolId: pool.poolId, clientId: pool.clientId, clientSecret: pool.clientSecret, endpoint: emulator.endpoint,
      clock: () => emulator.clock.now(), scopes: ['orders/read'],
    }).getToken();
  }

  /** Ann's tokens from InitiateAuth (scope aws.cognito.signin.user.admin only). */
  async function userTokens(): Promise<{ AccessToken: string; IdToken: string; RefreshToken: string }> {
    const res = await fetch(emulator.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSCognitoIdentityProviderService.InitiateAuth' },
      body: JSON.stringify({ AuthFlow: 'USER_PASSWORD_AUTH', ClientId: webId, AuthParameters: { USERNAME: 'ann', PASSWORD } }),
    });
    const body = (await res.json()) as { AuthenticationResult: { AccessToken: string; IdToken: string; RefreshToken: string } };
    return body.AuthenticationResult;
  }

  it('accepts an M2M bearer token at a guard with its scope: principal client, clientId, scopes, no username, no groups', async function () {
    const token = await m2mToken();
    const res = await request(app).get('/orders').set('Authorization', `Bearer ${token}`).expect(200);
    assert.deepEqual(res.body, {
      principal: 'client', tokenUse: 'access', sub: m2mId, clientId: m2mId, groups: [], scopes: ['orders/read'], source: 'bearer',
      hasUsernameKey: false,
    });
  });

  it('refuses it with 403 insufficient_scope where a scope it lacks is required', async function () {
    const res = await request(app).get('/orders/write').set('Authorization', `Bearer ${await m2mToken()}`).expect(403);
    assert.equal(res.body.code, 'ERR_COGNITO_SCOPE_REQUIRED');
    assert.match(res.headers['www-authenticate'], /error="insufficient_scope", scope="orders\/read orders\/write"/);
  });

  it('refuses it with 403 at a guard that also requires a group: an app client is in none', async function () {
    const res = await request(app).get('/staff-orders').set('Authorization', `Bearer ${await m2mToken()}`).expect(403);
    assert.equal(res.body.code, 'ERR_COGNITO_GROUP_REQUIRED');
  });

  it('refuses it with 401 at a guard without a scope (a user route)', async function () {
    const res = await request(app).get('/me').set('Authorization', `Bearer ${await m2mToken()}`).expect(401);
    assert.equal(res.body.code, 'ERR_COGNITO_TOKEN_CLAIM');
    assert.match(res.headers['www-authenticate'], /^Bearer error="invalid_token"/);
  });

  it('refuses it with 401 when its client is not among the allowed ones', async function () {
    const res = await request(app).get('/web-only').set('Authorization', `Bearer ${await m2mToken()}`).expect(401);
    assert.equal(res.body.code, 'ERR_COGNITO_TOKEN_AUDIENCE');
  });

  it('refuses another pool\'s M2M token with 401', async function () {
    const res = await request(app).get('/orders').set('Authorization', `Bearer ${await m2mToken(otherPool)}`).expect(401);
    // Signed with the other pool's key: not among this pool's keys, even after the refetch.
    assert.equal(res.body.code, 'ERR_COGNITO_TOKEN_KID_UNKNOWN');
  });

  it('refuses a tampered M2M token with 401 (scope added, signature kept)', async function () {
    const [h, p, s] = (await m2mToken()).split('.');
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString('utf8'));
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...claims, scope: 'orders/read orders/write' })).toString('base64url')}.${s}`;
    const res = await request(app).get('/orders/write').set('Authorization', `Bearer ${forged}`).expect(401);
    assert.equal(res.body.code, 'ERR_COGNITO_TOKEN_SIGNATURE');
  });

  it('refuses an expired M2M token with 401, even one verified (and cached) before', async function () {
    const token = await m2mToken();
    await request(app).get('/orders').set('Authorization', `Bearer ${token}`).expect(200);
    emulator.clock.advance(HOUR_MS + 10_000);
    const res = await request(app).get('/orders').set('Authorization', `Bearer ${token}`).expect(401);
    assert.equal(res.body.code, 'ERR_COGNITO_TOKEN_EXPIRED');
  });

  it('a user token still works where no scope is required, and is refused (403) where orders/read is', async function () {
    const { AccessToken } = await userTokens();
    const me = await request(app).get('/me').set('Authorization', `Bearer ${AccessToken}`).expect(200);
    assert.deepEqual([me.body.principal, me.body.username, me.body.clientId, me.body.groups], ['user', 'ann', webId, ['staff']]);
    const orders = await request(app).get('/orders').set('Authorization', `Bearer ${AccessToken}`).expect(403);
    assert.equal(orders.body.code, 'ERR_COGNITO_SCOPE_REQUIRED');
  });

  it('never accepts an M2M token from a session, renews none, and the session loses it', async function () {
    const user = await userTokens();
    for (const [path, expired] of [['/orders', false], ['/me', false], ['/orders', true]] as const) {
      const token = await m2mToken();
      const agent = request.agent(app);
      const exp = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')).exp as number;
      await agent.post('/plant').send({ idToken: user.IdToken, accessToken: token, refreshToken: user.RefreshToken, expiresAt: exp }).expect(200);
      // Verified once as a bearer token: the session path's same-tick answer (the cache) is taken too.
      await request(app).get('/orders').set('Authorization', `Bearer ${token}`).expect(200);
      if (expired) emulator.clock.advance(HOUR_MS + 10_000);
      const renewalsBefore = emulator.calls('InitiateAuth') + emulator.calls('GetTokensFromRefreshToken');
      const res = await agent.get(path).expect(401);
      assert.equal(res.body.code, 'ERR_COGNITO_TOKEN_CLAIM', `${path} expired=${expired}`);
      assert.equal(emulator.calls('InitiateAuth') + emulator.calls('GetTokensFromRefreshToken'), renewalsBefore, 'no renewal');
      assert.deepEqual((await agent.get('/session-tokens').expect(200)).body, { has: false });
    }
  });

  it('the verifier takes an access token without username only as Cognito mints one: sub equal to client_id', function () {
    const issuer = emulator.issuer(poolId);
    const rules = { issuer, clientIds: new Set([m2mId]), leewaySeconds: 5 };
    const claims = { iss: issuer, token_use: 'access', client_id: m2mId, sub: m2mId, scope: 'orders/read', iat: 1, exp: 2 };
    assert.equal(checkClaimsShape(claims, rules).clientId, m2mId);
    assert.throws(() => checkClaimsShape({ ...claims, sub: 'a1b2c3d4-0000-4000-8000-00000000abcd' }, rules),
      (e: unknown) => e instanceof TokenVerificationError && e.code === 'ERR_COGNITO_TOKEN_CLAIM' && e.claim === 'username');
    assert.equal(checkClaimsShape({ ...claims, sub: 'a1b2c3d4-0000-4000-8000-00000000abcd', username: 'ann' }, rules).clientId, m2mId);
  });
});
