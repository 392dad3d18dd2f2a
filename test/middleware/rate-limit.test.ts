import { strict as assert } from 'node:assert';
import { createClient } from 'redis';
import { isCognitoError } from '../../lib/errors';
import {
  checkRule, MemoryRateLimitStore, overLimit, rateLimitKey, RedisRateLimitStore, type RateLimitRule,
} from '../../middleware/rate-limit';
import { redisServerOrSkip } from '../support/redis-server';

const FIVE_PER_MINUTE: RateLimitRule = { limit: 5, windowSeconds: 60 };

describe('middleware/rate-limit', () => {
  describe('MemoryRateLimitStore (the injected clock: no sleeps)', () => {
    let now = 1_000_000;
    const clock = (): number => now;

    it('the limit within a window, Retry-After to its end, a new window after', async () => {
      const store = new MemoryRateLimitStore({ clock });
      const key = rateLimitKey('code', 'user', 'ann');
      for (let i = 0; i < 5; i++) assert.equal(await overLimit(store, [[key, FIVE_PER_MINUTE]]), undefined, `hit ${i + 1}`);
      assert.equal(await overLimit(store, [[key, FIVE_PER_MINUTE]]), 60);
      now += 45_000;
      assert.equal(await overLimit(store, [[key, FIVE_PER_MINUTE]]), 15, 'still limited, 15 s left');
      now += 15_000;
      assert.equal(await overLimit(store, [[key, FIVE_PER_MINUTE]]), undefined, 'a new window');
    });

    it('per IP and per username at once: either over its limit refuses', async () => {
      const store = new MemoryRateLimitStore({ clock });
      const perIp: RateLimitRule = { limit: 3, windowSeconds: 60 };
      const user = rateLimitKey('code', 'user', 'ann');
      // Three addresses each try once for the same user: the user's limit is shared.
      for (const ip of ['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4', '10.0.0.5']) {
        assert.equal(await overLimit(store, [[rateLimitKey('code', 'ip', ip), perIp], [user, FIVE_PER_MINUTE]]), undefined);
      }
      assert.ok((await overLimit(store, [[rateLimitKey('code', 'ip', '10.0.0.6'), perIp], [user, FIVE_PER_MINUTE]]))! > 0);
      // One address trying many usernames hits the IP limit.
      const ip = rateLimitKey('code', 'ip', '10.9.9.9');
      for (let i = 0; i < 3; i++) assert.equal(await overLimit(store, [[ip, perIp], [rateLimitKey('code', 'user', `u${i}`), FIVE_PER_MINUTE]]), undefined);
      assert.ok((await overLimit(store, [[ip, perIp], [rateLimitKey('code', 'user', 'u9'), FIVE_PER_MINUTE]]))! > 0);
    });

    it('usernames are counted case-insensitively; keys hold no username', () => {
      assert.equal(rateLimitKey('code', 'user', 'Ann'), rateLimitKey('code', 'user', 'ann'));
      assert.ok(!rateLimitKey('code', 'user', 'ann@example.com').includes('ann'));
      assert.notEqual(rateLimitKey('code', 'ip', 'Ann'), rateLimitKey('code', 'ip', 'ann'));
    });

    it('bounded: a flood of distinct keys keeps at most maxKeys', () => {
      const store = new MemoryRateLimitStore({ clock, maxKeys: 100 });
      for (let i = 0; i < 1000; i++) store.hit(`k${i}`, 60_000);
      assert.ok(store.size <= 100);
      assert.equal(store.hit('k999', 60_000).count, 2, 'the newest keys are kept');
    });

    it('bad options and rules are TypeErrors', () => {
      assert.throws(() => new MemoryRateLimitStore({ maxKeys: 0 }), TypeError);
      assert.throws(() => new MemoryRateLimitStore({ clock: 5 as never }), TypeError);
      for (const bad of [null, {}, { limit: 0, windowSeconds: 1 }, { limit: 1, windowSeconds: 1.5 }, { limit: '1', windowSeconds: 1 }]) {
        assert.throws(() => checkRule(bad, 'rateLimits.code'), /rateLimits\.code/);
      }
      assert.deepEqual(checkRule({ limit: 5, windowSeconds: 60 }, 'x'), FIVE_PER_MINUTE);
      assert.throws(() => new RedisRateLimitStore({ client: {} as never }), TypeError);
    });
  });

  describe('RedisRateLimitStore (a real redis-server)', function () {
    this.timeout(30_000);
    let server: Awaited<ReturnType<typeof redisServerOrSkip>> | undefined;
    let redis: ReturnType<typeof createClient>;

    before(async function () {
      server = await redisServerOrSkip(this, 'the RedisRateLimitStore tests');
      redis = createClient({ url: server.url });
      redis.on('error', () => undefined);
      await redis.connect();
    });
    after(async () => {
      if (redis?.isOpen) await redis.quit();
      await server?.stop();
    });

    it('counts across two stores (two instances) on one key, with the window set by the first hit', async () => {
      const a = new RedisRateLimitStore({ client: redis, keyPrefix: 't1:' });
      const b = new RedisRateLimitStore({ client: redis, keyPrefix: 't1:' });
      const key = rateLimitKey('code', 'user', 'ann');
      const answers = [];
      for (let i = 0; i < 6; i++) answers.push(await overLimit(i % 2 === 0 ? a : b, [[key, FIVE_PER_MINUTE]]));
      assert.deepEqual(answers.slice(0, 5), [undefined, undefined, undefined, undefined, undefined]);
      assert.ok(answers[5]! >= 59 && answers[5]! <= 60);
      const ttl = await redis.pTTL(`t1:${key}`);
      assert.ok(ttl > 0 && ttl <= 60_000, 'the key expires with its window');
    });

    it('Redis failing or hanging: RedisUnavailableError (fail closed), never a pass', async () => {
      const failing = new RedisRateLimitStore({ client: { sendCommand: () => Promise.reject(new Error('boom')) } });
      await assert.rejects(overLimit(failing, [['k', FIVE_PER_MINUTE]]), (e: unknown) => isCognitoError(e) && e.code === 'ERR_COGNITO_REDIS_UNAVAILABLE');
      const hanging = new RedisRateLimitStore({ client: { sendCommand: () => new Promise(() => undefined) }, timeoutMs: 50 });
      await assert.rejects(overLimit(hanging, [['k', FIVE_PER_MINUTE]]), (e: unknown) => isCognitoError(e) && e.status === 503);
    });
  });
});
