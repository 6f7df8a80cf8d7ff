/**
 * The store port: photos, exports (which double as build jobs) and named leases. Two adapters
 * implement it, SQLite (embedded default) and MongoDB (production), and one contract suite in
 * test/store/ checks both for the same behaviour.
 *
 * Every method that changes state is atomic in the adapter: no read-then-write sequences, so
 * several service instances can share one store.
 */

export interface Photo {
  id: string;
  publicId: string;
  /** Normalised plate: upper case, no spaces or dashes. */
  plate: string;
  /** The plate as the client sent it. */
  rawPlate: string;
  capturedAt: Date;
  bytes: number;
  format: string;
  width: number;
  height: number;
  /** Cloudinary's asset version (Unix seconds of the upload). */
  version: number;
  createdAt: Date;
}

export type NewPhoto = Omit<Photo, 'id' | 'createdAt'> & { id?: string; createdAt?: Date };

/** A half-open interval `[fromUtc, toUtc)` of capture times, optionally for one plate. */
export interface PhotoRange {
  fromUtc: Date;
  toUtc: Date;
  plate?: string | null;
}

/** The few fields the export planner needs, in capture order. */
export interface PhotoSummary {
  publicId: string;
  capturedAt: Date;
  bytes: number;
  format: string;
}

export interface PhotoPage {
  photos: Photo[];
  /** Position after the last photo of this page, or null when there are no more. */
  next: PhotoCursor | null;
}

/** Keyset position: photos are ordered by (capturedAt, id). */
export interface PhotoCursor {
  capturedAt: Date;
  id: string;
}

export interface Fingerprint {
  count: number;
  totalBytes: number;
  /** SHA-256 hex of the sorted public ids, joined by newlines. */
  hash: string;
}

export type ExportStatus = 'pending' | 'building' | 'ready' | 'failed';

export interface ExportRange {
  /** As the client sent them (a date or a date-time). */
  from: string;
  to: string;
  timezone: string;
  fromUtc: Date;
  toUtc: Date;
}

/** One planned or built archive of an export. */
export interface ExportPart {
  /** 1-based. */
  index: number;
  /** Public ids of the photos this part archives, in capture order. */
  photoPublicIds: string[];
  fileCount: number;
  bytes: number;
  /** Public id of the stored archive (raw asset, with `.zip`); null until built. */
  archivePublicId: string | null;
  /** Size of the built ZIP in bytes; null until built. */
  archiveBytes: number | null;
  /** Photos Cloudinary no longer had when this part was built. */
  missingPublicIds: string[];
}

export interface ExportError {
  code: string;
  message: string;
  retryable: boolean;
}

export interface Lease {
  holder: string;
  expiresAt: Date;
}

export interface ExportRecord {
  id: string;
  /** Hash of the canonical query (resolved UTC range and plate). */
  key: string;
  fingerprint: Fingerprint;
  status: ExportStatus;
  range: ExportRange;
  plate: string | null;
  imageCount: number;
  totalBytes: number;
  parts: ExportPart[];
  attempts: number;
  error: ExportError | null;
  lease: Lease | null;
  /** Earliest time a worker may claim it again after a retryable failure. */
  notBefore: Date | null;
  /** When the range content was read: the archive contains the photos present at this moment. */
  asOf: Date;
  createdAt: Date;
  updatedAt: Date;
  readyAt: Date | null;
  /** When the retention sweep may delete its archives and the record. */
  expiresAt: Date;
}

/** The fields a caller provides to create an export; the store fills in the bookkeeping. */
export interface NewExport {
  id: string;
  key: string;
  fingerprint: Fingerprint;
  range: ExportRange;
  plate: string | null;
  imageCount: number;
  totalBytes: number;
  parts: ExportPart[];
  /** `ready` for an empty range (no build needed), `pending` otherwise. */
  status: 'pending' | 'ready';
  asOf: Date;
  expiresAt: Date;
}

export interface BuiltPart {
  index: number;
  archivePublicId: string;
  archiveBytes: number;
  missingPublicIds: string[];
}

export interface NamedLease {
  name: string;
  holder: string;
  expiresAt: Date;
}

export interface PhotoStore {
  /** Inserts a photo; a duplicate `publicId` raises an error with code `PA_ERR_DUPLICATE`. */
  insertPhoto(photo: NewPhoto): Promise<Photo>;
  getPhoto(id: string): Promise<Photo | null>;
  /** Pages through a range in (capturedAt, id) order, starting after `after`. */
  listPhotos(range: PhotoRange, options: { limit: number; after?: PhotoCursor | null }): Promise<PhotoPage>;
  /** Every photo of a range in capture order, with only the fields the planner needs. */
  summarisePhotos(range: PhotoRange): Promise<PhotoSummary[]>;
  /** Fingerprint of the photos a range contains right now. */
  fingerprintRange(range: PhotoRange): Promise<Fingerprint>;
  deletePhoto(id: string): Promise<boolean>;
  /**
   * Returns a number that grows with every photo inserted or deleted, by any instance. It grows
   * before insertPhoto or deletePhoto resolves, so a caller that reads it afterwards gets the
   * raised value. While it stays the same, no range has gained or lost a photo.
   */
  photoRevision(): Promise<number>;
}

export interface ExportStore {
  /**
   * Creates the export for (key, fingerprint.hash) unless one exists, atomically: concurrent
   * callers with the same key and fingerprint all receive the same record, and exactly one of
   * them gets `created: true`.
   */
  findOrCreateExport(candidate: NewExport, now: Date): Promise<{ record: ExportRecord; created: boolean }>;
  getExport(id: string): Promise<ExportRecord | null>;
  findExport(key: string, fingerprintHash: string): Promise<ExportRecord | null>;
  /** The most recently created export for a key whose status is not failed, if any. */
  findLatestExport(key: string): Promise<ExportRecord | null>;
  /** Turns a failed export back into a pending one; returns null when it was not failed. */
  retryExport(id: string, now: Date): Promise<ExportRecord | null>;

  /**
   * Claims the oldest claimable export for `holder`: pending with `notBefore` passed, or
   * building with an expired lease. Sets status building, the lease and attempts + 1, in one
   * atomic step, so each export goes to exactly one claimer.
   */
  claimExport(holder: string, leaseMs: number, now: Date): Promise<ExportRecord | null>;
  /** Extends the lease only while `holder` still holds it; false when the lease was lost. */
  renewExportLease(id: string, holder: string, leaseMs: number, now: Date): Promise<boolean>;
  /** Records one built part while `holder` holds the lease. */
  recordPartBuilt(id: string, holder: string, part: BuiltPart, now: Date): Promise<boolean>;
  /** Marks the export ready and clears the lease, if `holder` still holds it. */
  completeExport(id: string, holder: string, now: Date): Promise<ExportRecord | null>;
  /**
   * Records a failed attempt. With `retryAt` the export goes back to pending until then;
   * without it, it is failed for good (a later request may retry it).
   */
  failExport(id: string, holder: string, error: ExportError, retryAt: Date | null, now: Date): Promise<boolean>;
  /** Gives the export back to the queue (pending, no lease) if `holder` holds it. */
  releaseExport(id: string, holder: string, now: Date): Promise<boolean>;

  /**
   * Ready exports whose key is one of `keys`, newest first.
   * NOTE: nothing in src/ calls it; daily archive reuse looks each day up with findExport.
   */
  findReadyExportsByKeys(keys: string[]): Promise<ExportRecord[]>;
  /** Exports whose `expiresAt` is before `now`, oldest first. */
  listExpiredExports(now: Date, limit: number): Promise<ExportRecord[]>;
  deleteExport(id: string): Promise<boolean>;
}

export interface LeaseStore {
  /**
   * Takes the named lease for `holder` if it is free, expired, or already held by `holder`
   * (which renews it). Atomic across instances.
   */
  acquireLease(name: string, holder: string, ttlMs: number, now: Date): Promise<NamedLease | null>;
  releaseLease(name: string, holder: string): Promise<boolean>;
  getLease(name: string): Promise<NamedLease | null>;
}

export interface Store extends PhotoStore, ExportStore, LeaseStore {
  readonly kind: 'sqlite' | 'mongodb';
  /** Creates tables or collections and indexes. Safe to call on every start. */
  init(): Promise<void>;
  /** Resolves when the database responds to a trivial query; rejects otherwise. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
