import Database from 'better-sqlite3';
import path from 'node:path';

export type ResourceType = 'image' | 'video' | 'raw';
export type DeliveryType = 'upload' | 'private' | 'authenticated';

export const DELIVERY_TYPES: readonly DeliveryType[] = ['upload', 'private', 'authenticated'];

/** One stored asset: its current version's metadata. Its bytes are the blob named `versionId`. */
export interface StoredAsset {
  resourceType: ResourceType;
  type: DeliveryType;
  publicId: string;
  assetId: string;
  /** Unix seconds of the current version. */
  version: number;
  versionId: string;
  /** Lower-case extension such as `jpg`; empty for raw assets, whose extension is in the public id. */
  format: string;
  bytes: number;
  width: number | null;
  height: number | null;
  /** MD5 hex of the stored bytes. */
  etag: string;
  tags: string[];
  context: Record<string, string> | null;
  originalFilename: string;
  displayName: string;
  assetFolder: string;
  /** ISO 8601 UTC time of the current version. */
  createdAt: string;
  /** Write order across the whole store; listings page on it, newest first. */
  seq: number;
}

/**
 * A new version before it is stored. When it replaces an asset, the store keeps the old
 * `assetId` and raises `version` above the old one; `seq` is always assigned by the store.
 */
export type AssetDraft = Omit<StoredAsset, 'seq'>;

export interface SaveResult {
  asset: StoredAsset;
  /** True when `overwrite` was off and an asset already had this id; nothing was written. */
  existing: boolean;
  /** The version this save replaced, whose blob the caller should remove. */
  replaced: StoredAsset | null;
}

export interface AssetFilter {
  resourceTypes: readonly ResourceType[];
  type?: DeliveryType;
  /** Assets having any of these tags. */
  tagsAny?: readonly string[];
  /** Assets whose public id starts with any of these strings. */
  prefixes?: readonly string[];
  /** Only assets written before this `seq` (for cursors). */
  beforeSeq?: number;
  limit?: number;
}

interface AssetRow {
  resource_type: ResourceType;
  type: DeliveryType;
  public_id: string;
  asset_id: string;
  version: number;
  version_id: string;
  format: string;
  bytes: number;
  width: number | null;
  height: number | null;
  etag: string;
  tags: string;
  context: string | null;
  original_filename: string;
  display_name: string;
  asset_folder: string;
  created_at: string;
  seq: number;
}

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS assets (
    resource_type TEXT NOT NULL,
    type TEXT NOT NULL,
    public_id TEXT NOT NULL,
    asset_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    version_id TEXT NOT NULL,
    format TEXT NOT NULL,
    bytes INTEGER NOT NULL,
    width INTEGER,
    height INTEGER,
    etag TEXT NOT NULL,
    tags TEXT NOT NULL,
    context TEXT,
    original_filename TEXT NOT NULL,
    display_name TEXT NOT NULL,
    asset_folder TEXT NOT NULL,
    created_at TEXT NOT NULL,
    seq INTEGER NOT NULL UNIQUE,
    PRIMARY KEY (resource_type, type, public_id)
  );
`;

/**
 * Asset metadata in SQLite at `<root>/assets.sqlite`, so it survives restarts. better-sqlite3 is
 * synchronous and `save` runs in one transaction, so within one process no other request runs
 * between its check and its write. Two processes sharing a data directory are not supported.
 */
export class AssetStore {
  private readonly db: Database.Database;

  constructor(root: string) {
    this.db = new Database(path.join(root, 'assets.sqlite'));
    this.db.pragma('journal_mode = WAL');
    this.db.exec(SCHEMA);
  }

  close(): void {
    this.db.close();
  }

  get(resourceType: ResourceType, type: DeliveryType, publicId: string): StoredAsset | undefined {
    const row = this.db
      .prepare<[string, string, string], AssetRow>('SELECT * FROM assets WHERE resource_type = ? AND type = ? AND public_id = ?')
      .get(resourceType, type, publicId);
    return row ? fromRow(row) : undefined;
  }

  /**
   * Stores a new version. With `overwrite` off an existing asset wins and is returned unchanged.
   * Otherwise the asset keeps its `asset_id` and gets a version newer than the one it replaces.
   */
  save(draft: AssetDraft, overwrite: boolean): SaveResult {
    const transaction = this.db.transaction((): SaveResult => {
      const current = this.get(draft.resourceType, draft.type, draft.publicId);
      if (current && !overwrite) return { asset: current, existing: true, replaced: null };

      const seqRow = this.db.prepare<[], { next: number }>('SELECT COALESCE(MAX(seq), 0) + 1 AS next FROM assets').get();
      const asset: StoredAsset = {
        ...draft,
        assetId: current?.assetId ?? draft.assetId,
        version: current ? Math.max(draft.version, current.version + 1) : draft.version,
        seq: seqRow?.next ?? 1,
      };

      this.db
        .prepare(
          `INSERT OR REPLACE INTO assets VALUES (
            @resource_type, @type, @public_id, @asset_id, @version, @version_id, @format, @bytes, @width, @height,
            @etag, @tags, @context, @original_filename, @display_name, @asset_folder, @created_at, @seq)`,
        )
        .run(toRow(asset));
      return { asset, existing: false, replaced: current ?? null };
    });
    return transaction();
  }

  /** Finds assets matching every given condition, newest write first. */
  find(filter: AssetFilter): StoredAsset[] {
    const conditions: string[] = [];
    const values: (string | number)[] = [];

    conditions.push(`resource_type IN (${filter.resourceTypes.map(() => '?').join(', ')})`);
    values.push(...filter.resourceTypes);

    if (filter.type) {
      conditions.push('type = ?');
      values.push(filter.type);
    }

    if (filter.tagsAny) {
      if (filter.tagsAny.length === 0) return [];
      conditions.push(
        `EXISTS (SELECT 1 FROM json_each(assets.tags) WHERE json_each.value IN (${filter.tagsAny.map(() => '?').join(', ')}))`,
      );
      values.push(...filter.tagsAny);
    }

    if (filter.prefixes) {
      if (filter.prefixes.length === 0) return [];
      conditions.push(`(${filter.prefixes.map(() => 'substr(public_id, 1, length(?)) = ?').join(' OR ')})`);
      for (const prefix of filter.prefixes) values.push(prefix, prefix);
    }

    if (filter.beforeSeq !== undefined) {
      conditions.push('seq < ?');
      values.push(filter.beforeSeq);
    }

    let sql = `SELECT * FROM assets WHERE ${conditions.join(' AND ')} ORDER BY seq DESC`;
    if (filter.limit !== undefined) {
      sql += ' LIMIT ?';
      values.push(filter.limit);
    }
    return this.db.prepare<(string | number)[], AssetRow>(sql).all(...values).map(fromRow);
  }

  /** Deletes the assets with these ids and returns the ones that existed. */
  delete(resourceType: ResourceType, type: DeliveryType, publicIds: readonly string[]): StoredAsset[] {
    const transaction = this.db.transaction((): StoredAsset[] => {
      const deleted: StoredAsset[] = [];
      const remove = this.db.prepare('DELETE FROM assets WHERE resource_type = ? AND type = ? AND public_id = ?');
      for (const publicId of publicIds) {
        const asset = this.get(resourceType, type, publicId);
        if (!asset) continue;
        remove.run(resourceType, type, publicId);
        deleted.push(asset);
      }
      return deleted;
    });
    return transaction();
  }
}

function fromRow(row: AssetRow): StoredAsset {
  return {
    resourceType: row.resource_type,
    type: row.type,
    publicId: row.public_id,
    assetId: row.asset_id,
    version: row.version,
    versionId: row.version_id,
    format: row.format,
    bytes: row.bytes,
    width: row.width,
    height: row.height,
    etag: row.etag,
    tags: JSON.parse(row.tags) as string[],
    context: row.context === null ? null : (JSON.parse(row.context) as Record<string, string>),
    originalFilename: row.original_filename,
    displayName: row.display_name,
    assetFolder: row.asset_folder,
    createdAt: row.created_at,
    seq: row.seq,
  };
}

function toRow(asset: StoredAsset): AssetRow {
  return {
    resource_type: asset.resourceType,
    type: asset.type,
    public_id: asset.publicId,
    asset_id: asset.assetId,
    version: asset.version,
    version_id: asset.versionId,
    format: asset.format,
    bytes: asset.bytes,
    width: asset.width,
    height: asset.height,
    etag: asset.etag,
    tags: JSON.stringify(asset.tags),
    context: asset.context === null ? null : JSON.stringify(asset.context),
    original_filename: asset.originalFilename,
    display_name: asset.displayName,
    asset_folder: asset.assetFolder,
    created_at: asset.createdAt,
    seq: asset.seq,
  };
}
