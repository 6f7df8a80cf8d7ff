import type { Logger } from 'pino';
import type { SqliteHandle } from './connection.js';

/**
 * Schema migrations, applied in order. Entry N moves a file from `user_version` N to N + 1.
 * Append new steps; never edit a step that has shipped.
 *
 * Times are integer milliseconds since the Unix epoch. Nested values (fingerprint, range, parts,
 * error) are JSON text, while every column a query filters or sorts on is a real column.
 */
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE photos (
    id          TEXT PRIMARY KEY,
    public_id   TEXT NOT NULL,
    plate       TEXT NOT NULL,
    raw_plate   TEXT NOT NULL,
    captured_at INTEGER NOT NULL,
    bytes       INTEGER NOT NULL,
    format      TEXT NOT NULL,
    width       INTEGER NOT NULL,
    height      INTEGER NOT NULL,
    version     INTEGER NOT NULL,
    created_at  INTEGER NOT NULL
  ) STRICT;

  CREATE UNIQUE INDEX photos_public_id ON photos (public_id);
  -- id ends both keys so that pages in (captured_at, id) order come straight from the index.
  CREATE INDEX photos_captured_at ON photos (captured_at, id);
  CREATE INDEX photos_plate_captured_at ON photos (plate, captured_at, id);

  CREATE TABLE exports (
    id               TEXT PRIMARY KEY,
    key              TEXT NOT NULL,
    fingerprint_hash TEXT NOT NULL,
    fingerprint      TEXT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('pending', 'building', 'ready', 'failed')),
    range            TEXT NOT NULL,
    plate            TEXT,
    image_count      INTEGER NOT NULL,
    total_bytes      INTEGER NOT NULL,
    parts            TEXT NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0,
    error            TEXT,
    lease_holder     TEXT,
    lease_expires_at INTEGER,
    not_before       INTEGER,
    as_of            INTEGER NOT NULL,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    ready_at         INTEGER,
    expires_at       INTEGER NOT NULL
  ) STRICT;

  CREATE UNIQUE INDEX exports_key_fingerprint ON exports (key, fingerprint_hash);
  CREATE INDEX exports_key_created_at ON exports (key, created_at);
  CREATE INDEX exports_status_created_at ON exports (status, created_at);
  CREATE INDEX exports_expires_at ON exports (expires_at);

  CREATE TABLE leases (
    name       TEXT PRIMARY KEY,
    holder     TEXT NOT NULL,
    expires_at INTEGER NOT NULL
  ) STRICT;
  `,
  `
  -- The photo revision lets exports skip re-reading a range while no photo came or went. The
  -- triggers bump it inside the statement that changes photos, so no writer can forget it.
  CREATE TABLE counters (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
  ) STRICT;
  INSERT INTO counters (name, value) VALUES ('photo_revision', 0);

  CREATE TRIGGER photos_revision_after_insert AFTER INSERT ON photos
  BEGIN UPDATE counters SET value = value + 1 WHERE name = 'photo_revision'; END;
  CREATE TRIGGER photos_revision_after_delete AFTER DELETE ON photos
  BEGIN UPDATE counters SET value = value + 1 WHERE name = 'photo_revision'; END;
  CREATE TRIGGER photos_revision_after_update AFTER UPDATE ON photos
  BEGIN UPDATE counters SET value = value + 1 WHERE name = 'photo_revision'; END;
  `,
];

/**
 * Brings the file to the latest schema version. The IMMEDIATE transaction holds the write lock
 * from the version check to the end, so two processes starting at once migrate only once.
 */
export function migrate(handle: SqliteHandle, logger: Logger): void {
  handle.immediate(() => {
    const current = handle.db.pragma('user_version', { simple: true });
    if (typeof current !== 'number') throw new Error(`PRAGMA user_version returned ${String(current)}, expected a number`);

    if (current > MIGRATIONS.length) {
      throw new Error(
        `The SQLite file has schema version ${current} but this build knows only up to ${MIGRATIONS.length}; upgrade plate-archive or use another DATA_DIR`,
      );
    }

    for (let version = current; version < MIGRATIONS.length; version++) {
      handle.db.exec(MIGRATIONS[version] ?? '');
      handle.db.pragma(`user_version = ${version + 1}`);
      logger.info({ fromVersion: version, toVersion: version + 1 }, 'SQLite schema migrated');
    }
  });
}
