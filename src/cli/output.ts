import type { ExportRecord } from '../store/types.js';
import type { PrebuildResult } from '../cron/prebuild.js';
import type { SweepReport } from '../cron/retention.js';

/** Line sink for a command's report and errors; main.ts passes the process streams. */
export interface CliOutput {
  out(line: string): void;
  err(line: string): void;
}

/** Describes a settled export: id, status, photo count and its parts, never a signed URL. */
export function describeExport(day: string, record: ExportRecord): string[] {
  if (record.status === 'failed') {
    const error = record.error ? `${record.error.code}: ${record.error.message}` : 'no error recorded';
    return [`${day}: export ${record.id} failed (${error})`];
  }

  const lines = [`${day}: export ${record.id} ${record.status}, ${plural(record.imageCount, 'photo')} in ${plural(record.parts.length, 'part')}`];
  for (const part of record.parts) {
    lines.push(`  part ${part.index}: ${plural(part.fileCount, 'file')}, ${part.bytes} bytes of photos, archive ${part.archivePublicId ?? '(not built)'}`);
  }
  return lines;
}

export function describePrebuildFailures(result: PrebuildResult): string[] {
  return result.failures.map((failure) => `${failure.day}: request failed (${failure.message})`);
}

export function describeSweep(report: SweepReport): string[] {
  const verb = report.dryRun ? 'would delete' : 'deleted';
  const lines: string[] = [];

  for (const swept of report.exports) {
    lines.push(`${verb} export ${swept.id} (${swept.range}) with ${swept.archives.length} archives`);
    for (const archive of swept.archives) lines.push(`  ${archive}`);
  }
  for (const archive of report.orphanArchives) lines.push(`${verb} orphan archive ${archive}`);
  for (const archive of report.missingArchives) lines.push(`archive ${archive} was already gone from Cloudinary`);
  for (const kept of report.kept) lines.push(`kept export ${kept.id}: ${kept.reason}`);
  for (const error of report.errors) lines.push(`error: ${error}`);

  const archives = report.dryRun ? report.deletedArchives.length + report.orphanArchives.length : report.deletedArchives.length;
  lines.push(`${report.dryRun ? 'dry run: ' : ''}${verb} ${report.exports.length} expired exports and ${archives} archives`);
  return lines;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
