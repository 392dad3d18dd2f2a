import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { formatSrpTimestamp } from '../../lib/srp-timestamp';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const DateHelper = require('amazon-cognito-identity-js/lib/DateHelper').default;

describe('lib/srp-timestamp', () => {
  it('formats the known answers (UTC, English, day not zero-padded)', () => {
    const cases: Array<[string, string]> = [
      ['2022-01-01T00:00:00Z', 'Sat Jan 1 00:00:00 UTC 2022'],
      ['2022-01-02T12:00:00Z', 'Sun Jan 2 12:00:00 UTC 2022'],
      ['2022-12-31T23:59:59Z', 'Sat Dec 31 23:59:59 UTC 2022'],
      ['2024-02-29T09:05:07.999Z', 'Thu Feb 29 09:05:07 UTC 2024'],
      ['1970-01-01T00:00:00Z', 'Thu Jan 1 00:00:00 UTC 1970'],
    ];
    for (const [iso, expected] of cases) assert.equal(formatSrpTimestamp(new Date(iso)), expected, iso);
  });

  it('matches amazon-cognito-identity-js DateHelper now', () => {
    // DateHelper reads the clock itself: accept the second before or after, in case one ticks by.
    const before = formatSrpTimestamp(new Date());
    const theirs: string = new DateHelper().getNowString();
    const after = formatSrpTimestamp(new Date());
    assert.ok(theirs === before || theirs === after, `${theirs} vs ${before} / ${after}`);
  });

  it('spells the fields of Date#toUTCString at random times (ddd MMM D HH:mm:ss UTC YYYY)', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('1971-01-01Z'), max: new Date('2200-01-01Z'), noInvalidDate: true }), (date) => {
        const [weekday, month, day, time, zone, year] = formatSrpTimestamp(date).split(' ');
        const utc = date.toUTCString(); // e.g. 'Sat, 01 Jan 2022 00:00:00 GMT'
        assert.equal(weekday, utc.slice(0, 3));
        assert.equal(month, utc.slice(8, 11));
        assert.equal(day, String(date.getUTCDate()));
        assert.equal(time, utc.slice(17, 25));
        assert.equal(zone, 'UTC');
        assert.equal(year, String(date.getUTCFullYear()));
      }),
      { numRuns: 300 },
    );
  });

  it('does not depend on the process time zone or locale', () => {
    const script =
      "require('tsx/cjs'); const { formatSrpTimestamp } = require('./lib/srp-timestamp');" +
      "process.stdout.write(formatSrpTimestamp(new Date('2022-12-31T23:59:59Z')))";
    const out = execFileSync(process.execPath, ['-e', script], {
      env: { ...process.env, TZ: 'Pacific/Kiritimati', LANG: 'de_DE.UTF-8', LC_ALL: 'de_DE.UTF-8' },
      cwd: `${__dirname}/../..`,
    }).toString();
    assert.equal(out, 'Sat Dec 31 23:59:59 UTC 2022');
  });

  it('throws TypeError on an invalid date', () => {
    assert.throws(() => formatSrpTimestamp(new Date(Number.NaN)), TypeError);
    assert.throws(() => formatSrpTimestamp('2022-01-01' as unknown as Date), TypeError);
  });
});
