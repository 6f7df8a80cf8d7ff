import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { createReadStream } from 'node:fs';
import path from 'node:path';
import { uploadReply } from '../asset-reply.js';
import { storeAssetVersion } from '../asset-writer.js';
import { parseArchiveRequest, type ArchiveRequest } from '../archive/archive-request.js';
import { selectArchiveAssets, type ArchiveSelection } from '../archive/selection.js';
import { archiveEntryNames, createZipStream } from '../archive/zip-writer.js';
import { verifySignedRequest } from '../auth.js';
import type { EmulatorContext } from '../context.js';
import { badRequest } from '../errors.js';
import { readUploadApiBody, writeLimited } from '../multipart.js';
import { assertLoopbackNotificationUrl, sendNotification } from '../notifications.js';
import { RequestParams } from '../params.js';
import { normalizePublicId, randomPublicId } from '../public-id.js';
import type { StoredAsset } from '../storage/asset-store.js';
import '../fastify-config.js';

type ArchiveHttpRequest = FastifyRequest<{ Params: { cloud: string; resource_type: string }; Querystring: unknown }>;

export function registerArchiveRoutes(app: FastifyInstance, context: EmulatorContext): void {
  app.post(
    '/v1_1/:cloud/:resource_type/generate_archive',
    { config: { emulatorOperation: 'generate_archive.create' } },
    async (request: ArchiveHttpRequest, reply) => {
      const { params } = await readUploadApiBody(request, context.blobs, context.settings.maxUploadBytes);
      const algorithm = verifySignedRequest(context, params, { signedUrl: false });
      const archive = parseArchiveRequest(request.params.resource_type, params);
      if (archive.notificationUrl !== undefined) assertLoopbackNotificationUrl(archive.notificationUrl);

      const selection = selectArchiveAssets(context, archive, 'generate_archive.create');

      // Download modes reply with the ZIP bytes even over POST, as the service does, so that a
      // caller using create_zip with them gets the SDK's JSON parse error here too.
      if (archive.mode === 'download') return sendZip(context, reply, archive, selection);

      const stored = await buildAndStore(context, archive, selection);
      const result = archiveReply(context, stored, selection);
      if (archive.notificationUrl !== undefined) {
        sendNotification(context, archive.notificationUrl, 'generate_archive', result, algorithm, request.log);
      }
      if (archive.mode === 'create_and_download') return sendStoredZip(context, reply, stored);
      return reply.send(result);
    },
  );

  app.get(
    '/v1_1/:cloud/:resource_type/generate_archive',
    { config: { emulatorOperation: 'generate_archive.download', emulatorCldErrorHeader: true } },
    async (request: ArchiveHttpRequest, reply) => {
      const params = RequestParams.fromObject(request.query);
      verifySignedRequest(context, params, { signedUrl: true });

      const archive = parseArchiveRequest(request.params.resource_type, params);
      if (archive.mode !== 'download') {
        throw badRequest(`Invalid mode ${archive.mode} for a GET request - signed archive URLs use mode=download`);
      }

      const selection = selectArchiveAssets(context, archive, 'generate_archive.download');
      return sendZip(context, reply, archive, selection);
    },
  );
}

/** Builds the ZIP into a temporary file and stores it as the raw asset `<target_public_id>.zip`. */
async function buildAndStore(context: EmulatorContext, archive: ArchiveRequest, selection: ArchiveSelection): Promise<StoredAsset> {
  const publicId = normalizePublicId(`${archive.targetPublicId ?? randomPublicId()}.zip`);
  const names = archiveEntryNames(selection.assets, archive);
  const release = context.blobs.lease(selection.assets.map((asset) => asset.versionId));

  let written;
  try {
    written = await writeLimited(createZipStream(selection.assets, names, context.blobs), context.blobs, Number.MAX_SAFE_INTEGER);
  } finally {
    release();
  }
  if (written.tempPath === null) throw new Error('Archive build lost its temporary file');

  const fileName = publicId.split('/').pop() ?? publicId;
  const saved = await storeAssetVersion(
    context,
    {
      resourceType: 'raw',
      type: 'upload',
      publicId,
      format: '',
      bytes: written.bytes,
      width: null,
      height: null,
      etag: written.md5,
      tags: [...new Set(archive.targetTags)],
      context: null,
      originalFilename: path.posix.basename(fileName, '.zip'),
      displayName: fileName,
      assetFolder: '',
    },
    written.tempPath,
    true,
  );
  return saved.asset;
}

/** Builds the create-mode reply: the stored raw asset's fields plus the archive counts. */
function archiveReply(context: EmulatorContext, stored: StoredAsset, selection: ArchiveSelection): Record<string, unknown> {
  const { original_filename: _originalFilename, api_key: _apiKey, ...fields } = uploadReply(context, stored);
  const result: Record<string, unknown> = {
    ...fields,
    resource_count: selection.assets.length,
    file_count: selection.assets.length,
  };
  if (selection.missingPublicIds.length > 0) result.missing_public_ids = selection.missingPublicIds;
  if (selection.emptyTags.length > 0) result.empty_tags = selection.emptyTags;
  if (selection.emptyPrefixes.length > 0) result.empty_prefixes = selection.emptyPrefixes;
  return result;
}

/** Streams a freshly built ZIP as the reply; nothing is stored. */
function sendZip(context: EmulatorContext, reply: FastifyReply, archive: ArchiveRequest, selection: ArchiveSelection): FastifyReply {
  const names = archiveEntryNames(selection.assets, archive);
  const release = context.blobs.lease(selection.assets.map((asset) => asset.versionId));
  const stream = createZipStream(selection.assets, names, context.blobs);
  stream.once('close', release);
  stream.once('error', (error) => reply.log.error({ err: error }, 'building a download-mode archive failed'));

  const fileName = `${(archive.targetPublicId ?? randomPublicId()).split('/').pop()}.zip`;
  return reply
    .type('application/zip')
    .header('content-disposition', `attachment; filename="${fileName}"`)
    .send(stream);
}

function sendStoredZip(context: EmulatorContext, reply: FastifyReply, stored: StoredAsset): FastifyReply {
  const release = context.blobs.lease([stored.versionId]);
  const stream = createReadStream(context.blobs.pathOf(stored.versionId));
  stream.once('close', release);

  const fileName = stored.publicId.split('/').pop() ?? stored.publicId;
  return reply
    .type('application/zip')
    .header('content-disposition', `attachment; filename="${fileName}"`)
    .send(stream);
}
