import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseConfig } from '../../src/config.js';
import { startRuntime, type Runtime, type RuntimeOptions } from '../../src/runtime.js';
import type { TestPhoto } from './photos.js';

interface Teardown {
  teardown(fn: () => unknown): void;
}

export interface TestService {
  runtime: Runtime;
  baseUrl: string;
  dataDir: string;
  upload(photo: TestPhoto, fields: { plate: string; capturedAt?: string }): Promise<Response>;
  postExport(body: unknown): Promise<Response>;
  /** Polls GET /v1/exports/:id?wait until the export is ready or failed. */
  waitUntilSettled(id: string): Promise<ExportBody>;
}

export interface ExportBody {
  id: string;
  status: string;
  imageCount: number;
  totalBytes: number;
  parts: Array<{ index: number; fileCount: number; bytes: number; url: string | null; expiresAt: string | null }>;
  missingPhotos: string[];
  error: { code: string; message: string; retryable: boolean } | null;
  instant?: { url: string; expiresAt: string };
  progress: { partsDone: number; partsTotal: number };
  range: { from: string; to: string; timezone: string; fromUtc: string; toUtc: string };
  [key: string]: unknown;
}

/**
 * Starts a whole service instance (store, in-process emulator, worker, HTTP on a loopback port)
 * in a fresh data folder, and stops it when the test ends.
 */
export async function startTestService(t: Teardown, env: Record<string, string> = {}, options: RuntimeOptions = {}): Promise<TestService> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'plate-archive-test-'));
  const config = parseConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent', PREBUILD_CRON: 'off', RETENTION_CRON: 'off', PORT: '0', ...env });
  const runtime = await startRuntime(config, {
    ...options,
    worker: { pollMs: 100, retryDelayMs: 50, ...options.worker },
    retry: { baseDelayMs: 5, maxDelayMs: 20, ...options.retry },
  });
  const baseUrl = await runtime.app.listen({ port: 0, host: '127.0.0.1' });
  t.teardown(async () => {
    await runtime.close(1000);
    rmSync(dataDir, { recursive: true, force: true });
  });

  const upload = (photo: TestPhoto, fields: { plate: string; capturedAt?: string }) => {
    const form = new FormData();
    form.set('plate', fields.plate);
    if (fields.capturedAt) form.set('capturedAt', fields.capturedAt);
    form.set('file', new Blob([photo.bytes]), photo.name);
    return fetch(`${baseUrl}/v1/images`, { method: 'POST', body: form });
  };

  const postExport = (body: unknown) =>
    fetch(`${baseUrl}/v1/exports`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  const waitUntilSettled = async (id: string): Promise<ExportBody> => {
    for (let round = 0; round < 60; round += 1) {
      const response = await fetch(`${baseUrl}/v1/exports/${id}?wait=5`);
      const body = (await response.json()) as ExportBody;
      if (body.status === 'ready' || body.status === 'failed') return body;
    }
    throw new Error(`export ${id} did not settle`);
  };

  return { runtime, baseUrl, dataDir, upload, postExport, waitUntilSettled };
}

/** Uploads photos one by one and throws on any status other than 201. */
export async function uploadAll(service: TestService, items: Array<{ photo: TestPhoto; plate: string; capturedAt: string }>) {
  const records: Array<{ id: string; publicId: string; format: string; bytes: number; capturedAt: string }> = [];
  for (const item of items) {
    const response = await service.upload(item.photo, { plate: item.plate, capturedAt: item.capturedAt });
    const body = (await response.json()) as { id: string; publicId: string; format: string; bytes: number; capturedAt: string };
    if (response.status !== 201) throw new Error(`upload failed with ${response.status}: ${JSON.stringify(body)}`);
    records.push(body);
  }
  return records;
}
