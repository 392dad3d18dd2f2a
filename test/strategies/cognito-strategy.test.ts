// CognitoStrategy over real HTTP: Express 4 and 5 apps (test/support/app.ts) against the emulator.
import { strict as assert } from 'node:assert';
import { AdminSetUserMFAPreferenceCommand } from '@aws-sdk/client-cognito-identity-provider';
import request from 'supertest';
import { CognitoStrategy } from '../../strategies/cognito-strategy';
import {
  EXPRESS_FLAVORS, enableSms, enrolTotp, lastSmsCode, sidFromSetCookie, startApp, storedSession, totpNow, type TestApp,
} from '../support/app';
import { startTestPool, type TestPool } from '../support/pool';

const PASSWORD = 'Passw0rd!long';

for (const flavor of EXPRESS_FLAVORS) {
  describe(`CognitoStrategy — ${flavor.name}`, function () {
    let pool: TestPool;
    let web: TestApp;
    let n = 0;
    const fresh = (prefix: string) => `${prefix}-${++n}`;

    before(async function () {
      pool = await startTestPool({ mfa: 'OPTIONAL' });
      web = await startApp(flavor, { pool });
    });
    after(async function () {
      await web?.close();
      await pool?.stop();
    });
    afterEach(function () {
      pool.emulator.clearFaults();
    });

    describe('SRP login', function () {
      it('signs in with USER_SRP_AUTH and builds req.user from the ID token; tokens stay in the session store only', async function () {
        const username = fresh('alice');
        await pool.createUser(username, PASSWORD, { groups: ['staff'], attributes: { email: `${username}@example.com`, email_verified: 'true' } });
        pool.emulator.resetCalls();
        const res = await request(web.server).post('/login').send({ username, password: PASSWORD }).expect(200);
        assert.equal(pool.emulator.calls('InitiateAuth'), 1);
        assert.equal(pool.emulator.calls('RespondToAuthChallenge'), 1, 'PASSWORD_VERIFIER');
        assert.equal(pool.emulator.calls('AdminInitiateAuth'), 0);
        const { user } = res.body;
        assert.deepEqual(Object.keys(user).sort(), ['email', 'groups', 'sub', 'username']);
        assert.equal(user.username, username);
        assert.equal(user.email, `${username}@example.com`);
        assert.deepEqual(user.groups, ['staff']);
        assert.match(user.sub, /^[0-9a-f-]{36}$/);

        const cookies = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
        assert.equal(cookies.length, 1, 'only the session cookie');
        assert.ok(cookies[0].length < 200, 'the cookie holds an id, not tokens');
        assert.doesNotMatch(JSON.stringify(res.body), /eyJ/, 'no JWT in the response');
        const record = await storedSession(web.sessionStore, sidFromSetCookie(cookies)!);
        assert.ok(record, 'a session was stored');
        assert.match(record.cognito.tokens.accessToken, /^eyJ/);
        assert.match(record.cognito.tokens.idToken, /^eyJ/);
        assert.ok(record.cognito.tokens.refreshToken);
        assert.equal(record.cognito.tokens.username, username);
        assert.doesNotMatch(JSON.stringify(record.passport), /eyJ/, 'req.user (serialised) has no token');
        assert.equal(record.cognito.challenge, undefined);
      });

      it('accepts a urlencoded form and redirects with successRedirect / failureRedirect', async function () {
        const username = fresh('form');
        await pool.createUser(username, PASSWORD);
        await request(web.server).post('/login-form').type('form').send({ username, password: PASSWORD })
          .expect(302).expect('Location', '/home');
        await request(web.server).post('/login-form').type('form').send({ username, password: 'wrong-password' })
          .expect(302).expect('Location', '/login');
      });

      it('regenerates the session at login: the pre-login session id is dropped and carries nothing', async function () {
        const username = fresh('fixation');
        await pool.createUser(username, PASSWORD);
        const agent = request.agent(web.server);
        const before = (await agent.get('/touch').expect(200)).body.sid as string;
        const login = await agent.post('/login').send({ username, password: PASSWORD }).expect(200);
        const after = sidFromSetCookie(login.headers['set-cookie']);
        assert.ok(after);
        assert.notEqual(after, before);
        assert.equal(login.body.sid, after);
        assert.equal(await storedSession(web.sessionStore, before), undefined, 'the old session is gone from the store');
        // An attacker who planted the old cookie gets nothing.
        const planted = await request(web.server).get('/whoami').set('Cookie', `connect.sid=${encodeURIComponent(`s:${before}`)}`).expect(200);
        assert.equal(planted.body.user, null);
        assert.equal((await agent.get('/whoami').expect(200)).body.user.username, username);
      });

      it('a username typed with surrounding spaces (a phone\'s autocomplete) signs in as the user, a form as well', async function () {
        const username = fresh('alice');
        await pool.createUser(username, PASSWORD);
        const res = await request(web.server).post('/login').send({ username: ` ${username} `, password: PASSWORD }).expect(200);
        assert.equal(res.body.user.username, username);
        await request(web.server).post('/login-form').type('form').send({ username: `\u00a0${username}\t`, password: PASSWORD })
          .expect(302).expect('Location', '/home');
        const inside = await request(web.server).post('/login').send({ username: `${username}\tx`, password: PASSWORD }).expect(400);
        assert.equal(inside.body.code, 'ERR_COGNITO_INVALID_FIELD', 'a tab inside stays refused');
      });

      it('gives the same failure for an unknown user and a wrong password', async function () {
        const username = fresh('known');
        await pool.createUser(username, PASSWORD);
        const wrong = await request(web.server).post('/login').send({ username, password: 'not-the-password' });
        const unknown = await request(web.server).post('/login').send({ username: fresh('nobody'), password: 'not-the-password' });
        assert.equal(wrong.status, 401);
        assert.equal(unknown.status, wrong.status);
        assert.deepEqual(unknown.body, wrong.body);
        assert.equal(wrong.body.code, 'ERR_COGNITO_BAD_CREDENTIALS');
        assert.equal(wrong.body.message, 'Incorrect username or password.');
      });
    });

    describe('bad bodies: 400 and no call to Cognito', function () {
      const cases: Array<[string, unknown]> = [
        ['no body', undefined],
        ['empty object', {}],
        ['username only', { username: 'ann' }],
        ['password only', { password: PASSWORD }],
        ['empty username', { username: '', password: PASSWORD }],
        ['whitespace-only username', { username: ' \u00a0\t', password: PASSWORD }],
        ['empty password', { username: 'ann', password: '' }],
        ['numeric username', { username: 42, password: PASSWORD }],
        ['array password', { username: 'ann', password: [PASSWORD, PASSWORD] }],
        ['object username', { username: { $ne: null }, password: PASSWORD }],
        ['257-character username', { username: 'u'.repeat(257), password: PASSWORD }],
        ['1025-byte password', { username: 'ann', password: 'p'.repeat(1025) }],
        ['multi-byte password over 1 KiB', { username: 'ann', password: '\u00e9'.repeat(513) }],
        ['control character in username', { username: 'ann\nadmin', password: PASSWORD }],
        ['a code without a pending challenge', { code: '123456' }],
        ['a new password without a pending challenge', { newPassword: PASSWORD }],
      ];
      for (const [name, body] of cases) {
        it(name, async function () {
          pool.emulator.resetCalls();
          const req = request(web.server).post('/login');
          const res = body === undefined ? await req : await req.send(body as object);
          assert.equal(res.status, 400, JSON.stringify(res.body));
          assert.match(res.body.code, /^ERR_COGNITO_/);
          assert.equal(typeof res.body.message, 'string');
          assert.equal(pool.emulator.calls(), 0, 'Cognito was not called');
        });
      }

      it('a 129–256 character username names nobody: the bad-credentials answer, no call', async function () {
        pool.emulator.resetCalls();
        const res = await request(web.server).post('/login').send({ username: 'u'.repeat(200), password: PASSWORD }).expect(401);
        assert.equal(res.body.code, 'ERR_COGNITO_BAD_CREDENTIALS');
        assert.equal(pool.emulator.calls(), 0);
      });
    });

    describe('challenges', function () {
      it('NEW_PASSWORD_REQUIRED: 401 with the challenge, then newPassword completes the login', async function () {
        const username = fresh('temp');
        await pool.createUser(username, 'Temp0rary!pass', { temporary: true });
        const agent = request.agent(web.server);
        const first = await agent.post('/login').send({ username, password: 'Temp0rary!pass' }).expect(401);
        assert.equal(first.body.challenge, 'NEW_PASSWORD_REQUIRED');
        assert.deepEqual(first.body.requiredAttributes, []);
        const missing = await agent.post('/login').send({ code: '123456' }).expect(400);
        assert.equal(missing.body.challenge, 'NEW_PASSWORD_REQUIRED');
        const done = await agent.post('/login').send({ newPassword: PASSWORD }).expect(200);
        assert.equal(done.body.user.username, username);
        await agent.get('/api/me').expect(200);
        await request(web.server).post('/login').send({ username, password: PASSWORD }).expect(200);
      });

      it('SOFTWARE_TOKEN_MFA: a wrong code keeps the challenge, the TOTP code computed here completes it', async function () {
        const username = fresh('totp');
        await pool.createUser(username, PASSWORD);
        const secret = await enrolTotp(pool, username, PASSWORD);
        const agent = request.agent(web.server);
        const first = await agent.post('/login').send({ username, password: PASSWORD }).expect(401);
        assert.equal(first.body.challenge, 'SOFTWARE_TOKEN_MFA');
        assert.equal(first.body.code, 'ERR_COGNITO_MFA_SOFTWARE_TOKEN');
        const good = totpNow(pool, secret);
        const wrong = await agent.post('/login').send({ code: good === '000000' ? '111111' : '000000' }).expect(401);
        assert.equal(wrong.body.code, 'ERR_COGNITO_CODE_MISMATCH');
        assert.equal(wrong.body.challenge, 'SOFTWARE_TOKEN_MFA');
        assert.equal(wrong.body.secretCode, undefined, 'only MFA_SETUP hands out a key');
        await agent.post('/login').send({ code: 'abc' }).expect(400);
        const done = await agent.post('/login').send({ code: good }).expect(200);
        assert.equal(done.body.user.username, username);
        await agent.get('/api/me').expect(200);
      });

      it('SMS_MFA: the code from the emulator outbox completes it; the destination is masked', async function () {
        const username = fresh('sms');
        await pool.createUser(username, PASSWORD, { attributes: { phone_number: '+15555550123', phone_number_verified: 'true' } });
        await enableSms(pool, username, { preferred: true });
        const agent = request.agent(web.server);
        const first = await agent.post('/login').send({ username, password: PASSWORD }).expect(401);
        assert.equal(first.body.challenge, 'SMS_MFA');
        assert.ok(first.body.destination);
        assert.doesNotMatch(first.body.destination, /5555550123/);
        await agent.post('/login').send({ code: lastSmsCode(pool, username) }).expect(200);
      });

      it('SELECT_MFA_TYPE: mfaType picks the factor, then its code completes the login', async function () {
        const username = fresh('select');
        await pool.createUser(username, PASSWORD, { attributes: { phone_number: '+15555550199', phone_number_verified: 'true' } });
        const secret = await enrolTotp(pool, username, PASSWORD);
        await pool.sdk.send(new AdminSetUserMFAPreferenceCommand({
          UserPoolId: pool.poolId, Username: username,
          SMSMfaSettings: { Enabled: true, PreferredMfa: false }, SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: false },
        }));
        const agent = request.agent(web.server);
        const first = await agent.post('/login').send({ username, password: PASSWORD }).expect(401);
        assert.equal(first.body.challenge, 'SELECT_MFA_TYPE');
        assert.deepEqual([...first.body.mfaTypes].sort(), ['SMS_MFA', 'SOFTWARE_TOKEN_MFA']);
        await agent.post('/login').send({ mfaType: 'EMAIL_OTP' }).expect(400);
        const second = await agent.post('/login').send({ mfaType: 'SOFTWARE_TOKEN_MFA' }).expect(401);
        assert.equal(second.body.challenge, 'SOFTWARE_TOKEN_MFA');
        await agent.post('/login').send({ code: totpNow(pool, secret) }).expect(200);
      });

      it('a pending challenge is bound to its session: another client cannot answer it', async function () {
        const username = fresh('bound');
        await pool.createUser(username, PASSWORD);
        const secret = await enrolTotp(pool, username, PASSWORD);
        const agent = request.agent(web.server);
        await agent.post('/login').send({ username, password: PASSWORD }).expect(401);
        const stranger = await request(web.server).post('/login').send({ code: totpNow(pool, secret) }).expect(400);
        assert.equal(stranger.body.code, 'ERR_COGNITO_NO_PENDING_CHALLENGE');
        await agent.post('/login').send({ code: totpNow(pool, secret) }).expect(200);
      });

      it('a challenge expires with Cognito\'s session (moved clock): 401 and it is forgotten', async function () {
        const username = fresh('expire');
        await pool.createUser(username, PASSWORD);
        const secret = await enrolTotp(pool, username, PASSWORD);
        const agent = request.agent(web.server);
        await agent.post('/login').send({ username, password: PASSWORD }).expect(401);
        pool.emulator.clock.advance(181_000);
        pool.emulator.resetCalls();
        const late = await agent.post('/login').send({ code: totpNow(pool, secret) }).expect(401);
        assert.equal(late.body.code, 'ERR_COGNITO_CHALLENGE_EXPIRED');
        assert.equal(pool.emulator.calls(), 0, 'decided locally');
        const again = await agent.post('/login').send({ code: totpNow(pool, secret) }).expect(400);
        assert.equal(again.body.code, 'ERR_COGNITO_NO_PENDING_CHALLENGE');
      });

      it('a new username/password starts over even while a challenge is pending', async function () {
        const username = fresh('restart');
        await pool.createUser(username, PASSWORD);
        await enrolTotp(pool, username, PASSWORD);
        const other = fresh('plain');
        await pool.createUser(other, PASSWORD);
        const agent = request.agent(web.server);
        await agent.post('/login').send({ username, password: PASSWORD }).expect(401);
        const res = await agent.post('/login').send({ username: other, password: PASSWORD }).expect(200);
        assert.equal(res.body.user.username, other);
      });
    });

    describe('MFA_SETUP (pool with MFA required)', function () {
      let strict: TestPool;
      let strictWeb: TestApp;
      before(async function () {
        strict = await startTestPool({ mfa: 'ON' });
        strictWeb = await startApp(flavor, { pool: strict, strategy: { totpIssuer: 'Example App' } });
      });
      after(async function () {
        await strictWeb?.close();
        await strict?.stop();
      });

      it('hands out the TOTP secret and otpauth URI, repeats them on an empty POST, then the code completes the login', async function () {
        await strict.createUser('setup-user', PASSWORD);
        const agent = request.agent(strictWeb.server);
        const first = await agent.post('/login').send({ username: 'setup-user', password: PASSWORD }).expect(401);
        assert.equal(first.body.challenge, 'MFA_SETUP');
        assert.match(first.body.secretCode, /^[A-Z2-7]+=*$/);
        assert.equal(first.body.otpauthUri, `otpauth://totp/Example%20App:setup-user?secret=${first.body.secretCode.replace(/=+$/, '')}&issuer=Example%20App&algorithm=SHA1&digits=6&period=30`);
        strict.emulator.resetCalls();
        const again = await agent.post('/login').send({}).expect(401);
        assert.equal(again.body.challenge, 'MFA_SETUP');
        assert.equal(again.body.secretCode, first.body.secretCode, 'the same secret');
        assert.equal(strict.emulator.calls(), 0);
        const wrong = await agent.post('/login').send({ code: totpNow(strict, first.body.secretCode) === '000000' ? '111111' : '000000' }).expect(401);
        assert.equal(wrong.body.code, 'ERR_COGNITO_CODE_MISMATCH');
        // The key is repeated with the failure, so that the app can show the QR code again.
        assert.equal(wrong.body.challenge, 'MFA_SETUP');
        assert.equal(wrong.body.secretCode, first.body.secretCode);
        assert.equal(wrong.body.otpauthUri, first.body.otpauthUri);
        const malformed = await agent.post('/login').send({ code: '12ab' }).expect(400);
        assert.equal(malformed.body.code, 'ERR_COGNITO_INVALID_FIELD');
        assert.equal(malformed.body.secretCode, first.body.secretCode);
        assert.equal(malformed.body.otpauthUri, first.body.otpauthUri);
        const done = await agent.post('/login').send({ code: totpNow(strict, first.body.secretCode) }).expect(200);
        assert.equal(done.body.user.username, 'setup-user');
        // From now on the user is asked for a TOTP code.
        strict.emulator.clock.advance(31_000);
        const next = await request(strictWeb.server).post('/login').send({ username: 'setup-user', password: PASSWORD }).expect(401);
        assert.equal(next.body.challenge, 'SOFTWARE_TOKEN_MFA');
      });
    });

    describe('ADMIN_USER_PASSWORD_AUTH', function () {
      it('signs in with AdminInitiateAuth and answers a challenge through the admin API', async function () {
        const admin = await startApp(flavor, { pool, strategy: { authFlow: 'ADMIN_USER_PASSWORD_AUTH' } });
        try {
          const username = fresh('admin-flow');
          await pool.createUser(username, PASSWORD);
          pool.emulator.resetCalls();
          const res = await request(admin.server).post('/login').send({ username, password: PASSWORD }).expect(200);
          assert.equal(res.body.user.username, username);
          assert.equal(pool.emulator.calls('AdminInitiateAuth'), 1);
          assert.equal(pool.emulator.calls('InitiateAuth'), 0);

          const mfaUser = fresh('admin-totp');
          await pool.createUser(mfaUser, PASSWORD);
          const secret = await enrolTotp(pool, mfaUser, PASSWORD);
          const agent = request.agent(admin.server);
          const first = await agent.post('/login').send({ username: mfaUser, password: PASSWORD }).expect(401);
          assert.equal(first.body.challenge, 'SOFTWARE_TOKEN_MFA');
          pool.emulator.resetCalls();
          await agent.post('/login').send({ code: totpNow(pool, secret) }).expect(200);
          assert.equal(pool.emulator.calls('AdminRespondToAuthChallenge'), 1);
          assert.equal(pool.emulator.calls('RespondToAuthChallenge'), 0);

          const wrong = await request(admin.server).post('/login').send({ username, password: 'nope-nope-nope' }).expect(401);
          assert.equal(wrong.body.code, 'ERR_COGNITO_BAD_CREDENTIALS');
        } finally {
          await admin.close();
        }
      });
    });

    describe('Cognito throttling or unreachable', function () {
      it('throttled → error with status 429 (and retryAfterSeconds) for the app\'s error handler', async function () {
        const username = fresh('throttled');
        await pool.createUser(username, PASSWORD);
        pool.emulator.setFaults({ throttle: true, operations: ['InitiateAuth'] });
        const res = await request(web.server).post('/login').send({ username, password: PASSWORD }).expect(429);
        assert.equal(res.body.code, 'ERR_COGNITO_THROTTLED');
        assert.ok(res.headers['retry-after']);
      });

      it('unavailable → error with status 503', async function () {
        const username = fresh('down');
        await pool.createUser(username, PASSWORD);
        pool.emulator.setFaults({ serverError: true, operations: ['InitiateAuth'] });
        const res = await request(web.server).post('/login').send({ username, password: PASSWORD }).expect(503);
        assert.equal(res.body.code, 'ERR_COGNITO_UNAVAILABLE');
      });
    });

    describe('verify callback and options', function () {
      it('verify(tokens, claims, done) maps the user; false refuses the login; a throw is an error', async function () {
        const seen: Array<{ tokens: Record<string, unknown>; claims: Record<string, unknown> }> = [];
        const custom = await startApp(flavor, {
          pool,
          verify: (tokens, claims, done) => {
            seen.push({ tokens: tokens as never, claims });
            if (claims['cognito:username'] === 'refused-user') return done(null, false, { message: 'Not on the list.' });
            if (claims['cognito:username'] === 'throwing-user') throw new Error('verify blew up');
            done(null, { id: claims.sub, name: claims['cognito:username'] });
          },
        });
        try {
          await pool.createUser('mapped-user', PASSWORD);
          await pool.createUser('refused-user', PASSWORD);
          await pool.createUser('throwing-user', PASSWORD);
          const ok = await request(custom.server).post('/login').send({ username: 'mapped-user', password: PASSWORD }).expect(200);
          assert.deepEqual(Object.keys(ok.body.user).sort(), ['id', 'name']);
          assert.equal(ok.body.user.name, 'mapped-user');
          const { tokens, claims } = seen[0];
          assert.match(String(tokens.accessToken), /^eyJ/);
          assert.match(String(tokens.idToken), /^eyJ/);
          assert.ok(tokens.refreshToken);
          assert.equal(tokens.tokenType, 'Bearer');
          assert.equal(typeof tokens.expiresAt, 'number');
          assert.equal(claims.token_use, 'id');
          const refused = await request(custom.server).post('/login').send({ username: 'refused-user', password: PASSWORD }).expect(401);
          assert.equal(refused.body.message, 'Not on the list.');
          const thrown = await request(custom.server).post('/login').send({ username: 'throwing-user', password: PASSWORD }).expect(500);
          assert.equal(thrown.body.message, 'verify blew up');
        } finally {
          await custom.close();
        }
      });

      it('passReqToCallback gives req first; storeTokensOnUser puts the tokens on the default user', async function () {
        let gotReq = false;
        const withReq = await startApp(flavor, {
          pool,
          strategy: { passReqToCallback: true },
          verify: ((req: any, _tokens: unknown, claims: Record<string, unknown>, done: (e: unknown, u?: unknown) => void) => {
            gotReq = typeof req?.body === 'object' && req.body.username === claims['cognito:username'];
            done(null, { sub: claims.sub });
          }) as never,
        });
        const onUser = await startApp(flavor, { pool, strategy: { storeTokensOnUser: true } });
        try {
          await pool.createUser('req-user', PASSWORD);
          await request(withReq.server).post('/login').send({ username: 'req-user', password: PASSWORD }).expect(200);
          assert.equal(gotReq, true);
          const res = await request(onUser.server).post('/login').send({ username: 'req-user', password: PASSWORD }).expect(200);
          assert.match(res.body.user.tokens.accessToken, /^eyJ/);
        } finally {
          await withReq.close();
          await onUser.close();
        }
      });

      it('custom field names (bracket notation too)', async function () {
        const named = await startApp(flavor, { pool, strategy: { usernameField: 'user[email]', passwordField: 'secret' } });
        try {
          await pool.createUser('field-user', PASSWORD);
          await request(named.server).post('/login').send({ user: { email: 'field-user' }, secret: PASSWORD }).expect(200);
          await request(named.server).post('/login').send({ username: 'field-user', password: PASSWORD }).expect(400);
        } finally {
          await named.close();
        }
      });
    });
  });
}

describe('CognitoStrategy construction', function () {
  const base = { userPoolId: 'us-east-1_Test1', clientId: 'client1', endpoint: 'http://127.0.0.1:1' };

  it('is named "cognito" and takes (options, verify) or (verify) alone', function () {
    assert.equal(new CognitoStrategy(base).name, 'cognito');
    const prev = { ...process.env };
    process.env.COGNITO_USER_POOL_ID = base.userPoolId;
    process.env.COGNITO_CLIENT_ID = base.clientId;
    try {
      assert.equal(new CognitoStrategy((_t, _c, done) => done(null, {})).name, 'cognito');
    } finally {
      process.env = prev;
    }
  });

  it('throws TypeError naming a bad option, and calls nothing', function () {
    assert.throws(() => new CognitoStrategy({ ...base, authFlow: 'USER_PASSWORD_AUTH' as never }), /"authFlow"/);
    assert.throws(() => new CognitoStrategy({ ...base, usernameField: '' }), /"usernameField"/);
    assert.throws(() => new CognitoStrategy({ ...base, challengeTtlSeconds: 0 }), /"challengeTtlSeconds"/);
    assert.throws(() => new CognitoStrategy({ ...base, passReqToCallback: 'yes' as never }), /"passReqToCallback"/);
    assert.throws(() => new CognitoStrategy({ ...base, totpIssuer: 'a:b' }), /"totpIssuer"/);
    assert.throws(() => new CognitoStrategy(base, 'verify' as never), /"verify"/);
    assert.throws(() => new CognitoStrategy({ ...base, userPoolId: 'nope' }), TypeError);
  });
});
