import { strict as assert } from 'node:assert';
import session from 'express-session';
import request from 'supertest';
import { cognitoCsrf, CsrfTokenError } from '../../middleware/cognito-csrf';
import { EXPRESS_FLAVORS } from '../support/app';

for (const flavor of EXPRESS_FLAVORS) {
  describe(`middleware/cognito-csrf (${flavor.name})`, () => {
    function app(options?: Parameters<typeof cognitoCsrf>[0]): unknown {
      const express = flavor.load();
      const a = express();
      a.use(session({ secret: 'test-secret', resave: false, saveUninitialized: false }));
      a.use(express.urlencoded({ extended: false }));
      a.use(express.json());
      a.use(cognitoCsrf(options));
      a.get('/form', (req: any, res: any) => res.json({ token: req.csrfToken(), local: res.locals.csrfToken }));
      a.get('/plain', (_req: any, res: any) => res.json({ ok: true }));
      a.post('/submit', (_req: any, res: any) => res.json({ ok: true }));
      a.use((err: unknown, _req: unknown, res: any, _next: unknown) => {
        if (err instanceof CsrfTokenError) return res.status(err.status).json({ code: err.code, message: err.message });
        res.status(500).json({ message: (err as Error).message });
      });
      return a;
    }

    it('a form page gets a token (also in res.locals); the POST with it passes', async () => {
      const agent = request.agent(app() as never);
      const page = await agent.get('/form').expect(200);
      assert.match(page.body.token, /^[A-Za-z0-9_-]{43}$/);
      assert.equal(page.body.local, page.body.token);
      await agent.post('/submit').type('form').send({ _csrf: page.body.token }).expect(200);
      await agent.post('/submit').set('X-CSRF-Token', page.body.token).send({}).expect(200);
    });

    it('refused with 403 ERR_COGNITO_CSRF: no token, a wrong one, another session\'s, an over-long one', async () => {
      const a = app();
      const agent = request.agent(a as never);
      const { body } = await agent.get('/form');
      const other = (await request.agent(a as never).get('/form')).body.token as string;
      for (const sent of [{}, { _csrf: 'x'.repeat(43) }, { _csrf: other }, { _csrf: `${body.token}x` }, { _csrf: 'y'.repeat(10_000) }, { _csrf: ['a'] }]) {
        const res = await agent.post('/submit').send(sent).expect(403);
        assert.equal(res.body.code, 'ERR_COGNITO_CSRF');
        assert.ok(!JSON.stringify(res.body).includes(body.token as string), 'the token is never echoed');
      }
      // No session at all (a cross-site POST from a fresh browser).
      await request(a as never).post('/submit').type('form').send({ _csrf: body.token }).expect(403);
    });

    it('pages without a form store no session; safe methods are never checked', async () => {
      const res = await request(app() as never).get('/plain').expect(200);
      assert.equal(res.headers['set-cookie'], undefined);
    });

    it('options: field and header names, ignored methods; bad options are a TypeError', async () => {
      const agent = request.agent(app({ fieldName: 'token', headerName: 'X-Token' }) as never);
      const { body } = await agent.get('/form');
      await agent.post('/submit').send({ token: body.token }).expect(200);
      await agent.post('/submit').set('X-Token', body.token).send({}).expect(200);
      await agent.post('/submit').send({ _csrf: body.token }).expect(403);
      await agent.post('/submit').set('X-CSRF-Token', body.token).send({}).expect(403);
      await request(app({ ignoreMethods: ['GET', 'post'] }) as never).post('/submit').send({}).expect(200);
      assert.throws(() => cognitoCsrf({ fieldName: '' }), TypeError);
      assert.throws(() => cognitoCsrf({ headerName: 'bad header' }), TypeError);
      assert.throws(() => cognitoCsrf({ ignoreMethods: 'GET' as never }), TypeError);
    });

    it('without express-session: a clear error, not a pass', async () => {
      const express = flavor.load();
      const a = express();
      a.use(cognitoCsrf());
      a.post('/submit', (_req: any, res: any) => res.json({ ok: true }));
      a.use((err: Error, _req: unknown, res: any, _next: unknown) => res.status(500).json({ message: err.message }));
      const res = await request(a).post('/submit').expect(500);
      assert.match(res.body.message, /needs express-session/);
    });
  });
}
