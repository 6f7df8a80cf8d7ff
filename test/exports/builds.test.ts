import t from 'tap';
import { testPhotos } from '../helpers/photos.js';
import { startTestService, uploadAll, type ExportBody } from '../helpers/service.js';
import { readZip } from '../helpers/zip.js';

function minuteOf(day: string, index: number): string {
  const minutes = String(index % 60).padStart(2, '0');
  const hours = String(Math.floor(index / 60) + 8).padStart(2, '0');
  return `${day}T${hours}:${minutes}:00Z`;
}

t.test('50 concurrent identical requests share one export and one build per part', async (t) => {
  const service = await startTestService(t, { ARCHIVE_MAX_FILES: '4' });
  const photos = testPhotos(10, { realFirst: false });
  await uploadAll(service, photos.map((photo, index) => ({ photo, plate: `CAR${index}`, capturedAt: minuteOf('2025-02-03', index) })));

  const responses = await Promise.all(Array.from({ length: 50 }, () => service.postExport({ from: '2025-02-03', to: '2025-02-03' })));
  const bodies = (await Promise.all(responses.map((response) => response.json()))) as ExportBody[];

  t.strictSame([...new Set(responses.map((response) => response.status))].sort(), [202], 'every request is accepted');
  const ids = new Set(bodies.map((body) => body.id));
  t.equal(ids.size, 1, 'one export id');

  const ready = await service.waitUntilSettled(bodies[0]!.id);
  t.equal(ready.status, 'ready');
  t.strictSame(ready.parts.map((part) => part.fileCount), [4, 4, 2]);
  t.equal(service.runtime.emulator!.stats.count('generate_archive.create'), 3, 'exactly one generate_archive call per part');
});

t.test('25 photos with ARCHIVE_MAX_FILES=10 give parts of 10, 10 and 5', async (t) => {
  const service = await startTestService(t, { ARCHIVE_MAX_FILES: '10' });
  const photos = testPhotos(25, { realFirst: false });
  const uploaded = await uploadAll(service, photos.map((photo, index) => ({ photo, plate: 'AB123CD', capturedAt: minuteOf('2025-02-04', index) })));

  const accepted = (await (await service.postExport({ from: '2025-02-04', to: '2025-02-04' })).json()) as ExportBody;
  const ready = await service.waitUntilSettled(accepted.id);
  t.strictSame(ready.parts.map((part) => [part.index, part.fileCount]), [[1, 10], [2, 10], [3, 5]]);
  t.equal(ready.progress.partsDone, 3);

  const seen: string[] = [];
  for (const part of ready.parts) {
    const entries = await readZip(Buffer.from(await (await fetch(part.url!)).arrayBuffer()));
    t.equal(entries.length, part.fileCount, `part ${part.index} holds ${part.fileCount} files`);
    seen.push(...entries.map((entry) => entry.name));
  }
  // Parts follow capture order: part 1 contains the first ten photos, and so on.
  t.strictSame(seen, uploaded.map((photo) => `${photo.publicId}.${photo.format}`));
});

t.test('byte limit splits a range into parts', async (t) => {
  const photos = testPhotos(6, { realFirst: false });
  const sizes = photos.map((photo) => photo.bytes.length);
  // Any two photos fit under the limit and no three do, so parts must hold exactly two.
  const limit = Math.min(...sizes) * 3 - 1;
  t.ok(Math.max(...sizes) * 2 <= limit, 'generated photos are close enough in size for this test');
  const service = await startTestService(t, { ARCHIVE_MAX_BYTES: String(limit) });
  await uploadAll(service, photos.map((photo, index) => ({ photo, plate: 'AB123CD', capturedAt: minuteOf('2025-02-05', index) })));

  const accepted = (await (await service.postExport({ from: '2025-02-05', to: '2025-02-05' })).json()) as ExportBody;
  const ready = await service.waitUntilSettled(accepted.id);
  t.strictSame(ready.parts.map((part) => part.fileCount), [2, 2, 2]);
  t.ok(ready.parts.every((part) => part.bytes <= limit), 'no part exceeds ARCHIVE_MAX_BYTES');
});

t.test('late photo changes the fingerprint and the next request rebuilds', async (t) => {
  const service = await startTestService(t);
  const photos = testPhotos(3, { realFirst: false });
  await uploadAll(service, [
    { photo: photos[0]!, plate: 'AB123CD', capturedAt: '2025-02-06T09:00:00Z' },
    { photo: photos[1]!, plate: 'AB123CD', capturedAt: '2025-02-06T10:00:00Z' },
  ]);
  const first = (await (await service.postExport({ from: '2025-02-06', to: '2025-02-06' })).json()) as ExportBody;
  const firstReady = await service.waitUntilSettled(first.id);
  t.equal(firstReady.imageCount, 2);

  const [late] = await uploadAll(service, [{ photo: photos[2]!, plate: 'LATE1', capturedAt: '2025-02-06T11:00:00Z' }]);
  const response = await service.postExport({ from: '2025-02-06', to: '2025-02-06' });
  const second = (await response.json()) as ExportBody;
  t.equal(response.status, 202, 'the stale archive is not returned');
  t.not(second.id, first.id);
  t.equal(second.imageCount, 3);

  const secondReady = await service.waitUntilSettled(second.id);
  const entries = await readZip(Buffer.from(await (await fetch(secondReady.parts[0]!.url!)).arrayBuffer()));
  t.ok(entries.some((entry) => entry.name === `${late!.publicId}.${late!.format}`), 'the late photo is in the new archive');
  t.equal(service.runtime.emulator!.stats.count('generate_archive.create'), 2);
});

t.test('failed export is retried when asked for again', async (t) => {
  const service = await startTestService(t);
  await uploadAll(service, [{ photo: testPhotos(1)[0]!, plate: 'AB123CD', capturedAt: '2025-02-07T09:00:00Z' }]);
  service.runtime.emulator!.faults.add({ operation: 'generate_archive.create', status: 400, times: 1 });

  const first = (await (await service.postExport({ from: '2025-02-07', to: '2025-02-07' })).json()) as ExportBody;
  const failed = await service.waitUntilSettled(first.id);
  t.equal(failed.status, 'failed');
  t.equal(failed.instant, undefined, 'a failed export offers no instant link');
  t.equal(failed.error?.code, 'PA_ERR_CLOUDINARY_REJECTED');
  t.equal(failed.error?.retryable, false);
  t.equal(service.runtime.emulator!.stats.count('generate_archive.create'), 1, 'a 400 is not retried by the client');

  const again = await service.postExport({ from: '2025-02-07', to: '2025-02-07' });
  const retried = (await again.json()) as ExportBody;
  t.equal(again.status, 202);
  t.equal(retried.id, first.id);
  const ready = await service.waitUntilSettled(first.id);
  t.equal(ready.status, 'ready');
  t.equal(ready.error, null);
});

t.test('wait returns as soon as the export changes', async (t) => {
  const service = await startTestService(t);
  await uploadAll(service, [{ photo: testPhotos(1)[0]!, plate: 'AB123CD', capturedAt: '2025-02-08T09:00:00Z' }]);
  const accepted = (await (await service.postExport({ from: '2025-02-08', to: '2025-02-08' })).json()) as ExportBody;

  const response = await fetch(`${service.baseUrl}/v1/exports/${accepted.id}?wait=30`);
  const body = (await response.json()) as ExportBody;
  t.equal(response.status, 200);
  t.not(body.status, 'pending', 'the reply came back after a change');
});
