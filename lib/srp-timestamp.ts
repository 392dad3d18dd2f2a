/**
 * The TIMESTAMP of Cognito's PASSWORD_VERIFIER / DEVICE_PASSWORD_VERIFIER answers.
 */

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;

function two(value: number): string {
  return value < 10 ? `0${value}` : String(value);
}

/**
 * Formats a time the way Cognito expects the SRP `TIMESTAMP` (Java's `EEE MMM d HH:mm:ss z yyyy`
 * in UTC): English day and month names, the day of the month **not** zero-padded, 24-hour time.
 * Locale- and time-zone-independent. The same string goes into the signed message and into the
 * `TIMESTAMP` challenge response, and Cognito refuses one too far from its own clock.
 *
 * @param date the time to format (usually the injectable clock's "now").
 * @returns e.g. `Sat Jan 1 00:00:00 UTC 2022`.
 * @throws TypeError when `date` is not a valid `Date`.
 * @example
 * formatSrpTimestamp(new Date('2022-12-31T23:59:59Z')); // 'Sat Dec 31 23:59:59 UTC 2022'
 */
export function formatSrpTimestamp(date: Date): string {
  if (!(date instanceof Date) || Number.isNaN(date.getTime())) {
    throw new TypeError('"now" must be a valid Date');
  }
  return (
    `${WEEKDAYS[date.getUTCDay()]} ${MONTHS[date.getUTCMonth()]} ${date.getUTCDate()} ` +
    `${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())} ` +
    `UTC ${date.getUTCFullYear()}`
  );
}
