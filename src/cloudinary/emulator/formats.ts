import { imageSizeFromFile } from 'image-size/fromFile';
import path from 'node:path';
import { readFile } from 'node:fs/promises';

export type ImageFormat = 'jpg' | 'png' | 'webp' | 'heic' | 'gif';

/** Bytes needed to recognise every supported format. */
export const FORMAT_SNIFF_BYTES = 32;

const HEIF_BRANDS = new Set(['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'hevm', 'hevs', 'mif1', 'msf1']);

/** Detects an image format from its first bytes; the multipart part's content type is always octet-stream. */
export function detectImageFormat(head: Buffer): ImageFormat | null {
  if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'jpg';
  if (head.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'png';
  if (head.toString('latin1', 0, 4) === 'RIFF' && head.toString('latin1', 8, 12) === 'WEBP') return 'webp';
  if (head.toString('latin1', 0, 4) === 'GIF8') return 'gif';
  if (head.toString('latin1', 4, 8) === 'ftyp' && HEIF_BRANDS.has(head.toString('latin1', 8, 12))) return 'heic';
  return null;
}

/** Width and height from the image header, or null when neither reader can find them. */
export async function readImageDimensions(filePath: string): Promise<{ width: number; height: number } | null> {
  try {
    const size = await imageSizeFromFile(filePath);
    if (size.width !== undefined && size.height !== undefined) return { width: size.width, height: size.height };
  } catch {
    // image-size 2.1 gives up on JPEGs whose metadata segments run past its read window
    // ("Corrupt JPG, exceeded buffer limits"); the marker scan below reads the whole file.
  }
  return readJpegDimensions(await readFile(filePath));
}

/** Start-of-frame markers that carry the image size: SOF0..SOF15 except DHT, JPG and DAC. */
const SOF_MARKERS = new Set([0xc0, 0xc1, 0xc2, 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf]);

/** Walks a JPEG's segments to its start-of-frame header; null for anything else. */
export function readJpegDimensions(bytes: Buffer): { width: number; height: number } | null {
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8) return null;

  let offset = 2;
  while (offset + 9 < bytes.length) {
    if (bytes[offset] !== 0xff) return null;
    const marker = bytes[offset + 1]!;
    if (marker === 0xff) {
      offset += 1;
      continue;
    }

    const length = bytes.readUInt16BE(offset + 2);
    if (SOF_MARKERS.has(marker)) {
      return { height: bytes.readUInt16BE(offset + 5), width: bytes.readUInt16BE(offset + 7) };
    }
    offset += 2 + length;
  }
  return null;
}

const CONTENT_TYPES: Record<string, string> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  heic: 'image/heic',
  gif: 'image/gif',
  zip: 'application/zip',
  tgz: 'application/x-gzip',
  json: 'application/json',
  txt: 'text/plain',
};

/** Content type for a format, or for a raw public id by its extension; octet-stream otherwise. */
export function contentTypeFor(format: string, publicId: string): string {
  const extension = format !== '' ? format : path.extname(publicId).slice(1).toLowerCase();
  return CONTENT_TYPES[extension] ?? 'application/octet-stream';
}
