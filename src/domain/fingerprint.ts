import { createHash } from 'node:crypto';
import type { Fingerprint } from '../store/types.js';

/**
 * Computes what a range holds: count, total bytes and a SHA-256 of the sorted public ids. Two
 * reads of a range give the same fingerprint exactly when they hold the same photos, whatever
 * order the store returned them in.
 */
export function fingerprintOf(photos: Iterable<{ publicId: string; bytes: number }>): Fingerprint {
  const publicIds: string[] = [];
  let totalBytes = 0;
  for (const photo of photos) {
    publicIds.push(photo.publicId);
    totalBytes += photo.bytes;
  }

  // Plain code-unit order, not localeCompare, so every adapter and runtime agrees.
  publicIds.sort(compareCodeUnits);
  const hash = createHash('sha256');
  for (const publicId of publicIds) hash.update(publicId).update('\n');

  return { count: publicIds.length, totalBytes, hash: hash.digest('hex') };
}

function compareCodeUnits(a: string, b: string): number {
  if (a < b) return -1;
  if (a > b) return 1;
  return 0;
}
