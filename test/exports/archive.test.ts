import t from 'tap';
import { testPhotos } from '../helpers/photos.js';
import { startTestService, uploadAll, type ExportBody } from '../helpers/service.js';
import { readZip } from '../helpers/zip.js';

t.test('export of a range archives exactly its photos, byte for byte', async (t) => {
  const service = await startTestService(t);
  const photos = testPhotos(12);
  const plates = ['AB 123-CD', 'KA01AB1234', 'mh12-de-1433'];
  const uploaded = await uploadAll(
    service,
    photos.map((photo, index) => ({
      photo,
      plate: plates[index % plates.length]!,
      // Two days: 8 photos on 10 March, 4 on 11 March.
      capturedAt: index < 8 ? `2025-03-10T0${index}:15:00Z` : `2025-03-11T1${index - 8}:45:30Z`,
    })),
  );
  const outside = await uploadAll(service, [{ photo: testPhotos(13, { realFirst: false })[12]!, plate: 'ZZ999', capturedAt: '2025-03-12T00:00:00Z' }]);
  const emulator = service.runtime.emulator!;
  const deliveriesBefore = emulator.stats.count('delivery.image');

  const response = await service.postExport({ from: '2025-03-10', to: '2025-03-11' });
  t.equal(response.status, 202);
  const accepted = (await response.json()) as ExportBody;
  t.equal(response.headers.get('location'), `/v1/exports/${accepted.id}`);
  t.ok(Number(response.headers.get('retry-after')) > 0, 'Retry-After is a positive number of seconds');
  t.equal(accepted.imageCount, 12);

  const ready = await service.waitUntilSettled(accepted.id);
  t.equal(ready.status, 'ready');
  t.equal(ready.parts.length, 1);
  t.equal(ready.parts[0]!.fileCount, 12);
  t.equal(emulator.stats.count('generate_archive.create'), 1);
  t.equal(emulator.stats.count('delivery.image'), deliveriesBefore, 'building the export fetched no image bytes');

  const redirect = await fetch(`${service.baseUrl}/v1/exports/${accepted.id}/parts/1`, { redirect: 'manual' });
  t.equal(redirect.status, 302);
  const location = redirect.headers.get('location') ?? '';
  t.match(location, /\/raw\/download\?/);
  t.match(location, /expires_at=\d+/);

  const missingPart = await fetch(`${service.baseUrl}/v1/exports/${accepted.id}/parts/9`, { redirect: 'manual' });
  t.equal(missingPart.status, 404);
  t.equal(((await missingPart.json()) as { detail: string }).detail, `Export '${accepted.id}' has no part 9; its parts are 1 to 1`);

  const zipResponse = await fetch(location);
  t.equal(zipResponse.status, 200);
  const entries = await readZip(Buffer.from(await zipResponse.arrayBuffer()));

  const expected = uploaded.map((photo, index) => ({ name: `${photo.publicId}.${photo.format}`, sha256: photos[index]!.sha256 }));
  t.strictSame(
    entries.map((entry) => entry.name).sort(),
    expected.map((entry) => entry.name).sort(),
    'ZIP entries are the public ids with their extension',
  );
  for (const entry of expected) {
    t.equal(entries.find((candidate) => candidate.name === entry.name)?.sha256, entry.sha256, `${entry.name} is byte-identical`);
  }
  t.notOk(entries.some((entry) => entry.name.startsWith(outside[0]!.publicId)), 'the photo of 12 March is not in the archive');
});

t.test('asking again for a ready range reuses its archive', async (t) => {
  const service = await startTestService(t);
  await uploadAll(service, [{ photo: testPhotos(1)[0]!, plate: 'AB123CD', capturedAt: '2025-04-01T10:00:00Z' }]);

  const first = (await (await service.postExport({ from: '2025-04-01', to: '2025-04-01' })).json()) as ExportBody;
  await service.waitUntilSettled(first.id);
  const again = await service.postExport({ from: '2025-04-01', to: '2025-04-01' });
  const body = (await again.json()) as ExportBody;

  t.equal(again.status, 200);
  t.equal(body.id, first.id);
  t.equal(body.status, 'ready');
  t.match(body.parts[0]!.url, /^http:\/\/127\.0\.0\.1:\d+\/v1_1\//);
  t.equal(service.runtime.emulator!.stats.count('generate_archive.create'), 1);
});

t.test('range without photos is ready at once with no Cloudinary call', async (t) => {
  const service = await startTestService(t);
  const response = await service.postExport({ from: '2025-05-01', to: '2025-05-03' });
  const body = (await response.json()) as ExportBody;

  t.equal(response.status, 200);
  t.equal(body.status, 'ready');
  t.equal(body.imageCount, 0);
  t.strictSame(body.parts, []);
  t.equal(service.runtime.emulator!.stats.count('generate_archive.create'), 0);
  t.equal(service.runtime.emulator!.stats.count('generate_archive.download'), 0);
});

t.test('expired download URL is rejected', async (t) => {
  const service = await startTestService(t);
  await uploadAll(service, [{ photo: testPhotos(1)[0]!, plate: 'AB123CD', capturedAt: '2025-04-02T10:00:00Z' }]);
  const accepted = (await (await service.postExport({ from: '2025-04-02', to: '2025-04-02' })).json()) as ExportBody;
  await service.waitUntilSettled(accepted.id);

  const record = await service.runtime.store.getExport(accepted.id);
  const archivePublicId = record!.parts[0]!.archivePublicId!;
  const expired = service.runtime.cloudinary.archiveDownloadUrl(archivePublicId, new Date(Date.now() - 1000));
  const fresh = service.runtime.cloudinary.archiveDownloadUrl(archivePublicId, new Date(Date.now() + 60_000));

  const rejected = await fetch(expired);
  t.equal(rejected.status, 401);
  t.ok(rejected.headers.get('x-cld-error'), 'the reason is in X-Cld-Error');
  t.equal((await fetch(fresh)).status, 200);
});

t.test('part of an export that is not ready answers 409', async (t) => {
  const service = await startTestService(t, {}, { startWorker: false });
  await uploadAll(service, [{ photo: testPhotos(1)[0]!, plate: 'AB123CD', capturedAt: '2025-04-03T10:00:00Z' }]);
  const accepted = (await (await service.postExport({ from: '2025-04-03', to: '2025-04-03' })).json()) as ExportBody;

  const response = await fetch(`${service.baseUrl}/v1/exports/${accepted.id}/parts/1`, { redirect: 'manual' });
  const problem = (await response.json()) as { code: string };
  t.equal(response.status, 409);
  t.equal(problem.code, 'PA_ERR_EXPORT_NOT_READY');
  t.equal(response.headers.get('content-type'), 'application/problem+json; charset=utf-8');
});

t.test('building export offers an instant download-mode URL', async (t) => {
  const service = await startTestService(t, {}, { startWorker: false });
  const photos = testPhotos(2);
  const uploaded = await uploadAll(service, [
    { photo: photos[0]!, plate: 'AB123CD', capturedAt: '2025-04-04T10:00:00Z' },
    { photo: photos[1]!, plate: 'XY987ZT', capturedAt: '2025-04-05T10:00:00Z' },
  ]);
  const body = (await (await service.postExport({ from: '2025-04-04', to: '2025-04-05' })).json()) as ExportBody;

  t.equal(body.status, 'pending');
  t.ok(body.instant, 'instant link present while building');
  const zip = await fetch(body.instant!.url);
  t.equal(zip.status, 200);
  const entries = await readZip(Buffer.from(await zip.arrayBuffer()));
  t.strictSame(entries.map((entry) => entry.name).sort(), uploaded.map((photo) => `${photo.publicId}.${photo.format}`).sort());
  t.equal(service.runtime.emulator!.stats.count('generate_archive.create'), 0, 'the instant URL stores nothing');

  const withPlate = (await (await service.postExport({ from: '2025-04-04', to: '2025-04-05', plate: 'AB123CD' })).json()) as ExportBody;
  t.equal(withPlate.instant, undefined, 'a plate filter gets no instant URL');
});
