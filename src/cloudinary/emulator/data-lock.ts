import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Marks an emulator data folder as used by this process. Two emulator processes on one folder
 * would each keep their own view of the assets, so the second one is rejected with a message
 * that names the process using the folder. A lock left by a process that has died is taken
 * over. Emulators inside one process may share a folder (tests restart them).
 */
export function lockDataFolder(root: string): () => void {
  const file = path.join(root, '.lock');
  const holder = readHolder(file);
  if (holder !== null && holder !== process.pid && isRunning(holder)) {
    throw new Error(
      `Emulator data folder ${root} is in use by process ${holder}. Stop that process, choose another DATA_DIR, ` +
        'or run one shared emulator (npm run emulator) and point every process at its CLOUDINARY_URL',
    );
  }

  writeFileSync(file, String(process.pid));
  return () => {
    if (readHolder(file) === process.pid) rmSync(file, { force: true });
  };
}

function readHolder(file: string): number | null {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM means the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
