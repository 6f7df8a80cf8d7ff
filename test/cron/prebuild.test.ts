import t from 'tap';
import { runPrebuildCatchUp, runPrebuildTick, PREBUILD_LEASE } from '../../src/cron/prebuild.js';
import { testPhotos } from '../helpers/photos.js';
import { startTestService, uploadAll } from '../helpers/service.js';
import { archiveCount, capturingLogger, prebuildDepsFor, settledExport } from './helpers.js';

const at = (iso: string) => () => new Date(iso);

t.test('prebuild tick then user request', async (t) => {
  const service = await startTestService(t, { TIMEZONE: 'Europe/Paris', RETENTION_CRON: 'off' });
  const photos = testPhotos(4, { realFirst: false });
  await uploadAll(service, [
    { photo: photos[0]!, plate: 'AB-123-CD', capturedAt: '2025-03-10T00:05:00+01:00' },
    { photo: photos[1]!, plate: 'AB-123-CD', capturedAt: '2025-03-10T12:00:00+01:00' },
    { photo: photos[2]!, plate: 'EF-456-GH', capturedAt: '2025-03-10T23:59:00+01:00' },
    { photo: photos[3]!, plate: 'EF-456-GH', capturedAt: '2025-03-11T00:01:00+01:00' },
  ]);

  // 00:15 on 11 March in Paris.
  const tickTime = new Date('2025-03-10T23:15:00Z');
  const outcome = await runPrebuildTick(prebuildDepsFor(service, { catchupDays: 1, now: () => tickTime }), tickTime);
  if (!outcome.ran) throw new Error('the only instance skipped its tick');

  t.same(outcome.result.days.map((day) => [day.day, day.status, day.imageCount]), [
    ['2025-03-09', 'ready', 0],
    ['2025-03-10', 'pending', 3],
  ]);
  const built = outcome.result.days[1]!;
  const settled = await settledExport(service, built.exportId);
  t.equal(settled.status, 'ready');
  t.equal(settled.imageCount, 3);
  t.equal(archiveCount(service), 1);

  const response = await service.postExport({ from: '2025-03-10', to: '2025-03-10' });
  const body = (await response.json()) as { id: string; status: string; imageCount: number };
  t.equal(response.status, 200);
  t.equal(body.id, built.exportId);
  t.equal(body.status, 'ready');
  t.equal(archiveCount(service), 1, 'the request made no generate_archive call');

  const again = await runPrebuildTick(prebuildDepsFor(service, { catchupDays: 1, now: () => tickTime }), tickTime);
  t.equal(again.ran, true);
  t.equal(archiveCount(service), 1, 'a repeated tick builds nothing');
});

t.test('tick a few seconds early', async (t) => {
  const service = await startTestService(t, { TIMEZONE: 'Europe/Paris', RETENTION_CRON: 'off' });
  // A midnight tick that fires at 23:59:57 local time on 10 March.
  const tickTime = new Date('2025-03-10T22:59:57Z');
  const outcome = await runPrebuildTick(prebuildDepsFor(service, { catchupDays: 0, now: () => tickTime }), tickTime);
  if (!outcome.ran) throw new Error('the only instance skipped its tick');

  t.same(outcome.result.days.map((day) => day.day), ['2025-03-09', '2025-03-10']);
});

t.test('empty day makes no Cloudinary call', async (t) => {
  const service = await startTestService(t, { TIMEZONE: 'UTC', RETENTION_CRON: 'off' });
  const tickTime = new Date('2025-04-02T00:15:00Z');
  const outcome = await runPrebuildTick(prebuildDepsFor(service, { catchupDays: 1, now: () => tickTime }), tickTime);
  if (!outcome.ran) throw new Error('the only instance skipped its tick');

  const day = outcome.result.days.find((entry) => entry.day === '2025-04-01');
  t.ok(day, 'the tick requested 1 April');
  const record = await service.runtime.store.getExport(day!.exportId);
  t.equal(record?.status, 'ready');
  t.equal(record?.imageCount, 0);
  t.same(record?.parts, []);
  t.equal(archiveCount(service), 0);
});

t.test('catch-up fills exactly the missing days', async (t) => {
  const service = await startTestService(t, { TIMEZONE: 'Europe/Paris', RETENTION_CRON: 'off' });
  const photos = testPhotos(4, { realFirst: false });
  await uploadAll(service, [
    { photo: photos[0]!, plate: 'AA111AA', capturedAt: '2025-05-10T10:00:00+02:00' },
    { photo: photos[1]!, plate: 'AA111AA', capturedAt: '2025-05-11T10:00:00+02:00' },
    { photo: photos[2]!, plate: 'AA111AA', capturedAt: '2025-05-12T10:00:00+02:00' },
    { photo: photos[3]!, plate: 'AA111AA', capturedAt: '2025-05-13T10:00:00+02:00' },
  ]);
  const existing = await service.runtime.exports.requestExport({ from: '2025-05-12', to: '2025-05-12' });
  await settledExport(service, existing.id);
  t.equal(archiveCount(service), 1);

  // 10:00 on 14 May in Paris; the window is 11, 12 and 13 May.
  const outcome = await runPrebuildCatchUp(prebuildDepsFor(service, { catchupDays: 3, now: at('2025-05-14T08:00:00Z') }));
  if (!outcome.ran) throw new Error('the only instance skipped its catch-up');

  t.same(outcome.result.days.map((day) => [day.day, day.status]), [
    ['2025-05-11', 'pending'],
    ['2025-05-12', 'ready'],
    ['2025-05-13', 'pending'],
  ]);
  t.equal(outcome.result.days[1]!.exportId, existing.id);
  for (const day of outcome.result.days) t.equal((await settledExport(service, day.exportId)).status, 'ready');
  t.equal(archiveCount(service), 3, 'only 11 and 13 May were built');
  t.equal(await service.runtime.store.getLease(PREBUILD_LEASE), null, 'the catch-up released its lease');
});

t.test('two instances run one tick once', async (t) => {
  const service = await startTestService(t, { TIMEZONE: 'UTC', RETENTION_CRON: 'off' });
  const photos = testPhotos(2, { realFirst: false });
  await uploadAll(service, [
    { photo: photos[0]!, plate: 'BB222BB', capturedAt: '2025-06-01T08:00:00Z' },
    { photo: photos[1]!, plate: 'BB222BB', capturedAt: '2025-06-01T09:00:00Z' },
  ]);
  const first = capturingLogger();
  const second = capturingLogger();
  const tickTime = new Date('2025-06-02T00:15:00Z');
  const instanceA = prebuildDepsFor(service, { holder: 'instance-a', logger: first.logger, catchupDays: 0, now: () => tickTime });
  const instanceB = prebuildDepsFor(service, { holder: 'instance-b', logger: second.logger, catchupDays: 0, now: () => tickTime });

  const [outcomeA, outcomeB] = await Promise.all([runPrebuildTick(instanceA, tickTime), runPrebuildTick(instanceB, tickTime)]);
  t.same([outcomeA.ran, outcomeB.ran].sort(), [false, true]);
  const [winner, loser, loserLog] = outcomeA.ran ? ['instance-a', outcomeB, second.lines] : ['instance-b', outcomeA, first.lines];
  if (loser.ran) throw new Error('both instances ran');
  t.equal(loser.holder, winner);
  // The loser reads the lease while the winner runs (five-minute TTL) or after it finished
  // (held until two minutes after the scheduled minute), depending on how the calls interleave.
  const expiry = loser.expiresAt?.toISOString() ?? '';
  t.ok(['2025-06-02T00:20:00.000Z', '2025-06-02T00:17:00.000Z'].includes(expiry), `lease expiry ${expiry}`);
  const skipped = loserLog.find((line) => line.msg === 'cron tick skipped; lease held by another instance');
  t.equal(skipped?.holder, winner);
  t.equal(skipped?.expiresAt, expiry);
  t.equal((await service.runtime.store.getLease(PREBUILD_LEASE))?.expiresAt.toISOString(), '2025-06-02T00:17:00.000Z', 'the winner holds the lease past its tick');

  // An instance whose clock lags by 40 seconds fires after the winner finished, and skips.
  const lagging = prebuildDepsFor(service, { holder: 'instance-c', catchupDays: 0, now: at('2025-06-02T00:15:40Z') });
  const late = await runPrebuildTick(lagging, new Date('2025-06-02T00:15:00Z'));
  t.equal(late.ran, false);

  const ran = outcomeA.ran ? outcomeA : outcomeB;
  if (!ran.ran) throw new Error('no instance ran');
  const exportId = ran.result.days.find((day) => day.day === '2025-06-01')!.exportId;
  t.equal((await settledExport(service, exportId)).status, 'ready');
  t.equal(archiveCount(service), 1);
});

t.test('daylight-saving nights build once each', async (t) => {
  const service = await startTestService(t, { TIMEZONE: 'Europe/Paris', RETENTION_CRON: 'off' });
  const photos = testPhotos(6, { realFirst: false });
  await uploadAll(service, [
    { photo: photos[0]!, plate: 'CC333CC', capturedAt: '2025-03-28T12:00:00+01:00' },
    { photo: photos[1]!, plate: 'CC333CC', capturedAt: '2025-03-29T12:00:00+01:00' },
    { photo: photos[2]!, plate: 'CC333CC', capturedAt: '2025-03-30T12:00:00+02:00' },
    { photo: photos[3]!, plate: 'CC333CC', capturedAt: '2025-10-24T12:00:00+02:00' },
    { photo: photos[4]!, plate: 'CC333CC', capturedAt: '2025-10-25T12:00:00+02:00' },
    { photo: photos[5]!, plate: 'CC333CC', capturedAt: '2025-10-26T12:00:00+01:00' },
  ]);

  // The instants node-cron 4.6 fires '30 2 * * *' in Paris (see schedule-dst.test.ts): it skips
  // 2025-03-30, and the extra 00:30Z tick on 2025-10-26 is the first of the two 02:30s, which a
  // scheduler that fired twice would add.
  const ticks = [
    '2025-03-29T01:30:00Z',
    '2025-03-31T00:30:00Z',
    '2025-04-01T00:30:00Z',
    '2025-10-25T00:30:00Z',
    '2025-10-26T00:30:00Z',
    '2025-10-26T01:30:00Z',
    '2025-10-27T01:30:00Z',
  ];
  const exportIds = new Map<string, string>();
  for (const tick of ticks) {
    const tickTime = new Date(tick);
    const outcome = await runPrebuildTick(prebuildDepsFor(service, { catchupDays: 0, now: () => tickTime }), tickTime);
    if (!outcome.ran) throw new Error(`tick ${tick} was skipped`);
    for (const day of outcome.result.days) {
      if (exportIds.has(day.day)) t.equal(day.exportId, exportIds.get(day.day), `${day.day} keeps one export`);
      exportIds.set(day.day, day.exportId);
    }
  }

  t.same([...exportIds.keys()].sort(), [
    '2025-03-27', '2025-03-28', '2025-03-29', '2025-03-30', '2025-03-31',
    '2025-10-23', '2025-10-24', '2025-10-25', '2025-10-26',
  ]);
  for (const id of exportIds.values()) t.equal((await settledExport(service, id)).status, 'ready');
  t.equal(archiveCount(service), 6, 'one archive per day with photos');
});
