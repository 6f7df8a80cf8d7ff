import { DateTime, IANAZone } from 'luxon';
import type { FieldError } from '../errors.js';

const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;
/** ISO 8601 date-time with a mandatory offset (`Z` or `±hh:mm`). */
export const DATE_TIME_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

export type RangeKind = 'date' | 'datetime';

export interface ResolvedRange {
  kind: RangeKind;
  from: string;
  to: string;
  timezone: string;
  fromUtc: Date;
  toUtc: Date;
  /** The range ends after `now`, so photos may still arrive into it. */
  open: boolean;
  /** Local days covered, for date ranges only (`YYYY-MM-DD`, in order). */
  days: string[];
}

export interface RangeRequest {
  from: string;
  to: string;
  timezone?: string | undefined;
}

export interface RangeRules {
  defaultTimezone: string;
  maxDays: number;
  now: Date;
  /** Lists may ask about the future; exports may not start there. */
  allowFutureStart?: boolean;
}

export type RangeResult = { ok: true; range: ResolvedRange } | { ok: false; errors: FieldError[] };

function kindOf(value: string): RangeKind | null {
  if (DATE_PATTERN.test(value)) return 'date';
  if (DATE_TIME_PATTERN.test(value)) return 'datetime';
  return null;
}

function parseBound(value: string, kind: RangeKind, zone: string): DateTime {
  return kind === 'date' ? DateTime.fromISO(value, { zone }).startOf('day') : DateTime.fromISO(value, { setZone: true });
}

/**
 * Resolves a client's range to a half-open UTC interval. Dates are whole local days with `to`
 * inclusive, so `2025-01-01..2025-01-05` ends at local midnight starting 6 January. Luxon
 * gives daylight-saving days their real 23 or 25 hours. Date-times are taken as `[from, to)`.
 */
export function resolveRange(request: RangeRequest, rules: RangeRules): RangeResult {
  const errors: FieldError[] = [];
  const timezone = request.timezone ?? rules.defaultTimezone;
  if (!IANAZone.isValidZone(timezone)) {
    errors.push({ field: 'timezone', message: `'${timezone}' is not an IANA time zone name such as Europe/Paris` });
  }

  const fromKind = kindOf(request.from);
  const toKind = kindOf(request.to);
  if (!fromKind) errors.push({ field: 'from', message: 'must be a date YYYY-MM-DD or a date-time with an offset, such as 2025-01-01T08:00:00Z' });
  if (!toKind) errors.push({ field: 'to', message: 'must be a date YYYY-MM-DD or a date-time with an offset, such as 2025-01-01T08:00:00Z' });
  if (fromKind && toKind && fromKind !== toKind) {
    errors.push({ field: 'to', message: `must be of the same kind as from (both dates or both date-times)` });
  }
  if (errors.length > 0 || !fromKind) return { ok: false, errors };

  const kind = fromKind;
  const fromLocal = parseBound(request.from, kind, timezone);
  const toLocal = parseBound(request.to, kind, timezone);
  if (!fromLocal.isValid) errors.push({ field: 'from', message: `'${request.from}' is not a real ${kind === 'date' ? 'date' : 'date-time'}` });
  if (!toLocal.isValid) errors.push({ field: 'to', message: `'${request.to}' is not a real ${kind === 'date' ? 'date' : 'date-time'}` });
  if (errors.length > 0) return { ok: false, errors };

  const end = kind === 'date' ? toLocal.plus({ days: 1 }).startOf('day') : toLocal;
  if (end <= fromLocal) {
    const message = kind === 'date' ? 'must not be before from' : 'must be after from';
    return { ok: false, errors: [{ field: 'to', message }] };
  }

  const days = kind === 'date' ? listDays(fromLocal, toLocal) : [];
  const tooLong = kind === 'date' ? days.length > rules.maxDays : end.diff(fromLocal, 'days').days > rules.maxDays;
  if (tooLong) {
    return { ok: false, errors: [{ field: 'to', message: `the range may span at most ${rules.maxDays} days` }] };
  }

  const fromUtc = fromLocal.toUTC().toJSDate();
  const toUtc = end.toUTC().toJSDate();
  if (!rules.allowFutureStart && fromUtc.getTime() > rules.now.getTime()) {
    return { ok: false, errors: [{ field: 'from', message: 'must not be in the future' }] };
  }

  return {
    ok: true,
    range: {
      kind,
      from: request.from,
      to: request.to,
      timezone,
      fromUtc,
      toUtc,
      open: toUtc.getTime() > rules.now.getTime(),
      days,
    },
  };
}

function listDays(first: DateTime, last: DateTime): string[] {
  const days: string[] = [];
  // startOf('day') after each step: where midnight does not exist (America/Santiago starts
  // daylight saving at 00:00), a day starts at 01:00, and adding days to that would keep 01:00
  // and overshoot `last` (a midnight), dropping the last day.
  for (let day = first; day <= last; day = day.plus({ days: 1 }).startOf('day')) {
    days.push(day.toISODate() ?? '');
    // A range of thousands of days is rejected by maxDays anyway; stop listing early.
    if (days.length > 10_000) break;
  }
  return days;
}

/** Returns the local calendar day (`YYYY-MM-DD`) of an instant in a zone. */
export function localDay(instant: Date, zone: string): string {
  return DateTime.fromJSDate(instant, { zone }).toISODate() ?? '';
}

/** Returns the UTC interval of one whole local day. */
export function dayBounds(day: string, zone: string): { fromUtc: Date; toUtc: Date } {
  const start = DateTime.fromISO(day, { zone }).startOf('day');
  return { fromUtc: start.toUTC().toJSDate(), toUtc: start.plus({ days: 1 }).startOf('day').toUTC().toJSDate() };
}
