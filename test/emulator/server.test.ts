/**
 * The emulator's HTTP surface: AWS JSON 1.1 error shapes for malformed requests, body limits,
 * CORS, injected faults as the SDK and jose see them, and call counting.
 */
import assert from 'node:assert/strict';
import { GetUserCommand, InitiateAuthCommand } from '@aws-sdk/client-cognito-identity-provider';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startEmulator } from '../../lib/emulator';
import { createClock } from '../../lib/emulator/clock';
import type { EmulatorContext } from '../../lib/emulator/context';
import type { EmulatorFaults } from '../../lib/emulator/faults';
import { createRequestListener } from '../../lib/emulator/server';
import { EmulatorStore } from '../../lib/emulator/store';
import { TriggerRegistry } from '../../lib/emulator/triggers';
import { startTestPool, type TestPool } from '../support/pool';
import { rejects } from './helpers';

const TARGET = 'AWSCognitoIdentityProviderService.';

describe('emulator: HTTP surface, faults and call counts', () => {
  let pool: TestPool;
  const post = (target: string | undefined, body: string | Buffer) =>
    fetch(pool.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', ...(target ? { 'x-amz-target': target } : {}) },
      body,
    });
  const login = () =>
    pool.sdk.send(new InitiateAuthCommand({ ClientId: pool.clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'alice', PASSWORD: 'Passw0rd!' } }));

  before(async () => {
    pool = await startTestPool();
    await pool.createUser('alice', 'Passw0rd!');
  });
  after(() => pool.stop());
  afterEach(() => pool.emulator.clearFaults());

  describe('protocol errors', () => {
    it('bad JSON is a 400 SerializationException with x-amzn-ErrorType', async () => {
      const res = await post(`${TARGET}InitiateAuth`, '{not json');
      assert.equal(res.status, 400);
      assert.equal(res.headers.get('x-amzn-errortype'), 'SerializationException');
      assert.equal(res.headers.get('content-type'), 'application/x-amz-json-1.1');
      assert.ok(res.headers.get('x-amzn-requestid'));
      assert.equal(((await res.json()) as { __type: string }).__type, 'SerializationException');
    });

    it('a member of the wrong type is a SerializationException', async () => {
      const res = await post(`${TARGET}InitiateAuth`, JSON.stringify({ ClientId: 5, AuthFlow: 'USER_PASSWORD_AUTH' }));
      assert.equal(res.status, 400);
      assert.equal(((await res.json()) as { __type: string }).__type, 'SerializationException');
    });

    it('an unknown or missing target is an UnknownOperationException', async () => {
      for (const target of [`${TARGET}LaunchRocket`, 'SomethingElse.InitiateAuth', undefined]) {
        const res = await post(target, '{}');
        assert.equal(res.status, 400);
        assert.equal(((await res.json()) as { __type: string }).__type, 'UnknownOperationException');
      }
    });

    it('a body over 1 MiB is refused with 413', async () => {
      const res = await post(`${TARGET}InitiateAuth`, Buffer.alloc(1024 * 1024 + 10, 0x20));
      assert.equal(res.status, 413);
      await res.arrayBuffer();
    });

    it('an unexpected internal error is a 500 InternalErrorException that leaks nothing', async () => {
      // A context whose store is missing makes every handler throw a TypeError.
      const server = createServer(
        createRequestListener({
          ctx: { store: undefined } as never, faults: () => ({}), count: () => undefined, delay: () => Promise.resolve(),
        }),
      );
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      try {
        const { port } = server.address() as AddressInfo;
        const res = await fetch(`http://127.0.0.1:${port}/`, {
          method: 'POST',
          headers: { authorization: 'AWS4-HMAC-SHA256 x', 'x-amz-target': `${TARGET}DescribeUserPool` },
          body: JSON.stringify({ UserPoolId: 'us-east-1_x' }),
        });
        assert.equal(res.status, 500);
        assert.deepEqual(await res.json(), { __type: 'InternalErrorException', message: 'Internal server error.' });
      } finally {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      }
    });

    it('unknown paths are 404 JSON; OPTIONS answers CORS preflights', async () => {
      const res = await fetch(`${pool.endpoint}/nothing/here`);
      assert.equal(res.status, 404);
      await res.json();
      const preflight = await fetch(pool.endpoint, { method: 'OPTIONS' });
      assert.equal(preflight.status, 204);
      assert.equal(preflight.headers.get('access-control-allow-origin'), '*');
    });
  });

  describe('faults', () => {
    it('throttle surfaces as TooManyRequestsException "Rate exceeded" (HTTP 400)', async () => {
      pool.emulator.setFaults({ throttle: true });
      const error = await rejects(login(), 'TooManyRequestsException', 'Rate exceeded');
      assert.equal(error.$metadata?.httpStatusCode, 400);
    });

    it('serverError surfaces as a 500 InternalErrorException', async () => {
      pool.emulator.setFaults({ serverError: true });
      const error = await rejects(login(), 'InternalErrorException');
      assert.equal(error.$metadata?.httpStatusCode, 500);
      assert.equal(error.$fault, 'server');
    });

    it('faults can be limited to some operations', async () => {
      const tokens = (await login()).AuthenticationResult!;
      pool.emulator.setFaults({ throttle: true, operations: ['InitiateAuth'] });
      await rejects(login(), 'TooManyRequestsException');
      assert.equal((await pool.sdk.send(new GetUserCommand({ AccessToken: tokens.AccessToken }))).Username, 'alice');
    });

    it('latency holds the answer until the delay is over, then handles the request; without it, no delay', async () => {
      // The listener with a delay the test releases, and a context that records when the operation
      // first touches it: an answer before the release, or an operation run during the delay, shows
      // in the order of events. No clock is read.
      const events: string[] = [];
      let faults: EmulatorFaults = { latencyMs: 150 };
      let delayed!: () => void;
      const delayCalled = new Promise<void>((resolve) => (delayed = resolve));
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      const ctx: EmulatorContext = {
        get store() {
          events.push('operation');
          return new EmulatorStore();
        },
        clock: createClock(),
        region: 'us-east-1',
        issuer: (poolId) => `http://127.0.0.1/${poolId}`,
        triggers: new TriggerRegistry(undefined),
      };
      const listener = createRequestListener({
        ctx,
        faults: () => faults,
        count: () => undefined,
        delay: (ms) => {
          events.push(`delay ${ms}`);
          delayed();
          return released;
        },
      });
      const server = createServer((req, res) => {
        res.on('finish', () => events.push('answered'));
        listener(req, res);
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      try {
        const { port } = server.address() as AddressInfo;
        const initiateAuth = () =>
          fetch(`http://127.0.0.1:${port}/`, {
            method: 'POST',
            headers: { 'x-amz-target': `${TARGET}InitiateAuth` },
            body: JSON.stringify({ ClientId: 'no-such-client', AuthFlow: 'USER_PASSWORD_AUTH' }),
          });
        const held = initiateAuth();
        await delayCalled;
        events.push('released');
        release();
        const res = await held;
        assert.equal(res.headers.get('x-amzn-errortype'), 'ResourceNotFoundException');
        await res.arrayBuffer();
        assert.deepEqual(events, ['delay 150', 'released', 'operation', 'answered']);

        events.length = 0;
        faults = {};
        const quick = await initiateAuth();
        assert.equal(quick.headers.get('x-amzn-errortype'), 'ResourceNotFoundException');
        await quick.arrayBuffer();
        assert.deepEqual(events, ['operation', 'answered'], 'no delay once the fault is cleared');
      } finally {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      }
    });

    it('jwksDown makes the JWKS answer 503, so jose cannot verify; clearFaults restores it', async () => {
      const tokens = (await login()).AuthenticationResult!;
      const issuer = pool.emulator.issuer(pool.poolId);
      pool.emulator.setFaults({ jwksDown: true });
      const res = await fetch(`${issuer}/.well-known/jwks.json`);
      assert.equal(res.status, 503);
      await res.json();
      await assert.rejects(jwtVerify(tokens.IdToken!, createRemoteJWKSet(new URL(`${issuer}/.well-known/jwks.json`)), { issuer }));
      pool.emulator.clearFaults();
      await jwtVerify(tokens.IdToken!, createRemoteJWKSet(new URL(`${issuer}/.well-known/jwks.json`)), { issuer });
    });

    it('setFaults refuses malformed faults with a TypeError', () => {
      assert.throws(() => pool.emulator.setFaults({ latencyMs: -1 }), TypeError);
      assert.throws(() => pool.emulator.setFaults({ throttle: 'yes' as never }), TypeError);
      assert.throws(() => pool.emulator.setFaults({ operations: 'InitiateAuth' as never }), TypeError);
    });

    it('stop() does not wait for a request held by latency', async () => {
      const emulator = await startEmulator();
      emulator.setFaults({ latencyMs: 60_000 });
      const pending = fetch(emulator.endpoint, { method: 'POST', headers: { 'x-amz-target': `${TARGET}GetUser` }, body: '{}' }).then(
        (r) => r.status,
        () => 'closed',
      );
      while (emulator.calls('GetUser') === 0) await new Promise<void>((resolve) => setImmediate(resolve));
      // The request is in: a stop() that waited for its 60 s latency would outlast mocha's timeout.
      await emulator.stop();
      assert.ok(['closed', 400].includes(await pending));
    });
  });

  describe('call counting', () => {
    it('counts requests per operation, JWKS GETs as "jwks", and in total', async () => {
      pool.emulator.resetCalls();
      assert.equal(pool.emulator.calls(), 0);
      await login();
      await login();
      await rejects(pool.sdk.send(new GetUserCommand({ AccessToken: 'nope' })), 'NotAuthorizedException');
      await (await fetch(`${pool.emulator.issuer(pool.poolId)}/.well-known/jwks.json`)).json();
      assert.equal(pool.emulator.calls('InitiateAuth'), 2);
      assert.equal(pool.emulator.calls('GetUser'), 1);
      assert.equal(pool.emulator.calls('jwks'), 1);
      assert.equal(pool.emulator.calls('RevokeToken'), 0);
      assert.equal(pool.emulator.calls(), 4);
      pool.emulator.resetCalls();
      assert.equal(pool.emulator.calls(), 0);
    });

    it('counts throttled requests too', async () => {
      pool.emulator.resetCalls();
      pool.emulator.setFaults({ throttle: true });
      await rejects(login(), 'TooManyRequestsException');
      assert.equal(pool.emulator.calls('InitiateAuth'), 1);
    });
  });
});
