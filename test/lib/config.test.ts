import { strict as assert } from 'node:assert';
import { resolveConfig, type CognitoOptions } from '../../lib/config';
import { systemClock } from '../../lib/clock';

const POOL = 'eu-west-1_AbC123';
const BASE: CognitoOptions = { userPoolId: POOL, clientId: 'client1' };
const JWKS = { keys: [{ kty: 'RSA', kid: 'k1', alg: 'RS256', use: 'sig', n: 'AQAB', e: 'AQAB' }] };
const SECRET = 'Sup3rS3cretValue+/=';

function throwsNaming(fn: () => unknown, option: string, notContaining?: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof TypeError, `expected TypeError, got ${String(e)}`);
    assert.ok(e.message.includes(option), `message ${JSON.stringify(e.message)} should name ${option}`);
    if (notContaining !== undefined) assert.ok(!e.message.includes(notContaining), 'message echoes the value');
    return true;
  });
}

describe('lib/config', () => {
  describe('resolveConfig: options', () => {
    it('resolves the minimum, with defaults', () => {
      const c = resolveConfig(BASE, {});
      assert.equal(c.userPoolId, POOL);
      assert.equal(c.clientId, 'client1');
      assert.deepEqual(c.clientIds, ['client1']);
      assert.equal(c.region, 'eu-west-1');
      assert.equal(c.issuer, 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123');
      assert.equal(c.jwksUri, 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123/.well-known/jwks.json');
      assert.equal(c.leewaySeconds, 5);
      assert.equal(c.jwksCooldownMs, 30_000);
      assert.equal(c.jwksTimeoutMs, 5_000);
      assert.equal(c.clock, systemClock);
      for (const k of ['clientSecret', 'endpoint', 'jwks', 'client'] as const) assert.ok(!(k in c), k);
    });

    it('is frozen, clientIds too', () => {
      const c = resolveConfig(BASE, {});
      assert.ok(Object.isFrozen(c));
      assert.ok(Object.isFrozen(c.clientIds));
      assert.throws(() => { (c as { leewaySeconds: number }).leewaySeconds = 9; }, TypeError);
    });

    it('returns a resolved config unchanged', () => {
      const c = resolveConfig(BASE, {});
      assert.equal(resolveConfig(c, { COGNITO_USER_POOL_ID: 'us-east-1_Other' }), c);
    });

    it('accepts several client ids; the first is used for calls; duplicates dropped', () => {
      const c = resolveConfig({ ...BASE, clientId: ['web', 'mobile', 'web'] }, {});
      assert.equal(c.clientId, 'web');
      assert.deepEqual(c.clientIds, ['web', 'mobile']);
    });

    it('takes every option', () => {
      const clock = (): number => 42;
      const client = { send: () => Promise.resolve({}) };
      const c = resolveConfig({
        userPoolId: 'us-east-1_Xyz', clientId: 'c', clientSecret: SECRET, region: 'us-west-2', endpoint: 'http://127.0.0.1:9229/',
        jwks: JWKS, leewaySeconds: 0, clock, jwksCooldownMs: 0, jwksTimeoutMs: 1, client,
      }, {});
      assert.equal(c.clientSecret, SECRET);
      assert.equal(c.region, 'us-west-2');
      assert.equal(c.endpoint, 'http://127.0.0.1:9229');
      assert.equal(c.issuer, 'http://127.0.0.1:9229/us-east-1_Xyz');
      assert.equal(c.jwksUri, 'http://127.0.0.1:9229/us-east-1_Xyz/.well-known/jwks.json');
      assert.deepEqual(c.jwks, JWKS);
      assert.notEqual(c.jwks, JWKS);
      assert.ok(Object.isFrozen(c.jwks) && Object.isFrozen(c.jwks.keys[0]));
      assert.equal(c.leewaySeconds, 0);
      assert.equal(c.clock, clock);
      assert.equal(c.jwksCooldownMs, 0);
      assert.equal(c.jwksTimeoutMs, 1);
      assert.equal(c.client, client);
    });

    it('keeps an endpoint path, strips trailing slashes', () => {
      assert.equal(resolveConfig({ ...BASE, endpoint: 'https://proxy.example/cognito///' }, {}).endpoint, 'https://proxy.example/cognito');
      assert.equal(resolveConfig({ ...BASE, endpoint: 'https://proxy.example/cognito///' }, {}).issuer, `https://proxy.example/cognito/${POOL}`);
    });

    it('accepts jwks as JSON text', () => {
      assert.deepEqual(resolveConfig({ ...BASE, jwks: JSON.stringify(JWKS) }, {}).jwks, JWKS);
    });

    it('derives the issuer from the pool id even when region / AWS_REGION differ', () => {
      const c = resolveConfig({ ...BASE, region: 'us-east-1' }, {});
      assert.equal(c.region, 'us-east-1');
      assert.equal(c.issuer, `https://cognito-idp.eu-west-1.amazonaws.com/${POOL}`);
    });

    it('ignores unknown extra fields (factories extend the options)', () => {
      assert.equal(resolveConfig({ ...BASE, groups: ['admin'] } as CognitoOptions, {}).clientId, 'client1');
    });

    it('does not mutate the options', () => {
      const opts = { ...BASE, clientId: ['a', 'b'], jwks: JWKS };
      resolveConfig(opts, {});
      assert.deepEqual(opts.clientId, ['a', 'b']);
      assert.ok(!Object.isFrozen(JWKS));
    });
  });

  describe('resolveConfig: environment', () => {
    const ENV = {
      COGNITO_USER_POOL_ID: 'ap-southeast-2_Env1',
      COGNITO_CLIENT_ID: 'envclient',
      COGNITO_CLIENT_SECRET: SECRET,
      AWS_REGION: 'ap-southeast-1',
      COGNITO_ENDPOINT: 'http://localhost:4000/',
      COGNITO_JWKS: JSON.stringify(JWKS),
    };

    it('falls back to every variable', () => {
      const c = resolveConfig({}, ENV);
      assert.equal(c.userPoolId, 'ap-southeast-2_Env1');
      assert.equal(c.clientId, 'envclient');
      assert.equal(c.clientSecret, SECRET);
      assert.equal(c.region, 'ap-southeast-1');
      assert.equal(c.endpoint, 'http://localhost:4000');
      assert.equal(c.issuer, 'http://localhost:4000/ap-southeast-2_Env1');
      assert.deepEqual(c.jwks, JWKS);
    });

    it('options win over the environment', () => {
      const c = resolveConfig({ userPoolId: POOL, clientId: 'opt', clientSecret: 'optsecret', region: 'eu-central-1', endpoint: 'https://e.example', jwks: { keys: [] } }, ENV);
      assert.equal(c.userPoolId, POOL);
      assert.equal(c.clientId, 'opt');
      assert.equal(c.clientSecret, 'optsecret');
      assert.equal(c.region, 'eu-central-1');
      assert.equal(c.endpoint, 'https://e.example');
      assert.deepEqual(c.jwks, { keys: [] });
    });

    it('AWS_REGION, else the pool prefix', () => {
      assert.equal(resolveConfig(BASE, { AWS_REGION: 'us-east-2' }).region, 'us-east-2');
      assert.equal(resolveConfig(BASE, {}).region, 'eu-west-1');
    });

    it('COGNITO_CLIENT_ID may list several ids separated by commas', () => {
      assert.deepEqual(resolveConfig({ userPoolId: POOL }, { COGNITO_CLIENT_ID: 'a, b,c' }).clientIds, ['a', 'b', 'c']);
    });

    it('blank variables count as unset', () => {
      const c = resolveConfig(BASE, { COGNITO_CLIENT_SECRET: '', COGNITO_ENDPOINT: '  ', COGNITO_JWKS: '', AWS_REGION: '' });
      for (const k of ['clientSecret', 'endpoint', 'jwks'] as const) assert.ok(!(k in c), k);
      assert.equal(c.region, 'eu-west-1');
    });

    it('reads process.env by default', () => {
      const saved = process.env.COGNITO_CLIENT_SECRET;
      process.env.COGNITO_CLIENT_SECRET = 'fromprocessenv';
      try {
        assert.equal(resolveConfig(BASE).clientSecret, 'fromprocessenv');
      } finally {
        if (saved === undefined) delete process.env.COGNITO_CLIENT_SECRET; else process.env.COGNITO_CLIENT_SECRET = saved;
      }
    });
  });

  describe('resolveConfig: bad values are TypeErrors naming the option', () => {
    it('missing userPoolId / clientId', () => {
      assert.throws(() => resolveConfig({ clientId: 'c' }, {}), { name: 'TypeError', message: '"userPoolId" is required: pass it or set COGNITO_USER_POOL_ID' });
      assert.throws(() => resolveConfig({ userPoolId: POOL }, {}), { name: 'TypeError', message: '"clientId" is required: pass it or set COGNITO_CLIENT_ID' });
    });

    it('options that are not an object', () => {
      for (const v of [null, 'x', 42, []]) throwsNaming(() => resolveConfig(v as never, {}), 'options');
    });

    it('userPoolId', () => {
      for (const v of ['', 'nounderscore', 'eu-west-1_', '_abc', 'EU-WEST-1_abc', 'eu-west-1_ab-c', 'eu-west-1_a/b', 42, `eu-west-1_${'a'.repeat(60)}`]) {
        throwsNaming(() => resolveConfig({ ...BASE, userPoolId: v as string }, {}), '"userPoolId"');
      }
      throwsNaming(() => resolveConfig({ clientId: 'c' }, { COGNITO_USER_POOL_ID: 'bad' }), '"userPoolId"');
    });

    it('clientId', () => {
      for (const v of ['', 'has space', 'a/b', [], [''], ['ok', 42], 42, {}, 'x'.repeat(129)]) {
        throwsNaming(() => resolveConfig({ ...BASE, clientId: v as string }, {}), '"clientId"');
      }
      throwsNaming(() => resolveConfig({ userPoolId: POOL }, { COGNITO_CLIENT_ID: 'a,,b' }), '"clientId"');
    });

    it('clientSecret, never echoing it', () => {
      for (const v of ['', 'has space secret', 'x'.repeat(300), 42]) {
        throwsNaming(() => resolveConfig({ ...BASE, clientSecret: v as string }, {}), '"clientSecret"', typeof v === 'string' && v ? v : undefined);
      }
      throwsNaming(() => resolveConfig(BASE, { COGNITO_CLIENT_SECRET: 'bad secret!' }), '"clientSecret"', 'bad secret!');
    });

    it('region', () => {
      for (const v of ['EU', 'eu west 1', '-x', 42]) throwsNaming(() => resolveConfig({ ...BASE, region: v as string }, {}), '"region"');
      throwsNaming(() => resolveConfig(BASE, { AWS_REGION: 'Nope!' }), '"region"');
    });

    it('endpoint, never echoing it', () => {
      for (const v of ['not a url', 'ftp://x.example', 'http://user:pw@x.example', 'http://x.example/?a=1', 'http://x.example/#f', 'http://x.example/?', 42]) {
        throwsNaming(() => resolveConfig({ ...BASE, endpoint: v as string }, {}), '"endpoint"', typeof v === 'string' ? v : undefined);
      }
      throwsNaming(() => resolveConfig(BASE, { COGNITO_ENDPOINT: 'localhost:4000' }), '"endpoint"');
    });

    it('jwks / COGNITO_JWKS', () => {
      for (const v of ['{not json', '[]', '{"keys":{}}', '{"keys":[1]}', 42, { keys: 'x' }, { nokeys: [] }, { keys: [null] }]) {
        throwsNaming(() => resolveConfig({ ...BASE, jwks: v as string }, {}), '"jwks"');
      }
      throwsNaming(() => resolveConfig(BASE, { COGNITO_JWKS: '{"keys": 1}' }), 'COGNITO_JWKS');
    });

    it('leewaySeconds, jwksCooldownMs, jwksTimeoutMs, requestTimeoutMs', () => {
      assert.equal(resolveConfig(BASE, {}).requestTimeoutMs, 10_000);
      assert.equal(resolveConfig({ ...BASE, requestTimeoutMs: 250 }, {}).requestTimeoutMs, 250);
      throwsNaming(() => resolveConfig({ ...BASE, requestTimeoutMs: 0 }, {}), '"requestTimeoutMs" must be a positive integer');
      for (const v of [-1, 1.5, NaN, Infinity, '5', null]) {
        throwsNaming(() => resolveConfig({ ...BASE, requestTimeoutMs: v as number }, {}), '"requestTimeoutMs"');
        throwsNaming(() => resolveConfig({ ...BASE, leewaySeconds: v as number }, {}), '"leewaySeconds" must be a non-negative integer');
        throwsNaming(() => resolveConfig({ ...BASE, jwksCooldownMs: v as number }, {}), '"jwksCooldownMs"');
        throwsNaming(() => resolveConfig({ ...BASE, jwksTimeoutMs: v as number }, {}), '"jwksTimeoutMs"');
      }
      throwsNaming(() => resolveConfig({ ...BASE, jwksTimeoutMs: 0 }, {}), '"jwksTimeoutMs" must be a positive integer');
    });

    it('clock, client', () => {
      for (const v of [42, 'now', {}]) throwsNaming(() => resolveConfig({ ...BASE, clock: v as never }, {}), '"clock"');
      for (const v of [42, 'c', {}, { send: 'x' }, null]) throwsNaming(() => resolveConfig({ ...BASE, client: v as never }, {}), '"client"');
    });
  });
});
