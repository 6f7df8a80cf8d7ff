import type { Clock } from './clock.js';
import type { FaultController } from './faults.js';
import type { AdminRateLimiter } from './rate-limit.js';
import type { EmulatorStats } from './stats.js';
import type { AssetStore } from './storage/asset-store.js';
import type { BlobStore } from './storage/blob-store.js';

export interface EmulatorSettings {
  cloudName: string;
  apiKey: string;
  apiSecret: string;
  maxArchiveBytes: number;
  maxUploadBytes: number;
  adminRateLimit: number;
}

/** State shared by every route of one emulator instance. */
export interface EmulatorContext {
  settings: EmulatorSettings;
  clock: Clock;
  assets: AssetStore;
  blobs: BlobStore;
  stats: EmulatorStats;
  faults: FaultController;
  adminRateLimiter: AdminRateLimiter;
  /** `http://127.0.0.1:<port>`, known once the server listens; delivery URLs are built on it. */
  origin: string;
}
