import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import multipart from '@fastify/multipart';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import type { CloudinaryPort } from './cloudinary/client.js';
import type { Config } from './config.js';
import { registerAuth } from './http/auth.js';
import { registerProblemHandlers } from './http/problems.js';
import './schemas/zod-messages.js';
import { exportRoutes } from './routes/exports.js';
import { healthRoutes } from './routes/health.js';
import { imageRoutes } from './routes/images.js';
import type { ExportService } from './services/exports.js';
import type { ImageService } from './services/images.js';

export interface AppDeps {
  config: Config;
  logger: Logger;
  images: ImageService;
  exports: ExportService;
  cloudinary: CloudinaryPort;
  readiness: Record<string, () => Promise<void>>;
}

/** The package version, read from package.json beside src/ or, once compiled, beside dist/. */
function readPackageVersion(): string {
  for (const candidate of ['../package.json', '../../package.json']) {
    try {
      return (JSON.parse(readFileSync(new URL(candidate, import.meta.url), 'utf8')) as { version: string }).version;
    } catch {
      // Not at this level; try the next one.
    }
  }
  return '0.0.0';
}

const PACKAGE_VERSION = readPackageVersion();

/** JSON bodies are small range requests; photos arrive as multipart with their own limit. */
const JSON_BODY_LIMIT = 16 * 1024;
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/**
 * Builds the HTTP application without listening, so tests can inject requests into it and
 * server.ts owns the process concerns (listen, signals).
 */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    bodyLimit: JSON_BODY_LIMIT,
    // A caller's request id is kept when it is a plain token, so logs join across services.
    genReqId: (request) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    ajv: { customOptions: { removeAdditional: false } },
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
    // A keep-alive connection that finishes a request (a `?wait` long poll) after close() began
    // would otherwise stay open until keepAliveTimeout (72 s in Fastify 5), holding up shutdown.
    if (closing) reply.header('connection', 'close');
  });
  registerProblemHandlers(app);

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'plate-archive',
        version: PACKAGE_VERSION,
        description: 'Vehicle photos in, Cloudinary-built ZIP archives of any date range out.',
      },
      tags: [
        { name: 'images', description: 'Upload and list vehicle photos' },
        { name: 'exports', description: 'ZIP archives of a range' },
        { name: 'health', description: 'Probes' },
      ],
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  await app.register(multipart);
  registerAuth(app, deps.config);

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  await app.register(healthRoutes, { checks: deps.readiness, timeoutMs: 3000 });
  await app.register(imageRoutes, { images: deps.images, maxUploadBytes: deps.config.MAX_UPLOAD_BYTES });
  await app.register(exportRoutes, {
    exports: deps.exports,
    cloudinary: deps.cloudinary,
    downloadUrlTtlSeconds: deps.config.DOWNLOAD_URL_TTL_SECONDS,
  });

  return app;
}
