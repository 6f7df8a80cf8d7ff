import Database from 'better-sqlite3';
import type { Logger } from 'pino';
import { StoreUnavailableError } from '../../errors.js';
import { migrate } from './schema.js';

/** One open database handle with a cache of its prepared statements. */
export interface SqliteHandle {
  /** Returns the prepared statement for `sql`, preparing it on first use. */
  statement(sql: string): Database.Statement;
  /** Runs `work` in a `BEGIN IMMEDIATE` transaction, which takes the write lock before it reads. */
  immediate<T>(work: () => T): T;
  readonly db: Database.Database;
}

export interface SqliteConnectionOptions {
  file: string;
  logger: Logger;
  /** How long a statement waits for another process's write lock before it fails. */
  busyTimeoutMs?: number;
}

const DEFAULT_BUSY_TIMEOUT_MS = 5000;

/**
 * SQLite error codes that mean the file cannot be used right now (missing, locked past the busy
 * timeout, read-only, disk full or failing) rather than a bug in a statement. Extended codes such
 * as SQLITE_IOERR_WRITE share these prefixes.
 */
const UNAVAILABLE_CODE_PREFIXES = ['SQLITE_CANTOPEN', 'SQLITE_BUSY', 'SQLITE_LOCKED', 'SQLITE_IOERR', 'SQLITE_READONLY', 'SQLITE_FULL'];

/**
 * Owns the better-sqlite3 handle of one database file. `open()` creates the file and its schema.
 * After that, every call goes through `use()`, which reopens a closed handle (the file must still
 * exist) and turns unusable-file errors into StoreUnavailableError. The service therefore returns
 * 503 while the file is gone and recovers without a restart once it is back.
 */
export class SqliteConnection {
  private handle: (SqliteHandle & { statements: Map<string, Database.Statement> }) | null = null;
  private unavailableSince: Date | null = null;
  private closed = false;
  private readonly busyTimeoutMs: number;

  constructor(private readonly options: SqliteConnectionOptions) {
    this.busyTimeoutMs = options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
  }

  /** Opens or creates the file and brings its schema to the current version. */
  open(): void {
    this.use((handle) => migrate(handle, this.options.logger), { fileMustExist: false });
  }

  /** Runs `work` on an open handle, reopening the file first when the handle was closed. */
  use<T>(work: (handle: SqliteHandle) => T, openOptions: { fileMustExist: boolean } = { fileMustExist: true }): T {
    if (this.closed) throw new Error(`The SQLite store for ${this.options.file} was closed`);

    let handle: SqliteHandle;
    try {
      handle = this.currentHandle(openOptions.fileMustExist);
    } catch (error) {
      // Any failure to open counts: better-sqlite3 raises a TypeError, not an SqliteError, when the folder is missing.
      this.markUnavailable(error);
      throw new StoreUnavailableError(error);
    }

    try {
      const result = work(handle);
      this.markAvailable();
      return result;
    } catch (error) {
      if (!isUnavailableError(error)) throw error;
      this.markUnavailable(error);
      throw new StoreUnavailableError(error);
    }
  }

  /**
   * Closes the handle but keeps the store usable: the next call reopens the file. Tests use it
   * to take the file away while the store is running.
   */
  closeHandle(): void {
    const handle = this.handle;
    this.handle = null;
    if (handle?.db.open) handle.db.close();
  }

  /** Closes the handle for good; later calls throw. */
  close(): void {
    this.closeHandle();
    this.closed = true;
  }

  private currentHandle(fileMustExist: boolean): SqliteHandle {
    if (this.handle?.db.open) return this.handle;
    this.handle = null;

    const db = new Database(this.options.file, { fileMustExist });
    try {
      // busy_timeout comes first so that switching to WAL also waits for other processes.
      db.pragma(`busy_timeout = ${this.busyTimeoutMs}`);
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
    } catch (error) {
      db.close();
      throw error;
    }

    const statements = new Map<string, Database.Statement>();
    this.handle = {
      db,
      statements,
      statement(sql) {
        let prepared = statements.get(sql);
        if (!prepared) {
          prepared = db.prepare(sql);
          statements.set(sql, prepared);
        }
        return prepared;
      },
      immediate(work) {
        return db.transaction(work).immediate();
      },
    };
    return this.handle;
  }

  private markUnavailable(error: unknown): void {
    // The handle may point at a file that was moved or deleted, so drop it and reopen next time.
    this.closeHandle();
    if (this.unavailableSince) return;

    this.unavailableSince = new Date();
    this.options.logger.error({ err: error, file: this.options.file }, 'SQLite store unavailable');
  }

  private markAvailable(): void {
    if (!this.unavailableSince) return;

    const downForMs = Date.now() - this.unavailableSince.getTime();
    this.unavailableSince = null;
    this.options.logger.info({ file: this.options.file, downForMs }, 'SQLite store available again');
  }
}

function isUnavailableError(error: unknown): boolean {
  if (!(error instanceof Database.SqliteError)) return false;
  return UNAVAILABLE_CODE_PREFIXES.some((prefix) => error.code.startsWith(prefix));
}
