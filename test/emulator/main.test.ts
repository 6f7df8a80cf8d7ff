import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import t from 'tap';

const MAIN = path.resolve('src/cloudinary/emulator/main.ts');

t.test('main prints CLOUDINARY_URL', async (t) => {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'cloudinary-emulator-main-'));
  t.teardown(() => rm(dataDir, { recursive: true, force: true }));

  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    env: { ...process.env, EMULATOR_PORT: '0', DATA_DIR: dataDir, EMULATOR_CLOUD_NAME: 'main-cloud', EMULATOR_API_SECRET: 'main-secret' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = once(child, 'exit');
  t.teardown(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  const stderr: Buffer[] = [];
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));

  const lines = createInterface({ input: child.stdout });
  const [line] = (await once(lines, 'line')) as [string];
  t.match(line, /^CLOUDINARY_URL=cloudinary:\/\/123456789012345:main-secret@main-cloud\?upload_prefix=http:\/\/127\.0\.0\.1:\d+$/);

  const origin = /upload_prefix=(.+)$/.exec(line)?.[1] ?? '';
  const stats = await fetch(`${origin}/__emulator/stats`);
  t.equal(stats.status, 200);

  child.kill('SIGTERM');
  const [code] = (await exited) as [number | null];
  t.equal(code, 0, 'exits cleanly on SIGTERM');
  t.notMatch(Buffer.concat(stderr).toString(), /main-secret/, 'logs never contain the secret');
});
