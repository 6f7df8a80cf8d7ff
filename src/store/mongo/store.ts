import type { Connection } from 'mongoose';
import type { Logger } from 'pino';
import { StoreUnavailableError } from '../../errors.js';
import { exportModel } from '../../models/export.js';
import { counterModel } from '../../models/counter.js';
import { leaseModel } from '../../models/lease.js';
import { photoModel } from '../../models/photo.js';
import { CompositeStore } from '../composite-store.js';
import type { PhotoRange } from '../types.js';
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
export class MongoStore extends CompositeStore {
  readonly kind = 'mongodb' as const;

  /** The store's own mongoose connection; tests use it to drop their database. */
  readonly connection: Connection;

  protected readonly photos: MongoPhotoStore;
  protected readonly exports: MongoExportStore;
  protected readonly leases: MongoLeaseStore;

  constructor(private readonly options: MongoStoreOptions) {
    super();
    this.connection = openConnection(options);
    this.photos = new MongoPhotoStore(photoModel(this.connection), counterModel(this.connection));
    this.exports = new MongoExportStore(exportModel(this.connection));
    this.leases = new MongoLeaseStore(leaseModel(this.connection));
  }

  /** Waits for the first connection (at most the 5 s server selection timeout) and creates missing indexes. */
  async init(): Promise<void> {
    await guard(() => this.connection.asPromise());

    const models = [photoModel(this.connection), exportModel(this.connection), leaseModel(this.connection), counterModel(this.connection)];
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
}
