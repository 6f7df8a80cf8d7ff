import type {
  BuiltPart,
  ExportError,
  ExportRecord,
  ExportStore,
  Fingerprint,
  LeaseStore,
  NamedLease,
  NewExport,
  NewPhoto,
  Photo,
  PhotoCursor,
  PhotoPage,
  PhotoRange,
  PhotoStore,
  PhotoSummary,
  Store,
} from './types.js';

/**
 * Puts the three parts of a store adapter (photos, exports, leases) behind the one `Store`
 * port, so each adapter writes only its lifecycle (init, ping, close) and the three parts.
 */
export abstract class CompositeStore implements Store {
  abstract readonly kind: Store['kind'];
  protected abstract readonly photos: PhotoStore;
  protected abstract readonly exports: ExportStore;
  protected abstract readonly leases: LeaseStore;

  abstract init(): Promise<void>;
  abstract ping(): Promise<void>;
  abstract close(): Promise<void>;

  insertPhoto(photo: NewPhoto): Promise<Photo> {
    return this.photos.insertPhoto(photo);
  }

  getPhoto(id: string): Promise<Photo | null> {
    return this.photos.getPhoto(id);
  }

  listPhotos(range: PhotoRange, options: { limit: number; after?: PhotoCursor | null }): Promise<PhotoPage> {
    return this.photos.listPhotos(range, options);
  }

  summarisePhotos(range: PhotoRange): Promise<PhotoSummary[]> {
    return this.photos.summarisePhotos(range);
  }

  fingerprintRange(range: PhotoRange): Promise<Fingerprint> {
    return this.photos.fingerprintRange(range);
  }

  deletePhoto(id: string): Promise<boolean> {
    return this.photos.deletePhoto(id);
  }

  photoRevision(): Promise<number> {
    return this.photos.photoRevision();
  }

  findOrCreateExport(candidate: NewExport, now: Date): Promise<{ record: ExportRecord; created: boolean }> {
    return this.exports.findOrCreateExport(candidate, now);
  }

  getExport(id: string): Promise<ExportRecord | null> {
    return this.exports.getExport(id);
  }

  findExport(key: string, fingerprintHash: string): Promise<ExportRecord | null> {
    return this.exports.findExport(key, fingerprintHash);
  }

  findLatestExport(key: string): Promise<ExportRecord | null> {
    return this.exports.findLatestExport(key);
  }

  retryExport(id: string, now: Date): Promise<ExportRecord | null> {
    return this.exports.retryExport(id, now);
  }

  claimExport(holder: string, leaseMs: number, now: Date): Promise<ExportRecord | null> {
    return this.exports.claimExport(holder, leaseMs, now);
  }

  renewExportLease(id: string, holder: string, leaseMs: number, now: Date): Promise<boolean> {
    return this.exports.renewExportLease(id, holder, leaseMs, now);
  }

  recordPartBuilt(id: string, holder: string, part: BuiltPart, now: Date): Promise<boolean> {
    return this.exports.recordPartBuilt(id, holder, part, now);
  }

  completeExport(id: string, holder: string, now: Date): Promise<ExportRecord | null> {
    return this.exports.completeExport(id, holder, now);
  }

  failExport(id: string, holder: string, error: ExportError, retryAt: Date | null, now: Date): Promise<boolean> {
    return this.exports.failExport(id, holder, error, retryAt, now);
  }

  releaseExport(id: string, holder: string, now: Date): Promise<boolean> {
    return this.exports.releaseExport(id, holder, now);
  }

  findReadyExportsByKeys(keys: string[]): Promise<ExportRecord[]> {
    return this.exports.findReadyExportsByKeys(keys);
  }

  listExpiredExports(now: Date, limit: number): Promise<ExportRecord[]> {
    return this.exports.listExpiredExports(now, limit);
  }

  deleteExport(id: string): Promise<boolean> {
    return this.exports.deleteExport(id);
  }

  acquireLease(name: string, holder: string, ttlMs: number, now: Date): Promise<NamedLease | null> {
    return this.leases.acquireLease(name, holder, ttlMs, now);
  }

  releaseLease(name: string, holder: string): Promise<boolean> {
    return this.leases.releaseLease(name, holder);
  }

  getLease(name: string): Promise<NamedLease | null> {
    return this.leases.getLease(name);
  }
}
