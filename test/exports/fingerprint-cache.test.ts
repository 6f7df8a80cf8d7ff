import t from 'tap';
import { testPhotos } from '../helpers/photos.js';
import { startTestService, uploadAll, type ExportBody } from '../helpers/service.js';

t.test('repeated requests skip re-reading an unchanged range', async (t) => {
  const service = await startTestService(t);
  const photos = testPhotos(3, { realFirst: false });
  await uploadAll(service, [
    { photo: photos[0]!, plate: 'CA1', capturedAt: '2025-05-10T08:00:00Z' },
    { photo: photos[1]!, plate: 'CA2', capturedAt: '2025-05-10T09:00:00Z' },
  ]);
  const store = service.runtime.store;
  const summarise = store.summarisePhotos.bind(store);
  let rangeReads = 0;
  store.summarisePhotos = (range) => {
    rangeReads += 1;
    return summarise(range);
  };

  const first = (await (await service.postExport({ from: '2025-05-10', to: '2025-05-10' })).json()) as ExportBody;
  await service.waitUntilSettled(first.id);
  t.equal(rangeReads, 1, 'the first request reads the range');

  for (let round = 0; round < 5; round += 1) {
    const again = (await (await service.postExport({ from: '2025-05-10', to: '2025-05-10' })).json()) as ExportBody;
    t.equal(again.id, first.id);
  }
  t.equal(rangeReads, 1, 'five repeats read nothing while no photo changed');

  await uploadAll(service, [{ photo: photos[2]!, plate: 'CA3', capturedAt: '2025-05-10T10:00:00Z' }]);
  const afterUpload = (await (await service.postExport({ from: '2025-05-10', to: '2025-05-10' })).json()) as ExportBody;
  t.not(afterUpload.id, first.id, 'an upload anywhere makes the next request read the range again');
  t.equal(afterUpload.imageCount, 3);
  t.equal(rangeReads, 2);
});
