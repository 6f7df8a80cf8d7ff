import type { FastifyInstance, FastifyRequest } from 'fastify';
import path from 'node:path';
import { Readable } from 'node:stream';
import { uploadReply } from '../asset-reply.js';
import { randomHex32, storeAssetVersion } from '../asset-writer.js';
import { verifySignedRequest } from '../auth.js';
import type { EmulatorContext } from '../context.js';
import { badRequest } from '../errors.js';
import { detectImageFormat, readImageDimensions } from '../formats.js';
import { readUploadApiBody, writeLimited, type ReceivedFile } from '../multipart.js';
import { assertLoopbackNotificationUrl, sendNotification } from '../notifications.js';
import type { RequestParams } from '../params.js';
import { normalizePublicId, randomPublicId } from '../public-id.js';
import type { ResourceType } from '../storage/asset-store.js';
import { decodeDataUri, isRemoteFileUrl, parseContext, readDeliveryType, readUploadTags } from '../upload-params.js';
import '../fastify-config.js';

type UploadRequest = FastifyRequest<{ Params: { cloud: string; resource_type: string } }>;

export function registerUploadRoutes(app: FastifyInstance, context: EmulatorContext): void {
  app.post('/v1_1/:cloud/:resource_type/upload', { config: { emulatorOperation: 'upload' } }, async (request: UploadRequest, reply) => {
    const result = await handleUpload(context, request);
    return reply.send(result);
  });

  app.post('/v1_1/:cloud/:resource_type/destroy', { config: { emulatorOperation: 'destroy' } }, async (request: UploadRequest, reply) => {
    const result = await handleDestroy(context, request);
    return reply.send(result);
  });
}

async function handleUpload(context: EmulatorContext, request: UploadRequest): Promise<Record<string, unknown>> {
  const requestedType = request.params.resource_type;
  if (!['image', 'video', 'raw', 'auto'].includes(requestedType)) throw badRequest(`Invalid resource_type ${requestedType}`);

  const { maxUploadBytes } = context.settings;
  const body = await readUploadApiBody(request, context.blobs, maxUploadBytes);
  let received: ReceivedFile | null = body.file;

  try {
    const params = body.params;
    const algorithm = verifySignedRequest(context, params, { signedUrl: false });
    if (requestedType === 'video') {
      throw badRequest('Video uploads are not supported by the emulator; upload images or raw files');
    }

    received ??= await receiveFileParameter(context, params);
    if (received === null) throw badRequest('Missing required parameter - file');
    if (received.bytes === 0) throw badRequest('Empty file');
    if (received.tempPath === null) throw badRequest(`File size too large. Got ${received.bytes}. Maximum is ${maxUploadBytes}.`);

    const detectedFormat = detectImageFormat(received.head);
    let resourceType = requestedType as ResourceType;
    if (requestedType === 'auto') resourceType = detectedFormat ? 'image' : 'raw';
    if (resourceType === 'image') checkImageFormat(params, detectedFormat);

    const notificationUrl = params.string('notification_url');
    if (notificationUrl !== undefined) assertLoopbackNotificationUrl(notificationUrl);

    const publicId = derivePublicId(params, resourceType, received.filename);
    const dimensions = resourceType === 'image' ? await readImageDimensions(received.tempPath) : null;
    const originalFilename = params.string('filename_override') ?? path.basename(received.filename, path.extname(received.filename));

    // From here the temporary file belongs to the blob store, so the cleanup below must skip it.
    const file = { ...received, tempPath: received.tempPath };
    received = null;

    const saved = await storeAssetVersion(
      context,
      {
        resourceType,
        type: readDeliveryType(params),
        publicId,
        format: resourceType === 'image' ? (detectedFormat ?? '') : '',
        bytes: file.bytes,
        width: dimensions?.width ?? null,
        height: dimensions?.height ?? null,
        etag: file.md5,
        tags: readUploadTags(params),
        context: parseContext(params.string('context')),
        originalFilename,
        displayName: params.string('display_name') ?? publicId.split('/').pop() ?? publicId,
        assetFolder: params.string('asset_folder') ?? '',
      },
      file.tempPath,
      params.bool('overwrite', true),
    );

    const result = uploadReply(context, saved.asset);
    if (saved.existing) result.existing = true;
    if (saved.replaced) result.overwritten = true;

    if (notificationUrl !== undefined) sendNotification(context, notificationUrl, 'upload', result, algorithm, request.log);
    if (params.bool('async')) {
      return { status: 'pending', resource_type: resourceType, type: saved.asset.type, public_id: publicId, batch_id: randomHex32() };
    }
    return result;
  } finally {
    if (received?.tempPath) await context.blobs.discardTemp(received.tempPath);
  }
}

/** Reads a `file` sent as a text field: a base64 data URI, or a remote URL the emulator does not fetch. */
async function receiveFileParameter(context: EmulatorContext, params: RequestParams): Promise<ReceivedFile | null> {
  const file = params.string('file');
  if (file === undefined) return null;

  if (isRemoteFileUrl(file)) {
    throw badRequest(`Error in loading ${file} - the emulator does not fetch remote files; send the bytes instead`);
  }

  const bytes = decodeDataUri(file);
  if (bytes === null) throw badRequest('Invalid file parameter - expected a file part, a data URI or a URL');

  const written = await writeLimited(Readable.from([bytes]), context.blobs, context.settings.maxUploadBytes);
  return { ...written, filename: 'file' };
}

function checkImageFormat(params: RequestParams, detectedFormat: string | null): void {
  if (detectedFormat === null) throw badRequest('Invalid image file');

  const allowed = params
    .list('allowed_formats')
    .flatMap((value) => value.split(','))
    .map((format) => normalizeFormatName(format.trim()))
    .filter((format) => format !== '');
  if (allowed.length > 0 && !allowed.includes(detectedFormat)) {
    throw badRequest(`Image file format ${detectedFormat} not allowed`);
  }

  const requested = params.string('format');
  if (requested !== undefined && normalizeFormatName(requested) !== detectedFormat) {
    throw badRequest(
      `Format conversion to ${requested} is not supported by the emulator; upload a ${requested} file or leave format out`,
    );
  }
}

function normalizeFormatName(format: string): string {
  const lower = format.toLowerCase();
  return lower === 'jpeg' ? 'jpg' : lower;
}

/**
 * Derives the public id: `public_id` when given, else the file name (plus `_` and 6 random
 * characters unless `unique_filename=0`) with `use_filename=1`, else 20 random characters.
 * Raw assets keep the file extension in the id. `folder` is prefixed, as on fixed-folder accounts.
 */
function derivePublicId(params: RequestParams, resourceType: ResourceType, filename: string): string {
  const extension = path.extname(filename);
  const rawExtension = resourceType === 'raw' ? extension : '';

  let publicId = params.string('public_id');
  if (publicId === undefined && params.bool('use_filename')) {
    const base = path.basename(filename, extension);
    publicId = (params.bool('unique_filename', true) ? `${base}_${randomPublicId(6)}` : base) + rawExtension;
  }
  publicId ??= randomPublicId() + rawExtension;

  const folder = params.string('folder');
  if (folder !== undefined) publicId = `${folder.replace(/\/+$/, '')}/${publicId}`;
  return normalizePublicId(publicId);
}

/** Upload API `destroy`: `{"result":"ok"}`, or `{"result":"not found"}` with status 200. */
async function handleDestroy(context: EmulatorContext, request: UploadRequest): Promise<Record<string, unknown>> {
  const resourceType = request.params.resource_type;
  if (!['image', 'video', 'raw'].includes(resourceType)) throw badRequest(`Invalid resource_type ${resourceType}`);

  const { params } = await readUploadApiBody(request, context.blobs, context.settings.maxUploadBytes);
  verifySignedRequest(context, params, { signedUrl: false });

  const publicId = params.string('public_id');
  if (publicId === undefined) throw badRequest('Missing required parameter - public_id');

  const deleted = context.assets.delete(resourceType as ResourceType, readDeliveryType(params), [publicId]);
  for (const asset of deleted) context.blobs.remove(asset.versionId);
  return { result: deleted.length > 0 ? 'ok' : 'not found' };
}
