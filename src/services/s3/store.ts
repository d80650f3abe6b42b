// Persistence of buckets, object entries (all versions of a key in one record, so a write is one atomic
// commit) and multipart uploads, in the metadata store:
//   s3/bucket  <bucket>                 BucketRecord
//   s3/object  <bucket>/<key>           ObjectEntry      (listed in UTF-8 byte order, as S3 lists keys)
//   s3/upload  <bucket>/<uploadId>      UploadRecord
//   s3/ended-upload <bucket>/<uploadId> EndedUpload      (an upload completed or aborted lately: abort answers 204)
import { KvConflictError, type KvStore } from '../../storage/kv/interface.js';
import { type BucketRecord, blobsOf, type ObjectEntry, type UploadRecord } from './model.js';

const NS_BUCKET = 's3/bucket';
const NS_OBJECT = 's3/object';
const NS_UPLOAD = 's3/upload';
const NS_ENDED = 's3/ended-upload';
const json = (v: unknown) => Buffer.from(JSON.stringify(v));
/** An upload's key, in s3/upload and s3/ended-upload alike. */
const uploadKey = (u: UploadRecord) => `${u.bucket}/${u.uploadId}`;
const PAGE = 1000;

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
  constructor(private readonly kv: KvStore) {}

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
  async deleteBucket(name: string, uploads: ReadonlyArray<UploadRecord> = []): Promise<void> {
    await this.kv.commit([
      ...uploads.map((u) => ({ type: 'delete' as const, namespace: NS_UPLOAD, key: uploadKey(u) })),
      { type: 'delete', namespace: NS_BUCKET, key: name },
    ]);
  }

  async listBuckets(): Promise<BucketRecord[]> {
    return (await this.kv.list(NS_BUCKET)).map((e) => JSON.parse(e.value.toString()) as BucketRecord);
  }

  async getObject(bucket: string, key: string): Promise<{ entry: ObjectEntry; version: number } | undefined> {
    const e = await this.kv.get(NS_OBJECT, `${bucket}/${key}`);
    return e ? { entry: JSON.parse(e.value.toString()) as ObjectEntry, version: e.version } : undefined;
  }

  /** Compare-and-set write of one key's entry (expectVersion 0 = new); an entry with no versions is deleted. */
  async putObject(bucket: string, entry: ObjectEntry, expectVersion: number): Promise<void> {
    const key = `${bucket}/${entry.key}`;
    if (entry.versions.length === 0) await this.kv.commit([{ type: 'delete', namespace: NS_OBJECT, key, expectVersion }]);
    else await this.kv.commit([{ type: 'put', namespace: NS_OBJECT, key, value: json(entry), expectVersion }]);
  }

  /** Entries of a bucket in key order, from `after` (exclusive), with an optional prefix. */
  async listObjects(bucket: string, opts: { prefix?: string; after?: string; limit: number }): Promise<ObjectEntry[]> {
    const base = `${bucket}/`;
    const rows = await this.kv.list(NS_OBJECT, {
      prefix: base + (opts.prefix ?? ''),
      after: opts.after !== undefined ? base + opts.after : undefined,
      limit: opts.limit,
    });
    return rows.map((r) => JSON.parse(r.value.toString()) as ObjectEntry);
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

  /** Completes an upload: the object entry and the upload's removal (as read at `uploadVersion`) in one commit. */
  async completeUpload(bucket: string, entry: ObjectEntry, expectVersion: number, u: UploadRecord, uploadVersion: number, endedAt: number): Promise<void> {
    await this.kv.commit([
      { type: 'put', namespace: NS_OBJECT, key: `${bucket}/${entry.key}`, value: json(entry), expectVersion },
      { type: 'delete', namespace: NS_UPLOAD, key: uploadKey(u), expectVersion: uploadVersion },
      endedPut(u, endedAt),
    ]);
  }

  /**
   * Every blob id the metadata refers to: each version's data (of every object, current or not) and each
   * part of an unfinished upload. Read page by page; consistent only while nothing writes (the orphan sweep
   * runs at start-up, before the server serves).
   */
  async referencedBlobIds(): Promise<Set<string>> {
    const ids = new Set<string>();
    for await (const { value } of this.#all(NS_OBJECT)) for (const version of (value as ObjectEntry).versions) for (const id of blobsOf(version)) ids.add(id);
    for await (const { value } of this.#all(NS_UPLOAD)) for (const p of Object.values((value as UploadRecord).parts)) ids.add(p.blobId);
    return ids;
  }

  /** Every record of a namespace, page by page: its key and its parsed value. */
  async *#all(namespace: string): AsyncGenerator<{ key: string; value: unknown }> {
    for (let after: string | undefined; ; ) {
      const rows = await this.kv.list(namespace, { after, limit: PAGE });
      for (const r of rows) yield { key: r.key, value: JSON.parse(r.value.toString()) };
      if (rows.length < PAGE) return;
      after = rows[rows.length - 1]!.key;
    }
  }
}
