/**
 * The service's error registry. Every error a client can see has a stable `code`, an HTTP status
 * and a problem type. Its message is written for the person who has to act on it.
 */

export interface FieldError {
  field: string;
  message: string;
}

export const ERROR_CODES = {
  PA_ERR_VALIDATION: { status: 400, title: 'Invalid request' },
  PA_ERR_UNSUPPORTED_MEDIA: { status: 415, title: 'Unsupported media type' },
  PA_ERR_PAYLOAD_TOO_LARGE: { status: 413, title: 'Payload too large' },
  PA_ERR_UNAUTHORIZED: { status: 401, title: 'Authentication required' },
  PA_ERR_FORBIDDEN: { status: 403, title: 'Not allowed' },
  PA_ERR_NOT_FOUND: { status: 404, title: 'Not found' },
  PA_ERR_EXPORT_NOT_READY: { status: 409, title: 'Export not ready' },
  PA_ERR_STORE_UNAVAILABLE: { status: 503, title: 'Store unavailable' },
  PA_ERR_CLOUDINARY_UNAVAILABLE: { status: 503, title: 'Cloudinary unavailable' },
  PA_ERR_UPLOAD_FAILED: { status: 502, title: 'Upload failed' },
  PA_ERR_SHUTTING_DOWN: { status: 503, title: 'Service shutting down' },
  PA_ERR_INTERNAL: { status: 500, title: 'Internal error' },
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class AppError extends Error {
  readonly status: number;
  readonly title: string;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly options: { errors?: FieldError[]; retryAfterSeconds?: number; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'AppError';
    this.status = ERROR_CODES[code].status;
    this.title = ERROR_CODES[code].title;
  }

  get errors(): FieldError[] | undefined {
    return this.options.errors;
  }

  get retryAfterSeconds(): number | undefined {
    return this.options.retryAfterSeconds;
  }
}

/** Builds a 400 error that names every bad field. */
export function validationError(errors: FieldError[]): AppError {
  const detail = errors.map((error) => `${error.field}: ${error.message}`).join('; ');
  return new AppError('PA_ERR_VALIDATION', detail, { errors });
}

export function notFound(what: string, id: string): AppError {
  return new AppError('PA_ERR_NOT_FOUND', `${what} '${id}' was not found`);
}

/** Raised by store adapters when the database cannot be reached, so routes return 503. */
export class StoreUnavailableError extends AppError {
  constructor(cause: unknown) {
    super('PA_ERR_STORE_UNAVAILABLE', 'The photo store is unavailable; retry shortly', { cause, retryAfterSeconds: 5 });
    this.name = 'StoreUnavailableError';
  }
}

/** Raised by store adapters when a unique key already exists. Internal: never sent to clients. */
export class DuplicateKeyError extends Error {
  readonly code = 'PA_ERR_DUPLICATE';

  constructor(what: string, cause?: unknown) {
    super(`${what} already exists`, { cause });
    this.name = 'DuplicateKeyError';
  }
}
