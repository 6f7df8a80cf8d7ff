import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { imageSize } from 'image-size';
import t from 'tap';
import { signResponse } from '../../src/cloudinary/emulator/signing.js';
import { loadSdk, rejectionOf, sdkOptions, startTestEmulator, uploadBytes } from './support/emulator.js';
import { makeHeicHeader, makeJpeg, makePng, makeWebpHeader } from './support/images.js';
import { fetchBytes } from './support/zip.js';

const FIXTURE_DIR = '/work/shared/fixtures/vehicles';

t.test('upload_stream reply fields', async (t) => {
  const emulator = await startTestEmulator(t);
  const sdk = await loadSdk();
  const jpeg = makeJpeg(24, 16, 1);

  const result = await uploadBytes(sdk, emulator, jpeg, {
    public_id: 'vehicles/2025-01-01/AB123CD_120000_k3j9x2',
    tags: ['day-2025-01-01', 'plate-AB123CD'],
    context: { plate: 'AB123CD', raw_plate: 'AB 123-CD', note: 'a=b|c' },
    overwrite: false,
  });

  t.equal(result.public_id, 'vehicles/2025-01-01/AB123CD_120000_k3j9x2');
  t.equal(result.format, 'jpg');
  t.equal(result.width, 24);
  t.equal(result.height, 16);
  t.equal(result.bytes, jpeg.length);
  t.equal(result.etag, createHash('md5').update(jpeg).digest('hex'));
  t.equal(result.resource_type, 'image');
  t.equal(result.type, 'upload');
  t.same(result.tags, ['day-2025-01-01', 'plate-AB123CD']);
  t.same(result.context, { custom: { plate: 'AB123CD', raw_plate: 'AB 123-CD', note: 'a=b|c' } });
  t.equal(result.original_filename, 'file');
  t.equal(result.api_key, emulator.credentials.apiKey);
  t.equal(result.placeholder, false);
  t.equal(result.pages, 1);
  t.match(result.asset_id, /^[0-9a-f]{32}$/);
  t.match(result.version_id, /^[0-9a-f]{32}$/);
  t.match(result.created_at, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
  t.equal(result.display_name, 'AB123CD_120000_k3j9x2');
  t.equal(result.signature, signResponse(result.public_id, result.version, emulator.credentials.apiSecret));
  t.equal(
    result.secure_url,
    `${emulator.url}/plate-demo/image/upload/v${result.version}/vehicles/2025-01-01/AB123CD_120000_k3j9x2.jpg`,
  );
  t.equal(emulator.stats.count('upload'), 1);
});

t.test('delivery URL serves stored bytes', async (t) => {
  const emulator = await startTestEmulator(t);
  const sdk = await loadSdk();
  const png = makePng(5, 3, 9);
  const result = await uploadBytes(sdk, emulator, png, { public_id: 'vehicles/d/one' });

  const delivered = await fetchBytes(String(result.secure_url));
  t.equal(delivered.status, 200);
  t.equal(delivered.headers.get('content-type'), 'image/png');
  t.ok(delivered.body.equals(png), 'delivered bytes equal the upload');
  t.equal(emulator.stats.count('delivery.image'), 1);
  t.equal(emulator.stats.bytesServed('image'), png.length);

  const missing = await fetchBytes(`${emulator.url}/plate-demo/image/upload/v1/vehicles/d/none.png`);
  t.equal(missing.status, 404);
  t.equal(emulator.stats.count('delivery.image'), 2);
});

t.test('format detection from bytes', async (t) => {
  const emulator = await startTestEmulator(t);
  const sdk = await loadSdk();
  const cases = [
    { name: 'png', bytes: makePng(7, 6), format: 'png', width: 7, height: 6 },
    { name: 'jpeg', bytes: makeJpeg(9, 10), format: 'jpg', width: 9, height: 10 },
    { name: 'webp', bytes: makeWebpHeader(33, 21), format: 'webp', width: 33, height: 21 },
    { name: 'heic', bytes: makeHeicHeader(40, 30), format: 'heic', width: 40, height: 30 },
  ];

  for (const testCase of cases) {
    // The file name claims another format: only the bytes count.
    const result = await uploadBytes(sdk, emulator, testCase.bytes, { public_id: `formats/${testCase.name}`, filename: 'photo.gif' });
    t.equal(result.format, testCase.format, `${testCase.name} format`);
    t.equal(result.width, testCase.width, `${testCase.name} width`);
    t.equal(result.height, testCase.height, `${testCase.name} height`);
  }

  const notImage = await rejectionOf(uploadBytes(sdk, emulator, Buffer.from('plain text'), { public_id: 'formats/text' }));
  t.equal(notImage.http_code, 400);
  t.equal(notImage.message, 'Invalid image file');
});

t.test('overwrite=0 returns existing asset', async (t) => {
  const emulator = await startTestEmulator(t);
  const sdk = await loadSdk();
  const first = await uploadBytes(sdk, emulator, makePng(2, 2, 1), { public_id: 'vehicles/x/same', overwrite: false });
  const second = await uploadBytes(sdk, emulator, makePng(3, 3, 2), { public_id: 'vehicles/x/same', overwrite: false });

  t.equal(second.existing, true);
  t.equal(second.version, first.version);
  t.equal(second.etag, first.etag);
  t.equal(second.width, 2);
  t.equal(emulator.listAssets('image').length, 1);
});

t.test('overwrite bumps version', async (t) => {
  const emulator = await startTestEmulator(t);
  const sdk = await loadSdk();
  const first = await uploadBytes(sdk, emulator, makePng(2, 2, 1), { public_id: 'vehicles/x/same' });
  const second = await uploadBytes(sdk, emulator, makePng(3, 3, 2), { public_id: 'vehicles/x/same' });

  t.ok(second.version > first.version, 'version increases even within one second');
  t.equal(second.asset_id, first.asset_id);
  t.not(second.version_id, first.version_id);
  t.equal(second.overwritten, true);
  t.equal(second.existing, undefined);
  t.equal(second.width, 3);
  t.equal(emulator.listAssets('image').length, 1);
});

t.test('bad signature rejected', async (t) => {
  const emulator = await startTestEmulator(t);
  const sdk = await loadSdk();
  const error = await rejectionOf(uploadBytes(sdk, emulator, makePng(2, 2), { public_id: 'x', api_secret: 'wrong-secret' }));

  t.equal(error.http_code, 401);
  t.equal(error.name, 'Error');
  t.match(error.message, /^Invalid Signature [0-9a-f]{40}\. String to sign - 'public_id=x&timestamp=\d+'\.$/);
  t.equal(emulator.stats.count('upload'), 1);
  t.equal(emulator.listAssets('image').length, 0);
});

t.test('unknown api key rejected', async (t) => {
  const emulator = await startTestEmulator(t);
  const sdk = await loadSdk();
  const error = await rejectionOf(uploadBytes(sdk, emulator, makePng(2, 2), { api_key: '999' }));
  t.equal(error.http_code, 401);
  t.equal(error.message, 'Unknown API key 999');
});

t.test('stale timestamp rejected', async (t) => {
  const twoHours = 2 * 3600 * 1000;
  const emulator = await startTestEmulator(t, { now: () => Date.now() + twoHours });
  const sdk = await loadSdk();
  const error = await rejectionOf(uploadBytes(sdk, emulator, makePng(2, 2)));

  t.equal(error.http_code, 400);
  t.match(error.message, /^Stale request - reported time is \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} \+0000 which is more than 1 hour ago$/);
});

t.test('sha256 signatures accepted', async (t) => {
  const emulator = await startTestEmulator(t);
  const sdk = await loadSdk();
  const result = await uploadBytes(sdk, emulator, makePng(2, 2), { public_id: 'sha/one', signature_algorithm: 'sha256' });
  t.equal(result.public_id, 'sha/one');
});

t.test('unknown cloud name rejected', async (t) => {
  const emulator = await startTestEmulator(t);
  const sdk = await loadSdk();
  const error = await rejectionOf(uploadBytes(sdk, emulator, makePng(2, 2), { cloud_name: 'other-cloud' }));
  t.equal(error.http_code, 401);
  t.equal(error.message, 'Invalid cloud_name other-cloud');
});

t.test('empty and too large files', async (t) => {
  const emulator = await startTestEmulator(t, { maxUploadBytes: 1000 });
  const sdk = await loadSdk();

  const empty = await rejectionOf(uploadBytes(sdk, emulator, Buffer.alloc(0)));
  t.equal(empty.http_code, 400);
  t.match(empty.message, /empty/i);

  const large = makePng(40, 40, 3);
  t.ok(large.length > 1000, 'test image exceeds the limit');
  const tooLarge = await rejectionOf(uploadBytes(sdk, emulator, large));
  t.equal(tooLarge.http_code, 400);
  t.equal(tooLarge.message, `File size too large. Got ${large.length}. Maximum is 1000.`);
  t.equal(emulator.listAssets('image').length, 0);
});

t.test('public id rules', async (t) => {
  const emulator = await startTestEmulator(t);
  const sdk = await loadSdk();

  const trimmed = await uploadBytes(sdk, emulator, makePng(2, 2), { public_id: ' /vehicles/a b!c/ ' });
  t.equal(trimmed.public_id, 'vehicles/a b_c');

  for (const forbidden of ['a?b', 'a#b', 'a%b', 'a<b', 'a+b', 'a\\b']) {
    const error = await rejectionOf(uploadBytes(sdk, emulator, makePng(2, 2), { public_id: forbidden }));
    t.equal(error.http_code, 400, `${forbidden} rejected`);
  }

  const versionFolder = await rejectionOf(uploadBytes(sdk, emulator, makePng(2, 2), { public_id: 'v123/photo' }));
  t.equal(versionFolder.http_code, 400);
  t.match(versionFolder.message, /folder named v followed by digits/);

  const tooLong = await rejectionOf(uploadBytes(sdk, emulator, makePng(2, 2), { public_id: 'a'.repeat(256) }));
  t.equal(tooLong.http_code, 400);

  const random = await uploadBytes(sdk, emulator, makePng(2, 2));
  t.match(random.public_id, /^[a-z0-9]{20}$/);

  const folder = await uploadBytes(sdk, emulator, makePng(2, 2), { folder: 'vehicles/2025-01-02', public_id: 'p1' });
  t.equal(folder.public_id, 'vehicles/2025-01-02/p1');
});

t.test('raw upload keeps extension', async (t) => {
  const emulator = await startTestEmulator(t);
  const sdk = await loadSdk();
  const result = await uploadBytes(sdk, emulator, Buffer.from('{"a":1}'), { resource_type: 'raw', filename: 'report.json' });

  t.match(result.public_id, /^[a-z0-9]{20}\.json$/);
  t.equal(result.format, undefined);
  t.equal(result.resource_type, 'raw');
  t.equal(result.secure_url, `${emulator.url}/plate-demo/raw/upload/v${result.version}/${result.public_id}`);

  const delivered = await fetchBytes(String(result.secure_url));
  t.equal(delivered.body.toString(), '{"a":1}');
  t.equal(emulator.stats.count('delivery.raw'), 1);
});

t.test('data URI upload', async (t) => {
  const emulator = await startTestEmulator(t);
  const sdk = await loadSdk();
  const png = makePng(3, 2, 4);
  const result = (await sdk.uploader.upload(
    `data:image/png;base64,${png.toString('base64')}`,
    sdkOptions(emulator, { public_id: 'data/uri' }),
  )) as unknown as Record<string, unknown>;
  t.equal(result.format, 'png');
  t.equal(result.bytes, png.length);
});

t.test('resource types are separate namespaces', async (t) => {
  const emulator = await startTestEmulator(t);
  const sdk = await loadSdk();
  await uploadBytes(sdk, emulator, makePng(2, 2), { public_id: 'shared/id' });
  await uploadBytes(sdk, emulator, Buffer.from('raw'), { public_id: 'shared/id', resource_type: 'raw', overwrite: false });
  const privateOne = await uploadBytes(sdk, emulator, makePng(2, 2), { public_id: 'shared/id', type: 'private', overwrite: false });

  t.equal(privateOne.existing, undefined);
  t.equal(emulator.listAssets('image').length, 2);
  t.equal(emulator.listAssets('raw').length, 1);
});

t.test('concurrent uploads', async (t) => {
  const emulator = await startTestEmulator(t);
  const sdk = await loadSdk();
  const uploads = Array.from({ length: 25 }, (_, i) => uploadBytes(sdk, emulator, makePng(4, 4, i), { public_id: `many/p${i}` }));
  const sameId = Array.from({ length: 5 }, (_, i) => uploadBytes(sdk, emulator, makePng(4, 4, 100 + i), { public_id: 'many/same', overwrite: false }));
  const results = await Promise.all([...uploads, ...sameId]);

  t.equal(results.length, 30);
  t.equal(emulator.listAssets('image').length, 26);
  t.equal(results.slice(25).filter((result) => result.existing === true).length, 4, 'one upload wins, four see it');
});

t.test('stored assets survive restart', async (t) => {
  const { mkdtemp, rm } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const dataDir = await mkdtemp(path.join(tmpdir(), 'cloudinary-emulator-restart-'));
  t.teardown(() => rm(dataDir, { recursive: true, force: true }));
  const sdk = await loadSdk();
  const png = makePng(6, 6, 6);

  const first = await startTestEmulator({ teardown: () => undefined }, { dataDir });
  const uploaded = await uploadBytes(sdk, first, png, { public_id: 'keep/me' });
  await first.close();

  const second = await startTestEmulator(t, { dataDir });
  t.same(second.listAssets('image').map((asset) => asset.publicId), ['keep/me']);
  const delivered = await fetchBytes(`${second.url}/plate-demo/image/upload/v${uploaded.version}/keep/me.png`);
  t.ok(delivered.body.equals(png), 'bytes read back after restart');
});

t.test('fixture photos', { skip: existsSync(FIXTURE_DIR) ? false : `${FIXTURE_DIR} is absent` }, async (t) => {
  const emulator = await startTestEmulator(t);
  const sdk = await loadSdk();
  const files = readdirSync(FIXTURE_DIR).filter((name) => name.endsWith('.jpg')).slice(0, 3);

  for (const name of files) {
    const bytes = readFileSync(path.join(FIXTURE_DIR, name));
    const expected = imageSize(bytes);
    const result = await uploadBytes(sdk, emulator, bytes, { public_id: `fixtures/${path.basename(name, '.jpg')}`, filename: name });

    t.equal(result.format, 'jpg', `${name} format`);
    t.equal(result.width, expected.width, `${name} width`);
    t.equal(result.height, expected.height, `${name} height`);
    t.equal(result.bytes, bytes.length, `${name} bytes`);
    t.equal(result.original_filename, path.basename(name, '.jpg'), `${name} original_filename`);
  }
});
