// Each part of a multipart upload is a record of its own: storing a part writes that part only (the upload's
// record is checked, not rewritten), so the cost of a part does not grow with the parts before it and parts stored
// at once do not conflict; completing or aborting removes every part record, and an abort every part's data
// (docs/decisions.md 107).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  ListPartsCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import type { KvOp } from '../../src/storage/kv/interface.js';
import { KvPassThrough } from '../helpers/kv-pass-through.js';
import { storedBlobFiles } from '../helpers/blob-files.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

/** The real metadata store, recording the operations of every commit that landed. */
class RecordingKv extends KvPassThrough {
  commits: Array<ReadonlyArray<KvOp>> = [];
  override async commit(ops: ReadonlyArray<KvOp>) {
    await this.inner.commit(ops);
    this.commits.push(ops);
  }
}

describe('S3 multipart uploads keep each part in its own record', () => {
  let s: TestServer;
  let kv: RecordingKv;
  const Bucket = 'parts-apart';
  const PART = 5 * 1024 * 1024;

  before(async () => {
    s = await startTestServer({
      start: {
        kvStore: (store) => {
          kv = new RecordingKv(store);
          return kv;
        },
      },
    });
    await s.s3().send(new CreateBucketCommand({ Bucket }));
  });
  after(() => s.stop());

  it('parts stored at once each write their own record only; the completed object reads back whole', async () => {
    const Key = 'assembled';
    const { UploadId } = await s.s3().send(new CreateMultipartUploadCommand({ Bucket, Key }));
    const bodies = [randomBytes(PART), randomBytes(PART), randomBytes(1234)];
    kv.commits = [];
    const etags = await Promise.all(
      bodies.map(async (Body, i) => (await s.s3().send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: i + 1, Body }))).ETag),
    );
    const partCommits = kv.commits.filter((ops) => ops.some((op) => op.namespace === 's3/upload-part'));
    assert.equal(partCommits.length, 3);
    for (const ops of partCommits) {
      assert.deepEqual(
        ops.map((op) => `${op.type} ${op.namespace}`),
        ['check s3/upload', 'put s3/upload-part'],
      );
    }
    const listed = await s.s3().send(new ListPartsCommand({ Bucket, Key, UploadId }));
    assert.deepEqual(
      listed.Parts?.map((p) => [p.PartNumber, p.ETag]),
      etags.map((e, i) => [i + 1, e]),
    );
    await s
      .s3()
      .send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: etags.map((ETag, i) => ({ ETag, PartNumber: i + 1 })) } }));
    const got = await s.s3().send(new GetObjectCommand({ Bucket, Key }));
    assert.deepEqual(Buffer.from(await got.Body!.transformToByteArray()), Buffer.concat(bodies));
    assert.deepEqual(await kv.list('s3/upload-part', { prefix: `${Bucket}/${UploadId}/` }), []);
  });

  it('an abort removes every part record and every part blob', async () => {
    const blobsBefore = storedBlobFiles(s.dataDir).length;
    const { UploadId } = await s.s3().send(new CreateMultipartUploadCommand({ Bucket, Key: 'dropped' }));
    for (const PartNumber of [1, 2, 2, 3]) await s.s3().send(new UploadPartCommand({ Bucket, Key: 'dropped', UploadId, PartNumber, Body: randomBytes(1000) }));
    assert.equal(storedBlobFiles(s.dataDir).length, blobsBefore + 3, 'a part stored again replaced its data');
    await s.s3().send(new AbortMultipartUploadCommand({ Bucket, Key: 'dropped', UploadId }));
    assert.deepEqual(await kv.list('s3/upload-part', { prefix: `${Bucket}/${UploadId}/` }), []);
    assert.equal(storedBlobFiles(s.dataDir).length, blobsBefore);
  });
});
