import t from 'tap';
import type { CloudinaryPort } from '../../src/cloudinary/client.js';
import { testPhotos } from '../helpers/photos.js';
import { startTestService, uploadAll, type ExportBody } from '../helpers/service.js';

/** Returns the ISO instant on `day` at 08:00 UTC plus `minute` minutes. */
function minuteOf(day: string, minute: number): string {
  return `${day}T08:${String(minute).padStart(2, '0')}:00Z`;
}

/** Returns the day `offset` days after 2025-03-01, as YYYY-MM-DD. */
function dayAfterMarchFirst(offset: number): string {
  return new Date(Date.UTC(2025, 2, 1 + offset)).toISOString().slice(0, 10);
}

/**
 * Wraps the runtime's Cloudinary port so the test counts how many archive builds run at once. The
 * worker uses the same port object, so replacing the method reaches every build it starts.
 */
function countConcurrentArchives(cloudinary: CloudinaryPort): { peak: () => number } {
  const createArchive = cloudinary.createArchive.bind(cloudinary);
  let running = 0;
  let peak = 0;
  cloudinary.createArchive = async (input) => {
    running += 1;
    peak = Math.max(peak, running);
    try {
      return await createArchive(input);
    } finally {
      running -= 1;
    }
  };
  return { peak: () => peak };
}

t.test('500 concurrent requests for one range share one export', async (t) => {
  const service = await startTestService(t, { ARCHIVE_MAX_FILES: '5' });
  const photos = testPhotos(12, { realFirst: false });
  await uploadAll(service, photos.map((photo, index) => ({ photo, plate: `LOAD${index}`, capturedAt: minuteOf('2025-03-10', index) })));
  const emulator = service.runtime.emulator!;

  const started = performance.now();
  const responses = await Promise.all(Array.from({ length: 500 }, () => service.postExport({ from: '2025-03-10', to: '2025-03-10' })));
  const bodies = (await Promise.all(responses.map((response) => response.json()))) as ExportBody[];
  const answeredMs = performance.now() - started;

  const statuses = new Set(responses.map((response) => response.status));
  t.ok([...statuses].every((status) => status === 200 || status === 202), `every request answers 200 or 202 (saw ${[...statuses].join(', ')})`);
  const ids = new Set(bodies.map((body) => body.id));
  t.equal(ids.size, 1, 'one export id');

  const ready = await service.waitUntilSettled(bodies[0]!.id);
  const settledMs = performance.now() - started;
  t.equal(ready.status, 'ready');
  t.equal(ready.imageCount, 12);
  t.strictSame(ready.parts.map((part) => part.fileCount), [5, 5, 2]);
  t.equal(emulator.stats.count('generate_archive.create'), 3, 'exactly one generate_archive call per part');
  t.equal(emulator.listAssets('raw').length, 3, 'three stored archives');

  t.comment(
    `figure: 500 concurrent POSTs, one range of 12 photos in 3 parts: answered in ${answeredMs.toFixed(0)} ms, ready after ${settledMs.toFixed(0)} ms, ` +
      `${ids.size} export id, ${emulator.stats.count('generate_archive.create')} generate_archive calls`,
  );
});

t.test('200 concurrent requests over 40 ranges', async (t) => {
  const concurrency = 2;
  const service = await startTestService(t, { ARCHIVE_MAX_FILES: '1', BUILD_CONCURRENCY: String(concurrency) });
  const emulator = service.runtime.emulator!;
  const builds = countConcurrentArchives(service.runtime.cloudinary);

  // Two photos a day for 40 days, one photo per part: 80 distinct parts.
  const days = Array.from({ length: 40 }, (_, offset) => dayAfterMarchFirst(offset));
  const photos = testPhotos(80, { realFirst: false });
  await uploadAll(
    service,
    photos.map((photo, index) => ({ photo, plate: `DAY${index}`, capturedAt: minuteOf(days[Math.floor(index / 2)]!, index % 2) })),
  );

  // Builds take a little longer than usual so that a burst really queues behind the limit.
  emulator.faults.add({ operation: 'generate_archive.create', delayMs: 20, times: 1000 });

  const started = performance.now();
  const requests = Array.from({ length: 200 }, (_, index) => days[index % days.length]!);
  const responses = await Promise.all(requests.map((day) => service.postExport({ from: day, to: day })));
  const bodies = (await Promise.all(responses.map((response) => response.json()))) as ExportBody[];

  const failedRequests = responses.filter((response) => response.status !== 200 && response.status !== 202);
  t.equal(failedRequests.length, 0, 'no request errors');

  const idsByDay = new Map<string, Set<string>>();
  for (const [index, body] of bodies.entries()) {
    const day = requests[index]!;
    idsByDay.set(day, (idsByDay.get(day) ?? new Set()).add(body.id));
  }
  t.ok([...idsByDay.values()].every((ids) => ids.size === 1), 'each range has one export id');
  t.equal(new Set(bodies.map((body) => body.id)).size, 40, '40 exports');

  const settled = await Promise.all([...idsByDay.values()].map((ids) => service.waitUntilSettled([...ids][0]!)));
  const settledMs = performance.now() - started;
  t.equal(settled.filter((body) => body.status === 'ready').length, 40, 'every export ends ready');
  t.ok(settled.every((body) => body.parts.length === 2 && body.parts.every((part) => part.fileCount === 1)), 'two one-photo parts each');

  const partCount = settled.reduce((sum, body) => sum + body.parts.length, 0);
  t.equal(partCount, 80);
  t.equal(emulator.stats.count('generate_archive.create'), partCount, 'one generate_archive call per distinct part');
  t.equal(emulator.listAssets('raw').length, partCount, 'one stored archive per part');
  t.ok(builds.peak() <= concurrency, `at most ${concurrency} archive builds at once (peak ${builds.peak()})`);
  t.ok(builds.peak() >= 1);

  t.comment(
    `figure: 200 concurrent POSTs over 40 ranges (80 parts), BUILD_CONCURRENCY=${concurrency}: all ready after ${settledMs.toFixed(0)} ms, ` +
      `${emulator.stats.count('generate_archive.create')} generate_archive calls, peak ${builds.peak()} builds in flight`,
  );
});
