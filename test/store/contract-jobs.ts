import type { Test } from 'tap';
import type { ExportError } from '../../src/store/types.js';
import { createPendingExports, minutesAfterT0, newExport, newPart, type MakeStore } from './fixtures.js';

const LEASE_MS = 60_000;
const TIMEOUT: ExportError = { code: 'PA_ERR_CLOUDINARY_UNAVAILABLE', message: 'Cloudinary timed out', retryable: true };

export function runJobContract(t: Test, makeStore: MakeStore): void {
  t.test('claimExport takes oldest pending', async (t) => {
    const store = await makeStore(t);
    const [oldest] = await createPendingExports(store, 3);
    const now = minutesAfterT0(10);

    const claimed = await store.claimExport('worker-1', LEASE_MS, now);

    t.equal(claimed?.id, oldest);
    t.equal(claimed?.status, 'building');
    t.equal(claimed?.attempts, 1);
    t.same(claimed?.lease, { holder: 'worker-1', expiresAt: new Date(now.getTime() + LEASE_MS) });
    t.same(claimed?.updatedAt, now);
    t.same(await store.getExport(oldest ?? ''), claimed);
  });

  t.test('claimExport with nothing pending is null', async (t) => {
    const store = await makeStore(t);
    await store.findOrCreateExport(newExport({ status: 'ready', parts: [] }), minutesAfterT0(0));

    t.equal(await store.claimExport('worker-1', LEASE_MS, minutesAfterT0(1)), null);
  });

  t.test('claimExport race gives each job once', async (t) => {
    const store = await makeStore(t);
    const ids = await createPendingExports(store, 5);

    const claims = await Promise.all(
      Array.from({ length: 10 }, (_, i) => store.claimExport(`worker-${i}`, LEASE_MS, minutesAfterT0(10))),
    );

    const claimedIds = claims.flatMap((claim) => (claim ? [claim.id] : []));
    t.same([...claimedIds].sort(), [...ids].sort());
    t.equal(new Set(claimedIds).size, 5);
    t.equal(claims.filter((claim) => claim === null).length, 5);
  });

  t.test('expired lease can be claimed again', async (t) => {
    const store = await makeStore(t);
    const [id] = await createPendingExports(store, 1);
    await store.claimExport('worker-1', LEASE_MS, minutesAfterT0(10));

    const whileValid = await store.claimExport('worker-2', LEASE_MS, minutesAfterT0(10.5));
    const afterExpiry = await store.claimExport('worker-2', LEASE_MS, minutesAfterT0(11));

    t.equal(whileValid, null);
    t.equal(afterExpiry?.id, id);
    t.equal(afterExpiry?.attempts, 2);
    t.equal(afterExpiry?.lease?.holder, 'worker-2');
    t.equal(await store.renewExportLease(id ?? '', 'worker-1', LEASE_MS, minutesAfterT0(11)), false);
  });

  t.test('renewed lease cannot be claimed', async (t) => {
    const store = await makeStore(t);
    const [id = ''] = await createPendingExports(store, 1);
    await store.claimExport('worker-1', LEASE_MS, minutesAfterT0(10));

    const renewed = await store.renewExportLease(id, 'worker-1', LEASE_MS, minutesAfterT0(10.9));
    const claim = await store.claimExport('worker-2', LEASE_MS, minutesAfterT0(11));

    t.equal(renewed, true);
    t.equal(claim, null);
    t.same((await store.getExport(id))?.lease, { holder: 'worker-1', expiresAt: minutesAfterT0(11.9) });
  });

  t.test('wrong holder changes nothing', async (t) => {
    const store = await makeStore(t);
    const [id = ''] = await createPendingExports(store, 1);
    const claimed = await store.claimExport('worker-1', LEASE_MS, minutesAfterT0(10));
    const now = minutesAfterT0(10.5);
    const built = { index: 1, archivePublicId: 'exports/x/part-1', archiveBytes: 10, missingPublicIds: [] };

    t.equal(await store.renewExportLease(id, 'intruder', LEASE_MS, now), false);
    t.equal(await store.recordPartBuilt(id, 'intruder', built, now), false);
    t.equal(await store.completeExport(id, 'intruder', now), null);
    t.equal(await store.failExport(id, 'intruder', TIMEOUT, null, now), false);
    t.equal(await store.releaseExport(id, 'intruder', now), false);
    t.same(await store.getExport(id), claimed);
  });

  t.test('lease calls on a pending export fail', async (t) => {
    const store = await makeStore(t);
    const [id = ''] = await createPendingExports(store, 1);
    const now = minutesAfterT0(10);

    t.equal(await store.renewExportLease(id, 'worker-1', LEASE_MS, now), false);
    t.equal(await store.completeExport(id, 'worker-1', now), null);
    t.equal(await store.releaseExport(id, 'worker-1', now), false);
    t.equal(await store.renewExportLease('missing', 'worker-1', LEASE_MS, now), false);
  });

  t.test('recordPartBuilt fills one part', async (t) => {
    const store = await makeStore(t);
    const candidate = newExport({ parts: [newPart(1, ['vehicles/a']), newPart(2, ['vehicles/b', 'vehicles/c'])] });
    await store.findOrCreateExport(candidate, minutesAfterT0(0));
    await store.claimExport('worker-1', LEASE_MS, minutesAfterT0(1));

    const recorded = await store.recordPartBuilt(
      candidate.id,
      'worker-1',
      { index: 2, archivePublicId: 'exports/e/part-2', archiveBytes: 4321, missingPublicIds: ['vehicles/c'] },
      minutesAfterT0(2),
    );
    const unknownPart = await store.recordPartBuilt(
      candidate.id,
      'worker-1',
      { index: 9, archivePublicId: 'exports/e/part-9', archiveBytes: 1, missingPublicIds: [] },
      minutesAfterT0(2),
    );

    const record = await store.getExport(candidate.id);
    t.equal(recorded, true);
    t.equal(unknownPart, false);
    t.same(record?.parts[0], newPart(1, ['vehicles/a']));
    t.same(record?.parts[1], {
      ...newPart(2, ['vehicles/b', 'vehicles/c']),
      archivePublicId: 'exports/e/part-2',
      archiveBytes: 4321,
      missingPublicIds: ['vehicles/c'],
    });
    t.same(record?.updatedAt, minutesAfterT0(2));
  });

  t.test('completeExport marks ready', async (t) => {
    const store = await makeStore(t);
    const [id = ''] = await createPendingExports(store, 1);
    await store.claimExport('worker-1', LEASE_MS, minutesAfterT0(10));

    const completed = await store.completeExport(id, 'worker-1', minutesAfterT0(12));

    t.equal(completed?.status, 'ready');
    t.same(completed?.readyAt, minutesAfterT0(12));
    t.equal(completed?.lease, null);
    t.equal(completed?.attempts, 1);
    t.same(await store.getExport(id), completed);
    t.equal(await store.claimExport('worker-2', LEASE_MS, minutesAfterT0(20)), null);
  });

  t.test('failExport with retryAt waits', async (t) => {
    const store = await makeStore(t);
    const [id = ''] = await createPendingExports(store, 1);
    await store.claimExport('worker-1', LEASE_MS, minutesAfterT0(10));

    const failed = await store.failExport(id, 'worker-1', TIMEOUT, minutesAfterT0(15), minutesAfterT0(11));
    const record = await store.getExport(id);
    const early = await store.claimExport('worker-2', LEASE_MS, minutesAfterT0(14.9));
    const onTime = await store.claimExport('worker-2', LEASE_MS, minutesAfterT0(15));

    t.equal(failed, true);
    t.equal(record?.status, 'pending');
    t.same(record?.notBefore, minutesAfterT0(15));
    t.same(record?.error, TIMEOUT);
    t.equal(record?.lease, null);
    t.equal(early, null);
    t.equal(onTime?.id, id);
    t.equal(onTime?.attempts, 2);
  });

  t.test('failExport without retryAt fails', async (t) => {
    const store = await makeStore(t);
    const [id = ''] = await createPendingExports(store, 1);
    await store.claimExport('worker-1', LEASE_MS, minutesAfterT0(10));
    const error: ExportError = { code: 'PA_ERR_INTERNAL', message: 'archive too large', retryable: false };

    t.equal(await store.failExport(id, 'worker-1', error, null, minutesAfterT0(11)), true);
    const failed = await store.getExport(id);
    t.equal(failed?.status, 'failed');
    t.same(failed?.error, error);
    t.equal(failed?.lease, null);
    t.equal(await store.claimExport('worker-2', LEASE_MS, minutesAfterT0(60)), null);
  });

  t.test('retryExport resets a failed export', async (t) => {
    const store = await makeStore(t);
    const [id = ''] = await createPendingExports(store, 1);
    await store.claimExport('worker-1', LEASE_MS, minutesAfterT0(10));
    await store.failExport(id, 'worker-1', TIMEOUT, null, minutesAfterT0(11));

    const retried = await store.retryExport(id, minutesAfterT0(20));
    const again = await store.retryExport(id, minutesAfterT0(21));
    const claimed = await store.claimExport('worker-2', LEASE_MS, minutesAfterT0(22));

    t.equal(retried?.status, 'pending');
    t.equal(retried?.attempts, 0);
    t.equal(retried?.error, null);
    t.equal(retried?.notBefore, null);
    t.same(retried?.updatedAt, minutesAfterT0(20));
    t.equal(again, null);
    t.equal(claimed?.id, id);
    t.equal(claimed?.attempts, 1);
  });

  t.test('retryExport of non-failed is null', async (t) => {
    const store = await makeStore(t);
    const [id = ''] = await createPendingExports(store, 1);

    t.equal(await store.retryExport(id, minutesAfterT0(1)), null);
    t.equal(await store.retryExport('missing', minutesAfterT0(1)), null);
  });

  t.test('releaseExport returns job to queue', async (t) => {
    const store = await makeStore(t);
    const [id = ''] = await createPendingExports(store, 1);
    await store.claimExport('worker-1', LEASE_MS, minutesAfterT0(10));

    const released = await store.releaseExport(id, 'worker-1', minutesAfterT0(10.5));
    const record = await store.getExport(id);
    const reclaimed = await store.claimExport('worker-2', LEASE_MS, minutesAfterT0(10.5));

    t.equal(released, true);
    t.equal(record?.status, 'pending');
    t.equal(record?.lease, null);
    t.equal(reclaimed?.id, id);
    t.equal(reclaimed?.lease?.holder, 'worker-2');
  });
}
