import cron, { type Logger as CronLogger, type ScheduledTask } from 'node-cron';
import type { Logger } from 'pino';
import type { CloudinaryPort } from '../cloudinary/client.js';
import type { Config } from '../config.js';
import type { ExportService } from '../services/exports.js';
import type { Store } from '../store/types.js';
import type { LeaseOutcome } from './lease.js';
import { runPrebuildCatchUp, runPrebuildTick, type PrebuildDeps, type PrebuildResult } from './prebuild.js';
import { runRetentionTick } from './retention.js';

/** The value of PREBUILD_CRON or RETENTION_CRON that disables the job. */
export const SCHEDULE_OFF = 'off';

export interface ScheduleDeps {
  config: Pick<Config, 'TIMEZONE' | 'PREBUILD_CRON' | 'RETENTION_CRON' | 'PREBUILD_CATCHUP_DAYS' | 'ARCHIVE_FOLDER'>;
  store: Pick<Store, 'acquireLease' | 'releaseLease' | 'getLease' | 'listExpiredExports' | 'deleteExport' | 'getExport'>;
  exports: Pick<ExportService, 'requestExport'>;
  cloudinary: Pick<CloudinaryPort, 'deleteArchives' | 'listArchives'>;
  logger: Logger;
  /** Identifies this instance in leases; unique per process. */
  holder: string;
  now: () => Date;
}

export interface Schedules {
  /** Resolves when the start-up catch-up has finished (at once when prebuilding is off). */
  readonly catchUp: Promise<void>;
  /** Stops the cron tasks, aborts a tick in flight at its next step, and waits for it. */
  stop(): Promise<void>;
}

export function isScheduleOff(expression: string): boolean {
  return expression.trim().toLowerCase() === SCHEDULE_OFF;
}

/**
 * Checks PREBUILD_CRON and RETENTION_CRON and returns one message per invalid value, so a
 * typo stops the service at start-up instead of silently never running the job.
 */
export function scheduleProblems(config: Pick<Config, 'PREBUILD_CRON' | 'RETENTION_CRON'>): string[] {
  const problems: string[] = [];
  for (const [name, expression] of [['PREBUILD_CRON', config.PREBUILD_CRON], ['RETENTION_CRON', config.RETENTION_CRON]] as const) {
    if (!isScheduleOff(expression) && !cron.validate(expression)) {
      problems.push(`${name}: '${expression}' is not a valid cron expression; use five fields such as '15 0 * * *', or 'off'`);
    }
  }
  return problems;
}

/**
 * Starts the nightly prebuild and the retention sweep as node-cron tasks in TIMEZONE, and runs
 * the start-up catch-up of missed nights in the background. Every instance starts them; the
 * leases in the store let one instance run each tick.
 */
export function startSchedules(deps: ScheduleDeps): Schedules {
  const { config, logger } = deps;
  const problems = scheduleProblems(config);
  if (problems.length > 0) throw new Error(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);

  const controller = new AbortController();
  const inFlight = new Set<Promise<unknown>>();
  const tasks: ScheduledTask[] = [];
  const prebuildDeps: PrebuildDeps = {
    exports: deps.exports,
    store: deps.store,
    logger,
    holder: deps.holder,
    timezone: config.TIMEZONE,
    catchupDays: config.PREBUILD_CATCHUP_DAYS,
    now: deps.now,
  };

  const track = <T>(name: string, work: () => Promise<T>): Promise<void> => {
    const running = work().then(
      () => undefined,
      (error: unknown) => logger.error({ err: error, job: name }, 'cron job failed'),
    );
    inFlight.add(running);
    void running.finally(() => inFlight.delete(running));
    return running;
  };

  const schedule = (name: string, expression: string, tick: (tickTime: Date) => Promise<unknown>) => {
    const task = cron.schedule(expression, (context) => track(name, () => tick(context.date)), {
      timezone: config.TIMEZONE,
      name,
      noOverlap: true,
      logger: cronLogger(logger.child({ job: name })),
    });
    task.on('execution:missed', (context) => {
      logger.warn({ job: name, scheduledAt: context.date }, 'cron tick missed; the next tick or catch-up covers its days');
    });
    tasks.push(task);
    logger.info({ job: name, expression, timezone: config.TIMEZONE, nextRun: task.getNextRun() }, 'cron job scheduled');
  };

  let catchUp: Promise<void> = Promise.resolve();
  if (isScheduleOff(config.PREBUILD_CRON)) {
    logger.info({ job: 'prebuild' }, 'cron job disabled by PREBUILD_CRON=off');
  } else {
    schedule('prebuild', config.PREBUILD_CRON, async (tickTime) => logPrebuild(logger, 'prebuild tick', await runPrebuildTick(prebuildDeps, tickTime, controller.signal)));
    if (config.PREBUILD_CATCHUP_DAYS > 0) {
      catchUp = track('prebuild-catch-up', async () => logPrebuild(logger, 'prebuild catch-up', await runPrebuildCatchUp(prebuildDeps, controller.signal)));
    }
  }

  if (isScheduleOff(config.RETENTION_CRON)) {
    logger.info({ job: 'retention' }, 'cron job disabled by RETENTION_CRON=off');
  } else {
    const retentionDeps = { ...deps, archiveFolder: config.ARCHIVE_FOLDER };
    schedule('retention', config.RETENTION_CRON, (tickTime) => runRetentionTick(retentionDeps, tickTime, controller.signal));
  }

  let stopping: Promise<void> | null = null;
  return {
    catchUp,
    stop() {
      stopping ??= (async () => {
        controller.abort(new Error('schedules stopped'));
        await Promise.all(tasks.map((task) => task.destroy()));
        await Promise.all([...inFlight]);
      })();
      return stopping;
    },
  };
}

function logPrebuild(logger: Logger, message: string, outcome: LeaseOutcome<PrebuildResult>): void {
  if (!outcome.ran) return;
  const queued = outcome.result.days.filter((day) => day.status !== 'ready').map((day) => day.day);
  logger.info({ days: outcome.result.days.map((day) => day.day), queued, failures: outcome.result.failures.length }, message);
}

/** Routes node-cron's own messages (overlap, missed runs) into the service's pino logger. */
function cronLogger(logger: Logger): CronLogger {
  return {
    info: (message) => logger.info(message),
    warn: (message) => logger.warn(message),
    error: (message, error) => logger.error({ err: error ?? message }, typeof message === 'string' ? message : 'node-cron error'),
    debug: (message, error) => logger.debug({ err: error }, typeof message === 'string' ? message : 'node-cron debug'),
  };
}
