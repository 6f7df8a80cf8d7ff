import t from 'tap';
import { testPhotos } from '../helpers/photos.js';
import { startTestService, uploadAll, type ExportBody } from '../helpers/service.js';
import { readExportRow, waitFor } from './support.js';

t.test('close stops claiming while long polls finish', async (t) => {
  const service = await startTestService(t);
  const emulator = service.runtime.emulator!;
  const photos = testPhotos(2, { realFirst: false });
  await uploadAll(service, [
    { photo: photos[0]!, plate: 'POLL1', capturedAt: '2025-05-03T09:00:00Z' },
    { photo: photos[1]!, plate: 'POLL2', capturedAt: '2025-05-04T09:00:00Z' },
  ]);

  emulator.faults.add({ operation: 'generate_archive.create', delayMs: 1500 });
  const building = (await (await service.postExport({ from: '2025-05-03', to: '2025-05-03' })).json()) as ExportBody;
  await waitFor('the first build to reach Cloudinary', () => emulator.stats.count('generate_archive.create') === 1);
  // This long poll keeps app.close() waiting until the build above finishes.
  const longPoll = fetch(`${service.baseUrl}/v1/exports/${building.id}?wait=10`).then((response) => response.json() as Promise<ExportBody>);
  await new Promise((resolve) => setTimeout(resolve, 100));

  const closeStarted = performance.now();
  const closing = service.runtime.close(5000);
  const queued = await service.runtime.exports.requestExport({ from: '2025-05-04', to: '2025-05-04' });
  await closing;
  const closeMs = performance.now() - closeStarted;

  t.equal((await longPoll).status, 'ready', 'the long poll got its answer');
  // The poll's keep-alive connection must not hold close() for Fastify's 72 s keepAliveTimeout.
  t.ok(closeMs < 20_000, `close took ${closeMs.toFixed(0)} ms`);
  t.equal(readExportRow(service.dataDir, building.id)?.status, 'ready', 'the build in flight finished');
  t.strictSame(readExportRow(service.dataDir, queued.id), { id: queued.id, status: 'pending', attempts: 0, leaseHolder: null }, 'work queued after close was not taken');
  t.equal(emulator.stats.count('generate_archive.create'), 1, 'no archive build started after close');
});
