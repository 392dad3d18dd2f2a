/**
 * lib/emulator/pagination.ts: pages in creation order, stable tokens, removals and additions
 * between pages, and refused tokens.
 */
import assert from 'node:assert/strict';
import { WireError } from '../../lib/emulator/errors';
import { paginate, type PageRequest } from '../../lib/emulator/pagination';

interface Item { name: string }

function container(count: number, prefix = 'i'): Map<string, Item> {
  const map = new Map<string, Item>();
  for (let i = 0; i < count; i++) map.set(`${prefix}${i}`, { name: `${prefix}${i}` });
  return map;
}

/** Every item, following tokens to the end. */
function walk(map: Map<string, Item>, request: Omit<PageRequest, 'token'>, keep?: (item: Item) => boolean): string[][] {
  const pages: string[][] = [];
  let token: string | undefined;
  do {
    const page = paginate(map.values(), { ...request, ...(token !== undefined ? { token } : {}) }, keep);
    pages.push(page.items.map((i) => i.name));
    token = page.next;
  } while (token !== undefined);
  return pages;
}

function refused(fn: () => unknown): WireError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof WireError);
    assert.equal(e.type, 'InvalidParameterException');
    return e;
  }
  assert.fail('expected the token to be refused');
}

describe('emulator: pagination', () => {
  it('cuts pages of the limit in insertion order, with a token only when more follow', () => {
    const map = container(7);
    assert.deepEqual(walk(map, { scope: 's', limit: 3 }), [['i0', 'i1', 'i2'], ['i3', 'i4', 'i5'], ['i6']]);
    assert.deepEqual(walk(map, { scope: 's', limit: 7 }), [['i0', 'i1', 'i2', 'i3', 'i4', 'i5', 'i6']]);
    assert.deepEqual(walk(new Map(), { scope: 's', limit: 7 }), [[]]);
  });

  it('gives the same page for the same token, however often it is asked for', () => {
    const map = container(5);
    const first = paginate(map.values(), { scope: 's', limit: 2 });
    const again = paginate(map.values(), { scope: 's', limit: 2, token: first.next! });
    const onceMore = paginate(map.values(), { scope: 's', limit: 2, token: first.next! });
    assert.deepEqual(again, onceMore);
    assert.deepEqual(again.items.map((i) => i.name), ['i2', 'i3']);
  });

  it('neither repeats nor skips when the last item of a page, or an earlier one, is deleted', () => {
    const map = container(6);
    const first = paginate(map.values(), { scope: 's', limit: 2 });
    map.delete('i1');
    map.delete('i0');
    const second = paginate(map.values(), { scope: 's', limit: 2, token: first.next! });
    assert.deepEqual(second.items.map((i) => i.name), ['i2', 'i3']);
  });

  it('puts items created between pages at the end', () => {
    const map = container(3);
    const first = paginate(map.values(), { scope: 's', limit: 2 });
    map.set('new', { name: 'new' });
    const second = paginate(map.values(), { scope: 's', limit: 2, token: first.next! });
    assert.deepEqual(second.items.map((i) => i.name), ['i2', 'new']);
  });

  it('keeps only what `keep` accepts, and full pages of those', () => {
    const map = container(10);
    const even = (item: Item): boolean => Number(item.name.slice(1)) % 2 === 0;
    assert.deepEqual(walk(map, { scope: 's', limit: 2 }, even), [['i0', 'i2'], ['i4', 'i6'], ['i8']]);
  });

  it('keeps creation order when a filtered listing sees an item first', () => {
    const map = container(4, 'f');
    // Only f3 is numbered by this listing's keep; the container is still numbered as a whole.
    paginate(map.values(), { scope: 's', limit: 1 }, (item) => item.name === 'f3');
    assert.deepEqual(walk(map, { scope: 's', limit: 10 }), [['f0', 'f1', 'f2', 'f3']]);
  });

  it('refuses a made-up, altered or foreign token', () => {
    const map = container(5);
    const { next } = paginate(map.values(), { scope: 'ListUsers/a', limit: 2 });
    assert.ok(next);
    for (const bad of ['garbage', 'a.b', `${next}x`, `x${next}`, `${next}.more`, next.split('.')[0], '.']) {
      assert.equal(
        refused(() => paginate(map.values(), { scope: 'ListUsers/a', limit: 2, token: bad })).message,
        `Paging marker ${bad} is invalid for request.`,
      );
    }
    refused(() => paginate(map.values(), { scope: 'ListUsers/b', limit: 2, token: next }));
    refused(() => paginate(map.values(), { scope: 'ListGroups/a', limit: 2, token: next }));
  });
});
