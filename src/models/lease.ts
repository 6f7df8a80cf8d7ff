import { Schema, type Connection, type Model } from 'mongoose';

/** A named lease, such as the one that lets a single instance run a cron tick. */
export interface LeaseDocument {
  name: string;
  holder: string;
  expiresAt: Date;
}

export const leaseSchema = new Schema<LeaseDocument>(
  {
    name: { type: String, required: true },
    holder: { type: String, required: true },
    expiresAt: { type: Date, required: true },
  },
  { collection: 'leases', versionKey: false, autoIndex: false, autoCreate: false },
);

// Unique so that two instances upserting a free lease at once cannot both insert it.
leaseSchema.index({ name: 1 }, { unique: true });

export type LeaseModel = Model<LeaseDocument>;

/** Returns the lease model bound to `connection`, registering it on first use. */
export function leaseModel(connection: Connection): LeaseModel {
  const existing = connection.models['Lease'] as LeaseModel | undefined;
  return existing ?? connection.model<LeaseDocument>('Lease', leaseSchema);
}
