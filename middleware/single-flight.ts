/**
 * Keyed single-flight: concurrent callers with the same key share one in-flight promise, so that
 * however many requests of one session find its access token expired, Cognito sees one refresh.
 *
 * A successful result can also be kept for a short while (`retainMs`): a request that loaded its
 * copy of the session before the renewal was saved still holds the old refresh token, and must get
 * the same new tokens instead of starting a second refresh (or, with rotation, failing).
 */
import type { Clock } from '../lib/clock';
import { systemClock } from '../lib/clock';

/**
 * Options of {@link SingleFlight}.
 *
 * @example
 * new SingleFlight<string>({ retainMs: 30_000, clock: () => Date.now() });
 */
export interface SingleFlightOptions {
  /**
   * How long a successful result stays available to late callers with the same key, in ms
   * (default 0: only callers that arrive while the work is in flight share it). Failures are never
   * kept: the next caller tries again.
   */
  retainMs?: number;
  /** Time source for `retainMs` (default `Date.now`). */
  clock?: Clock;
  /** At most this many retained results are kept (default 10 000); the oldest go first. */
  maxRetained?: number;
}

interface Retained<V> {
  value: V;
  until: number;
}

/**
 * Runs at most one `work()` per key at a time and hands its promise to every concurrent caller.
 *
 * @example
 * const renewals = new SingleFlight<Tokens>({ retainMs: 30_000 });
 * const tokens = await renewals.run(refreshTokenHash, () => cognito.renewAccessToken());
 */
export class SingleFlight<V> {
  private readonly inFlight = new Map<string, Promise<V>>();
  private readonly retained = new Map<string, Retained<V>>();
  private readonly retainMs: number;
  private readonly clock: Clock;
  private readonly maxRetained: number;

  constructor(options: SingleFlightOptions = {}) {
    const { retainMs = 0, clock = systemClock, maxRetained = 10_000 } = options;
    if (!Number.isInteger(retainMs) || retainMs < 0) throw new TypeError('"retainMs" must be a non-negative integer');
    if (typeof clock !== 'function') throw new TypeError('"clock" must be a function returning milliseconds');
    if (!Number.isInteger(maxRetained) || maxRetained < 1) throw new TypeError('"maxRetained" must be a positive integer');
    this.retainMs = retainMs;
    this.clock = clock;
    this.maxRetained = maxRetained;
  }

  /**
   * Returns the in-flight (or freshly retained) result for `key`, or starts `work()` for it.
   *
   * @param key identifies the work (e.g. a hash of the refresh token).
   * @param work starts the work; called at most once per flight.
   * @returns the shared result; every caller of one flight sees the same value or the same error.
   * @example
   * await Promise.all([flight.run('k', f), flight.run('k', f)]); // f ran once
   */
  run(key: string, work: () => Promise<V>): Promise<V> {
    const now = this.clock();
    this.sweep(now);
    const kept = this.retained.get(key);
    if (kept && kept.until > now) return Promise.resolve(kept.value);
    const pending = this.inFlight.get(key);
    if (pending) return pending;

    const flight = (async () => work())();
    this.inFlight.set(key, flight);
    flight.then(
      (value) => {
        this.inFlight.delete(key);
        if (this.retainMs > 0) {
          this.retained.delete(key);
          this.retained.set(key, { value, until: this.clock() + this.retainMs });
          while (this.retained.size > this.maxRetained) {
            const oldest = this.retained.keys().next().value as string;
            this.retained.delete(oldest);
          }
        }
      },
      () => {
        this.inFlight.delete(key);
      },
    );
    return flight;
  }

  /** Number of flights in progress (for tests and metrics). */
  get size(): number {
    return this.inFlight.size;
  }

  // Entries are appended in time order and share one `retainMs`, so expired ones are at the front.
  private sweep(now: number): void {
    for (const [key, entry] of this.retained) {
      if (entry.until > now) break;
      this.retained.delete(key);
    }
  }
}
