import { randomBytes } from 'node:crypto';
import { isoSeconds, unixSeconds } from './clock.js';
import type { EmulatorContext } from './context.js';
import type { SaveResult, StoredAsset } from './storage/asset-store.js';

/** Fields of a new version, except the ids, version and time that the writer assigns. */
export type NewAssetVersion = Omit<StoredAsset, 'assetId' | 'version' | 'versionId' | 'createdAt' | 'seq'>;

export function randomHex32(): string {
  return randomBytes(16).toString('hex');
}

/**
 * Moves a fully written temporary file into the blob store and records the new version.
 * The blob that is no longer current (the new one when `overwrite` is off and the id exists,
 * else the one it replaced) is removed once no reader leases it.
 */
export async function storeAssetVersion(
  context: EmulatorContext,
  version: NewAssetVersion,
  tempPath: string,
  overwrite: boolean,
): Promise<SaveResult> {
  const versionId = randomHex32();
  await context.blobs.commit(tempPath, versionId);

  const now = context.clock();
  const result = context.assets.save(
    { ...version, assetId: randomHex32(), versionId, version: unixSeconds(context.clock), createdAt: isoSeconds(now) },
    overwrite,
  );

  if (result.existing) context.blobs.remove(versionId);
  if (result.replaced) context.blobs.remove(result.replaced.versionId);
  return result;
}
