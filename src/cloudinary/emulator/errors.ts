/**
 * An error that the emulator sends as Cloudinary's error body `{"error":{"message":...}}`.
 * `headers` are added to the reply (for example the rate-limit headers of a 420).
 */
export class CloudinaryApiError extends Error {
  readonly statusCode: number;
  readonly headers: Record<string, string>;

  constructor(statusCode: number, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.name = 'CloudinaryApiError';
    this.statusCode = statusCode;
    this.headers = headers;
  }
}

export function errorBody(message: string): { error: { message: string } } {
  return { error: { message } };
}

export function badRequest(message: string): CloudinaryApiError {
  return new CloudinaryApiError(400, message);
}

export function notFound(message: string): CloudinaryApiError {
  return new CloudinaryApiError(404, message);
}

export function unauthorized(message: string): CloudinaryApiError {
  return new CloudinaryApiError(401, message);
}

export function resourceNotFound(publicId: string): CloudinaryApiError {
  return notFound(`Resource not found - ${publicId}`);
}
