import { Schema, type Connection, type Model } from 'mongoose';
import type { ExportError, ExportPart, ExportRange, ExportRecord, Fingerprint, Lease } from '../store/types.js';

/** How long after `expiresAt` MongoDB's TTL monitor deletes an export the retention sweep missed. */
export const EXPORT_PURGE_DELAY_MS = 2 * 24 * 60 * 60 * 1000;

/** An export as stored in the `exports` collection: the port's record with `_id` as its id. */
export type ExportDocument = Omit<ExportRecord, 'id'> & {
  _id: string;
  /**
   * `expiresAt` plus EXPORT_PURGE_DELAY_MS. A safety net only: the retention sweep deletes the
   * Cloudinary archives and then the record well before MongoDB would.
   */
  purgeAt: Date;
};

const fingerprintSchema = new Schema<Fingerprint>(
  {
    count: { type: Number, required: true },
    totalBytes: { type: Number, required: true },
    hash: { type: String, required: true },
  },
  { _id: false },
);

const rangeSchema = new Schema<ExportRange>(
  {
    from: { type: String, required: true },
    to: { type: String, required: true },
    timezone: { type: String, required: true },
    fromUtc: { type: Date, required: true },
    toUtc: { type: Date, required: true },
  },
  { _id: false },
);

const partSchema = new Schema<ExportPart>(
  {
    index: { type: Number, required: true },
    photoPublicIds: { type: [String], required: true },
    fileCount: { type: Number, required: true },
    bytes: { type: Number, required: true },
    archivePublicId: { type: String, default: null },
    archiveBytes: { type: Number, default: null },
    missingPublicIds: { type: [String], default: [] },
  },
  { _id: false },
);

const errorSchema = new Schema<ExportError>(
  {
    code: { type: String, required: true },
    message: { type: String, required: true },
    retryable: { type: Boolean, required: true },
  },
  { _id: false },
);

const leaseSchema = new Schema<Lease>(
  {
    holder: { type: String, required: true },
    expiresAt: { type: Date, required: true },
  },
  { _id: false },
);

export const exportSchema = new Schema<ExportDocument>(
  {
    _id: { type: String, required: true },
    key: { type: String, required: true },
    fingerprint: { type: fingerprintSchema, required: true },
    status: { type: String, enum: ['pending', 'building', 'ready', 'failed'], required: true },
    range: { type: rangeSchema, required: true },
    plate: { type: String, default: null },
    imageCount: { type: Number, required: true },
    totalBytes: { type: Number, required: true },
    parts: { type: [partSchema], required: true },
    attempts: { type: Number, required: true },
    error: { type: errorSchema, default: null },
    lease: { type: leaseSchema, default: null },
    notBefore: { type: Date, default: null },
    asOf: { type: Date, required: true },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
    readyAt: { type: Date, default: null },
    expiresAt: { type: Date, required: true },
    purgeAt: { type: Date, required: true },
  },
  { collection: 'exports', versionKey: false, autoIndex: false, autoCreate: false },
);

exportSchema.index({ key: 1, 'fingerprint.hash': 1 }, { unique: true });
exportSchema.index({ key: 1, createdAt: 1 });
// Serves the claim query: pending or building exports, oldest first.
exportSchema.index({ status: 1, createdAt: 1 });
exportSchema.index({ expiresAt: 1 });
exportSchema.index({ purgeAt: 1 }, { expireAfterSeconds: 0 });

export type ExportModel = Model<ExportDocument>;

/** Returns the export model bound to `connection`, registering it on first use. */
export function exportModel(connection: Connection): ExportModel {
  const existing = connection.models['Export'] as ExportModel | undefined;
  return existing ?? connection.model<ExportDocument>('Export', exportSchema);
}
