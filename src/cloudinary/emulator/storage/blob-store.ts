import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';

/**
 * Asset bytes on disk: one file per stored version under `blobs/`, named by its `version_id`.
 * Files are written to `tmp/` first and renamed into place, so a reader never sees a partial file.
 * A blob that is being streamed (an archive build, a download) is leased, and removing it waits
 * until the last lease is released, so an overwrite cannot cut a reader short.
 */
export class BlobStore {
  private readonly blobDir: string;
  private readonly tmpDir: string;
  private readonly leases = new Map<string, number>();
  private readonly pendingRemovals = new Set<string>();

  constructor(root: string) {
    this.blobDir = path.join(root, 'blobs');
    this.tmpDir = path.join(root, 'tmp');

    // Temporary files of a previous run belong to requests that never finished.
    rmSync(this.tmpDir, { recursive: true, force: true });
    mkdirSync(this.tmpDir, { recursive: true });
    mkdirSync(this.blobDir, { recursive: true });
  }

  newTempPath(): string {
    return path.join(this.tmpDir, randomBytes(12).toString('hex'));
  }

  pathOf(blobName: string): string {
    return path.join(this.blobDir, blobName.slice(0, 2), blobName);
  }

  async commit(tempPath: string, blobName: string): Promise<void> {
    const target = this.pathOf(blobName);
    await mkdir(path.dirname(target), { recursive: true });
    await rename(tempPath, target);
  }

  async discardTemp(tempPath: string): Promise<void> {
    await rm(tempPath, { force: true });
  }

  /** Leases the blobs for reading; call the returned function once when done with them. */
  lease(blobNames: readonly string[]): () => void {
    for (const name of blobNames) this.leases.set(name, (this.leases.get(name) ?? 0) + 1);

    let released = false;
    return () => {
      if (released) return;
      released = true;
      for (const name of blobNames) this.releaseOne(name);
    };
  }

  /** Removes a blob now, or when its last lease is released. */
  remove(blobName: string): void {
    if ((this.leases.get(blobName) ?? 0) > 0) {
      this.pendingRemovals.add(blobName);
      return;
    }
    void rm(this.pathOf(blobName), { force: true });
  }

  private releaseOne(blobName: string): void {
    const count = (this.leases.get(blobName) ?? 1) - 1;
    if (count > 0) {
      this.leases.set(blobName, count);
      return;
    }

    this.leases.delete(blobName);
    if (this.pendingRemovals.delete(blobName)) void rm(this.pathOf(blobName), { force: true });
  }
}
