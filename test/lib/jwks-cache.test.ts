import { strict as assert } from 'node:assert';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { exportJWK, type JWK } from 'jose';
import { clearJwksCaches, getJwksCache, JwksCache, type JwksFetcher } from '../../lib/jwks-cache';
import { JwksUnavailableError } from '../../lib/errors';
import { signingKey, TokenFixture } from '../support/tokens';

const COOLDOWN = 30_000;

async function rejectsUnavailable(p: Promise<unknown>): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof JwksUnavailableError, String(e));
    assert.equal(e.code, 'ERR_COGNITO_JWKS_UNAVAILABLE');
    assert.equal(e.status, 503);
    return true;
  });
}

describe('lib/jwks-cache', () => {
  let fx: TokenFixture;
  let cache: JwksCache;

  beforeEach(async () => {
    fx = await TokenFixture.start();
    cache = new JwksCache(fx.jwksUri, { clock: fx.clock, cooldownMs: COOLDOWN });
  });
  afterEach(async () => {
    await fx.close();
    clearJwksCaches();
  });

  it('does no I/O in the constructor; fetches on first use, then serves from memory', async () => {
    assert.equal(fx.requests, 0);
    const a = await cache.getKey(fx.key.kid);
    assert.ok(a);
    assert.equal(a.kid, fx.key.kid);
    assert.equal(a.jwk.n, fx.key.publicJwk.n);
    assert.equal((a.key as { type: string }).type, 'public');
    const b = await cache.getKey(fx.key.kid);
    assert.equal(b, a, 'imported once, cached per kid');
    assert.deepEqual((await cache.getKeys()).keys.map((k) => k.kid), [fx.key.kid]);
    assert.equal(fx.requests, 1);
    assert.ok(cache.hasKey(fx.key.kid));
    assert.equal(cache.generation, 1);
  });

  it('concurrent cold-start callers share one fetch', async () => {
    const results = await Promise.all(Array.from({ length: 50 }, () => cache.getKey(fx.key.kid)));
    assert.equal(fx.requests, 1);
    assert.ok(results.every((r) => r === results[0] && r !== undefined));
  });

  it('a storm of 200 concurrent unknown kids costs at most one fetch per cooldown', async () => {
    await cache.getKey(fx.key.kid);
    assert.equal(fx.requests, 1);

    // Inside the cooldown of the first fetch: no refetch at all.
    const early = await Promise.all(Array.from({ length: 200 }, () => cache.getKey(randomUUID())));
    assert.ok(early.every((r) => r === undefined));
    assert.equal(fx.requests, 1);

    fx.now += COOLDOWN;
    const storm = await Promise.all(Array.from({ length: 200 }, () => cache.getKey(randomUUID())));
    assert.ok(storm.every((r) => r === undefined));
    assert.equal(fx.requests, 2, 'exactly one refetch');

    fx.now += COOLDOWN - 1;
    await Promise.all(Array.from({ length: 200 }, () => cache.getKey(randomUUID())));
    assert.equal(fx.requests, 2, 'still within the cooldown');

    fx.now += 1;
    await Promise.all(Array.from({ length: 200 }, () => cache.getKey(randomUUID())));
    assert.equal(fx.requests, 3);
    assert.ok(await cache.getKey(fx.key.kid), 'the real key still works');
  });

  it('readyKey: no I/O; undefined until a key is fetched and imported, the same entry as getKey then, undefined again once it left the JWKS', async () => {
    assert.equal(cache.readyKey(fx.key.kid), undefined);
    assert.equal(fx.requests, 0, 'readyKey never fetches');
    const got = await cache.getKey(fx.key.kid);
    assert.equal(cache.readyKey(fx.key.kid), got);
    assert.equal(cache.readyKey('no-such-kid'), undefined);
    assert.equal(cache.readyKey(undefined as unknown as string), undefined);
    const next = await fx.rotate();
    fx.keys = [next];
    fx.now += COOLDOWN;
    await cache.reload();
    assert.equal(cache.readyKey(got!.kid), undefined, 'a key removed from the JWKS is no longer ready');
    assert.equal(cache.readyKey(next.kid), undefined, 'a new key is ready only once imported');
    await cache.getKey(next.kid);
    assert.equal(cache.readyKey(next.kid)?.kid, next.kid);
  });

  it('key rotation: a new kid triggers one refetch, then succeeds', async () => {
    const old = fx.key;
    await cache.getKey(old.kid);
    fx.now += COOLDOWN;
    const next = await fx.rotate();
    const found = await cache.getKey(next.kid);
    assert.ok(found);
    assert.equal(found.kid, next.kid);
    assert.equal(fx.requests, 2);
    assert.ok(await cache.getKey(old.kid), 'the old key is still published');
    assert.equal(fx.requests, 2);
    assert.equal(cache.generation, 2);
  });

  it('keys that leave the JWKS are dropped and reported', async () => {
    const old = fx.key;
    await cache.getKey(old.kid);
    const gen = cache.generation;
    const removed: string[][] = [];
    const off = cache.onKeysRemoved((kids) => removed.push([...kids]));
    cache.onKeysRemoved(() => { throw new Error('a faulty listener does not break the cache'); });
    const next = await fx.rotate();
    fx.keys = [next];
    fx.now += COOLDOWN;
    assert.ok(await cache.getKey(next.kid));
    assert.deepEqual(removed, [[old.kid]]);
    assert.equal(cache.hasKey(old.kid), false);
    assert.ok(cache.generation > gen);
    assert.equal(await cache.getKey(old.kid), undefined);
    off();
    fx.keys = [old];
    fx.now += COOLDOWN;
    await cache.getKey(old.kid);
    assert.equal(removed.length, 1, 'unsubscribed');
  });

  it('a key whose material changes under the same kid is replaced, not kept', async () => {
    const kid = fx.key.kid;
    const before = await cache.getKey(kid);
    const other = await signingKey(1, kid);
    fx.keys = [other];
    await cache.reload();
    const after = await cache.getKey(kid);
    assert.ok(before && after);
    assert.notEqual(after.jwk.n, before.jwk.n);
    assert.equal(after.jwk.n, other.publicJwk.n);
  });

  it('server down after a fetch: the keys held keep working', async () => {
    await cache.getKey(fx.key.kid);
    fx.mode = 'status500';
    fx.now += COOLDOWN;
    assert.ok(await cache.getKey(fx.key.kid));
    assert.equal(await cache.getKey(randomUUID()), undefined, 'unknown kid: refetch fails, keys kept');
    assert.equal(fx.requests, 2);
    assert.ok(await cache.getKey(fx.key.kid));
    assert.equal((await cache.getKeys()).keys.length, 1);
    await cache.reload(); // does not throw while keys are held
  });

  it('server down at cold start: JwksUnavailableError, the failed fetch is dropped, recovery works', async () => {
    fx.mode = 'status500';
    await rejectsUnavailable(cache.getKey(fx.key.kid));
    await rejectsUnavailable(cache.getKeys());
    await rejectsUnavailable(cache.reload());
    assert.equal(fx.requests, 3, 'no failed promise is cached');
    fx.mode = 'ok';
    assert.ok(await cache.getKey(fx.key.kid));
    assert.equal(fx.requests, 4);
  });

  it('server unreachable at cold start: JwksUnavailableError with the network error as cause', async () => {
    const uri = fx.jwksUri;
    await fx.close();
    const c = new JwksCache(uri, { clock: fx.clock });
    await assert.rejects(c.getKey('x'), (e: unknown) => e instanceof JwksUnavailableError && e.cause !== undefined);
    fx = await TokenFixture.start(); // for afterEach
  });

  for (const mode of ['html', 'notjwks', 'huge', 'reset'] as const) {
    it(`refuses a bad JWKS response (${mode})`, async () => {
      fx.mode = mode;
      await rejectsUnavailable(cache.getKey(fx.key.kid));
    });
  }

  it('times out a hanging JWKS endpoint (jwks timeout)', async () => {
    fx.mode = 'hang';
    const c = new JwksCache(fx.jwksUri, { clock: fx.clock, timeoutMs: 150 });
    await rejectsUnavailable(c.getKey(fx.key.kid));
  });

  it('a JWKS with no usable key counts as a failure', async () => {
    const kid = fx.key.kid;
    fx.keys = [];
    await rejectsUnavailable(cache.getKey(kid));
  });

  it('keeps only RSA RS256 signing keys of 2048 bits or more', async () => {
    const good = fx.key.publicJwk;
    const { publicKey: small } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const { publicKey: ec } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const smallJwk: JWK = { ...(await exportJWK(small)), kid: 'small', alg: 'RS256', use: 'sig' };
    const ecJwk: JWK = { ...(await exportJWK(ec)), kid: 'ec', alg: 'ES256', use: 'sig' };
    const candidates: JWK[] = [
      { ...good, kid: 'rs512', alg: 'RS512' },
      { ...good, kid: 'noalg', alg: undefined },
      { ...good, kid: 'enc', use: 'enc' },
      { ...good, kid: 'ops', key_ops: ['encrypt'] },
      { ...good, kid: 'priv', d: 'AQAB' },
      { ...good, kid: undefined },
      { ...good, kid: 'hs', kty: 'oct', k: 'c2VjcmV0' },
      smallJwk,
      ecJwk,
      { ...good, kid: 'ok-ops', key_ops: ['verify'] },
      { ...good, kid: 'nouse', use: undefined },
      good,
      { ...good, n: 'AQAB' }, // duplicate kid: the first wins
    ];
    let fetched = 0;
    const fetcher: JwksFetcher = () => { fetched++; return Promise.resolve({ keys: [] }); };
    const c = new JwksCache(fx.jwksUri, { jwks: { keys: candidates }, fetcher });
    assert.deepEqual((await c.getKeys()).keys.map((k) => k.kid).sort(), ['nouse', 'ok-ops', good.kid].sort());
    for (const kid of ['rs512', 'noalg', 'enc', 'ops', 'priv', 'hs', 'small', 'ec']) assert.equal(await c.getKey(kid), undefined, kid);
    const k = await c.getKey(good.kid as string);
    assert.ok(k);
    assert.equal(k.jwk.n, good.n);
    assert.ok(!('d' in k.jwk));
    assert.equal(fetched, 0, 'static keys: never fetched');
  });

  it('static keys: no fetch, even for an unknown kid', async () => {
    let fetched = 0;
    const fetcher: JwksFetcher = () => { fetched++; return Promise.resolve(fx.jwks()); };
    const c = new JwksCache(fx.jwksUri, { jwks: fx.jwks(), fetcher, clock: fx.clock });
    assert.ok(await c.getKey(fx.key.kid));
    fx.now += COOLDOWN * 10;
    assert.equal(await c.getKey('unknown'), undefined);
    await c.reload();
    assert.equal(fetched, 0);
    assert.equal(fx.requests, 0);
  });

  it('an injected fetcher gets the URI and the limits', async () => {
    const calls: unknown[] = [];
    const c = new JwksCache('https://example.invalid/jwks.json', {
      fetcher: (uri, limits) => { calls.push([uri, limits]); return Promise.resolve(fx.jwks()); }, timeoutMs: 1234, maxBytes: 999,
    });
    assert.ok(await c.getKey(fx.key.kid));
    assert.deepEqual(calls, [['https://example.invalid/jwks.json', { timeoutMs: 1234, maxBytes: 999 }]]);
  });

  it('a fetcher that throws or returns junk at cold start → JwksUnavailableError', async () => {
    const fetchers = [() => Promise.reject(new Error('boom')), () => Promise.resolve('junk'), () => Promise.resolve({ keys: [1, null, 'x'] })];
    for (const fetcher of fetchers) {
      await rejectsUnavailable(new JwksCache(fx.jwksUri, { fetcher }).getKey('k'));
    }
  });

  it('refuses bad constructor arguments with TypeError', () => {
    assert.throws(() => new JwksCache('ftp://x'), TypeError);
    assert.throws(() => new JwksCache(fx.jwksUri, { jwks: { keys: 'x' } as never }), TypeError);
    assert.throws(() => new JwksCache(fx.jwksUri, { fetcher: 42 as never }), TypeError);
  });

  describe('getJwksCache / clearJwksCaches', () => {
    it('shares one cache per URI, process-wide', () => {
      const a = getJwksCache(fx.jwksUri);
      assert.equal(getJwksCache(fx.jwksUri, { cooldownMs: 1 }), a);
      assert.notEqual(getJwksCache(`${fx.jwksUri}?other`), a);
      clearJwksCaches();
      assert.notEqual(getJwksCache(fx.jwksUri), a);
    });

    it('static keys get a cache of their own per key set', () => {
      const fetched = getJwksCache(fx.jwksUri);
      const s1 = getJwksCache(fx.jwksUri, { jwks: fx.jwks() });
      assert.notEqual(s1, fetched);
      assert.equal(getJwksCache(fx.jwksUri, { jwks: fx.jwks() }), s1);
      assert.notEqual(getJwksCache(fx.jwksUri, { jwks: { keys: [] } }), s1);
    });
  });
});
