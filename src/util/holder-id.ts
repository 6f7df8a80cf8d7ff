import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

/**
 * Builds the id that names this process in leases: host, pid and a random part, so two
 * processes never share one even after a pid is reused. `role` marks non-service processes.
 */
export function newHolderId(role?: string): string {
  const random = randomBytes(4).toString('hex');
  return `${hostname()}:${process.pid}:${role ? `${role}-` : ''}${random}`;
}
