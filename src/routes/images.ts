import type { MultipartFile, MultipartValue } from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { AppError, validationError } from '../errors.js';
import { problemSchema } from '../schemas/common.js';
import { listQuerySchema, listReplySchema, photoSchema, uploadBodySchema } from '../schemas/images.js';
import type { ImageService, UploadInput } from '../services/images.js';
import type { Photo } from '../store/types.js';

export interface ImageRouteOptions {
  images: ImageService;
  maxUploadBytes: number;
}

const TEXT_FIELDS = new Set(['plate', 'capturedAt']);
/** Longest accepted text field; a plate or a date-time is far shorter. */
const MAX_FIELD_BYTES = 256;

function presentPhoto(photo: Photo, url: string) {
  return { ...photo, capturedAt: photo.capturedAt.toISOString(), createdAt: photo.createdAt.toISOString(), url };
}

/**
 * Reads the multipart body: one file part named `file` and the text fields. The file is
 * buffered (up to MAX_UPLOAD_BYTES) because its type is checked from its bytes before any of it
 * goes to Cloudinary.
 */
async function readUpload(request: FastifyRequest, maxUploadBytes: number): Promise<UploadInput> {
  if (!request.isMultipart()) {
    throw new AppError('PA_ERR_UNSUPPORTED_MEDIA', 'Send the photo as multipart/form-data with a file part named file', {
      errors: [{ field: 'body', message: 'must be multipart/form-data' }],
    });
  }

  const input: UploadInput = { file: null, plate: undefined, capturedAt: undefined };
  const parts = request.parts({ limits: { fileSize: maxUploadBytes, files: 1, fields: 4, fieldSize: MAX_FIELD_BYTES, parts: 5 } });
  for await (const part of parts) {
    if (part.type === 'file') {
      await readFilePart(part, input, maxUploadBytes);
      continue;
    }
    readTextPart(part, input);
  }
  return input;
}

async function readFilePart(part: MultipartFile, input: UploadInput, maxUploadBytes: number): Promise<void> {
  if (part.fieldname !== 'file') {
    part.file.resume();
    throw validationError([{ field: part.fieldname, message: 'is not a known file part; send the photo as file' }]);
  }
  const tooLarge = () =>
    new AppError('PA_ERR_PAYLOAD_TOO_LARGE', `file: is larger than the limit of ${maxUploadBytes} bytes`, {
      errors: [{ field: 'file', message: `must be at most ${maxUploadBytes} bytes` }],
    });

  let bytes: Buffer;
  try {
    bytes = await part.toBuffer();
  } catch (error) {
    // @fastify/multipart raises its own bare "request file too large" (FST_REQ_FILE_TOO_LARGE);
    // the reply should name the field like every other validation problem.
    if ((error as { code?: unknown }).code === 'FST_REQ_FILE_TOO_LARGE') throw tooLarge();
    throw error;
  }
  if (part.file.truncated) throw tooLarge();
  input.file = { bytes, filename: part.filename };
}

function readTextPart(part: MultipartValue, input: UploadInput): void {
  if (!TEXT_FIELDS.has(part.fieldname)) {
    throw validationError([{ field: part.fieldname, message: 'is not a known field; send file, plate and optionally capturedAt' }]);
  }
  if (part.valueTruncated || typeof part.value !== 'string') {
    throw validationError([{ field: part.fieldname, message: `must be text of at most ${MAX_FIELD_BYTES} bytes` }]);
  }
  if (part.fieldname === 'plate') input.plate = part.value;
  else input.capturedAt = part.value;
}

export const imageRoutes: FastifyPluginAsyncZod<ImageRouteOptions> = async (app, options) => {
  app.post(
    '/v1/images',
    {
      schema: {
        tags: ['images'],
        summary: 'Upload a vehicle photo',
        description: 'multipart/form-data with a file part named file (JPEG, PNG, WebP or HEIC, checked by content), a plate field and an optional capturedAt.',
        consumes: ['multipart/form-data'],
        body: uploadBodySchema,
        response: { 201: photoSchema, 400: problemSchema, 413: problemSchema, 415: problemSchema, 502: problemSchema, 503: problemSchema },
      },
      // The multipart body is parsed in the handler; the schema above only documents it.
      validatorCompiler: () => () => ({ value: undefined }),
    },
    async (request, reply) => {
      const input = await readUpload(request, options.maxUploadBytes);
      const { photo, url } = await options.images.uploadPhoto(input);
      request.log.info({ photoId: photo.id, publicId: photo.publicId, bytes: photo.bytes }, 'photo uploaded');
      return reply.status(201).send(presentPhoto(photo, url));
    },
  );

  app.get(
    '/v1/images',
    {
      schema: {
        tags: ['images'],
        summary: 'List photos of a range in capture order',
        querystring: listQuerySchema,
        response: { 200: listReplySchema, 400: problemSchema, 503: problemSchema },
      },
    },
    async (request) => {
      const page = await options.images.listPhotos(request.query);
      return { items: page.photos.map((photo) => presentPhoto(photo, photo.url)), nextCursor: page.nextCursor };
    },
  );
};
