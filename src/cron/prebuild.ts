import type { Logger } from 'pino';
import type { ExportService } from '../services/exports.js';
import type { ExportStatus, LeaseStore } from '../store/types.js';
import { daysBefore, scheduledMinute, TICK_HOLD_MS } from './days.js';
import { runUnderLease, type LeaseOutcome } from './lease.js';

export const PREBUILD_LEASE = 'cron:prebuild';
const PREBUILD_LEASE_MS = 5 * 60_000;

/**
 * Days a scheduled tick covers at least: the previous day and the one before. node-cron 4.6
 * skips a night whose scheduled local time does not exist (02:30 in Europe/Paris on
 * 2025-03-30), so the next night's tick builds the skipped night's day as well.
 */
const TICK_MIN_DAYS = 2;

export interface PrebuildDeps {
  exports: Pick<ExportService, 'requestExport'>;
  store: LeaseStore;
  logger: Logger;
  holder: string;
  timezone: string;
  catchupDays: number;
  now: () => Date;
}

export interface PrebuiltDay {
  day: string;
  exportId: string;
  /** Status right after the request: `ready` needs no build, `pending` or `building` is queued. */
  status: ExportStatus;
  imageCount: number;
}

export interface PrebuildFailure {
  day: string;
  message: string;
}

export interface PrebuildResult {
  days: PrebuiltDay[];
  failures: PrebuildFailure[];
}

/**
 * Runs one scheduled prebuild tick: requests the export of the previous whole local day and of
 * every other day in the catch-up window, under the prebuild lease. Days that already have a
 * ready export for the same photos cost no build, because requestExport returns that export.
 */
export function runPrebuildTick(deps: PrebuildDeps, tickTime: Date, signal?: AbortSignal): Promise<LeaseOutcome<PrebuildResult>> {
  const minute = scheduledMinute(tickTime);
  const days = daysBefore(minute, deps.timezone, Math.max(deps.catchupDays, TICK_MIN_DAYS));
  const holdUntil = new Date(minute.getTime() + TICK_HOLD_MS);
  return runUnderLease(deps, { name: PREBUILD_LEASE, ttlMs: PREBUILD_LEASE_MS, holdUntil, ...(signal ? { signal } : {}) }, (leaseSignal) =>
    prebuildDays(deps, days, leaseSignal),
  );
}

/**
 * Requests the export of each of the last PREBUILD_CATCHUP_DAYS local days that has no ready
 * export, under the prebuild lease. Fills in the nights when no instance was running.
 */
export function runPrebuildCatchUp(deps: PrebuildDeps, signal?: AbortSignal): Promise<LeaseOutcome<PrebuildResult>> {
  const days = daysBefore(deps.now(), deps.timezone, deps.catchupDays);
  return runUnderLease(deps, { name: PREBUILD_LEASE, ttlMs: PREBUILD_LEASE_MS, ...(signal ? { signal } : {}) }, (leaseSignal) =>
    prebuildDays(deps, days, leaseSignal),
  );
}

/**
 * Requests the whole-day export of each day, all plates, through the same service call as a
 * user's request, so a later request for that day finds this export. The builds themselves run
 * in the export workers of any instance; this does not wait for them.
 */
export async function prebuildDays(deps: Pick<PrebuildDeps, 'exports' | 'logger' | 'timezone'>, days: string[], signal?: AbortSignal): Promise<PrebuildResult> {
  const result: PrebuildResult = { days: [], failures: [] };

  for (const day of days) {
    if (signal?.aborted) break;
    try {
      const record = await deps.exports.requestExport({ from: day, to: day, timezone: deps.timezone });
      result.days.push({ day, exportId: record.id, status: record.status, imageCount: record.imageCount });
      deps.logger.info({ day, exportId: record.id, status: record.status, imageCount: record.imageCount }, 'prebuild requested');
    } catch (error) {
      // One bad day must not stop the others; the next tick or catch-up tries it again.
      result.failures.push({ day, message: error instanceof Error ? error.message : String(error) });
      deps.logger.error({ err: error, day }, 'prebuild request failed');
    }
  }

  return result;
}
