import { setTimeout as sleep } from 'node:timers/promises';
import t, { type Test } from 'tap';
import { createCloudinaryClient } from '../../src/cloudinary/client.js';
import { startEmulator } from '../../src/cloudinary/emulator/index.js';
import { CloudinaryError } from '../../src/cloudinary/errors.js';
import { callOptions, loadCloudinarySdk } from '../../src/cloudinary/sdk.js';
import { testPhotos } from '../helpers/photos.js';
import { startTestService, uploadAll, type ExportBody } from '../helpers/service.js';
import { readZip } from '../helpers/zip.js';
import { settleExport, temporaryDir } from './support.js';

t.test('503 three times then success ends ready', async (t) => {
  const service = await startTestService(t, { CLOUDINARY_MAX_ATTEMPTS: '4' });
  const emulator = service.runtime.emulator!;
  await uploadAll(service, [{ photo: testPhotos(1, { realFirst: false })[0]!, plate: 'FLAKY1', capturedAt: '2025-05-01T09:00:00Z' }]);
  emulator.faults.add({ operation: 'generate_archive.create', status: 503, times: 3 });

  const accepted = (await (await service.postExport({ from: '2025-05-01', to: '2025-05-01' })).json()) as ExportBody;
  const ready = await settleExport(service.baseUrl, accepted.id);
  t.equal(ready.status, 'ready');
  t.equal(ready.error, null);
  t.equal(emulator.stats.count('generate_archive.create'), 4, 'three failures and one success');
  t.strictSame(emulator.listAssets('raw').map((asset) => asset.publicId), [`exports/${accepted.id}/part-1.zip`]);
  t.comment(`figure: 503 x3 then 200: ready with ${emulator.stats.count('generate_archive.create')} generate_archive calls`);
});

t.test('503 beyond the client attempts is retried by the worker', async (t) => {
  const service = await startTestService(t, { CLOUDINARY_MAX_ATTEMPTS: '2' });
  const emulator = service.runtime.emulator!;
  await uploadAll(service, [{ photo: testPhotos(1, { realFirst: false })[0]!, plate: 'FLAKY2', capturedAt: '2025-05-02T09:00:00Z' }]);
  emulator.faults.add({ operation: 'generate_archive.create', status: 503, times: 3 });

  const accepted = (await (await service.postExport({ from: '2025-05-02', to: '2025-05-02' })).json()) as ExportBody;
  const ready = await settleExport(service.baseUrl, accepted.id);
  t.equal(ready.status, 'ready', 'the second build attempt succeeds');
  t.equal(emulator.stats.count('generate_archive.create'), 4, 'two calls per build attempt');
  t.equal(emulator.listAssets('raw').length, 1, 'one stored archive');
});

t.test('400 once ends failed, then retried on request', async (t) => {
  const service = await startTestService(t);
  const emulator = service.runtime.emulator!;
  await uploadAll(service, [{ photo: testPhotos(1, { realFirst: false })[0]!, plate: 'REJECT1', capturedAt: '2025-05-03T09:00:00Z' }]);
  emulator.faults.add({ operation: 'generate_archive.create', status: 400 });

  const accepted = (await (await service.postExport({ from: '2025-05-03', to: '2025-05-03' })).json()) as ExportBody;
  const failed = await settleExport(service.baseUrl, accepted.id);
  t.equal(failed.status, 'failed');
  t.strictSame(failed.error, { code: 'PA_ERR_CLOUDINARY_REJECTED', message: 'Injected fault: HTTP 400 for generate_archive.create', retryable: false });
  t.strictSame(failed.parts.map((part) => part.url), [null], 'no download link');
  t.equal(emulator.stats.count('generate_archive.create'), 1, 'a 400 is not retried');

  const again = await service.postExport({ from: '2025-05-03', to: '2025-05-03' });
  const retried = (await again.json()) as ExportBody;
  t.equal(again.status, 202);
  t.equal(retried.id, accepted.id, 'the same export is retried');
  t.equal(retried.error, null);

  const ready = await settleExport(service.baseUrl, accepted.id);
  t.equal(ready.status, 'ready');
  t.equal(emulator.stats.count('generate_archive.create'), 2);
  t.equal(emulator.listAssets('raw').length, 1);
});

t.test('dropped connection and timeout are retried onto one archive', async (t) => {
  const service = await startTestService(t, { CLOUDINARY_TIMEOUT_MS: '300' });
  const emulator = service.runtime.emulator!;
  await uploadAll(service, [{ photo: testPhotos(1, { realFirst: false })[0]!, plate: 'SLOW1', capturedAt: '2025-05-04T09:00:00Z' }]);
  emulator.faults.add({ operation: 'generate_archive.create', dropConnection: true });
  emulator.faults.add({ operation: 'generate_archive.create', delayMs: 1000 });

  const accepted = (await (await service.postExport({ from: '2025-05-04', to: '2025-05-04' })).json()) as ExportBody;
  const ready = await settleExport(service.baseUrl, accepted.id);
  t.equal(ready.status, 'ready');
  t.equal(emulator.stats.count('generate_archive.create'), 3, 'dropped, timed out, then answered');

  // The timed-out call still stores its archive when its delay ends, on the same public id.
  await sleep(1200);
  t.strictSame(emulator.listAssets('raw').map((asset) => asset.publicId), [`exports/${accepted.id}/part-1.zip`]);
  const entries = await readZip(Buffer.from(await (await fetch(ready.parts[0]!.url!)).arrayBuffer()));
  t.equal(entries.length, 1);
});

/**
 * Starts an emulator whose clock stands still at `at`, and a Cloudinary client on the same clock
 * that records each sleep instead of sleeping.
 */
async function rateLimitedClient(t: Test, at: string, folder: string) {
  const emulatorNow = Date.parse(at);
  const emulator = await startEmulator({ dataDir: temporaryDir(t, folder), now: () => emulatorNow, logger: false });
  t.teardown(() => emulator.close());

  const sleeps: number[] = [];
  const client = createCloudinaryClient({
    sdk: await loadCloudinarySdk('http'),
    credentials: emulator.credentials,
    policy: { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 1000, maxRateLimitWaitMs: 120_000, timeoutMs: 5000 },
    hooks: {
      now: () => emulatorNow,
      random: () => 0.5,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
    },
  });
  return { emulator, client, sleeps };
}

t.test('420 with a reset makes the client wait as told', async (t) => {
  const { emulator, client, sleeps } = await rateLimitedClient(t, '2025-01-01T12:59:18Z', 'rate-limit');
  emulator.faults.add({ operation: 'admin.resources', status: 420, headers: { 'Retry-After': '42' } });

  const page = await client.listArchives('exports/', null);
  t.strictSame(page, { publicIds: [], next: null });
  t.strictSame(sleeps, [42_000], 'waits until 13:00:00 UTC, the reset Cloudinary named');
  t.equal(emulator.stats.count('admin.resources'), 2);
  t.comment(`figure: 420 "Try again on 2025-01-01 13:00:00 UTC" at 12:59:18: client slept ${sleeps.join(', ')} ms, then succeeded`);
});

t.test('420 with a reset too far away fails without waiting', async (t) => {
  const { emulator, client, sleeps } = await rateLimitedClient(t, '2025-01-01T12:10:00Z', 'rate-limit-far');
  emulator.faults.add({ operation: 'admin.resources', status: 420 });

  const error = await client.listArchives('exports/', null).catch((rejection: unknown) => rejection);
  t.ok(error instanceof CloudinaryError);
  t.equal((error as CloudinaryError).code, 'PA_ERR_CLOUDINARY_RATE_LIMITED');
  t.equal((error as CloudinaryError).retryAt?.toISOString(), '2025-01-01T13:00:00.000Z');
  t.strictSame(sleeps, []);
  t.equal(emulator.stats.count('admin.resources'), 1);
});

t.test('photo whose asset disappeared is listed as missing', async (t) => {
  const service = await startTestService(t);
  const emulator = service.runtime.emulator!;
  const uploaded = await uploadAll(
    service,
    testPhotos(3, { realFirst: false }).map((photo, index) => ({ photo, plate: `GONE${index}`, capturedAt: `2025-05-05T09:0${index}:00Z` })),
  );
  const deletedPhoto = uploaded[1]!;

  const sdk = await loadCloudinarySdk('http');
  const deletion = (await sdk.api.delete_resources([deletedPhoto.publicId], { ...callOptions(service.runtime.credentials), resource_type: 'image', type: 'upload' })) as {
    deleted: Record<string, string>;
  };
  t.strictSame(deletion.deleted, { [deletedPhoto.publicId]: 'deleted' });

  const accepted = (await (await service.postExport({ from: '2025-05-05', to: '2025-05-05' })).json()) as ExportBody;
  const ready = await settleExport(service.baseUrl, accepted.id);
  t.equal(ready.status, 'ready');
  t.strictSame(ready.missingPhotos, [deletedPhoto.publicId]);
  t.equal(ready.imageCount, 3, 'imageCount counts the photos the range held');
  t.equal(emulator.stats.count('generate_archive.create'), 1);

  const entries = await readZip(Buffer.from(await (await fetch(ready.parts[0]!.url!)).arrayBuffer()));
  t.strictSame(
    entries.map((entry) => entry.name),
    [uploaded[0]!, uploaded[2]!].map((photo) => `${photo.publicId}.${photo.format}`),
  );
});
