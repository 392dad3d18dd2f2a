/**
 * Time, injectable: every time-dependent decision in this package reads a {@link Clock} it was given,
 * so tests move time instead of sleeping.
 */

/**
 * Returns the current time in milliseconds since the Unix epoch (like `Date.now()`).
 *
 * @example
 * let now = Date.UTC(2025, 0, 1);
 * const clock: Clock = () => now;   // a test clock: move it with `now += 60_000`
 */
export type Clock = () => number;

/**
 * The real clock: `Date.now()`.
 *
 * @example
 * const verifier = new TokenVerifier({ userPoolId, clientId, clock: systemClock });
 */
export const systemClock: Clock = () => Date.now();
