import { randomBytes } from 'node:crypto';
import { DateTime } from 'luxon';

const SUFFIX_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** Six random lower-case letters and digits: keeps two photos of one plate in one second apart. */
export function randomSuffix(length = 6): string {
  const bytes = randomBytes(length);
  let suffix = '';
  for (const byte of bytes) suffix += SUFFIX_ALPHABET[byte % SUFFIX_ALPHABET.length];
  return suffix;
}

/**
 * Builds a self-describing public id, `<folder>/<YYYY-MM-DD>/<PLATE>_<HHmmss>_<suffix>`, with
 * the date and time in `zone`, so an archive opened by a person sorts by day and names the
 * vehicle of each photo.
 */
export function photoPublicId(options: { folder: string; plate: string; capturedAt: Date; zone: string; suffix?: string }): string {
  const local = DateTime.fromJSDate(options.capturedAt, { zone: options.zone });
  const suffix = options.suffix ?? randomSuffix();
  return `${options.folder}/${local.toFormat('yyyy-MM-dd')}/${options.plate}_${local.toFormat('HHmmss')}_${suffix}`;
}

/** Returns the tag that marks every photo of one local day, used by day-prefix and tag selections. */
export function dayTag(day: string): string {
  return `day-${day}`;
}

/**
 * Returns the public id of one stored archive part. It is derived from the export's random id, so it
 * is as unguessable as that id, and a retried build of the same part overwrites its archive
 * instead of leaving a second one behind. Cloudinary appends `.zip`.
 */
export function archiveTargetPublicId(folder: string, exportId: string, partIndex: number): string {
  return `${folder}/${exportId}/part-${partIndex}`;
}
