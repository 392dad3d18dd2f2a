/**
 * The emulator's clock: real time plus an offset that tests move, so that token expiry, challenge
 * sessions and SRP timestamps can be exercised without sleeping.
 */

/** A clock tests can move. All times are milliseconds since the Unix epoch. */
export interface EmulatorClock {
  /** The emulator's current time, in ms. */
  now(): number;
  /** Moves the clock forward (or back, with a negative value) by `ms`; it keeps ticking from there. */
  advance(ms: number): void;
  /** Jumps the clock to `ms`; it keeps ticking from there. */
  set(ms: number): void;
  /** Back to real time. */
  reset(): void;
}

/**
 * Creates a clock reading `source` (default: `Date.now()`) plus an adjustable offset.
 *
 * The default looks `Date.now` up at every reading rather than holding the function it found at
 * creation, so fake timers installed after the emulator started (or a test replacing `Date.now`)
 * move the emulator too.
 *
 * @example
 * const clock = createClock();
 * clock.advance(61 * 60 * 1000); // an hour-long access token is now expired
 */
export function createClock(source: () => number = () => Date.now()): EmulatorClock {
  let offset = 0;
  const check = (ms: number, name: string): void => {
    if (!Number.isFinite(ms)) throw new TypeError(`"${name}" must be a finite number of milliseconds`);
  };
  return {
    now: () => source() + offset,
    advance(ms: number) {
      check(ms, 'ms');
      offset += ms;
    },
    set(ms: number) {
      check(ms, 'ms');
      offset = ms - source();
    },
    reset() {
      offset = 0;
    },
  };
}
