import type { FastifyInstance } from 'fastify';
import pino, { type Logger } from 'pino';
import { buildApp } from './app.js';
import { createCloudinaryClient, type CloudinaryPort } from './cloudinary/client.js';
import { startEmulator, type Emulator } from './cloudinary/emulator/index.js';
import type { RetryHooks, RetryPolicy } from './cloudinary/retry.js';
import { loadCloudinarySdk, parseCloudinaryUrl, type CloudinaryCredentials } from './cloudinary/sdk.js';
import type { Config } from './config.js';
import { startSchedules, type Schedules } from './cron/schedules.js';
import { newHolderId } from './util/holder-id.js';
import { ExportEvents } from './services/export-events.js';
import { ExportWorker, type WorkerSettings } from './services/export-worker.js';
import { createExportService, type ExportService } from './services/exports.js';
import { createImageService, type ImageService } from './services/images.js';
import { createStore } from './store/index.js';
import type { Store } from './store/types.js';

export interface RuntimeOptions {
  logger?: Logger;
  now?: () => Date;
  /** Overrides for tests: faster polling, shorter leases, no retry delays. */
  worker?: Partial<WorkerSettings>;
  retry?: Partial<RetryPolicy>;
  retryHooks?: Partial<RetryHooks>;
  /** Start the export worker (default true); the CLI and some tests run without one. */
  startWorker?: boolean;
  /** Start the prebuild and retention schedules (default true, each still subject to its `off` switch). */
  startSchedules?: boolean;
}

/** Everything one service instance runs, wired together, with one way to shut it down. */
export interface Runtime {
  config: Config;
  app: FastifyInstance;
  store: Store;
  cloudinary: CloudinaryPort;
  credentials: CloudinaryCredentials;
  events: ExportEvents;
  images: ImageService;
  exports: ExportService;
  worker: ExportWorker;
  /** The in-process emulator when CLOUDINARY_URL is unset, else null. */
  emulator: Emulator | null;
  logger: Logger;
  close(graceMs?: number): Promise<void>;
}

export function createLogger(config: Config): Logger {
  return pino({
    level: config.LOG_LEVEL,
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'api_secret', '*.api_secret'], censor: '[redacted]' },
  });
}

export function retryPolicyFrom(config: Config, overrides: Partial<RetryPolicy> = {}): RetryPolicy {
  return {
    maxAttempts: config.CLOUDINARY_MAX_ATTEMPTS,
    baseDelayMs: 500,
    maxDelayMs: 10_000,
    maxRateLimitWaitMs: 120_000,
    timeoutMs: config.CLOUDINARY_TIMEOUT_MS,
    ...overrides,
  };
}

/** Connects to Cloudinary (or starts the emulator) and returns the client port. */
export async function connectCloudinary(config: Config, logger: Logger, options: Pick<RuntimeOptions, 'retry' | 'retryHooks'> = {}) {
  let emulator: Emulator | null = null;
  let credentials: CloudinaryCredentials;
  if (config.CLOUDINARY_URL) {
    credentials = parseCloudinaryUrl(config.CLOUDINARY_URL);
    logger.info({ cloudName: credentials.cloudName, apiHost: credentials.uploadPrefix }, 'using the Cloudinary account of CLOUDINARY_URL');
  } else {
    emulator = await startEmulator({ dataDir: config.DATA_DIR, logger: logger.child({ component: 'cloudinary-emulator' }) });
    credentials = emulator.credentials;
    logger.info({ url: emulator.url, cloudName: credentials.cloudName }, 'CLOUDINARY_URL is unset; using the in-process Cloudinary emulator');
  }

  const sdk = await loadCloudinarySdk(credentials.uploadPrefix.startsWith('http:') ? 'http' : 'https');
  const cloudinary = createCloudinaryClient({
    sdk,
    credentials,
    policy: retryPolicyFrom(config, options.retry),
    hooks: {
      onRetry: ({ operation, attempt, delayMs, error }) =>
        logger.warn({ operation, attempt, delayMs, httpCode: error.httpCode, err: error }, 'Cloudinary call failed; retrying'),
      ...options.retryHooks,
    },
  });
  return { cloudinary, credentials, emulator };
}

export async function startRuntime(config: Config, options: RuntimeOptions = {}): Promise<Runtime> {
  const logger = options.logger ?? createLogger(config);
  const now = options.now ?? (() => new Date());

  const { cloudinary, credentials, emulator } = await connectCloudinary(config, logger, options);
  let store: Store;
  try {
    store = await createStore({ dataDir: config.DATA_DIR, mongodbUri: config.MONGODB_URI, logger: logger.child({ component: 'store' }) });
  } catch (error) {
    // The emulator holds a port and a lock on its data folder; give both back before failing.
    await emulator?.close();
    throw error;
  }
  const events = new ExportEvents();
  const holder = newHolderId();

  const images = createImageService({
    store,
    cloudinary,
    logger,
    now,
    settings: { timezone: config.TIMEZONE, photoFolder: config.PHOTO_FOLDER, maxExportDays: config.MAX_EXPORT_DAYS },
  });
  const exports = createExportService({
    store,
    cloudinary,
    events,
    now,
    settings: {
      timezone: config.TIMEZONE,
      photoFolder: config.PHOTO_FOLDER,
      maxExportDays: config.MAX_EXPORT_DAYS,
      archiveMaxFiles: config.ARCHIVE_MAX_FILES,
      archiveMaxBytes: config.ARCHIVE_MAX_BYTES,
      downloadUrlTtlSeconds: config.DOWNLOAD_URL_TTL_SECONDS,
      retentionDays: config.EXPORT_RETENTION_DAYS,
      openRangeReuseSeconds: config.OPEN_RANGE_REUSE_SECONDS,
    },
  });
  const worker = new ExportWorker({
    store,
    cloudinary,
    events,
    now,
    logger: logger.child({ component: 'export-worker' }),
    settings: {
      holder,
      archiveFolder: config.ARCHIVE_FOLDER,
      concurrency: config.BUILD_CONCURRENCY,
      leaseMs: config.JOB_LEASE_SECONDS * 1000,
      pollMs: 1000,
      maxAttempts: 3,
      retryDelayMs: 5000,
      ...options.worker,
    },
  });

  let app: FastifyInstance;
  try {
    app = await buildApp({
      config,
      logger,
      images,
      exports,
      cloudinary,
      readiness: { store: () => store.ping(), cloudinary: () => cloudinary.ping() },
    });
    await app.ready();
  } catch (error) {
    await store.close();
    await emulator?.close();
    throw error;
  }
  if (options.startWorker !== false) worker.start();
  const schedules: Schedules | null =
    options.startSchedules === false
      ? null
      : startSchedules({ config, store, exports, cloudinary, now, holder, logger: logger.child({ component: 'cron' }) });

  let closing: Promise<void> | null = null;
  const close = (graceMs = 10_000) => {
    closing ??= (async () => {
      await schedules?.stop();
      // The worker stops claiming at once instead of after app.close(), which waits for requests
      // in flight such as `?wait` long polls of up to 30 s.
      await Promise.all([app.close(), worker.stop(graceMs)]);
      await store.close();
      await emulator?.close();
    })();
    return closing;
  };

  return { config, app, store, cloudinary, credentials, events, images, exports, worker, emulator, logger, close };
}
