import { Schema, type Connection, type Model } from 'mongoose';
import type { Photo } from '../store/types.js';

/** A photo as stored in the `images` collection: the port's record with `_id` as its id. */
export type PhotoDocument = Omit<Photo, 'id'> & { _id: string };

export const photoSchema = new Schema<PhotoDocument>(
  {
    _id: { type: String, required: true },
    publicId: { type: String, required: true },
    plate: { type: String, required: true },
    rawPlate: { type: String, required: true },
    capturedAt: { type: Date, required: true },
    bytes: { type: Number, required: true },
    format: { type: String, required: true },
    width: { type: Number, required: true },
    height: { type: Number, required: true },
    version: { type: Number, required: true },
    createdAt: { type: Date, required: true },
  },
  { collection: 'images', versionKey: false, autoIndex: false, autoCreate: false },
);

photoSchema.index({ publicId: 1 }, { unique: true });
// _id ends both keys so that pages in (capturedAt, _id) order come straight from the index.
photoSchema.index({ capturedAt: 1, _id: 1 });
photoSchema.index({ plate: 1, capturedAt: 1, _id: 1 });

export type PhotoModel = Model<PhotoDocument>;

/** Returns the photo model bound to `connection`, registering it on first use. */
export function photoModel(connection: Connection): PhotoModel {
  const existing = connection.models['Photo'] as PhotoModel | undefined;
  return existing ?? connection.model<PhotoDocument>('Photo', photoSchema);
}
