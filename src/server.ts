import { ConfigError, loadDotEnv, parseConfig } from './config.js';
import { createLogger, startRuntime } from './runtime.js';

/** How long builds in flight may run on after SIGTERM before their jobs are handed back. */
const SHUTDOWN_GRACE_MS = 20_000;

async function main(): Promise<void> {
  loadDotEnv();
  let config;
  try {
    config = parseConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }

  const logger = createLogger(config);
  const runtime = await startRuntime(config, { logger });
  const address = await runtime.app.listen({ port: config.PORT, host: config.HOST });
  logger.info({ address, store: runtime.store.kind, docs: `${address}/docs` }, 'plate-archive listening');

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    runtime
      .close(SHUTDOWN_GRACE_MS)
      .then(() => {
        logger.info('shutdown complete');
        process.exit(0);
      })
      .catch((error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  console.error('plate-archive failed to start:', error);
  process.exit(1);
});
