import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { AppError, ERROR_CODES, type ErrorCode, type FieldError } from '../errors.js';

const PROBLEM_BASE = 'https://plate-archive.dev/problems/';

/** An RFC 9457 problem body as this service sends it. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  instance: string;
  requestId: string;
  errors?: FieldError[];
}

/** Turns a Fastify or Zod validation failure into one entry per bad field. */
function fieldErrors(error: FastifyError): FieldError[] {
  if (!hasZodFastifySchemaValidationErrors(error)) return [];
  const where = error.validationContext === 'body' ? '' : `${error.validationContext ?? ''}.`;
  return error.validation.map((issue) => {
    const path = issue.instancePath.replace(/^\//, '').replaceAll('/', '.');
    const unknownKeys = (issue.params as { keys?: unknown }).keys;
    if (issue.keyword === 'unrecognized_keys' && Array.isArray(unknownKeys)) {
      return { field: unknownKeys.map(String).join(', '), message: 'is not a known field' };
    }
    return { field: path || where.replace(/\.$/, '') || 'body', message: issue.message };
  });
}

/** Maps Fastify's own errors (bad JSON, oversized bodies, multipart limits) to our codes. */
function codeForFastifyError(error: FastifyError): ErrorCode {
  const status = error.statusCode ?? 500;
  if (status === 413) return 'PA_ERR_PAYLOAD_TOO_LARGE';
  if (status === 415) return 'PA_ERR_UNSUPPORTED_MEDIA';
  if (status === 404) return 'PA_ERR_NOT_FOUND';
  if (status >= 400 && status < 500) return 'PA_ERR_VALIDATION';
  return 'PA_ERR_INTERNAL';
}

function unsupportedContentType(request: FastifyRequest): string {
  const contentType = (request.headers['content-type'] ?? 'none').slice(0, 80);
  return `Content type '${contentType}' is not accepted here; send JSON as application/json and photos as multipart/form-data`;
}

export function toProblem(error: FastifyError | AppError, request: FastifyRequest): Problem {
  if (error instanceof AppError) {
    return {
      type: `${PROBLEM_BASE}${error.code.toLowerCase()}`,
      title: error.title,
      status: error.status,
      detail: error.status >= 500 && error.code === 'PA_ERR_INTERNAL' ? 'An internal error occurred; retry later' : error.message,
      code: error.code,
      instance: request.url.split('?')[0] ?? request.url,
      requestId: request.id,
      ...(error.errors ? { errors: error.errors } : {}),
    };
  }

  const code = codeForFastifyError(error);
  const status = code === 'PA_ERR_INTERNAL' ? 500 : (error.statusCode ?? 500);
  const errors = fieldErrors(error);
  const message = error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' ? unsupportedContentType(request) : error.message;
  const detail =
    errors.length > 0
      ? errors.map((entry) => `${entry.field}: ${entry.message}`).join('; ')
      : status >= 500
        ? 'An internal error occurred; retry later'
        : message;
  return {
    type: `${PROBLEM_BASE}${code.toLowerCase()}`,
    title: ERROR_CODES[code].title,
    status,
    detail,
    code,
    instance: request.url.split('?')[0] ?? request.url,
    requestId: request.id,
    ...(errors.length > 0 ? { errors } : status === 400 ? { errors: [{ field: 'body', message: message }] } : {}),
  };
}

export function sendProblem(reply: FastifyReply, problem: Problem, retryAfterSeconds?: number): FastifyReply {
  if (retryAfterSeconds !== undefined) reply.header('retry-after', String(retryAfterSeconds));
  return reply.status(problem.status).type('application/problem+json').send(problem);
}

/**
 * Installs the error and not-found handlers. Every error leaves as application/problem+json;
 * 5xx replies hide internal messages, and only they are logged at error level.
 */
export function registerProblemHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | AppError, request, reply) => {
    const problem = toProblem(error, request);
    if (problem.status >= 500) request.log.error({ err: error, code: problem.code }, 'request failed');
    else request.log.info({ code: problem.code, status: problem.status }, 'request rejected');

    const retryAfter = error instanceof AppError ? error.retryAfterSeconds : undefined;
    return sendProblem(reply, problem, retryAfter ?? (problem.status === 503 ? 5 : undefined));
  });

  app.setNotFoundHandler((request, reply) => {
    const error = new AppError('PA_ERR_NOT_FOUND', `No route matches ${request.method} ${request.url.split('?')[0]}`);
    return sendProblem(reply, toProblem(error, request));
  });
}
