import type { MultipartFile } from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import { createHash } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Readable } from 'node:stream';
import { FORMAT_SNIFF_BYTES } from './formats.js';
import { RequestParams } from './params.js';
import type { BlobStore } from './storage/blob-store.js';

/** A file received with a request, written to a temporary path. */
export interface ReceivedFile {
  /** Temporary path holding the bytes; absent when the file was over the size limit. */
  tempPath: string | null;
  /** Bytes received, counted in full even past the size limit so the error can name them. */
  bytes: number;
  md5: string;
  head: Buffer;
  /** The multipart file name (`file` for the SDK's `upload_stream` without `filename`). */
  filename: string;
}

export interface ParsedBody {
  params: RequestParams;
  file: ReceivedFile | null;
}

/**
 * Reads the parameters and the optional file part of an Upload API request. Multipart bodies
 * (the SDK's, sent chunked without Content-Length) are streamed, and the file goes to disk,
 * never into memory. Other bodies were already parsed by Fastify (form-encoded or JSON).
 */
export async function readUploadApiBody(request: FastifyRequest, blobs: BlobStore, maxFileBytes: number): Promise<ParsedBody> {
  if (!request.isMultipart()) return { params: RequestParams.fromObject(request.body), file: null };

  const params = new RequestParams();
  let file: ReceivedFile | null = null;

  for await (const part of request.parts()) {
    if (part.type === 'field') {
      params.append(part.fieldname, typeof part.value === 'string' ? part.value : String(part.value));
      continue;
    }

    if (file) {
      // Only one file is accepted; extra file parts are drained so the request can finish.
      part.file.resume();
      continue;
    }
    file = await receiveFilePart(part, blobs, maxFileBytes);
  }

  return { params, file };
}

async function receiveFilePart(part: MultipartFile, blobs: BlobStore, maxFileBytes: number): Promise<ReceivedFile> {
  const received = await writeLimited(part.file, blobs, maxFileBytes);
  return { ...received, filename: part.filename || 'file' };
}

/**
 * Copies a stream to a temporary file, hashing it and keeping its first bytes for format
 * detection. Past `maxBytes` it stops writing, keeps counting, and deletes the partial file.
 */
export async function writeLimited(source: Readable, blobs: BlobStore, maxBytes: number): Promise<Omit<ReceivedFile, 'filename'>> {
  const tempPath = blobs.newTempPath();
  const output: WriteStream = createWriteStream(tempPath);
  const hash = createHash('md5');
  const headChunks: Buffer[] = [];
  let headLength = 0;
  let bytes = 0;

  try {
    for await (const chunk of source as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      if (bytes > maxBytes) continue;

      hash.update(chunk);
      if (headLength < FORMAT_SNIFF_BYTES) {
        headChunks.push(chunk);
        headLength += chunk.length;
      }
      if (!output.write(chunk)) await once(output, 'drain');
    }
  } catch (error) {
    output.destroy();
    await blobs.discardTemp(tempPath);
    throw error;
  }

  output.end();
  await once(output, 'close');

  if (bytes > maxBytes) {
    await blobs.discardTemp(tempPath);
    return { tempPath: null, bytes, md5: '', head: Buffer.alloc(0) };
  }

  return { tempPath, bytes, md5: hash.digest('hex'), head: Buffer.concat(headChunks).subarray(0, FORMAT_SNIFF_BYTES) };
}
