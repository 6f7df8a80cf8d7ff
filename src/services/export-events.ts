import { EventEmitter, on } from 'node:events';

/**
 * In-process signals between the export service and the worker: "a job is waiting" and "this
 * export changed". Other instances sharing the store do not receive these. They find work by
 * polling, and `?wait` readers poll the store as well, so the signals only shorten delays.
 */
export class ExportEvents {
  readonly #emitter = new EventEmitter();

  constructor() {
    // One listener per waiting request; a burst of long polls is expected, not a leak.
    this.#emitter.setMaxListeners(0);
  }

  jobQueued(): void {
    this.#emitter.emit('job-queued');
  }

  onJobQueued(listener: () => void): () => void {
    this.#emitter.on('job-queued', listener);
    return () => this.#emitter.off('job-queued', listener);
  }

  exportChanged(id: string): void {
    this.#emitter.emit(`changed:${id}`);
  }

  /** Resolves when the export changes or `ms` pass, whichever comes first. */
  async waitForChange(id: string, ms: number, signal?: AbortSignal): Promise<void> {
    const timeout = AbortSignal.timeout(ms);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    try {
      for await (const _ of on(this.#emitter, `changed:${id}`, { signal: combined })) return;
    } catch (error) {
      if ((error as Error).name !== 'AbortError') throw error;
    }
  }
}
