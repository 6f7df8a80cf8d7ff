import t from 'tap';
import type { Emulator } from '../../src/cloudinary/emulator/index.js';
import type { CloudinarySdk } from '../../src/cloudinary/sdk.js';
import { loadSdk, rejectionOf, sdkOptions, startTestEmulator, uploadBytes } from './support/emulator.js';
import { makeJpeg, makePng } from './support/images.js';
import { fetchBytes, readZipEntries } from './support/zip.js';

type ArchiveResult = Record<string, unknown> & { public_id: string };

function createZip(sdk: CloudinarySdk, emulator: Emulator, options: Record<string, unknown>): Promise<ArchiveResult> {
  return sdk.uploader.create_zip(sdkOptions(emulator, options)) as unknown as Promise<ArchiveResult>;
}

/** Downloads a stored archive the way the product hands it out: a private download URL of the raw asset. */
async function downloadStoredArchive(sdk: CloudinarySdk, emulator: Emulator, publicId: string): Promise<Map<string, Buffer>> {
  const url = sdk.utils.private_download_url(publicId, '', sdkOptions(emulator, { resource_type: 'raw', attachment: true }));
  const response = await fetchBytes(url);
  if (response.status !== 200) throw new Error(`private download failed with ${response.status}: ${response.body.toString()}`);
  return readZipEntries(response.body);
}

t.test('create_zip of three images', async (t) => {
  const emulator = await startTestEmulator(t);
  const sdk = await loadSdk();
  const photos = new Map([
    ['vehicles/2025-01-01/AB123CD_120000_k3j9x2', makeJpeg(16, 16, 1)],
    ['vehicles/2025-01-01/XY987ZT_130500_p0q8w1', makeJpeg(8, 24, 2)],
    ['vehicles/2025-01-02/CD456EF_090000_m1n2b3', makePng(5, 5, 3)],
  ]);
  for (const [publicId, bytes] of photos) await uploadBytes(sdk, emulator, bytes, { public_id: publicId });
  emulator.stats.reset();

  const result = await createZip(sdk, emulator, {
    public_ids: [...photos.keys()],
    target_public_id: 'exports/ex_7f3k',
    target_tags: ['export'],
  });

  t.equal(result.public_id, 'exports/ex_7f3k.zip');
  t.equal(result.resource_type, 'raw');
  t.equal(result.type, 'upload');
  t.equal(result.resource_count, 3);
  t.equal(result.file_count, 3);
  t.same(result.tags, ['export']);
  for (const field of ['version', 'url', 'secure_url', 'created_at', 'signature', 'bytes', 'etag', 'asset_id', 'version_id']) {
    t.ok(result[field] !== undefined, `reply has ${field}`);
  }
  t.equal(emulator.stats.count('delivery.image'), 0, 'building the archive fetched no image');
  t.equal(emulator.stats.bytesServed('image'), 0);

  const entries = await downloadStoredArchive(sdk, emulator, result.public_id);
  t.same([...entries.keys()].sort(), [
    'vehicles/2025-01-01/AB123CD_120000_k3j9x2.jpg',
    'vehicles/2025-01-01/XY987ZT_130500_p0q8w1.jpg',
    'vehicles/2025-01-02/CD456EF_090000_m1n2b3.png',
  ]);
  for (const [publicId, bytes] of photos) {
    const extension = publicId.startsWith('vehicles/2025-01-02') ? 'png' : 'jpg';
    t.ok(entries.get(`${publicId}.${extension}`)?.equals(bytes), `${publicId} bytes unchanged`);
  }
  t.same(emulator.listAssets('raw').map((asset) => asset.publicId), ['exports/ex_7f3k.zip']);
  t.same(emulator.listAssets('raw')[0]?.tags, ['export']);
});

t.test('flatten_folders and random target', async (t) => {
  const emulator = await startTestEmulator(t);
  const sdk = await loadSdk();
  await uploadBytes(sdk, emulator, makePng(2, 2, 1), { public_id: 'a/one' });
  await uploadBytes(sdk, emulator, makePng(2, 2, 2), { public_id: 'b/one' });

  const result = await createZip(sdk, emulator, { prefixes: ['a/', 'b/'], flatten_folders: true });
  t.match(result.public_id, /^[a-z0-9]{20}\.zip$/);

  const entries = await downloadStoredArchive(sdk, emulator, result.public_id);
  t.same([...entries.keys()].sort(), ['one.png', 'one_1.png']);
});

t.test('same target overwrites archive', async (t) => {
  const emulator = await startTestEmulator(t);
  const sdk = await loadSdk();
  await uploadBytes(sdk, emulator, makePng(2, 2, 1), { public_id: 'p/one' });
  await uploadBytes(sdk, emulator, makePng(2, 2, 2), { public_id: 'p/two' });

  const first = await createZip(sdk, emulator, { public_ids: ['p/one'], target_public_id: 'exports/part-1' });
  const second = await createZip(sdk, emulator, { public_ids: ['p/one', 'p/two'], target_public_id: 'exports/part-1' });

  t.ok(Number(second.version) > Number(first.version), 'new version');
  t.equal(emulator.listAssets('raw').length, 1, 'exactly one archive for the part');
  const entries = await downloadStoredArchive(sdk, emulator, 'exports/part-1.zip');
  t.equal(entries.size, 2);
});

t.test('selectors are a deduplicated union', async (t) => {
  const emulator = await startTestEmulator(t);
  const sdk = await loadSdk();
  await uploadBytes(sdk, emulator, makePng(2, 2, 1), { public_id: 'vehicles/2025-01-01/A', tags: ['day-2025-01-01', 'plate-A'] });
  await uploadBytes(sdk, emulator, makePng(2, 2, 2), { public_id: 'vehicles/2025-01-01/B', tags: ['day-2025-01-01'] });
  await uploadBytes(sdk, emulator, makePng(2, 2, 3), { public_id: 'vehicles/2025-01-02/C', tags: ['plate-C'] });
  await uploadBytes(sdk, emulator, makePng(2, 2, 4), { public_id: 'vehicles/2025-01-03/D' });
  await uploadBytes(sdk, emulator, makePng(2, 2, 5), { public_id: 'vehicles/2025-01-04/E' });

  const result = await createZip(sdk, emulator, {
    public_ids: ['vehicles/2025-01-01/A'],
    tags: ['plate-A', 'plate-C', 'no-such-tag'],
    prefixes: ['vehicles/2025-01-01/', 'vehicles/2025-01-03/', 'nothing/'],
    target_public_id: 'union',
  });

  t.equal(result.resource_count, 4);
  t.same(result.empty_tags, ['no-such-tag']);
  t.same(result.empty_prefixes, ['nothing/']);
  const entries = await downloadStoredArchive(sdk, emulator, 'union.zip');
  t.same([...entries.keys()].sort(), [
    'vehicles/2025-01-01/A.png',
    'vehicles/2025-01-01/B.png',
    'vehicles/2025-01-02/C.png',
    'vehicles/2025-01-03/D.png',
  ]);
});

t.test('missing public ids', async (t) => {
  const emulator = await startTestEmulator(t);
  const sdk = await loadSdk();
  await uploadBytes(sdk, emulator, makePng(2, 2, 1), { public_id: 'here' });

  const missing = await rejectionOf(createZip(sdk, emulator, { public_ids: ['here', 'gone'] }));
  t.equal(missing.http_code, 404);
  t.equal(missing.message, 'Resource not found - gone');
  t.equal(emulator.listAssets('raw').length, 0, 'nothing stored');

  const allowed = await createZip(sdk, emulator, { public_ids: ['here', 'gone'], allow_missing: true });
  t.equal(allowed.resource_count, 1);
  t.same(allowed.missing_public_ids, ['gone']);

  const noSelector = await rejectionOf(createZip(sdk, emulator, {}));
  t.equal(noSelector.http_code, 400);
  t.match(noSelector.message, /^Missing required parameter - public_ids/);
});

t.test('1001 public ids refused', async (t) => {
  const emulator = await startTestEmulator(t);
  const sdk = await loadSdk();
  const publicIds = Array.from({ length: 1001 }, (_, i) => `vehicles/p${i}`);

  const error = await rejectionOf(createZip(sdk, emulator, { public_ids: publicIds, allow_missing: true }));
  t.equal(error.http_code, 400);
  t.equal(error.message, 'Too many public_ids: 1001 > 1000');

  const tags = await rejectionOf(createZip(sdk, emulator, { tags: Array.from({ length: 21 }, (_, i) => `t${i}`) }));
  t.equal(tags.message, 'Too many tags: 21 > 20');

  const prefixes = await rejectionOf(createZip(sdk, emulator, { prefixes: Array.from({ length: 21 }, (_, i) => `p${i}/`) }));
  t.equal(prefixes.message, 'Too many prefixes: 21 > 20');
});

t.test('over 1000 distinct assets refused', async (t) => {
  const emulator = await startTestEmulator(t);
  const sdk = await loadSdk();
  const png = makePng(1, 1);
  for (let batch = 0; batch < 1001; batch += 50) {
    const uploads = [];
    for (let i = batch; i < Math.min(batch + 50, 1001); i += 1) uploads.push(uploadBytes(sdk, emulator, png, { public_id: `bulk/p${i}` }));
    await Promise.all(uploads);
  }

  const error = await rejectionOf(createZip(sdk, emulator, { prefixes: ['bulk/'] }));
  t.equal(error.http_code, 400);
  t.equal(error.message, 'Too many resources: 1001 > 1000');
  t.equal(emulator.listAssets('raw').length, 0, 'no truncated archive stored');
});

t.test('byte limit refused', async (t) => {
  const a = makePng(4, 4, 1);
  const b = makePng(6, 6, 2);
  const maxArchiveBytes = a.length + b.length - 1;
  const emulator = await startTestEmulator(t, { maxArchiveBytes });
  const sdk = await loadSdk();
  await uploadBytes(sdk, emulator, a, { public_id: 'big/a' });
  await uploadBytes(sdk, emulator, b, { public_id: 'big/b' });

  const error = await rejectionOf(createZip(sdk, emulator, { prefixes: ['big/'] }));
  t.equal(error.http_code, 400);
  t.equal(error.message, `Archive size too large. Got ${a.length + b.length}. Maximum is ${maxArchiveBytes}.`);
  t.equal(emulator.listAssets('raw').length, 0);

  const oneFits = await createZip(sdk, emulator, { public_ids: ['big/b'] });
  t.equal(oneFits.resource_count, 1, 'an archive under the limit is built');
});

t.test('download mode over POST is bytes', async (t) => {
  const emulator = await startTestEmulator(t);
  const sdk = await loadSdk();
  await uploadBytes(sdk, emulator, makePng(2, 2, 1), { public_id: 'p/one' });

  const error = await rejectionOf(createZip(sdk, emulator, { public_ids: ['p/one'], mode: 'download' }));
  t.match(error.message, /^Server return invalid JSON response/);
  t.equal(emulator.listAssets('raw').length, 0);
});

t.test('download-mode URL and expiry', async (t) => {
  let now = Date.now();
  const emulator = await startTestEmulator(t, { now: () => now });
  const sdk = await loadSdk();
  const bytes = makeJpeg(8, 8, 5);
  await uploadBytes(sdk, emulator, bytes, { public_id: 'vehicles/2025-01-01/AB1', tags: ['day-2025-01-01'] });

  const url = sdk.utils.download_zip_url(sdkOptions(emulator, { tags: ['day-2025-01-01'], target_public_id: 'day' }));
  const first = await fetchBytes(url);
  t.equal(first.status, 200);
  t.equal(first.headers.get('content-type'), 'application/zip');
  const entries = await readZipEntries(first.body);
  t.ok(entries.get('vehicles/2025-01-01/AB1.jpg')?.equals(bytes), 'entry bytes unchanged');
  t.equal(emulator.listAssets('raw').length, 0, 'download mode stores nothing');
  t.equal(emulator.stats.count('generate_archive.download'), 1);

  // One second past the hour after the URL's own signing time, however long the steps above took.
  now = (Number(new URL(url).searchParams.get('timestamp')) + 3601) * 1000;
  const expired = await fetchBytes(url);
  t.equal(expired.status, 401);
  t.match(expired.headers.get('x-cld-error'), /^Signed URL expired at /);
  t.match(JSON.parse(expired.body.toString()), { error: { message: /^Signed URL expired at / } });

  const extended = sdk.utils.download_zip_url(
    sdkOptions(emulator, { tags: ['day-2025-01-01'], timestamp: Math.floor(now / 1000) - 7200, expires_at: Math.floor(now / 1000) + 60 }),
  );
  t.equal((await fetchBytes(extended)).status, 200, 'expires_at extends past one hour');

  const tampered = await fetchBytes(url.replace('day-2025-01-01', 'day-2025-01-02'));
  t.equal(tampered.status, 401);
  t.match(tampered.headers.get('x-cld-error'), /^Invalid Signature /);
});

t.test('private download expiry and errors', async (t) => {
  let now = Date.now();
  const emulator = await startTestEmulator(t, { now: () => now });
  const sdk = await loadSdk();
  await uploadBytes(sdk, emulator, makePng(2, 2, 1), { public_id: 'p/one' });
  await createZip(sdk, emulator, { public_ids: ['p/one'], target_public_id: 'exports/one' });

  const expiresAt = Math.floor(now / 1000) + 120;
  const url = sdk.utils.private_download_url('exports/one.zip', '', sdkOptions(emulator, { resource_type: 'raw', expires_at: expiresAt }));
  t.equal((await fetchBytes(url)).status, 200);
  t.equal(emulator.stats.count('download'), 1);

  now += 121 * 1000;
  const expired = await fetchBytes(url);
  t.equal(expired.status, 401);
  t.match(expired.headers.get('x-cld-error'), /^Signed URL expired at /);

  const missingUrl = sdk.utils.private_download_url('exports/none.zip', '', sdkOptions(emulator, { resource_type: 'raw' }));
  const missing = await fetchBytes(missingUrl);
  t.equal(missing.status, 404);
  t.same(JSON.parse(missing.body.toString()), { error: { message: 'Resource not found - exports/none.zip' } });

  const wrongType = await fetchBytes(sdk.utils.private_download_url('exports/one.zip', '', sdkOptions(emulator)));
  t.equal(wrongType.status, 404, 'resource_type defaults to image');
});
