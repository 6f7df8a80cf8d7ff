import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import { fingerprintOf } from '../../domain/fingerprint.js';
import { DuplicateKeyError } from '../../errors.js';
import type { Fingerprint, NewPhoto, Photo, PhotoCursor, PhotoPage, PhotoRange, PhotoStore, PhotoSummary } from '../types.js';
import type { SqliteConnection } from './connection.js';

interface PhotoRow {
  id: string;
  public_id: string;
  plate: string;
  raw_plate: string;
  captured_at: number;
  bytes: number;
  format: string;
  width: number;
  height: number;
  version: number;
  created_at: number;
}

type SummaryRow = Pick<PhotoRow, 'public_id' | 'captured_at' | 'bytes' | 'format'>;

const PHOTO_COLUMNS = 'id, public_id, plate, raw_plate, captured_at, bytes, format, width, height, version, created_at';

/**
 * Range queries, with and without a plate. Each has its own text so that SQLite picks the
 * plate index for the second one. `(captured_at, id) > (@afterAt, @afterId)` is the keyset
 * condition and can be served by the same index.
 */
export const PHOTO_QUERIES = {
  page: `SELECT ${PHOTO_COLUMNS} FROM photos
    WHERE captured_at >= @fromMs AND captured_at < @toMs AND (captured_at, id) > (@afterAt, @afterId)
    ORDER BY captured_at, id LIMIT @limit`,
  pageForPlate: `SELECT ${PHOTO_COLUMNS} FROM photos
    WHERE plate = @plate AND captured_at >= @fromMs AND captured_at < @toMs AND (captured_at, id) > (@afterAt, @afterId)
    ORDER BY captured_at, id LIMIT @limit`,
  summary: `SELECT public_id, captured_at, bytes, format FROM photos
    WHERE captured_at >= @fromMs AND captured_at < @toMs ORDER BY captured_at, id`,
  summaryForPlate: `SELECT public_id, captured_at, bytes, format FROM photos
    WHERE plate = @plate AND captured_at >= @fromMs AND captured_at < @toMs ORDER BY captured_at, id`,
} as const;

const INSERT_PHOTO = `INSERT INTO photos (${PHOTO_COLUMNS})
  VALUES (@id, @public_id, @plate, @raw_plate, @captured_at, @bytes, @format, @width, @height, @version, @created_at)`;

export class SqlitePhotoStore implements PhotoStore {
  constructor(private readonly connection: SqliteConnection) {}

  async insertPhoto(photo: NewPhoto): Promise<Photo> {
    const row: PhotoRow = {
      id: photo.id ?? randomUUID(),
      public_id: photo.publicId,
      plate: photo.plate,
      raw_plate: photo.rawPlate,
      captured_at: photo.capturedAt.getTime(),
      bytes: photo.bytes,
      format: photo.format,
      width: photo.width,
      height: photo.height,
      version: photo.version,
      created_at: (photo.createdAt ?? new Date()).getTime(),
    };

    try {
      this.connection.use((handle) => handle.statement(INSERT_PHOTO).run(row));
    } catch (error) {
      // Only unique-key violations are duplicates; NOT NULL or CHECK failures are bugs to surface.
      const duplicate = error instanceof Database.SqliteError && (error.code === 'SQLITE_CONSTRAINT_UNIQUE' || error.code === 'SQLITE_CONSTRAINT_PRIMARYKEY');
      if (duplicate) {
        const what = error.message.includes('photos.public_id') ? `Photo with public id '${photo.publicId}'` : `Photo with id '${row.id}'`;
        throw new DuplicateKeyError(what, error);
      }
      throw error;
    }
    return photoFromRow(row);
  }

  async getPhoto(id: string): Promise<Photo | null> {
    const row = this.connection.use((handle) => handle.statement(`SELECT ${PHOTO_COLUMNS} FROM photos WHERE id = ?`).get(id));
    return row ? photoFromRow(row as PhotoRow) : null;
  }

  async listPhotos(range: PhotoRange, options: { limit: number; after?: PhotoCursor | null }): Promise<PhotoPage> {
    const fromMs = range.fromUtc.getTime();
    // Without a cursor, a position just before the range start lets every photo of the range through.
    const after = options.after ?? { capturedAt: new Date(fromMs - 1), id: '' };
    const params = {
      ...rangeParams(range),
      afterAt: after.capturedAt.getTime(),
      afterId: after.id,
      // One extra row shows whether another page follows.
      limit: options.limit + 1,
    };

    const sql = range.plate ? PHOTO_QUERIES.pageForPlate : PHOTO_QUERIES.page;
    const rows = this.connection.use((handle) => handle.statement(sql).all(params)) as PhotoRow[];

    const photos = rows.slice(0, options.limit).map(photoFromRow);
    const last = photos.at(-1);
    const next = rows.length > options.limit && last ? { capturedAt: last.capturedAt, id: last.id } : null;
    return { photos, next };
  }

  async summarisePhotos(range: PhotoRange): Promise<PhotoSummary[]> {
    const rows = this.readSummaries(range);
    return rows.map((row) => ({
      publicId: row.public_id,
      capturedAt: new Date(row.captured_at),
      bytes: row.bytes,
      format: row.format,
    }));
  }

  async fingerprintRange(range: PhotoRange): Promise<Fingerprint> {
    const rows = this.readSummaries(range);
    return fingerprintOf(rows.map((row) => ({ publicId: row.public_id, bytes: row.bytes })));
  }

  async deletePhoto(id: string): Promise<boolean> {
    const result = this.connection.use((handle) => handle.statement('DELETE FROM photos WHERE id = ?').run(id));
    return result.changes > 0;
  }

  async photoRevision(): Promise<number> {
    const row = this.connection.use((handle) => handle.statement(`SELECT value FROM counters WHERE name = 'photo_revision'`).get()) as
      | { value: number }
      | undefined;
    return row?.value ?? 0;
  }

  private readSummaries(range: PhotoRange): SummaryRow[] {
    const sql = range.plate ? PHOTO_QUERIES.summaryForPlate : PHOTO_QUERIES.summary;
    return this.connection.use((handle) => handle.statement(sql).all(rangeParams(range))) as SummaryRow[];
  }
}

/** Named parameters of a range query; `plate` is bound only when the query text uses it. */
function rangeParams(range: PhotoRange): { fromMs: number; toMs: number; plate?: string } {
  const params = { fromMs: range.fromUtc.getTime(), toMs: range.toUtc.getTime() };
  return range.plate ? { ...params, plate: range.plate } : params;
}

function photoFromRow(row: PhotoRow): Photo {
  return {
    id: row.id,
    publicId: row.public_id,
    plate: row.plate,
    rawPlate: row.raw_plate,
    capturedAt: new Date(row.captured_at),
    bytes: row.bytes,
    format: row.format,
    width: row.width,
    height: row.height,
    version: row.version,
    createdAt: new Date(row.created_at),
  };
}
