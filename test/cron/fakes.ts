import pino from 'pino';
import type { ExportRequest } from '../../src/services/exports.js';
import type { ExportRecord, LeaseStore, NamedLease } from '../../src/store/types.js';

export const silentLogger = pino({ level: 'silent' });

/** An in-memory lease store with the same rules as the store adapters' acquireLease. */
export class MemoryLeases implements LeaseStore {
  readonly leases = new Map<string, NamedLease>();

  async acquireLease(name: string, holder: string, ttlMs: number, now: Date): Promise<NamedLease | null> {
    const current = this.leases.get(name);
    if (current && current.holder !== holder && current.expiresAt > now) return null;
    const lease = { name, holder, expiresAt: new Date(now.getTime() + ttlMs) };
    this.leases.set(name, lease);
    return lease;
  }

  async releaseLease(name: string, holder: string): Promise<boolean> {
    if (this.leases.get(name)?.holder !== holder) return false;
    return this.leases.delete(name);
  }

  async getLease(name: string): Promise<NamedLease | null> {
    return this.leases.get(name) ?? null;
  }
}

/**
 * Stands in for the export service's requestExport on whole days: the first request of a day
 * counts as one build and returns a pending export, later ones return the same export as ready.
 */
export class RecordingExports {
  readonly builds: string[] = [];
  /** Each request's day and the clock's time when it was made. */
  readonly requests: Array<{ day: string; at: string }> = [];

  async requestExport(request: ExportRequest): Promise<ExportRecord> {
    this.requests.push({ day: request.from, at: new Date().toISOString() });
    const built = this.builds.includes(request.from);
    if (!built) this.builds.push(request.from);
    return { id: `ex_${request.from}`, status: built ? 'ready' : 'pending', imageCount: 1 } as ExportRecord;
  }
}
