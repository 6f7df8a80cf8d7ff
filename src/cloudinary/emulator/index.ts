import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Logger } from 'pino';
import type { EmulatorContext } from './context.js';
import { lockDataFolder } from './data-lock.js';
import { FaultController } from './faults.js';
import { AdminRateLimiter } from './rate-limit.js';
import { listAssets, type ListedAsset } from './routes/control.js';
import { buildServer } from './server.js';
import { EmulatorStats } from './stats.js';
import { AssetStore } from './storage/asset-store.js';
import { BlobStore } from './storage/blob-store.js';

export { EmulatorStats, EMULATOR_OPERATIONS, type EmulatorOperation } from './stats.js';
export { FaultController, type FaultRule } from './faults.js';
export type { ListedAsset } from './routes/control.js';

export interface EmulatorOptions {
  /** Assets and built archives are stored under `${dataDir}/emulator/` and survive restarts. */
  dataDir: string;
  /** Loopback address to listen on; default `127.0.0.1`. */
  host?: string;
  /** Default 0: any free port. */
  port?: number;
  /** Default `plate-demo`. */
  cloudName?: string;
  /** Default `123456789012345`. */
  apiKey?: string;
  /** Default `emu-secret-123`. */
  apiSecret?: string;
  /** Archives whose originals total more bytes are rejected; default 104857600 (100 MiB). */
  maxArchiveBytes?: number;
  /** Uploads larger than this are rejected; default 20971520 (20 MiB). */
  maxUploadBytes?: number;
  /** Admin API calls allowed per hour; default 500, Cloudinary's free-plan quota. */
  adminRateLimit?: number;
  /** Clock in milliseconds (default `Date.now`), used for timestamps, staleness and expiry. */
  now?: () => number;
  /** Default false (silent). The API secret is never logged. */
  logger?: Logger | false;
}

export interface Emulator {
  /** `http://127.0.0.1:<port>` */
  url: string;
  port: number;
  /** `cloudinary://<key>:<secret>@<cloud>?upload_prefix=http://127.0.0.1:<port>` */
  cloudinaryUrl: string;
  /** Same shape as `CloudinaryCredentials` in src/cloudinary/sdk.ts. */
  credentials: { cloudName: string; apiKey: string; apiSecret: string; uploadPrefix: string };
  stats: EmulatorStats;
  faults: FaultController;
  /** Stored assets of one resource type, newest first. */
  listAssets(resourceType: 'image' | 'raw'): ListedAsset[];
  close(): Promise<void>;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1', 'localhost']);

/**
 * Starts a local Cloudinary emulator that the real `cloudinary` SDK can talk to over plain
 * HTTP. It serves the Upload API, `generate_archive`, private downloads, delivery URLs and the
 * Admin API calls the product uses, with Cloudinary's signatures, limits and error shapes.
 */
export async function startEmulator(options: EmulatorOptions): Promise<Emulator> {
  const host = options.host ?? '127.0.0.1';
  if (!LOOPBACK_HOSTS.has(host)) {
    throw new Error(`Invalid emulator host ${host} - it has unauthenticated control routes, so it only listens on 127.0.0.1, ::1 or localhost`);
  }

  const root = path.resolve(options.dataDir, 'emulator');
  mkdirSync(root, { recursive: true });
  const unlock = lockDataFolder(root);

  const clock = options.now ?? Date.now;
  const settings = {
    cloudName: options.cloudName ?? 'plate-demo',
    apiKey: options.apiKey ?? '123456789012345',
    apiSecret: options.apiSecret ?? 'emu-secret-123',
    maxArchiveBytes: options.maxArchiveBytes ?? 104_857_600,
    maxUploadBytes: options.maxUploadBytes ?? 20_971_520,
    adminRateLimit: options.adminRateLimit ?? 500,
  };

  const assets = new AssetStore(root);
  const context: EmulatorContext = {
    settings,
    clock,
    assets,
    blobs: new BlobStore(root),
    stats: new EmulatorStats(),
    faults: new FaultController(),
    adminRateLimiter: new AdminRateLimiter(settings.adminRateLimit, clock),
    origin: '',
  };

  let app;
  try {
    app = await buildServer(context, options.logger ?? false);
    await app.listen({ host, port: options.port ?? 0 });
  } catch (error) {
    assets.close();
    unlock();
    throw error;
  }

  const port = (app.server.address() as AddressInfo).port;
  const origin = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  context.origin = origin;
  const server = app;

  return {
    url: origin,
    port,
    cloudinaryUrl: `cloudinary://${encodeURIComponent(settings.apiKey)}:${encodeURIComponent(settings.apiSecret)}@${settings.cloudName}?upload_prefix=${origin}`,
    credentials: { cloudName: settings.cloudName, apiKey: settings.apiKey, apiSecret: settings.apiSecret, uploadPrefix: origin },
    stats: context.stats,
    faults: context.faults,
    listAssets: (resourceType) => listAssets(context, resourceType),
    close: async () => {
      await server.close();
      assets.close();
      unlock();
    },
  };
}
