import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32, deflateSync } from 'node:zlib';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Real vehicle photos shipped beside the repository; absent on a fresh clone. */
export const FIXTURE_DIR = path.resolve(repoRoot, '..', 'shared', 'fixtures', 'vehicles');

export interface TestPhoto {
  name: string;
  bytes: Buffer;
  extension: 'jpg' | 'png';
  sha256: string;
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typed = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const checksum = Buffer.alloc(4);
  checksum.writeUInt32BE(crc32(typed) >>> 0);
  return Buffer.concat([length, typed, checksum]);
}

/** Encodes a small RGB PNG whose pixels depend on `seed`, so every generated photo differs. */
export function generatePng(seed: number, width = 32, height = 24): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.writeUInt8(8, 8); // bit depth
  header.writeUInt8(2, 9); // colour type: RGB

  const rows: Buffer[] = [];
  for (let y = 0; y < height; y += 1) {
    const row = Buffer.alloc(1 + width * 3);
    for (let x = 0; x < width; x += 1) {
      row[1 + x * 3] = (seed * 37 + x * 5) & 0xff;
      row[2 + x * 3] = (seed * 91 + y * 7) & 0xff;
      row[3 + x * 3] = (seed * 13 + x * y) & 0xff;
    }
    rows.push(row);
  }

  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk('IHDR', header), chunk('IDAT', deflateSync(Buffer.concat(rows))), chunk('IEND', Buffer.alloc(0))]);
}

export function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Returns `count` distinct photos: the real fixture JPEGs first when the folder exists, then
 * generated PNGs, so tests pass the same way on a fresh clone.
 */
export function testPhotos(count: number, options: { realFirst?: boolean } = {}): TestPhoto[] {
  const photos: TestPhoto[] = [];
  if (options.realFirst !== false && existsSync(FIXTURE_DIR)) {
    const files = readdirSync(FIXTURE_DIR).filter((file) => file.endsWith('.jpg')).sort();
    for (const file of files.slice(0, count)) {
      const bytes = readFileSync(path.join(FIXTURE_DIR, file));
      photos.push({ name: file, bytes, extension: 'jpg', sha256: sha256(bytes) });
    }
  }
  for (let seed = photos.length; photos.length < count; seed += 1) {
    const bytes = generatePng(seed);
    photos.push({ name: `generated-${seed}.png`, bytes, extension: 'png', sha256: sha256(bytes) });
  }
  return photos;
}
