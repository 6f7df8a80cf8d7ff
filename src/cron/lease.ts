import type { Logger } from 'pino';
import type { LeaseStore } from '../store/types.js';

export interface LeaseDeps {
  store: LeaseStore;
  logger: Logger;
  /** Identifies this instance in leases; unique per process. */
  holder: string;
  now: () => Date;
}

export interface LeaseOptions {
  /** Lease name shared by every instance, such as `cron:prebuild`. */
  name: string;
  ttlMs: number;
  /**
   * Keeps the lease after the work finishes until this instant instead of releasing it, so an
   * instance whose clock runs a few seconds behind skips the tick that this one just ran.
   */
  holdUntil?: Date;
  /** Aborts the work between steps, for example when the service stops. */
  signal?: AbortSignal;
}

export type LeaseOutcome<T> =
  | { ran: true; result: T }
  | { ran: false; holder: string | null; expiresAt: Date | null };

/**
 * Runs `work` only if this instance takes the named lease, so one instance among many runs each
 * tick. The lease is renewed every third of its TTL while the work runs, so a tick that takes
 * longer than the TTL keeps it and no other instance starts the same work meanwhile. If a renewal
 * finds the lease taken by another instance (this process stalled for longer than the TTL), the
 * signal given to `work` aborts and the work stops at its next step.
 */
export async function runUnderLease<T>(
  deps: LeaseDeps,
  options: LeaseOptions,
  work: (signal: AbortSignal) => Promise<T>,
): Promise<LeaseOutcome<T>> {
  const { store, holder, logger } = deps;
  const acquired = await store.acquireLease(options.name, holder, options.ttlMs, deps.now());
  if (!acquired) {
    const current = await store.getLease(options.name);
    logger.info({ lease: options.name, holder: current?.holder ?? null, expiresAt: current?.expiresAt ?? null }, 'cron tick skipped; lease held by another instance');
    return { ran: false, holder: current?.holder ?? null, expiresAt: current?.expiresAt ?? null };
  }

  const controller = new AbortController();
  const stopOnOuterAbort = () => controller.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', stopOnOuterAbort, { once: true });
  if (options.signal?.aborted) stopOnOuterAbort();

  const renewal = setInterval(() => {
    store
      .acquireLease(options.name, holder, options.ttlMs, deps.now())
      .then((renewed) => {
        if (renewed) return;
        logger.warn({ lease: options.name }, 'cron lease lost to another instance; stopping the tick');
        controller.abort(new Error(`lease '${options.name}' was lost to another instance`));
      })
      .catch((error: unknown) => logger.warn({ err: error, lease: options.name }, 'cron lease renewal failed'));
  }, Math.max(1000, Math.floor(options.ttlMs / 3)));
  renewal.unref();

  try {
    return { ran: true, result: await work(controller.signal) };
  } finally {
    clearInterval(renewal);
    options.signal?.removeEventListener('abort', stopOnOuterAbort);
    await finishLease(deps, options, controller.signal.aborted);
  }
}

/** Releases the lease, or shortens it to `holdUntil` when that is still ahead. */
async function finishLease(deps: LeaseDeps, options: LeaseOptions, aborted: boolean): Promise<void> {
  const now = deps.now();
  const holdMs = options.holdUntil ? options.holdUntil.getTime() - now.getTime() : 0;
  try {
    if (holdMs > 0 && !aborted) {
      await deps.store.acquireLease(options.name, deps.holder, holdMs, now);
    } else {
      await deps.store.releaseLease(options.name, deps.holder);
    }
  } catch (error) {
    // The lease expires on its own after its TTL, so a failed release only delays the next run.
    deps.logger.warn({ err: error, lease: options.name }, 'cron lease release failed');
  }
}
