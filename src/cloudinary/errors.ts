/**
 * One error type for every failed Cloudinary call. The SDK rejects with different shapes per
 * API family (cloudinary 2.11): Upload-API calls reject with `{message, name, http_code}` or,
 * on timeouts and network errors, `{error: {...}}`; Admin-API calls reject with
 * `{error: {message, http_code}, request_options}` (which contains the credentials) or a bare Node
 * error. `toCloudinaryError` reads all of them so nothing downstream depends on the family.
 */
export class CloudinaryError extends Error {
  constructor(
    message: string,
    /** HTTP status, 499 for the SDK's own timeout, 0 for network errors. */
    readonly httpCode: number,
    readonly retryable: boolean,
    /** Time Cloudinary gave for the next attempt after a rate limit, if it gave one. */
    readonly retryAt: Date | null = null,
  ) {
    super(message);
    this.name = 'CloudinaryError';
  }

  /** A stable code for export errors and problem replies. */
  get code(): string {
    if (this.httpCode === 0) return 'PA_ERR_CLOUDINARY_NETWORK';
    if (this.httpCode === 499) return 'PA_ERR_CLOUDINARY_TIMEOUT';
    if (this.httpCode === 420 || this.httpCode === 429) return 'PA_ERR_CLOUDINARY_RATE_LIMITED';
    if (this.httpCode >= 500) return 'PA_ERR_CLOUDINARY_UNAVAILABLE';
    if (this.httpCode === 401) return 'PA_ERR_CLOUDINARY_AUTH';
    if (this.httpCode === 404) return 'PA_ERR_CLOUDINARY_NOT_FOUND';
    return 'PA_ERR_CLOUDINARY_REJECTED';
  }
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'ENOTFOUND', 'EHOSTUNREACH', 'ECONNABORTED', 'UND_ERR_SOCKET']);

interface Rejection {
  message?: unknown;
  http_code?: unknown;
  code?: unknown;
  error?: unknown;
}

function asRecord(value: unknown): Rejection | null {
  return typeof value === 'object' && value !== null ? (value as Rejection) : null;
}

/** Reads "Try again on 2025-01-01 13:00:00 UTC" from Cloudinary's rate-limit message. */
export function parseRetryAt(message: string): Date | null {
  const match = /try again on (\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})/i.exec(message);
  if (!match) return null;
  const retryAt = new Date(`${match[1]}T${match[2]}Z`);
  if (Number.isNaN(retryAt.getTime())) return null;

  // V8 rolls impossible days over (2025-02-30 becomes 2025-03-02), so the round trip must match.
  return retryAt.toISOString().startsWith(`${match[1]}T${match[2]}`) ? retryAt : null;
}

function isRetryableStatus(status: number): boolean {
  return status === 0 || status === 420 || status === 429 || status === 499 || status >= 500;
}

export function toCloudinaryError(rejection: unknown): CloudinaryError {
  if (rejection instanceof CloudinaryError) return rejection;

  const outer = asRecord(rejection);
  const inner = asRecord(outer?.error);
  const message = String(outer?.message ?? inner?.message ?? 'Cloudinary call failed');
  const statusValue = outer?.http_code ?? inner?.http_code;
  const nodeCode = String(outer?.code ?? inner?.code ?? '');

  // "Server returned unexpected status code - 502" carries the status only in the text when
  // the SDK did not parse the body.
  const fromText = /status code - (\d{3})/.exec(message);
  let status = 500;
  if (typeof statusValue === 'number') {
    status = statusValue;
  } else if (fromText) {
    status = Number(fromText[1]);
  } else if (NETWORK_CODES.has(nodeCode) || /socket hang up|ECONNRESET|ECONNREFUSED/i.test(message)) {
    status = 0;
  }

  return new CloudinaryError(message, status, isRetryableStatus(status), status === 420 || status === 429 ? parseRetryAt(message) : null);
}
