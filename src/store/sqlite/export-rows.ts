import type { ExportError, ExportPart, ExportRange, ExportRecord, ExportStatus, Fingerprint, NewExport } from '../types.js';

/** One row of the `exports` table as better-sqlite3 returns it. */
export interface ExportRow {
  id: string;
  key: string;
  fingerprint_hash: string;
  fingerprint: string;
  status: ExportStatus;
  range: string;
  plate: string | null;
  image_count: number;
  total_bytes: number;
  parts: string;
  attempts: number;
  error: string | null;
  lease_holder: string | null;
  lease_expires_at: number | null;
  not_before: number | null;
  as_of: number;
  created_at: number;
  updated_at: number;
  ready_at: number | null;
  expires_at: number;
}

export const EXPORT_COLUMNS =
  'id, key, fingerprint_hash, fingerprint, status, range, plate, image_count, total_bytes, parts, attempts, error, ' +
  'lease_holder, lease_expires_at, not_before, as_of, created_at, updated_at, ready_at, expires_at';

/** The stored form of ExportRange: the UTC instants become milliseconds inside the JSON. */
interface StoredRange {
  from: string;
  to: string;
  timezone: string;
  fromUtcMs: number;
  toUtcMs: number;
}

/** Builds the row of a newly created export: no attempts, no lease, no error. */
export function rowFromNewExport(candidate: NewExport, now: Date): ExportRow {
  const range: StoredRange = {
    from: candidate.range.from,
    to: candidate.range.to,
    timezone: candidate.range.timezone,
    fromUtcMs: candidate.range.fromUtc.getTime(),
    toUtcMs: candidate.range.toUtc.getTime(),
  };

  return {
    id: candidate.id,
    key: candidate.key,
    fingerprint_hash: candidate.fingerprint.hash,
    fingerprint: JSON.stringify(candidate.fingerprint),
    status: candidate.status,
    range: JSON.stringify(range),
    plate: candidate.plate,
    image_count: candidate.imageCount,
    total_bytes: candidate.totalBytes,
    parts: JSON.stringify(candidate.parts),
    attempts: 0,
    error: null,
    lease_holder: null,
    lease_expires_at: null,
    not_before: null,
    as_of: candidate.asOf.getTime(),
    created_at: now.getTime(),
    updated_at: now.getTime(),
    // An empty range is created ready, so it is ready from the start.
    ready_at: candidate.status === 'ready' ? now.getTime() : null,
    expires_at: candidate.expiresAt.getTime(),
  };
}

export function exportFromRow(row: ExportRow): ExportRecord {
  const storedRange = JSON.parse(row.range) as StoredRange;
  const range: ExportRange = {
    from: storedRange.from,
    to: storedRange.to,
    timezone: storedRange.timezone,
    fromUtc: new Date(storedRange.fromUtcMs),
    toUtc: new Date(storedRange.toUtcMs),
  };

  return {
    id: row.id,
    key: row.key,
    fingerprint: JSON.parse(row.fingerprint) as Fingerprint,
    status: row.status,
    range,
    plate: row.plate,
    imageCount: row.image_count,
    totalBytes: row.total_bytes,
    parts: JSON.parse(row.parts) as ExportPart[],
    attempts: row.attempts,
    error: row.error === null ? null : (JSON.parse(row.error) as ExportError),
    lease:
      row.lease_holder === null || row.lease_expires_at === null
        ? null
        : { holder: row.lease_holder, expiresAt: new Date(row.lease_expires_at) },
    notBefore: dateOrNull(row.not_before),
    asOf: new Date(row.as_of),
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
    readyAt: dateOrNull(row.ready_at),
    expiresAt: new Date(row.expires_at),
  };
}

function dateOrNull(ms: number | null): Date | null {
  return ms === null ? null : new Date(ms);
}
