import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { withTimeout } from '../util/with-timeout.js';

export interface HealthRouteOptions {
  checks: Record<string, () => Promise<void>>;
  /** Per-check limit, so a hung dependency makes the probe fail instead of hang. */
  timeoutMs: number;
}

const readySchema = z
  .object({
    status: z.enum(['ready', 'unavailable']),
    checks: z.record(z.string(), z.string()).describe('ok, or why the dependency failed'),
  })
  .meta({ example: { status: 'ready', checks: { store: 'ok', cloudinary: 'ok' } } });

const liveSchema = z.object({ status: z.literal('ok') }).meta({ example: { status: 'ok' } });

export const healthRoutes: FastifyPluginAsyncZod<HealthRouteOptions> = async (app, options) => {
  app.get(
    '/healthz',
    { schema: { tags: ['health'], summary: 'Liveness: 200 while the process runs', response: { 200: liveSchema } } },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/readyz',
    {
      schema: {
        tags: ['health'],
        summary: 'Readiness: 200 when the store and Cloudinary answer, 503 otherwise',
        response: { 200: readySchema, 503: readySchema },
      },
    },
    async (request, reply) => {
      const results = await Promise.all(
        Object.entries(options.checks).map(async ([name, check]) => {
          try {
            await withTimeout(check(), options.timeoutMs, () => new Error(`no response within ${options.timeoutMs} ms`));
            return [name, 'ok'] as const;
          } catch (error) {
            request.log.warn({ check: name, err: error }, 'readiness check failed');
            return [name, `failed: ${(error as Error).message}`] as const;
          }
        }),
      );

      const ready = results.every(([, result]) => result === 'ok');
      return reply.status(ready ? 200 : 503).send({ status: ready ? 'ready' : 'unavailable', checks: Object.fromEntries(results) });
    },
  );
};
