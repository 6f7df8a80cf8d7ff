import type { Test } from 'tap';
import { minutesAfterT0, newExport, T0, type MakeStore } from './fixtures.js';

export function runExportContract(t: Test, makeStore: MakeStore): void {
  t.test('findOrCreateExport creates a pending record', async (t) => {
    const store = await makeStore(t);
    const candidate = newExport({ plate: 'AB123CD' });

    const { record, created } = await store.findOrCreateExport(candidate, minutesAfterT0(1));

    t.equal(created, true);
    t.same(record, {
      id: candidate.id,
      key: candidate.key,
      fingerprint: candidate.fingerprint,
      status: 'pending',
      range: candidate.range,
      plate: 'AB123CD',
      imageCount: 2,
      totalBytes: 2000,
      parts: candidate.parts,
      attempts: 0,
      error: null,
      lease: null,
      notBefore: null,
      asOf: T0,
      createdAt: minutesAfterT0(1),
      updatedAt: minutesAfterT0(1),
      readyAt: null,
      expiresAt: candidate.expiresAt,
    });
    t.same(await store.getExport(candidate.id), record);
  });

  t.test('findOrCreateExport of empty range is ready', async (t) => {
    const store = await makeStore(t);
    const candidate = newExport({ status: 'ready', imageCount: 0, totalBytes: 0, parts: [] });

    const { record } = await store.findOrCreateExport(candidate, minutesAfterT0(1));

    t.equal(record.status, 'ready');
    t.same(record.readyAt, minutesAfterT0(1));
    t.same(record.parts, []);
  });

  t.test('findOrCreateExport returns the existing record', async (t) => {
    const store = await makeStore(t);
    const first = await store.findOrCreateExport(newExport(), minutesAfterT0(1));

    const second = await store.findOrCreateExport(newExport(), minutesAfterT0(2));

    t.equal(second.created, false);
    t.equal(second.record.id, first.record.id);
    t.same(second.record.createdAt, minutesAfterT0(1));
  });

  t.test('findOrCreateExport keeps fingerprints apart', async (t) => {
    const store = await makeStore(t);
    const a = await store.findOrCreateExport(newExport(), minutesAfterT0(1));

    const b = await store.findOrCreateExport(newExport({ fingerprint: { count: 3, totalBytes: 3000, hash: 'hash-b' } }), minutesAfterT0(2));

    t.equal(b.created, true);
    t.not(b.record.id, a.record.id);
    t.equal((await store.findExport('key-2025-03-01', 'hash-a'))?.id, a.record.id);
    t.equal((await store.findExport('key-2025-03-01', 'hash-b'))?.id, b.record.id);
    t.equal(await store.findExport('key-2025-03-01', 'hash-c'), null);
  });

  t.test('findOrCreateExport race creates one record', async (t) => {
    const store = await makeStore(t);
    const candidates = Array.from({ length: 20 }, () => newExport());

    const results = await Promise.all(candidates.map((candidate) => store.findOrCreateExport(candidate, minutesAfterT0(1))));

    const ids = new Set(results.map((result) => result.record.id));
    t.equal(ids.size, 1);
    t.equal(results.filter((result) => result.created).length, 1);
    const winner = results.find((result) => result.created);
    t.same([...ids], [winner?.record.id]);
    t.ok(candidates.some((candidate) => candidate.id === winner?.record.id));
  });

  t.test('getExport of unknown id is null', async (t) => {
    const store = await makeStore(t);
    t.equal(await store.getExport('missing'), null);
  });

  t.test('findLatestExport skips failed', async (t) => {
    const store = await makeStore(t);
    const older = await store.findOrCreateExport(newExport({ fingerprint: { count: 1, totalBytes: 1, hash: 'h-old' } }), minutesAfterT0(1));
    const newer = await store.findOrCreateExport(newExport({ fingerprint: { count: 2, totalBytes: 2, hash: 'h-new' } }), minutesAfterT0(2));
    await store.findOrCreateExport(newExport({ key: 'other-key' }), minutesAfterT0(3));

    t.equal((await store.findLatestExport('key-2025-03-01'))?.id, newer.record.id);

    // Claims go oldest first, so the second claim takes the newer export, which then fails for good.
    const claimedOld = await store.claimExport('worker-1', 60_000, minutesAfterT0(4));
    const claimedNew = await store.claimExport('worker-1', 60_000, minutesAfterT0(4));
    t.equal(claimedOld?.id, older.record.id);
    t.equal(claimedNew?.id, newer.record.id);
    await store.failExport(newer.record.id, 'worker-1', { code: 'X', message: 'x', retryable: false }, null, minutesAfterT0(5));

    t.equal((await store.findLatestExport('key-2025-03-01'))?.id, older.record.id);
    t.equal(await store.findLatestExport('unknown-key'), null);
  });

  t.test('findReadyExportsByKeys returns ready only', async (t) => {
    const store = await makeStore(t);
    const readyDay1 = await store.findOrCreateExport(newExport({ key: 'day-1', status: 'ready', parts: [] }), minutesAfterT0(1));
    const readyDay2 = await store.findOrCreateExport(newExport({ key: 'day-2', status: 'ready', parts: [] }), minutesAfterT0(2));
    await store.findOrCreateExport(newExport({ key: 'day-3', status: 'ready', parts: [] }), minutesAfterT0(3));
    await store.findOrCreateExport(newExport({ key: 'day-1', fingerprint: { count: 5, totalBytes: 5, hash: 'pending' } }), minutesAfterT0(4));

    const found = await store.findReadyExportsByKeys(['day-1', 'day-2', 'day-9']);

    t.same(found.map((record) => record.id).sort(), [readyDay1.record.id, readyDay2.record.id].sort());
    t.ok(found.every((record) => record.status === 'ready'));
    t.same(await store.findReadyExportsByKeys([]), []);
  });

  t.test('listExpiredExports orders and limits', async (t) => {
    const store = await makeStore(t);
    const expiring = [30, 10, 20, 40].map((minutes, i) =>
      newExport({ key: `key-${i}`, expiresAt: minutesAfterT0(minutes) }),
    );
    for (const candidate of expiring) await store.findOrCreateExport(candidate, T0);
    const byMinutes = (minutes: number) => expiring.find((candidate) => candidate.expiresAt.getTime() === minutesAfterT0(minutes).getTime())?.id;

    const firstTwo = await store.listExpiredExports(minutesAfterT0(35), 2);
    const all = await store.listExpiredExports(minutesAfterT0(35), 10);
    // expiresAt exactly at `now` is not yet expired.
    const atBoundary = await store.listExpiredExports(minutesAfterT0(10), 10);

    t.same(firstTwo.map((record) => record.id), [byMinutes(10), byMinutes(20)]);
    t.same(all.map((record) => record.id), [byMinutes(10), byMinutes(20), byMinutes(30)]);
    t.same(atBoundary, []);
  });

  t.test('deleteExport reports whether it deleted', async (t) => {
    const store = await makeStore(t);
    const { record } = await store.findOrCreateExport(newExport(), T0);

    t.equal(await store.deleteExport(record.id), true);
    t.equal(await store.getExport(record.id), null);
    t.equal(await store.findExport(record.key, record.fingerprint.hash), null);
    t.equal(await store.deleteExport(record.id), false);
  });
}
