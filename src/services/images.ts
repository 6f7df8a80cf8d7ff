import type { Logger } from 'pino';
import type { CloudinaryPort } from '../cloudinary/client.js';
import { CloudinaryError } from '../cloudinary/errors.js';
import { detectImageType, FILE_EXTENSIONS } from '../domain/image-type.js';
import { normalisePlate, parsePlateFilter, plateProblem } from '../domain/plate.js';
import { dayTag, photoPublicId } from '../domain/public-id.js';
import { DATE_TIME_PATTERN, localDay, resolveRange } from '../domain/range.js';
import { AppError, validationError, type FieldError } from '../errors.js';
import type { Photo, PhotoCursor, Store } from '../store/types.js';

export interface ImageSettings {
  timezone: string;
  photoFolder: string;
  maxExportDays: number;
}

export interface ImageServiceDeps {
  store: Pick<Store, 'insertPhoto' | 'listPhotos' | 'ping'>;
  cloudinary: Pick<CloudinaryPort, 'uploadPhoto' | 'deliveryUrl'>;
  settings: ImageSettings;
  logger: Logger;
  now: () => Date;
}

export interface UploadInput {
  file: { bytes: Buffer; filename: string } | null;
  plate: string | undefined;
  capturedAt: string | undefined;
}

export interface ListInput {
  from: string;
  to: string;
  plate?: string | undefined;
  timezone?: string | undefined;
  cursor?: string | undefined;
  limit: number;
}

/** Capture times may run ahead of the server clock by camera drift, but not by more. */
const MAX_CLOCK_SKEW_MS = 5 * 60 * 1000;

export type ImageService = ReturnType<typeof createImageService>;

export function createImageService(deps: ImageServiceDeps) {
  const { settings } = deps;

  function validateUpload(input: UploadInput, receivedAt: Date) {
    const errors: FieldError[] = [];
    const type = input.file ? detectImageType(input.file.bytes) : null;
    if (!input.file) errors.push({ field: 'file', message: 'is required: send the photo as a multipart file part named file' });
    else if (input.file.bytes.length === 0) errors.push({ field: 'file', message: 'is empty' });

    const plate = normalisePlate(input.plate ?? '');
    const problem = input.plate === undefined ? 'is required' : plateProblem(plate);
    if (problem) errors.push({ field: 'plate', message: problem });

    let capturedAt = receivedAt;
    if (input.capturedAt !== undefined) {
      const parsed = new Date(input.capturedAt);
      if (!DATE_TIME_PATTERN.test(input.capturedAt) || Number.isNaN(parsed.getTime())) {
        errors.push({ field: 'capturedAt', message: 'must be an ISO 8601 date-time with an offset, such as 2025-01-01T08:30:00+05:30' });
      } else if (parsed.getTime() > receivedAt.getTime() + MAX_CLOCK_SKEW_MS) {
        errors.push({ field: 'capturedAt', message: 'must not be in the future' });
      } else {
        capturedAt = parsed;
      }
    }
    if (errors.length > 0) throw validationError(errors);

    if (!type) {
      throw new AppError('PA_ERR_UNSUPPORTED_MEDIA', 'file: must be a JPEG, PNG, WebP or HEIC image (checked by its content, not its name)', {
        errors: [{ field: 'file', message: 'must be a JPEG, PNG, WebP or HEIC image' }],
      });
    }
    return { type, plate, capturedAt };
  }

  /**
   * Uploads a photo to Cloudinary and records it. The record is written only after Cloudinary
   * accepted the bytes, so a listed photo always has an asset behind it.
   */
  async function uploadPhoto(input: UploadInput): Promise<{ photo: Photo; url: string }> {
    const receivedAt = deps.now();
    const { type, plate, capturedAt } = validateUpload(input, receivedAt);
    const file = input.file!;

    // A store that is down now would leave the Cloudinary asset without a record, so fail early.
    await deps.store.ping();
    const publicId = photoPublicId({ folder: settings.photoFolder, plate, capturedAt, zone: settings.timezone });
    const day = localDay(capturedAt, settings.timezone);
    const rawPlate = (input.plate ?? '').trim();

    let asset;
    try {
      asset = await deps.cloudinary.uploadPhoto({
        bytes: file.bytes,
        publicId,
        tags: [dayTag(day), `plate-${plate}`],
        context: { plate, raw_plate: rawPlate },
        filename: `${publicId.split('/').pop()}.${FILE_EXTENSIONS[type]}`,
      });
    } catch (error) {
      const cause = error instanceof CloudinaryError ? error : null;
      deps.logger.error({ err: error, publicId }, 'photo upload to Cloudinary failed');
      throw new AppError(
        cause?.retryable === false ? 'PA_ERR_UPLOAD_FAILED' : 'PA_ERR_CLOUDINARY_UNAVAILABLE',
        cause?.retryable === false ? `Cloudinary rejected the photo: ${cause.message}` : 'Cloudinary is unavailable; retry the upload shortly',
        { cause: error, retryAfterSeconds: 5 },
      );
    }

    // NOTE: if the store fails between the ping above and this insert, the asset stays in
    // Cloudinary without a record. The error log below names it for clean-up.
    const photo = await deps.store.insertPhoto({
      publicId: asset.publicId,
      plate,
      rawPlate,
      capturedAt,
      bytes: asset.bytes,
      format: asset.format,
      width: asset.width,
      height: asset.height,
      version: asset.version,
      createdAt: receivedAt,
    }).catch((error: unknown) => {
      deps.logger.error({ err: error, publicId: asset.publicId }, 'photo stored in Cloudinary but not recorded');
      throw error;
    });
    return { photo, url: asset.secureUrl };
  }

  async function listPhotos(input: ListInput): Promise<{ photos: Array<Photo & { url: string }>; nextCursor: string | null }> {
    const errors: FieldError[] = [];
    const { plate, error: plateError } = parsePlateFilter(input.plate);
    if (plateError) errors.push(plateError);

    const after = input.cursor === undefined ? null : decodeCursor(input.cursor);
    if (input.cursor !== undefined && !after) errors.push({ field: 'cursor', message: 'is not a cursor returned by this API' });

    const resolved = resolveRange(input, { defaultTimezone: settings.timezone, maxDays: settings.maxExportDays, now: deps.now(), allowFutureStart: true });
    if (!resolved.ok) errors.push(...resolved.errors);
    if (errors.length > 0 || !resolved.ok) throw validationError(errors);

    const page = await deps.store.listPhotos({ fromUtc: resolved.range.fromUtc, toUtc: resolved.range.toUtc, plate }, { limit: input.limit, after });
    return {
      photos: page.photos.map((photo) => ({ ...photo, url: deps.cloudinary.deliveryUrl(photo) })),
      nextCursor: page.next ? encodeCursor(page.next) : null,
    };
  }

  return { uploadPhoto, listPhotos };
}

/** Cursors are opaque to clients: base64url of the keyset position. */
export function encodeCursor(cursor: PhotoCursor): string {
  return Buffer.from(`${cursor.capturedAt.getTime()}:${cursor.id}`, 'utf8').toString('base64url');
}

export function decodeCursor(value: string): PhotoCursor | null {
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(value)) return null;
  const match = /^(\d{1,15}):([A-Za-z0-9_-]{1,64})$/.exec(Buffer.from(value, 'base64url').toString('utf8'));
  if (!match) return null;
  return { capturedAt: new Date(Number(match[1])), id: match[2]! };
}
