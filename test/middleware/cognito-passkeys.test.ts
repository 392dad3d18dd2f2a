// cognitoPasskeys() over real HTTP against the emulator: register (options, then the credential a
// software authenticator made for them), list, delete; a recent sign-in required; the browser
// script; and every bad input a 400 before any Cognito call, with the right status for each refusal.
import { strict as assert } from 'node:assert';
import { Script } from 'node:vm';
import { SetUserPoolMfaConfigCommand, type ExplicitAuthFlowsType } from '@aws-sdk/client-cognito-identity-provider';
import express from 'express';
import request from 'supertest';
import { cognitoPasskeys, PASSKEYS_CLIENT_JS } from '../../index';
import { poolOptions, poolTokens } from '../support/app';
import { SoftAuthenticator, type CreationOptions } from '../support/soft-authenticator';
import { startTestPool, TEST_AUTH_FLOWS, type TestPool } from '../support/pool';

const PASSWORD = 'Passw0rd!long';
const ORIGIN = 'http://localhost:3000';

describe('cognitoPasskeys()', function () {
  this.timeout(20_000);
  let pool: TestPool;
  let app: express.Express;
  let n = 0;
  const signedIn = async (): Promise<{ username: string; auth: string }> => {
    const username = `pk-${++n}`;
    await pool.createUser(username, PASSWORD);
    return { username, auth: `Bearer ${(await poolTokens(pool, username, PASSWORD)).AccessToken}` };
  };
  const register = async (auth: string, origin = ORIGIN): Promise<request.Response> => {
    const { body } = await request(app).post('/passkeys/registration/options').set('Authorization', auth).expect(200);
    const { response } = new SoftAuthenticator().register(body.options as CreationOptions, origin);
    return request(app).post('/passkeys/registration').set('Authorization', auth).send({ credential: response });
  };

  before(async function () {
    pool = await startTestPool({
      explicitAuthFlows: [...TEST_AUTH_FLOWS, 'ALLOW_USER_AUTH'] as ExplicitAuthFlowsType[],
      poolOptions: { Policies: { SignInPolicy: { AllowedFirstAuthFactors: ['PASSWORD', 'WEB_AUTHN'] } } },
    });
    await pool.sdk.send(new SetUserPoolMfaConfigCommand({ UserPoolId: pool.poolId, WebAuthnConfiguration: { RelyingPartyId: 'localhost' } }));
    app = express();
    app.use('/passkeys', cognitoPasskeys({ ...poolOptions(pool), loginUrl: '/login', redirect: '/security', rateLimit: { limit: 4, windowSeconds: 900 } }));
    app.use((err: { status?: number; code?: string }, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
      res.status(err.status ?? 500).json({ code: err.code ?? 'ERR' });
    });
  });
  after(() => pool.stop());
  afterEach(() => pool.emulator.clock.reset());

  it('registers a passkey, lists it, deletes it (JSON), and a browser form delete is a 303', async function () {
    const { auth } = await signedIn();
    assert.deepEqual((await request(app).get('/passkeys').set('Authorization', auth).expect(200)).body, { ok: true, passkeys: [] });
    const options = (await request(app).post('/passkeys/registration/options').set('Authorization', auth).expect(200)).body.options;
    assert.equal(options.rp.id, 'localhost');
    const { response } = new SoftAuthenticator().register(options as CreationOptions, ORIGIN);
    // As a form would post it: the JSON text of the credential.
    await request(app).post('/passkeys/registration').set('Authorization', auth).type('form')
      .send({ credential: JSON.stringify(response) }).expect(201, { ok: true });
    const listed = (await request(app).get('/passkeys').set('Authorization', auth).expect(200)).body.passkeys;
    assert.equal(listed.length, 1);
    assert.equal(listed[0].credentialId, response.id);
    assert.match(listed[0].createdAt, /^\d{4}-\d\d-\d\dT/);
    const second = await register(auth);
    assert.equal(second.status, 201);
    const ids = ((await request(app).get('/passkeys').set('Authorization', auth)).body.passkeys as Array<{ credentialId: string }>).map((p) => p.credentialId);
    await request(app).post('/passkeys/delete').set('Authorization', auth).send({ credentialId: ids[0] }).expect(200, { ok: true });
    const form = await request(app).post('/passkeys/delete').set('Authorization', auth).set('Accept', 'text/html').type('form')
      .send({ credentialId: ids[1] }).expect(303);
    assert.equal(form.headers.location, '/security');
    assert.deepEqual((await request(app).get('/passkeys').set('Authorization', auth)).body.passkeys, []);
  });

  it('registering needs a recent sign-in: 401 ERR_COGNITO_RECENT_SIGN_IN_REQUIRED after 5 minutes', async function () {
    const { auth } = await signedIn();
    pool.emulator.clock.advance(301_000);
    const late = await request(app).post('/passkeys/registration/options').set('Authorization', auth).expect(401);
    assert.equal(late.body.code, 'ERR_COGNITO_RECENT_SIGN_IN_REQUIRED');
    // Listing does not.
    await request(app).get('/passkeys').set('Authorization', auth).expect(200);
  });

  it('not signed in: 401 for an API client, to the sign-in page for a browser; the script needs no sign-in', async function () {
    assert.equal((await request(app).get('/passkeys').expect(401)).body.code, 'ERR_COGNITO_TOKEN_MISSING');
    const page = await request(app).get('/passkeys').set('Accept', 'text/html').expect(302);
    assert.match(page.headers.location, /^\/login\?returnTo=/);
    await request(app).post('/passkeys/registration/options').expect(401);
    const script = await request(app).get('/passkeys/client.js').expect(200);
    assert.match(script.headers['content-type'], /^text\/javascript/);
    assert.equal(script.headers['x-content-type-options'], 'nosniff');
    assert.equal(script.text, PASSKEYS_CLIENT_JS);
    assert.doesNotThrow(() => new Script(script.text, { filename: 'client.js' }), 'the script parses');
    await request(app).head('/passkeys/client.js').expect(200);
  });

  it('bad input: 400 naming the field before any call; refusals with their own status; none a 5xx', async function () {
    const { auth } = await signedIn();
    pool.emulator.resetCalls();
    for (const body of [{}, { credential: '' }, { credential: ['x'] }, { credential: 'x'.repeat(15_000) }]) {
      const res = await request(app).post('/passkeys/registration').set('Authorization', auth).send(body).expect(400);
      assert.equal(res.body.field, 'credential');
    }
    // A body past the 16 KiB form limit is refused as a whole.
    const huge = await request(app).post('/passkeys/registration').set('Authorization', auth).send({ credential: 'x'.repeat(20_000) }).expect(400);
    assert.equal(huge.body.code, 'ERR_COGNITO_INVALID_FIELD');
    for (const credential of ['{', '[]', '{"id":"a"}', JSON.stringify({ id: 'a', type: 'public-key' })]) {
      assert.equal((await request(app).post('/passkeys/registration').set('Authorization', auth).send({ credential }).expect(400)).body.field,
        'credential');
    }
    for (const body of [{}, { credentialId: 'not base64url!' }, { credentialId: 42 }]) {
      assert.equal((await request(app).post('/passkeys/delete').set('Authorization', auth).send(body).expect(400)).body.field, 'credentialId');
    }
    assert.equal(pool.emulator.calls(), 0, 'Cognito was not called');
    // A credential made for another origin, and one for options already used: Cognito refuses them (400).
    const foreign = await register(auth, 'https://evil.example');
    assert.equal(foreign.status, 400);
    assert.equal(foreign.body.code, 'ERR_COGNITO_PASSKEY_REFUSED');
    const noOptions = new SoftAuthenticator().register({
      challenge: 'AAAA', rp: { id: 'localhost', name: 'x' }, user: { id: 'dXNlcg', name: 'u', displayName: 'u' }, pubKeyCredParams: [{ alg: -7, type: 'public-key' }],
    }, ORIGIN).response;
    assert.equal((await request(app).post('/passkeys/registration').set('Authorization', auth).send({ credential: noOptions }).expect(400)).body.code,
      'ERR_COGNITO_PASSKEY_REFUSED');
    // Another user's passkey cannot be deleted.
    const other = await signedIn();
    await register(other.auth).then((r) => assert.equal(r.status, 201));
    const theirs = (await request(app).get('/passkeys').set('Authorization', other.auth)).body.passkeys[0].credentialId as string;
    assert.equal((await request(app).post('/passkeys/delete').set('Authorization', auth).send({ credentialId: theirs }).expect(404)).body.code,
      'ERR_COGNITO_PASSKEY_NOT_FOUND');
    assert.equal((await request(app).get('/passkeys').set('Authorization', other.auth)).body.passkeys.length, 1, 'nothing lost');
    // Wrong methods, and paths that are not the router's.
    assert.equal((await request(app).get('/passkeys/registration').set('Authorization', auth).expect(405)).headers.allow, 'POST');
    await request(app).post('/passkeys/client.js').expect(405);
    await request(app).get('/passkeys/nope').expect(404);
  });

  it('registrations are rate limited per user (429 with Retry-After)', async function () {
    const { auth } = await signedIn();
    for (let i = 0; i < 4; i++) await request(app).post('/passkeys/registration/options').set('Authorization', auth).expect(200);
    const limited = await request(app).post('/passkeys/registration/options').set('Authorization', auth).expect(429);
    assert.equal(limited.body.code, 'ERR_COGNITO_THROTTLED');
    assert.ok(Number(limited.headers['retry-after']) > 0);
  });

  it('construction: bad options are TypeErrors', function () {
    const base = poolOptions(pool);
    assert.throws(() => cognitoPasskeys({ ...base, recentSignInSeconds: 5 }), /recentSignInSeconds/);
    assert.throws(() => cognitoPasskeys({ ...base, redirect: 'https://evil.example/' }), /"redirect"/);
    assert.throws(() => cognitoPasskeys({ ...base, loginUrl: '//evil.example' }), /"loginUrl"/);
    assert.throws(() => cognitoPasskeys({ ...base, rateLimit: { limit: 0, windowSeconds: 1 } }), /rateLimit/);
  });
});
