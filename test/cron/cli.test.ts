import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { testPhotos } from '../helpers/photos.js';
import { startTestService, uploadAll } from '../helpers/service.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Runs the CLI as an operator would, through the bin launcher, with only the given settings. */
function cli(args: string[], env: Record<string, string>) {
  const result = spawnSync(process.execPath, [path.join(repoRoot, 'bin', 'plate-archive.js'), ...args], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

t.test('prebuild --date on a shared data folder', async (t) => {
  const service = await startTestService(t, { TIMEZONE: 'Europe/Paris', RETENTION_CRON: 'off' });
  const photos = testPhotos(2, { realFirst: false });
  await uploadAll(service, [
    { photo: photos[0]!, plate: 'FF666FF', capturedAt: '2025-07-14T09:00:00+02:00' },
    { photo: photos[1]!, plate: 'FF666FF', capturedAt: '2025-07-14T18:00:00+02:00' },
  ]);
  const env = { DATA_DIR: service.dataDir, TIMEZONE: 'Europe/Paris' };

  const run = cli(['prebuild', '--date', '2025-07-14'], env);
  t.equal(run.status, 0, run.stderr);
  const match = /^2025-07-14: export (ex_\S+) ready, 2 photos in 1 parts$/m.exec(run.stdout);
  t.ok(match, run.stdout);
  t.match(run.stdout, /^ {2}part 1: 2 files, \d+ bytes of photos, archive exports\/ex_\S+\/part-1\.zip$/m);
  t.notMatch(run.stdout, /https?:\/\//, 'no signed URL is printed');

  // The service reads the same store, so the day is ready for a user at once.
  const response = await service.postExport({ from: '2025-07-14', to: '2025-07-14' });
  const body = (await response.json()) as { id: string; status: string };
  t.equal(response.status, 200);
  t.equal(body.id, match?.[1]);
  t.equal(service.runtime.emulator?.stats.count('generate_archive.create'), 0, 'the service built nothing itself');

  const sweep = cli(['sweep', '--dry-run'], env);
  t.equal(sweep.status, 0, sweep.stderr);
  t.equal(sweep.stdout.trim(), 'dry run: would delete 0 expired exports and 0 archives');
});

t.test('invalid arguments and configuration', async (t) => {
  const dataDir = t.testdir();
  const badDate = cli(['prebuild', '--date', '2025-02-30'], { DATA_DIR: dataDir });
  t.equal(badDate.status, 2);
  t.match(badDate.stderr, /Invalid --date '2025-02-30'/);

  const badZone = cli(['sweep'], { DATA_DIR: dataDir, TIMEZONE: 'Mars/Olympus' });
  t.equal(badZone.status, 2);
  t.match(badZone.stderr, /TIMEZONE: must be an IANA time zone name/);

  const unknown = cli(['rebuild'], {});
  t.equal(unknown.status, 2);
  t.match(unknown.stderr, /Unknown command 'rebuild'/);

  const help = cli(['--help'], {});
  t.equal(help.status, 0);
  t.match(help.stdout, /prebuild --date YYYY-MM-DD/);
});
