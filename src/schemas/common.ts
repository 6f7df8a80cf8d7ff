import { z } from 'zod';

export const problemSchema = z
  .object({
    type: z.string().describe('URI of the problem type'),
    title: z.string().describe('Short summary of the problem type'),
    status: z.number().int().describe('HTTP status code'),
    detail: z.string().describe('What went wrong and what to do about it'),
    code: z.string().describe('Stable machine-readable error code, e.g. PA_ERR_VALIDATION'),
    instance: z.string().optional().describe('The request path'),
    requestId: z.string().optional().describe('Request id, also sent as the x-request-id header'),
    errors: z
      .array(z.object({ field: z.string().describe('The bad field, e.g. from or plate'), message: z.string() }))
      .optional()
      .describe('One entry per invalid field (validation problems only)'),
  })
  .describe('RFC 9457 problem details, sent as application/problem+json')
  .meta({
    example: {
      type: 'https://plate-archive.dev/problems/pa_err_validation',
      title: 'Invalid request',
      status: 400,
      detail: 'to: must not be before from',
      code: 'PA_ERR_VALIDATION',
      instance: '/v1/exports',
      requestId: 'req-1',
      errors: [{ field: 'to', message: 'must not be before from' }],
    },
  });

/** Dates `YYYY-MM-DD` or ISO 8601 date-times with an offset; the service checks the calendar. */
export const rangeBound = z
  .string()
  .min(1)
  .max(40)
  .describe('A date YYYY-MM-DD (whole days in timezone) or an ISO 8601 date-time with an offset (Z or +05:30)');

export const plateField = z.string().max(64).describe('Number plate, normalised to upper case without spaces, dashes, dots or underscores');

export const timezoneField = z.string().min(1).max(64).describe('IANA time zone for date ranges, e.g. Asia/Kolkata; defaults to the service TIMEZONE');

export const problemResponses = {
  400: problemSchema,
  404: problemSchema,
  503: problemSchema,
};
