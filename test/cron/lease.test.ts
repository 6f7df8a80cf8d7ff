import { mock } from 'node:test';
import t from 'tap';
import { runUnderLease } from '../../src/cron/lease.js';
import { MemoryLeases } from './fakes.js';
import { capturingLogger } from './helpers.js';

const flush = () => new Promise((resolve) => setImmediate(resolve));

t.test('overrunning tick keeps its lease', async (t) => {
  mock.timers.enable({ apis: ['setInterval'] });
  t.teardown(() => mock.timers.reset());
  const store = new MemoryLeases();
  let clock = new Date('2025-01-06T00:15:00Z');
  const now = () => clock;
  const first = capturingLogger();
  const second = capturingLogger();

  let finishTick: () => void = () => undefined;
  const tick = runUnderLease({ store, logger: first.logger, holder: 'instance-a', now }, { name: 'cron:test', ttlMs: 60_000 }, async () => {
    await new Promise<void>((resolve) => {
      finishTick = resolve;
    });
    return 'done';
  });
  await flush();

  // 50 seconds in, the renewal timer (every 20 s) extends the lease to 00:15:50 + 60 s.
  clock = new Date('2025-01-06T00:15:50Z');
  mock.timers.tick(20_000);
  await flush();
  t.equal(store.leases.get('cron:test')?.expiresAt.toISOString(), '2025-01-06T00:16:50.000Z');

  // Past the first expiry (00:16:00) the tick still runs, and another instance must skip.
  clock = new Date('2025-01-06T00:16:30Z');
  const rival = await runUnderLease({ store, logger: second.logger, holder: 'instance-b', now }, { name: 'cron:test', ttlMs: 60_000 }, async () => 'rival ran');
  t.same(rival, { ran: false, holder: 'instance-a', expiresAt: new Date('2025-01-06T00:16:50Z') });
  const skipped = second.lines.find((line) => line.msg === 'cron tick skipped; lease held by another instance');
  t.equal(skipped?.holder, 'instance-a');
  t.equal(skipped?.expiresAt, '2025-01-06T00:16:50.000Z');

  finishTick();
  t.same(await tick, { ran: true, result: 'done' });
  t.equal(store.leases.has('cron:test'), false, 'released when the tick ends');
});

t.test('lost lease aborts the tick', async (t) => {
  mock.timers.enable({ apis: ['setInterval'] });
  t.teardown(() => mock.timers.reset());
  const store = new MemoryLeases();
  let clock = new Date('2025-01-06T00:15:00Z');
  const now = () => clock;
  const { logger, lines } = capturingLogger();

  let tickSignal: AbortSignal | null = null;
  let finishTick: () => void = () => undefined;
  const tick = runUnderLease({ store, logger, holder: 'instance-a', now }, { name: 'cron:test', ttlMs: 60_000 }, async (signal) => {
    tickSignal = signal;
    await new Promise<void>((resolve) => {
      finishTick = resolve;
    });
  });
  await flush();

  // This process stalls past the TTL, and another instance takes the expired lease.
  clock = new Date('2025-01-06T00:17:00Z');
  t.ok(await store.acquireLease('cron:test', 'instance-b', 60_000, clock));
  mock.timers.tick(20_000);
  await flush();

  t.equal((tickSignal as AbortSignal | null)?.aborted, true);
  t.ok(lines.some((line) => line.msg === 'cron lease lost to another instance; stopping the tick'));
  finishTick();
  await tick;
  t.equal(store.leases.get('cron:test')?.holder, 'instance-b', 'the new holder keeps its lease');
});

t.test('hold keeps the lease after the tick', async (t) => {
  const store = new MemoryLeases();
  const now = () => new Date('2025-01-06T00:15:10Z');
  const { logger } = capturingLogger();
  const holdUntil = new Date('2025-01-06T00:17:00Z');

  const outcome = await runUnderLease({ store, logger, holder: 'instance-a', now }, { name: 'cron:test', ttlMs: 60_000, holdUntil }, async () => 1);
  t.same(outcome, { ran: true, result: 1 });
  t.same(store.leases.get('cron:test'), { name: 'cron:test', holder: 'instance-a', expiresAt: holdUntil });
});
