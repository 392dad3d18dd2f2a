// cognitoAccount()'s signed-in routes over HTTP against the emulator, with a session signed in by
// CognitoStrategy (the real login) and with a bearer token.
import { strict as assert } from 'node:assert';
import express from 'express';
import session from 'express-session';
import passport from 'passport';
import request from 'supertest';
import { Cognito } from '../../lib/cognito';
import { resolveConfig } from '../../lib/config';
import { AuthenticationFailedError } from '../../lib/errors';
import { generateTotp } from '../../lib/totp';
import { cognitoAccount } from '../../middleware/cognito-account';
import { CognitoStrategy } from '../../strategies/cognito-strategy';
import { poolOptions } from '../support/app';
import { startTestPool, type TestPool } from '../support/pool';

const PASSWORD = 'Corr3ct-horse!';

describe('cognitoAccount() signed-in routes', function () {
  this.timeout(30_000);
  let pool: TestPool;
  let app: express.Express;
  let n = 0;
  const fresh = (p: string): string => `${p}-${++n}`;
  const codeOf = (username: string): string => {
    const code = pool.emulator.outbox({ username }).at(-1)?.code;
    assert.ok(code !== undefined);
    return code;
  };

  before(async () => {
    pool = await startTestPool({ mfa: 'OPTIONAL', poolOptions: { AutoVerifiedAttributes: ['email'] } });
    const options = poolOptions(pool);
    const pp = new passport.Passport();
    pp.use(new CognitoStrategy(options));
    pp.serializeUser((u, done) => done(null, u));
    pp.deserializeUser((u: Express.User, done) => done(null, u));
    app = express();
    app.use(session({ secret: 'test', resave: false, saveUninitialized: false }));
    app.use(express.json(), express.urlencoded({ extended: false }));
    app.use(pp.initialize(), pp.session());
    app.post('/login', (req, res, next) => {
      pp.authenticate('cognito', (err: unknown, user: Express.User | false, info: unknown, status?: number) => {
        if (err) return next(err);
        if (!user) return res.status(status ?? 401).json(info ?? {});
        req.logIn(user, (e) => (e ? next(e) : res.json({ ok: true })));
      })(req, res, next);
    });
    app.use('/account', cognitoAccount({ ...options, totpIssuer: 'Shop', pages: { signIn: '/login', profile: '/profile', verify: '/verify' } }));
  });
  after(() => pool.stop());

  async function signedIn(attributes: Record<string, string> = {}): Promise<{ agent: ReturnType<typeof request.agent>; username: string }> {
    const username = fresh('ann');
    await pool.createUser(username, PASSWORD, { attributes });
    const agent = request.agent(app);
    await agent.post('/login').send({ username, password: PASSWORD }).expect(200);
    return { agent, username };
  }

  it('not signed in: 401 for an API client, a redirect to the sign-in page for a browser', async () => {
    const res = await request(app).get('/account/profile').expect(401);
    assert.equal(res.body.code, 'ERR_COGNITO_TOKEN_MISSING');
    const page = await request(app).post('/account/password').set('Accept', 'text/html').type('form').send({}).expect(302);
    assert.match(page.headers.location, /^\/login/);
  });

  it('GET /profile and POST /profile: attributes read and changed; a new e-mail is verified with its code', async () => {
    const { agent, username } = await signedIn({ email: 'old@example.com', email_verified: 'true' });
    const before = await agent.get('/account/profile').expect(200);
    assert.equal(before.body.username, username);
    assert.equal(before.body.attributes.email, 'old@example.com');
    const changed = await agent.post('/account/profile').send({ given_name: 'Ann', email: 'new@example.com', sub: 'forged' }).expect(200);
    assert.equal(changed.body.next, 'verify');
    assert.equal(changed.body.codeDelivery.deliveryMedium, 'EMAIL');
    const wrong = await agent.post('/account/verify').send({ attribute: 'email', code: '000000' }).expect(401);
    assert.equal(wrong.body.code, 'ERR_COGNITO_CODE_MISMATCH');
    await agent.post('/account/verify').send({ attribute: 'email', code: codeOf(username) }).expect(200, { ok: true, next: 'profile' });
    const after = (await agent.get('/account/profile')).body.attributes;
    assert.equal(after.email, 'new@example.com');
    assert.equal(after.email_verified, 'true');
    assert.equal(after.given_name, 'Ann');
    assert.notEqual(after.sub, 'forged', 'only the allowed attributes are sent');
    await agent.post('/account/verify/send').send({ attribute: 'email' }).expect(200);
    await agent.post('/account/verify/send').send({ attribute: 'sub' }).expect(400);
    await agent.post('/account/profile').send({}).expect(400);
  });

  it('POST /password: the previous password checked, then the new one signs in', async () => {
    const { agent, username } = await signedIn();
    const wrong = await agent.post('/account/password').send({ previousPassword: 'Wr0ng-pass!', newPassword: 'N3w-password!' });
    assert.equal(wrong.status, 401);
    assert.ok(!wrong.text.includes('N3w-password!'));
    await agent.post('/account/password').send({ previousPassword: PASSWORD }).expect(400);
    const weak = await agent.post('/account/password').send({ previousPassword: PASSWORD, newPassword: 'short' }).expect(400);
    assert.equal(weak.body.code, 'ERR_COGNITO_INVALID_PASSWORD');
    assert.equal(weak.body.requirement, 'length', 'the rule the password broke');
    await agent.post('/account/password').send({ previousPassword: PASSWORD, newPassword: 'N3w-password!' }).expect(200);
    await Cognito.fromConfig(resolveConfig(poolOptions(pool)), { username }).authenticate('N3w-password!');
  });

  it('POST /delete: the password proven again, the account deleted, the session signed out', async () => {
    const { agent, username } = await signedIn();
    const wrong = await agent.post('/account/delete').send({ password: 'Wr0ng-pass!' }).expect(401);
    assert.equal(wrong.body.code, 'ERR_COGNITO_BAD_CREDENTIALS');
    await agent.post('/account/delete').send({}).expect(400);
    await agent.post('/account/delete').send({ password: PASSWORD }).expect(200, { ok: true, next: 'signIn' });
    await agent.get('/account/profile').expect(401);
    const gone = Cognito.fromConfig(resolveConfig(poolOptions(pool)), { username });
    await assert.rejects(gone.authenticate(PASSWORD), AuthenticationFailedError);
  });

  it('a bearer token works too; wrong methods are 405 with Allow', async () => {
    const username = fresh('bea');
    await pool.createUser(username, PASSWORD);
    const u = Cognito.fromConfig(resolveConfig(poolOptions(pool)), { username });
    await u.authenticate(PASSWORD);
    const res = await request(app).get('/account/profile').set('Authorization', `Bearer ${u.accessToken!}`).expect(200);
    assert.equal(res.body.username, username);
    const other = await request(app).delete('/account/profile').expect(405);
    assert.equal(other.headers.allow, 'GET, POST');
  });

  it('password guessing on /delete stops at the per-user limit', async () => {
    const { agent } = await signedIn();
    for (let i = 0; i < 5; i++) await agent.post('/account/delete').send({ password: `Wr0ng-pass-${i}!` }).expect(401);
    const limited = await agent.post('/account/delete').send({ password: PASSWORD }).expect(429);
    assert.ok(Number(limited.headers['retry-after']) > 0);
  });

  it('MFA: enrol TOTP (secret and otpauth URI), verify its first code, then sign-in asks for it; disable turns it off', async () => {
    const { agent, username } = await signedIn();
    const mfaOf = async (): Promise<unknown> => (await agent.get('/account/profile').expect(200)).body.mfa;
    assert.deepEqual(await mfaOf(), { enabled: [] }, 'GET /profile: no factor on yet');
    const enrol = await agent.post('/account/mfa/totp').send({}).expect(200);
    const { secretCode, otpauthUri } = enrol.body.totp as { secretCode: string; otpauthUri: string };
    assert.match(secretCode, /^[A-Z2-7]+=*$/);
    assert.ok(otpauthUri.startsWith(`otpauth://totp/Shop:${username}?`), otpauthUri);
    const wrong = await agent.post('/account/mfa/totp/verify').send({ code: '000000' }).expect(401);
    assert.equal(wrong.body.code, 'ERR_COGNITO_CODE_MISMATCH');
    await agent.post('/account/mfa/totp/verify').send({ code: 'abc' }).expect(400);
    const code = generateTotp(secretCode, pool.emulator.clock.now());
    await agent.post('/account/mfa/totp/verify').send({ code }).expect(200, { ok: true, next: 'mfa' });
    assert.deepEqual(await mfaOf(), { enabled: ['SOFTWARE_TOKEN_MFA'], preferred: 'SOFTWARE_TOKEN_MFA' });
    const mfa = await request(app).post('/login').send({ username, password: PASSWORD }).expect(401);
    assert.equal(mfa.body.challenge, 'SOFTWARE_TOKEN_MFA');
    await agent.post('/account/mfa/preference').send({ preferred: 'sms' }).expect(400);
    await agent.post('/account/mfa/preference').send({ preferred: 'totp' }).expect(200);
    await agent.post('/account/mfa/disable').send({ factor: 'everything' }).expect(400);
    await agent.post('/account/mfa/disable').send({ factor: 'totp' }).expect(200);
    assert.deepEqual(await mfaOf(), { enabled: [] });
    await request(app).post('/login').send({ username, password: PASSWORD }).expect(200);
  });
});
