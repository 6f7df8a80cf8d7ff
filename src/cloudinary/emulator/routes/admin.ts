import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { adminListItem, adminResourceDetail } from '../asset-reply.js';
import { verifyAdminCredentials } from '../auth.js';
import type { EmulatorContext } from '../context.js';
import { badRequest, resourceNotFound } from '../errors.js';
import { RequestParams } from '../params.js';
import { rateLimitHeaders } from '../rate-limit.js';
import type { DeliveryType, ResourceType, StoredAsset } from '../storage/asset-store.js';
import { readDeliveryType } from '../upload-params.js';
import '../fastify-config.js';

const MAX_RESULTS_DEFAULT = 10;
const MAX_RESULTS_LIMIT = 500;
const MAX_DELETE_PUBLIC_IDS = 100;
const MAX_BULK_DELETE = 1000;

type AdminRequest = FastifyRequest & {
  params: { resource_type: string; type?: string; tag?: string; public_id?: string };
};

/**
 * Registers the Admin API calls the product uses: listings, one asset, and the three deletes.
 * Every call needs HTTP Basic `api_key:api_secret`, counts against the hourly quota and carries
 * the `X-FeatureRateLimit-*` headers.
 */
export function registerAdminRoutes(app: FastifyInstance, context: EmulatorContext): void {
  const list = { config: { emulatorOperation: 'admin.resources' as const }, preHandler: authorize(context) };
  const remove = { config: { emulatorOperation: 'admin.delete' as const }, preHandler: authorize(context) };

  app.get('/v1_1/:cloud/resources/:resource_type', list, async (request) => listResources(context, request as AdminRequest));
  app.get('/v1_1/:cloud/resources/:resource_type/:type', list, async (request) => listResources(context, request as AdminRequest));
  app.get('/v1_1/:cloud/resources/:resource_type/tags/:tag', list, async (request) => listResources(context, request as AdminRequest));

  app.get('/v1_1/:cloud/resources/:resource_type/:type/:public_id', list, async (untypedRequest) => {
    const request = untypedRequest as AdminRequest;
    const resourceType = readResourceType(request.params.resource_type);
    const type = readDeliveryType(RequestParams.fromEntries([['type', request.params.type ?? 'upload']]));
    const publicId = request.params.public_id ?? '';

    const asset = context.assets.get(resourceType, type, publicId);
    if (!asset) throw resourceNotFound(publicId);
    return adminResourceDetail(context, asset);
  });

  app.delete('/v1_1/:cloud/resources/:resource_type/:type', remove, async (request) => deleteResources(context, request as AdminRequest));
  app.delete('/v1_1/:cloud/resources/:resource_type/tags/:tag', remove, async (request) =>
    deleteResources(context, request as AdminRequest),
  );
}

function authorize(context: EmulatorContext) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    verifyAdminCredentials(context, request.headers.authorization);
    const state = context.adminRateLimiter.consume();
    reply.headers(rateLimitHeaders(state));
  };
}

function readResourceType(value: string): ResourceType {
  if (value !== 'image' && value !== 'video' && value !== 'raw') throw badRequest(`Invalid resource_type ${value}`);
  return value;
}

/**
 * `resources` and `resources_by_tag`: newest first, `max_results` 1-500 (default 10), and an
 * opaque `next_cursor` that is absent on the last page.
 * NOTE: `direction`, `start_at` and the other listing options are accepted and ignored.
 */
function listResources(context: EmulatorContext, request: AdminRequest): Record<string, unknown> {
  const params = RequestParams.fromObject(request.query);
  const resourceType = readResourceType(request.params.resource_type);
  const type: DeliveryType | undefined =
    request.params.type === undefined ? undefined : readDeliveryType(RequestParams.fromEntries([['type', request.params.type]]));
  const maxResults = readMaxResults(params);
  const cursor = params.string('next_cursor');

  const prefix = params.string('prefix');
  const matches = context.assets.find({
    resourceTypes: [resourceType],
    type,
    tagsAny: request.params.tag === undefined ? undefined : [request.params.tag],
    prefixes: prefix === undefined ? undefined : [prefix],
    beforeSeq: cursor === undefined ? undefined : decodeCursor(cursor),
    limit: maxResults + 1,
  });

  const page = matches.slice(0, maxResults);
  const include = { tags: params.bool('tags'), context: params.bool('context') };
  const result: Record<string, unknown> = { resources: page.map((asset) => adminListItem(context, asset, include)) };

  const last = page[page.length - 1];
  if (matches.length > maxResults && last) result.next_cursor = encodeCursor(last.seq);
  return result;
}

function readMaxResults(params: RequestParams): number {
  const text = params.string('max_results');
  if (text === undefined) return MAX_RESULTS_DEFAULT;

  const value = Number(text);
  if (!Number.isInteger(value) || value < 1 || value > MAX_RESULTS_LIMIT) {
    throw badRequest(`Invalid max_results ${text} - expected an integer from 1 to ${MAX_RESULTS_LIMIT}`);
  }
  return value;
}

function encodeCursor(seq: number): string {
  return Buffer.from(`seq:${seq}`).toString('hex');
}

function decodeCursor(cursor: string): number {
  const match = /^seq:(\d+)$/.exec(Buffer.from(cursor, 'hex').toString('utf8'));
  if (!match?.[1]) throw badRequest(`Invalid next_cursor ${cursor}`);
  return Number(match[1]);
}

/**
 * Deletes by `public_ids` (at most 100), reporting unknown ids as `not_found` in a 200 reply.
 * By prefix, tag or `all`, one call deletes at most 1000 assets. When more remain, the reply has
 * `partial: true` and a `next_cursor`, and repeating the same call deletes the next batch.
 */
function deleteResources(context: EmulatorContext, request: AdminRequest): Record<string, unknown> {
  const params = RequestParams.fromObject(request.body);
  const resourceType = readResourceType(request.params.resource_type);

  let targets: { type: DeliveryType; publicId: string }[];
  let partial = false;

  if (request.params.tag !== undefined) {
    const matches = context.assets.find({ resourceTypes: [resourceType], tagsAny: [request.params.tag], limit: MAX_BULK_DELETE + 1 });
    partial = matches.length > MAX_BULK_DELETE;
    targets = matches.slice(0, MAX_BULK_DELETE).map(toTarget);
  } else {
    const type = readDeliveryType(RequestParams.fromEntries([['type', request.params.type ?? 'upload']]));
    const publicIds = params.list('public_ids');
    const prefix = params.string('prefix');

    if (publicIds.length > 0) {
      if (publicIds.length > MAX_DELETE_PUBLIC_IDS) {
        throw badRequest(`Too many public_ids: ${publicIds.length} > ${MAX_DELETE_PUBLIC_IDS}`);
      }
      targets = publicIds.map((publicId) => ({ type, publicId }));
    } else if (prefix !== undefined || params.bool('all')) {
      const matches = context.assets.find({
        resourceTypes: [resourceType],
        type,
        prefixes: prefix === undefined ? undefined : [prefix],
        limit: MAX_BULK_DELETE + 1,
      });
      partial = matches.length > MAX_BULK_DELETE;
      targets = matches.slice(0, MAX_BULK_DELETE).map(toTarget);
    } else {
      throw badRequest('Missing required parameter - public_ids, prefix or all');
    }
  }

  const keepOriginal = params.bool('keep_original');
  const deleted: Record<string, string> = {};
  const deletedCounts: Record<string, { original: number; derived: number }> = {};

  for (const target of targets) {
    const removed = keepOriginal
      ? [context.assets.get(resourceType, target.type, target.publicId)].filter((asset) => asset !== undefined)
      : context.assets.delete(resourceType, target.type, [target.publicId]);
    const asset = removed[0];

    if (!asset) {
      deleted[target.publicId] = 'not_found';
      continue;
    }
    if (!keepOriginal) context.blobs.remove(asset.versionId);
    deleted[target.publicId] = 'deleted';
    deletedCounts[target.publicId] = { original: keepOriginal ? 0 : 1, derived: 0 };
  }

  const result: Record<string, unknown> = { deleted, deleted_counts: deletedCounts, partial };
  if (partial) result.next_cursor = encodeCursor(0);
  return result;
}

function toTarget(asset: StoredAsset): { type: DeliveryType; publicId: string } {
  return { type: asset.type, publicId: asset.publicId };
}
