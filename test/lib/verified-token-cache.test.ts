import { strict as assert } from 'node:assert';
import nodeCrypto from 'node:crypto';
import { resolveConfig } from '../../lib/config';
import { TokenVerificationError, type TokenErrorCode } from '../../lib/errors';
import { clearJwksCaches, JwksCache } from '../../lib/jwks-cache';
import { TokenVerifier } from '../../lib/token-verifier';
import {
  DEFAULT_TOKEN_CACHE_MAX_AGE_SECONDS, DEFAULT_TOKEN_CACHE_SIZE, MAX_CACHED_TOKEN_LENGTH, resolveTokenCacheOptions, sharedTokenCache,
  tokenCacheKey, VerifiedTokenCache, type KeySetWatch, type VerifiedToken,
} from '../../lib/verified-token-cache';
import { atHash, TokenFixture } from '../support/tokens';

async function expectRefused(p: Promise<unknown>, code: TokenErrorCode, claim?: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof TokenVerificationError, `expected TokenVerificationError, got ${String(e)}`);
    assert.equal(e.code, code);
    if (claim !== undefined) assert.equal(e.claim, claim);
    return true;
  });
}

/** A key set the test drives by hand. */
class FakeKeys implements KeySetWatch {
  generation = 1;
  kids = new Set(['k1', 'k2']);
  readonly listeners = new Set<(kids: readonly string[]) => void>();
  hasKey(kid: string): boolean {
    return this.kids.has(kid);
  }
  onKeysRemoved(listener: (kids: readonly string[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  remove(kid: string, notify = true): void {
    this.kids.delete(kid);
    this.generation++;
    if (notify) for (const l of this.listeners) l([kid]);
  }
}

const T0 = Date.UTC(2025, 0, 15, 12, 0, 0);
const S0 = T0 / 1000;

function value(kid = 'k1', exp = S0 + 3600): VerifiedToken {
  return { claims: Object.freeze({ sub: 's', exp }), kid, tokenUse: 'access', clientId: 'c', exp, iat: S0, nbf: undefined };
}

describe('lib/verified-token-cache', () => {
  describe('VerifiedTokenCache', () => {
    it('documents its defaults and validates its options, naming them', () => {
      assert.equal(DEFAULT_TOKEN_CACHE_SIZE, 10_000);
      assert.equal(DEFAULT_TOKEN_CACHE_MAX_AGE_SECONDS, 300);
      assert.deepEqual(resolveTokenCacheOptions(), { maxEntries: 10_000, maxAgeSeconds: 300 });
      assert.deepEqual(resolveTokenCacheOptions({ tokenCacheSize: 0, tokenCacheMaxAgeSeconds: 1 }), { maxEntries: 0, maxAgeSeconds: 1 });
      for (const bad of [-1, 1.5, '10', NaN, Infinity]) {
        assert.throws(() => resolveTokenCacheOptions({ tokenCacheSize: bad as number }), { name: 'TypeError', message: /"tokenCacheSize"/ });
      }
      for (const bad of [0, -1, 2.5, '300']) {
        assert.throws(() => resolveTokenCacheOptions({ tokenCacheMaxAgeSeconds: bad as number }), { name: 'TypeError', message: /"tokenCacheMaxAgeSeconds"/ });
      }
      const cache = new VerifiedTokenCache();
      assert.equal(cache.maxEntries, 10_000);
      assert.equal(cache.maxAgeMs, 300_000);
    });

    it('keys are the SHA-256 of the whole token: one character apart is another key', () => {
      const token = 'aaaa.bbbb.cccc';
      assert.equal(tokenCacheKey(token), tokenCacheKey(`${token}`));
      assert.equal(tokenCacheKey(token).length, 32);
      assert.notEqual(tokenCacheKey(token), tokenCacheKey('aaaa.bbbb.cccd'));
      assert.notEqual(tokenCacheKey(token), tokenCacheKey('aaab.bbbb.cccc'));
    });

    it('serves what was set, and counts hits and misses', () => {
      const cache = new VerifiedTokenCache();
      const v = value();
      assert.equal(cache.get('a', T0), undefined);
      cache.set('a', v, T0);
      assert.equal(cache.get('a', T0), v);
      assert.deepEqual(cache.stats(), { size: 1, hits: 1, misses: 1, evictions: 0 });
      assert.equal(cache.delete('a'), true);
      assert.equal(cache.get('a', T0), undefined);
    });

    it('is bounded: the least recently used entry goes first', () => {
      const cache = new VerifiedTokenCache({ maxEntries: 3 });
      for (const k of ['a', 'b', 'c']) cache.set(k, value(), T0);
      assert.ok(cache.get('a', T0)); // a is now the most recently used
      cache.set('d', value(), T0);
      assert.equal(cache.size, 3);
      assert.equal(cache.get('b', T0), undefined, 'b was the least recently used');
      for (const k of ['a', 'c', 'd']) assert.ok(cache.get(k, T0), k);
      for (let i = 0; i < 1000; i++) cache.set(`x${i}`, value(), T0);
      assert.equal(cache.size, 3);
      assert.equal(cache.stats().evictions, 1001);
    });

    it('offer(): stored at once while there is room; in a full cache only on a second offer', () => {
      const cache = new VerifiedTokenCache({ maxEntries: 2 });
      assert.equal(cache.offer('a', value(), T0), true);
      assert.equal(cache.offer('b', value(), T0), true);
      assert.equal(cache.offer('c', value(), T0), false, 'full: c is only remembered');
      assert.deepEqual([cache.size, cache.stats().evictions], [2, 0], 'nothing evicted for a token seen once');
      assert.equal(cache.offer('c', value(), T0), true, 'offered again: stored, evicting the least recently used');
      assert.equal(cache.get('a', T0), undefined);
      assert.ok(cache.get('b', T0) && cache.get('c', T0));
      assert.equal(cache.offer('b', value(), T0), true, 'an entry already held is refreshed');
      // Remembered keys are bounded: at maxEntries of them they are forgotten together.
      cache.offer('x', value(), T0);
      cache.offer('y', value(), T0);
      cache.offer('z', value(), T0);
      assert.equal(cache.offer('x', value(), T0), false, 'x was forgotten with y');
      cache.clear();
      assert.equal(cache.offer('q', value(), T0), true, 'room again after clear()');
      assert.equal(new VerifiedTokenCache({ maxEntries: 0 }).offer('a', value(), T0), false);
    });

    it('an entry used at least once per maxEntries/2 insertions is never evicted', () => {
      const cache = new VerifiedTokenCache({ maxEntries: 10 });
      cache.set('hot', value(), T0);
      for (let i = 0; i < 200; i++) {
        cache.set(`cold${i}`, value(), T0);
        if (i % 5 === 4) assert.ok(cache.get('hot', T0), `hot evicted after ${i + 1} insertions`);
      }
      assert.equal(cache.size, 10);
      assert.equal(cache.get('cold0', T0), undefined);
    });

    it('maxEntries 0 disables it', () => {
      const cache = new VerifiedTokenCache({ maxEntries: 0 });
      cache.set('a', value(), T0);
      assert.equal(cache.size, 0);
      assert.equal(cache.get('a', T0), undefined);
      assert.equal(sharedTokenCache(new FakeKeys(), 'iss', resolveTokenCacheOptions({ tokenCacheSize: 0 })), undefined);
    });

    it('an entry never outlives the max age', () => {
      const cache = new VerifiedTokenCache({ maxAgeSeconds: 60 });
      cache.set('a', value(), T0);
      assert.ok(cache.get('a', T0 + 59_999));
      assert.equal(cache.get('a', T0 + 60_000), undefined);
      assert.equal(cache.size, 0, 'a stale entry is deleted');
    });

    it('an entry never outlives its token (exp + the inserting verifier\'s leeway)', () => {
      const cache = new VerifiedTokenCache();
      cache.set('a', value('k1', S0 + 10), T0, 5);
      assert.ok(cache.get('a', T0 + 14_999));
      assert.equal(cache.get('a', T0 + 15_000), undefined);
      cache.set('b', value('k1', S0 - 5), T0, 5);
      assert.equal(cache.size, 0, 'already past exp + leeway: not kept');
    });

    it('entries signed by a key that left the key set are dropped at once', () => {
      const keys = new FakeKeys();
      const cache = new VerifiedTokenCache({ keys });
      cache.set('a', value('k1'), T0);
      cache.set('b', value('k2'), T0);
      cache.set('c', value('k1'), T0);
      keys.remove('k1');
      assert.equal(cache.size, 1);
      assert.equal(cache.get('a', T0), undefined);
      assert.ok(cache.get('b', T0));
      cache.close();
      assert.equal(keys.listeners.size, 0, 'close() unsubscribes');
    });

    it('after the key set changed, a hit asks whether its key is still held', () => {
      const keys = new FakeKeys();
      const cache = new VerifiedTokenCache({ keys });
      cache.set('a', value('k1'), T0);
      cache.set('b', value('k2'), T0);
      keys.generation++; // a key added: no reason to drop
      assert.ok(cache.get('b', T0));
      keys.remove('k1', false); // removed without notice (e.g. a listener that missed it)
      assert.equal(cache.get('a', T0), undefined);
      assert.ok(cache.get('b', T0));
    });

    it('nothing is kept when the key is gone or the key set moved during verification', () => {
      const keys = new FakeKeys();
      const cache = new VerifiedTokenCache({ keys });
      cache.set('a', value('k3'), T0);
      const before = keys.generation;
      keys.generation++;
      cache.set('b', value('k1'), T0, 0, before);
      assert.equal(cache.size, 0);
      cache.set('c', value('k1'), T0, 0, keys.generation);
      assert.equal(cache.size, 1);
    });

    it('is shared per key set, issuer and sizing', () => {
      const keys = new FakeKeys();
      const o = resolveTokenCacheOptions();
      const a = sharedTokenCache(keys, 'iss', o);
      assert.equal(sharedTokenCache(keys, 'iss', resolveTokenCacheOptions()), a);
      assert.notEqual(sharedTokenCache(keys, 'other', o), a);
      assert.notEqual(sharedTokenCache(new FakeKeys(), 'iss', o), a);
      assert.notEqual(sharedTokenCache(keys, 'iss', resolveTokenCacheOptions({ tokenCacheSize: 5 })), a);
    });
  });

  describe('in TokenVerifier', () => {
    let fx: TokenFixture;
    let jwks: JwksCache;
    let keyLookups: number;
    let verifier: TokenVerifier;
    let now: number;

    // The key resolvers are the door to the signature check: a hit must not go through them. A key
    // already imported is had synchronously (readyKey); else it is fetched or imported (getKey).
    function spiedJwksCache(): JwksCache {
      const cache = new JwksCache(fx.jwksUri, { clock: fx.clock, cooldownMs: 0 });
      const getKey = cache.getKey.bind(cache);
      const readyKey = cache.readyKey.bind(cache);
      cache.getKey = (kid: string) => {
        keyLookups++;
        return getKey(kid);
      };
      cache.readyKey = (kid: string) => {
        const key = readyKey(kid);
        if (key !== undefined) keyLookups++;
        return key;
      };
      return cache;
    }

    beforeEach(async () => {
      fx = await TokenFixture.start();
      jwks = spiedJwksCache();
      await jwks.getKeys(); // keys loaded: a miss is then exactly one key lookup
      keyLookups = 0;
      verifier = new TokenVerifier({ ...fx.options(), leewaySeconds: 5 }, { jwksCache: jwks });
      now = Math.floor(fx.now / 1000);
    });
    afterEach(async () => {
      await fx.close();
      clearJwksCaches();
    });

    it('a hit skips the signature check and returns the same frozen claims', async () => {
      const token = fx.accessToken();
      const first = await verifier.verify(token, 'access');
      assert.equal(keyLookups, 1);
      const again = await verifier.verify(token, 'access');
      const third = await verifier.verify(String(token), 'access');
      assert.equal(keyLookups, 1, 'no key lookup, no signature check on a hit');
      assert.equal(again, first);
      assert.equal(third, first);
      assert.ok(Object.isFrozen(first));
      assert.throws(() => {
        (first as Record<string, unknown>).username = 'mallory';
      }, TypeError);
      const { hits, size } = verifier.tokenCache!.stats();
      assert.equal(hits, 2);
      assert.equal(size, 1);
    });

    it('a hit makes no crypto.verify call; a miss makes one', async () => {
      // The module object the verifier calls through (CommonJS), so the spy sees its calls.
      const crypto = nodeCrypto as unknown as { verify: (...args: unknown[]) => unknown };
      const original = crypto.verify;
      let calls = 0;
      crypto.verify = (...args: unknown[]) => {
        calls++;
        return original(...args);
      };
      try {
        const token = fx.accessToken();
        await verifier.verify(token, 'access');
        assert.equal(calls, 1);
        for (let i = 0; i < 5; i++) await verifier.verify(token, 'access');
        assert.equal(calls, 1);
        await verifier.verify(fx.accessToken(), 'access');
        assert.equal(calls, 2);
      } finally {
        crypto.verify = original;
      }
    });

    it('the first verification, which loads the keys, is cached too', async () => {
      const cold = new JwksCache(fx.jwksUri, { clock: fx.clock });
      const v = new TokenVerifier(fx.options(), { jwksCache: cold });
      const token = fx.accessToken();
      await v.verify(token, 'access');
      assert.equal(v.tokenCache!.size, 1);
      await v.verify(token, 'access');
      assert.equal(v.tokenCache!.stats().hits, 1);
    });

    it('nested claims are frozen too (cognito:groups)', async () => {
      const claims = await verifier.verify(fx.accessToken({ 'cognito:groups': ['admin'] }), 'access');
      assert.ok(Object.isFrozen(claims['cognito:groups']));
    });

    it('a token one character apart is a miss: verified, and refused when forged', async () => {
      const token = fx.accessToken();
      await verifier.verify(token, 'access');
      const [h, p, s] = token.split('.') as [string, string, string];
      // One character of the payload changed: another token, whose signature does not match.
      const i = 40;
      const forged = `${h}.${p.slice(0, i)}${p[i] === 'A' ? 'B' : 'A'}${p.slice(i + 1)}.${s}`;
      assert.equal(forged.length, token.length);
      await expectRefused(verifier.verify(forged, 'access'), 'ERR_COGNITO_TOKEN_SIGNATURE');
      assert.equal(keyLookups, 2, 'the forged token went through the signature check');
      // One character of the signature changed (not the last one, whose low bits base64url ignores).
      const j = 100;
      const badSig = `${h}.${p}.${s.slice(0, j)}${s[j] === 'A' ? 'B' : 'A'}${s.slice(j + 1)}`;
      await expectRefused(verifier.verify(badSig, 'access'), 'ERR_COGNITO_TOKEN_SIGNATURE');
      assert.equal(keyLookups, 3);
      // A genuine token differing from the cached one (another jti) is a miss and verified.
      await verifier.verify(fx.accessToken(), 'access');
      assert.equal(keyLookups, 4);
      await verifier.verify(token, 'access');
      assert.equal(keyLookups, 4, 'the original is still a hit');
    });

    it('expiry is checked on a hit, with the leeway and the injected clock', async () => {
      const token = fx.accessToken({ exp: now + 60 });
      await verifier.verify(token, 'access');
      fx.now += 64_000;
      await verifier.verify(token, 'access');
      assert.equal(keyLookups, 1, 'still a hit within exp + leeway');
      fx.now += 1_000;
      await expectRefused(verifier.verify(token, 'access'), 'ERR_COGNITO_TOKEN_EXPIRED', 'exp');
    });

    it('a stricter verifier sharing the cache applies its own leeway on a hit', async () => {
      const token = fx.accessToken({ exp: now + 60 });
      await verifier.verify(token, 'access');
      const strict = new TokenVerifier({ ...fx.options(), leewaySeconds: 0 }, { jwksCache: jwks });
      assert.equal(strict.tokenCache, verifier.tokenCache, 'one cache per pool');
      fx.now += 60_000;
      await expectRefused(strict.verify(token, 'access'), 'ERR_COGNITO_TOKEN_EXPIRED', 'exp');
      await verifier.verify(token, 'access');
      assert.equal(keyLookups, 1);
    });

    it('nbf and iat are checked on a hit (a clock moved back)', async () => {
      const token = fx.accessToken({ nbf: now, iat: now });
      await verifier.verify(token, 'access');
      fx.now -= 6_000;
      await expectRefused(verifier.verify(token, 'access'), 'ERR_COGNITO_TOKEN_NOT_YET_VALID', 'nbf');
      const noNbf = fx.accessToken({ iat: now + 5 });
      fx.now += 6_000;
      await verifier.verify(noNbf, 'access');
      fx.now -= 1_000;
      await expectRefused(verifier.verify(noNbf, 'access'), 'ERR_COGNITO_TOKEN_IAT', 'iat');
      assert.equal(keyLookups, 2);
    });

    it('an entry is re-verified after tokenCacheMaxAgeSeconds', async () => {
      const v = new TokenVerifier({ ...fx.options(), tokenCacheMaxAgeSeconds: 60 }, { jwksCache: jwks });
      assert.equal(v.tokenCache!.maxAgeMs, 60_000);
      const token = fx.accessToken();
      await v.verify(token, 'access');
      fx.now += 59_000;
      await v.verify(token, 'access');
      assert.equal(keyLookups, 1);
      fx.now += 1_000;
      await v.verify(token, 'access');
      assert.equal(keyLookups, 2, 'past the max age: a full verification');
      await v.verify(token, 'access');
      assert.equal(keyLookups, 2, 'and cached again');
    });

    it('tokenCacheSize bounds it: the least recently used token is verified again', async () => {
      const v = new TokenVerifier({ ...fx.options(), tokenCacheSize: 2 }, { jwksCache: jwks });
      const [a, b, c] = [fx.accessToken(), fx.accessToken(), fx.accessToken()] as [string, string, string];
      await v.verify(a, 'access');
      await v.verify(b, 'access');
      await v.verify(a, 'access'); // a hit: b is now the least recently used
      assert.equal(keyLookups, 2);
      await v.verify(c, 'access');
      await v.verify(c, 'access'); // a full cache takes c on its second verification, evicting b
      assert.equal(v.tokenCache!.size, 2);
      assert.equal(keyLookups, 4);
      await v.verify(a, 'access');
      await v.verify(c, 'access');
      assert.equal(keyLookups, 4);
      await v.verify(b, 'access');
      assert.equal(keyLookups, 5, 'b had been evicted');
    });

    it('a full cache is not churned by tokens presented once; a token presented twice gets in', async () => {
      const v = new TokenVerifier({ ...fx.options(), tokenCacheSize: 2 }, { jwksCache: jwks });
      const [a, b] = [fx.accessToken(), fx.accessToken()];
      await v.verify(a, 'access');
      await v.verify(b, 'access');
      for (let i = 0; i < 10; i++) await v.verify(fx.accessToken(), 'access');
      assert.equal(v.tokenCache!.stats().evictions, 0);
      const lookups = keyLookups;
      await v.verify(a, 'access');
      await v.verify(b, 'access');
      assert.equal(keyLookups, lookups, 'a and b are still cached');
      const c = fx.accessToken();
      await v.verify(c, 'access');
      await v.verify(c, 'access');
      await v.verify(c, 'access');
      assert.equal(keyLookups, lookups + 2, 'c verified twice, then a hit');
      assert.equal(v.tokenCache!.stats().evictions, 1);
    });

    it('tokenCacheSize 0 disables it; deps win over options and work with a ResolvedConfig', async () => {
      const off = new TokenVerifier({ ...fx.options(), tokenCacheSize: 0 }, { jwksCache: jwks });
      assert.equal(off.tokenCache, undefined);
      const token = fx.accessToken();
      await off.verify(token, 'access');
      await off.verify(token, 'access');
      assert.equal(keyLookups, 2);
      const fromConfig = new TokenVerifier(resolveConfig(fx.options()), { jwksCache: jwks, tokenCacheSize: 7, tokenCacheMaxAgeSeconds: 9 });
      assert.equal(fromConfig.tokenCache!.maxEntries, 7);
      assert.equal(fromConfig.tokenCache!.maxAgeMs, 9_000);
      const both = new TokenVerifier({ ...fx.options(), tokenCacheSize: 3 }, { jwksCache: jwks, tokenCacheSize: 4 });
      assert.equal(both.tokenCache!.maxEntries, 4);
      assert.throws(() => new TokenVerifier({ ...fx.options(), tokenCacheSize: -1 }), { name: 'TypeError', message: /"tokenCacheSize"/ });
      assert.throws(() => new TokenVerifier(fx.options(), { tokenCacheMaxAgeSeconds: 0 }), { name: 'TypeError', message: /"tokenCacheMaxAgeSeconds"/ });
    });

    it('a cached token presented with another tokenUse is refused', async () => {
      const access = fx.accessToken();
      const id = fx.idToken();
      await verifier.verify(access, 'access');
      await verifier.verify(id, 'id');
      await expectRefused(verifier.verify(access, 'id'), 'ERR_COGNITO_TOKEN_USE', 'token_use');
      await expectRefused(verifier.verify(id, 'access'), 'ERR_COGNITO_TOKEN_USE', 'token_use');
      assert.equal(keyLookups, 2, 'refused on the hit');
      await verifier.verify(access, 'access');
      await verifier.verify(id, 'id');
    });

    it('the allowed client ids are checked on a hit (verifiers of another app client share the cache)', async () => {
      const access = fx.accessToken();
      const id = fx.idToken();
      await verifier.verify(access, 'access');
      await verifier.verify(id, 'id');
      const other = new TokenVerifier({ ...fx.options(), clientId: 'otherclient' }, { jwksCache: jwks });
      assert.equal(other.tokenCache, verifier.tokenCache);
      await expectRefused(other.verify(access, 'access'), 'ERR_COGNITO_TOKEN_AUDIENCE', 'client_id');
      await expectRefused(other.verify(id, 'id'), 'ERR_COGNITO_TOKEN_AUDIENCE', 'aud');
      assert.equal(keyLookups, 2);
    });

    it('at_hash is checked on a hit when the access token is given', async () => {
      const access = fx.accessToken();
      const id = fx.idToken({ at_hash: atHash(access) });
      await verifier.verify(id, 'id');
      await verifier.verify(id, 'id', { accessToken: access });
      await expectRefused(verifier.verify(id, 'id', { accessToken: fx.accessToken() }), 'ERR_COGNITO_TOKEN_AT_HASH', 'at_hash');
      assert.equal(keyLookups, 1);
    });

    it('a refused token is not cached', async () => {
      const token = fx.accessToken({ client_id: 'otherclient' });
      await expectRefused(verifier.verify(token, 'access'), 'ERR_COGNITO_TOKEN_AUDIENCE');
      await expectRefused(verifier.verify(token, 'access'), 'ERR_COGNITO_TOKEN_AUDIENCE');
      assert.equal(keyLookups, 2);
      assert.equal(verifier.tokenCache!.size, 0);
    });

    it('entries signed by a key that left the JWKS are dropped', async () => {
      const old = fx.accessToken();
      await verifier.verify(old, 'access');
      const next = await fx.rotate();
      const fresh = fx.accessToken({}, { sign: { mode: 'rs256', key: next } });
      await verifier.verify(fresh, 'access'); // unknown kid → refetch: both keys held
      assert.equal(verifier.tokenCache!.size, 2);
      await verifier.verify(old, 'access');
      const lookups = keyLookups;
      fx.keys = [next]; // the old key leaves the JWKS
      await jwks.reload();
      assert.equal(verifier.tokenCache!.size, 1, 'dropped as soon as the key left');
      await expectRefused(verifier.verify(old, 'access'), 'ERR_COGNITO_TOKEN_KID_UNKNOWN', 'kid');
      assert.equal(keyLookups, lookups + 1);
      await verifier.verify(fresh, 'access');
      assert.equal(keyLookups, lookups + 1, 'tokens of the remaining key stay cached');
    });

    it('tokens too long to cache are verified every time', async () => {
      const big = fx.accessToken({ pad: 'x'.repeat(MAX_CACHED_TOKEN_LENGTH) });
      await verifier.verify(big, 'access');
      await verifier.verify(big, 'access');
      assert.equal(keyLookups, 2);
      assert.equal(verifier.tokenCache!.size, 0);
    });

    it('verifyCached: the claims of a known, still valid token, synchronously; undefined for anything else', async () => {
      const access = fx.accessToken({ exp: now + 60 });
      const id = fx.idToken();
      assert.equal(verifier.verifyCached(access, 'access'), undefined, 'not verified yet');
      const claims = await verifier.verify(access, 'access');
      await verifier.verify(id, 'id');
      assert.equal(verifier.verifyCached(access, 'access'), claims);
      assert.equal(keyLookups, 2);
      assert.equal(verifier.verifyCached(access, 'id'), undefined, 'another token_use');
      assert.equal(verifier.verifyCached(id, 'access'), undefined);
      assert.ok(verifier.verifyCached(id, 'id'));
      const other = new TokenVerifier({ ...fx.options(), clientId: 'otherclient' }, { jwksCache: jwks });
      assert.equal(other.verifyCached(access, 'access'), undefined, 'another app client');
      assert.equal(verifier.verifyCached(`${access.slice(0, -2)}AA`, 'access'), undefined, 'another token');
      assert.equal(verifier.verifyCached(42 as unknown as string, 'access'), undefined);
      fx.now += 65_000;
      assert.equal(verifier.verifyCached(access, 'access'), undefined, 'expired (exp + leeway)');
      await expectRefused(verifier.verify(access, 'access'), 'ERR_COGNITO_TOKEN_EXPIRED', 'exp');
      const off = new TokenVerifier({ ...fx.options(), tokenCacheSize: 0 }, { jwksCache: jwks });
      const fresh = fx.accessToken();
      await off.verify(fresh, 'access');
      assert.equal(off.verifyCached(fresh, 'access'), undefined, 'no cache');
    });

    it('refusals before the cache (junk, missing) cost no key lookup', async () => {
      await expectRefused(verifier.verify('', 'access'), 'ERR_COGNITO_TOKEN_MISSING');
      await expectRefused(verifier.verify('a.b.c', 'access'), 'ERR_COGNITO_TOKEN_MALFORMED');
      assert.equal(keyLookups, 0);
    });
  });
});
