import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { rename } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import Database from 'better-sqlite3';
import t, { type Test } from 'tap';
import { StoreUnavailableError } from '../../src/errors.js';
import { SqliteStore } from '../../src/store/sqlite/store.js';
import { runStoreContract } from './contract.js';
import { createPendingExports, minutesAfterT0, newPhoto, silentLogger } from './fixtures.js';

const CLAIM_WORKER = fileURLToPath(new URL('./claim-worker.ts', import.meta.url));

async function openStore(t: Test, file: string): Promise<SqliteStore> {
  const store = new SqliteStore({ file, logger: silentLogger });
  await store.init();
  t.teardown(() => store.close());
  return store;
}

function tempFile(t: Test): string {
  return path.join(t.testdir(), 'plate-archive.db');
}

void runStoreContract(t, { label: 'SQLite', makeStore: (t) => openStore(t, tempFile(t)) });

t.test('SQLite init sets WAL and schema version', async (t) => {
  const file = tempFile(t);
  await openStore(t, file);

  const db = new Database(file, { readonly: true });
  t.teardown(() => db.close());
  const indexes = db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    .pluck()
    .all();

  t.equal(db.pragma('journal_mode', { simple: true }), 'wal');
  t.equal(db.pragma('user_version', { simple: true }), 2);
  t.same(indexes, [
    'exports_expires_at',
    'exports_key_created_at',
    'exports_key_fingerprint',
    'exports_status_created_at',
    'photos_captured_at',
    'photos_plate_captured_at',
    'photos_public_id',
  ]);
  const triggers = db.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger' ORDER BY name").pluck().all();
  t.same(triggers, ['photos_revision_after_delete', 'photos_revision_after_insert', 'photos_revision_after_update']);
});

t.test('SQLite init on existing file keeps data', async (t) => {
  const file = tempFile(t);
  const first = await openStore(t, file);
  const photo = await first.insertPhoto(newPhoto());

  const second = await openStore(t, file);

  t.same(await second.getPhoto(photo.id), photo);
});

t.test('SQLite file from newer version is rejected', async (t) => {
  const file = tempFile(t);
  const db = new Database(file);
  db.pragma('user_version = 99');
  db.close();

  const store = new SqliteStore({ file, logger: silentLogger });
  t.teardown(() => store.close());

  await t.rejects(store.init(), /schema version 99/);
});

t.test('SQLite two instances race claims', async (t) => {
  const file = tempFile(t);
  const a = await openStore(t, file);
  const b = await openStore(t, file);
  const ids = await createPendingExports(a, 10);

  const claims = await Promise.all(
    Array.from({ length: 16 }, (_, i) => (i % 2 === 0 ? a : b).claimExport(`worker-${i}`, 60_000, minutesAfterT0(30))),
  );

  const claimed = claims.flatMap((claim) => (claim ? [claim.id] : []));
  t.same([...claimed].sort(), [...ids].sort());
  t.equal(new Set(claimed).size, 10);
  t.equal(claims.filter((claim) => claim === null).length, 6);
});

/**
 * Starts claim-worker.ts on `file` as `holder`, waits for its `ready` line and returns a function
 * that sends the start signal and resolves to the ids the process claimed.
 */
async function startClaimProcess(file: string, holder: string): Promise<() => Promise<string[]>> {
  const child = spawn(process.execPath, ['--import', 'tsx', CLAIM_WORKER, file, holder], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout });
  const iterator = lines[Symbol.asyncIterator]();

  const ready = await iterator.next();
  if (ready.value !== 'ready') throw new Error(`claim worker ${holder} printed ${String(ready.value)} instead of ready`);

  return async () => {
    child.stdin.end('go\n');
    const result = await iterator.next();
    const [exitCode] = (await once(child, 'exit')) as [number | null];
    if (exitCode !== 0) throw new Error(`claim worker ${holder} exited with code ${exitCode}`);
    return JSON.parse(String(result.value)) as string[];
  };
}

t.test('SQLite two processes race claims', async (t) => {
  const file = tempFile(t);
  const store = await openStore(t, file);
  const ids = await createPendingExports(store, 300);

  const starts = await Promise.all(['process-a', 'process-b', 'process-c'].map((holder) => startClaimProcess(file, holder)));
  const perProcess = await Promise.all(starts.map((start) => start()));

  const claimed = perProcess.flat();
  t.equal(claimed.length, 300);
  t.equal(new Set(claimed).size, 300);
  t.same([...claimed].sort(), [...ids].sort());
  // Each record names the process that claimed it, so no later claim overwrote an earlier one.
  for (const [index, holder] of ['process-a', 'process-b', 'process-c'].entries()) {
    for (const id of perProcess[index] ?? []) {
      t.equal((await store.getExport(id))?.lease?.holder, holder);
    }
  }
  t.comment(`claims per process: ${perProcess.map((ids) => ids.length).join(', ')}`);
});

t.test('SQLite outage with file moved away', async (t) => {
  const file = tempFile(t);
  const store = await openStore(t, file);
  const photo = await store.insertPhoto(newPhoto());

  store.simulateOutage();
  await rename(file, `${file}.moved`);

  await t.rejects(store.ping(), StoreUnavailableError);
  await t.rejects(store.getPhoto(photo.id), StoreUnavailableError);
  await t.rejects(store.insertPhoto(newPhoto()), { code: 'PA_ERR_STORE_UNAVAILABLE', status: 503 });

  await rename(`${file}.moved`, file);

  await t.resolves(store.ping());
  t.same(await store.getPhoto(photo.id), photo);
});

t.test('SQLite outage with folder moved away', async (t) => {
  const dataDir = path.join(t.testdir({ data: {} }), 'data');
  const store = await openStore(t, path.join(dataDir, 'plate-archive.db'));
  const photo = await store.insertPhoto(newPhoto());

  store.simulateOutage();
  await rename(dataDir, `${dataDir}-moved`);

  await t.rejects(store.listPhotos({ fromUtc: minutesAfterT0(-1), toUtc: minutesAfterT0(1) }, { limit: 10 }), StoreUnavailableError);
  await t.rejects(store.claimExport('worker-1', 60_000, minutesAfterT0(0)), StoreUnavailableError);

  await rename(`${dataDir}-moved`, dataDir);

  await t.resolves(store.ping());
  t.same(await store.getPhoto(photo.id), photo);
});

t.test('SQLite reopens after simulated outage', async (t) => {
  const store = await openStore(t, tempFile(t));
  const photo = await store.insertPhoto(newPhoto());

  store.simulateOutage();

  t.same(await store.getPhoto(photo.id), photo);
});

t.test('SQLite closed store rejects calls', async (t) => {
  const store = new SqliteStore({ file: tempFile(t), logger: silentLogger });
  await store.init();
  await store.close();

  await t.rejects(store.ping(), /was closed/);
});
