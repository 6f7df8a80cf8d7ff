import path from 'node:path';
import t from 'tap';
import { SqliteStore } from '../../src/store/sqlite/store.js';
import type { ExplainableMongoQuery } from '../../src/store/mongo/store.js';
import { silentLogger } from './fixtures.js';
import { openMongoStore } from './mongo-store.js';

const QUERIES = ['photoRange', 'platePhotoRange', 'exportByKeyAndFingerprint'] as const;

/** Index names each query must use, so a plan on the wrong index fails too. */
const SQLITE_INDEXES: Record<(typeof QUERIES)[number], string> = {
  photoRange: 'photos_captured_at',
  platePhotoRange: 'photos_plate_captured_at',
  exportByKeyAndFingerprint: 'exports_key_fingerprint',
};

t.test('SQLite query plans use indexes', async (t) => {
  const store = new SqliteStore({ file: path.join(t.testdir(), 'plate-archive.db'), logger: silentLogger });
  await store.init();
  t.teardown(() => store.close());

  for (const query of QUERIES) {
    const plan = store.explainQueryPlan(query).join('\n');
    t.match(plan, new RegExp(`USING (COVERING )?INDEX ${SQLITE_INDEXES[query]}\\b`), `${query} uses ${SQLITE_INDEXES[query]}`);
    t.notMatch(plan, /\bSCAN (photos|exports)\b/, `${query} scans no table`);
    t.notMatch(plan, /TEMP B-TREE/, `${query} needs no sort step`);
  }
});

/** Collects every `stage` name of a winning plan, however deep the stages nest. */
function planStages(node: unknown, stages: string[] = []): string[] {
  if (Array.isArray(node)) {
    for (const child of node) planStages(child, stages);
  } else if (node && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === 'stage' && typeof value === 'string') stages.push(value);
      else if (key !== 'rejectedPlans') planStages(value, stages);
    }
  }
  return stages;
}

const uri = process.env.MONGODB_URI;
if (uri) {
  t.test('MongoDB query plans use indexes', async (t) => {
    const store = await openMongoStore(t, uri);

    for (const query of QUERIES satisfies readonly ExplainableMongoQuery[]) {
      const stages = planStages(await store.explainQuery(query));
      t.ok(stages.includes('IXSCAN'), `${query} uses an index scan`);
      t.notOk(stages.includes('COLLSCAN'), `${query} scans no collection`);
      t.notOk(stages.includes('SORT'), `${query} needs no sort step`);
    }
  });
} else {
  t.test('MongoDB query plans use indexes', { skip: 'MongoDB explain checks skipped: MONGODB_URI is not set' }, async () => {});
}
