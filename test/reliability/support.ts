import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { SQLITE_FILE_NAME } from '../../src/store/index.js';
import type { ExportBody } from '../helpers/service.js';

interface Teardown {
  teardown(fn: () => unknown): void;
}

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Creates a temporary folder that is removed when the test ends. */
export function temporaryDir(t: Teardown, label: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), `plate-archive-${label}-`));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * Returns the export once it is ready or failed. A plain read comes first because `?wait`
 * delays the reply for its full length when the export is already settled.
 */
export async function settleExport(baseUrl: string, id: string, maxRounds = 60): Promise<ExportBody> {
  for (let round = 0; round < maxRounds; round += 1) {
    const body = (await (await fetch(`${baseUrl}/v1/exports/${id}`)).json()) as ExportBody;
    if (body.status === 'ready' || body.status === 'failed') return body;
    await fetch(`${baseUrl}/v1/exports/${id}?wait=2`).then((response) => response.body?.cancel());
  }
  throw new Error(`Export ${id} did not become ready or failed after ${maxRounds} rounds`);
}

/** Polls `condition` every 50 ms until it holds; throws after `maxWaitMs`. */
export async function waitFor(description: string, condition: () => boolean | Promise<boolean>, maxWaitMs = 20_000): Promise<void> {
  const deadline = Date.now() + maxWaitMs;
  while (Date.now() < deadline) {
    if (await condition()) return;
    await sleep(50);
  }
  throw new Error(`Timed out after ${maxWaitMs} ms waiting for ${description}`);
}

/** Finds a TCP port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface ServiceProcess {
  child: ChildProcess;
  baseUrl: string;
  /** Resolves with the exit code, or the signal name when a signal ended the process. */
  exited: Promise<number | string>;
  /** The last lines the process wrote to stderr and stdout, for failure messages. */
  output(): string;
}

/**
 * Spawns `node --import tsx src/server.ts` on a free loopback port and waits until /readyz
 * returns 200. The process is killed with SIGKILL when the test ends, if it still runs.
 */
export async function spawnService(t: Teardown, env: Record<string, string>): Promise<ServiceProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: repoRoot,
    env: {
      PATH: process.env.PATH ?? '',
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'warn',
      PREBUILD_CRON: 'off',
      RETENTION_CRON: 'off',
      JOB_LEASE_SECONDS: '5',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });

  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    lines.splice(0, Math.max(0, lines.length - 40));
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);

  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  t.teardown(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  });

  const baseUrl = `http://127.0.0.1:${port}`;
  let exitedEarly = false;
  void exited.then(() => {
    exitedEarly = true;
  });
  await waitFor(`service on port ${port} to become ready`, async () => {
    if (exitedEarly) throw new Error(`Service process exited before it was ready:\n${lines.join('\n')}`);
    const response = await fetch(`${baseUrl}/readyz`).catch(() => null);
    await response?.body?.cancel();
    return response?.status === 200;
  });

  return { child, baseUrl, exited, output: () => lines.join('\n') };
}

export interface StoredExportRow {
  id: string;
  status: string;
  attempts: number;
  leaseHolder: string | null;
}

/** Reads one export row straight from a service's SQLite file, read-only. */
export function readExportRow(dataDir: string, id: string): StoredExportRow | null {
  const db = new Database(path.join(dataDir, SQLITE_FILE_NAME), { readonly: true, fileMustExist: true });
  try {
    const row = db.prepare('SELECT id, status, attempts, lease_holder AS leaseHolder FROM exports WHERE id = ?').get(id);
    return (row as StoredExportRow | undefined) ?? null;
  } finally {
    db.close();
  }
}

/** Counts the rows of the photos and exports tables in a service's SQLite file. */
export function countRecords(dataDir: string): { photos: number; exports: number } {
  const db = new Database(path.join(dataDir, SQLITE_FILE_NAME), { readonly: true, fileMustExist: true });
  try {
    const count = (table: 'photos' | 'exports') => (db.prepare(`SELECT count(*) AS total FROM ${table}`).get() as { total: number }).total;
    return { photos: count('photos'), exports: count('exports') };
  } finally {
    db.close();
  }
}

/** Sends a JSON POST to the service. */
export function postJson(baseUrl: string, route: string, body: unknown): Promise<Response> {
  return fetch(`${baseUrl}${route}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

/** Uploads one photo to a service over HTTP and returns the photo record. */
export async function uploadPhoto(
  baseUrl: string,
  photo: { bytes: Buffer; name: string },
  fields: { plate: string; capturedAt: string },
): Promise<{ id: string; publicId: string; format: string; createdAt: string }> {
  const form = new FormData();
  form.set('plate', fields.plate);
  form.set('capturedAt', fields.capturedAt);
  form.set('file', new Blob([photo.bytes]), photo.name);
  const response = await fetch(`${baseUrl}/v1/images`, { method: 'POST', body: form });
  const body = (await response.json()) as { id: string; publicId: string; format: string; createdAt: string };
  if (response.status !== 201) throw new Error(`Upload failed with ${response.status}: ${JSON.stringify(body)}`);
  return body;
}
