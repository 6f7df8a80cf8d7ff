import type { FilterQuery, mongo } from 'mongoose';
import type { ExportDocument, ExportModel } from '../../models/export.js';
import type { BuiltPart, ExportError, ExportRecord, ExportStore, NewExport } from '../types.js';
import { exportFromDocument, insertFieldsOf } from './export-documents.js';
import { guard, isDuplicateKeyError } from './errors.js';

const NEWEST_FIRST = { createdAt: -1, _id: -1 } as const;

/** Matches an export that `holder` is building; every lease-guarded change filters on it. */
function heldBy(id: string, holder: string): FilterQuery<ExportDocument> {
  return { _id: id, status: 'building', 'lease.holder': holder };
}

export class MongoExportStore implements ExportStore {
  constructor(private readonly exports: ExportModel) {}

  async findOrCreateExport(candidate: NewExport, now: Date): Promise<{ record: ExportRecord; created: boolean }> {
    try {
      const result = await guard(() =>
        this.exports
          .findOneAndUpdate(
            { key: candidate.key, 'fingerprint.hash': candidate.fingerprint.hash },
            { $setOnInsert: insertFieldsOf(candidate, now) },
            { upsert: true, new: true, includeResultMetadata: true, setDefaultsOnInsert: false },
          )
          .lean<mongo.ModifyResult<ExportDocument>>()
          .exec(),
      );
      if (!result.value) throw new Error(`Upsert of export '${candidate.id}' returned no document`);

      const created = result.lastErrorObject?.updatedExisting === false;
      return { record: exportFromDocument(result.value), created };
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;

      // Another caller inserted the same (key, fingerprint.hash) between our match and our insert.
      const existing = await this.findExport(candidate.key, candidate.fingerprint.hash);
      if (!existing) throw error;
      return { record: existing, created: false };
    }
  }

  async getExport(id: string): Promise<ExportRecord | null> {
    return this.findOne({ _id: id });
  }

  async findExport(key: string, fingerprintHash: string): Promise<ExportRecord | null> {
    const document = await guard(() => this.byKeyQuery(key, fingerprintHash).lean<ExportDocument>().exec());
    return document ? exportFromDocument(document) : null;
  }

  async findLatestExport(key: string): Promise<ExportRecord | null> {
    const document = await guard(() =>
      this.exports.findOne({ key, status: { $ne: 'failed' } }).sort(NEWEST_FIRST).lean<ExportDocument>().exec(),
    );
    return document ? exportFromDocument(document) : null;
  }

  async retryExport(id: string, now: Date): Promise<ExportRecord | null> {
    return this.updateOne(
      { _id: id, status: 'failed' },
      { status: 'pending', attempts: 0, error: null, notBefore: null, lease: null, updatedAt: now },
    );
  }

  async claimExport(holder: string, leaseMs: number, now: Date): Promise<ExportRecord | null> {
    const document = await guard(() =>
      this.exports
        .findOneAndUpdate(
          {
            $or: [
              { status: 'pending', $or: [{ notBefore: null }, { notBefore: { $lte: now } }] },
              { status: 'building', 'lease.expiresAt': { $lte: now } },
            ],
          },
          {
            $set: { status: 'building', lease: { holder, expiresAt: new Date(now.getTime() + leaseMs) }, updatedAt: now },
            $inc: { attempts: 1 },
          },
          { sort: { createdAt: 1, _id: 1 }, new: true },
        )
        .lean<ExportDocument>()
        .exec(),
    );
    return document ? exportFromDocument(document) : null;
  }

  async renewExportLease(id: string, holder: string, leaseMs: number, now: Date): Promise<boolean> {
    return this.changeOne(heldBy(id, holder), {
      'lease.expiresAt': new Date(now.getTime() + leaseMs),
      updatedAt: now,
    });
  }

  async recordPartBuilt(id: string, holder: string, part: BuiltPart, now: Date): Promise<boolean> {
    // The positional `parts.$` updates the element that `parts.index` matched.
    return this.changeOne(
      { ...heldBy(id, holder), 'parts.index': part.index },
      {
        'parts.$.archivePublicId': part.archivePublicId,
        'parts.$.archiveBytes': part.archiveBytes,
        'parts.$.missingPublicIds': part.missingPublicIds,
        updatedAt: now,
      },
    );
  }

  async completeExport(id: string, holder: string, now: Date): Promise<ExportRecord | null> {
    return this.updateOne(heldBy(id, holder), {
      status: 'ready',
      readyAt: now,
      updatedAt: now,
      lease: null,
      notBefore: null,
      error: null,
    });
  }

  async failExport(id: string, holder: string, error: ExportError, retryAt: Date | null, now: Date): Promise<boolean> {
    return this.changeOne(heldBy(id, holder), {
      status: retryAt ? 'pending' : 'failed',
      error,
      notBefore: retryAt,
      lease: null,
      updatedAt: now,
    });
  }

  async releaseExport(id: string, holder: string, now: Date): Promise<boolean> {
    return this.changeOne(heldBy(id, holder), { status: 'pending', notBefore: null, lease: null, updatedAt: now });
  }

  async findReadyExportsByKeys(keys: string[]): Promise<ExportRecord[]> {
    if (keys.length === 0) return [];
    return this.findMany(this.exports.find({ status: 'ready', key: { $in: keys } }).sort(NEWEST_FIRST));
  }

  async listExpiredExports(now: Date, limit: number): Promise<ExportRecord[]> {
    return this.findMany(this.exports.find({ expiresAt: { $lt: now } }).sort({ expiresAt: 1, _id: 1 }).limit(limit));
  }

  async deleteExport(id: string): Promise<boolean> {
    const result = await guard(() => this.exports.deleteOne({ _id: id }).exec());
    return result.deletedCount > 0;
  }

  /** Builds the lookup that findExport runs. Tests call it to check the query plan. */
  byKeyQuery(key: string, fingerprintHash: string) {
    return this.exports.findOne({ key, 'fingerprint.hash': fingerprintHash });
  }

  private async findOne(filter: FilterQuery<ExportDocument>): Promise<ExportRecord | null> {
    const document = await guard(() => this.exports.findOne(filter).lean<ExportDocument>().exec());
    return document ? exportFromDocument(document) : null;
  }

  private async findMany(query: ReturnType<ExportModel['find']>): Promise<ExportRecord[]> {
    const documents = await guard(() => query.lean<ExportDocument[]>().exec());
    return documents.map(exportFromDocument);
  }

  /** Applies `$set` to the one matching export and returns it as it is afterwards. */
  private async updateOne(filter: FilterQuery<ExportDocument>, set: Record<string, unknown>): Promise<ExportRecord | null> {
    const document = await guard(() =>
      this.exports.findOneAndUpdate(filter, { $set: set }, { new: true }).lean<ExportDocument>().exec(),
    );
    return document ? exportFromDocument(document) : null;
  }

  /** Applies `$set` to the one matching export and reports whether one matched. */
  private async changeOne(filter: FilterQuery<ExportDocument>, set: Record<string, unknown>): Promise<boolean> {
    const result = await guard(() => this.exports.updateOne(filter, { $set: set }).exec());
    return result.matchedCount > 0;
  }
}
