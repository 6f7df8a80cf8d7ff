import { formatUtcSeconds, unixSeconds } from './clock.js';
import type { EmulatorContext } from './context.js';
import { badRequest, unauthorized } from './errors.js';
import type { RequestParams } from './params.js';
import { algorithmOfSignature, buildStringToSign, digestHex, type SignatureAlgorithm } from './signing.js';

const ONE_HOUR_SECONDS = 3600;

export interface SignedRequestKind {
  /**
   * True for signed GET URLs (private download, download-mode archives). They expire at
   * `expires_at`, or one hour after `timestamp` without it. Upload API POSTs (false) are stale
   * one hour after `timestamp`.
   */
  signedUrl: boolean;
}

/**
 * Checks the `api_key`, `signature` and `timestamp` of an Upload API request or signed URL the
 * way Cloudinary does, and returns the digest the caller signed with. Throws the service's
 * 400/401 errors otherwise.
 */
export function verifySignedRequest(context: EmulatorContext, params: RequestParams, kind: SignedRequestKind): SignatureAlgorithm {
  const { apiKey, apiSecret } = context.settings;

  const receivedKey = params.string('api_key');
  if (receivedKey === undefined) throw unauthorized('Must supply api_key');
  if (receivedKey !== apiKey) throw unauthorized(`Unknown API key ${receivedKey}`);

  const timestampText = params.string('timestamp');
  if (timestampText === undefined) throw badRequest('Missing required parameter - timestamp');
  const timestamp = Number(timestampText);
  if (!Number.isFinite(timestamp) || !/^\d+$/.test(timestampText)) throw badRequest(`Invalid timestamp ${timestampText}`);

  const signature = params.string('signature');
  if (signature === undefined) throw unauthorized('Missing required parameter - signature');

  const signable = params.toSignable();
  const expectedString = buildStringToSign(signable, 2);
  const algorithm = algorithmOfSignature(signature);
  if (algorithm === null || !matchesSignature(signature, signable, apiSecret, algorithm)) {
    throw unauthorized(`Invalid Signature ${signature}. String to sign - '${expectedString}'.`);
  }

  const now = unixSeconds(context.clock);
  if (timestamp - now > ONE_HOUR_SECONDS) {
    // NOTE: Cloudinary's reply to a timestamp far in the future is not documented, so one hour of skew is allowed here.
    throw badRequest(`Invalid timestamp - reported time is ${formatUtcSeconds(timestamp)} +0000 which is more than 1 hour in the future`);
  }

  if (kind.signedUrl) {
    const expiresAt = readExpiresAt(params) ?? timestamp + ONE_HOUR_SECONDS;
    if (now > expiresAt) throw unauthorized(`Signed URL expired at ${formatUtcSeconds(Math.floor(expiresAt))} +0000`);
  } else if (now - timestamp > ONE_HOUR_SECONDS) {
    throw badRequest(`Stale request - reported time is ${formatUtcSeconds(timestamp)} +0000 which is more than 1 hour ago`);
  }

  return algorithm;
}

/**
 * Accepts signature version 2 (what SDK 2.7+ sends) and, for values containing `&`, also
 * version 1. NOTE: whether the real service still accepts version 1 there is not documented.
 */
function matchesSignature(
  signature: string,
  signable: Record<string, string | string[]>,
  apiSecret: string,
  algorithm: SignatureAlgorithm,
): boolean {
  const received = signature.toLowerCase();
  if (digestHex(buildStringToSign(signable, 2) + apiSecret, algorithm) === received) return true;
  return digestHex(buildStringToSign(signable, 1) + apiSecret, algorithm) === received;
}

/** `expires_at` may be a float such as `1796411595.638`; the SDK passes it through untouched. */
function readExpiresAt(params: RequestParams): number | undefined {
  const text = params.string('expires_at');
  if (text === undefined) return undefined;

  const value = Number(text);
  if (!Number.isFinite(value)) throw badRequest(`Invalid expires_at ${text}`);
  return value;
}

/** Checks the HTTP Basic `api_key:api_secret` credentials of an Admin API request. */
export function verifyAdminCredentials(context: EmulatorContext, authorization: string | undefined): void {
  const match = /^Basic\s+(\S+)$/i.exec(authorization ?? '');
  if (!match?.[1]) throw unauthorized('Must supply api_key');

  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const separator = decoded.indexOf(':');
  const key = separator === -1 ? decoded : decoded.slice(0, separator);
  const secret = separator === -1 ? '' : decoded.slice(separator + 1);

  if (key !== context.settings.apiKey) throw unauthorized(`Unknown API key ${key}`);
  if (secret !== context.settings.apiSecret) throw unauthorized('api_secret mismatch');
}
