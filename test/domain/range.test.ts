import t from 'tap';
import { dayBounds, localDay, resolveRange } from '../../src/domain/range.js';

const rules = { defaultTimezone: 'UTC', maxDays: 92, now: new Date('2026-01-01T00:00:00Z') };

function resolved(request: { from: string; to: string; timezone?: string }, overrides = {}) {
  const result = resolveRange(request, { ...rules, ...overrides });
  if (!result.ok) throw new Error(`expected a valid range, got ${JSON.stringify(result.errors)}`);
  return result.range;
}

function fields(request: { from: string; to: string; timezone?: string }, overrides = {}) {
  const result = resolveRange(request, { ...rules, ...overrides });
  return result.ok ? [] : result.errors.map((error) => error.field);
}

t.test('day range in Asia/Kolkata covers whole local days', async (t) => {
  const range = resolved({ from: '2025-01-01', to: '2025-01-05', timezone: 'Asia/Kolkata' });
  t.equal(range.fromUtc.toISOString(), '2024-12-31T18:30:00.000Z');
  t.equal(range.toUtc.toISOString(), '2025-01-05T18:30:00.000Z');
  t.strictSame(range.days, ['2025-01-01', '2025-01-02', '2025-01-03', '2025-01-04', '2025-01-05']);
  t.equal(range.kind, 'date');
});

t.test('daylight-saving days have their real length', async (t) => {
  const spring = resolved({ from: '2025-03-30', to: '2025-03-30', timezone: 'Europe/Paris' });
  t.equal((spring.toUtc.getTime() - spring.fromUtc.getTime()) / 3_600_000, 23);
  const autumn = resolved({ from: '2025-10-26', to: '2025-10-26', timezone: 'Europe/Paris' });
  t.equal((autumn.toUtc.getTime() - autumn.fromUtc.getTime()) / 3_600_000, 25);
});

t.test('days list survives a missing midnight', async (t) => {
  // America/Santiago moved clocks from 00:00 to 01:00 on 2025-09-07, so that day starts at 01:00.
  const range = resolved({ from: '2025-09-07', to: '2025-09-09', timezone: 'America/Santiago' });
  t.strictSame(range.days, ['2025-09-07', '2025-09-08', '2025-09-09']);
  t.equal(range.toUtc.toISOString(), '2025-09-10T03:00:00.000Z');
  t.strictSame(fields({ from: '2025-09-07', to: '2025-09-09', timezone: 'America/Santiago' }, { maxDays: 2 }), ['to'], 'three days exceed a limit of two');
});

t.test('date-time range is half-open and keeps offsets', async (t) => {
  const range = resolved({ from: '2025-01-01T10:00:00+05:30', to: '2025-01-01T12:00:00Z' });
  t.equal(range.fromUtc.toISOString(), '2025-01-01T04:30:00.000Z');
  t.equal(range.toUtc.toISOString(), '2025-01-01T12:00:00.000Z');
  t.strictSame(range.days, []);
});

t.test('open range ends after now', async (t) => {
  t.equal(resolved({ from: '2025-12-31', to: '2026-01-01' }).open, true);
  t.equal(resolved({ from: '2025-12-30', to: '2025-12-30' }).open, false);
});

t.test('bad ranges name the field', async (t) => {
  t.strictSame(fields({ from: '2025-02-30', to: '2025-03-01' }), ['from']);
  t.strictSame(fields({ from: '2025-01-05', to: '2025-01-04' }), ['to']);
  t.strictSame(fields({ from: '2025-01-01T10:00:00Z', to: '2025-01-01T10:00:00Z' }), ['to']);
  t.strictSame(fields({ from: '2025-01-01', to: '2025-01-01T10:00:00Z' }), ['to']);
  t.strictSame(fields({ from: '2025-01-01', to: '2025-01-01', timezone: 'Nowhere/City' }), ['timezone']);
  t.strictSame(fields({ from: '2025-01-01', to: '2025-04-03' }), ['to'], '93 days is one too many');
  t.strictSame(fields({ from: '2025-01-01', to: '2025-04-02' }), [], '92 days is allowed');
  t.strictSame(fields({ from: '2026-01-02', to: '2026-01-03' }), ['from']);
  t.strictSame(fields({ from: '2026-01-02', to: '2026-01-03' }, { allowFutureStart: true }), []);
  t.strictSame(fields({ from: '1/1/2025', to: 'tomorrow' }), ['from', 'to']);
});

t.test('local day helpers', async (t) => {
  t.equal(localDay(new Date('2025-01-01T20:00:00Z'), 'Asia/Kolkata'), '2025-01-02');
  const bounds = dayBounds('2025-03-09', 'America/New_York');
  t.equal(bounds.fromUtc.toISOString(), '2025-03-09T05:00:00.000Z');
  t.equal(bounds.toUtc.toISOString(), '2025-03-10T04:00:00.000Z');
});
