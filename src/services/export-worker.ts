import type { Logger } from 'pino';
import type { CloudinaryPort } from '../cloudinary/client.js';
import { CloudinaryError } from '../cloudinary/errors.js';
import { AppError } from '../errors.js';
import { archiveTargetPublicId } from '../domain/public-id.js';
import type { ExportError, ExportRecord, Store } from '../store/types.js';
import type { ExportEvents } from './export-events.js';

export interface WorkerSettings {
  /** Identifies this instance in leases; unique per process. */
  holder: string;
  archiveFolder: string;
  /** Archive builds in flight at once in this instance. */
  concurrency: number;
  leaseMs: number;
  /** How often the store is checked for jobs queued by other instances. */
  pollMs: number;
  /** Build attempts before an export is failed for good. */
  maxAttempts: number;
  /** Delay before a failed attempt is retried; doubled per attempt. */
  retryDelayMs: number;
}

export interface WorkerDeps {
  store: Pick<Store, 'claimExport' | 'renewExportLease' | 'recordPartBuilt' | 'completeExport' | 'failExport' | 'releaseExport'>;
  cloudinary: Pick<CloudinaryPort, 'createArchive'>;
  events: ExportEvents;
  logger: Logger;
  settings: WorkerSettings;
  now: () => Date;
}

/** Tag on every stored archive, so the retention sweep can find archives by tag as well. */
export const ARCHIVE_TAG = 'plate-archive-export';

class LeaseLostError extends Error {
  constructor(id: string) {
    super(`Lease on export '${id}' was lost to another instance`);
    this.name = 'LeaseLostError';
  }
}

/**
 * Builds pending exports. Every instance runs one worker. The store's atomic claim hands each
 * export to one worker at a time, and a heartbeat keeps the lease while a build runs. An expired
 * lease (a crashed instance) makes the export claimable again. Part archives have deterministic
 * public ids, so a resumed build overwrites what a crashed one left instead of duplicating it.
 */
export class ExportWorker {
  readonly #deps: WorkerDeps;
  readonly #inFlight = new Map<string, Promise<void>>();
  #running = false;
  /** Set by stop(): builds in flight go on, but no new job is claimed. */
  #draining = false;
  #filling = false;
  /** Set when wake() is called during a fill, whose last claim may have run before the new job existed. */
  #wakeAgain = false;
  #pollTimer: NodeJS.Timeout | null = null;
  #unsubscribe: (() => void) | null = null;

  constructor(deps: WorkerDeps) {
    this.#deps = deps;
  }

  get inFlight(): number {
    return this.#inFlight.size;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#unsubscribe = this.#deps.events.onJobQueued(() => this.wake());
    this.#pollTimer = setInterval(() => this.wake(), this.#deps.settings.pollMs);
    this.#pollTimer.unref();
    this.wake();
  }

  /** Claims jobs until the store has none or the concurrency limit is reached. */
  wake(): void {
    if (!this.#running || this.#draining) return;
    if (this.#filling) {
      this.#wakeAgain = true;
      return;
    }

    this.#filling = true;
    this.#wakeAgain = false;
    this.#fill()
      .catch((error: unknown) => this.#deps.logger.error({ err: error }, 'export claim failed'))
      .finally(() => {
        this.#filling = false;
        if (this.#wakeAgain) this.wake();
      });
  }

  async #fill(): Promise<void> {
    const { store, settings } = this.#deps;
    while (this.#running && !this.#draining && this.#inFlight.size < settings.concurrency) {
      const record = await store.claimExport(settings.holder, settings.leaseMs, this.#deps.now());
      if (!record) return;
      if (this.#draining) {
        // stop() began while the claim ran: hand the job straight back instead of building it.
        await store.releaseExport(record.id, settings.holder, this.#deps.now());
        return;
      }

      const build = this.#build(record).finally(() => {
        this.#inFlight.delete(record.id);
        this.wake();
      });
      this.#inFlight.set(record.id, build);
    }
  }

  async #build(record: ExportRecord): Promise<void> {
    const { store, settings, events } = this.#deps;
    const logger = this.#deps.logger.child({ exportId: record.id, attempt: record.attempts });
    const started = Date.now();
    let leaseLost = false;

    const heartbeat = setInterval(() => {
      store
        .renewExportLease(record.id, settings.holder, settings.leaseMs, this.#deps.now())
        .then((renewed) => {
          if (!renewed) leaseLost = true;
        })
        .catch((error: unknown) => logger.warn({ err: error }, 'export lease renewal failed'));
    }, Math.max(1000, Math.floor(settings.leaseMs / 3)));

    try {
      logger.info({ parts: record.parts.length, imageCount: record.imageCount }, 'export build started');
      for (const part of record.parts) {
        if (part.archivePublicId) continue;
        if (leaseLost || !this.#running) throw new LeaseLostError(record.id);

        const archive = await this.#deps.cloudinary.createArchive({
          publicIds: part.photoPublicIds,
          targetPublicId: archiveTargetPublicId(settings.archiveFolder, record.id, part.index),
          tags: [ARCHIVE_TAG],
        });
        if (archive.missingPublicIds.length > 0) {
          logger.warn({ part: part.index, missing: archive.missingPublicIds.length }, 'photos missing from Cloudinary');
        }

        const recorded = await store.recordPartBuilt(
          record.id,
          settings.holder,
          { index: part.index, archivePublicId: archive.publicId, archiveBytes: archive.bytes, missingPublicIds: archive.missingPublicIds },
          this.#deps.now(),
        );
        if (!recorded) throw new LeaseLostError(record.id);
        events.exportChanged(record.id);
      }

      const completed = await store.completeExport(record.id, settings.holder, this.#deps.now());
      if (!completed) throw new LeaseLostError(record.id);
      logger.info({ durationMs: Date.now() - started }, 'export ready');
    } catch (error) {
      await this.#handleFailure(record, error, logger);
    } finally {
      clearInterval(heartbeat);
      events.exportChanged(record.id);
    }
  }

  async #handleFailure(record: ExportRecord, error: unknown, logger: Logger): Promise<void> {
    const { store, settings } = this.#deps;
    if (error instanceof LeaseLostError) {
      // Stopping, or another instance took over after our lease expired: leave the job to it.
      const released = await store.releaseExport(record.id, settings.holder, this.#deps.now()).catch(() => false);
      logger.warn({ released }, 'export build stopped before it finished');
      return;
    }

    const exportError = describeFailure(error);
    const retryAt =
      exportError.retryable && record.attempts < settings.maxAttempts
        ? new Date(this.#deps.now().getTime() + settings.retryDelayMs * 2 ** (record.attempts - 1))
        : null;
    try {
      await store.failExport(record.id, settings.holder, exportError, retryAt, this.#deps.now());
    } catch (storeError) {
      // The store is down too. The lease then expires and a later claim retries the build, so
      // nothing is lost; rethrowing would only leave an unhandled rejection behind.
      logger.error({ err: storeError, buildError: error, code: exportError.code }, 'export build failed and the failure could not be recorded');
      return;
    }
    logger.error({ err: error, code: exportError.code, retryAt }, retryAt ? 'export build failed; will retry' : 'export build failed');
  }

  /**
   * Stops claiming work, waits up to `graceMs` for builds in flight, then gives the unfinished
   * ones back to the queue so another instance picks them up without waiting for leases to
   * expire.
   */
  async stop(graceMs: number): Promise<void> {
    this.#draining = true;
    if (this.#pollTimer) clearInterval(this.#pollTimer);
    this.#unsubscribe?.();
    const builds = [...this.#inFlight.values()];
    await Promise.race([Promise.all(builds), delay(graceMs)]);

    this.#running = false;
    const { store, settings } = this.#deps;
    const unfinished = [...this.#inFlight.keys()];
    await Promise.all(unfinished.map((id) => store.releaseExport(id, settings.holder, this.#deps.now()).catch(() => false)));
    if (unfinished.length > 0) this.#deps.logger.warn({ released: unfinished.length }, 'export builds handed back at shutdown');

    // A Cloudinary call still in flight finishes on its own; its result is discarded because
    // the lease is gone. Waiting briefly lets most of them settle before the store closes.
    await Promise.race([Promise.all(builds), delay(1000)]);
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/** Maps a build failure to the error stored on the export and shown to clients. */
function describeFailure(error: unknown): ExportError {
  if (error instanceof CloudinaryError) return { code: error.code, message: error.message, retryable: error.retryable };
  if (error instanceof AppError) return { code: error.code, message: error.message, retryable: error.status >= 500 };
  return { code: 'PA_ERR_INTERNAL', message: 'The archive could not be built because of an internal error', retryable: true };
}
