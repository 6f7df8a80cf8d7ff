import pino from 'pino';
import t from 'tap';
import { ExportEvents } from '../../src/services/export-events.js';
import { ExportWorker, type WorkerDeps } from '../../src/services/export-worker.js';
import type { ExportRecord } from '../../src/store/types.js';

t.test('job queued during a claim is not missed', async (t) => {
  const events = new ExportEvents();
  const job = { id: 'ex_queued', attempts: 1, parts: [], imageCount: 0 } as unknown as ExportRecord;
  const completed: string[] = [];
  let claims = 0;

  const store: WorkerDeps['store'] = {
    async claimExport() {
      claims += 1;
      if (claims === 1) {
        // Another request queues a job after this claim found the queue empty.
        events.jobQueued();
        return null;
      }
      return claims === 2 ? job : null;
    },
    renewExportLease: async () => true,
    recordPartBuilt: async () => true,
    async completeExport(id) {
      completed.push(id);
      return job;
    },
    failExport: async () => true,
    releaseExport: async () => true,
  };
  const worker = new ExportWorker({
    store,
    cloudinary: { createArchive: () => Promise.reject(new Error('no part to build')) },
    events,
    logger: pino({ level: 'silent' }),
    // A poll far beyond the test's wait, so only the queued-job event can start the claim.
    settings: { holder: 'worker-1', archiveFolder: 'exports', concurrency: 2, leaseMs: 60_000, pollMs: 600_000, maxAttempts: 3, retryDelayMs: 1000 },
    now: () => new Date(),
  });
  t.teardown(() => worker.stop(100));

  worker.start();
  for (let waited = 0; completed.length === 0 && waited < 2000; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));

  t.strictSame(completed, ['ex_queued']);
});
