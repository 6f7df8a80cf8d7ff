import t from 'tap';
import { readJpegDimensions } from '../../src/cloudinary/emulator/formats.js';

function segment(marker: number, payload: Buffer): Buffer {
  const header = Buffer.from([0xff, marker, 0, 0]);
  header.writeUInt16BE(payload.length + 2, 2);
  return Buffer.concat([header, payload]);
}

t.test('JPEG size is found past large metadata segments', async (t) => {
  const frame = Buffer.from([8, 0x01, 0x1c, 0x01, 0x67, 3]); // precision, height 284, width 359, components
  const jpeg = Buffer.concat([
    Buffer.from([0xff, 0xd8]),
    ...Array.from({ length: 12 }, () => segment(0xe1, Buffer.alloc(65_000))),
    segment(0xc2, frame),
    Buffer.from([0xff, 0xd9]),
  ]);
  t.strictSame(readJpegDimensions(jpeg), { width: 359, height: 284 });
});

t.test('non-JPEG bytes have no JPEG size', async (t) => {
  t.equal(readJpegDimensions(Buffer.from('not a jpeg at all')), null);
  t.equal(readJpegDimensions(Buffer.from([0xff, 0xd8, 0x00, 0x00, 0, 0, 0, 0, 0, 0, 0])), null);
});
