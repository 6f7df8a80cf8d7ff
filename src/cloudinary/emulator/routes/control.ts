import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { EmulatorContext } from '../context.js';
import { badRequest } from '../errors.js';
import { faultRuleSchema } from '../faults.js';
import type { ResourceType } from '../storage/asset-store.js';

/** An asset as tests see it through `listAssets` and `GET /__emulator/assets`. */
export interface ListedAsset {
  publicId: string;
  format: string;
  bytes: number;
  tags: string[];
  createdAt: string;
}

export function listAssets(context: EmulatorContext, resourceType: ResourceType): ListedAsset[] {
  return context.assets.find({ resourceTypes: [resourceType] }).map((asset) => ({
    publicId: asset.publicId,
    format: asset.format,
    bytes: asset.bytes,
    tags: asset.tags,
    createdAt: asset.createdAt,
  }));
}

/**
 * Test controls for processes that share one standalone emulator. They need no credentials,
 * which is acceptable only because the emulator listens on loopback alone.
 */
export function registerControlRoutes(app: FastifyInstance, context: EmulatorContext): void {
  app.get('/__emulator/stats', async () => context.stats.snapshot());

  app.post('/__emulator/stats/reset', async () => {
    context.stats.reset();
    return { ok: true };
  });

  app.post('/__emulator/faults', async (request) => {
    const parsed = faultRuleSchema.safeParse(request.body);
    if (!parsed.success) throw badRequest(`Invalid fault rule: ${z.prettifyError(parsed.error)}`);
    context.faults.add(parsed.data);
    return { ok: true };
  });

  app.delete('/__emulator/faults', async () => {
    context.faults.clear();
    return { ok: true };
  });

  app.get('/__emulator/assets', async (request: FastifyRequest<{ Querystring: { resource_type?: string } }>) => {
    const resourceType = request.query.resource_type ?? 'image';
    if (resourceType !== 'image' && resourceType !== 'video' && resourceType !== 'raw') {
      throw badRequest(`Invalid resource_type ${resourceType} - expected image, video or raw`);
    }
    return listAssets(context, resourceType);
  });
}
