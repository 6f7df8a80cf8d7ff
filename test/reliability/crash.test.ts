import t from 'tap';
import { startEmulator } from '../../src/cloudinary/emulator/index.js';
import { testPhotos } from '../helpers/photos.js';
import type { ExportBody } from '../helpers/service.js';
import { readZip } from '../helpers/zip.js';
import { postJson, readExportRow, settleExport, spawnService, temporaryDir, uploadPhoto, waitFor } from './support.js';

t.test('kill -9 mid-build: another instance finishes the export', async (t) => {
  const emulator = await startEmulator({ dataDir: temporaryDir(t, 'crash-emulator'), logger: false });
  t.teardown(() => emulator.close());
  const dataDir = temporaryDir(t, 'crash-service');
  const env = { DATA_DIR: dataDir, CLOUDINARY_URL: emulator.cloudinaryUrl, ARCHIVE_MAX_FILES: '2' };

  const first = await spawnService(t, env);
  const photos = testPhotos(6, { realFirst: false });
  const uploaded = [];
  for (const [index, photo] of photos.entries()) {
    uploaded.push(await uploadPhoto(first.baseUrl, photo, { plate: `CRASH${index}`, capturedAt: `2025-04-02T09:0${index}:00Z` }));
  }

  // Part 1 builds at once, and part 2 stalls in Cloudinary long enough for the kill to land mid-build.
  emulator.faults.add({ operation: 'generate_archive.create', delayMs: 1 });
  emulator.faults.add({ operation: 'generate_archive.create', delayMs: 8000 });

  const accepted = (await (await postJson(first.baseUrl, '/v1/exports', { from: '2025-04-02', to: '2025-04-02' })).json()) as ExportBody;
  t.equal(accepted.progress.partsTotal, 3);
  await waitFor('the second part build to reach Cloudinary', () => emulator.stats.count('generate_archive.create') === 2);

  const second = await spawnService(t, env);
  const killedAt = performance.now();
  first.child.kill('SIGKILL');
  t.equal(await first.exited, 'SIGKILL', 'the first instance died by SIGKILL');
  const row = readExportRow(dataDir, accepted.id);
  t.equal(row?.status, 'building', 'the export was left building with a live lease');

  const ready = await settleExport(second.baseUrl, accepted.id);
  const recoveredMs = performance.now() - killedAt;
  t.equal(ready.status, 'ready', 'the second instance finished the export');
  t.equal(ready.imageCount, 6);
  t.strictSame(ready.parts.map((part) => part.fileCount), [2, 2, 2]);
  t.equal(readExportRow(dataDir, accepted.id)?.attempts, 2, 'claimed twice: once per instance');

  // Part 1 was recorded before the kill, so the second instance builds parts 2 and 3 only.
  t.equal(emulator.stats.count('generate_archive.create'), 4, 'part 1 is not built again');

  // The stalled call may still store its archive after the kill, but on the same public id.
  await waitFor('the stalled archive call to finish', () => emulator.listAssets('raw').length >= 3);
  const archiveIds = emulator.listAssets('raw').map((asset) => asset.publicId).sort();
  t.strictSame(
    archiveIds,
    [1, 2, 3].map((index) => `exports/${accepted.id}/part-${index}.zip`),
    'exactly one stored archive per part',
  );

  const entries: string[] = [];
  for (const part of ready.parts) {
    const zip = await readZip(Buffer.from(await (await fetch(part.url!)).arrayBuffer()));
    entries.push(...zip.map((entry) => entry.name));
  }
  t.strictSame(entries, uploaded.map((photo) => `${photo.publicId}.${photo.format}`), 'the parts hold every photo once, in capture order');

  t.comment(`figure: kill -9 mid-build, JOB_LEASE_SECONDS=5: second instance had the export ready ${recoveredMs.toFixed(0)} ms after the kill`);
});

t.test('SIGTERM lets the build in flight finish and exits 0', async (t) => {
  const emulator = await startEmulator({ dataDir: temporaryDir(t, 'sigterm-emulator'), logger: false });
  t.teardown(() => emulator.close());
  const dataDir = temporaryDir(t, 'sigterm-service');
  const env = { DATA_DIR: dataDir, CLOUDINARY_URL: emulator.cloudinaryUrl, BUILD_CONCURRENCY: '1' };

  const service = await spawnService(t, env);
  const photos = testPhotos(2, { realFirst: false });
  await uploadPhoto(service.baseUrl, photos[0]!, { plate: 'TERM1', capturedAt: '2025-04-03T09:00:00Z' });
  await uploadPhoto(service.baseUrl, photos[1]!, { plate: 'TERM2', capturedAt: '2025-04-04T09:00:00Z' });

  emulator.faults.add({ operation: 'generate_archive.create', delayMs: 1500 });
  const building = (await (await postJson(service.baseUrl, '/v1/exports', { from: '2025-04-03', to: '2025-04-03' })).json()) as ExportBody;
  await waitFor('the first build to reach Cloudinary', () => emulator.stats.count('generate_archive.create') === 1);
  const queued = (await (await postJson(service.baseUrl, '/v1/exports', { from: '2025-04-04', to: '2025-04-04' })).json()) as ExportBody;
  t.equal(queued.status, 'pending', 'the second export waits behind BUILD_CONCURRENCY=1');

  const signalledAt = performance.now();
  service.child.kill('SIGTERM');
  const exitCode = await service.exited;
  const shutdownMs = performance.now() - signalledAt;
  t.equal(exitCode, 0, `exits 0 (output: ${service.output()})`);

  t.equal(readExportRow(dataDir, building.id)?.status, 'ready', 'the build in flight finished');
  t.strictSame(readExportRow(dataDir, queued.id), { id: queued.id, status: 'pending', attempts: 0, leaseHolder: null }, 'queued work was not taken');
  t.equal(emulator.stats.count('generate_archive.create'), 1, 'no archive build started after SIGTERM');

  const restarted = await spawnService(t, env);
  const ready = await settleExport(restarted.baseUrl, queued.id);
  t.equal(ready.status, 'ready', 'the next instance builds the queued export');
  t.comment(`figure: SIGTERM with one 1.5 s build in flight: exit 0 after ${shutdownMs.toFixed(0)} ms`);
});
