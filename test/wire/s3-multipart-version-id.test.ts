// A multipart upload in a versioned bucket knows its object's version id from the start: S3 returns it from
// CreateMultipartUpload, UploadPart, UploadPartCopy, ListParts, ListMultipartUploads and AbortMultipartUpload
// (the S3 API model of late 2026), and the completed object has that id (docs/decisions.md 102).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListPartsCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  UploadPartCommand,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import { failure, startTestServer, type TestServer } from '../helpers/server.js';

describe('S3 multipart uploads name their version id', () => {
  let s: TestServer;

  before(async () => {
    s = await startTestServer();
  });
  after(() => s.stop());

  async function bucket(Bucket: string, status?: 'Enabled' | 'Suspended'): Promise<string> {
    await s.s3().send(new CreateBucketCommand({ Bucket }));
    if (status) await s.s3().send(new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: status } }));
    return Bucket;
  }

  async function complete(Bucket: string, Key: string, UploadId: string, ETag: string | undefined) {
    return s.s3().send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag }] } }));
  }

  it('versioning Enabled: every answer about the upload names the id the completed object gets', async () => {
    const Bucket = await bucket('mpu-versioned', 'Enabled');
    const Key = 'big.bin';
    const data = randomBytes(4096);
    await s.s3().send(new PutObjectCommand({ Bucket, Key: 'source', Body: data }));
    const created = await s.s3().send(new CreateMultipartUploadCommand({ Bucket, Key }));
    const id = created.VersionId;
    assert.match(id ?? '', /^[A-Za-z0-9._]{32}$/);
    const UploadId = created.UploadId!;
    const copied = await s.s3().send(new UploadPartCopyCommand({ Bucket, Key, UploadId, PartNumber: 2, CopySource: `${Bucket}/source` }));
    assert.equal(copied.VersionId, id);
    const part = await s.s3().send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 1, Body: data }));
    assert.equal(part.VersionId, id);
    assert.equal((await s.s3().send(new ListPartsCommand({ Bucket, Key, UploadId }))).VersionId, id);
    const listed = await s.s3().send(new ListMultipartUploadsCommand({ Bucket }));
    assert.deepEqual(
      listed.Uploads?.map((u) => [u.Key, u.VersionId]),
      [[Key, id]],
    );
    const done = await complete(Bucket, Key, UploadId, part.ETag);
    assert.equal(done.VersionId, id);
    const got = await s.s3().send(new GetObjectCommand({ Bucket, Key, VersionId: id }));
    assert.equal(got.VersionId, id);
    assert.deepEqual(Buffer.from(await got.Body!.transformToByteArray()), data);
    // A retried completion answers with the same id.
    assert.equal((await complete(Bucket, Key, UploadId, part.ETag)).VersionId, id);
  });

  it('an aborted upload names the version it would have made; no object version has it', async () => {
    const Bucket = await bucket('mpu-versioned-abort', 'Enabled');
    const created = await s.s3().send(new CreateMultipartUploadCommand({ Bucket, Key: 'k' }));
    const aborted = await s.s3().send(new AbortMultipartUploadCommand({ Bucket, Key: 'k', UploadId: created.UploadId }));
    assert.equal(aborted.VersionId, created.VersionId);
    assert.equal((await failure(s.s3().send(new HeadObjectCommand({ Bucket, Key: 'k', VersionId: created.VersionId })))).status, 404);
  });

  it('no versioning: no version id anywhere; versioning changed during the upload: the bucket at completion decides', async () => {
    const plain = await bucket('mpu-unversioned');
    const created = await s.s3().send(new CreateMultipartUploadCommand({ Bucket: plain, Key: 'k' }));
    assert.equal(created.VersionId, undefined);
    const part = await s.s3().send(new UploadPartCommand({ Bucket: plain, Key: 'k', UploadId: created.UploadId, PartNumber: 1, Body: 'x' }));
    assert.equal(part.VersionId, undefined);
    assert.equal((await s.s3().send(new ListMultipartUploadsCommand({ Bucket: plain }))).Uploads?.[0]?.VersionId, undefined);
    // Enabled after the upload began: the object gets a fresh id, as any write to a versioned bucket.
    await s.s3().send(new PutBucketVersioningCommand({ Bucket: plain, VersioningConfiguration: { Status: 'Enabled' } }));
    const late = await complete(plain, 'k', created.UploadId!, part.ETag);
    assert.match(late.VersionId ?? '', /^[A-Za-z0-9._]{32}$/);

    // Suspended after the upload began: the object is the null version, and the announced id names nothing.
    const Bucket = await bucket('mpu-suspended-meanwhile', 'Enabled');
    const begun = await s.s3().send(new CreateMultipartUploadCommand({ Bucket, Key: 'k' }));
    assert.ok(begun.VersionId);
    const p1 = await s.s3().send(new UploadPartCommand({ Bucket, Key: 'k', UploadId: begun.UploadId, PartNumber: 1, Body: 'y' }));
    await s.s3().send(new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: 'Suspended' } }));
    const done = await complete(Bucket, 'k', begun.UploadId!, p1.ETag);
    assert.equal(done.VersionId, undefined);
    assert.equal((await s.s3().send(new HeadObjectCommand({ Bucket, Key: 'k' }))).VersionId, 'null');
    assert.equal((await failure(s.s3().send(new HeadObjectCommand({ Bucket, Key: 'k', VersionId: begun.VersionId })))).status, 404);
  });
});
