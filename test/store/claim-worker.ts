/**
 * Child process for the cross-process claim race. It opens the SQLite file given as argv[2] and
 * prints `ready`, then waits for a line on stdin so that every process starts claiming at once.
 * It claims exports as holder argv[3] until none is left and prints the claimed ids as JSON.
 */
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { SqliteStore } from '../../src/store/sqlite/store.js';
import { silentLogger } from './fixtures.js';

const [file, holder] = process.argv.slice(2);
if (!file || !holder) throw new Error('usage: claim-worker.ts <sqlite-file> <holder>');

const store = new SqliteStore({ file, logger: silentLogger });
await store.init();

const input = createInterface({ input: process.stdin });
process.stdout.write('ready\n');
await once(input, 'line');
input.close();

const claimed: string[] = [];
const now = new Date('2030-01-01T00:00:00.000Z');
for (;;) {
  const record = await store.claimExport(holder, 60_000, now);
  if (!record) break;
  claimed.push(record.id);
  // Pauses like a worker doing real work would. Without it, SQLite's busy handler lets one
  // process take nearly every job and the others barely race.
  await new Promise((resolve) => setTimeout(resolve, 1));
}

await store.close();
process.stdout.write(`${JSON.stringify(claimed)}\n`);
