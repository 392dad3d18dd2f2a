// docs/examples/quickstart.ts, the README's first integration snippet, as a newcomer runs it: configured
// by the environment only, against an in-process emulator seeded with the demo pool, over real HTTP
// with a cookie jar. And the README's code block is that file, byte for byte.
import { strict as assert } from 'node:assert';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import request from 'supertest';
import type { Express } from 'express';
import { DEMO_SEED, DEMO_TOTP_SECRET, startEmulator, type Emulator } from 'express-cognito/emulator';
import { generateTotp } from '../../lib/totp';

const ROOT = join(__dirname, '..', '..');
const QUICKSTART = join(ROOT, 'docs', 'examples', 'quickstart.ts');
const HTML = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
const ENV_KEYS = ['SESSION_SECRET', 'COGNITO_USER_POOL_ID', 'COGNITO_CLIENT_ID', 'COGNITO_CLIENT_SECRET', 'COGNITO_ENDPOINT', 'AWS_REGION'];

type Agent = ReturnType<typeof request.agent>;

function csrfOf(page: string): string {
  const m = /name="_csrf" value="([^"]+)"/.exec(page);
  assert.ok(m, `the page has a CSRF field: ${page}`);
  return m[1];
}

/** The environment the README tells a newcomer to set, here pointing at the test's emulator. */
function quickstartEnv(emulator: Emulator, poolId: string, clientId: string): Record<string, string> {
  return {
    SESSION_SECRET: 'quickstart test secret',
    COGNITO_USER_POOL_ID: poolId,
    COGNITO_CLIENT_ID: clientId,
    COGNITO_ENDPOINT: emulator.endpoint,
    AWS_REGION: emulator.region,
  };
}

/** process.env without the keys the quickstart reads, so a developer's own settings never leak in. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of ENV_KEYS) delete env[key];
  return env;
}

describe('docs/examples/quickstart.ts', function () {
  it('is the code block of the README\'s "Add Cognito to your Express app", byte for byte', function () {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const start = readme.indexOf('\n## Add Cognito to your Express app\n');
    assert.ok(start >= 0, 'the section exists');
    const end = readme.indexOf('\n## ', start + 1);
    const section = readme.slice(start, end < 0 ? undefined : end);
    const block = /\n```ts\n([\s\S]*?)```\n/.exec(section);
    assert.ok(block, 'the section has a ts code block');
    assert.equal(block[1], readFileSync(QUICKSTART, 'utf8'));
    assert.match(section, /docs\/examples\/quickstart\.ts/);
    for (const name of ['SESSION_SECRET', 'COGNITO_USER_POOL_ID', 'COGNITO_CLIENT_ID', 'COGNITO_CLIENT_SECRET', 'AWS_REGION', 'cognito-emulator --demo']) {
      assert.ok(section.includes(name), `the section mentions ${name}`);
    }
  });

  it('refuses to start without SESSION_SECRET, saying so', function () {
    const run = spawnSync(process.execPath, ['--import', 'tsx', QUICKSTART], { cwd: ROOT, env: cleanEnv(), encoding: 'utf8', timeout: 15_000 });
    assert.notEqual(run.status, 0);
    assert.match(run.stderr, /SESSION_SECRET is not set/);
  });

  describe('against the emulator (demo pool)', function () {
    let emulator: Emulator;
    let poolId: string;
    let clientId: string;
    let app: Express;

    before(async function () {
      emulator = await startEmulator();
      const pool = (await emulator.seed(DEMO_SEED)).pools.demo;
      poolId = pool.poolId;
      clientId = Object.values(pool.clients)[0].clientId;
      // The app reads its configuration when it is loaded; the environment is put back right after, so
      // that other test files in this mocha worker never see it.
      const saved = Object.fromEntries(ENV_KEYS.map((k) => [k, process.env[k]]));
      Object.assign(process.env, quickstartEnv(emulator, poolId, clientId));
      delete process.env.COGNITO_CLIENT_SECRET;
      try {
        // require, not import(): loaded now (after the environment is set), through tsx's CommonJS hook.
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        ({ app } = require('../../docs/examples/quickstart') as typeof import('../../docs/examples/quickstart'));
      } finally {
        for (const [k, v] of Object.entries(saved)) {
          if (v === undefined) delete process.env[k];
          else process.env[k] = v;
        }
      }
    });

    after(async function () {
      await emulator?.stop();
    });

    async function openLogin(agent: Agent): Promise<string> {
      const res = await agent.get('/login').set('Accept', HTML).expect(200).expect('Content-Type', /text\/html/);
      assert.match(res.text, /<form method="post" action="\/login">/);
      return csrfOf(res.text);
    }

    async function login(agent: Agent, username: string, password: string): Promise<request.Response> {
      const csrf = await openLogin(agent); // first: the agent attaches its cookies when a request is created
      return agent.post('/login').set('Accept', HTML).type('form').send({ _csrf: csrf, username, password });
    }

    async function expectSignedOut(agent: Agent): Promise<void> {
      const res = await agent.get('/').set('Accept', HTML).expect(302);
      assert.equal(res.headers.location, '/login?returnTo=%2F');
    }

    it('sends a visitor who is not signed in to /login, whose form carries a CSRF token', async function () {
      const agent = request.agent(app);
      await expectSignedOut(agent);
      assert.ok((await openLogin(agent)).length >= 40);
      // An API client (no text/html) is told 401 rather than redirected.
      await request(app).get('/').expect(401);
    });

    it('refuses a POST without the session\'s CSRF token (403, no stack trace), before calling Cognito', async function () {
      const agent = request.agent(app);
      const token = await openLogin(agent);
      const calls = emulator.calls('InitiateAuth');
      const res = await agent.post('/login').type('form').send({ username: 'alice', password: 'Passw0rd!' }).expect(403);
      assert.match(res.text, /The form was not sent by this site/);
      assert.doesNotMatch(res.text, /at .*\.ts:\d+/);
      await agent.post('/login').type('form').send({ _csrf: `${token}x`, username: 'alice', password: 'Passw0rd!' }).expect(403);
      await request(app).post('/logout').type('form').send({}).expect(403);
      assert.equal(emulator.calls('InitiateAuth'), calls);
      await expectSignedOut(agent);
    });

    it('a wrong password: the login form again with a message, 401, nobody signed in', async function () {
      const agent = request.agent(app);
      const res = await login(agent, 'alice', 'not-her-password');
      assert.equal(res.status, 401);
      assert.match(res.text, /<p role="alert">Incorrect username or password\.<\/p>/);
      assert.match(res.text, /name="password"/);
      csrfOf(res.text);
      await expectSignedOut(agent);
    });

    it('alice signs in, is greeted, opens /admin (group admin), logs out, and / sends her to /login again', async function () {
      const agent = request.agent(app);
      const res = await login(agent, 'alice', 'Passw0rd!');
      assert.equal(res.status, 303);
      assert.equal(res.headers.location, '/');
      const home = await agent.get('/').set('Accept', HTML).expect(200);
      assert.match(home.text, /Hello, alice!/);
      assert.match(home.text, /<form method="post" action="\/logout">/);
      const admin = await agent.get('/admin').set('Accept', HTML).expect(200);
      assert.match(admin.text, /Admin area: alice is in group admin\./);

      const out = await agent.post('/logout').type('form').send({ _csrf: csrfOf(home.text) }).expect(302);
      assert.equal(out.headers.location, '/login');
      await expectSignedOut(agent);
      await agent.get('/admin').set('Accept', HTML).expect(302);
    });

    it('carol (temporary password): the new-password form, a too weak one is refused, then she is signed in', async function () {
      const agent = request.agent(app);
      const step = await login(agent, 'carol', 'Temp0rary!');
      assert.equal(step.status, 401);
      assert.match(step.text, /The user must set a new password\./);
      assert.match(step.text, /<input name="newPassword" type="password"/);
      assert.doesNotMatch(step.text, /name="username"/);
      await expectSignedOut(agent);

      const weak = await agent.post('/login').type('form').send({ _csrf: csrfOf(step.text), newPassword: 'short' }).expect(400);
      assert.match(weak.text, /<p role="alert">[^<]+<\/p>/);
      assert.match(weak.text, /name="newPassword"/);

      const done = await agent.post('/login').type('form').send({ _csrf: csrfOf(weak.text), newPassword: 'N3w-Passw0rd!' }).expect(303);
      assert.equal(done.headers.location, '/');
      const home = await agent.get('/').set('Accept', HTML).expect(200);
      assert.match(home.text, /Hello, carol!/);
      // Not in group admin.
      await agent.get('/admin').set('Accept', HTML).expect(403);

      // The new password is hers from now on; the temporary one no longer works.
      const again = request.agent(app);
      assert.equal((await login(again, 'carol', 'Temp0rary!')).status, 401);
      assert.equal((await login(request.agent(app), 'carol', 'N3w-Passw0rd!')).status, 303);
    });

    it('bob (TOTP MFA): the code form; a wrong code keeps him on it, the right one signs him in', async function () {
      const agent = request.agent(app);
      const step = await login(agent, 'bob', 'Passw0rd!');
      assert.equal(step.status, 401);
      assert.match(step.text, /<input name="code"/);
      const right = generateTotp(DEMO_TOTP_SECRET, emulator.clock.now());
      const wrong = String((Number(right) + 500_000) % 1_000_000).padStart(6, '0');
      const again = await agent.post('/login').type('form').send({ _csrf: csrfOf(step.text), code: wrong }).expect(401);
      assert.match(again.text, /The code is not valid/);
      assert.match(again.text, /<input name="code"/);
      await agent.post('/login').type('form').send({ _csrf: csrfOf(again.text), code: right }).expect(303);
      assert.match((await agent.get('/').set('Accept', HTML).expect(200)).text, /Hello, bob!/);
    });

    it('run directly, it listens on PORT and serves the login page', async function () {
      const port = await new Promise<number>((resolve) => {
        const probe: Server = createServer().listen(0, '127.0.0.1', () => {
          const { port: free } = probe.address() as AddressInfo;
          probe.close(() => resolve(free));
        });
      });
      const env = { ...cleanEnv(), ...quickstartEnv(emulator, poolId, clientId), PORT: String(port) };
      const child = spawn(process.execPath, ['--import', 'tsx', QUICKSTART], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
      try {
        await new Promise<void>((resolve, reject) => {
          let out = '';
          let err = '';
          child.stdout.on('data', (chunk: Buffer) => {
            out += chunk.toString();
            if (out.includes(`Listening on http://localhost:${port}`)) resolve();
          });
          child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
          child.on('exit', (code) => reject(new Error(`quickstart exited (${code}): ${out}${err}`)));
        });
        const res = await fetch(`http://127.0.0.1:${port}/login`);
        assert.equal(res.status, 200);
        assert.match(await res.text(), /name="_csrf"/);
      } finally {
        child.kill('SIGTERM');
      }
    });
  });
});
