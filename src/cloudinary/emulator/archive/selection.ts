import type { EmulatorContext } from '../context.js';
import { badRequest, notFound, resourceNotFound } from '../errors.js';
import type { EmulatorOperation } from '../stats.js';
import { DELIVERY_TYPES, type DeliveryType, type ResourceType, type StoredAsset } from '../storage/asset-store.js';
import { MAX_ARCHIVE_RESOURCES, type ArchiveRequest } from './archive-request.js';

export interface ArchiveSelection {
  /** Distinct assets in selection order: public ids, fully qualified ids, tags, then prefixes. */
  assets: StoredAsset[];
  missingPublicIds: string[];
  emptyTags: string[];
  emptyPrefixes: string[];
}

/**
 * Selects the union of what each selector matches, without duplicates, then enforces the
 * limits. A request over a limit fails as a whole: the emulator never truncates an archive.
 */
export function selectArchiveAssets(context: EmulatorContext, request: ArchiveRequest, operation: EmulatorOperation): ArchiveSelection {
  const selected = new Map<string, StoredAsset>();
  const add = (asset: StoredAsset): void => {
    selected.set(`${asset.resourceType}/${asset.type}/${asset.publicId}`, asset);
  };
  const missingPublicIds: string[] = [];

  for (const publicId of request.publicIds) {
    const matches = request.resourceTypes
      .map((resourceType) => context.assets.get(resourceType, request.type, publicId))
      .filter((asset): asset is StoredAsset => asset !== undefined);
    if (matches.length === 0) missingPublicIds.push(publicId);
    matches.forEach(add);
  }

  for (const qualifiedId of request.fullyQualifiedPublicIds) {
    const asset = findFullyQualified(context, qualifiedId);
    if (asset) add(asset);
    else missingPublicIds.push(qualifiedId);
  }

  const filter = { resourceTypes: request.resourceTypes, type: request.type };
  const emptyTags = request.tags.filter((tag) => context.assets.find({ ...filter, tagsAny: [tag], limit: 1 }).length === 0);
  if (request.tags.length > 0) context.assets.find({ ...filter, tagsAny: request.tags }).reverse().forEach(add);

  const emptyPrefixes = request.prefixes.filter(
    (prefix) => context.assets.find({ ...filter, prefixes: [prefix], limit: 1 }).length === 0,
  );
  if (request.prefixes.length > 0) context.assets.find({ ...filter, prefixes: request.prefixes }).reverse().forEach(add);

  const firstMissing = missingPublicIds[0];
  if (firstMissing !== undefined && !request.allowMissing) throw resourceNotFound(firstMissing);

  const assets = [...selected.values()];
  checkArchiveLimits(context, assets, operation);
  return { assets, missingPublicIds, emptyTags, emptyPrefixes };
}

function checkArchiveLimits(context: EmulatorContext, assets: StoredAsset[], operation: EmulatorOperation): void {
  // NOTE: the service's reply when nothing at all matches is not documented, so the emulator fails with 404.
  if (assets.length === 0) throw notFound('Resource not found - no asset matches the archive selectors');
  if (assets.length > MAX_ARCHIVE_RESOURCES) throw badRequest(`Too many resources: ${assets.length} > ${MAX_ARCHIVE_RESOURCES}`);

  const maxBytes = context.settings.maxArchiveBytes;
  const totalBytes = assets.reduce((sum, asset) => sum + asset.bytes, 0);
  const forcedOverLimit = context.faults.takeArchiveLimitFault(operation);
  if (totalBytes > maxBytes || forcedOverLimit) {
    // A forced failure reports a total just over the limit so that the message stays consistent.
    const reportedBytes = Math.max(totalBytes, maxBytes + 1);
    throw badRequest(`Archive size too large. Got ${reportedBytes}. Maximum is ${maxBytes}.`);
  }
}

/** Resolves `<resource_type>/<type>/<public_id>`; the public id may contain slashes. */
function findFullyQualified(context: EmulatorContext, qualifiedId: string): StoredAsset | undefined {
  const [resourceType, type, ...rest] = qualifiedId.split('/');
  if (resourceType === undefined || type === undefined || rest.length === 0) {
    throw badRequest(`Invalid fully_qualified_public_ids entry ${qualifiedId} - expected <resource_type>/<type>/<public_id>`);
  }
  if (!['image', 'video', 'raw'].includes(resourceType) || !(DELIVERY_TYPES as readonly string[]).includes(type)) {
    throw badRequest(`Invalid fully_qualified_public_ids entry ${qualifiedId} - unknown resource type or type`);
  }
  return context.assets.get(resourceType as ResourceType, type as DeliveryType, rest.join('/'));
}
