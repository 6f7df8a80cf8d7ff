import { badRequest } from './errors.js';
import type { RequestParams } from './params.js';
import { DELIVERY_TYPES, type DeliveryType } from './storage/asset-store.js';

/** Reads `type` (default `upload`), rejecting delivery types the service does not have. */
export function readDeliveryType(params: RequestParams): DeliveryType {
  const type = params.string('type') ?? 'upload';
  if (!(DELIVERY_TYPES as readonly string[]).includes(type)) {
    throw badRequest(`Invalid type ${type} - expected one of ${DELIVERY_TYPES.join(', ')}`);
  }
  return type as DeliveryType;
}

/** Upload `tags`: one comma-separated string (the SDK joins arrays), or repeated `tags[]`. */
export function readUploadTags(params: RequestParams): string[] {
  const tags = params
    .list('tags')
    .flatMap((value) => value.split(','))
    .map((tag) => tag.trim())
    .filter((tag) => tag !== '');
  return [...new Set(tags)];
}

/**
 * Parses upload `context`: `key=value|key2=value2`, where `\` escapes a following `=` or `|`
 * (the SDK's `encode_context`). Returns null when no pair is given.
 */
export function parseContext(encoded: string | undefined): Record<string, string> | null {
  if (encoded === undefined) return null;

  const pairs: Record<string, string> = {};
  let key = '';
  let value = '';
  let inValue = false;

  const finishPair = (): void => {
    if (key !== '') pairs[key] = value;
    key = '';
    value = '';
    inValue = false;
  };

  for (let i = 0; i < encoded.length; i += 1) {
    let char = encoded[i] ?? '';
    if (char === '\\' && i + 1 < encoded.length) {
      i += 1;
      char = encoded[i] ?? '';
    } else if (char === '|') {
      finishPair();
      continue;
    } else if (char === '=' && !inValue) {
      inValue = true;
      continue;
    }

    if (inValue) value += char;
    else key += char;
  }
  finishPair();

  return Object.keys(pairs).length === 0 ? null : pairs;
}

/** Decodes a `data:<mime>;base64,<data>` URI to bytes; returns null when `file` is not one. */
export function decodeDataUri(file: string): Buffer | null {
  const match = /^data:[^,]*;base64,(.*)$/s.exec(file);
  return match?.[1] === undefined ? null : Buffer.from(match[1], 'base64');
}

export function isRemoteFileUrl(file: string): boolean {
  return /^(https?|ftp|s3|gs):/i.test(file);
}
