import t from 'tap';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { FIXTURE_DIR, testPhotos } from '../helpers/photos.js';
import { startTestService, uploadAll } from '../helpers/service.js';

t.test('upload stores the photo in Cloudinary and records it', async (t) => {
  const service = await startTestService(t, { TIMEZONE: 'Asia/Kolkata' });
  const [photo] = testPhotos(1);
  const response = await service.upload(photo!, { plate: 'ka 01-ab 1234', capturedAt: '2025-01-01T20:15:30Z' });
  const body = (await response.json()) as Record<string, unknown>;

  t.equal(response.status, 201);
  t.equal(body.plate, 'KA01AB1234');
  t.equal(body.rawPlate, 'ka 01-ab 1234');
  t.equal(body.capturedAt, '2025-01-01T20:15:30.000Z');
  t.match(body.publicId, /^vehicles\/2025-01-02\/KA01AB1234_014530_[a-z0-9]{6}$/, 'date and time in TIMEZONE');
  t.equal(body.bytes, photo!.bytes.length);
  t.equal(body.format, photo!.extension);

  const assets = await service.runtime.emulator!.listAssets('image');
  t.equal(assets.length, 1);
  t.equal(assets[0]!.publicId, body.publicId);
  t.ok(assets[0]!.tags.includes('day-2025-01-02'), 'tagged with the local day');

  const delivered = await fetch(String(body.url));
  t.equal(delivered.status, 200);
  t.equal(Buffer.from(await delivered.arrayBuffer()).equals(photo!.bytes), true, 'delivery returns the original bytes');
});

t.test('photo without capturedAt is dated when received', async (t) => {
  const service = await startTestService(t);
  const before = Date.now();
  const response = await service.upload(testPhotos(1, { realFirst: false })[0]!, { plate: 'AB123CD' });
  const body = (await response.json()) as { capturedAt: string };
  t.equal(response.status, 201);
  t.ok(Date.parse(body.capturedAt) >= before - 1000 && Date.parse(body.capturedAt) <= Date.now() + 1000, 'capturedAt is the receive time');
});

t.test('list pages through a range with a cursor', async (t) => {
  const service = await startTestService(t);
  const photos = testPhotos(5, { realFirst: false });
  const uploaded = await uploadAll(
    service,
    photos.map((photo, index) => ({ photo, plate: index % 2 === 0 ? 'EVEN1' : 'ODD1', capturedAt: `2025-07-01T0${index}:00:00Z` })),
  );

  const first = (await (await fetch(`${service.baseUrl}/v1/images?from=2025-07-01&to=2025-07-01&limit=2`)).json()) as { items: Array<{ id: string }>; nextCursor: string | null };
  t.strictSame(first.items.map((item) => item.id), [uploaded[0]!.id, uploaded[1]!.id]);
  t.type(first.nextCursor, 'string');

  const second = (await (await fetch(`${service.baseUrl}/v1/images?from=2025-07-01&to=2025-07-01&limit=2&cursor=${first.nextCursor}`)).json()) as typeof first;
  t.strictSame(second.items.map((item) => item.id), [uploaded[2]!.id, uploaded[3]!.id]);

  const third = (await (await fetch(`${service.baseUrl}/v1/images?from=2025-07-01&to=2025-07-01&limit=2&cursor=${second.nextCursor}`)).json()) as typeof first;
  t.strictSame(third.items.map((item) => item.id), [uploaded[4]!.id]);
  t.equal(third.nextCursor, null);

  const even = (await (await fetch(`${service.baseUrl}/v1/images?from=2025-07-01&to=2025-07-01&plate=even-1`)).json()) as typeof first;
  t.strictSame(even.items.map((item) => item.id), [uploaded[0]!.id, uploaded[2]!.id, uploaded[4]!.id]);
});

t.test('every fixture photo keeps its real size', { skip: existsSync(FIXTURE_DIR) ? false : 'no fixture photos beside the repository' }, async (t) => {
  const service = await startTestService(t);
  const manifest = readFileSync(path.join(FIXTURE_DIR, 'MANIFEST.csv'), 'utf8').trim().split('\n').slice(1);
  for (const line of manifest) {
    const [file, , bytes, width, height] = line.split(',');
    const photo = { name: file!, bytes: readFileSync(path.join(FIXTURE_DIR, file!)), extension: 'jpg' as const, sha256: '' };
    const response = await service.upload(photo, { plate: 'FIX1', capturedAt: '2025-10-01T10:00:00Z' });
    const body = (await response.json()) as { bytes: number; width: number; height: number };
    t.equal(response.status, 201, `${file} uploads`);
    t.strictSame([body.bytes, body.width, body.height], [Number(bytes), Number(width), Number(height)], `${file} size`);
  }
});
