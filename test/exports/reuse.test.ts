import t from 'tap';
import { testPhotos } from '../helpers/photos.js';
import { startTestService, uploadAll, type ExportBody } from '../helpers/service.js';

const DAYS = ['2025-08-01', '2025-08-02', '2025-08-03'];

async function prebuildDays(service: Awaited<ReturnType<typeof startTestService>>, days: string[]) {
  for (const day of days) {
    const accepted = (await (await service.postExport({ from: day, to: day })).json()) as ExportBody;
    const ready = await service.waitUntilSettled(accepted.id);
    if (ready.status !== 'ready') throw new Error(`day ${day} did not build`);
  }
}

t.test('multi-day range is answered from daily archives', async (t) => {
  const service = await startTestService(t, { ARCHIVE_MAX_FILES: '3' });
  const photos = testPhotos(6, { realFirst: false });
  await uploadAll(service, photos.map((photo, index) => ({ photo, plate: `R${index}`, capturedAt: `${DAYS[index % 3]}T1${index}:00:00Z` })));
  await prebuildDays(service, DAYS);
  const builds = service.runtime.emulator!.stats.count('generate_archive.create');
  t.equal(builds, 3, 'one archive per day');

  const response = await service.postExport({ from: DAYS[0], to: DAYS[2] });
  const body = (await response.json()) as ExportBody;
  t.equal(response.status, 200, 'ready at once');
  t.equal(body.imageCount, 6);
  t.strictSame(body.parts.map((part) => [part.index, part.fileCount]), [[1, 2], [2, 2], [3, 2]], 'one part per day');
  t.equal(service.runtime.emulator!.stats.count('generate_archive.create'), builds, 'no new archive was built');
  t.ok(body.parts.every((part) => part.url), 'every part has a signed URL');
});

t.test('range that fits in one part is archived whole', async (t) => {
  const service = await startTestService(t, { ARCHIVE_MAX_FILES: '10' });
  const photos = testPhotos(6, { realFirst: false });
  await uploadAll(service, photos.map((photo, index) => ({ photo, plate: `R${index}`, capturedAt: `${DAYS[index % 3]}T1${index}:00:00Z` })));
  await prebuildDays(service, DAYS);

  const response = await service.postExport({ from: DAYS[0], to: DAYS[2] });
  const body = (await response.json()) as ExportBody;
  t.equal(response.status, 202);
  const ready = await service.waitUntilSettled(body.id);
  t.strictSame(ready.parts.map((part) => part.fileCount), [6]);
  t.equal(service.runtime.emulator!.stats.count('generate_archive.create'), 4);
});

t.test('day whose photos changed is not reused', async (t) => {
  const service = await startTestService(t, { ARCHIVE_MAX_FILES: '3' });
  const photos = testPhotos(7, { realFirst: false });
  await uploadAll(service, photos.slice(0, 6).map((photo, index) => ({ photo, plate: `R${index}`, capturedAt: `${DAYS[index % 3]}T1${index}:00:00Z` })));
  await prebuildDays(service, DAYS);
  await uploadAll(service, [{ photo: photos[6]!, plate: 'LATE', capturedAt: `${DAYS[1]}T23:00:00Z` }]);

  const response = await service.postExport({ from: DAYS[0], to: DAYS[2] });
  t.equal(response.status, 202, 'built afresh because day 2 gained a photo');
  const ready = await service.waitUntilSettled(((await response.json()) as ExportBody).id);
  t.equal(ready.imageCount, 7);
});

t.test('daily reuse keeps the day after a missing midnight', async (t) => {
  // America/Santiago skipped from 00:00 to 01:00 on 2025-09-07; the range must still list its third day.
  const service = await startTestService(t, { TIMEZONE: 'America/Santiago', ARCHIVE_MAX_FILES: '3' });
  const days = ['2025-09-07', '2025-09-08', '2025-09-09'];
  const photos = testPhotos(6, { realFirst: false });
  await uploadAll(service, photos.map((photo, index) => ({ photo, plate: `S${index}`, capturedAt: `${days[index % 3]}T1${index}:00:00-03:00` })));
  await prebuildDays(service, days);

  const response = await service.postExport({ from: days[0], to: days[2] });
  const body = (await response.json()) as ExportBody;
  t.equal(response.status, 200, 'answered from the daily archives');
  t.equal(body.imageCount, 6);
  t.strictSame(body.parts.map((part) => part.fileCount), [2, 2, 2], 'every day has its part');
});
