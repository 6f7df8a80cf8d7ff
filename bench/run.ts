/**
 * Measures the main job on this machine and prints figures: upload throughput, time from a
 * range request to a ready archive, the cost of many clients asking at once, and the memory the
 * service process used. Runs a whole instance with the in-process emulator in a temporary data
 * folder; CLOUDINARY_URL and MONGODB_URI, when set, select a real account and database.
 *
 *   npm run bench                                   # 600 photos over 3 days, 200 clients
 *   BENCH_PHOTOS=1000 BENCH_CLIENTS=500 npm run bench
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { availableParallelism, totalmem } from 'node:os';
import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';
import { parseConfig } from '../src/config.js';
import { startRuntime } from '../src/runtime.js';
import { testPhotos } from '../test/helpers/photos.js';

const PHOTO_COUNT = Number(process.env.BENCH_PHOTOS ?? 600);
const CONCURRENT_CLIENTS = Number(process.env.BENCH_CLIENTS ?? 200);
const DAYS = ['2025-09-01', '2025-09-02', '2025-09-03'];

interface Sample {
  name: string;
  value: string;
}

const samples: Sample[] = [];
const record = (name: string, value: string) => {
  samples.push({ name, value });
  console.log(`${name.padEnd(56)} ${value}`);
};

function emulatorLabel(inProcess: boolean): string {
  return inProcess ? 'in-process emulator (it builds the ZIPs in this process)' : 'the account of CLOUDINARY_URL';
}

function percentile(values: number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))] ?? 0;
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'plate-archive-bench-'));
  const config = parseConfig({ ...process.env, DATA_DIR: dataDir, LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent', PREBUILD_CRON: 'off', RETENTION_CRON: 'off' });
  const runtime = await startRuntime(config);
  const baseUrl = await runtime.app.listen({ port: 0, host: '127.0.0.1' });
  const pool = new Pool(baseUrl, { connections: 64 });
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);

  try {
    const sources = testPhotos(Math.min(PHOTO_COUNT, 40));
    const realPhotos = sources.filter((photo) => photo.extension === 'jpg').length;
    const averageKiB = sources.reduce((sum, photo) => sum + photo.bytes.length, 0) / sources.length / 1024;
    console.log(`plate-archive benchmark: ${PHOTO_COUNT} photos, ${CONCURRENT_CLIENTS} concurrent clients, store ${runtime.store.kind}`);
    console.log(`machine: ${availableParallelism()} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`);
    console.log(`photos: ${realPhotos} real JPEGs and ${sources.length - realPhotos} generated PNGs, cycled, ${averageKiB.toFixed(0)} KiB on average`);
    console.log(`Cloudinary: ${emulatorLabel(runtime.emulator !== null)}`);

    // Uploads: 8 at a time, photos spread over three days.
    let uploadedBytes = 0;
    const uploadStart = performance.now();
    for (let start = 0; start < PHOTO_COUNT; start += 8) {
      const batch = Array.from({ length: Math.min(8, PHOTO_COUNT - start) }, (_, offset) => start + offset);
      await Promise.all(
        batch.map(async (index) => {
          const photo = sources[index % sources.length]!;
          const form = new FormData();
          form.set('plate', `BENCH${index % 50}`);
          form.set('capturedAt', `${DAYS[index % DAYS.length]}T${String(index % 24).padStart(2, '0')}:${String(index % 60).padStart(2, '0')}:00Z`);
          form.set('file', new Blob([photo.bytes]), photo.name);
          const response = await fetch(`${baseUrl}/v1/images`, { method: 'POST', body: form });
          if (response.status !== 201) throw new Error(`upload failed: ${response.status} ${await response.text()}`);
          uploadedBytes += photo.bytes.length;
        }),
      );
    }
    const uploadSeconds = (performance.now() - uploadStart) / 1000;
    record('uploads', `${(PHOTO_COUNT / uploadSeconds).toFixed(1)} photos/s, ${(uploadedBytes / 1048576 / uploadSeconds).toFixed(1)} MiB/s`);
    record('photo bytes stored', `${(uploadedBytes / 1048576).toFixed(1)} MiB`);

    // One cold range asked by many clients at once: one build, everyone gets the same id.
    const emulator = runtime.emulator;
    const archivesBefore = emulator?.stats.count('generate_archive.create') ?? 0;
    const heapBefore = process.memoryUsage().heapUsed;
    const coldStart = performance.now();
    const latencies: number[] = [];
    const ids = await Promise.all(
      Array.from({ length: CONCURRENT_CLIENTS }, async () => {
        const started = performance.now();
        const response = await pool.request({ path: '/v1/exports', method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ from: DAYS[0], to: DAYS[2] }) });
        const body = (await response.body.json()) as { id: string };
        latencies.push(performance.now() - started);
        return body.id;
      }),
    );
    record(`cold range, ${CONCURRENT_CLIENTS} clients: distinct ids (1 = built once)`, String(new Set(ids).size));
    record('cold range: POST latency p50 / p99', `${percentile(latencies, 0.5).toFixed(1)} ms / ${percentile(latencies, 0.99).toFixed(1)} ms`);

    let ready: { status: string; parts: unknown[]; imageCount: number } | null = null;
    while (!ready || (ready.status !== 'ready' && ready.status !== 'failed')) {
      const response = await pool.request({ path: `/v1/exports/${ids[0]}?wait=5`, method: 'GET' });
      ready = (await response.body.json()) as { status: string; parts: unknown[]; imageCount: number };
    }
    record('cold range: request to ready', `${((performance.now() - coldStart) / 1000).toFixed(2)} s (${ready.imageCount} photos, ${ready.parts.length} parts, ${ready.status})`);
    if (emulator) record('cold range: generate_archive calls (1 per part)', String(emulator.stats.count('generate_archive.create') - archivesBefore));
    record('heap growth during the export', `${((process.memoryUsage().heapUsed - heapBefore) / 1048576).toFixed(1)} MiB (service and in-process emulator)`);

    // The same range again: served from the cache.
    const warmLatencies: number[] = [];
    const warmStart = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENT_CLIENTS }, async () => {
        const started = performance.now();
        const response = await pool.request({ path: '/v1/exports', method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ from: DAYS[0], to: DAYS[2] }) });
        await response.body.dump();
        warmLatencies.push(performance.now() - started);
      }),
    );
    const warmSeconds = (performance.now() - warmStart) / 1000;
    record('cached range: requests/s', (CONCURRENT_CLIENTS / warmSeconds).toFixed(0));
    record('cached range: latency p50 / p99', `${percentile(warmLatencies, 0.5).toFixed(1)} ms / ${percentile(warmLatencies, 0.99).toFixed(1)} ms`);
    record('peak RSS of the process (service + emulator)', `${(peakRss / 1048576).toFixed(0)} MiB`);
  } finally {
    clearInterval(sampler);
    await pool.close();
    await runtime.close(1000);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error('benchmark failed:', error);
  process.exit(1);
});
