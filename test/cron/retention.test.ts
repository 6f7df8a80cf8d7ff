import t from 'tap';
import { runRetentionSweep, type RetentionDeps } from '../../src/cron/retention.js';
import { testPhotos } from '../helpers/photos.js';
import { startTestService, uploadAll, type TestService } from '../helpers/service.js';
import { settledExport } from './helpers.js';

const DAY_MS = 86_400_000;

function retentionDeps(service: TestService): RetentionDeps {
  const { runtime } = service;
  return { store: runtime.store, cloudinary: runtime.cloudinary, logger: runtime.logger, archiveFolder: runtime.config.ARCHIVE_FOLDER };
}

function rawAssets(service: TestService): string[] {
  return (service.runtime.emulator?.listAssets('raw') ?? []).map((asset) => asset.publicId).sort();
}

function archivesOf(record: { parts: Array<{ archivePublicId: string | null }> }): string[] {
  return record.parts.map((part) => part.archivePublicId ?? '(not built)');
}

t.test('sweep deletes expired archives only', async (t) => {
  const start = Date.now();
  let clock = new Date(start);
  const service = await startTestService(t, { TIMEZONE: 'UTC', RETENTION_CRON: 'off', EXPORT_RETENTION_DAYS: '7' }, { now: () => clock });
  const photos = testPhotos(6, { realFirst: false });
  await uploadAll(service, [
    { photo: photos[0]!, plate: 'DD444DD', capturedAt: '2025-02-01T08:00:00Z' },
    { photo: photos[1]!, plate: 'DD444DD', capturedAt: '2025-02-01T09:00:00Z' },
    { photo: photos[2]!, plate: 'DD444DD', capturedAt: '2025-02-02T08:00:00Z' },
    { photo: photos[3]!, plate: 'DD444DD', capturedAt: '2025-02-02T09:00:00Z' },
    { photo: photos[4]!, plate: 'DD444DD', capturedAt: '2025-02-03T08:00:00Z' },
    { photo: photos[5]!, plate: 'DD444DD', capturedAt: '2025-02-03T09:00:00Z' },
  ]);
  const { exports, store } = service.runtime;
  const emulator = service.runtime.emulator!;

  const old1 = await settledExport(service, (await exports.requestExport({ from: '2025-02-01', to: '2025-02-01' })).id);
  const old2 = await settledExport(service, (await exports.requestExport({ from: '2025-02-02', to: '2025-02-02' })).id);
  const oldEmpty = await exports.requestExport({ from: '2025-02-10', to: '2025-02-10' });
  clock = new Date(start + 5 * DAY_MS);
  const fresh = await settledExport(service, (await exports.requestExport({ from: '2025-02-03', to: '2025-02-03' })).id);

  const allArchives = [...archivesOf(old1), ...archivesOf(old2), ...archivesOf(fresh)].sort();
  t.same(rawAssets(service), allArchives);
  t.equal(emulator.listAssets('image').length, 6);

  const sweepTime = new Date(start + 7 * DAY_MS + 3_600_000);
  const dryRun = await runRetentionSweep(retentionDeps(service), sweepTime, { dryRun: true });
  t.same(dryRun.exports.map((swept) => swept.id).sort(), [old1.id, old2.id, oldEmpty.id].sort());
  t.same(dryRun.deletedArchives.sort(), [...archivesOf(old1), ...archivesOf(old2)].sort());
  t.same(rawAssets(service), allArchives, 'a dry run deletes no archive');
  t.equal(emulator.stats.count('admin.delete'), 0);
  t.ok(await store.getExport(old1.id), 'a dry run deletes no record');

  const report = await runRetentionSweep(retentionDeps(service), sweepTime, { dryRun: false });
  t.same(report.deletedArchives.sort(), [...archivesOf(old1), ...archivesOf(old2)].sort());
  t.same(report.errors, []);
  t.same(rawAssets(service), archivesOf(fresh));
  t.equal(emulator.listAssets('image').length, 6, 'no photo was deleted');
  t.equal(await store.getExport(old1.id), null);
  t.equal(await store.getExport(old2.id), null);
  t.equal(await store.getExport(oldEmpty.id), null);
  t.equal((await store.getExport(fresh.id))?.status, 'ready');
  t.equal(emulator.stats.count('admin.delete'), 1, 'both archives went in one delete call');

  // An archive whose record is gone is an orphan, and the next sweep deletes it.
  await store.deleteExport(fresh.id);
  const orphans = await runRetentionSweep(retentionDeps(service), sweepTime, { dryRun: false });
  t.same(orphans.orphanArchives, archivesOf(fresh));
  t.same(rawAssets(service), []);
  t.equal(emulator.listAssets('image').length, 6);
});

t.test('failed archive delete keeps the record', async (t) => {
  const start = Date.now();
  const service = await startTestService(t, { TIMEZONE: 'UTC', RETENTION_CRON: 'off', CLOUDINARY_MAX_ATTEMPTS: '2' }, { now: () => new Date(start) });
  const [photo] = testPhotos(1, { realFirst: false });
  await uploadAll(service, [{ photo: photo!, plate: 'EE555EE', capturedAt: '2025-02-05T08:00:00Z' }]);
  const record = await settledExport(service, (await service.runtime.exports.requestExport({ from: '2025-02-05', to: '2025-02-05' })).id);
  const sweepTime = new Date(start + 8 * DAY_MS);

  service.runtime.emulator!.faults.add({ operation: 'admin.delete', status: 500, times: 2 });
  const failed = await runRetentionSweep(retentionDeps(service), sweepTime, { dryRun: false });
  t.equal(failed.errors.length, 1);
  t.same(failed.kept, [{ id: record.id, reason: 'archive delete failed' }]);
  t.ok(await service.runtime.store.getExport(record.id), 'the record stays for the next sweep');
  t.same(rawAssets(service), archivesOf(record));

  const retried = await runRetentionSweep(retentionDeps(service), sweepTime, { dryRun: false });
  t.same(retried.errors, []);
  t.same(retried.exports.map((swept) => swept.id), [record.id]);
  t.equal(await service.runtime.store.getExport(record.id), null);
  t.same(rawAssets(service), []);
});

t.test('sweep pages through many expired exports', async (t) => {
  const start = Date.now();
  const service = await startTestService(t, { TIMEZONE: 'UTC', RETENTION_CRON: 'off' }, { now: () => new Date(start) });
  // 120 empty days: more than two pages of the store listing, each a ready export with no parts.
  const ids: string[] = [];
  for (let offset = 0; offset < 120; offset += 1) {
    const day = new Date(Date.UTC(2024, 0, 1) + offset * DAY_MS).toISOString().slice(0, 10);
    ids.push((await service.runtime.exports.requestExport({ from: day, to: day })).id);
  }
  const sweepTime = new Date(start + 8 * DAY_MS);

  const dryRun = await runRetentionSweep(retentionDeps(service), sweepTime, { dryRun: true });
  t.same(dryRun.exports.map((swept) => swept.id).sort(), [...ids].sort());

  const report = await runRetentionSweep(retentionDeps(service), sweepTime, { dryRun: false });
  t.equal(report.exports.length, 120);
  t.same(await service.runtime.store.listExpiredExports(sweepTime, 500), []);
  t.equal(service.runtime.emulator!.stats.count('admin.delete'), 0, 'exports without archives need no delete call');
});

t.test('export near expiry is replaced, not handed out', async (t) => {
  let clock = new Date();
  const service = await startTestService(t, { EXPORT_RETENTION_DAYS: '7', DOWNLOAD_URL_TTL_SECONDS: '3600' }, { now: () => clock });
  await uploadAll(service, [{ photo: testPhotos(1, { realFirst: false })[0]!, plate: 'EE555EE', capturedAt: '2025-03-01T08:00:00Z' }]);
  const { exports, store } = service.runtime;

  const first = await settledExport(service, (await exports.requestExport({ from: '2025-03-01', to: '2025-03-01' })).id);
  clock = new Date(clock.getTime() + 6 * DAY_MS);
  t.equal((await exports.requestExport({ from: '2025-03-01', to: '2025-03-01' })).id, first.id, 'reused with a day to go');

  // Thirty minutes before expiry a link signed now (valid one hour) could outlive the archive.
  clock = new Date(first.expiresAt.getTime() - 30 * 60_000);
  const second = await exports.requestExport({ from: '2025-03-01', to: '2025-03-01' });
  t.not(second.id, first.id);
  t.equal(second.status, 'pending');
  t.equal(await store.getExport(first.id), null, 'the old record is gone');

  const ready = await settledExport(service, second.id);
  t.equal(ready.status, 'ready');
  const report = await runRetentionSweep(retentionDeps(service), clock, { dryRun: false });
  t.strictSame(report.orphanArchives, archivesOf(first), 'the sweep removes the old archives as orphans');
  t.strictSame(rawAssets(service), archivesOf(ready));
});
