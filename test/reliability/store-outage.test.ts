import { renameSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { SQLITE_FILE_NAME } from '../../src/store/index.js';
import { SqliteStore } from '../../src/store/sqlite/store.js';
import { testPhotos } from '../helpers/photos.js';
import { startTestService, uploadAll, type ExportBody } from '../helpers/service.js';
import { settleExport } from './support.js';

interface Problem {
  status: number;
  code: string;
  type: string;
  title: string;
  detail: string;
}

t.test('store outage answers 503 and recovers without restart', async (t) => {
  const service = await startTestService(t);
  const store = service.runtime.store;
  if (!(store instanceof SqliteStore)) throw new Error('This test needs the embedded SQLite store');
  const photos = testPhotos(2, { realFirst: false });
  await uploadAll(service, [{ photo: photos[0]!, plate: 'OUT1', capturedAt: '2025-06-01T09:00:00Z' }]);
  const before = (await (await service.postExport({ from: '2025-06-01', to: '2025-06-01' })).json()) as ExportBody;
  await settleExport(service.baseUrl, before.id);

  const file = path.join(service.dataDir, SQLITE_FILE_NAME);
  store.simulateOutage();
  renameSync(file, `${file}.away`);
  const outageStarted = performance.now();

  const readiness = await fetch(`${service.baseUrl}/readyz`);
  const readyBody = (await readiness.json()) as { status: string; checks: Record<string, string> };
  t.equal(readiness.status, 503);
  t.equal(readyBody.status, 'unavailable');
  t.match(readyBody.checks.store, /^failed: /);
  t.equal(readyBody.checks.cloudinary, 'ok');

  const exportRequests: Array<[string, () => Promise<Response>]> = [
    ['POST /v1/exports', () => service.postExport({ from: '2025-06-01', to: '2025-06-01' })],
    ['GET /v1/exports/:id', () => fetch(`${service.baseUrl}/v1/exports/${before.id}`)],
    ['GET /v1/exports/:id/parts/1', () => fetch(`${service.baseUrl}/v1/exports/${before.id}/parts/1`, { redirect: 'manual' })],
    ['GET /v1/images', () => fetch(`${service.baseUrl}/v1/images?from=2025-06-01&to=2025-06-01`)],
  ];
  for (const [name, send] of exportRequests) {
    const response = await send();
    const problem = (await response.json()) as Problem;
    t.equal(response.status, 503, `${name}: 503`);
    t.equal(response.headers.get('content-type'), 'application/problem+json; charset=utf-8', `${name}: problem+json`);
    t.equal(response.headers.get('retry-after'), '5', `${name}: Retry-After`);
    t.equal(problem.code, 'PA_ERR_STORE_UNAVAILABLE', `${name}: code`);
    t.equal(problem.status, 503, `${name}: status in the body`);
  }

  const uploadDuringOutage = await service.upload(photos[1]!, { plate: 'OUT2', capturedAt: '2025-06-01T10:00:00Z' });
  t.equal(uploadDuringOutage.status, 503, 'an upload cannot be recorded either');
  t.equal(((await uploadDuringOutage.json()) as Problem).code, 'PA_ERR_STORE_UNAVAILABLE');

  renameSync(`${file}.away`, file);
  const recovered = await fetch(`${service.baseUrl}/readyz`);
  await recovered.body?.cancel();
  const outageMs = performance.now() - outageStarted;
  t.equal(recovered.status, 200, 'ready again once the file is back');

  const again = await service.postExport({ from: '2025-06-01', to: '2025-06-01' });
  const body = (await again.json()) as ExportBody;
  t.equal(again.status, 200);
  t.equal(body.id, before.id, 'the export made before the outage is still there');
  t.equal(body.status, 'ready');

  const upload = await service.upload(photos[1]!, { plate: 'OUT2', capturedAt: '2025-06-01T10:00:00Z' });
  t.equal(upload.status, 201, 'uploads work again');
  const rebuilt = (await (await service.postExport({ from: '2025-06-01', to: '2025-06-01' })).json()) as ExportBody;
  t.equal(rebuilt.imageCount, 2);
  t.equal((await settleExport(service.baseUrl, rebuilt.id)).status, 'ready', 'the worker builds again');

  t.comment(`figure: store outage of ${outageMs.toFixed(0)} ms: 5 requests answered 503 problem+json, recovered without restart`);
});

t.test('store outage during a build does not lose the export', async (t) => {
  const service = await startTestService(t, { JOB_LEASE_SECONDS: '5' });
  const store = service.runtime.store;
  if (!(store instanceof SqliteStore)) throw new Error('This test needs the embedded SQLite store');
  const emulator = service.runtime.emulator!;
  await uploadAll(service, [{ photo: testPhotos(1, { realFirst: false })[0]!, plate: 'MID1', capturedAt: '2025-06-02T09:00:00Z' }]);
  emulator.faults.add({ operation: 'generate_archive.create', delayMs: 400 });

  const accepted = (await (await service.postExport({ from: '2025-06-02', to: '2025-06-02' })).json()) as ExportBody;
  const file = path.join(service.dataDir, SQLITE_FILE_NAME);
  for (let round = 0; round < 100 && emulator.stats.count('generate_archive.create') === 0; round += 1) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  t.equal(emulator.stats.count('generate_archive.create'), 1, 'the build reached Cloudinary');
  store.simulateOutage();
  renameSync(file, `${file}.away`);

  // The archive call finishes while the store is gone, so recording it fails.
  await new Promise((resolve) => setTimeout(resolve, 800));
  renameSync(`${file}.away`, file);

  const ready = await settleExport(service.baseUrl, accepted.id);
  t.equal(ready.status, 'ready', 'the export is built once the lease runs out');
  t.strictSame(emulator.listAssets('raw').map((asset) => asset.publicId), [`exports/${accepted.id}/part-1.zip`], 'still one archive');
});
