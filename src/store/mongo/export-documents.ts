import { EXPORT_PURGE_DELAY_MS, type ExportDocument } from '../../models/export.js';
import type { ExportRecord, NewExport } from '../types.js';

/**
 * Returns the fields a new export gets on insert, for `$setOnInsert`. `key` and `fingerprint.hash` are
 * left out because the upsert copies them from its filter, and setting them twice would make
 * MongoDB reject the update as a path conflict.
 */
export function insertFieldsOf(candidate: NewExport, now: Date): Record<string, unknown> {
  return {
    _id: candidate.id,
    'fingerprint.count': candidate.fingerprint.count,
    'fingerprint.totalBytes': candidate.fingerprint.totalBytes,
    status: candidate.status,
    range: candidate.range,
    plate: candidate.plate,
    imageCount: candidate.imageCount,
    totalBytes: candidate.totalBytes,
    parts: candidate.parts,
    attempts: 0,
    error: null,
    lease: null,
    notBefore: null,
    asOf: candidate.asOf,
    createdAt: now,
    updatedAt: now,
    // An empty range is created ready, so it is ready from the start.
    readyAt: candidate.status === 'ready' ? now : null,
    expiresAt: candidate.expiresAt,
    purgeAt: new Date(candidate.expiresAt.getTime() + EXPORT_PURGE_DELAY_MS),
  };
}

/** Copies a stored export into the port's record, dropping storage-only fields such as purgeAt. */
export function exportFromDocument(document: ExportDocument): ExportRecord {
  return {
    id: document._id,
    key: document.key,
    fingerprint: {
      count: document.fingerprint.count,
      totalBytes: document.fingerprint.totalBytes,
      hash: document.fingerprint.hash,
    },
    status: document.status,
    range: {
      from: document.range.from,
      to: document.range.to,
      timezone: document.range.timezone,
      fromUtc: document.range.fromUtc,
      toUtc: document.range.toUtc,
    },
    plate: document.plate ?? null,
    imageCount: document.imageCount,
    totalBytes: document.totalBytes,
    parts: document.parts.map((part) => ({
      index: part.index,
      photoPublicIds: [...part.photoPublicIds],
      fileCount: part.fileCount,
      bytes: part.bytes,
      archivePublicId: part.archivePublicId ?? null,
      archiveBytes: part.archiveBytes ?? null,
      missingPublicIds: [...(part.missingPublicIds ?? [])],
    })),
    attempts: document.attempts,
    error: document.error
      ? { code: document.error.code, message: document.error.message, retryable: document.error.retryable }
      : null,
    lease: document.lease ? { holder: document.lease.holder, expiresAt: document.lease.expiresAt } : null,
    notBefore: document.notBefore ?? null,
    asOf: document.asOf,
    createdAt: document.createdAt,
    updatedAt: document.updatedAt,
    readyAt: document.readyAt ?? null,
    expiresAt: document.expiresAt,
  };
}
