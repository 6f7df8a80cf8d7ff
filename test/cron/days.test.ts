import t from 'tap';
import { daysBefore, prebuildTargetDay, scheduledMinute } from '../../src/cron/days.js';

t.test('scheduledMinute rounds to the nearest minute', async (t) => {
  t.equal(scheduledMinute(new Date('2025-01-05T23:59:57.400Z')).toISOString(), '2025-01-06T00:00:00.000Z');
  t.equal(scheduledMinute(new Date('2025-01-06T00:15:20.000Z')).toISOString(), '2025-01-06T00:15:00.000Z');
  t.equal(scheduledMinute(new Date('2025-01-06T00:15:00.000Z')).toISOString(), '2025-01-06T00:15:00.000Z');
});

t.test('daysBefore lists local days oldest first', async (t) => {
  t.same(daysBefore(new Date('2025-01-06T00:15:00Z'), 'UTC', 3), ['2025-01-03', '2025-01-04', '2025-01-05']);
  t.same(daysBefore(new Date('2025-01-06T00:15:00Z'), 'UTC', 0), []);
  // 2025-03-01 crosses a month end in a non-leap year.
  t.same(daysBefore(new Date('2025-03-01T12:00:00Z'), 'UTC', 2), ['2025-02-27', '2025-02-28']);
  // 23:30 UTC on 5 January is already 6 January in Paris.
  t.same(daysBefore(new Date('2025-01-05T23:30:00Z'), 'Europe/Paris', 1), ['2025-01-05']);
  t.same(daysBefore(new Date('2025-01-05T23:30:00Z'), 'UTC', 1), ['2025-01-04']);
});

t.test('prebuildTargetDay of an early tick', async (t) => {
  // A midnight tick in Paris that fires three seconds early, at 23:59:57 local.
  t.equal(prebuildTargetDay(new Date('2025-01-05T22:59:57Z'), 'Europe/Paris'), '2025-01-05');
  t.equal(prebuildTargetDay(new Date('2025-01-05T23:00:00Z'), 'Europe/Paris'), '2025-01-05');
  // Without rounding the same instant would fall on 5 January and target the 4th.
  t.same(daysBefore(new Date('2025-01-05T22:59:57Z'), 'Europe/Paris', 1), ['2025-01-04']);
});

t.test('prebuildTargetDay across daylight-saving days', async (t) => {
  // Santiago skips from 00:00 to 01:00 on 2025-09-07; the day starts at 01:00 local.
  t.equal(prebuildTargetDay(new Date('2025-09-07T04:30:00Z'), 'America/Santiago'), '2025-09-06');
  t.equal(prebuildTargetDay(new Date('2025-09-08T03:15:00Z'), 'America/Santiago'), '2025-09-07');
  // Both 02:30 instants of 2025-10-26 in Paris (CEST, then CET) target the 25th.
  t.equal(prebuildTargetDay(new Date('2025-10-26T00:30:00Z'), 'Europe/Paris'), '2025-10-25');
  t.equal(prebuildTargetDay(new Date('2025-10-26T01:30:00Z'), 'Europe/Paris'), '2025-10-25');
});
