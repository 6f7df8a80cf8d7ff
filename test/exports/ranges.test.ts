import t from 'tap';
import { testPhotos } from '../helpers/photos.js';
import { startTestService, uploadAll, type ExportBody } from '../helpers/service.js';

async function archivedPublicIds(service: Awaited<ReturnType<typeof startTestService>>, id: string): Promise<string[]> {
  const record = await service.runtime.store.getExport(id);
  return record!.parts.flatMap((part) => part.photoPublicIds);
}

t.test('date-time range includes from and excludes to', async (t) => {
  const service = await startTestService(t, {}, { startWorker: false });
  const photos = testPhotos(4, { realFirst: false });
  const [before, atFrom, inside, atTo] = await uploadAll(service, [
    { photo: photos[0]!, plate: 'A1', capturedAt: '2025-06-01T07:59:59.999Z' },
    { photo: photos[1]!, plate: 'A2', capturedAt: '2025-06-01T08:00:00Z' },
    { photo: photos[2]!, plate: 'A3', capturedAt: '2025-06-01T09:30:00+01:00' },
    { photo: photos[3]!, plate: 'A4', capturedAt: '2025-06-01T10:00:00Z' },
  ]);

  const body = (await (await service.postExport({ from: '2025-06-01T08:00:00Z', to: '2025-06-01T10:00:00Z' })).json()) as ExportBody;
  t.equal(body.range.fromUtc, '2025-06-01T08:00:00.000Z');
  t.equal(body.range.toUtc, '2025-06-01T10:00:00.000Z');
  t.strictSame(await archivedPublicIds(service, body.id), [atFrom!.publicId, inside!.publicId]);
  t.notOk((await archivedPublicIds(service, body.id)).includes(before!.publicId));
  t.notOk((await archivedPublicIds(service, body.id)).includes(atTo!.publicId));
});

t.test('day range in Asia/Kolkata covers local midnight to midnight', async (t) => {
  const service = await startTestService(t, {}, { startWorker: false });
  const photos = testPhotos(4, { realFirst: false });
  const [early, first, last, late] = await uploadAll(service, [
    { photo: photos[0]!, plate: 'K1', capturedAt: '2025-01-01T18:29:59Z' },
    { photo: photos[1]!, plate: 'K2', capturedAt: '2025-01-01T18:30:00Z' },
    { photo: photos[2]!, plate: 'K3', capturedAt: '2025-01-02T18:29:59Z' },
    { photo: photos[3]!, plate: 'K4', capturedAt: '2025-01-02T18:30:00Z' },
  ]);

  const body = (await (await service.postExport({ from: '2025-01-02', to: '2025-01-02', timezone: 'Asia/Kolkata' })).json()) as ExportBody;
  t.equal(body.range.fromUtc, '2025-01-01T18:30:00.000Z');
  t.equal(body.range.toUtc, '2025-01-02T18:30:00.000Z');
  t.strictSame(await archivedPublicIds(service, body.id), [first!.publicId, last!.publicId]);
  t.equal(body.imageCount, 2);
  t.notOk((await archivedPublicIds(service, body.id)).some((id) => id === early!.publicId || id === late!.publicId));
});

t.test('daylight-saving day in America/New_York has 23 hours', async (t) => {
  const service = await startTestService(t, {}, { startWorker: false });
  const photos = testPhotos(3, { realFirst: false });
  const [start, end, next] = await uploadAll(service, [
    { photo: photos[0]!, plate: 'N1', capturedAt: '2025-03-09T05:00:00Z' },
    { photo: photos[1]!, plate: 'N2', capturedAt: '2025-03-10T03:59:59Z' },
    { photo: photos[2]!, plate: 'N3', capturedAt: '2025-03-10T04:00:00Z' },
  ]);

  const body = (await (await service.postExport({ from: '2025-03-09', to: '2025-03-09', timezone: 'America/New_York' })).json()) as ExportBody;
  t.equal(body.range.fromUtc, '2025-03-09T05:00:00.000Z');
  t.equal(body.range.toUtc, '2025-03-10T04:00:00.000Z', 'clocks went forward: the day ends 23 hours later');
  t.strictSame(await archivedPublicIds(service, body.id), [start!.publicId, end!.publicId]);
  t.notOk((await archivedPublicIds(service, body.id)).includes(next!.publicId));
});

t.test('plate filter matches the normalised plate', async (t) => {
  const service = await startTestService(t, {}, { startWorker: false });
  const photos = testPhotos(3, { realFirst: false });
  const [wanted, , alsoWanted] = await uploadAll(service, [
    { photo: photos[0]!, plate: 'ab 123-cd', capturedAt: '2025-06-02T08:00:00Z' },
    { photo: photos[1]!, plate: 'XY987ZT', capturedAt: '2025-06-02T09:00:00Z' },
    { photo: photos[2]!, plate: 'AB123CD', capturedAt: '2025-06-02T10:00:00Z' },
  ]);

  const body = (await (await service.postExport({ from: '2025-06-02', to: '2025-06-02', plate: 'Ab-123 cd' })).json()) as ExportBody;
  t.equal(body.plate, 'AB123CD');
  t.strictSame(await archivedPublicIds(service, body.id), [wanted!.publicId, alsoWanted!.publicId]);
  t.match(wanted!.publicId, /^vehicles\/2025-06-02\/AB123CD_080000_[a-z0-9]{6}$/);
});
