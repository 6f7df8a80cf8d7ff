import type { ExportService } from '../services/exports.js';
import type { ExportRecord } from '../store/types.js';

/**
 * Shapes an export for clients. Part URLs are signed afresh on every read and only once the
 * export is ready; the stored archives' own CDN addresses are never exposed.
 */
export function presentExport(record: ExportRecord, exports: ExportService, signPart: (archivePublicId: string) => { url: string; expiresAt: Date }) {
  const ready = record.status === 'ready';
  const instant = ready ? null : exports.instantDownload(record);

  return {
    id: record.id,
    status: record.status,
    range: {
      from: record.range.from,
      to: record.range.to,
      timezone: record.range.timezone,
      fromUtc: record.range.fromUtc.toISOString(),
      toUtc: record.range.toUtc.toISOString(),
    },
    plate: record.plate,
    imageCount: record.imageCount,
    totalBytes: record.totalBytes,
    asOf: record.asOf.toISOString(),
    progress: {
      partsDone: record.parts.filter((part) => part.archivePublicId !== null).length,
      partsTotal: record.parts.length,
    },
    parts: record.parts.map((part) => {
      const link = ready && part.archivePublicId ? signPart(part.archivePublicId) : null;
      return {
        index: part.index,
        fileCount: part.fileCount,
        bytes: part.bytes,
        url: link?.url ?? null,
        expiresAt: link?.expiresAt.toISOString() ?? null,
      };
    }),
    missingPhotos: record.parts.flatMap((part) => part.missingPublicIds),
    ...(instant ? { instant: { url: instant.url, expiresAt: instant.expiresAt.toISOString() } } : {}),
    createdAt: record.createdAt.toISOString(),
    readyAt: record.readyAt?.toISOString() ?? null,
    error: record.error,
  };
}
