import type { Logger } from 'pino';
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
import { SqliteConnection } from './connection.js';
import { EXPORT_QUERIES, SqliteExportStore } from './exports.js';
import { SqliteLeaseStore } from './leases.js';
import { PHOTO_QUERIES, SqlitePhotoStore } from './photos.js';

export interface SqliteStoreOptions {
  /** Path of the database file; created with its folder's permissions when missing. */
  file: string;
  logger: Logger;
  /** How long a write waits for another process's lock; 5000 ms when unset. */
  busyTimeoutMs?: number;
}

/** Queries whose plan `explainQueryPlan` can show. */
export type ExplainableSqliteQuery = 'photoRange' | 'platePhotoRange' | 'exportByKeyAndFingerprint';

/**
 * The embedded store: one SQLite file in WAL mode, which several processes may share. Every
 * state change is one statement or one IMMEDIATE transaction.
 */
export class SqliteStore implements Store {
  readonly kind = 'sqlite' as const;

  private readonly connection: SqliteConnection;
  private readonly photos: SqlitePhotoStore;
  private readonly exports: SqliteExportStore;
  private readonly leases: SqliteLeaseStore;

  constructor(options: SqliteStoreOptions) {
    this.connection = new SqliteConnection(options);
    this.photos = new SqlitePhotoStore(this.connection);
    this.exports = new SqliteExportStore(this.connection);
    this.leases = new SqliteLeaseStore(this.connection);
  }

  async init(): Promise<void> {
    this.connection.open();
  }

  async ping(): Promise<void> {
    this.connection.use((handle) => handle.statement('SELECT 1').get());
  }

  async close(): Promise<void> {
    this.connection.close();
  }

  /**
   * Closes the database handle as a lost connection would, without closing the store. The next
   * call reopens the file, or raises StoreUnavailableError while the file is missing.
   */
  simulateOutage(): void {
    this.connection.closeHandle();
  }

  /** Returns the `EXPLAIN QUERY PLAN` detail lines of one of the store's indexed queries. */
  explainQueryPlan(query: ExplainableSqliteQuery): string[] {
    const range = { fromMs: 0, toMs: 1, afterAt: -1, afterId: '', limit: 1 };
    const plans: Record<ExplainableSqliteQuery, { sql: string; params: unknown[] }> = {
      photoRange: { sql: PHOTO_QUERIES.page, params: [range] },
      platePhotoRange: { sql: PHOTO_QUERIES.pageForPlate, params: [{ ...range, plate: 'AB123CD' }] },
      exportByKeyAndFingerprint: { sql: EXPORT_QUERIES.byKeyAndFingerprint, params: ['key', 'hash'] },
    };

    const { sql, params } = plans[query];
    const rows = this.connection.use((handle) => handle.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params));
    return (rows as Array<{ detail: string }>).map((row) => row.detail);
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
