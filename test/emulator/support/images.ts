import { deflateSync } from 'node:zlib';

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = (CRC_TABLE[(crc ^ byte) & 0xff] ?? 0) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typeAndData = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typeAndData));
  return Buffer.concat([length, typeAndData, crc]);
}

/** Encodes a valid RGB PNG whose pixels depend on `seed`, so different seeds give different bytes. */
export function makePng(width: number, height: number, seed = 0): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // colour type RGB

  const rows: Buffer[] = [];
  for (let y = 0; y < height; y += 1) {
    const row = Buffer.alloc(1 + width * 3);
    for (let x = 0; x < width; x += 1) {
      row[1 + x * 3] = (x * 37 + seed) & 0xff;
      row[2 + x * 3] = (y * 53 + seed * 7) & 0xff;
      row[3 + x * 3] = (x * y + seed * 13) & 0xff;
    }
    rows.push(row);
  }

  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', header),
    pngChunk('IDAT', deflateSync(Buffer.concat(rows))),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

function segment(marker: number, payload: Buffer): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt16BE(0xff00 | marker, 0);
  head.writeUInt16BE(payload.length + 2, 2);
  return Buffer.concat([head, payload]);
}

/**
 * Encodes a valid baseline grayscale JPEG of one flat gray colour. Both Huffman tables hold a
 * single 1-bit code for symbol 0, so every 8x8 block is two zero bits: DC difference 0, then
 * end-of-block. `seed` goes into a comment segment so that files differ.
 */
export function makeJpeg(width: number, height: number, seed = 0): Buffer {
  const singleCodeTable = (tableClass: number): Buffer =>
    Buffer.concat([Buffer.from([tableClass]), Buffer.from([1, ...new Array<number>(15).fill(0)]), Buffer.from([0])]);

  const frame = Buffer.alloc(9);
  frame[0] = 8;
  frame.writeUInt16BE(height, 1);
  frame.writeUInt16BE(width, 3);
  frame.set([1, 1, 0x11, 0], 5);

  const blocks = Math.ceil(width / 8) * Math.ceil(height / 8);
  const scanBits = blocks * 2;
  const scan = Buffer.alloc(Math.ceil(scanBits / 8), 0);
  const paddingBits = scan.length * 8 - scanBits;
  if (paddingBits > 0) scan[scan.length - 1] = (1 << paddingBits) - 1;

  return Buffer.concat([
    Buffer.from([0xff, 0xd8]),
    segment(0xe0, Buffer.from([0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0])),
    segment(0xfe, Buffer.from(`plate-archive test image ${seed}`, 'latin1')),
    segment(0xdb, Buffer.concat([Buffer.from([0]), Buffer.alloc(64, 1)])),
    segment(0xc0, frame),
    segment(0xc4, singleCodeTable(0x00)),
    segment(0xc4, singleCodeTable(0x10)),
    segment(0xda, Buffer.from([1, 1, 0x00, 0, 63, 0])),
    scan,
    Buffer.from([0xff, 0xd9]),
  ]);
}

/** Builds a WebP file header (a VP8X chunk with the canvas size), enough to detect format and size. */
export function makeWebpHeader(width: number, height: number): Buffer {
  const vp8x = Buffer.alloc(10);
  vp8x.writeUIntLE(width - 1, 4, 3);
  vp8x.writeUIntLE(height - 1, 7, 3);
  const chunkHeader = Buffer.concat([Buffer.from('VP8X', 'latin1'), Buffer.from([10, 0, 0, 0])]);
  const body = Buffer.concat([Buffer.from('WEBP', 'latin1'), chunkHeader, vp8x]);
  const riffSize = Buffer.alloc(4);
  riffSize.writeUInt32LE(body.length);
  return Buffer.concat([Buffer.from('RIFF', 'latin1'), riffSize, body]);
}

function box(type: string, payload: Buffer, fullBox = false): Buffer {
  const size = Buffer.alloc(4);
  const versionAndFlags = fullBox ? Buffer.alloc(4) : Buffer.alloc(0);
  size.writeUInt32BE(8 + versionAndFlags.length + payload.length);
  return Buffer.concat([size, Buffer.from(type, 'latin1'), versionAndFlags, payload]);
}

/** Builds a HEIC header: `ftyp` with brand `heic`, then `meta/iprp/ipco/ispe` with the image size. */
export function makeHeicHeader(width: number, height: number): Buffer {
  const ftyp = box('ftyp', Buffer.concat([Buffer.from('heic', 'latin1'), Buffer.alloc(4), Buffer.from('mif1heic', 'latin1')]));
  const dimensions = Buffer.alloc(8);
  dimensions.writeUInt32BE(width, 0);
  dimensions.writeUInt32BE(height, 4);
  const ispe = box('ispe', dimensions, true);
  const meta = box('meta', box('iprp', box('ipco', ispe)), true);
  return Buffer.concat([ftyp, meta]);
}
