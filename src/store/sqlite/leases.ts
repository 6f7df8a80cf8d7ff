import type { LeaseStore, NamedLease } from '../types.js';
import type { SqliteConnection } from './connection.js';

interface LeaseRow {
  name: string;
  holder: string;
  expires_at: number;
}

/**
 * Inserts the lease, or takes over the existing row only when it has expired or already belongs
 * to the same holder. When the WHERE rejects the update, RETURNING yields no row.
 */
const ACQUIRE = `INSERT INTO leases (name, holder, expires_at) VALUES (@name, @holder, @expiresAt)
  ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
  WHERE leases.expires_at <= @now OR leases.holder = excluded.holder
  RETURNING name, holder, expires_at`;

export class SqliteLeaseStore implements LeaseStore {
  constructor(private readonly connection: SqliteConnection) {}

  async acquireLease(name: string, holder: string, ttlMs: number, now: Date): Promise<NamedLease | null> {
    const params = { name, holder, expiresAt: now.getTime() + ttlMs, now: now.getTime() };
    const row = this.connection.use((handle) => handle.statement(ACQUIRE).get(params)) as LeaseRow | undefined;
    return row ? leaseFromRow(row) : null;
  }

  async releaseLease(name: string, holder: string): Promise<boolean> {
    const result = this.connection.use((handle) =>
      handle.statement('DELETE FROM leases WHERE name = ? AND holder = ?').run(name, holder),
    );
    return result.changes > 0;
  }

  async getLease(name: string): Promise<NamedLease | null> {
    const row = this.connection.use((handle) =>
      handle.statement('SELECT name, holder, expires_at FROM leases WHERE name = ?').get(name),
    ) as LeaseRow | undefined;
    return row ? leaseFromRow(row) : null;
  }
}

function leaseFromRow(row: LeaseRow): NamedLease {
  return { name: row.name, holder: row.holder, expiresAt: new Date(row.expires_at) };
}
