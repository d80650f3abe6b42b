// A data directory that runs out of space refuses writes with 503 ServiceUnavailable and a message that says
// what to do, records the refusal in the audit trail, changes nothing, keeps serving reads, and takes writes
// again once there is space (docs/decisions.md 103). The failure is the kernel's own ENOSPC: while "full", the
// blob store's writes go to /dev/full.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { CreateKeyCommand, EncryptCommand, ListKeysCommand } from '@aws-sdk/client-kms';
import {
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BlobRange, BlobStore } from '../../src/storage/blob/interface.js';
import type { KvOp } from '../../src/storage/kv/interface.js';
import { EXHAUSTION_MESSAGE } from '../../src/server/exhausted.js';
import { auditEvents } from '../helpers/audit.js';
import { enospcError, sqliteFullError } from '../helpers/full-disk.js';
import { KvPassThrough } from '../helpers/kv-pass-through.js';
import { failure, startTestServer, type TestServer } from '../helpers/server.js';

/** The real blob store, except that while `full` every write fails as a write to a full disk fails. */
class FillableBlobs implements BlobStore {
  full = false;
  constructor(private readonly inner: BlobStore) {}
  async put(source: AsyncIterable<Buffer | Uint8Array> | Readable) {
    if (this.full) for await (const chunk of source) await writeFile('/dev/full', chunk);
    return this.inner.put(source);
  }
  get(id: string, range?: BlobRange) {
    return this.inner.get(id, range);
  }
  size(id: string) {
    return this.inner.size(id);
  }
  list() {
    return this.inner.list();
  }
  delete(id: string) {
    return this.inner.delete(id);
  }
  close() {
    return this.inner.close();
  }
}

/**
 * The real metadata store, except that while `full` a commit fails as SQLite fails on a full disk (nothing
 * committed), and while `flushFails` it lands and then fails as a failed flush of the write-ahead log does.
 */
class FillableKv extends KvPassThrough {
  full = false;
  flushFails = false;
  override async commit(ops: ReadonlyArray<KvOp>) {
    if (this.full) throw sqliteFullError();
    await this.inner.commit(ops);
    if (this.flushFails) throw enospcError();
  }
}

/** Every blob file in a data directory (the store's shards; temporary files included). */
function blobFiles(dataDir: string): string[] {
  const root = join(dataDir, 'blobs');
  return readdirSync(root, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? readdirSync(join(root, d.name)).map((f) => `${d.name}/${f}`) : []));
}

describe('a full data directory', () => {
  let s: TestServer;
  let blobs: FillableBlobs;
  let kv: FillableKv;
  const Bucket = 'full-disk';

  before(async () => {
    s = await startTestServer({
      start: {
        blobStore: (store) => {
          blobs = new FillableBlobs(store);
          return blobs;
        },
        kvStore: (store) => {
          kv = new FillableKv(store);
          return kv;
        },
      },
    });
    await s.s3().send(new CreateBucketCommand({ Bucket }));
  });
  after(() => s.stop());

  it('refuses writes with 503 and what to do, audited, changing nothing; reads and KMS go on; writes resume', async () => {
    const kept = randomBytes(2048);
    await s.s3().send(new PutObjectCommand({ Bucket, Key: 'kept', Body: kept }));
    const { UploadId } = await s.s3().send(new CreateMultipartUploadCommand({ Bucket, Key: 'parts' }));
    blobs.full = true;

    const put = await failure(s.s3().send(new PutObjectCommand({ Bucket, Key: 'lost', Body: randomBytes(1024 * 1024) })));
    assert.deepEqual(put, { name: 'ServiceUnavailable', message: EXHAUSTION_MESSAGE.space, status: 503 });
    const part = await failure(s.s3().send(new UploadPartCommand({ Bucket, Key: 'parts', UploadId, PartNumber: 1, Body: randomBytes(4096) })));
    assert.equal(part.status, 503);
    assert.equal((await failure(s.s3().send(new HeadObjectCommand({ Bucket, Key: 'lost' })))).status, 404);

    const got = await s.s3().send(new GetObjectCommand({ Bucket, Key: 'kept' }));
    assert.deepEqual(Buffer.from(await got.Body!.transformToByteArray()), kept);
    const key = (await s.kms().send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    assert.ok((await s.kms().send(new EncryptCommand({ KeyId: key, Plaintext: Buffer.from('x') }))).CiphertextBlob);

    const refused = (await auditEvents(s.dataDir)).filter((e) => e.eventName === 'PutObject' && e.errorCode === 'ServiceUnavailable');
    assert.equal(refused.length, 1);
    assert.equal((refused[0]!.requestParameters as { key?: string }).key, 'lost');

    blobs.full = false;
    const body = randomBytes(1024 * 1024);
    await s.s3().send(new PutObjectCommand({ Bucket, Key: 'lost', Body: body }));
    const back = await s.s3().send(new GetObjectCommand({ Bucket, Key: 'lost' }));
    assert.deepEqual(Buffer.from(await back.Body!.transformToByteArray()), body);
  });

  it('a metadata commit that fails changes nothing and leaves no blob behind; one that landed before failing keeps its data', async () => {
    const before = blobFiles(s.dataDir).length;
    const keys = (await s.kms().send(new ListKeysCommand({}))).Keys!.length;
    kv.full = true;
    const refused = await failure(s.s3().send(new PutObjectCommand({ Bucket, Key: 'meta-full', Body: randomBytes(64 * 1024) })));
    const createKey = await failure(s.kms().send(new CreateKeyCommand({})));
    kv.full = false;
    assert.deepEqual(createKey, { name: 'ServiceUnavailableException', message: EXHAUSTION_MESSAGE.space, status: 503 });
    assert.equal((await s.kms().send(new ListKeysCommand({}))).Keys!.length, keys);
    assert.deepEqual(refused, { name: 'ServiceUnavailable', message: EXHAUSTION_MESSAGE.space, status: 503 });
    assert.equal((await failure(s.s3().send(new HeadObjectCommand({ Bucket, Key: 'meta-full' })))).status, 404);
    assert.equal(blobFiles(s.dataDir).length, before, 'the refused write left no blob file');

    // Landed, then the flush failed: the client is told it failed, and what is stored stays readable.
    const body = randomBytes(64 * 1024);
    kv.flushFails = true;
    const unsure = await failure(s.s3().send(new PutObjectCommand({ Bucket, Key: 'landed', Body: body })));
    kv.flushFails = false;
    assert.equal(unsure.status, 503);
    const got = await s.s3().send(new GetObjectCommand({ Bucket, Key: 'landed' }));
    assert.deepEqual(Buffer.from(await got.Body!.transformToByteArray()), body);
  });
});
