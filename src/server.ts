import { ConfigError, loadDotEnv, parseConfig } from './config.js';
import { AppError } from './errors.js';
import { createLogger, startRuntime } from './runtime.js';

class StartupError extends Error {
  override name = 'StartupError';
}

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
  let address: string;
  try {
    address = await runtime.app.listen({ port: config.PORT, host: config.HOST });
  } catch (error) {
    // Stop the worker and schedules that already started before reporting the failure.
    await runtime.close(0);
    throw (error as NodeJS.ErrnoException).code === 'EADDRINUSE'
      ? new StartupError(`Port ${config.PORT} on ${config.HOST} is already in use: stop the process that holds it, or set PORT`)
      : error;
  }
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
  // A start-up problem the operator can fix gets one line; anything else keeps its stack.
  const known = error instanceof StartupError || error instanceof AppError || (error instanceof Error && error.message.includes('is in use by process'));
  console.error(`plate-archive failed to start: ${known ? (error as Error).message : error instanceof Error ? error.stack : String(error)}`);
  process.exit(1);
});
