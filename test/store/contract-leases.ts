import type { Test } from 'tap';
import { minutesAfterT0, type MakeStore } from './fixtures.js';

const TTL_MS = 5 * 60_000;

export function runLeaseContract(t: Test, makeStore: MakeStore): void {
  t.test('acquireLease takes a free lease', async (t) => {
    const store = await makeStore(t);

    const lease = await store.acquireLease('prebuild', 'instance-a', TTL_MS, minutesAfterT0(0));

    t.same(lease, { name: 'prebuild', holder: 'instance-a', expiresAt: minutesAfterT0(5) });
    t.same(await store.getLease('prebuild'), lease);
  });

  t.test('acquireLease rejects second holder', async (t) => {
    const store = await makeStore(t);
    await store.acquireLease('prebuild', 'instance-a', TTL_MS, minutesAfterT0(0));

    const rejected = await store.acquireLease('prebuild', 'instance-b', TTL_MS, minutesAfterT0(4.9));

    t.equal(rejected, null);
    t.equal((await store.getLease('prebuild'))?.holder, 'instance-a');
  });

  t.test('acquireLease renews for same holder', async (t) => {
    const store = await makeStore(t);
    await store.acquireLease('prebuild', 'instance-a', TTL_MS, minutesAfterT0(0));

    const renewed = await store.acquireLease('prebuild', 'instance-a', TTL_MS, minutesAfterT0(3));

    t.same(renewed, { name: 'prebuild', holder: 'instance-a', expiresAt: minutesAfterT0(8) });
  });

  t.test('acquireLease takes over after expiry', async (t) => {
    const store = await makeStore(t);
    await store.acquireLease('prebuild', 'instance-a', TTL_MS, minutesAfterT0(0));

    const takeover = await store.acquireLease('prebuild', 'instance-b', TTL_MS, minutesAfterT0(5));

    t.same(takeover, { name: 'prebuild', holder: 'instance-b', expiresAt: minutesAfterT0(10) });
    t.equal(await store.releaseLease('prebuild', 'instance-a'), false);
  });

  t.test('leases with different names are independent', async (t) => {
    const store = await makeStore(t);
    await store.acquireLease('prebuild', 'instance-a', TTL_MS, minutesAfterT0(0));

    const retention = await store.acquireLease('retention', 'instance-b', TTL_MS, minutesAfterT0(1));

    t.equal(retention?.holder, 'instance-b');
    t.equal((await store.getLease('prebuild'))?.holder, 'instance-a');
  });

  t.test('releaseLease by holder frees it', async (t) => {
    const store = await makeStore(t);
    await store.acquireLease('prebuild', 'instance-a', TTL_MS, minutesAfterT0(0));

    const wrongHolder = await store.releaseLease('prebuild', 'instance-b');
    const stillHeld = await store.getLease('prebuild');
    const released = await store.releaseLease('prebuild', 'instance-a');
    const reacquired = await store.acquireLease('prebuild', 'instance-b', TTL_MS, minutesAfterT0(1));

    t.equal(wrongHolder, false);
    t.equal(stillHeld?.holder, 'instance-a');
    t.equal(released, true);
    t.equal(reacquired?.holder, 'instance-b');
  });

  t.test('getLease of unknown name is null', async (t) => {
    const store = await makeStore(t);
    t.equal(await store.getLease('missing'), null);
  });

  t.test('acquireLease race has one winner', async (t) => {
    const store = await makeStore(t);

    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => store.acquireLease('prebuild', `instance-${i}`, TTL_MS, minutesAfterT0(0))),
    );

    const winners = results.filter((lease) => lease !== null);
    t.equal(winners.length, 1);
    t.equal(results.filter((lease) => lease === null).length, 9);
    t.same(await store.getLease('prebuild'), winners[0]);
  });
}
