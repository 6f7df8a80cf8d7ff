import { createServer } from 'node:net';
import t from 'tap';
import { StoreUnavailableError } from '../../src/errors.js';
import { MongoStore } from '../../src/store/mongo/store.js';
import { silentLogger } from './fixtures.js';

/** Returns a loopback port that nothing listens on: the OS hands it out, and the server closes again. */
async function closedLoopbackPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address === 'string') throw new Error('expected a TCP address');
  return address.port;
}

// Runs without a MongoDB server: it checks the driver's server selection error becomes a 503.
t.test('MongoDB init without server is unavailable', async (t) => {
  const port = await closedLoopbackPort();
  const store = new MongoStore({ uri: `mongodb://127.0.0.1:${port}/plate_archive_test`, logger: silentLogger });
  t.teardown(() => store.close());
  const startedAt = Date.now();

  const error = await store.init().catch((caught: unknown) => caught);

  t.type(error, StoreUnavailableError);
  t.equal((error as StoreUnavailableError).status, 503);
  t.match((error as StoreUnavailableError).cause, { name: 'MongooseServerSelectionError' });
  // serverSelectionTimeoutMS is 5000; the margin covers a slow machine.
  t.ok(Date.now() - startedAt < 15_000, 'init gave up within 15 s');
  await t.rejects(store.ping(), StoreUnavailableError);
});
