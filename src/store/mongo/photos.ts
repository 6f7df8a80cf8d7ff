import { randomUUID } from 'node:crypto';
import type { FilterQuery } from 'mongoose';
import { fingerprintOf } from '../../domain/fingerprint.js';
import { DuplicateKeyError } from '../../errors.js';
import type { CounterDocument, CounterModel } from '../../models/counter.js';
import type { PhotoDocument, PhotoModel } from '../../models/photo.js';
import type { Fingerprint, NewPhoto, Photo, PhotoCursor, PhotoPage, PhotoRange, PhotoStore, PhotoSummary } from '../types.js';
import { guard, isDuplicateKeyError } from './errors.js';

/** Capture order with the id as tie-break; both range indexes end in these keys. */
const CAPTURE_ORDER = { capturedAt: 1, _id: 1 } as const;

const SUMMARY_PROJECTION = { _id: 0, publicId: 1, capturedAt: 1, bytes: 1, format: 1 } as const;

/** Filters `[fromUtc, toUtc)`, and the plate when given, so the capturedAt or plate index serves it. */
export function rangeFilter(range: PhotoRange): FilterQuery<PhotoDocument> {
  const filter: FilterQuery<PhotoDocument> = { capturedAt: { $gte: range.fromUtc, $lt: range.toUtc } };
  if (range.plate) filter.plate = range.plate;
  return filter;
}

/**
 * Filters the photos of a range that come after `after` in capture order. The lower bound moves
 * up to the cursor, so each page starts its index scan where the last one ended.
 */
export function pageFilter(range: PhotoRange, after: PhotoCursor | null): FilterQuery<PhotoDocument> {
  if (!after) return rangeFilter(range);

  const from = after.capturedAt > range.fromUtc ? after.capturedAt : range.fromUtc;
  return {
    ...rangeFilter({ ...range, fromUtc: from }),
    $or: [{ capturedAt: { $gt: after.capturedAt } }, { capturedAt: after.capturedAt, _id: { $gt: after.id } }],
  };
}

/** Id of the counter document that contains the photo revision. */
const PHOTO_REVISION = 'photo_revision';

export class MongoPhotoStore implements PhotoStore {
  constructor(
    private readonly photos: PhotoModel,
    private readonly counters: CounterModel,
  ) {}

  async insertPhoto(photo: NewPhoto): Promise<Photo> {
    const document: PhotoDocument = {
      _id: photo.id ?? randomUUID(),
      publicId: photo.publicId,
      plate: photo.plate,
      rawPlate: photo.rawPlate,
      capturedAt: photo.capturedAt,
      bytes: photo.bytes,
      format: photo.format,
      width: photo.width,
      height: photo.height,
      version: photo.version,
      createdAt: photo.createdAt ?? new Date(),
    };

    try {
      await guard(() => this.photos.create(document));
    } catch (error) {
      if (isDuplicateKeyError(error)) throw new DuplicateKeyError(`Photo with public id '${photo.publicId}' or id '${document._id}'`, error);
      throw error;
    }

    await this.bumpRevision();
    return photoFromDocument(document);
  }

  async getPhoto(id: string): Promise<Photo | null> {
    const document = await guard(() => this.photos.findById(id).lean<PhotoDocument>().exec());
    return document ? photoFromDocument(document) : null;
  }

  async listPhotos(range: PhotoRange, options: { limit: number; after?: PhotoCursor | null }): Promise<PhotoPage> {
    // One extra document shows whether another page follows.
    const documents = await guard(() => this.pageQuery(range, options.after ?? null, options.limit + 1).exec());

    const photos = documents.slice(0, options.limit).map(photoFromDocument);
    const last = photos.at(-1);
    const next = documents.length > options.limit && last ? { capturedAt: last.capturedAt, id: last.id } : null;
    return { photos, next };
  }

  async summarisePhotos(range: PhotoRange): Promise<PhotoSummary[]> {
    const documents = await guard(() => this.summaryQuery(range).exec());
    return documents.map((document) => ({
      publicId: document.publicId,
      capturedAt: document.capturedAt,
      bytes: document.bytes,
      format: document.format,
    }));
  }

  async fingerprintRange(range: PhotoRange): Promise<Fingerprint> {
    // NOTE: $push collects every public id of the range into one document, which MongoDB caps
    // at 16 MiB: about 150,000 ids of 100 bytes. Ranges beyond that fail with error 10334.
    const [group] = await guard(() =>
      this.photos
        .aggregate<{ count: number; totalBytes: number; publicIds: string[] }>([
          // No $sort: fingerprintOf orders the ids itself, so the planner is free to skip sorting.
          { $match: rangeFilter(range) },
          { $group: { _id: null, count: { $sum: 1 }, totalBytes: { $sum: '$bytes' }, publicIds: { $push: '$publicId' } } },
        ])
        .exec(),
    );
    if (!group) return fingerprintOf([]);

    // fingerprintOf sorts and hashes the ids exactly as the SQLite adapter does; bytes come from $sum.
    const { hash } = fingerprintOf(group.publicIds.map((publicId) => ({ publicId, bytes: 0 })));
    return { count: group.count, totalBytes: group.totalBytes, hash };
  }

  async deletePhoto(id: string): Promise<boolean> {
    const result = await guard(() => this.photos.deleteOne({ _id: id }).exec());
    if (result.deletedCount > 0) await this.bumpRevision();
    return result.deletedCount > 0;
  }

  async photoRevision(): Promise<number> {
    const counter = await guard(() => this.counters.findById(PHOTO_REVISION).lean<CounterDocument>().exec());
    return counter?.value ?? 0;
  }

  /**
   * Raises the photo revision after a change. MongoDB has no trigger here, so the bump is a
   * second write, which completes before insertPhoto or deletePhoto resolves as the port
   * promises. NOTE: if this write fails after the photo write succeeded, the caller gets an
   * error for a change that happened. Cached fingerprints then expire after 30 s at most.
   */
  private async bumpRevision(): Promise<void> {
    await guard(() => this.counters.updateOne({ _id: PHOTO_REVISION }, { $inc: { value: 1 } }, { upsert: true }).exec());
  }

  /** Builds the query that listPhotos runs. Tests call it to check the query plan. */
  pageQuery(range: PhotoRange, after: PhotoCursor | null, limit: number) {
    return this.photos.find(pageFilter(range, after)).sort(CAPTURE_ORDER).limit(limit).lean<PhotoDocument[]>();
  }

  /** Builds the query that summarisePhotos runs, which reads only the fields the export planner needs. */
  summaryQuery(range: PhotoRange) {
    return this.photos
      .find(rangeFilter(range), SUMMARY_PROJECTION)
      .sort(CAPTURE_ORDER)
      .lean<Array<Pick<PhotoDocument, 'publicId' | 'capturedAt' | 'bytes' | 'format'>>>();
  }
}

function photoFromDocument(document: PhotoDocument): Photo {
  return {
    id: document._id,
    publicId: document.publicId,
    plate: document.plate,
    rawPlate: document.rawPlate,
    capturedAt: document.capturedAt,
    bytes: document.bytes,
    format: document.format,
    width: document.width,
    height: document.height,
    version: document.version,
    createdAt: document.createdAt,
  };
}
