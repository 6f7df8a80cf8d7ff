import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { callOptions, loadCloudinarySdk, type CloudinarySdk } from '../../../src/cloudinary/sdk.js';
import { startEmulator, type Emulator, type EmulatorOptions } from '../../../src/cloudinary/emulator/index.js';

/** The subset of a tap test this helper needs. */
interface Teardown {
  teardown(fn: () => unknown): void;
}

/** Starts an emulator on a free loopback port with its own temporary data directory, closed at teardown. */
export async function startTestEmulator(t: Teardown, options: Partial<EmulatorOptions> = {}): Promise<Emulator> {
  const dataDir = options.dataDir ?? (await mkdtemp(path.join(tmpdir(), 'cloudinary-emulator-test-')));
  const emulator = await startEmulator({ ...options, dataDir, port: 0 });
  t.teardown(async () => {
    await emulator.close();
    if (!options.dataDir) await rm(dataDir, { recursive: true, force: true });
  });
  return emulator;
}

/** Loads the real SDK the way the product does. */
export function loadSdk(): Promise<CloudinarySdk> {
  return loadCloudinarySdk('http');
}

export function sdkOptions(emulator: Emulator, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...callOptions(emulator.credentials), ...extra };
}

export type UploadResult = Record<string, unknown> & { public_id: string; version: number };

/** Uploads bytes through `upload_stream`, the way the product sends photos. */
export function uploadBytes(
  sdk: CloudinarySdk,
  emulator: Emulator,
  bytes: Buffer,
  options: Record<string, unknown> = {},
): Promise<UploadResult> {
  return new Promise((resolve, reject) => {
    const stream = sdk.uploader.upload_stream(sdkOptions(emulator, options), (error, result) => {
      if (error) reject(error);
      else resolve(result as unknown as UploadResult);
    });
    stream.end(bytes);
  });
}

/** Runs a call and returns what it rejected with; fails when it resolves. */
export async function rejectionOf(promise: Promise<unknown>): Promise<Record<string, unknown>> {
  try {
    await promise;
  } catch (error) {
    return error as Record<string, unknown>;
  }
  throw new Error('Expected the call to reject, but it resolved');
}
