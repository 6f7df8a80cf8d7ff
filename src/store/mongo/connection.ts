import { setTimeout as delay } from 'node:timers/promises';
import mongoose, { type Connection, type IndexesDiff } from 'mongoose';
import type { Logger } from 'pino';

export interface MongoConnectionOptions {
  uri: string;
  logger: Logger;
  /** Database to use instead of the one named in the URI. */
  dbName?: string | undefined;
}

/**
 * Opens a connection of its own (not mongoose's global one), so several stores can live in one
 * process. Commands are not buffered while the server is away: they fail after the 5 s server
 * selection timeout, and the driver reconnects by itself once the server is back.
 */
export function openConnection(options: MongoConnectionOptions): Connection {
  const connection = mongoose.createConnection(options.uri, {
    serverSelectionTimeoutMS: 5000,
    maxPoolSize: 20,
    retryWrites: true,
    bufferCommands: false,
    autoIndex: false,
    autoCreate: false,
    ...(options.dbName ? { dbName: options.dbName } : {}),
  });

  const { logger } = options;
  // Without an 'error' listener, a failed first connection would crash the process as an unhandled event.
  connection.on('error', (error: unknown) => logger.error({ err: error }, 'MongoDB connection error'));
  connection.on('disconnected', () => logger.warn('MongoDB disconnected; the driver keeps trying to reconnect'));
  connection.on('reconnected', () => logger.info('MongoDB reconnected'));
  return connection;
}

/** The part of a mongoose model that index creation uses. */
interface IndexedModel {
  diffIndexes(): Promise<IndexesDiff>;
  createIndexes(): Promise<void>;
  readonly collection: { readonly name: string };
}

/**
 * Creates the indexes that the schemas declare and the database lacks, and logs each one it
 * creates. Indexes the schemas do not declare are logged and left in place, because an operator
 * may have added them on purpose. Building an index on a large collection can take minutes,
 * so after `timeoutMs` start-up goes on and the build finishes in the background.
 */
export async function ensureIndexes(models: IndexedModel[], logger: Logger, timeoutMs: number): Promise<void> {
  const work = (async () => {
    for (const model of models) {
      const { toCreate, toDrop } = await model.diffIndexes();
      if (toDrop.length > 0) {
        logger.warn({ collection: model.collection.name, indexes: toDrop }, 'MongoDB indexes not declared by the schema were left in place');
      }
      if (toCreate.length === 0) continue;

      await model.createIndexes();
      logger.info({ collection: model.collection.name, indexes: toCreate }, 'MongoDB indexes created');
    }
  })();

  const timeout = delay(timeoutMs, 'timed-out' as const, { ref: false });
  const outcome = await Promise.race([work.then(() => 'done' as const), timeout]);
  if (outcome === 'done') return;

  logger.warn({ timeoutMs }, 'MongoDB index creation still running after the start-up limit; continuing without waiting');
  work.then(
    () => logger.info('MongoDB index creation finished'),
    (error: unknown) => logger.error({ err: error }, 'MongoDB index creation failed; range queries may scan whole collections'),
  );
}
