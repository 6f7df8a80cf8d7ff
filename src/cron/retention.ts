import type { Logger } from 'pino';
import type { CloudinaryPort } from '../cloudinary/client.js';
import type { ExportRecord, Store } from '../store/types.js';
import { scheduledMinute, TICK_HOLD_MS } from './days.js';
import { runUnderLease, type LeaseDeps, type LeaseOutcome } from './lease.js';

export const RETENTION_LEASE = 'cron:retention';
export const RETENTION_LEASE_MS = 5 * 60_000;

/** Expired exports read from the store per page. */
const PAGE_SIZE = 50;
/** Cloudinary's delete_resources accepts at most 100 public ids per call. */
const DELETE_BATCH = 100;

export interface RetentionDeps {
  store: Pick<Store, 'listExpiredExports' | 'deleteExport' | 'getExport'>;
  cloudinary: Pick<CloudinaryPort, 'deleteArchives' | 'listArchives'>;
  logger: Logger;
  archiveFolder: string;
}

export interface SweepOptions {
  /** Lists what would be deleted and changes nothing. */
  dryRun: boolean;
  signal?: AbortSignal;
}

export interface SweptExport {
  id: string;
  range: string;
  archives: string[];
}

export interface SweepReport {
  dryRun: boolean;
  /** Expired exports whose archives and record were deleted (or would be, in a dry run). */
  exports: SweptExport[];
  /** Archives Cloudinary deleted, or would delete in a dry run. */
  deletedArchives: string[];
  /** Archives Cloudinary reported as already gone. */
  missingArchives: string[];
  /** Archives in the archive folder whose export record no longer exists. */
  orphanArchives: string[];
  /** Expired exports left for a later sweep, with the reason. */
  kept: Array<{ id: string; reason: string }>;
  errors: string[];
}

/**
 * Deletes expired exports. Their stored archives go first, by public id in batches of at most
 * 100. Then each record whose archives are all deleted or already gone is deleted, so a failed
 * delete leaves the record for the next sweep to retry. Last, orphan archives (under the archive
 * folder, with no export record) are deleted. Only raw archive assets are deleted, never a photo.
 */
export async function runRetentionSweep(deps: RetentionDeps, now: Date, options: SweepOptions): Promise<SweepReport> {
  const report: SweepReport = { dryRun: options.dryRun, exports: [], deletedArchives: [], missingArchives: [], orphanArchives: [], kept: [], errors: [] };
  const seen = new Set<string>();
  let deletedRecords = 0;

  // Deleted records leave the listing and the others stay at its front in the same order, so
  // each page requests the remaining seen records again plus one page of new ones.
  for (;;) {
    if (options.signal?.aborted) return report;
    const limit = seen.size - deletedRecords + PAGE_SIZE;
    const listed = await deps.store.listExpiredExports(now, limit);
    const page = listed.filter((record) => !seen.has(record.id));
    if (page.length === 0) break;
    for (const record of page) seen.add(record.id);

    deletedRecords += await sweepPage(deps, page, now, options, report);
    if (listed.length < limit) break;
  }

  if (!options.signal?.aborted) await sweepOrphans(deps, options, report);

  deps.logger.info(
    {
      dryRun: options.dryRun,
      exports: report.exports.length,
      deletedArchives: report.deletedArchives.length,
      missingArchives: report.missingArchives.length,
      orphanArchives: report.orphanArchives.length,
      kept: report.kept.length,
      errors: report.errors.length,
    },
    'retention sweep finished',
  );
  return report;
}

/** Sweeps one page of expired exports and returns how many records it deleted. */
async function sweepPage(deps: RetentionDeps, page: ExportRecord[], now: Date, options: SweepOptions, report: SweepReport): Promise<number> {
  const sweepable: Array<{ record: ExportRecord; archives: string[] }> = [];
  for (const record of page) {
    const reason = keepReason(record, now);
    if (reason) {
      report.kept.push({ id: record.id, reason });
      continue;
    }
    sweepable.push({ record, archives: ownedArchives(record, deps.archiveFolder) });
  }

  const archiveIds = sweepable.flatMap((entry) => entry.archives);
  if (options.dryRun) {
    report.deletedArchives.push(...archiveIds);
    for (const { record, archives } of sweepable) report.exports.push(describe(record, archives));
    return 0;
  }

  const gone = await deleteArchives(deps, archiveIds, report);

  let deleted = 0;
  for (const { record, archives } of sweepable) {
    if (!archives.every((publicId) => gone.has(publicId))) {
      report.kept.push({ id: record.id, reason: 'archive delete failed' });
      continue;
    }
    if (await deps.store.deleteExport(record.id)) deleted += 1;
    report.exports.push(describe(record, archives));
    deps.logger.info({ exportId: record.id, archives: archives.length }, 'expired export deleted');
  }
  return deleted;
}

/**
 * Deletes archives in batches and returns the ids that are now gone from Cloudinary. A failed
 * batch is recorded and skipped, so the exports it belongs to are kept for the next sweep.
 */
async function deleteArchives(deps: RetentionDeps, publicIds: string[], report: SweepReport): Promise<Set<string>> {
  const gone = new Set<string>();
  for (let start = 0; start < publicIds.length; start += DELETE_BATCH) {
    const batch = publicIds.slice(start, start + DELETE_BATCH);
    try {
      const result = await deps.cloudinary.deleteArchives(batch);
      for (const publicId of result.deleted) gone.add(publicId);
      for (const publicId of result.notFound) gone.add(publicId);
      report.deletedArchives.push(...result.deleted);
      report.missingArchives.push(...result.notFound);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      report.errors.push(`deleting ${batch.length} archives failed: ${message}`);
      deps.logger.error({ err: error, archives: batch.length }, 'archive delete failed');
    }
  }
  return gone;
}

/**
 * Deletes archives under the archive folder that belong to no export record, such as one a
 * worker finished after its export was deleted. Archives whose public id does not have the
 * `<folder>/<exportId>/part-<n>` shape are left alone.
 */
async function sweepOrphans(deps: RetentionDeps, options: SweepOptions, report: SweepReport): Promise<void> {
  const orphans: string[] = [];
  const known = new Map<string, boolean>();
  let cursor: string | null = null;

  try {
    do {
      if (options.signal?.aborted) return;
      const listing = await deps.cloudinary.listArchives(`${deps.archiveFolder}/`, cursor);
      for (const publicId of listing.publicIds) {
        const exportId = exportIdOfArchive(publicId, deps.archiveFolder);
        if (!exportId) continue;
        if (!known.has(exportId)) known.set(exportId, (await deps.store.getExport(exportId)) !== null);
        if (!known.get(exportId)) orphans.push(publicId);
      }
      cursor = listing.next;
    } while (cursor);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    report.errors.push(`listing archives failed: ${message}`);
    deps.logger.error({ err: error }, 'archive listing failed');
    return;
  }

  report.orphanArchives.push(...orphans);
  if (options.dryRun || orphans.length === 0) return;

  await deleteArchives(deps, orphans, report);
  deps.logger.info({ archives: orphans.length }, 'orphan archives deleted');
}

/** Returns why an expired export must wait for a later sweep, or null when it can go now. */
function keepReason(record: ExportRecord, now: Date): string | null {
  // A worker may be building it; deleting the record now would orphan the archive it uploads.
  if (record.status === 'pending' || record.status === 'building') return `status is ${record.status}`;
  if (record.lease && record.lease.expiresAt > now) return 'a worker holds its lease';
  return null;
}

/**
 * Lists the archives this export built itself. An archive under another export's folder belongs to
 * that export and is deleted when that one expires.
 */
function ownedArchives(record: ExportRecord, archiveFolder: string): string[] {
  const prefix = `${archiveFolder}/${record.id}/`;
  return record.parts.flatMap((part) => (part.archivePublicId && part.archivePublicId.startsWith(prefix) ? [part.archivePublicId] : []));
}

function exportIdOfArchive(publicId: string, archiveFolder: string): string | null {
  if (!publicId.startsWith(`${archiveFolder}/`)) return null;
  const match = /^([A-Za-z0-9_-]+)\/part-\d+(\.zip)?$/.exec(publicId.slice(archiveFolder.length + 1));
  return match?.[1] ?? null;
}

function describe(record: ExportRecord, archives: string[]): SweptExport {
  const plate = record.plate ? ` plate ${record.plate}` : '';
  return { id: record.id, range: `${record.range.from}..${record.range.to} ${record.range.timezone}${plate}`, archives };
}

/**
 * Runs one scheduled retention sweep under the retention lease, so one instance among many
 * sweeps each tick.
 */
export function runRetentionTick(
  deps: RetentionDeps & LeaseDeps,
  tickTime: Date,
  signal?: AbortSignal,
): Promise<LeaseOutcome<SweepReport>> {
  const holdUntil = new Date(scheduledMinute(tickTime).getTime() + TICK_HOLD_MS);
  return runUnderLease(deps, { name: RETENTION_LEASE, ttlMs: RETENTION_LEASE_MS, holdUntil, ...(signal ? { signal } : {}) }, (leaseSignal) =>
    runRetentionSweep(deps, deps.now(), { dryRun: false, signal: leaseSignal }),
  );
}
