import yauzl from 'yauzl';
import { sha256 } from './photos.js';

export interface ZipEntry {
  name: string;
  size: number;
  sha256: string;
}

/** Lists a ZIP's entries with the SHA-256 of each one's uncompressed bytes, in archive order. */
export function readZip(bytes: Buffer): Promise<ZipEntry[]> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(bytes, { lazyEntries: true }, (openError, zip) => {
      if (openError || !zip) return reject(openError ?? new Error('not a ZIP'));
      const entries: ZipEntry[] = [];
      zip.on('error', reject);
      zip.on('end', () => resolve(entries));
      zip.on('entry', (entry: yauzl.Entry) => {
        zip.openReadStream(entry, (streamError, stream) => {
          if (streamError || !stream) return reject(streamError ?? new Error('unreadable entry'));
          const chunks: Buffer[] = [];
          stream.on('data', (data: Buffer) => chunks.push(data));
          stream.on('error', reject);
          stream.on('end', () => {
            const content = Buffer.concat(chunks);
            entries.push({ name: entry.fileName, size: content.length, sha256: sha256(content) });
            zip.readEntry();
          });
        });
      });
      zip.readEntry();
    });
  });
}
