import type { LeaseDocument, LeaseModel } from '../../models/lease.js';
import type { LeaseStore, NamedLease } from '../types.js';
import { guard, isDuplicateKeyError } from './errors.js';

export class MongoLeaseStore implements LeaseStore {
  constructor(private readonly leases: LeaseModel) {}

  async acquireLease(name: string, holder: string, ttlMs: number, now: Date): Promise<NamedLease | null> {
    try {
      // Matches the lease only when it is expired or already ours. A valid lease of another
      // holder does not match, so the upsert tries to insert a second `name` and the unique
      // index rejects it with error 11000.
      const document = await guard(() =>
        this.leases
          .findOneAndUpdate(
            { name, $or: [{ expiresAt: { $lte: now } }, { holder }] },
            { $set: { holder, expiresAt: new Date(now.getTime() + ttlMs) } },
            { upsert: true, new: true },
          )
          .lean<LeaseDocument>()
          .exec(),
      );
      return document ? leaseFromDocument(document) : null;
    } catch (error) {
      if (isDuplicateKeyError(error)) return null;
      throw error;
    }
  }

  async releaseLease(name: string, holder: string): Promise<boolean> {
    const result = await guard(() => this.leases.deleteOne({ name, holder }).exec());
    return result.deletedCount > 0;
  }

  async getLease(name: string): Promise<NamedLease | null> {
    const document = await guard(() => this.leases.findOne({ name }).lean<LeaseDocument>().exec());
    return document ? leaseFromDocument(document) : null;
  }
}

function leaseFromDocument(document: LeaseDocument): NamedLease {
  return { name: document.name, holder: document.holder, expiresAt: document.expiresAt };
}
