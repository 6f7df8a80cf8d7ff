import { DateTime } from 'luxon';
import { localDay } from '../domain/range.js';

const MINUTE_MS = 60_000;

/**
 * How long a finished tick keeps its lease after its scheduled minute, so an instance whose
 * clock lags by less than this skips the tick instead of running it a second time.
 */
export const TICK_HOLD_MS = 2 * MINUTE_MS;

/**
 * Rounds a tick time to the nearest whole minute. Cron schedules have minute resolution, so a
 * tick that fires a few seconds before midnight is treated as the midnight tick it stands for.
 */
export function scheduledMinute(tickTime: Date): Date {
  return new Date(Math.round(tickTime.getTime() / MINUTE_MS) * MINUTE_MS);
}

/**
 * Lists the `count` whole local days before the local day of `instant`, oldest first. For
 * `2025-01-06T00:15` in UTC and a count of 2 this is `['2025-01-04', '2025-01-05']`.
 */
export function daysBefore(instant: Date, timezone: string, count: number): string[] {
  const today = DateTime.fromISO(localDay(instant, timezone), { zone: timezone });
  const days: string[] = [];
  for (let back = count; back >= 1; back -= 1) {
    days.push(today.minus({ days: back }).toISODate() ?? '');
  }
  return days;
}

/** Returns the day a scheduled prebuild tick targets: the local day before its scheduled minute. */
export function prebuildTargetDay(tickTime: Date, timezone: string): string {
  const [day] = daysBefore(scheduledMinute(tickTime), timezone, 1);
  return day ?? '';
}
