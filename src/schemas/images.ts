import { z } from 'zod';
import { plateField, rangeBound, timezoneField } from './common.js';

export const photoSchema = z
  .object({
    id: z.string(),
    publicId: z.string().describe('Cloudinary public id: <folder>/<YYYY-MM-DD>/<PLATE>_<HHmmss>_<suffix>'),
    plate: z.string().describe('Normalised plate'),
    rawPlate: z.string().describe('The plate as sent'),
    capturedAt: z.string(),
    bytes: z.number().int(),
    format: z.string(),
    width: z.number().int(),
    height: z.number().int(),
    version: z.number().int(),
    createdAt: z.string(),
    url: z.string().describe('Delivery URL of the stored photo'),
  })
  .meta({
    example: {
      id: 'ph_2Jx9',
      publicId: 'vehicles/2025-01-01/AB123CD_120000_k3j9x2',
      plate: 'AB123CD',
      rawPlate: 'AB 123-CD',
      capturedAt: '2025-01-01T12:00:00.000Z',
      bytes: 245113,
      format: 'jpg',
      width: 1920,
      height: 1080,
      version: 1735732801,
      createdAt: '2025-01-01T12:00:01.000Z',
      url: 'https://res.cloudinary.com/demo/image/upload/v1735732801/vehicles/2025-01-01/AB123CD_120000_k3j9x2.jpg',
    },
  });

/** Documents the multipart body; the route parses the parts itself. */
export const uploadBodySchema = z.object({
  file: z.string().meta({ format: 'binary' }).describe('The photo (JPEG, PNG, WebP or HEIC), as a file part'),
  plate: plateField,
  capturedAt: z.string().optional().describe('ISO 8601 date-time with an offset; defaults to the time the service received the photo'),
});

export const listQuerySchema = z.strictObject({
  from: rangeBound,
  to: rangeBound,
  plate: plateField.optional(),
  timezone: timezoneField.optional(),
  cursor: z.string().max(200).optional().describe('nextCursor of the previous page'),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export const listReplySchema = z.object({
  items: z.array(photoSchema),
  nextCursor: z.string().nullable().describe('Pass as cursor to get the next page; null on the last page'),
});
