import { createHash, randomBytes } from 'node:crypto';
import type { CloudinaryPort } from '../cloudinary/client.js';
import { fingerprintOf } from '../domain/fingerprint.js';
import { planParts } from '../domain/planner.js';
import { parsePlateFilter } from '../domain/plate.js';
import { dayBounds, localDay, resolveRange, type ResolvedRange } from '../domain/range.js';
import { AppError, notFound, validationError, type FieldError } from '../errors.js';
import type { ExportPart, ExportRecord, Fingerprint, NewExport, PhotoRange, PhotoSummary, Store } from '../store/types.js';
import type { ExportEvents } from './export-events.js';

export interface ExportSettings {
  timezone: string;
  photoFolder: string;
  maxExportDays: number;
  archiveMaxFiles: number;
  archiveMaxBytes: number;
  downloadUrlTtlSeconds: number;
  retentionDays: number;
  openRangeReuseSeconds: number;
}

export interface ExportRequest {
  from: string;
  to: string;
  plate?: string | undefined;
  timezone?: string | undefined;
}

export interface ExportServiceDeps {
  store: Pick<Store, 'summarisePhotos' | 'photoRevision' | 'findExport' | 'findLatestExport' | 'findOrCreateExport' | 'retryExport' | 'getExport' | 'deleteExport'>;
  cloudinary: Pick<CloudinaryPort, 'archiveDownloadUrl' | 'instantZipUrl'>;
  events: ExportEvents;
  settings: ExportSettings;
  now: () => Date;
}

/** Ranges whose fingerprints are kept in memory; each entry is about 200 bytes. */
const RANGE_CACHE_ENTRIES = 1000;
/**
 * Maximum time a cached fingerprint is trusted without re-reading the range, even with an
 * unchanged photo revision. It bounds staleness if a revision bump was lost (MongoDB writes the
 * bump separately from the photo).
 */
const RANGE_CACHE_TTL_MS = 30_000;

/** Download-mode URLs carry their selectors in the query string; Cloudinary takes 20 prefixes. */
const MAX_INSTANT_PREFIXES = 20;

/** Generates a random, URL-safe export id with 128 bits of entropy. */
export function newExportId(): string {
  return `ex_${randomBytes(16).toString('base64url')}`;
}

/** Hash of the canonical query: the resolved UTC interval and the plate. */
export function exportKey(fromUtc: Date, toUtc: Date, plate: string | null): string {
  return createHash('sha256').update(`${fromUtc.toISOString()}|${toUtc.toISOString()}|${plate ?? ''}`).digest('hex');
}

export type ExportService = ReturnType<typeof createExportService>;

export function createExportService(deps: ExportServiceDeps) {
  const { store, settings, events } = deps;
  // Fingerprints of recently requested ranges, oldest first, keyed by export key.
  const rangeCache = new Map<string, { revision: number; fingerprint: Fingerprint; readAt: number }>();

  function parseRequest(request: ExportRequest): { range: ResolvedRange; plate: string | null } {
    const errors: FieldError[] = [];
    const { plate, error: plateError } = parsePlateFilter(request.plate);
    if (plateError) errors.push(plateError);

    const resolved = resolveRange(request, { defaultTimezone: settings.timezone, maxDays: settings.maxExportDays, now: deps.now() });
    if (!resolved.ok) errors.push(...resolved.errors);
    if (errors.length > 0 || !resolved.ok) throw validationError(errors);

    return { range: resolved.range, plate };
  }

  /**
   * Returns the export for a range, creating it when the range content has no export yet. Two
   * requests see the same export exactly when they resolve to the same UTC interval and plate
   * and the range contains the same photos. A photo added or deleted since gives a new export.
   */
  async function requestExport(request: ExportRequest): Promise<ExportRecord> {
    const { range, plate } = parseRequest(request);
    const now = deps.now();
    const key = exportKey(range.fromUtc, range.toUtc, plate);

    // An open range changes with every upload, so within the reuse window the last build is kept.
    if (range.open && settings.openRangeReuseSeconds > 0) {
      const latest = await store.findLatestExport(key);
      if (latest && now.getTime() - latest.asOf.getTime() <= settings.openRangeReuseSeconds * 1000) return latest;
    }

    const query = { fromUtc: range.fromUtc, toUtc: range.toUtc, plate };
    const current = await readFingerprint(key, query, now);
    const existing = await store.findExport(key, current.fingerprint.hash);
    if (existing && !nearExpiry(existing, now)) return retryIfFailed(existing);
    if (existing) {
      // Its archives go away with the retention sweep, possibly before links signed now expire.
      // Dropping the record lets a fresh export take its place; the sweep then deletes the old
      // archives as orphans.
      await store.deleteExport(existing.id);
    }

    // A cached fingerprint comes without the photos, which planning needs.
    const photos = current.photos ?? (await store.summarisePhotos(query));
    const fingerprint = fingerprintOf(photos);
    const planned = planParts(photos, { maxFiles: settings.archiveMaxFiles, maxBytes: settings.archiveMaxBytes }, range.timezone);
    const reused = planned.length > 1 && plate === null ? await reuseDailyArchives(range, photos, now) : null;
    const candidate: NewExport = {
      id: newExportId(),
      key,
      fingerprint,
      range: { from: range.from, to: range.to, timezone: range.timezone, fromUtc: range.fromUtc, toUtc: range.toUtc },
      plate,
      imageCount: fingerprint.count,
      totalBytes: fingerprint.totalBytes,
      parts: reused?.parts ?? planned,
      status: fingerprint.count === 0 || reused ? 'ready' : 'pending',
      asOf: now,
      expiresAt: reused?.expiresAt ?? new Date(now.getTime() + settings.retentionDays * 86_400_000),
    };

    const { record, created } = await store.findOrCreateExport(candidate, now);
    if (created && record.status === 'pending') events.jobQueued();
    return created ? record : retryIfFailed(record);
  }

  /**
   * Builds a multi-day range's parts from the ready archives of its single days (the nightly
   * prebuilds) when every day has one for exactly the photos it contains now. Only used when the
   * range needs several parts anyway, so reuse never turns one download into many. The result
   * expires with the earliest of the daily archives it points to.
   */
  async function reuseDailyArchives(range: ResolvedRange, photos: PhotoSummary[], now: Date): Promise<{ parts: ExportPart[]; expiresAt: Date } | null> {
    if (range.kind !== 'date' || range.timezone !== settings.timezone || range.days.length < 2) return null;

    const photosByDay = new Map<string, PhotoSummary[]>(range.days.map((day) => [day, []]));
    for (const photo of photos) {
      const dayPhotos = photosByDay.get(localDay(photo.capturedAt, range.timezone));
      // A photo outside the listed days would be missing from every daily archive, so build afresh.
      if (!dayPhotos) return null;
      dayPhotos.push(photo);
    }

    const parts: ExportPart[] = [];
    let expiresAt: Date | null = null;
    for (const [day, dayPhotos] of photosByDay) {
      if (dayPhotos.length === 0) continue;
      const bounds = dayBounds(day, range.timezone);
      const daily = await store.findExport(exportKey(bounds.fromUtc, bounds.toUtc, null), fingerprintOf(dayPhotos).hash);
      if (!daily || daily.status !== 'ready' || nearExpiry(daily, now)) return null;

      for (const part of daily.parts) parts.push({ ...part, index: parts.length + 1 });
      if (!expiresAt || daily.expiresAt < expiresAt) expiresAt = daily.expiresAt;
    }
    return expiresAt ? { parts, expiresAt } : null;
  }

  /**
   * Returns the range's fingerprint, reading the range only when a photo came or went since the
   * last read (the store's photo revision changed) or the cached value is older than
   * RANGE_CACHE_TTL_MS. The revision is read before the range, so a change that lands between
   * the two reads leaves an entry that the next request no longer trusts.
   */
  async function readFingerprint(key: string, query: PhotoRange, now: Date): Promise<{ fingerprint: Fingerprint; photos: PhotoSummary[] | null }> {
    const revision = await store.photoRevision();
    const cached = rangeCache.get(key);
    if (cached && cached.revision === revision && now.getTime() - cached.readAt < RANGE_CACHE_TTL_MS) {
      return { fingerprint: cached.fingerprint, photos: null };
    }

    const photos = await store.summarisePhotos(query);
    const fingerprint = fingerprintOf(photos);
    rangeCache.delete(key);
    rangeCache.set(key, { revision, fingerprint, readAt: now.getTime() });
    if (rangeCache.size > RANGE_CACHE_ENTRIES) rangeCache.delete(rangeCache.keys().next().value!);
    return { fingerprint, photos };
  }

  /** True when a link signed now could outlive the export's archives. */
  function nearExpiry(record: ExportRecord, now: Date): boolean {
    return record.expiresAt.getTime() - now.getTime() < settings.downloadUrlTtlSeconds * 1000;
  }

  async function retryIfFailed(record: ExportRecord): Promise<ExportRecord> {
    if (record.status !== 'failed') return record;

    const retried = await store.retryExport(record.id, deps.now());
    if (!retried) return (await store.getExport(record.id)) ?? record;
    events.jobQueued();
    events.exportChanged(record.id);
    return retried;
  }

  async function getExport(id: string): Promise<ExportRecord> {
    const record = await store.getExport(id);
    if (!record) throw notFound('Export', id);
    return record;
  }

  /**
   * Holds until the export's status or progress changes, or `seconds` pass. A ready or failed
   * export returns at once: it will not change by itself.
   */
  async function waitForExport(id: string, seconds: number, signal?: AbortSignal): Promise<ExportRecord> {
    const first = await getExport(id);
    if (first.status === 'ready' || first.status === 'failed') return first;
    const deadline = Date.now() + seconds * 1000;
    const stateOf = (record: ExportRecord) => `${record.status}:${record.parts.filter((part) => part.archivePublicId).length}`;
    const initial = stateOf(first);

    let current = first;
    while (Date.now() < deadline && !signal?.aborted) {
      // Another instance may be the one building, so the store is read again every second.
      await events.waitForChange(id, Math.min(1000, deadline - Date.now()), signal);
      current = await getExport(id);
      if (stateOf(current) !== initial) break;
    }
    return current;
  }

  /** Signs a fresh link to part `index` (1-based) of a ready export. */
  async function partDownload(id: string, index: number): Promise<{ url: string; expiresAt: Date }> {
    const record = await getExport(id);
    if (record.status !== 'ready') {
      throw new AppError('PA_ERR_EXPORT_NOT_READY', `Export '${id}' is ${record.status}; wait until it is ready`, { retryAfterSeconds: 2 });
    }
    const part = record.parts.find((candidate) => candidate.index === index);
    if (!part || !part.archivePublicId) {
      throw new AppError('PA_ERR_NOT_FOUND', `Export '${id}' has no part ${index}; its parts are 1 to ${record.parts.length}`);
    }

    const expiresAt = new Date(deps.now().getTime() + settings.downloadUrlTtlSeconds * 1000);
    return { url: deps.cloudinary.archiveDownloadUrl(part.archivePublicId, expiresAt), expiresAt };
  }

  /**
   * Signs a download-mode URL for an export still being built, or returns null. The URL selects
   * photos by the day folders of their public ids, so the range must be whole days in the
   * service's own time zone with no plate filter, and it must fit in one part.
   */
  function instantDownload(record: ExportRecord): { url: string; expiresAt: Date } | null {
    const building = record.status === 'pending' || record.status === 'building';
    if (!building || record.parts.length !== 1 || record.plate !== null) return null;
    if (record.range.timezone !== settings.timezone) return null;

    const resolved = resolveRange(record.range, { defaultTimezone: settings.timezone, maxDays: Number.MAX_SAFE_INTEGER, now: record.createdAt, allowFutureStart: true });
    if (!resolved.ok || resolved.range.kind !== 'date' || resolved.range.days.length > MAX_INSTANT_PREFIXES) return null;

    const expiresAt = new Date(deps.now().getTime() + settings.downloadUrlTtlSeconds * 1000);
    const prefixes = resolved.range.days.map((day) => `${settings.photoFolder}/${day}/`);
    return { url: deps.cloudinary.instantZipUrl({ prefixes, expiresAt, targetPublicId: `${record.range.from}_${record.range.to}` }), expiresAt };
  }

  return { requestExport, getExport, waitForExport, partDownload, instantDownload, parseRequest };
}
