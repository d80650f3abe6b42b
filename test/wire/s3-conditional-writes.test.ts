// S3 conditional writes (https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes.html):
// If-None-Match: * and If-Match on PutObject, CopyObject and CompleteMultipartUpload, If-Match on
// DeleteObject; refused writes change nothing and leave no blob behind; racing create-only writes have one
// winner; a bucket policy can require a condition (s3:if-none-match).
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  ListPartsCommand,
  PutBucketPolicyCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  type S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { errorName, startTestServer, type TestServer } from '../helpers/server.js';

describe('S3 conditional writes (wire)', () => {
  let s: TestServer;
  let s3: S3Client;
  const Bucket = 'conditional';
  const text = async (Key: string, b = Bucket) => (await s3.send(new GetObjectCommand({ Bucket: b, Key }))).Body!.transformToString();
  const blobFiles = () =>
    readdirSync(join(s.dataDir, 'blobs'), { recursive: true, withFileTypes: true }).filter((d) => d.isFile() && !d.parentPath.endsWith('tmp')).length;
  before(async () => {
    s = await startTestServer();
    s3 = s.s3();
    await s3.send(new CreateBucketCommand({ Bucket }));
  });
  after(() => s.stop());

  it('PutObject with If-None-Match: * creates once; If-Match replaces only the ETag it names', async () => {
    const first = await s3.send(new PutObjectCommand({ Bucket, Key: 'once', Body: 'first', IfNoneMatch: '*' }));
    const blobs = blobFiles();
    assert.equal(await errorName(s3.send(new PutObjectCommand({ Bucket, Key: 'once', Body: 'second', IfNoneMatch: '*' }))), 'PreconditionFailed');
    assert.equal(await text('once'), 'first');
    const second = await s3.send(new PutObjectCommand({ Bucket, Key: 'once', Body: 'second', IfMatch: first.ETag }));
    assert.equal(await text('once'), 'second');
    assert.equal(await errorName(s3.send(new PutObjectCommand({ Bucket, Key: 'once', Body: 'third', IfMatch: first.ETag }))), 'PreconditionFailed');
    assert.equal(await errorName(s3.send(new PutObjectCommand({ Bucket, Key: 'missing', Body: 'x', IfMatch: first.ETag }))), 'NoSuchKey');
    assert.equal(await errorName(s3.send(new PutObjectCommand({ Bucket, Key: 'once', Body: 'x', IfNoneMatch: second.ETag }))), 'NotImplemented');
    // S3 matches an ETag without its quotes, or with only one of them (moto's AWS-verified test_put_object_if_match).
    const bare = await s3.send(new PutObjectCommand({ Bucket, Key: 'once', Body: 'second', IfMatch: second.ETag!.replaceAll('"', '') }));
    await s3.send(new PutObjectCommand({ Bucket, Key: 'once', Body: 'second', IfMatch: bare.ETag!.slice(1) }));
    assert.equal(await text('once'), 'second');
    assert.equal(blobFiles(), blobs, 'refused writes store nothing (one blob replaced by one)');
  });

  it('racing create-only writes: exactly one wins, the losers leave no blob', async () => {
    const blobs = blobFiles();
    const bodies = Array.from({ length: 8 }, (_, i) => `writer-${i}-${'x'.repeat(70_000)}`);
    const outcomes = await Promise.all(
      bodies.map((Body) =>
        s3.send(new PutObjectCommand({ Bucket, Key: 'race', Body, IfNoneMatch: '*' })).then(
          () => 'OK',
          (err: { name: string }) => err.name,
        ),
      ),
    );
    assert.equal(outcomes.filter((o) => o === 'OK').length, 1, outcomes.join());
    assert.ok(
      outcomes.every((o) => o === 'OK' || o === 'PreconditionFailed' || o === 'ConditionalRequestConflict'),
      outcomes.join(),
    );
    assert.equal(await text('race'), bodies[outcomes.indexOf('OK')]);
    assert.equal(blobFiles(), blobs + 1);
  });

  it('CopyObject and CompleteMultipartUpload honour the destination condition; a refused completion keeps the upload', async () => {
    await s3.send(new PutObjectCommand({ Bucket, Key: 'src', Body: 'source' }));
    await s3.send(new CopyObjectCommand({ Bucket, Key: 'copy', CopySource: `${Bucket}/src`, IfNoneMatch: '*' }));
    assert.equal(await errorName(s3.send(new CopyObjectCommand({ Bucket, Key: 'copy', CopySource: `${Bucket}/src`, IfNoneMatch: '*' }))), 'PreconditionFailed');
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key: 'copy' }));
    const part = await s3.send(new UploadPartCommand({ Bucket, Key: 'copy', UploadId, PartNumber: 1, Body: 'multipart' }));
    const MultipartUpload = { Parts: [{ PartNumber: 1, ETag: part.ETag }] };
    assert.equal(
      await errorName(s3.send(new CompleteMultipartUploadCommand({ Bucket, Key: 'copy', UploadId, MultipartUpload, IfNoneMatch: '*' }))),
      'PreconditionFailed',
    );
    assert.equal(await text('copy'), 'source');
    assert.equal((await s3.send(new ListPartsCommand({ Bucket, Key: 'copy', UploadId }))).Parts?.length, 1);
    const done = await s3.send(new CompleteMultipartUploadCommand({ Bucket, Key: 'copy', UploadId, MultipartUpload }));
    assert.equal(await text('copy'), 'multipart');
    // Completing it again answers as the first time, the condition notwithstanding: the object is the upload's own
    // (moto's AWS-verified test_idempotent_multipart_upload).
    const again = await s3.send(new CompleteMultipartUploadCommand({ Bucket, Key: 'copy', UploadId, MultipartUpload, IfNoneMatch: '*' }));
    assert.equal(again.ETag, done.ETag);
  });

  it('DeleteObject with If-Match deletes only the ETag it names', async () => {
    const put = await s3.send(new PutObjectCommand({ Bucket, Key: 'del', Body: 'v1' }));
    assert.equal(await errorName(s3.send(new DeleteObjectCommand({ Bucket, Key: 'del', IfMatch: '"0123"' }))), 'PreconditionFailed');
    assert.equal(await text('del'), 'v1');
    await s3.send(new DeleteObjectCommand({ Bucket, Key: 'del', IfMatch: put.ETag }));
    assert.equal(await errorName(s3.send(new GetObjectCommand({ Bucket, Key: 'del' }))), 'NoSuchKey');
    assert.equal(await errorName(s3.send(new DeleteObjectCommand({ Bucket, Key: 'del', IfMatch: put.ETag }))), 'NoSuchKey');
  });

  it('versioned buckets: a delete marker counts as no object', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'conditional-versions' }));
    await s3.send(new PutBucketVersioningCommand({ Bucket: 'conditional-versions', VersioningConfiguration: { Status: 'Enabled' } }));
    await s3.send(new PutObjectCommand({ Bucket: 'conditional-versions', Key: 'k', Body: 'a', IfNoneMatch: '*' }));
    assert.equal(
      await errorName(s3.send(new PutObjectCommand({ Bucket: 'conditional-versions', Key: 'k', Body: 'b', IfNoneMatch: '*' }))),
      'PreconditionFailed',
    );
    await s3.send(new DeleteObjectCommand({ Bucket: 'conditional-versions', Key: 'k' }));
    await s3.send(new PutObjectCommand({ Bucket: 'conditional-versions', Key: 'k', Body: 'c', IfNoneMatch: '*' }));
    assert.equal(await text('k', 'conditional-versions'), 'c');
  });

  it('a bucket policy can require If-None-Match on uploads (s3:if-none-match)', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'conditional-policy' }));
    const policy = {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:PutObject',
          Resource: 'arn:aws:s3:::conditional-policy/*',
          Condition: { Null: { 's3:if-none-match': 'true' } },
        },
      ],
    };
    await s3.send(new PutBucketPolicyCommand({ Bucket: 'conditional-policy', Policy: JSON.stringify(policy) }));
    assert.equal(await errorName(s3.send(new PutObjectCommand({ Bucket: 'conditional-policy', Key: 'k', Body: 'x' }))), 'AccessDenied');
    await s3.send(new PutObjectCommand({ Bucket: 'conditional-policy', Key: 'k', Body: 'x', IfNoneMatch: '*' }));
  });
});
