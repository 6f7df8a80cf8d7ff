import type { BuiltPart, ExportError, ExportPart, ExportRecord, ExportStore, NewExport } from '../types.js';
import type { SqliteConnection } from './connection.js';
import { EXPORT_COLUMNS, exportFromRow, rowFromNewExport, type ExportRow } from './export-rows.js';

export const EXPORT_QUERIES = {
  byKeyAndFingerprint: `SELECT ${EXPORT_COLUMNS} FROM exports WHERE key = ? AND fingerprint_hash = ?`,
} as const;

const INSERT_IF_ABSENT = `INSERT INTO exports (${EXPORT_COLUMNS})
  VALUES (@id, @key, @fingerprint_hash, @fingerprint, @status, @range, @plate, @image_count, @total_bytes, @parts,
          @attempts, @error, @lease_holder, @lease_expires_at, @not_before, @as_of, @created_at, @updated_at,
          @ready_at, @expires_at)
  ON CONFLICT (key, fingerprint_hash) DO NOTHING
  RETURNING ${EXPORT_COLUMNS}`;

/**
 * Picks and takes the oldest claimable export in one statement. SQLite takes the write lock
 * before the subquery reads, so two processes cannot pick the same row.
 */
const CLAIM = `UPDATE exports
  SET status = 'building', lease_holder = @holder, lease_expires_at = @leaseExpiresAt,
      attempts = attempts + 1, updated_at = @now
  WHERE id = (
    SELECT id FROM exports
    WHERE (status = 'pending' AND (not_before IS NULL OR not_before <= @now))
       OR (status = 'building' AND lease_expires_at <= @now)
    ORDER BY created_at, id
    LIMIT 1
  )
  RETURNING ${EXPORT_COLUMNS}`;

/** Matches the export that `@holder` is building. Every lease-guarded change ends its WHERE with it. */
const HELD_BY = `id = @id AND status = 'building' AND lease_holder = @holder`;

export class SqliteExportStore implements ExportStore {
  constructor(private readonly connection: SqliteConnection) {}

  async findOrCreateExport(candidate: NewExport, now: Date): Promise<{ record: ExportRecord; created: boolean }> {
    const row = rowFromNewExport(candidate, now);

    return this.connection.use((handle) =>
      handle.immediate(() => {
        const inserted = handle.statement(INSERT_IF_ABSENT).get(row) as ExportRow | undefined;
        if (inserted) return { record: exportFromRow(inserted), created: true };

        // DO NOTHING fired, so the row exists, and the IMMEDIATE transaction keeps it from being deleted meanwhile.
        const existing = handle.statement(EXPORT_QUERIES.byKeyAndFingerprint).get(row.key, row.fingerprint_hash) as ExportRow | undefined;
        if (!existing) throw new Error(`Export (key '${row.key}', fingerprint '${row.fingerprint_hash}') was neither inserted nor found`);
        return { record: exportFromRow(existing), created: false };
      }),
    );
  }

  async getExport(id: string): Promise<ExportRecord | null> {
    return this.selectOne(`SELECT ${EXPORT_COLUMNS} FROM exports WHERE id = ?`, id);
  }

  async findExport(key: string, fingerprintHash: string): Promise<ExportRecord | null> {
    return this.selectOne(EXPORT_QUERIES.byKeyAndFingerprint, key, fingerprintHash);
  }

  async findLatestExport(key: string): Promise<ExportRecord | null> {
    return this.selectOne(
      `SELECT ${EXPORT_COLUMNS} FROM exports WHERE key = ? AND status != 'failed' ORDER BY created_at DESC, id DESC LIMIT 1`,
      key,
    );
  }

  async retryExport(id: string, now: Date): Promise<ExportRecord | null> {
    return this.selectOne(
      `UPDATE exports
       SET status = 'pending', attempts = 0, error = NULL, not_before = NULL, lease_holder = NULL,
           lease_expires_at = NULL, updated_at = @now
       WHERE id = @id AND status = 'failed'
       RETURNING ${EXPORT_COLUMNS}`,
      { id, now: now.getTime() },
    );
  }

  async claimExport(holder: string, leaseMs: number, now: Date): Promise<ExportRecord | null> {
    return this.selectOne(CLAIM, { holder, leaseExpiresAt: now.getTime() + leaseMs, now: now.getTime() });
  }

  async renewExportLease(id: string, holder: string, leaseMs: number, now: Date): Promise<boolean> {
    return this.change(`UPDATE exports SET lease_expires_at = @leaseExpiresAt, updated_at = @now WHERE ${HELD_BY}`, {
      id,
      holder,
      leaseExpiresAt: now.getTime() + leaseMs,
      now: now.getTime(),
    });
  }

  async recordPartBuilt(id: string, holder: string, part: BuiltPart, now: Date): Promise<boolean> {
    // Parts are one JSON column, so the read and the write share an IMMEDIATE transaction.
    return this.connection.use((handle) =>
      handle.immediate(() => {
        const row = handle.statement(`SELECT parts FROM exports WHERE ${HELD_BY}`).get({ id, holder }) as
          | Pick<ExportRow, 'parts'>
          | undefined;
        if (!row) return false;

        const parts = JSON.parse(row.parts) as ExportPart[];
        const target = parts.find((candidate) => candidate.index === part.index);
        if (!target) return false;

        target.archivePublicId = part.archivePublicId;
        target.archiveBytes = part.archiveBytes;
        target.missingPublicIds = part.missingPublicIds;
        handle
          .statement('UPDATE exports SET parts = @parts, updated_at = @now WHERE id = @id')
          .run({ id, parts: JSON.stringify(parts), now: now.getTime() });
        return true;
      }),
    );
  }

  async completeExport(id: string, holder: string, now: Date): Promise<ExportRecord | null> {
    return this.selectOne(
      `UPDATE exports
       SET status = 'ready', ready_at = @now, updated_at = @now, lease_holder = NULL, lease_expires_at = NULL,
           not_before = NULL, error = NULL
       WHERE ${HELD_BY}
       RETURNING ${EXPORT_COLUMNS}`,
      { id, holder, now: now.getTime() },
    );
  }

  async failExport(id: string, holder: string, error: ExportError, retryAt: Date | null, now: Date): Promise<boolean> {
    return this.change(
      `UPDATE exports
       SET status = @status, error = @error, not_before = @notBefore, lease_holder = NULL, lease_expires_at = NULL,
           updated_at = @now
       WHERE ${HELD_BY}`,
      {
        id,
        holder,
        status: retryAt ? 'pending' : 'failed',
        error: JSON.stringify(error),
        notBefore: retryAt ? retryAt.getTime() : null,
        now: now.getTime(),
      },
    );
  }

  async releaseExport(id: string, holder: string, now: Date): Promise<boolean> {
    return this.change(
      `UPDATE exports
       SET status = 'pending', not_before = NULL, lease_holder = NULL, lease_expires_at = NULL, updated_at = @now
       WHERE ${HELD_BY}`,
      { id, holder, now: now.getTime() },
    );
  }

  async findReadyExportsByKeys(keys: string[]): Promise<ExportRecord[]> {
    if (keys.length === 0) return [];

    // json_each turns the key list into one bound parameter, so the statement text stays fixed.
    return this.selectMany(
      `SELECT ${EXPORT_COLUMNS} FROM exports
       WHERE status = 'ready' AND key IN (SELECT value FROM json_each(?))
       ORDER BY created_at DESC, id DESC`,
      JSON.stringify(keys),
    );
  }

  async listExpiredExports(now: Date, limit: number): Promise<ExportRecord[]> {
    return this.selectMany(
      `SELECT ${EXPORT_COLUMNS} FROM exports WHERE expires_at < ? ORDER BY expires_at, id LIMIT ?`,
      now.getTime(),
      limit,
    );
  }

  async deleteExport(id: string): Promise<boolean> {
    return this.change('DELETE FROM exports WHERE id = @id', { id });
  }

  private selectOne(sql: string, ...params: unknown[]): ExportRecord | null {
    const row = this.connection.use((handle) => handle.statement(sql).get(...params)) as ExportRow | undefined;
    return row ? exportFromRow(row) : null;
  }

  private selectMany(sql: string, ...params: unknown[]): ExportRecord[] {
    const rows = this.connection.use((handle) => handle.statement(sql).all(...params)) as ExportRow[];
    return rows.map(exportFromRow);
  }

  /** Runs one write statement and reports whether it changed a row. */
  private change(sql: string, params: Record<string, unknown>): boolean {
    return this.connection.use((handle) => handle.statement(sql).run(params)).changes > 0;
  }
}
