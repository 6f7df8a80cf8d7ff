import { mock } from 'node:test';
import t from 'tap';
import { startSchedules } from '../../src/cron/schedules.js';
import type { Store } from '../../src/store/types.js';
import { MemoryLeases, RecordingExports, silentLogger } from './fakes.js';

const MINUTE_MS = 60_000;

interface Run {
  /** Instants at which a tick or the catch-up requested days, as ISO strings. */
  ticks: string[];
  exports: RecordingExports;
}

/**
 * Runs the real node-cron schedule under mocked Date and timers, one simulated minute at a
 * time, and records every day the prebuild requested.
 */
async function simulate(options: { timezone: string; cron: string; start: string; days: number; catchupDays?: number }): Promise<Run> {
  mock.timers.enable({ apis: ['Date', 'setTimeout', 'setInterval'], now: new Date(options.start) });
  const exports = new RecordingExports();
  // Only the lease methods are called while RETENTION_CRON is off.
  const store = new MemoryLeases() as unknown as Store;

  const schedules = startSchedules({
    config: {
      TIMEZONE: options.timezone,
      PREBUILD_CRON: options.cron,
      RETENTION_CRON: 'off',
      PREBUILD_CATCHUP_DAYS: options.catchupDays ?? 0,
      ARCHIVE_FOLDER: 'exports',
    },
    store,
    exports,
    cloudinary: { deleteArchives: async () => ({ deleted: [], notFound: [] }), listArchives: async () => ({ publicIds: [], next: null }) },
    logger: silentLogger,
    holder: 'instance-a',
    now: () => new Date(),
  });

  try {
    await schedules.catchUp;
    for (let minute = 0; minute < options.days * 24 * 60; minute += 1) {
      mock.timers.tick(MINUTE_MS);
      await new Promise((resolve) => setImmediate(resolve));
    }
  } finally {
    await schedules.stop();
    mock.timers.reset();
  }
  return { ticks: [...new Set(exports.requests.map((request) => request.at))], exports };
}

t.test('Paris 02:30 on the spring-forward night', async (t) => {
  const run = await simulate({ timezone: 'Europe/Paris', cron: '30 2 * * *', start: '2025-03-27T12:00:00Z', days: 5 });

  // 02:30 does not exist on 2025-03-30, and node-cron 4.6 skips that night.
  t.same(run.ticks, ['2025-03-28T01:30:00.000Z', '2025-03-29T01:30:00.000Z', '2025-03-31T00:30:00.000Z', '2025-04-01T00:30:00.000Z']);
  // The 31 March tick also builds 29 March, the day the skipped tick would have built.
  t.same(run.exports.builds, ['2025-03-26', '2025-03-27', '2025-03-28', '2025-03-29', '2025-03-30', '2025-03-31']);
});

t.test('Paris 02:30 on the fall-back night', async (t) => {
  const run = await simulate({ timezone: 'Europe/Paris', cron: '30 2 * * *', start: '2025-10-24T12:00:00Z', days: 4 });

  // 02:30 happens twice on 2025-10-26; node-cron 4.6 fires once, at the second one (CET).
  t.same(run.ticks, ['2025-10-25T00:30:00.000Z', '2025-10-26T01:30:00.000Z', '2025-10-27T01:30:00.000Z', '2025-10-28T01:30:00.000Z']);
  t.same(run.exports.builds, ['2025-10-23', '2025-10-24', '2025-10-25', '2025-10-26', '2025-10-27']);
});

t.test('Santiago midnight on the spring-forward night', async (t) => {
  const run = await simulate({ timezone: 'America/Santiago', cron: '15 0 * * *', start: '2025-09-04T12:00:00Z', days: 5 });

  // Clocks jump from 00:00 to 01:00 on 2025-09-07, so 00:15 does not exist that day.
  t.same(run.ticks, ['2025-09-05T04:15:00.000Z', '2025-09-06T04:15:00.000Z', '2025-09-08T03:15:00.000Z', '2025-09-09T03:15:00.000Z']);
  t.same(run.exports.builds, ['2025-09-03', '2025-09-04', '2025-09-05', '2025-09-06', '2025-09-07', '2025-09-08']);
});

t.test('start-up catch-up and ticks in UTC', async (t) => {
  const run = await simulate({ timezone: 'UTC', cron: '15 0 * * *', start: '2025-01-10T12:00:00Z', days: 2, catchupDays: 3 });

  t.same(run.ticks, ['2025-01-10T12:00:00.000Z', '2025-01-11T00:15:00.000Z', '2025-01-12T00:15:00.000Z']);
  t.same(run.exports.builds, ['2025-01-07', '2025-01-08', '2025-01-09', '2025-01-10', '2025-01-11']);
  // Each tick requests the three days of its window, and ready days cost no build.
  t.equal(run.exports.requests.length, 9);
});
