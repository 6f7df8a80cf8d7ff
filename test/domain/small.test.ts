import t from 'tap';
import { fingerprintOf } from '../../src/domain/fingerprint.js';
import { detectImageType } from '../../src/domain/image-type.js';
import { normalisePlate, plateProblem } from '../../src/domain/plate.js';
import { archiveTargetPublicId, photoPublicId } from '../../src/domain/public-id.js';
import { decodeCursor, encodeCursor } from '../../src/services/images.js';
import { generatePng } from '../helpers/photos.js';

t.test('plates normalise to upper case without separators', async (t) => {
  t.equal(normalisePlate(' ab 123-cd '), 'AB123CD');
  t.equal(normalisePlate('mh.12·de_1433'), 'MH12DE1433');
  t.equal(plateProblem(normalisePlate(' - ')), 'must contain at least one letter or digit');
  t.match(plateProblem('AB$1') ?? '', /only letters and digits/);
  t.match(plateProblem('A'.repeat(17)) ?? '', /at most 16/);
  t.equal(plateProblem('МН12'), null, 'letters of other scripts are allowed');
});

t.test('fingerprint ignores order and notices changes', async (t) => {
  const a = fingerprintOf([{ publicId: 'x', bytes: 1 }, { publicId: 'y', bytes: 2 }]);
  const b = fingerprintOf([{ publicId: 'y', bytes: 2 }, { publicId: 'x', bytes: 1 }]);
  const c = fingerprintOf([{ publicId: 'x', bytes: 1 }]);
  t.strictSame(a, b);
  t.equal(a.count, 2);
  t.equal(a.totalBytes, 3);
  t.not(a.hash, c.hash);
  t.equal(fingerprintOf([]).hash, 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
});

t.test('image type comes from the bytes', async (t) => {
  t.equal(detectImageType(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0])), 'jpeg');
  t.equal(detectImageType(generatePng(1)), 'png');
  t.equal(detectImageType(Buffer.from('RIFF\0\0\0\0WEBPVP8 ', 'latin1')), 'webp');
  t.equal(detectImageType(Buffer.from('\0\0\0\x18ftypheic\0\0\0\0', 'latin1')), 'heic');
  t.equal(detectImageType(Buffer.from('\0\0\0\x18ftypisom\0\0\0\0', 'latin1')), null, 'an MP4 is not a photo');
  t.equal(detectImageType(Buffer.from('GIF89a')), null);
  t.equal(detectImageType(Buffer.alloc(0)), null);
});

t.test('public ids describe the photo', async (t) => {
  const id = photoPublicId({ folder: 'vehicles', plate: 'AB123CD', capturedAt: new Date('2025-01-01T23:30:05Z'), zone: 'Asia/Kolkata', suffix: 'k3j9x2' });
  t.equal(id, 'vehicles/2025-01-02/AB123CD_050005_k3j9x2');
  t.match(photoPublicId({ folder: 'v', plate: 'A1', capturedAt: new Date(), zone: 'UTC' }), /_[a-z0-9]{6}$/);
  t.equal(archiveTargetPublicId('exports', 'ex_abc', 2), 'exports/ex_abc/part-2');
});

t.test('cursor round-trips and rejects tampering', async (t) => {
  const cursor = { capturedAt: new Date('2025-01-01T00:00:00Z'), id: 'ph_123' };
  t.strictSame(decodeCursor(encodeCursor(cursor)), cursor);
  t.equal(decodeCursor('not a cursor!'), null);
  t.equal(decodeCursor(Buffer.from('{"$gt":1}').toString('base64url')), null);
});
