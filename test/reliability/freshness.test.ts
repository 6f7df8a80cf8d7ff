import t from 'tap';
import { testPhotos } from '../helpers/photos.js';
import { startTestService, uploadAll, type ExportBody } from '../helpers/service.js';
import { readZip } from '../helpers/zip.js';
import { settleExport, waitFor } from './support.js';

t.test('photo uploaded mid-build is never silently missing', async (t) => {
  const service = await startTestService(t);
  const emulator = service.runtime.emulator!;
  const photos = testPhotos(3, { realFirst: false });
  const early = await uploadAll(service, [
    { photo: photos[0]!, plate: 'FRESH1', capturedAt: '2025-08-01T09:00:00Z' },
    { photo: photos[1]!, plate: 'FRESH2', capturedAt: '2025-08-01T10:00:00Z' },
  ]);

  // The first build stalls in Cloudinary while the late photo arrives.
  emulator.faults.add({ operation: 'generate_archive.create', delayMs: 1000 });
  const first = (await (await service.postExport({ from: '2025-08-01', to: '2025-08-01' })).json()) as ExportBody;
  await waitFor('the first build to reach Cloudinary', () => emulator.stats.count('generate_archive.create') === 1);

  const [late] = await uploadAll(service, [{ photo: photos[2]!, plate: 'LATE1', capturedAt: '2025-08-01T09:30:00Z' }]);
  const duringBuild = await service.postExport({ from: '2025-08-01', to: '2025-08-01' });
  const second = (await duringBuild.json()) as ExportBody;
  t.equal(duringBuild.status, 202);
  t.not(second.id, first.id, 'a request after the upload gets a new export');
  t.equal(second.imageCount, 3, 'which counts the late photo');

  const firstReady = await settleExport(service.baseUrl, first.id);
  t.equal(firstReady.status, 'ready');
  t.equal(firstReady.imageCount, 2, 'the first export describes the two photos it snapshotted');
  const lateRecord = (await (await fetch(`${service.baseUrl}/v1/images?from=2025-08-01&to=2025-08-01&plate=LATE1`)).json()) as { items: Array<{ createdAt: string }> };
  t.ok(Date.parse(firstReady.asOf as string) < Date.parse(lateRecord.items[0]!.createdAt), 'its asOf precedes the late upload');
  const firstEntries = await readZip(Buffer.from(await (await fetch(firstReady.parts[0]!.url!)).arrayBuffer()));
  t.strictSame(
    firstEntries.map((entry) => entry.name),
    early.map((photo) => `${photo.publicId}.${photo.format}`),
    'its archive holds exactly the photos its imageCount describes',
  );

  const secondReady = await settleExport(service.baseUrl, second.id);
  t.equal(secondReady.status, 'ready');
  const secondEntries = await readZip(Buffer.from(await (await fetch(secondReady.parts[0]!.url!)).arrayBuffer()));
  t.strictSame(
    secondEntries.map((entry) => entry.name),
    [early[0]!, late!, early[1]!].map((photo) => `${photo.publicId}.${photo.format}`),
    'the new archive holds the late photo in capture order',
  );

  const settledAgain = await service.postExport({ from: '2025-08-01', to: '2025-08-01' });
  const third = (await settledAgain.json()) as ExportBody;
  t.equal(settledAgain.status, 200);
  t.equal(third.id, second.id, 'with no new photo the ready export is reused');
  t.equal(emulator.stats.count('generate_archive.create'), 2);
});

t.test('concurrent uploads and requests: every ready export matches its archive', async (t) => {
  const service = await startTestService(t);
  const photos = testPhotos(24, { realFirst: false });
  const exportIds = new Set<string>();

  // Uploads and export requests interleave; each ready export must contain exactly what its imageCount reports.
  for (let round = 0; round < 8; round += 1) {
    const batch = photos.slice(round * 3, round * 3 + 3);
    const uploads = uploadAll(
      service,
      batch.map((photo, index) => ({ photo, plate: `RACE${round}X${index}`, capturedAt: `2025-08-02T${String(8 + round).padStart(2, '0')}:0${index}:00Z` })),
    );
    const requests = Promise.all([1, 2].map(() => service.postExport({ from: '2025-08-02', to: '2025-08-02' })));
    const [, responses] = await Promise.all([uploads, requests]);
    for (const response of responses) exportIds.add(((await response.json()) as ExportBody).id);
  }

  let checked = 0;
  for (const id of exportIds) {
    const ready = await settleExport(service.baseUrl, id);
    t.equal(ready.status, 'ready', `${id} is ready`);
    const entries = ready.parts.length === 0 ? [] : await readZip(Buffer.from(await (await fetch(ready.parts[0]!.url!)).arrayBuffer()));
    t.equal(entries.length, ready.imageCount, `${id}: archive entries equal imageCount ${ready.imageCount}`);
    checked += 1;
  }

  const final = (await (await service.postExport({ from: '2025-08-02', to: '2025-08-02' })).json()) as ExportBody;
  t.equal(final.imageCount, 24, 'the range ends up with every photo');
  t.equal((await settleExport(service.baseUrl, final.id)).imageCount, 24);
  t.comment(`figure: 8 rounds of 3 uploads racing 2 export requests: ${checked} distinct exports, each archive matches its imageCount`);
});
