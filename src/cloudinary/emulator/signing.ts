import { createHash } from 'node:crypto';

/** Request parameters by name, with any `[]` suffix already removed; arrays keep their sent order. */
export type SignableParams = Record<string, string | readonly string[] | undefined>;

export type SignatureAlgorithm = 'sha1' | 'sha256';
export type SignatureVersion = 1 | 2;

/** Parameters that are never part of the string to sign (cloudinary 2.11 `sign_request`). */
const UNSIGNED_PARAMS = new Set(['file', 'cloud_name', 'resource_type', 'api_key', 'signature']);

/**
 * Builds the string to sign as the cloudinary SDK's `api_string_to_sign` (2.11) does. Unsigned
 * names, blank values and blank array members are dropped, `[]` is stripped and arrays are joined
 * with `,`. Names are sorted in byte order. Version 2 writes every `&` inside `name=value` as `%26`.
 */
export function buildStringToSign(params: SignableParams, version: SignatureVersion = 2): string {
  const pairs: [string, string][] = [];
  for (const [rawName, rawValue] of Object.entries(params)) {
    const name = rawName.endsWith('[]') ? rawName.slice(0, -2) : rawName;
    if (UNSIGNED_PARAMS.has(name) || rawValue === undefined) continue;

    const value = typeof rawValue === 'string' ? rawValue : rawValue.filter((member) => member !== '').join(',');
    if (value === '') continue;
    pairs.push([name, value]);
  }

  pairs.sort(([a], [b]) => compareBytes(a, b));

  return pairs
    .map(([name, value]) => {
      const pair = `${name}=${value}`;
      return version >= 2 ? pair.replaceAll('&', '%26') : pair;
    })
    .join('&');
}

export function digestHex(text: string, algorithm: SignatureAlgorithm): string {
  return createHash(algorithm).update(text, 'utf8').digest('hex');
}

export function signParams(
  params: SignableParams,
  apiSecret: string,
  algorithm: SignatureAlgorithm = 'sha1',
  version: SignatureVersion = 2,
): string {
  return digestHex(buildStringToSign(params, version) + apiSecret, algorithm);
}

/** Picks the digest from the signature's length: 40 hex digits for SHA-1, 64 for SHA-256. */
export function algorithmOfSignature(signature: string): SignatureAlgorithm | null {
  if (/^[0-9a-f]{40}$/i.test(signature)) return 'sha1';
  if (/^[0-9a-f]{64}$/i.test(signature)) return 'sha256';
  return null;
}

/**
 * Signs an upload or archive reply: `public_id=…&version=…` plus the secret, always with the
 * version 1 encoding, as the SDK's `verify_api_response_signature` expects.
 */
export function signResponse(publicId: string, version: number, apiSecret: string): string {
  return signParams({ public_id: publicId, version: String(version) }, apiSecret, 'sha1', 1);
}

/** Signs a notification body as Cloudinary's `X-Cld-Signature`: body, timestamp and secret concatenated. */
export function signNotification(body: string, timestamp: number, apiSecret: string, algorithm: SignatureAlgorithm): string {
  return digestHex(`${body}${timestamp}${apiSecret}`, algorithm);
}

/** Orders names by UTF-16 code units, which for the ASCII parameter names equals byte order. */
function compareBytes(a: string, b: string): number {
  if (a < b) return -1;
  if (a > b) return 1;
  return 0;
}
