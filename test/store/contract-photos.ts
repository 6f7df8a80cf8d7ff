import type { Test } from 'tap';
import { fingerprintOf } from '../../src/domain/fingerprint.js';
import { DuplicateKeyError } from '../../src/errors.js';
import type { PhotoCursor, PhotoRange } from '../../src/store/types.js';
import { minutesAfterT0, newPhoto, T0, type MakeStore } from './fixtures.js';

const DAY: PhotoRange = { fromUtc: T0, toUtc: minutesAfterT0(24 * 60) };

export function runPhotoContract(t: Test, makeStore: MakeStore): void {
  t.test('insertPhoto returns the stored photo', async (t) => {
    const store = await makeStore(t);
    const input = newPhoto({ id: 'photo-1', capturedAt: minutesAfterT0(5), createdAt: minutesAfterT0(6) });

    const inserted = await store.insertPhoto(input);
    const read = await store.getPhoto('photo-1');

    t.same(inserted, { ...input, id: 'photo-1', createdAt: minutesAfterT0(6) });
    t.same(read, inserted);
  });

  t.test('insertPhoto fills id and createdAt', async (t) => {
    const store = await makeStore(t);
    const before = Date.now();

    const inserted = await store.insertPhoto(newPhoto());

    t.type(inserted.id, 'string');
    t.ok(inserted.id.length > 0);
    t.ok(inserted.createdAt.getTime() >= before);
    t.same(await store.getPhoto(inserted.id), inserted);
  });

  t.test('insertPhoto rejects a duplicate publicId', async (t) => {
    const store = await makeStore(t);
    await store.insertPhoto(newPhoto({ publicId: 'vehicles/dup' }));

    const error = await store.insertPhoto(newPhoto({ publicId: 'vehicles/dup' })).catch((caught: unknown) => caught);

    t.type(error, DuplicateKeyError);
    t.equal((error as DuplicateKeyError).code, 'PA_ERR_DUPLICATE');
    const page = await store.listPhotos(DAY, { limit: 10 });
    t.equal(page.photos.length, 1);
  });

  t.test('getPhoto of unknown id is null', async (t) => {
    const store = await makeStore(t);
    t.equal(await store.getPhoto('missing'), null);
  });

  t.test('listPhotos pages across equal capturedAt', async (t) => {
    const store = await makeStore(t);
    // Five photos share one instant, so only the id orders them; two more come later.
    for (const id of ['p-c', 'p-a', 'p-e', 'p-b', 'p-d']) {
      await store.insertPhoto(newPhoto({ id, capturedAt: minutesAfterT0(10) }));
    }
    await store.insertPhoto(newPhoto({ id: 'p-f', capturedAt: minutesAfterT0(11) }));
    await store.insertPhoto(newPhoto({ id: 'p-0', capturedAt: minutesAfterT0(12) }));

    const pages: string[][] = [];
    const cursors: Array<PhotoCursor | null> = [];
    let after: PhotoCursor | null = null;
    do {
      const page = await store.listPhotos(DAY, { limit: 3, after });
      pages.push(page.photos.map((photo) => photo.id));
      cursors.push(page.next);
      after = page.next;
    } while (after);

    t.same(pages, [
      ['p-a', 'p-b', 'p-c'],
      ['p-d', 'p-e', 'p-f'],
      ['p-0'],
    ]);
    t.same(cursors[0], { capturedAt: minutesAfterT0(10), id: 'p-c' });
    t.same(cursors[1], { capturedAt: minutesAfterT0(11), id: 'p-f' });
    t.equal(cursors[2], null);
  });

  t.test('listPhotos exact last page has no next', async (t) => {
    const store = await makeStore(t);
    await store.insertPhoto(newPhoto({ id: 'p-1', capturedAt: minutesAfterT0(1) }));
    await store.insertPhoto(newPhoto({ id: 'p-2', capturedAt: minutesAfterT0(2) }));

    const page = await store.listPhotos(DAY, { limit: 2 });

    t.same(page.photos.map((photo) => photo.id), ['p-1', 'p-2']);
    t.equal(page.next, null);
  });

  t.test('range includes fromUtc and excludes toUtc', async (t) => {
    const store = await makeStore(t);
    const range: PhotoRange = { fromUtc: minutesAfterT0(60), toUtc: minutesAfterT0(120) };
    await store.insertPhoto(newPhoto({ id: 'before', capturedAt: new Date(range.fromUtc.getTime() - 1) }));
    await store.insertPhoto(newPhoto({ id: 'at-from', capturedAt: range.fromUtc }));
    await store.insertPhoto(newPhoto({ id: 'last-ms', capturedAt: new Date(range.toUtc.getTime() - 1) }));
    await store.insertPhoto(newPhoto({ id: 'at-to', capturedAt: range.toUtc }));

    const page = await store.listPhotos(range, { limit: 10 });
    const summaries = await store.summarisePhotos(range);
    const fingerprint = await store.fingerprintRange(range);

    t.same(page.photos.map((photo) => photo.id), ['at-from', 'last-ms']);
    t.same(summaries.map((summary) => summary.capturedAt), [range.fromUtc, new Date(range.toUtc.getTime() - 1)]);
    t.equal(fingerprint.count, 2);
  });

  t.test('plate filter keeps one plate', async (t) => {
    const store = await makeStore(t);
    await store.insertPhoto(newPhoto({ id: 'ab-1', plate: 'AB123CD', capturedAt: minutesAfterT0(1) }));
    await store.insertPhoto(newPhoto({ id: 'xy-1', plate: 'XY987ZZ', capturedAt: minutesAfterT0(2) }));
    await store.insertPhoto(newPhoto({ id: 'ab-2', plate: 'AB123CD', capturedAt: minutesAfterT0(3) }));

    const plateRange = { ...DAY, plate: 'AB123CD' };
    const page = await store.listPhotos(plateRange, { limit: 1 });
    const second = await store.listPhotos(plateRange, { limit: 1, after: page.next });
    const summaries = await store.summarisePhotos({ ...DAY, plate: 'XY987ZZ' });
    const everyPlate = await store.listPhotos({ ...DAY, plate: null }, { limit: 10 });

    t.same(page.photos.map((photo) => photo.id), ['ab-1']);
    t.same(second.photos.map((photo) => photo.id), ['ab-2']);
    t.equal(second.next, null);
    t.equal(summaries.length, 1);
    t.same(everyPlate.photos.map((photo) => photo.id), ['ab-1', 'xy-1', 'ab-2']);
  });

  t.test('summarisePhotos returns planner fields in order', async (t) => {
    const store = await makeStore(t);
    const late = await store.insertPhoto(newPhoto({ publicId: 'vehicles/late', capturedAt: minutesAfterT0(30), bytes: 300, format: 'png' }));
    const early = await store.insertPhoto(newPhoto({ publicId: 'vehicles/early', capturedAt: minutesAfterT0(10), bytes: 100, format: 'jpg' }));

    const summaries = await store.summarisePhotos(DAY);

    t.same(summaries, [
      { publicId: early.publicId, capturedAt: minutesAfterT0(10), bytes: 100, format: 'jpg' },
      { publicId: late.publicId, capturedAt: minutesAfterT0(30), bytes: 300, format: 'png' },
    ]);
    t.same(Object.keys(summaries[0] ?? {}).sort(), ['bytes', 'capturedAt', 'format', 'publicId']);
  });

  t.test('summarisePhotos of empty range is empty', async (t) => {
    const store = await makeStore(t);
    t.same(await store.summarisePhotos(DAY), []);
  });

  t.test('fingerprintRange matches fingerprintOf', async (t) => {
    const store = await makeStore(t);
    const photos = [
      newPhoto({ publicId: 'vehicles/b', capturedAt: minutesAfterT0(1), bytes: 10 }),
      newPhoto({ publicId: 'vehicles/a', capturedAt: minutesAfterT0(2), bytes: 20 }),
      newPhoto({ publicId: 'vehicles/c', capturedAt: minutesAfterT0(3), bytes: 30 }),
    ];
    for (const photo of photos) await store.insertPhoto(photo);

    const fingerprint = await store.fingerprintRange(DAY);

    t.same(fingerprint, fingerprintOf(photos));
    t.equal(fingerprint.count, 3);
    t.equal(fingerprint.totalBytes, 60);
  });

  t.test('fingerprintRange changes on add and delete', async (t) => {
    const store = await makeStore(t);
    const first = await store.insertPhoto(newPhoto({ capturedAt: minutesAfterT0(1) }));
    const before = await store.fingerprintRange(DAY);

    const added = await store.insertPhoto(newPhoto({ capturedAt: minutesAfterT0(2) }));
    const afterAdd = await store.fingerprintRange(DAY);
    await store.deletePhoto(added.id);
    const afterDelete = await store.fingerprintRange(DAY);

    t.not(afterAdd.hash, before.hash);
    t.same(afterAdd, fingerprintOf([first, added]));
    t.same(afterDelete, before);
  });

  t.test('fingerprintRange of empty range', async (t) => {
    const store = await makeStore(t);
    t.same(await store.fingerprintRange(DAY), fingerprintOf([]));
  });

  t.test('photoRevision grows with every change', async (t) => {
    const store = await makeStore(t);
    const start = await store.photoRevision();

    const photo = await store.insertPhoto(newPhoto({ publicId: 'vehicles/revision-1' }));
    const afterInsert = await store.photoRevision();
    await store.insertPhoto(newPhoto({ publicId: 'vehicles/revision-1' })).catch(() => undefined);
    const afterDuplicate = await store.photoRevision();
    await store.deletePhoto('no-such-photo');
    const afterMissingDelete = await store.photoRevision();
    await store.deletePhoto(photo.id);
    const afterDelete = await store.photoRevision();

    t.ok(afterInsert > start, 'an insert raises it');
    t.equal(afterDuplicate, afterInsert, 'a rejected duplicate leaves it');
    t.equal(afterMissingDelete, afterInsert, 'deleting nothing leaves it');
    t.ok(afterDelete > afterInsert, 'a delete raises it');
  });

  t.test('deletePhoto reports whether it deleted', async (t) => {
    const store = await makeStore(t);
    const photo = await store.insertPhoto(newPhoto());

    t.equal(await store.deletePhoto(photo.id), true);
    t.equal(await store.getPhoto(photo.id), null);
    t.equal(await store.deletePhoto(photo.id), false);
  });
}
