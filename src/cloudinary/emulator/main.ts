import { destination, pino } from 'pino';
import { loadDotEnv } from '../../config.js';
import { startEmulator } from './index.js';

/**
 * Runs the standalone emulator that several service processes share (`npm run emulator`). It
 * prints exactly one line to stdout, the CLOUDINARY_URL for those processes. Logs go to stderr.
 */
const logger = pino({ name: 'cloudinary-emulator' }, destination(2));

function readPort(value: string | undefined): number {
  if (value === undefined || value === '') return 4010;

  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`Invalid EMULATOR_PORT ${value} - expected an integer from 0 to 65535`);
  }
  return port;
}

async function main(): Promise<void> {
  // Same .env as the service, so EMULATOR_PORT and DATA_DIR set there apply here too.
  loadDotEnv();
  const emulator = await startEmulator({
    dataDir: process.env.DATA_DIR || './data',
    port: readPort(process.env.EMULATOR_PORT),
    cloudName: process.env.EMULATOR_CLOUD_NAME || undefined,
    apiKey: process.env.EMULATOR_API_KEY || undefined,
    apiSecret: process.env.EMULATOR_API_SECRET || undefined,
    logger,
  });
  logger.info({ url: emulator.url, cloudName: emulator.credentials.cloudName }, 'cloudinary emulator listening');
  process.stdout.write(`CLOUDINARY_URL=${emulator.cloudinaryUrl}\n`);

  let closing = false;
  const shutdown = (signal: NodeJS.Signals): void => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, 'cloudinary emulator stopping');
    emulator.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'closing the cloudinary emulator failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((error: unknown) => {
  logger.error({ err: error }, 'cloudinary emulator failed to start');
  process.exitCode = 1;
});
