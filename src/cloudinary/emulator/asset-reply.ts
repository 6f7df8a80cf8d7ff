import type { EmulatorContext } from './context.js';
import { signResponse } from './signing.js';
import type { StoredAsset } from './storage/asset-store.js';

/**
 * Builds the asset's delivery URL on the emulator itself:
 * `http://127.0.0.1:<port>/<cloud>/<resource_type>/<type>/v<version>/<public_id>[.<format>]`.
 * The emulator has no TLS, so `secure_url` is the same http URL.
 */
export function deliveryUrl(context: EmulatorContext, asset: StoredAsset): string {
  const path = asset.publicId.split('/').map(encodeURIComponent).join('/');
  const extension = asset.format === '' ? '' : `.${asset.format}`;
  return `${context.origin}/${context.settings.cloudName}/${asset.resourceType}/${asset.type}/v${asset.version}/${path}${extension}`;
}

/** Fields common to upload replies, archive replies and Admin API items. */
function baseFields(context: EmulatorContext, asset: StoredAsset): Record<string, unknown> {
  const fields: Record<string, unknown> = {
    asset_id: asset.assetId,
    public_id: asset.publicId,
    version: asset.version,
    version_id: asset.versionId,
  };
  if (asset.format !== '') fields.format = asset.format;
  if (asset.width !== null && asset.height !== null) {
    fields.width = asset.width;
    fields.height = asset.height;
  }

  const url = deliveryUrl(context, asset);
  return {
    ...fields,
    resource_type: asset.resourceType,
    type: asset.type,
    created_at: asset.createdAt,
    bytes: asset.bytes,
    etag: asset.etag,
    placeholder: false,
    url,
    secure_url: url,
    asset_folder: asset.assetFolder,
    display_name: asset.displayName,
  };
}

/** Builds the Upload API reply for a stored asset, signed over `public_id` and `version`. */
export function uploadReply(context: EmulatorContext, asset: StoredAsset): Record<string, unknown> {
  const reply: Record<string, unknown> = {
    ...baseFields(context, asset),
    signature: signResponse(asset.publicId, asset.version, context.settings.apiSecret),
    tags: asset.tags,
  };
  if (asset.resourceType === 'image') reply.pages = 1;
  if (asset.context) reply.context = { custom: asset.context };
  reply.original_filename = asset.originalFilename;
  reply.api_key = context.settings.apiKey;
  return reply;
}

export interface AdminItemOptions {
  tags: boolean;
  context: boolean;
}

/** Builds an item of an Admin API listing, with `tags` and `context` only when requested. */
export function adminListItem(context: EmulatorContext, asset: StoredAsset, include: AdminItemOptions): Record<string, unknown> {
  const item = baseFields(context, asset);
  if (include.tags) item.tags = asset.tags;
  if (include.context && asset.context) item.context = { custom: asset.context };
  return item;
}

/** Builds the Admin API `resource()` reply: the listing fields plus tags, context and the version's time. */
export function adminResourceDetail(context: EmulatorContext, asset: StoredAsset): Record<string, unknown> {
  return {
    ...adminListItem(context, asset, { tags: true, context: true }),
    last_updated: { updated_at: asset.createdAt },
    derived: [],
  };
}
