import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { CloudinaryPort } from '../cloudinary/client.js';
import { problemSchema } from '../schemas/common.js';
import { exportParamsSchema, exportQuerySchema, exportRequestSchema, exportSchema, partParamsSchema } from '../schemas/exports.js';
import type { ExportService } from '../services/exports.js';
import { presentExport } from './export-view.js';

export interface ExportRouteOptions {
  exports: ExportService;
  cloudinary: Pick<CloudinaryPort, 'archiveDownloadUrl'>;
  downloadUrlTtlSeconds: number;
}

/** Seconds a client should wait before asking again about an export still being built. */
const RETRY_AFTER_SECONDS = 2;

export const exportRoutes: FastifyPluginAsyncZod<ExportRouteOptions> = async (app, options) => {
  const { exports } = options;
  const signPart = (archivePublicId: string) => {
    const expiresAt = new Date(Date.now() + options.downloadUrlTtlSeconds * 1000);
    return { url: options.cloudinary.archiveDownloadUrl(archivePublicId, expiresAt), expiresAt };
  };

  app.post(
    '/v1/exports',
    {
      schema: {
        tags: ['exports'],
        summary: 'Ask for a ZIP archive of every photo in a range',
        description:
          'Answers 200 with the export when it is ready (at once for a range without photos), or 202 with Location and Retry-After while it is built. The same range asked again while it builds returns the same id.',
        body: exportRequestSchema,
        response: { 200: exportSchema, 202: exportSchema, 400: problemSchema, 503: problemSchema },
      },
    },
    async (request, reply) => {
      const record = await exports.requestExport(request.body);
      request.log.info({ exportId: record.id, status: record.status, imageCount: record.imageCount }, 'export requested');

      const body = presentExport(record, exports, signPart);
      if (record.status === 'ready') return reply.status(200).send(body);
      return reply.status(202).header('location', `/v1/exports/${record.id}`).header('retry-after', String(RETRY_AFTER_SECONDS)).send(body);
    },
  );

  app.get(
    '/v1/exports/:id',
    {
      schema: {
        tags: ['exports'],
        summary: 'Read an export, optionally waiting for it to change',
        params: exportParamsSchema,
        querystring: exportQuerySchema,
        response: { 200: exportSchema, 400: problemSchema, 404: problemSchema, 503: problemSchema },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const wait = request.query.wait ?? 0;
      const aborted = new AbortController();
      request.raw.once('close', () => aborted.abort());

      const record = wait > 0 ? await exports.waitForExport(id, wait, aborted.signal) : await exports.getExport(id);
      if (record.status === 'pending' || record.status === 'building') reply.header('retry-after', String(RETRY_AFTER_SECONDS));
      return presentExport(record, exports, signPart);
    },
  );

  app.get(
    '/v1/exports/:id/parts/:n',
    {
      schema: {
        tags: ['exports'],
        summary: 'Redirect to a freshly signed download URL of one part',
        description: 'Returns 302 with the signed, expiring URL in Location, or 409 while the export is not ready.',
        params: partParamsSchema,
        response: { 400: problemSchema, 404: problemSchema, 409: problemSchema },
      },
    },
    async (request, reply) => {
      const { url } = await exports.partDownload(request.params.id, request.params.n);
      return reply.header('cache-control', 'no-store').redirect(url, 302);
    },
  );
};
