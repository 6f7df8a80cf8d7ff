import { Writable } from 'node:stream';
import pino, { type Logger } from 'pino';
import type { PrebuildDeps } from '../../src/cron/prebuild.js';
import type { ExportRecord } from '../../src/store/types.js';
import type { TestService } from '../helpers/service.js';

export interface LogLine {
  msg: string;
  [key: string]: unknown;
}

/** Creates a pino logger at info level that keeps every line it writes, parsed, in `lines`. */
export function capturingLogger(): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const text of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(text) as LogLine);
      done();
    },
  });
  return { logger: pino({ level: 'info' }, sink), lines };
}

/** Prebuild dependencies on a test service's own export service and store. */
export function prebuildDepsFor(service: TestService, overrides: Partial<PrebuildDeps> & { now: () => Date }): PrebuildDeps {
  const { runtime } = service;
  return {
    exports: runtime.exports,
    store: runtime.store,
    logger: runtime.logger,
    holder: 'instance-a',
    timezone: runtime.config.TIMEZONE,
    catchupDays: runtime.config.PREBUILD_CATCHUP_DAYS,
    ...overrides,
  };
}

export function archiveCount(service: TestService): number {
  return service.runtime.emulator?.stats.count('generate_archive.create') ?? Number.NaN;
}

/**
 * Returns the export once it is ready or failed. Reads the store first, because the HTTP wait
 * delays its reply for the whole wait when the export is already settled.
 */
export async function settledExport(service: TestService, id: string): Promise<ExportRecord> {
  for (let round = 0; round < 60; round += 1) {
    const record = await service.runtime.store.getExport(id);
    if (!record) throw new Error(`export ${id} does not exist`);
    if (record.status === 'ready' || record.status === 'failed') return record;
    await service.runtime.exports.waitForExport(id, 2);
  }
  throw new Error(`export ${id} did not settle`);
}
