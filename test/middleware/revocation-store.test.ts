import { strict as assert } from 'node:assert';
import { MemoryRevocationStore, defaultRevocationStore } from '../../middleware/revocation-store';

describe('middleware/revocation-store', function () {
  let now: number;
  const clock = () => now;
  beforeEach(function () { now = Date.UTC(2025, 0, 1); });

  it('refuses revoked ids until their expiry, then forgets them', function () {
    const store = new MemoryRevocationStore({ clock });
    const exp = now / 1000 + 3600;
    store.revoke(['jti-1', 'origin-1'], exp);
    assert.equal(store.isRevoked(['jti-2', 'origin-1']), true);
    assert.equal(store.isRevoked(['jti-1']), true);
    assert.equal(store.isRevoked(['jti-2']), false);
    now += 3600 * 1000;
    assert.equal(store.isRevoked(['jti-1', 'origin-1']), false);
    assert.equal(store.size, 0, 'expired ids are dropped');
  });

  it('ignores ids that are already expired and empty or non-string ids', function () {
    const store = new MemoryRevocationStore({ clock });
    store.revoke(['old'], now / 1000 - 1);
    store.revoke(['', 5 as never], now / 1000 + 60);
    assert.equal(store.size, 0);
    assert.equal(store.isRevoked(['old']), false);
  });

  it('keeps the later expiry when an id is revoked twice', function () {
    const store = new MemoryRevocationStore({ clock });
    store.revoke(['a'], now / 1000 + 600);
    store.revoke(['a'], now / 1000 + 60);
    now += 120_000;
    assert.equal(store.isRevoked(['a']), true);
  });

  it('stays bounded: sweeps expired ids and drops the soonest-expiring past maxEntries', function () {
    const store = new MemoryRevocationStore({ clock, maxEntries: 3 });
    for (let i = 0; i < 5; i++) store.revoke([`id-${i}`], now / 1000 + 100 + i);
    assert.equal(store.size, 3);
    assert.equal(store.isRevoked(['id-4']), true);
    assert.equal(store.isRevoked(['id-0']), false);
    now += 200_000;
    store.revoke(['fresh'], now / 1000 + 100);
    assert.equal(store.size, 1, 'the expired ids were swept');
  });

  it('validates arguments and options', function () {
    const store = new MemoryRevocationStore({ clock });
    assert.throws(() => store.revoke('a' as never, 1), /"ids"/);
    assert.throws(() => store.revoke(['a'], Number.NaN), /"untilEpochSeconds"/);
    assert.throws(() => new MemoryRevocationStore({ maxEntries: 0 }), /"maxEntries"/);
    assert.equal(store.isRevoked('a' as never), false);
  });

  it('has one default store per process', function () {
    assert.equal(defaultRevocationStore(), defaultRevocationStore());
  });
});
