import type { Logger } from 'pino';
import { CompositeStore } from '../composite-store.js';
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
export class SqliteStore extends CompositeStore {
  readonly kind = 'sqlite' as const;

  private readonly connection: SqliteConnection;
  protected readonly photos: SqlitePhotoStore;
  protected readonly exports: SqliteExportStore;
  protected readonly leases: SqliteLeaseStore;

  constructor(options: SqliteStoreOptions) {
    super();
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
}
