import { randomBytes } from 'node:crypto';
import type { Test } from 'tap';
import { MongoStore } from '../../src/store/mongo/store.js';
import { silentLogger } from './fixtures.js';

/**
 * Opens a store on a fresh database with a random name, which the test drops when it ends, so
 * runs against a shared server never see each other's data.
 */
export async function openMongoStore(t: Test, mongodbUri: string): Promise<MongoStore> {
  const dbName = `plate_archive_test_${randomBytes(6).toString('hex')}`;
  const store = new MongoStore({ uri: mongodbUri, logger: silentLogger, dbName });
  t.teardown(async () => {
    await store.connection.dropDatabase();
    await store.close();
  });
  await store.init();
  return store;
}
