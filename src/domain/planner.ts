import { DateTime } from 'luxon';
import type { ExportPart, PhotoSummary } from '../store/types.js';

export interface PartLimits {
  maxFiles: number;
  maxBytes: number;
}

type Group = PhotoSummary[];

/**
 * Splits the photos of a range (in capture order) into archive parts that respect Cloudinary's
 * per-archive limits. Two packings are tried: whole local days per part, and plain filling in
 * capture order. Day packing wins unless it needs more parts, so a person opening part 2 finds
 * whole days whenever that costs nothing.
 */
export function planParts(photos: PhotoSummary[], limits: PartLimits, zone: string): ExportPart[] {
  if (photos.length === 0) return [];

  const byDay = packGroups(groupByDay(photos, zone), limits);
  const byFill = packGroups([photos], limits);
  const chosen = byDay.length <= byFill.length ? byDay : byFill;

  return chosen.map((group, position) => ({
    index: position + 1,
    photoPublicIds: group.map((photo) => photo.publicId),
    fileCount: group.length,
    bytes: group.reduce((sum, photo) => sum + photo.bytes, 0),
    archivePublicId: null,
    archiveBytes: null,
    missingPublicIds: [],
  }));
}

function groupByDay(photos: PhotoSummary[], zone: string): Group[] {
  const groups: Group[] = [];
  let currentDay: string | null = null;
  for (const photo of photos) {
    const day = DateTime.fromJSDate(photo.capturedAt, { zone }).toISODate();
    if (day !== currentDay) {
      groups.push([]);
      currentDay = day;
    }
    groups[groups.length - 1]!.push(photo);
  }
  return groups;
}

/**
 * Packs groups into parts: a group joins the open part when it fits whole, otherwise it starts
 * a new part, and a group too big for any part is cut photo by photo. A single photo larger
 * than `maxBytes` still gets a part of its own; Cloudinary will then refuse that part, which
 * surfaces as a failed export instead of a silently missing photo.
 */
function packGroups(groups: Group[], limits: PartLimits): Group[] {
  const parts: Group[] = [];
  let open: Group = [];
  let openBytes = 0;

  const close = () => {
    if (open.length > 0) parts.push(open);
    open = [];
    openBytes = 0;
  };

  for (const group of groups) {
    const groupBytes = group.reduce((sum, photo) => sum + photo.bytes, 0);
    if (open.length + group.length <= limits.maxFiles && openBytes + groupBytes <= limits.maxBytes) {
      open.push(...group);
      openBytes += groupBytes;
      continue;
    }

    close();
    for (const photo of group) {
      if (open.length + 1 > limits.maxFiles || (open.length > 0 && openBytes + photo.bytes > limits.maxBytes)) close();
      open.push(photo);
      openBytes += photo.bytes;
    }
  }

  close();
  return parts;
}
