import { randomUUID } from 'node:crypto';
import pino from 'pino';
import type { Test } from 'tap';
import type { ExportPart, NewExport, NewPhoto, Store } from '../../src/store/types.js';

/** Opens a fresh, empty store for one test and closes it when the test ends. */
export type MakeStore = (t: Test) => Promise<Store>;

export const silentLogger = pino({ level: 'silent' });

/** A fixed instant that the fixtures count from, so expected values can be written down. */
export const T0 = new Date('2025-03-01T00:00:00.000Z');

export function minutesAfterT0(minutes: number): Date {
  return new Date(T0.getTime() + minutes * 60_000);
}

let photoCounter = 0;

export function newPhoto(overrides: Partial<NewPhoto> = {}): NewPhoto {
  photoCounter += 1;
  const suffix = String(photoCounter).padStart(4, '0');
  return {
    publicId: `vehicles/2025-03-01/AB123CD_000000_${suffix}`,
    plate: 'AB123CD',
    rawPlate: 'ab-123-cd',
    capturedAt: T0,
    bytes: 1000 + photoCounter,
    format: 'jpg',
    width: 1600,
    height: 1200,
    version: 1_740_787_200,
    ...overrides,
  };
}

export function newPart(index: number, photoPublicIds: string[]): ExportPart {
  return {
    index,
    photoPublicIds,
    fileCount: photoPublicIds.length,
    bytes: photoPublicIds.length * 1000,
    archivePublicId: null,
    archiveBytes: null,
    missingPublicIds: [],
  };
}

export function newExport(overrides: Partial<NewExport> = {}): NewExport {
  return {
    id: randomUUID(),
    key: 'key-2025-03-01',
    fingerprint: { count: 2, totalBytes: 2000, hash: 'hash-a' },
    range: {
      from: '2025-03-01',
      to: '2025-03-02',
      timezone: 'UTC',
      fromUtc: new Date('2025-03-01T00:00:00.000Z'),
      toUtc: new Date('2025-03-02T00:00:00.000Z'),
    },
    plate: null,
    imageCount: 2,
    totalBytes: 2000,
    parts: [newPart(1, ['vehicles/a', 'vehicles/b'])],
    status: 'pending',
    asOf: T0,
    expiresAt: minutesAfterT0(7 * 24 * 60),
    ...overrides,
  };
}

/** Creates `count` pending exports whose createdAt is one minute apart, oldest first. */
export async function createPendingExports(store: Store, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const candidate = newExport({ key: `key-${i}`, fingerprint: { count: 1, totalBytes: 1, hash: `hash-${i}` } });
    const { record } = await store.findOrCreateExport(candidate, minutesAfterT0(i));
    ids.push(record.id);
  }
  return ids;
}
