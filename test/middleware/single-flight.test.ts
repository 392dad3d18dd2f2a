import { strict as assert } from 'node:assert';
import { SingleFlight } from '../../middleware/single-flight';

function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void } {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => { resolve = res; reject = rej; });
  return { promise, resolve, reject };
}

describe('middleware/single-flight', function () {
  it('runs the work once for concurrent callers of one key and gives all of them its result', async function () {
    const flight = new SingleFlight<string>();
    const d = deferred<string>();
    let calls = 0;
    const work = () => { calls++; return d.promise; };
    const all = Promise.all(Array.from({ length: 50 }, () => flight.run('k', work)));
    assert.equal(flight.size, 1);
    d.resolve('new');
    assert.deepEqual(await all, Array(50).fill('new'));
    assert.equal(calls, 1);
    assert.equal(flight.size, 0);
  });

  it('keeps different keys apart', async function () {
    const flight = new SingleFlight<string>();
    const calls: string[] = [];
    const [a, b] = await Promise.all([
      flight.run('a', () => { calls.push('a'); return Promise.resolve('A'); }),
      flight.run('b', () => { calls.push('b'); return Promise.resolve('B'); }),
    ]);
    assert.deepEqual([a, b, calls.sort()], ['A', 'B', ['a', 'b']]);
  });

  it('shares a failure with the concurrent callers, then lets the next caller try again', async function () {
    const flight = new SingleFlight<string>({ retainMs: 60_000 });
    let calls = 0;
    const failing = () => { calls++; return Promise.reject(new Error('refused')); };
    const results = await Promise.allSettled([flight.run('k', failing), flight.run('k', failing)]);
    assert.deepEqual(results.map((r) => r.status), ['rejected', 'rejected']);
    assert.equal(calls, 1);
    assert.equal(await flight.run('k', () => { calls++; return Promise.resolve('ok'); }), 'ok');
    assert.equal(calls, 2);
  });

  it('hands a retained success to late callers until retainMs has passed on its clock', async function () {
    let now = 1_000_000;
    const flight = new SingleFlight<number>({ retainMs: 30_000, clock: () => now });
    let calls = 0;
    const work = () => Promise.resolve(++calls);
    assert.equal(await flight.run('k', work), 1);
    now += 29_999;
    assert.equal(await flight.run('k', work), 1);
    now += 1;
    assert.equal(await flight.run('k', work), 2);
  });

  it('a work function that throws synchronously becomes a rejected promise', async function () {
    const flight = new SingleFlight<string>();
    await assert.rejects(flight.run('k', () => { throw new Error('sync'); }), /sync/);
    assert.equal(flight.size, 0);
  });

  it('bounds the retained results', async function () {
    const flight = new SingleFlight<number>({ retainMs: 60_000, maxRetained: 2 });
    let calls = 0;
    const work = () => Promise.resolve(++calls);
    await flight.run('a', work);
    await flight.run('b', work);
    await flight.run('c', work);
    assert.equal(await flight.run('a', work), 4, 'the oldest retained result was dropped');
  });

  it('validates its options', function () {
    assert.throws(() => new SingleFlight({ retainMs: -1 }), /"retainMs"/);
    assert.throws(() => new SingleFlight({ maxRetained: 0 }), /"maxRetained"/);
    assert.throws(() => new SingleFlight({ clock: 5 as never }), /"clock"/);
  });
});
