import { parseArgs } from 'node:util';
import pino from 'pino';
import { ConfigError, parseConfig, type Config } from '../config.js';
import { runPrebuildCatchUp, type PrebuildDeps, type PrebuildResult } from '../cron/prebuild.js';
import { runUnderLease } from '../cron/lease.js';
import { RETENTION_LEASE, RETENTION_LEASE_MS, runRetentionSweep, type RetentionDeps } from '../cron/retention.js';
import { scheduleProblems, startSchedules } from '../cron/schedules.js';
import { AppError } from '../errors.js';
import { startRuntime, type Runtime } from '../runtime.js';
import type { ExportRecord } from '../store/types.js';
import { describeExport, describePrebuildFailures, describeSweep, type CliOutput } from './output.js';
import { newHolderId } from '../util/holder-id.js';

export const EXIT_OK = 0;
/** The work ran and failed: an export failed to build or an archive could not be deleted. */
export const EXIT_FAILED = 1;
/** Invalid command line or configuration; nothing ran. */
export const EXIT_USAGE = 2;
/** Another instance holds the job's lease, so this run did nothing. */
export const EXIT_LEASE_HELD = 3;

export const USAGE = `Usage: plate-archive <command> [options]

Acts on the store and Cloudinary account that the configuration names (DATA_DIR or MONGODB_URI,
CLOUDINARY_URL, TIMEZONE, read from the environment and ./.env), like a running service would.

Commands:
  prebuild --date YYYY-MM-DD   Build the export of one whole day in TIMEZONE, all plates, and
                               wait until it is ready or failed.
  prebuild                     Build every day of the last PREBUILD_CATCHUP_DAYS days that has
                               no ready export, and wait for the builds.
  sweep [--dry-run]            Delete the archives and records of expired exports, and orphan
                               archives. With --dry-run, list them and delete nothing.
  cron                         Run the prebuild and retention schedules in the foreground until
                               SIGINT or SIGTERM, without the HTTP API.

Options:
  --date YYYY-MM-DD   Day to prebuild, in TIMEZONE.
  --dry-run           With sweep: change nothing.
  -h, --help          Print this help.

Exit status: 0 done, 1 a build or delete failed or the store or Cloudinary could not be
reached, 2 invalid arguments or configuration, 3 skipped because another instance holds the
job's lease.
Logs go to stderr at LOG_LEVEL (default warn for this command).`;

const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;
/** Maximum seconds of one wait on an export; the loop waits again until the export settles. */
const SETTLE_WAIT_SECONDS = 30;

interface Invocation {
  command: 'prebuild' | 'sweep' | 'cron';
  date: string | null;
  dryRun: boolean;
}

export interface CliOptions {
  env: NodeJS.ProcessEnv;
  output: CliOutput;
  /** Resolves when the `cron` command should stop; main.ts resolves it on SIGINT or SIGTERM. */
  waitForStop?: () => Promise<unknown>;
}

/** Runs one CLI command and returns the process exit status. */
export async function runCli(argv: string[], options: CliOptions): Promise<number> {
  const { output } = options;
  const parsed = parseInvocation(argv);
  if (parsed === 'help') {
    output.out(USAGE);
    return EXIT_OK;
  }
  if (typeof parsed === 'string') {
    output.err(`${parsed}\n\n${USAGE}`);
    return EXIT_USAGE;
  }

  let config: Config;
  try {
    config = parseConfig(options.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    output.err(error.message);
    return EXIT_USAGE;
  }
  const problems = scheduleProblems(config);
  if (parsed.command === 'cron' && problems.length > 0) {
    output.err(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    return EXIT_USAGE;
  }

  const logger = pino(
    { level: options.env.LOG_LEVEL ? config.LOG_LEVEL : 'warn', redact: { paths: ['api_secret', '*.api_secret'], censor: '[redacted]' } },
    pino.destination(2),
  );
  // The schedules are switched off in this runtime: the cron command starts its own, and the
  // other commands must not run a start-up catch-up or a nightly tick as a side effect.
  let runtime;
  try {
    runtime = await startRuntime({ ...config, PREBUILD_CRON: 'off', RETENTION_CRON: 'off' }, { logger, startWorker: parsed.command !== 'sweep' });
  } catch (error) {
    // The store or Cloudinary could not be reached, or the emulator's folder is taken.
    output.err(`Could not start: ${(error as Error).message}`);
    return EXIT_FAILED;
  }
  const holder = newHolderId('cli');

  try {
    switch (parsed.command) {
      case 'prebuild':
        return parsed.date ? await prebuildOneDay(runtime, parsed.date, output) : await prebuildCatchUp(runtime, holder, output);
      case 'sweep':
        return await sweep(runtime, holder, parsed.dryRun, output);
      case 'cron':
        return await runSchedules(runtime, config, holder, output, options.waitForStop ?? (() => new Promise(() => undefined)));
    }
  } finally {
    await runtime.close();
  }
}

/** Parses the command line into an invocation, `'help'`, or an error message. */
function parseInvocation(argv: string[]): Invocation | 'help' | string {
  let values: { date?: string | undefined; 'dry-run'?: boolean | undefined; help?: boolean | undefined };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { date: { type: 'string' }, 'dry-run': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    }));
  } catch (error) {
    return (error as Error).message;
  }

  if (values.help) return 'help';
  const [command, ...extra] = positionals;
  if (!command) return 'Missing command.';
  if (extra.length > 0) return `Unexpected argument '${extra[0]}'.`;
  if (command !== 'prebuild' && command !== 'sweep' && command !== 'cron') return `Unknown command '${command}'.`;

  const date = values.date ?? null;
  if (date !== null && command !== 'prebuild') return '--date applies only to prebuild.';
  if (date !== null && !DATE_PATTERN.test(date)) return `Invalid --date '${date}'; expected YYYY-MM-DD.`;
  if (values['dry-run'] && command !== 'sweep') return '--dry-run applies only to sweep.';
  return { command, date, dryRun: values['dry-run'] === true };
}

async function prebuildOneDay(runtime: Runtime, day: string, output: CliOutput): Promise<number> {
  let result: PrebuildResult;
  try {
    // requestExport reports an impossible or future date as a validation error; anything else
    // (the store or Cloudinary failing) is left to propagate.
    const record = await runtime.exports.requestExport({ from: day, to: day, timezone: runtime.config.TIMEZONE });
    result = { days: [{ day, exportId: record.id, status: record.status, imageCount: record.imageCount }], failures: [] };
  } catch (error) {
    if (!(error instanceof AppError) || error.code !== 'PA_ERR_VALIDATION') throw error;
    output.err(`Invalid --date '${day}': ${error.message}`);
    return EXIT_USAGE;
  }
  return reportSettled(runtime, result, output);
}

async function prebuildCatchUp(runtime: Runtime, holder: string, output: CliOutput): Promise<number> {
  const { config } = runtime;
  if (config.PREBUILD_CATCHUP_DAYS === 0) {
    output.out('PREBUILD_CATCHUP_DAYS is 0, so there are no days to catch up.');
    return EXIT_OK;
  }

  const deps: PrebuildDeps = {
    exports: runtime.exports,
    store: runtime.store,
    logger: runtime.logger,
    holder,
    timezone: config.TIMEZONE,
    catchupDays: config.PREBUILD_CATCHUP_DAYS,
    now: () => new Date(),
  };
  const outcome = await runPrebuildCatchUp(deps);
  if (!outcome.ran) {
    output.err(`Skipped: the prebuild lease is held by ${outcome.holder ?? 'another instance'} until ${outcome.expiresAt?.toISOString() ?? 'it expires'}.`);
    return EXIT_LEASE_HELD;
  }
  return reportSettled(runtime, outcome.result, output);
}

/** Waits for each requested export to be ready or failed, prints it, and returns the status. */
async function reportSettled(runtime: Runtime, result: PrebuildResult, output: CliOutput): Promise<number> {
  let failed = result.failures.length > 0;
  for (const line of describePrebuildFailures(result)) output.err(line);

  for (const { day, exportId } of result.days) {
    const record = await waitUntilSettled(runtime, exportId);
    if (record.status === 'failed') failed = true;
    for (const line of describeExport(day, record)) output.out(line);
  }
  return failed ? EXIT_FAILED : EXIT_OK;
}

async function waitUntilSettled(runtime: Runtime, id: string): Promise<ExportRecord> {
  let record = await runtime.exports.getExport(id);
  while (record.status === 'pending' || record.status === 'building') {
    record = await runtime.exports.waitForExport(id, SETTLE_WAIT_SECONDS);
  }
  return record;
}

async function sweep(runtime: Runtime, holder: string, dryRun: boolean, output: CliOutput): Promise<number> {
  const deps: RetentionDeps = { store: runtime.store, cloudinary: runtime.cloudinary, logger: runtime.logger, archiveFolder: runtime.config.ARCHIVE_FOLDER };
  const now = new Date();

  // A dry run changes nothing, so it needs no lease and may run beside a sweep in progress.
  if (dryRun) {
    const report = await runRetentionSweep(deps, now, { dryRun: true });
    for (const line of describeSweep(report)) output.out(line);
    return report.errors.length > 0 ? EXIT_FAILED : EXIT_OK;
  }

  const leaseDeps = { store: runtime.store, logger: runtime.logger, holder, now: () => new Date() };
  const outcome = await runUnderLease(leaseDeps, { name: RETENTION_LEASE, ttlMs: RETENTION_LEASE_MS }, (signal) =>
    runRetentionSweep(deps, now, { dryRun: false, signal }),
  );
  if (!outcome.ran) {
    output.err(`Skipped: the retention lease is held by ${outcome.holder ?? 'another instance'} until ${outcome.expiresAt?.toISOString() ?? 'it expires'}.`);
    return EXIT_LEASE_HELD;
  }
  for (const line of describeSweep(outcome.result)) output.out(line);
  return outcome.result.errors.length > 0 ? EXIT_FAILED : EXIT_OK;
}

async function runSchedules(runtime: Runtime, config: Config, holder: string, output: CliOutput, waitForStop: () => Promise<unknown>): Promise<number> {
  const schedules = startSchedules({
    config,
    store: runtime.store,
    exports: runtime.exports,
    cloudinary: runtime.cloudinary,
    logger: runtime.logger,
    holder,
    now: () => new Date(),
  });
  output.out(`Running prebuild '${config.PREBUILD_CRON}' and retention '${config.RETENTION_CRON}' in ${config.TIMEZONE}; stop with Ctrl-C.`);

  await waitForStop();
  await schedules.stop();
  output.out('Schedules stopped.');
  return EXIT_OK;
}
