import type { Connection } from 'mongoose';
import type { Logger } from 'pino';
import { StoreUnavailableError } from '../../errors.js';
import { exportModel } from '../../models/export.js';
import { leaseModel } from '../../models/lease.js';
import { photoModel } from '../../models/photo.js';
import type {
  BuiltPart,
  ExportError,
  ExportRecord,
  Fingerprint,
  NamedLease,
  NewExport,
  NewPhoto,
  Photo,
  PhotoCursor,
  PhotoPage,
  PhotoRange,
  PhotoSummary,
  Store,
} from '../types.js';
import { ensureIndexes, openConnection } from './connection.js';
import { guard } from './errors.js';
import { MongoExportStore } from './exports.js';
import { MongoLeaseStore } from './leases.js';
import { MongoPhotoStore } from './photos.js';

export interface MongoStoreOptions {
  uri: string;
  logger: Logger;
  /** Database to use instead of the one named in the URI. */
  dbName?: string | undefined;
  /** How long init() waits for index creation before it lets start-up go on; 30 s when unset. */
  indexTimeoutMs?: number;
}

/** Queries whose plan `explainQuery` can show. */
export type ExplainableMongoQuery = 'photoRange' | 'platePhotoRange' | 'exportByKeyAndFingerprint';

const DEFAULT_INDEX_TIMEOUT_MS = 30_000;

/**
 * The production store: MongoDB through mongoose. Every state change is one atomic document
 * operation, so any number of service instances can share the database.
 */
export class MongoStore implements Store {
  readonly kind = 'mongodb' as const;

  /** The store's own mongoose connection; tests use it to drop their database. */
  readonly connection: Connection;

  private readonly photos: MongoPhotoStore;
  private readonly exports: MongoExportStore;
  private readonly leases: MongoLeaseStore;

  constructor(private readonly options: MongoStoreOptions) {
    this.connection = openConnection(options);
    this.photos = new MongoPhotoStore(photoModel(this.connection));
    this.exports = new MongoExportStore(exportModel(this.connection));
    this.leases = new MongoLeaseStore(leaseModel(this.connection));
  }

  /** Waits for the first connection (at most the 5 s server selection timeout) and creates missing indexes. */
  async init(): Promise<void> {
    await guard(() => this.connection.asPromise());

    const models = [photoModel(this.connection), exportModel(this.connection), leaseModel(this.connection)];
    const timeoutMs = this.options.indexTimeoutMs ?? DEFAULT_INDEX_TIMEOUT_MS;
    await guard(() => ensureIndexes(models, this.options.logger, timeoutMs));
  }

  async ping(): Promise<void> {
    const db = this.connection.db;
    if (!db) throw new StoreUnavailableError(new Error('The MongoDB connection has not been opened'));
    await guard(() => db.admin().command({ ping: 1 }));
  }

  async close(): Promise<void> {
    await this.connection.close();
  }

  /** Returns the query planner's output for one of the store's indexed queries. */
  async explainQuery(query: ExplainableMongoQuery): Promise<unknown> {
    const range: PhotoRange = { fromUtc: new Date(0), toUtc: new Date(1) };
    switch (query) {
      case 'photoRange':
        return this.photos.pageQuery(range, null, 1).explain('queryPlanner');
      case 'platePhotoRange':
        return this.photos.pageQuery({ ...range, plate: 'AB123CD' }, null, 1).explain('queryPlanner');
      case 'exportByKeyAndFingerprint':
        return this.exports.byKeyQuery('key', 'hash').explain('queryPlanner');
    }
  }

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
