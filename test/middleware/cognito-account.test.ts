// cognitoAccount(): the anonymous account routes over HTTP against the emulator — each route's
// success and failures, answers that cannot tell accounts apart (ENABLED and LEGACY clients, byte for
// byte), limits before Cognito, and the browser's Post/Redirect/Get with the flash.
import { strict as assert } from 'node:assert';
import express from 'express';
import session from 'express-session';
import request from 'supertest';
import { Cognito } from '../../lib/cognito';
import { resolveConfig } from '../../lib/config';
import { accountFlash, cognitoAccount, type CognitoAccountOptions } from '../../middleware/cognito-account';
import { poolOptions } from '../support/app';
import { startTestPool, type TestPool } from '../support/pool';

const PASSWORD = 'Corr3ct-horse!';
/** Long enough, but no uppercase letter: the default policy refuses it. */
const WEAK = 'corr3ct-horse!';
const HTML = 'text/html,application/xhtml+xml';

describe('cognitoAccount() routes', function () {
  this.timeout(30_000);
  for (const prevent of ['ENABLED', 'LEGACY'] as const) {
    describe(`PreventUserExistenceErrors ${prevent}`, () => {
      let pool: TestPool;
      let n = 0;
      const fresh = (p: string): string => `${p}-${prevent.toLowerCase()}-${++n}`;
      const codeOf = (username: string): string => {
        const code = pool.emulator.outbox({ username }).at(-1)?.code;
        assert.ok(code !== undefined, `a code for ${username}`);
        return code;
      };
      const makeApp = (extra: Partial<CognitoAccountOptions> = {}, parse = true): express.Express => {
        const app = express();
        app.set('trust proxy', true);
        app.use(session({ secret: 'test', resave: false, saveUninitialized: false }));
        if (parse) app.use(express.json(), express.urlencoded({ extended: false }));
        app.use('/account', cognitoAccount({
          ...poolOptions(pool), pages: { 'sign-up': '/sign-up', confirm: '/confirm', forgot: '/forgot', reset: '/reset', signIn: '/login' }, ...extra,
        }));
        for (const page of ['/sign-up', '/confirm', '/forgot', '/reset', '/login']) app.get(page, (req, res) => res.json(accountFlash(req) ?? null));
        return app;
      };
      let app: express.Express;
      // Each test's requests come from their own address, so the per-IP limits do not add up across tests.
      let ip = 0;
      const from = (): string => `10.1.${Math.floor(++ip / 250)}.${ip % 250}`;

      before(async () => {
        pool = await startTestPool({ poolOptions: { AutoVerifiedAttributes: ['email'] }, clientOptions: { PreventUserExistenceErrors: prevent } });
        app = makeApp();
      });
      after(() => pool.stop());

      it('sign-up → confirm with the code sent → the account signs in', async () => {
        const username = fresh('ann');
        const addr = from();
        const up = await request(app).post('/account/sign-up').set('X-Forwarded-For', addr)
          .send({ username, password: PASSWORD, email: `${username}@example.com` }).expect(200);
        assert.deepEqual(up.body, { ok: true, next: 'confirm', codeDelivery: { destination: 'a***@e***', deliveryMedium: 'EMAIL', attributeName: 'email' } });
        const done = await request(app).post('/account/confirm').set('X-Forwarded-For', addr).send({ username, code: codeOf(username) }).expect(200);
        assert.deepEqual(done.body, { ok: true, next: 'signIn' });
        await Cognito.fromConfig(resolveConfig(poolOptions(pool)), { username }).authenticate(PASSWORD);
      });

      it('forgot → reset with the code → the new password signs in', async () => {
        const username = fresh('bob');
        await pool.createUser(username, PASSWORD, { attributes: { email: `${username}@example.com`, email_verified: 'true' } });
        const addr = from();
        await request(app).post('/account/forgot').set('X-Forwarded-For', addr).send({ username }).expect(200, { ok: true, next: 'reset' });
        await request(app).post('/account/reset').set('X-Forwarded-For', addr)
          .send({ username, code: codeOf(username), newPassword: 'N3w-password!' }).expect(200, { ok: true, next: 'signIn' });
        await Cognito.fromConfig(resolveConfig(poolOptions(pool)), { username }).authenticate('N3w-password!');
      });

      it('answers that cannot tell accounts apart, byte for byte', async () => {
        const existing = fresh('cat');
        await pool.createUser(existing, PASSWORD, { attributes: { email: `${existing}@example.com`, email_verified: 'true' } });
        const unconfirmed = fresh('dan');
        await request(app).post('/account/sign-up').set('X-Forwarded-For', from()).send({ username: unconfirmed, password: PASSWORD }).expect(200);
        const nobody = fresh('nobody');
        const noContact = fresh('eve');
        await pool.createUser(noContact, PASSWORD);
        const corpus: Array<[string, (u: string) => Record<string, string>, string[]]> = [
          ['sign-up', (u) => ({ username: u, password: PASSWORD, email: 'x@example.com' }), [existing, fresh('new')]],
          ['resend', (u) => ({ username: u }), [existing, unconfirmed, nobody]],
          ['forgot', (u) => ({ username: u }), [existing, nobody, noContact]],
          ['confirm', (u) => ({ username: u, code: '000000' }), [existing, unconfirmed, nobody]],
          ['reset', (u) => ({ username: u, code: '000000', newPassword: 'N3w-password!' }), [existing, nobody]],
          // A weak password is refused with the rule it broke, whoever the username names.
          ['sign-up', (u) => ({ username: u, password: WEAK }), [existing, fresh('new')]],
          ['reset', (u) => ({ username: u, code: '000000', newPassword: WEAK }), [existing, unconfirmed, nobody]],
          // Typed with spaces: the same answers.
          ['forgot', (u) => ({ username: ` ${u}\u00a0` }), [existing, nobody]],
          ['confirm', (u) => ({ username: `${u} `, code: '000000' }), [existing, unconfirmed, nobody]],
        ];
        let compared = 0;
        for (const [route, body, users] of corpus) {
          const answers = [];
          for (const u of users) {
            const res = await request(app).post(`/account/${route}`).set('X-Forwarded-For', from()).send(body(u));
            assert.ok(!res.text.includes(u), `${route}: the answer names nobody`);
            answers.push(`${res.status} ${res.text}`);
          }
          assert.equal(new Set(answers).size, 1, `${route}: ${answers.join(' | ')}`);
          compared += answers.length;
        }
        console.log(`      enumeration corpus (${prevent}): ${corpus.length} route rows, ${compared} answers, each row identical byte for byte`);
        const weak = await request(app).post('/account/sign-up').set('X-Forwarded-For', from()).send({ username: existing, password: WEAK }).expect(400);
        assert.deepEqual(weak.body, {
          error: 'invalid_request', code: 'ERR_COGNITO_INVALID_PASSWORD', message: 'Password did not conform with policy: Password must have uppercase characters',
          requirement: 'uppercase',
        });
      });

      it('bad input: a 400 naming the field, before any Cognito call, nothing echoed', async () => {
        pool.emulator.resetCalls();
        const cases: Array<[string, Record<string, unknown>, string]> = [
          ['sign-up', { password: PASSWORD }, 'username'],
          ['sign-up', { username: 'ok', password: '' }, 'password'],
          ['sign-up', { username: 'pad\tded', password: PASSWORD }, 'username'],
          ['sign-up', { username: ' \u00a0 ', password: PASSWORD }, 'username'],
          ['sign-up', { username: 'ok', password: PASSWORD, email: ['a@b.c'] }, 'email'],
          ['confirm', { username: 'ok', code: '12ab56' }, 'code'],
          ['reset', { username: 'ok', code: '123456' }, 'newPassword'],
          ['forgot', { username: 'u'.repeat(300) }, 'username'],
        ];
        for (const [route, body, field] of cases) {
          const res = await request(app).post(`/account/${route}`).set('X-Forwarded-For', from()).send(body).expect(400);
          assert.equal(res.body.field, field, `${route} ${JSON.stringify(body).slice(0, 60)}`);
          assert.match(res.body.code, /^ERR_COGNITO_(MISSING|INVALID)_FIELD$/);
          assert.ok(!res.text.includes(PASSWORD));
        }
        const other = await request(app).get('/account/sign-up').expect(405);
        assert.equal(other.headers.allow, 'POST');
        await request(app).post('/account/nothing-here').send({}).expect(404);
        assert.equal(pool.emulator.calls(), 0);
      });

      it('code guessing stops at the per-username limit, from any address, before Cognito', async () => {
        const username = fresh('gus');
        await request(app).post('/account/sign-up').set('X-Forwarded-For', from())
          .send({ username, password: PASSWORD, email: `${username}@example.com` }).expect(200);
        for (let i = 0; i < 5; i++) {
          await request(app).post('/account/confirm').set('X-Forwarded-For', from()).send({ username, code: String(100000 + i) }).expect(401);
        }
        pool.emulator.resetCalls();
        const limited = await request(app).post('/account/confirm').set('X-Forwarded-For', from()).send({ username, code: codeOf(username) }).expect(429);
        assert.equal(limited.body.code, 'ERR_COGNITO_THROTTLED');
        assert.ok(Number(limited.headers['retry-after']) > 0);
        assert.equal(pool.emulator.calls(), 0, 'Cognito was not asked');
      });

      it('a username typed with surrounding spaces signs up, confirms and signs in as the trimmed name', async () => {
        const username = fresh('ivy');
        const addr = from();
        await request(app).post('/account/sign-up').set('X-Forwarded-For', addr)
          .send({ username: ` ${username} `, password: PASSWORD, email: `${username}@example.com` }).expect(200);
        assert.equal(pool.emulator.outbox({ username }).length, 1, 'Cognito was sent the trimmed name');
        await request(app).post('/account/confirm').set('X-Forwarded-For', addr)
          .send({ username: `\u00a0${username}\t`, code: codeOf(username) }).expect(200, { ok: true, next: 'signIn' });
        await Cognito.fromConfig(resolveConfig(poolOptions(pool)), { username }).authenticate(PASSWORD);
      });

      it('"ann" and "ann " count in one per-username bucket', async () => {
        const a = makeApp({ rateLimits: { code: { perUser: { limit: 2, windowSeconds: 60 } } } });
        const username = fresh('jay');
        await request(a).post('/account/confirm').set('X-Forwarded-For', from()).send({ username: `${username} `, code: '000000' }).expect(401);
        await request(a).post('/account/confirm').set('X-Forwarded-For', from()).send({ username: `\u00a0${username}`, code: '000000' }).expect(401);
        pool.emulator.resetCalls();
        const limited = await request(a).post('/account/confirm').set('X-Forwarded-For', from()).send({ username, code: '000000' }).expect(429);
        assert.equal(limited.body.code, 'ERR_COGNITO_THROTTLED');
        assert.equal(pool.emulator.calls(), 0, 'Cognito was not asked');
      });

      it('one address trying many usernames stops at the per-IP limit', async () => {
        const a = makeApp({ rateLimits: { send: { perIp: { limit: 3, windowSeconds: 60 } } } });
        const addr = from();
        for (let i = 0; i < 3; i++) await request(a).post('/account/forgot').set('X-Forwarded-For', addr).send({ username: fresh('x') }).expect(200);
        await request(a).post('/account/forgot').set('X-Forwarded-For', addr).send({ username: fresh('x') }).expect(429);
      });

      it('a browser form: 303 to the next page, the answer in the flash (read once); failures back to the form', async () => {
        const agent = request.agent(app);
        const username = fresh('hal');
        const up = await agent.post('/account/sign-up').set('Accept', HTML).set('X-Forwarded-For', from()).type('form')
          .send({ username, password: PASSWORD, email: `${username}@example.com` }).expect(303);
        assert.equal(up.headers.location, '/confirm');
        const flash = await agent.get('/confirm').expect(200);
        assert.deepEqual(flash.body, { route: 'sign-up', ok: true, username, destination: 'h***@e***' });
        assert.equal((await agent.get('/confirm')).body, null, 'read once');
        const wrong = await agent.post('/account/confirm').set('Accept', HTML).set('X-Forwarded-For', from()).type('form')
          .send({ username, code: '000000' }).expect(303);
        assert.equal(wrong.headers.location, '/confirm');
        const err = (await agent.get('/confirm')).body;
        assert.deepEqual(err, {
          route: 'confirm', ok: false, code: 'ERR_COGNITO_CODE_MISMATCH', message: 'The code is wrong or has expired; check it or ask for a new one.',
          username,
        });
      });

      it('a browser form\'s failure flash has the username as read (to fill the form again), and a weak password\'s rule', async () => {
        const agent = request.agent(app);
        const nobody = fresh('kit');
        await agent.post('/account/reset').set('Accept', HTML).set('X-Forwarded-For', from()).type('form')
          .send({ username: ` ${nobody} `, code: '000000', newPassword: 'N3w-password!' }).expect(303).expect('Location', '/reset');
        assert.deepEqual((await agent.get('/reset')).body, {
          route: 'reset', ok: false, code: 'ERR_COGNITO_CODE_MISMATCH', message: 'The code is wrong or has expired; check it or ask for a new one.',
          username: nobody,
        });
        await agent.post('/account/sign-up').set('Accept', HTML).set('X-Forwarded-For', from()).type('form')
          .send({ username: nobody, password: WEAK }).expect(303).expect('Location', '/sign-up');
        const weak = (await agent.get('/sign-up')).body;
        assert.deepEqual(weak, {
          route: 'sign-up', ok: false, code: 'ERR_COGNITO_INVALID_PASSWORD', message: 'Password did not conform with policy: Password must have uppercase characters',
          username: nobody, requirement: 'uppercase',
        });
        assert.ok(!JSON.stringify(weak).includes(WEAK), 'never the password');
        await agent.post('/account/confirm').set('Accept', HTML).set('X-Forwarded-For', from()).type('form')
          .send({ username: 'bad\tname', code: '000000' }).expect(303);
        const bad = (await agent.get('/confirm')).body;
        assert.equal(bad.field, 'username');
        assert.equal(bad.username, undefined, 'a username that could not be read is not kept');
      });

      it('without a body parser in front: JSON and forms are read; an oversized body is a 400', async () => {
        const bare = makeApp({}, false);
        await request(bare).post('/account/forgot').set('X-Forwarded-For', from()).send({ username: fresh('ida') }).expect(200);
        await request(bare).post('/account/forgot').set('X-Forwarded-For', from()).type('form').send({ username: fresh('ida') }).expect(200);
        await request(bare).post('/account/forgot').set('X-Forwarded-For', from()).set('Content-Type', 'application/json').send('{"username":').expect(400);
        await request(bare).post('/account/forgot').set('X-Forwarded-For', from()).send({ username: 'x', pad: 'y'.repeat(20_000) }).expect(400);
      });

      it('bad options are TypeErrors', () => {
        const base = poolOptions(pool);
        assert.throws(() => cognitoAccount({ ...base, hideAccounts: 'yes' as never }), TypeError);
        assert.throws(() => cognitoAccount({ ...base, pages: { confirm: 'https://evil.example/' } }), /pages\.confirm/);
        assert.throws(() => cognitoAccount({ ...base, pages: { nowhere: '/x' } as never }), /pages\.nowhere/);
        assert.throws(() => cognitoAccount({ ...base, rateLimits: { code: { perUser: { limit: 0, windowSeconds: 1 } } } }), /rateLimits\.code\.perUser/);
        assert.throws(() => cognitoAccount({ ...base, signUpAttributes: ['bad name'] }), TypeError);
        assert.throws(() => cognitoAccount({ ...base, rateLimitStore: {} as never }), TypeError);
      });
    });
  }
});
