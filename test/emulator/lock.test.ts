import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { startEmulator } from '../../src/cloudinary/emulator/index.js';

t.test('data folder held by a live process is rejected', async (t) => {
  const dataDir = t.testdir();
  const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], { stdio: 'ignore' });
  t.teardown(() => other.kill('SIGKILL'));
  mkdirSync(path.join(dataDir, 'emulator'), { recursive: true });
  writeFileSync(path.join(dataDir, 'emulator', '.lock'), String(other.pid));

  await t.rejects(startEmulator({ dataDir }), { message: new RegExp(`is in use by process ${other.pid}`) });

  other.kill('SIGKILL');
  await new Promise((resolve) => other.once('exit', resolve));
  const emulator = await startEmulator({ dataDir });
  t.teardown(() => emulator.close());
  t.ok(emulator.port > 0, 'a stale lock of a dead process is taken over');
});

t.test('emulators in one process may share a folder', async (t) => {
  const dataDir = t.testdir();
  const first = await startEmulator({ dataDir });
  const second = await startEmulator({ dataDir });
  t.not(first.port, second.port);
  await first.close();
  await second.close();
});
