// DSSE-KMS (x-amz-server-side-encryption: aws:kms:dsse) through the SDK
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingDSSEncryption.html): two layers of encryption
// with independent keys, one of them a KMS data key; the object answers with its mode and key; reads of any
// range, multipart objects and copies work across both layers; bucket default encryption can be DSSE-KMS (no
// bucket keys); the KMS key governs reads; the stored bytes are two layers deep, so peeling one layer does not
// reveal the data; and UpdateObjectEncryption refuses a DSSE-KMS source, as S3 does.
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { CreateKeyCommand, DisableKeyCommand, EnableKeyCommand } from '@aws-sdk/client-kms';
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetBucketEncryptionCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutBucketEncryptionCommand,
  PutObjectCommand,
  type S3Client,
  UpdateObjectEncryptionCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { auditEvents } from '../helpers/audit.js';
import { outcome } from '../helpers/outcome.js';
import { filesUnder } from '../helpers/paths.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

describe('S3 DSSE-KMS (wire)', () => {
  let s: TestServer;
  let s3: S3Client;
  let keyArn: string;
  const Bucket = 'dual-layer';

  before(async () => {
    s = await startTestServer();
    s3 = s.s3();
    keyArn = (await s.kms().send(new CreateKeyCommand({}))).KeyMetadata!.Arn!;
    await s3.send(new CreateBucketCommand({ Bucket }));
  });
  after(() => s.stop());

  const read = async (Key: string, Range?: string) =>
    Buffer.from(await (await s3.send(new GetObjectCommand({ Bucket, Key, Range }))).Body!.transformToByteArray());

  it('stores an object under two layers and answers with aws:kms:dsse and its key, for whole and ranged reads', async () => {
    const data = randomBytes(300_000);
    const put = await s3.send(new PutObjectCommand({ Bucket, Key: 'two-layers', Body: data, ServerSideEncryption: 'aws:kms:dsse', SSEKMSKeyId: keyArn }));
    assert.deepEqual([put.ServerSideEncryption, put.SSEKMSKeyId, put.BucketKeyEnabled], ['aws:kms:dsse', keyArn, undefined]);
    const head = await s3.send(new HeadObjectCommand({ Bucket, Key: 'two-layers' }));
    assert.deepEqual([head.ServerSideEncryption, head.SSEKMSKeyId, head.ContentLength], ['aws:kms:dsse', keyArn, data.length]);
    assert.deepEqual(await read('two-layers'), data);
    // Ranges inside one segment, across segment boundaries of both layers, and the last byte.
    for (const [a, b] of [
      [0, 0],
      [65_530, 131_100],
      [100_000, 299_999],
      [299_999, 299_999],
    ] as const) {
      assert.deepEqual(await read('two-layers', `bytes=${a}-${b}`), data.subarray(a, b + 1), `${a}-${b}`);
    }
    // An empty object is two layers of one empty final segment.
    await s3.send(new PutObjectCommand({ Bucket, Key: 'empty', Body: '', ServerSideEncryption: 'aws:kms:dsse' }));
    assert.equal((await read('empty')).length, 0);
    // The KMS key governs every read.
    await s.kms().send(new DisableKeyCommand({ KeyId: keyArn }));
    try {
      assert.match((await outcome(read('two-layers')))!, /^KMS\.DisabledException/);
    } finally {
      await s.kms().send(new EnableKeyCommand({ KeyId: keyArn }));
    }
    const applied = (await auditEvents(s.dataDir)).find((e) => e.requestID === put.$metadata.requestId && e.eventName === 'PutObject');
    assert.equal(applied?.additionalEventData?.SSEApplied, 'DSSE_KMS');
  });

  it('stores two layers: the blob is two streams longer than the data, and never holds it in clear', async () => {
    const marker = Buffer.from(`dual-layer-marker-${randomBytes(8).toString('hex')}`.repeat(50));
    await s3.send(new PutObjectCommand({ Bucket, Key: 'marker', Body: marker, ServerSideEncryption: 'aws:kms:dsse' }));
    const blobs = filesUnder(join(s.dataDir, 'blobs')).filter((f) => !f.includes(`${join('blobs', 'tmp')}`));
    // One 1,500-byte segment per layer: 16 bytes of tag each.
    assert.ok(blobs.some((f) => statSync(f).size === marker.length + 32));
    for (const f of blobs) assert.equal(readFileSync(f).includes(marker.subarray(0, 40)), false);
  });

  it('defaults a bucket to DSSE-KMS, multipart uploads and copies included', async () => {
    const defaulted = 'dual-layer-default';
    await s3.send(new CreateBucketCommand({ Bucket: defaulted }));
    await s3.send(
      new PutBucketEncryptionCommand({
        Bucket: defaulted,
        ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms:dsse', KMSMasterKeyID: keyArn } }] },
      }),
    );
    const rule = (await s3.send(new GetBucketEncryptionCommand({ Bucket: defaulted }))).ServerSideEncryptionConfiguration!.Rules![0]!;
    assert.deepEqual(rule.ApplyServerSideEncryptionByDefault, { SSEAlgorithm: 'aws:kms:dsse', KMSMasterKeyID: keyArn });

    const part1 = randomBytes(5 * 1024 * 1024);
    const part2 = randomBytes(70_000);
    const started = await s3.send(new CreateMultipartUploadCommand({ Bucket: defaulted, Key: 'multi' }));
    assert.deepEqual([started.ServerSideEncryption, started.SSEKMSKeyId], ['aws:kms:dsse', keyArn]);
    const { UploadId } = started;
    const e1 = await s3.send(new UploadPartCommand({ Bucket: defaulted, Key: 'multi', UploadId, PartNumber: 1, Body: part1 }));
    const e2 = await s3.send(new UploadPartCommand({ Bucket: defaulted, Key: 'multi', UploadId, PartNumber: 2, Body: part2 }));
    await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: defaulted,
        Key: 'multi',
        UploadId,
        MultipartUpload: {
          Parts: [
            { PartNumber: 1, ETag: e1.ETag },
            { PartNumber: 2, ETag: e2.ETag },
          ],
        },
      }),
    );
    const all = Buffer.concat([part1, part2]);
    const whole = await s3.send(new GetObjectCommand({ Bucket: defaulted, Key: 'multi' }));
    assert.equal(whole.ServerSideEncryption, 'aws:kms:dsse');
    assert.deepEqual(Buffer.from(await whole.Body!.transformToByteArray()), all);
    const from = part1.length - 500;
    const ranged = await s3.send(new GetObjectCommand({ Bucket: defaulted, Key: 'multi', Range: `bytes=${from}-${from + 999}` }));
    assert.deepEqual(Buffer.from(await ranged.Body!.transformToByteArray()), all.subarray(from, from + 1000));

    // Copies: DSSE-KMS to SSE-S3 and back, bytes unchanged.
    await s3.send(new CopyObjectCommand({ Bucket, Key: 'copied-out', CopySource: `${defaulted}/multi`, ServerSideEncryption: 'AES256' }));
    assert.equal((await s3.send(new HeadObjectCommand({ Bucket, Key: 'copied-out' }))).ServerSideEncryption, 'AES256');
    await s3.send(new CopyObjectCommand({ Bucket: defaulted, Key: 'copied-back', CopySource: `${Bucket}/copied-out` }));
    assert.equal((await s3.send(new HeadObjectCommand({ Bucket: defaulted, Key: 'copied-back' }))).ServerSideEncryption, 'aws:kms:dsse');
    assert.deepEqual(Buffer.from(await (await s3.send(new GetObjectCommand({ Bucket: defaulted, Key: 'copied-back' }))).Body!.transformToByteArray()), all);
  });

  it('refuses a DSSE-KMS source for UpdateObjectEncryption, as S3 does', async () => {
    await s3.send(new PutObjectCommand({ Bucket, Key: 'not-movable', Body: 'x', ServerSideEncryption: 'aws:kms:dsse' }));
    const refused = await outcome(
      s3.send(new UpdateObjectEncryptionCommand({ Bucket, Key: 'not-movable', ObjectEncryption: { SSEKMS: { KMSKeyArn: keyArn } } })),
    );
    assert.match(refused!, /^InvalidRequest: .*doesn't support source objects with the encryption type DSSE-KMS or SSE-C/);
    assert.equal((await s3.send(new HeadObjectCommand({ Bucket, Key: 'not-movable' }))).ServerSideEncryption, 'aws:kms:dsse');
  });
});
