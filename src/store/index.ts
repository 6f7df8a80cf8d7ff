import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import type { Store } from './types.js';

/** File name of the embedded store inside DATA_DIR. */
export const SQLITE_FILE_NAME = 'plate-archive.db';

/**
 * Opens the store the configuration selects and prepares it: MongoDB when `mongodbUri` is set,
 * otherwise the SQLite file in `dataDir` (created when missing). Each adapter is imported only
 * when used, so the SQLite path never loads mongoose.
 */
export async function createStore(options: { dataDir: string; mongodbUri?: string | undefined; logger: Logger }): Promise<Store> {
  const { logger } = options;

  if (options.mongodbUri) {
    const { MongoStore } = await import('./mongo/store.js');
    const store = new MongoStore({ uri: options.mongodbUri, logger });
    await store.init();
    // The URI may carry a password, so only the database name is logged.
    logger.info({ store: 'mongodb', database: store.connection.name }, 'Store ready');
    return store;
  }

  await mkdir(options.dataDir, { recursive: true });
  const file = path.join(options.dataDir, SQLITE_FILE_NAME);
  const { SqliteStore } = await import('./sqlite/store.js');
  const store = new SqliteStore({ file, logger });
  await store.init();
  logger.info({ store: 'sqlite', file }, 'Store ready');
  return store;
}
