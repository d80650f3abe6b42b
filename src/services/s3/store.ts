// Persistence of buckets, object entries (a key's versions, written in one atomic commit) and multipart
// uploads, in the metadata store:
//   s3/bucket  <bucket>                 BucketRecord
//   s3/object  <bucket>/<key>           the newest versions of a key (listed in UTF-8 byte order, as S3 lists
//   s3/object-page <bucket>/<id>/<key>  keys) and pages of its older ones: object-pages.ts
//   s3/upload  <bucket>/<uploadId>      UploadRecord     (parts in its own records since decision 107)
//   s3/upload-part <bucket>/<uploadId>/<partNumber, 5 digits>  StoredPart
//   s3/ended-upload <bucket>/<uploadId> EndedUpload      (an upload completed or aborted lately: abort answers 204)
import { KvConflictError, type KvEntry, type KvStore } from '../../storage/kv/interface.js';
import { type ListedKey, newestOfHead } from './head-newest.js';
import { type BucketRecord, blobsOf, type ObjectEntry, type StoredPart, type UploadRecord, type VersionRecord } from './model.js';
import { NS_OBJECT, NS_PAGE, ObjectPages, type VersionNeed, type VersionPaging } from './object-pages.js';

const NS_BUCKET = 's3/bucket';
const NS_UPLOAD = 's3/upload';
const NS_ENDED = 's3/ended-upload';
const NS_PART = 's3/upload-part';
const json = (v: unknown) => Buffer.from(JSON.stringify(v));
/** An upload's key, in s3/upload and s3/ended-upload alike. */
const uploadKey = (u: UploadRecord) => `${u.bucket}/${u.uploadId}`;
const PAGE = 1000;
/** A part's record key: part numbers are 1-10000, five digits keep them in order. */
const partKey = (u: UploadRecord, partNumber: number) => `${u.bucket}/${u.uploadId}/${String(partNumber).padStart(5, '0')}`;

/** A part as stored, with its record's version (0: kept in its upload's record, as uploads begun before decision 107). */
export interface PartAt {
  part: StoredPart;
  version: number;
}

/** What is remembered of an upload that was completed or aborted: its key and when it ended. */
export interface EndedUpload {
  key: string;
  endedAt: number;
}

const endedPut = (u: UploadRecord, endedAt: number) => ({
  type: 'put' as const,
  namespace: NS_ENDED,
  key: uploadKey(u),
  value: json({ key: u.key, endedAt } satisfies EndedUpload),
});

export class S3Store {
  readonly #pages: ObjectPages;

  constructor(
    private readonly kv: KvStore,
    paging?: VersionPaging,
  ) {
    this.#pages = new ObjectPages(kv, paging);
  }

  async getBucket(name: string): Promise<BucketRecord | undefined> {
    const e = await this.kv.get(NS_BUCKET, name);
    return e ? (JSON.parse(e.value.toString()) as BucketRecord) : undefined;
  }

  async createBucket(b: BucketRecord): Promise<boolean> {
    try {
      await this.kv.commit([{ type: 'put', namespace: NS_BUCKET, key: b.name, value: json(b), expectVersion: 0 }]);
      return true;
    } catch (err) {
      if (err instanceof KvConflictError) return false;
      throw err;
    }
  }

  async updateBucket(name: string, mutate: (b: BucketRecord) => void): Promise<BucketRecord | undefined> {
    for (;;) {
      const e = await this.kv.get(NS_BUCKET, name);
      if (!e) return undefined;
      const b = JSON.parse(e.value.toString()) as BucketRecord;
      mutate(b);
      try {
        await this.kv.commit([{ type: 'put', namespace: NS_BUCKET, key: name, value: json(b), expectVersion: e.version }]);
        return b;
      } catch (err) {
        if (!(err instanceof KvConflictError)) throw err;
      }
    }
  }

  /** Deletes a bucket together with the records of its unfinished uploads, in one commit. */
  /** Deletes a bucket and its unfinished uploads; returns the blob ids of their parts, for the caller to delete. */
  async deleteBucket(name: string, uploads: ReadonlyArray<UploadRecord> = []): Promise<string[]> {
    await this.kv.commit([
      ...uploads.map((u) => ({ type: 'delete' as const, namespace: NS_UPLOAD, key: uploadKey(u) })),
      { type: 'delete', namespace: NS_BUCKET, key: name },
    ]);
    const blobs = uploads.flatMap((u) => Object.values(u.parts).map((p) => p.blobId));
    for (const u of uploads) blobs.push(...(await this.dropPartRecords(u)));
    return blobs;
  }

  async listBuckets(): Promise<BucketRecord[]> {
    return (await this.kv.list(NS_BUCKET)).map((e) => JSON.parse(e.value.toString()) as BucketRecord);
  }

  /**
   * A key's entry with the versions `need` asks for (all by default; object-pages.ts), and the version of its
   * record for the compare-and-swap of putObject. Write back only the entry read, changed in place or with
   * versions added at the front or removed: its versions beyond those read are kept as they are.
   */
  async getObject(bucket: string, key: string, need: VersionNeed = 'all'): Promise<{ entry: ObjectEntry; version: number } | undefined> {
    return this.#pages.read(bucket, key, need);
  }

  /** Compare-and-set write of one key's entry (expectVersion 0 = new); an entry with no versions is deleted. */
  async putObject(bucket: string, entry: ObjectEntry, expectVersion: number): Promise<void> {
    await this.kv.commit(await this.#pages.writeOps(bucket, entry, expectVersion));
  }

  /** Entries of a bucket in key order, from `after` (exclusive), with an optional prefix: their recent versions. */
  async listObjects(bucket: string, opts: { prefix?: string; after?: string; limit: number }): Promise<ObjectEntry[]> {
    return (await this.#listHeads(bucket, opts)).map((r) => this.#pages.listed(r.value));
  }

  /**
   * Keys of a bucket in key order, as `listObjects` pages them, with their newest version only (ListObjects,
   * ListObjectsV2, the lifecycle sweep's walk): each head's other versions are not parsed (head-newest.ts).
   */
  async listNewest(bucket: string, opts: { prefix?: string; after?: string; limit: number }): Promise<ListedKey[]> {
    return (await this.#listHeads(bucket, opts)).map((r) => newestOfHead(r.value));
  }

  async #listHeads(bucket: string, opts: { prefix?: string; after?: string; limit: number }): Promise<KvEntry[]> {
    const base = `${bucket}/`;
    return this.kv.list(NS_OBJECT, {
      prefix: base + (opts.prefix ?? ''),
      after: opts.after !== undefined ? base + opts.after : undefined,
      limit: opts.limit,
    });
  }

  /**
   * `entry` (as listed or read) with at least its newest `count` versions, or all it has: itself when it has
   * them, or a fresh read.
   */
  async newestVersions(bucket: string, entry: ObjectEntry, count: number): Promise<ObjectEntry> {
    if (entry.versions.length >= count || !this.#pages.mayHaveMore(entry)) return entry;
    return (await this.getObject(bucket, entry.key, { enough: (versions) => versions.length >= count }))?.entry ?? entry;
  }

  async hasObjects(bucket: string): Promise<boolean> {
    return (await this.kv.list(NS_OBJECT, { prefix: `${bucket}/`, limit: 1 })).length > 0;
  }

  async getUpload(bucket: string, uploadId: string): Promise<{ upload: UploadRecord; version: number } | undefined> {
    const e = await this.kv.get(NS_UPLOAD, `${bucket}/${uploadId}`);
    return e ? { upload: JSON.parse(e.value.toString()) as UploadRecord, version: e.version } : undefined;
  }

  async putUpload(u: UploadRecord, expectVersion: number): Promise<void> {
    await this.kv.commit([{ type: 'put', namespace: NS_UPLOAD, key: uploadKey(u), value: json(u), expectVersion }]);
  }

  /**
   * Each part is a record of its own, so that storing part n reads and writes part n only, not every part
   * before it (an upload of 10,000 parts rewrote a 4 MB record per part; decision 107). Uploads begun before
   * keep their earlier parts in the upload's record; a part stored since overrides the one kept there.
   */
  async getUploadPart(u: UploadRecord, partNumber: number): Promise<PartAt | undefined> {
    const e = await this.kv.get(NS_PART, partKey(u, partNumber));
    if (e) return { part: JSON.parse(e.value.toString()) as StoredPart, version: e.version };
    const kept = u.parts[String(partNumber)];
    return kept ? { part: kept, version: 0 } : undefined;
  }

  /**
   * Stores a part while its upload is as read (its record at `uploadVersion`: not completed or aborted since)
   * and its part number's record is as read (`partVersion`, 0 for none); KvConflictError otherwise. The upload's
   * record is checked, not written, so parts stored at once do not conflict with each other.
   */
  async putUploadPart(u: UploadRecord, uploadVersion: number, part: StoredPart, partVersion: number): Promise<void> {
    await this.kv.commit([
      { type: 'check', namespace: NS_UPLOAD, key: uploadKey(u), expectVersion: uploadVersion },
      { type: 'put', namespace: NS_PART, key: partKey(u, part.partNumber), value: json(part), expectVersion: partVersion },
    ]);
  }

  /** Every part of an upload, in part-number order. */
  async uploadParts(u: UploadRecord): Promise<PartAt[]> {
    const byNumber = new Map<number, PartAt>();
    for (const p of Object.values(u.parts)) byNumber.set(p.partNumber, { part: p, version: 0 });
    for await (const r of this.#all(NS_PART, `${u.bucket}/${u.uploadId}/`))
      byNumber.set((r.value as StoredPart).partNumber, { part: r.value as StoredPart, version: r.version });
    return [...byNumber.values()].sort((a, b) => a.part.partNumber - b.part.partNumber);
  }

  /**
   * Deletes the part records left of an upload that has ended (its record is gone, so no part can be stored for
   * it any more); returns their blob ids, for the caller to delete. Parts kept in the upload's own record
   * (uploads begun before decision 107) are the caller's to account for.
   */
  async dropPartRecords(u: UploadRecord): Promise<string[]> {
    const left: Array<{ key: string; blobId: string }> = [];
    for await (const r of this.#all(NS_PART, `${u.bucket}/${u.uploadId}/`)) left.push({ key: r.key, blobId: (r.value as StoredPart).blobId });
    for (let i = 0; i < left.length; i += PAGE) {
      await this.kv.commit(left.slice(i, i + PAGE).map((r) => ({ type: 'delete' as const, namespace: NS_PART, key: r.key })));
    }
    return left.map((r) => r.blobId);
  }

  /**
   * Removes an upload record as read at `expectVersion` (KvConflictError if it changed or is gone): whoever
   * removes it owns its part blobs, so an abort racing a completion can never delete the completed object's parts.
   */
  async deleteUpload(u: UploadRecord, expectVersion: number, endedAt: number): Promise<void> {
    await this.kv.commit([{ type: 'delete', namespace: NS_UPLOAD, key: uploadKey(u), expectVersion }, endedPut(u, endedAt)]);
  }

  /** The record of an upload that ended (completed or aborted) and has not been forgotten yet. */
  async getEndedUpload(bucket: string, uploadId: string): Promise<EndedUpload | undefined> {
    const e = await this.kv.get(NS_ENDED, `${bucket}/${uploadId}`);
    return e ? (JSON.parse(e.value.toString()) as EndedUpload) : undefined;
  }

  /** Forgets the uploads that ended before `before`; returns how many. */
  async forgetEndedUploads(before: number): Promise<number> {
    const old: string[] = [];
    for await (const { key, value } of this.#all(NS_ENDED)) if ((value as EndedUpload).endedAt < before) old.push(key);
    for (let i = 0; i < old.length; i += PAGE) {
      await this.kv.commit(old.slice(i, i + PAGE).map((key) => ({ type: 'delete' as const, namespace: NS_ENDED, key })));
    }
    return old.length;
  }

  async listUploads(bucket: string): Promise<UploadRecord[]> {
    return (await this.kv.list(NS_UPLOAD, { prefix: `${bucket}/` })).map((e) => JSON.parse(e.value.toString()) as UploadRecord);
  }

  /**
   * Completes an upload: the object entry, the upload's removal (as read at `uploadVersion`) and the removal of
   * the part records read (each at the version read: a part stored again meanwhile is a conflict) in one
   * commit. A part stored after `parts` was read, under a new number, is left for dropUploadParts.
   */
  async completeUpload(
    bucket: string,
    entry: ObjectEntry,
    expectVersion: number,
    u: UploadRecord,
    uploadVersion: number,
    endedAt: number,
    parts: ReadonlyArray<PartAt>,
  ): Promise<void> {
    await this.kv.commit([
      ...(await this.#pages.writeOps(bucket, entry, expectVersion)),
      { type: 'delete', namespace: NS_UPLOAD, key: uploadKey(u), expectVersion: uploadVersion },
      endedPut(u, endedAt),
      ...parts
        .filter((p) => p.version > 0)
        .map((p) => ({ type: 'delete' as const, namespace: NS_PART, key: partKey(u, p.part.partNumber), expectVersion: p.version })),
    ]);
  }

  /**
   * Every blob id the metadata refers to: each version's data (of every object, current or not) and each
   * part of an unfinished upload. Read page by page; consistent only while nothing writes (the orphan sweep
   * runs at start-up, before the server serves).
   */
  async referencedBlobIds(): Promise<Set<string>> {
    const ids = new Set<string>();
    const add = (versions: VersionRecord[]) => {
      for (const v of versions) for (const id of blobsOf(v)) ids.add(id);
    };
    for await (const { value } of this.#all(NS_OBJECT)) add((value as ObjectEntry).versions);
    for await (const { value } of this.#all(NS_PAGE)) add((value as { versions: VersionRecord[] }).versions);
    for await (const { value } of this.#all(NS_UPLOAD)) for (const p of await this.uploadParts(value as UploadRecord)) ids.add(p.part.blobId);
    return ids;
  }

  /** Every record of a namespace (or of its keys starting with `prefix`), page by page: key, parsed value, version. */
  async *#all(namespace: string, prefix?: string): AsyncGenerator<{ key: string; value: unknown; version: number }> {
    for (let after: string | undefined; ; ) {
      const rows = await this.kv.list(namespace, { after, limit: PAGE, ...(prefix !== undefined ? { prefix } : {}) });
      for (const r of rows) yield { key: r.key, value: JSON.parse(r.value.toString()), version: r.version };
      if (rows.length < PAGE) return;
      after = rows[rows.length - 1]!.key;
    }
  }
}
