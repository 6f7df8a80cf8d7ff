import { z } from 'zod';
import { plateField, rangeBound, timezoneField } from './common.js';

export const exportRequestSchema = z
  .strictObject({
    from: rangeBound,
    to: rangeBound.describe('Inclusive for dates, exclusive for date-times'),
    plate: plateField.optional(),
    timezone: timezoneField.optional(),
  })
  .meta({ example: { from: '2025-01-01', to: '2025-01-05', timezone: 'Asia/Kolkata' } });

const signedLink = z.object({
  url: z.string().describe('Signed download URL; a bearer credential until it expires'),
  expiresAt: z.string().describe('When the URL stops working (ISO 8601)'),
});

export const exportSchema = z
  .object({
    id: z.string().describe('Random, unguessable export id'),
    status: z.enum(['pending', 'building', 'ready', 'failed']),
    range: z.object({
      from: z.string(),
      to: z.string(),
      timezone: z.string(),
      fromUtc: z.string().describe('Start of the resolved interval, inclusive'),
      toUtc: z.string().describe('End of the resolved interval, exclusive'),
    }),
    plate: z.string().nullable(),
    imageCount: z.number().int(),
    totalBytes: z.number().int(),
    asOf: z.string().describe('The archive holds the photos the range had at this moment'),
    progress: z.object({ partsDone: z.number().int(), partsTotal: z.number().int() }),
    parts: z.array(
      z.object({
        index: z.number().int().describe('1-based part number'),
        fileCount: z.number().int(),
        bytes: z.number().int().describe('Bytes of the original photos in this part'),
        url: z.string().nullable().describe('Signed, expiring download URL; null until the export is ready'),
        expiresAt: z.string().nullable(),
      }),
    ),
    missingPhotos: z.array(z.string()).describe('Public ids that Cloudinary no longer had when the archive was built'),
    instant: signedLink.optional().describe('While building: a URL that makes Cloudinary build the same ZIP on the fly'),
    createdAt: z.string(),
    readyAt: z.string().nullable(),
    error: z.object({ code: z.string(), message: z.string(), retryable: z.boolean() }).nullable(),
  })
  .meta({
    example: {
      id: 'ex_Vn4kq0x2T8y5mR1aZc7L3w',
      status: 'ready',
      range: { from: '2025-01-01', to: '2025-01-01', timezone: 'UTC', fromUtc: '2025-01-01T00:00:00.000Z', toUtc: '2025-01-02T00:00:00.000Z' },
      plate: null,
      imageCount: 2,
      totalBytes: 480211,
      asOf: '2025-01-02T08:00:00.000Z',
      progress: { partsDone: 1, partsTotal: 1 },
      parts: [{ index: 1, fileCount: 2, bytes: 480211, url: 'https://api.cloudinary.com/v1_1/demo/raw/download?…', expiresAt: '2025-01-02T09:00:00.000Z' }],
      missingPhotos: [],
      createdAt: '2025-01-02T08:00:00.000Z',
      readyAt: '2025-01-02T08:00:03.000Z',
      error: null,
    },
  });

export const exportParamsSchema = z.strictObject({
  id: z.string().regex(/^ex_[A-Za-z0-9_-]{22}$/, { message: 'must be an export id such as ex_Vn4kq0x2T8y5mR1aZc7L3w' }),
});

export const exportQuerySchema = z.strictObject({
  wait: z.coerce.number().int().min(0).max(30).optional().describe('Hold the reply up to this many seconds until the export changes'),
});

export const partParamsSchema = exportParamsSchema.extend({
  n: z.coerce.number().int().min(1).max(100_000).describe('1-based part number'),
});
