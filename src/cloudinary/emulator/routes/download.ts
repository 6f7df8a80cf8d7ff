import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { createReadStream } from 'node:fs';
import path from 'node:path';
import { verifySignedRequest } from '../auth.js';
import type { EmulatorContext } from '../context.js';
import { badRequest, CloudinaryApiError, notFound, resourceNotFound } from '../errors.js';
import { contentTypeFor } from '../formats.js';
import { RequestParams } from '../params.js';
import type { ServedResourceType } from '../stats.js';
import type { ResourceType, StoredAsset } from '../storage/asset-store.js';
import { readDeliveryType } from '../upload-params.js';
import '../fastify-config.js';

export function registerDownloadRoutes(app: FastifyInstance, context: EmulatorContext): void {
  app.get(
    '/v1_1/:cloud/:resource_type/download',
    { config: { emulatorOperation: 'download', emulatorCldErrorHeader: true } },
    async (request: FastifyRequest<{ Params: { resource_type: string }; Querystring: unknown }>, reply) => {
      const params = RequestParams.fromObject(request.query);
      verifySignedRequest(context, params, { signedUrl: true });

      const resourceType = request.params.resource_type;
      if (!['image', 'video', 'raw'].includes(resourceType)) throw badRequest(`Invalid resource_type ${resourceType}`);
      const publicId = params.string('public_id');
      if (publicId === undefined) throw badRequest('Missing required parameter - public_id');

      const asset = context.assets.get(resourceType as ResourceType, readDeliveryType(params), publicId);
      if (!asset) throw resourceNotFound(publicId);

      const format = params.string('format');
      if (format !== undefined && asset.format !== '' && format.toLowerCase() !== asset.format) {
        throw badRequest(`Format conversion to ${format} is not supported by the emulator; request the stored format ${asset.format}`);
      }

      if (params.bool('attachment')) {
        const fileName = path.posix.basename(asset.publicId) + (asset.format === '' ? '' : `.${asset.format}`);
        reply.header('content-disposition', `attachment; filename="${fileName}"`);
      }
      return sendAssetBytes(context, reply, asset);
    },
  );

  for (const resourceType of ['image', 'raw'] as const) {
    app.get(
      `/:cloud/${resourceType}/:type/*`,
      { config: { emulatorOperation: `delivery.${resourceType}`, emulatorCldErrorHeader: true } },
      async (request: FastifyRequest<{ Params: { cloud: string; type: string; '*': string } }>, reply) => {
        if (request.params.cloud !== context.settings.cloudName) throw notFound(`Unknown cloud name ${request.params.cloud}`);

        const asset = findDeliveredAsset(context, resourceType, request.params.type, request.params['*']);
        if (asset.type !== 'upload') {
          throw new CloudinaryApiError(401, `Resource ${asset.publicId} has type ${asset.type}; use a signed download URL`);
        }
        return sendAssetBytes(context, reply, asset);
      },
    );
  }
}

/**
 * Resolves a delivery path `[v<version>/]<public_id>[.<format>]`. The version is ignored, as a
 * CDN serves the current version for any version number.
 */
function findDeliveredAsset(context: EmulatorContext, resourceType: ResourceType, type: string, rest: string): StoredAsset {
  const withoutVersion = rest.replace(/^v\d+\//, '');
  const typeParams = RequestParams.fromEntries([['type', type]]);
  const deliveryType = readDeliveryType(typeParams);

  if (resourceType === 'raw') {
    const asset = context.assets.get('raw', deliveryType, withoutVersion);
    if (!asset) throw resourceNotFound(withoutVersion);
    return asset;
  }

  const extension = path.posix.extname(withoutVersion);
  const publicId = extension === '' ? withoutVersion : withoutVersion.slice(0, -extension.length);
  const asset = context.assets.get(resourceType, deliveryType, publicId);
  if (!asset) throw resourceNotFound(publicId);
  if (extension !== '' && extension.slice(1).toLowerCase() !== asset.format) {
    throw badRequest(`Format conversion to ${extension.slice(1)} is not supported by the emulator; request .${asset.format}`);
  }
  return asset;
}

/** Streams the stored bytes, counting them and keeping the blob leased until the stream closes. */
function sendAssetBytes(context: EmulatorContext, reply: FastifyReply, asset: StoredAsset): FastifyReply {
  const release = context.blobs.lease([asset.versionId]);
  const stream = createReadStream(context.blobs.pathOf(asset.versionId));
  stream.once('close', release);

  const servedAs: ServedResourceType | null = asset.resourceType === 'video' ? null : asset.resourceType;
  if (servedAs) stream.on('data', (chunk: string | Buffer) => context.stats.recordServedBytes(servedAs, chunk.length));

  return reply
    .type(contentTypeFor(asset.format, asset.publicId))
    .header('content-length', String(asset.bytes))
    .header('etag', `"${asset.etag}"`)
    .send(stream);
}
