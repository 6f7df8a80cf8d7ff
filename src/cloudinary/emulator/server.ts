import fastifyFormbody from '@fastify/formbody';
import fastifyMultipart from '@fastify/multipart';
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { pino, type Logger } from 'pino';
import type { EmulatorContext } from './context.js';
import { CloudinaryApiError, errorBody, unauthorized } from './errors.js';
import { applyTransportFault } from './fault-injection.js';
import { registerAdminRoutes } from './routes/admin.js';
import { registerArchiveRoutes } from './routes/archive.js';
import { registerControlRoutes } from './routes/control.js';
import { registerDownloadRoutes } from './routes/download.js';
import { registerUploadRoutes } from './routes/upload.js';
import './fastify-config.js';

/**
 * Logs each request's path without its query string. Signed download URLs carry their signature
 * there, and each one is a bearer credential until its expires_at.
 */
function withoutQueryStrings(logger: Logger): Logger {
  return logger.child({}, {
    serializers: {
      req: (request: { method: string; url: string }) => ({ method: request.method, url: request.url.split('?')[0] }),
    },
  });
}

/** Builds the Fastify app: parsers, the stats and fault hook, error shapes and every route. */
export async function buildServer(context: EmulatorContext, logger: Logger | false): Promise<FastifyInstance> {
  const app: FastifyInstance = Fastify<Server, IncomingMessage, ServerResponse, FastifyBaseLogger>({
    loggerInstance: logger === false ? pino({ enabled: false }) : withoutQueryStrings(logger),
    forceCloseConnections: true,
  });

  await app.register(fastifyMultipart, {
    limits: {
      // The upload route counts file bytes itself, so that a too-large file is rejected with
      // Cloudinary's message naming its full size.
      fileSize: Infinity,
      // A data URI carries the file base64-encoded in a field, a third larger than the bytes.
      fieldSize: Math.ceil(context.settings.maxUploadBytes * 1.4) + 1024,
      // generate_archive sends each of up to 1000 public ids as its own part. The plugin's
      // default limit of 1000 parts would reject such a request with a 413.
      parts: 10_000,
    },
  });
  await app.register(fastifyFormbody);

  app.addHook('onRequest', async (request, reply) => {
    const operation = request.routeOptions.config.emulatorOperation;
    if (!operation) return undefined;

    context.stats.recordRequest(operation);
    const fault = context.faults.takeTransportFault(operation);
    if (fault) {
      const replaced = await applyTransportFault(context, fault, operation, request, reply);
      if (replaced) return replaced;
    }

    const cloud = (request.params as { cloud?: string }).cloud;
    if (request.routeOptions.url?.startsWith('/v1_1/') && cloud !== context.settings.cloudName) {
      throw unauthorized(`Invalid cloud_name ${cloud ?? ''}`);
    }
    return undefined;
  });

  app.setErrorHandler((error: FastifyError | CloudinaryApiError, request, reply) => {
    const { statusCode, message, headers } = toApiError(error);
    if (statusCode >= 500) request.log.error({ err: error }, 'request failed');
    else request.log.info({ statusCode, message }, 'request rejected');

    if (request.routeOptions.config.emulatorCldErrorHeader) reply.header('x-cld-error', headerSafe(message));
    return reply.code(statusCode).headers(headers).send(errorBody(message));
  });

  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send(errorBody(`No emulator route for ${request.method} ${request.url.split('?')[0] ?? ''}`)),
  );

  registerUploadRoutes(app, context);
  registerArchiveRoutes(app, context);
  registerDownloadRoutes(app, context);
  registerAdminRoutes(app, context);
  registerControlRoutes(app, context);
  return app;
}

function toApiError(error: FastifyError | CloudinaryApiError): { statusCode: number; message: string; headers: Record<string, string> } {
  if (error instanceof CloudinaryApiError) return { statusCode: error.statusCode, message: error.message, headers: error.headers };

  const statusCode = error.statusCode ?? 500;
  if (statusCode >= 400 && statusCode < 500) return { statusCode, message: error.message, headers: {} };
  return { statusCode: 500, message: 'General Error', headers: {} };
}

/** Header values must be Latin-1 without control characters; public ids may contain any letter. */
function headerSafe(message: string): string {
  return message.replace(/[^\x20-\x7e]/g, '?');
}
