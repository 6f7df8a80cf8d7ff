import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { startEmulator } from '../../src/cloudinary/emulator/index.js';
import { testPhotos } from '../helpers/photos.js';
import { startTestService, uploadAll } from '../helpers/service.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * Runs the CLI as an operator would, through the bin launcher, with only the given settings.
 * Asynchronous, because the emulator it talks to may live in this test process.
 */
function cli(args: string[], env: Record<string, string>): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.join(repoRoot, 'bin', 'plate-archive.js'), ...args],
      { cwd: repoRoot, env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn', ...env }, encoding: 'utf8', timeout: 60_000 },
      (error, stdout, stderr) => {
        // execFile reports a non-zero exit as an error whose code is the exit status.
        let status: number | null = 0;
        if (error) status = typeof error.code === 'number' ? error.code : null;
        resolve({ status, stdout, stderr });
      },
    );
  });
}

t.test('prebuild --date through a shared emulator', async (t) => {
  // The supported way for a service and the CLI to share Cloudinary: one standalone emulator.
  const emulator = await startEmulator({ dataDir: t.testdir() });
  t.teardown(() => emulator.close());
  const service = await startTestService(t, { TIMEZONE: 'Europe/Paris', CLOUDINARY_URL: emulator.cloudinaryUrl });
  const photos = testPhotos(2, { realFirst: false });
  await uploadAll(service, [
    { photo: photos[0]!, plate: 'FF666FF', capturedAt: '2025-07-14T09:00:00+02:00' },
    { photo: photos[1]!, plate: 'FF666FF', capturedAt: '2025-07-14T18:00:00+02:00' },
  ]);
  const env = { DATA_DIR: service.dataDir, TIMEZONE: 'Europe/Paris', CLOUDINARY_URL: emulator.cloudinaryUrl };

  const run = await cli(['prebuild', '--date', '2025-07-14'], env);
  t.equal(run.status, 0, run.stderr);
  const match = /^2025-07-14: export (ex_\S+) ready, 2 photos in 1 part$/m.exec(run.stdout);
  t.ok(match, run.stdout);
  t.match(run.stdout, /^ {2}part 1: 2 files, \d+ bytes of photos, archive exports\/ex_\S+\/part-1\.zip$/m);
  t.notMatch(run.stdout, /https?:\/\//, 'no signed URL is printed');
  t.equal(emulator.stats.count('generate_archive.create'), 1, 'the CLI built the day');

  // The service reads the same store, so the day is ready for a user at once.
  const response = await service.postExport({ from: '2025-07-14', to: '2025-07-14' });
  const body = (await response.json()) as { id: string; status: string };
  t.equal(response.status, 200);
  t.equal(body.id, match?.[1]);
  t.equal(emulator.stats.count('generate_archive.create'), 1, 'the service built nothing itself');

  const sweep = await cli(['sweep', '--dry-run'], env);
  t.equal(sweep.status, 0, sweep.stderr);
  t.equal(sweep.stdout.trim(), 'dry run: would delete 0 expired exports and 0 archives');
});

t.test('CLI beside a service with its own emulator is refused', async (t) => {
  const service = await startTestService(t);
  const run = await cli(['sweep', '--dry-run'], { DATA_DIR: service.dataDir });
  t.equal(run.status, 1);
  t.match(run.stderr, new RegExp(`Could not start: Emulator data folder \\S+ is in use by process ${process.pid}`));
  t.equal(run.stdout, '');
});

t.test('invalid arguments and configuration', async (t) => {
  const dataDir = t.testdir();
  const badDate = await cli(['prebuild', '--date', '2025-02-30'], { DATA_DIR: dataDir });
  t.equal(badDate.status, 2);
  t.match(badDate.stderr, /Invalid --date '2025-02-30'/);

  const badZone = await cli(['sweep'], { DATA_DIR: dataDir, TIMEZONE: 'Mars/Olympus' });
  t.equal(badZone.status, 2);
  t.match(badZone.stderr, /TIMEZONE: must be an IANA time zone name/);

  const unknown = await cli(['rebuild'], {});
  t.equal(unknown.status, 2);
  t.match(unknown.stderr, /Unknown command 'rebuild'/);

  const help = await cli(['--help'], {});
  t.equal(help.status, 0);
  t.match(help.stdout, /prebuild --date YYYY-MM-DD/);
});
