import path from 'node:path';
import type { Readable } from 'node:stream';
import { ZipFile } from 'yazl';
import type { BlobStore } from '../storage/blob-store.js';
import type { StoredAsset } from '../storage/asset-store.js';

export interface EntryNaming {
  flattenFolders: boolean;
  useOriginalFilename: boolean;
}

/**
 * Names each asset's entry: `<public_id>.<format>` (raw assets: `<public_id>`, their extension is
 * in the id), keeping folders unless `flatten_folders`. With `use_original_filename` the file
 * name part is the asset's original file name instead.
 * NOTE: Cloudinary adds "a numeric counter" to clashing names without documenting the pattern;
 * the emulator inserts `_1`, `_2`, ... before the extension.
 */
export function archiveEntryNames(assets: readonly StoredAsset[], naming: EntryNaming): string[] {
  const used = new Set<string>();

  return assets.map((asset) => {
    const extension = asset.format === '' ? path.posix.extname(asset.publicId) : `.${asset.format}`;
    const idWithoutExtension = asset.format === '' ? asset.publicId.slice(0, asset.publicId.length - extension.length) : asset.publicId;
    const folder = path.posix.dirname(idWithoutExtension);
    const baseName = naming.useOriginalFilename ? asset.originalFilename : path.posix.basename(idWithoutExtension);
    const stem = naming.flattenFolders || folder === '.' ? baseName : `${folder}/${baseName}`;

    let name = `${stem}${extension}`;
    for (let counter = 1; used.has(name); counter += 1) name = `${stem}_${counter}${extension}`;
    used.add(name);
    return name;
  });
}

/**
 * Streams a ZIP of the assets' stored bytes, read from disk one entry at a time by yazl, so
 * no archive is ever held in memory. Entries are stored uncompressed (the photos are already
 * compressed); their bytes are the originals, unchanged.
 */
export function createZipStream(assets: readonly StoredAsset[], names: readonly string[], blobs: BlobStore): Readable {
  const zip = new ZipFile();
  const output = zip.outputStream as Readable;
  zip.on('error', (error: Error) => output.destroy(error));

  assets.forEach((asset, index) => {
    zip.addFile(blobs.pathOf(asset.versionId), names[index] ?? asset.publicId, {
      compress: false,
      mtime: new Date(asset.createdAt),
    });
  });
  zip.end();
  return output;
}
