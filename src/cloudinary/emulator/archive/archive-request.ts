import { badRequest } from '../errors.js';
import type { RequestParams } from '../params.js';
import type { DeliveryType, ResourceType } from '../storage/asset-store.js';
import { readDeliveryType } from '../upload-params.js';

export type ArchiveMode = 'create' | 'download' | 'create_and_download';

/** Selector limits of `generate_archive` as Cloudinary documents them: 1000 public ids or assets, 20 tags or prefixes. */
export const MAX_ARCHIVE_PUBLIC_IDS = 1000;
export const MAX_ARCHIVE_TAGS = 20;
export const MAX_ARCHIVE_PREFIXES = 20;
export const MAX_ARCHIVE_RESOURCES = 1000;

/** A parsed `generate_archive` request. */
export interface ArchiveRequest {
  mode: ArchiveMode;
  /** Resource types the path names; `all` and `auto` search every type. */
  resourceTypes: ResourceType[];
  type: DeliveryType;
  publicIds: string[];
  tags: string[];
  prefixes: string[];
  fullyQualifiedPublicIds: string[];
  allowMissing: boolean;
  flattenFolders: boolean;
  useOriginalFilename: boolean;
  targetPublicId: string | undefined;
  targetTags: string[];
  notificationUrl: string | undefined;
}

const ARCHIVE_PATH_TYPES: Record<string, ResourceType[]> = {
  image: ['image'],
  video: ['video'],
  raw: ['raw'],
  all: ['image', 'video', 'raw'],
  auto: ['image', 'video', 'raw'],
};

/** Reads and checks the archive parameters; throws 400 for anything the service would reject. */
export function parseArchiveRequest(pathResourceType: string, params: RequestParams): ArchiveRequest {
  const resourceTypes = ARCHIVE_PATH_TYPES[pathResourceType];
  if (!resourceTypes) throw badRequest(`Invalid resource_type ${pathResourceType}`);

  const mode = params.string('mode') ?? 'create';
  if (mode !== 'create' && mode !== 'download' && mode !== 'create_and_download') {
    throw badRequest(`Invalid mode ${mode} - expected create, download or create_and_download`);
  }

  const targetFormat = params.string('target_format') ?? 'zip';
  if (targetFormat !== 'zip') {
    // NOTE: the service also builds tgz archives; the emulator only writes zip.
    throw badRequest(`Invalid target_format ${targetFormat} - the emulator builds zip archives only`);
  }
  if (params.string('transformations') !== undefined) {
    throw badRequest('transformations are not supported by the emulator; archives hold the originals only');
  }
  if (params.bool('async')) {
    throw badRequest('async archives are not supported by the emulator; leave async out to build synchronously');
  }

  const request: ArchiveRequest = {
    mode,
    resourceTypes,
    type: readDeliveryType(params),
    publicIds: params.list('public_ids'),
    tags: params.list('tags'),
    prefixes: params.list('prefixes'),
    fullyQualifiedPublicIds: params.list('fully_qualified_public_ids'),
    allowMissing: params.bool('allow_missing'),
    flattenFolders: params.bool('flatten_folders'),
    useOriginalFilename: params.bool('use_original_filename'),
    targetPublicId: params.string('target_public_id'),
    targetTags: params.list('target_tags'),
    notificationUrl: params.string('notification_url'),
  };

  checkSelectorCounts(request);
  return request;
}

function checkSelectorCounts(request: ArchiveRequest): void {
  const selectorCount =
    request.publicIds.length + request.tags.length + request.prefixes.length + request.fullyQualifiedPublicIds.length;
  if (selectorCount === 0) {
    throw badRequest('Missing required parameter - public_ids, tags, prefixes or fully_qualified_public_ids');
  }

  if (request.publicIds.length > MAX_ARCHIVE_PUBLIC_IDS) {
    throw badRequest(`Too many public_ids: ${request.publicIds.length} > ${MAX_ARCHIVE_PUBLIC_IDS}`);
  }
  if (request.fullyQualifiedPublicIds.length > MAX_ARCHIVE_PUBLIC_IDS) {
    throw badRequest(`Too many fully_qualified_public_ids: ${request.fullyQualifiedPublicIds.length} > ${MAX_ARCHIVE_PUBLIC_IDS}`);
  }
  if (request.tags.length > MAX_ARCHIVE_TAGS) throw badRequest(`Too many tags: ${request.tags.length} > ${MAX_ARCHIVE_TAGS}`);
  if (request.prefixes.length > MAX_ARCHIVE_PREFIXES) {
    throw badRequest(`Too many prefixes: ${request.prefixes.length} > ${MAX_ARCHIVE_PREFIXES}`);
  }
}
