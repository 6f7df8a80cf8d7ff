import type { UploadApiResponse } from 'cloudinary';
import { request } from 'undici';
import { CloudinaryError } from './errors.js';
import { defaultRetryHooks, withRetry, type RetryHooks, type RetryPolicy } from './retry.js';
import { callOptions, type CloudinaryCredentials, type CloudinarySdk } from './sdk.js';

export interface UploadedAsset {
  publicId: string;
  version: number;
  format: string;
  bytes: number;
  width: number;
  height: number;
  secureUrl: string;
  /** True when the public id already existed and Cloudinary kept the stored asset. */
  existing: boolean;
}

export interface BuiltArchive {
  publicId: string;
  bytes: number;
  fileCount: number;
  resourceCount: number;
  missingPublicIds: string[];
}

/** The port the services use; nothing else in the project talks to Cloudinary. */
export interface CloudinaryPort {
  uploadPhoto(input: { bytes: Buffer; publicId: string; tags: string[]; context: Record<string, string>; filename: string }): Promise<UploadedAsset>;
  createArchive(input: { publicIds: string[]; targetPublicId: string; tags: string[] }): Promise<BuiltArchive>;
  /** A signed, expiring link to a stored archive (resource type raw). Signs locally; no request. */
  archiveDownloadUrl(archivePublicId: string, expiresAt: Date): string;
  /** A signed download-mode link that makes Cloudinary build a ZIP of `prefixes` when followed. */
  instantZipUrl(input: { prefixes: string[]; expiresAt: Date; targetPublicId: string }): string;
  deliveryUrl(photo: { publicId: string; version: number; format: string }): string;
  /** Deletes stored archives; returns the ids Cloudinary deleted or no longer had. */
  deleteArchives(publicIds: string[]): Promise<{ deleted: string[]; notFound: string[] }>;
  /** Lists stored archives under a folder, one page at a time. */
  listArchives(prefix: string, cursor: string | null): Promise<{ publicIds: string[]; next: string | null }>;
  ping(): Promise<void>;
}

export interface CloudinaryClientOptions {
  sdk: CloudinarySdk;
  credentials: CloudinaryCredentials;
  policy: RetryPolicy;
  hooks?: Partial<RetryHooks>;
}

/** Cloudinary accepts at most 100 public ids per delete_resources call. */
const DELETE_BATCH = 100;

export function createCloudinaryClient(options: CloudinaryClientOptions): CloudinaryPort {
  const { sdk, credentials, policy } = options;
  const hooks: RetryHooks = { ...defaultRetryHooks, ...options.hooks };
  const account = callOptions(credentials);
  const unixSeconds = (date: Date) => Math.floor(date.getTime() / 1000);
  const retry = <T>(operation: string, call: () => Promise<T>) => withRetry(operation, call, policy, hooks);

  function uploadOnce(input: Parameters<CloudinaryPort['uploadPhoto']>[0]): Promise<UploadApiResponse> {
    return new Promise((resolve, reject) => {
      // upload_stream, not upload(): the SDK's upload() treats any string as a path and throws
      // on a Buffer.
      const stream = sdk.uploader.upload_stream(
        {
          ...account,
          public_id: input.publicId,
          tags: input.tags,
          context: input.context,
          filename: input.filename,
          overwrite: false,
          resource_type: 'image',
          timeout: policy.timeoutMs,
        },
        (error, result) => (error || !result ? reject(error ?? new Error('Cloudinary returned no upload result')) : resolve(result)),
      );
      stream.end(input.bytes);
    });
  }

  return {
    async uploadPhoto(input) {
      // overwrite: false makes a retried upload return the stored asset instead of a copy.
      const result = await retry('upload', () => uploadOnce(input));
      return {
        publicId: result.public_id,
        version: result.version,
        format: result.format,
        bytes: result.bytes,
        // Cloudinary measures every image it accepts; 0 marks a reply without a size.
        width: result.width ?? 0,
        height: result.height ?? 0,
        secureUrl: result.secure_url,
        existing: (result as UploadApiResponse & { existing?: boolean }).existing === true,
      };
    },

    async createArchive(input) {
      // mode 'create' only: the download modes respond with ZIP bytes, which the SDK would try
      // to parse as JSON, and which the Node process must never handle.
      const result = await retry('generate_archive', () =>
        sdk.uploader.create_zip({
          ...account,
          resource_type: 'image',
          mode: 'create',
          public_ids: input.publicIds,
          target_public_id: input.targetPublicId,
          target_tags: input.tags,
          allow_missing: true,
          timeout: policy.timeoutMs,
        }) as Promise<Record<string, unknown>>,
      );
      return {
        publicId: String(result.public_id),
        bytes: Number(result.bytes),
        fileCount: Number(result.file_count),
        resourceCount: Number(result.resource_count),
        missingPublicIds: Array.isArray(result.missing_public_ids) ? result.missing_public_ids.map(String) : [],
      };
    },

    archiveDownloadUrl(archivePublicId, expiresAt) {
      return sdk.utils.private_download_url(archivePublicId, '', {
        ...account,
        resource_type: 'raw',
        type: 'upload',
        attachment: true,
        expires_at: unixSeconds(expiresAt),
      });
    },

    instantZipUrl(input) {
      return sdk.utils.download_zip_url({
        ...account,
        resource_type: 'image',
        prefixes: input.prefixes,
        target_public_id: input.targetPublicId,
        expires_at: unixSeconds(input.expiresAt),
      });
    },

    deliveryUrl(photo) {
      // cloudinary.url() ignores upload_prefix, so an emulator on plain HTTP serves delivery
      // from its API host; production keeps the SDK's CDN address.
      if (credentials.uploadPrefix.startsWith('http:')) {
        return `${credentials.uploadPrefix}/${credentials.cloudName}/image/upload/v${photo.version}/${photo.publicId}.${photo.format}`;
      }
      return sdk.url(photo.publicId, { cloud_name: credentials.cloudName, version: photo.version, format: photo.format, secure: true });
    },

    async deleteArchives(publicIds) {
      const deleted: string[] = [];
      const notFound: string[] = [];
      for (let start = 0; start < publicIds.length; start += DELETE_BATCH) {
        const batch = publicIds.slice(start, start + DELETE_BATCH);
        const result = (await retry('delete_resources', () =>
          sdk.api.delete_resources(batch, { ...account, resource_type: 'raw', type: 'upload' }),
        )) as { deleted?: Record<string, string> };
        for (const [publicId, outcome] of Object.entries(result.deleted ?? {})) {
          (outcome === 'deleted' ? deleted : notFound).push(publicId);
        }
      }
      return { deleted, notFound };
    },

    async listArchives(prefix, cursor) {
      const result = (await retry('resources', () =>
        sdk.api.resources({
          ...account,
          resource_type: 'raw',
          type: 'upload',
          prefix,
          max_results: 500,
          ...(cursor ? { next_cursor: cursor } : {}),
        }),
      )) as { resources?: Array<{ public_id: string }>; next_cursor?: string | null };
      return { publicIds: (result.resources ?? []).map((resource) => resource.public_id), next: result.next_cursor ?? null };
    },

    async ping() {
      // Any HTTP response from the API host proves it is reachable; an authenticated call would
      // spend the Admin API's hourly quota on every readiness probe.
      try {
        const response = await request(credentials.uploadPrefix, { method: 'HEAD', headersTimeout: 2000, bodyTimeout: 2000 });
        await response.body.dump();
      } catch (error) {
        throw new CloudinaryError(`Cloudinary API host is unreachable: ${(error as Error).message}`, 0, true);
      }
    },
  };
}
