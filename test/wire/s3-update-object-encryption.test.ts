// UpdateObjectEncryption through the SDK (https://docs.aws.amazon.com/AmazonS3/latest/API/API_UpdateObjectEncryption.html):
// an SSE-S3 or SSE-KMS object moves to SSE-KMS under another key (with or without a bucket key) without its data
// moving — same bytes, ETag, checksum and dates; the old key is no longer needed and the new one is; multipart
// objects move part by part; the refusals the API reference lists (SSE-C sources, other target types, key ARN
// and BucketKeyEnabled checks, another account's key, Object Lock) change nothing.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { CreateKeyCommand, DisableKeyCommand, EnableKeyCommand } from '@aws-sdk/client-kms';
import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  PutObjectLegalHoldCommand,
  type S3Client,
  UpdateObjectEncryptionCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { auditEvents } from '../helpers/audit.js';
import { outcome } from '../helpers/outcome.js';
import { signedS3 } from '../helpers/s3-signer.js';
import { allowSseC, sseC } from '../helpers/sse-c.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

describe('S3 UpdateObjectEncryption (wire)', () => {
  let s: TestServer;
  let s3: S3Client;
  let keyA: string;
  let keyB: string;
  const Bucket = 'reencrypt';

  before(async () => {
    s = await startTestServer();
    s3 = s.s3();
    const kms = s.kms();
    keyA = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.Arn!;
    keyB = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.Arn!;
    await s3.send(new CreateBucketCommand({ Bucket }));
  });
  after(() => s.stop());

  const update = (Key: string, KMSKeyArn: string, BucketKeyEnabled?: boolean, VersionId?: string) =>
    s3.send(new UpdateObjectEncryptionCommand({ Bucket, Key, VersionId, ObjectEncryption: { SSEKMS: { KMSKeyArn, BucketKeyEnabled } } }));
  const body = async (Key: string, Range?: string) =>
    Buffer.from(await (await s3.send(new GetObjectCommand({ Bucket, Key, Range }))).Body!.transformToByteArray());
  const setEnabled = (arn: string, on: boolean) => s.kms().send(on ? new EnableKeyCommand({ KeyId: arn }) : new DisableKeyCommand({ KeyId: arn }));

  it('moves an SSE-S3 object to SSE-KMS without touching its data, ETag, checksum or dates', async () => {
    const data = randomBytes(200_000);
    await s3.send(new PutObjectCommand({ Bucket, Key: 's3-to-kms', Body: data, ChecksumAlgorithm: 'SHA256' }));
    const before = await s3.send(new HeadObjectCommand({ Bucket, Key: 's3-to-kms', ChecksumMode: 'ENABLED' }));
    assert.equal(before.ServerSideEncryption, 'AES256');
    const answer = await update('s3-to-kms', keyA);
    assert.equal(answer.$metadata.httpStatusCode, 200);
    const after = await s3.send(new HeadObjectCommand({ Bucket, Key: 's3-to-kms', ChecksumMode: 'ENABLED' }));
    assert.deepEqual([after.ServerSideEncryption, after.SSEKMSKeyId, after.BucketKeyEnabled], ['aws:kms', keyA, undefined]);
    assert.deepEqual(
      [after.ETag, after.ChecksumSHA256, after.LastModified?.getTime(), after.ContentLength],
      [before.ETag, before.ChecksumSHA256, before.LastModified?.getTime(), before.ContentLength],
    );
    assert.equal(before.ETag, `"${createHash('md5').update(data).digest('hex')}"`, 'the SSE-S3 ETag (the MD5) is kept');
    assert.deepEqual(await body('s3-to-kms'), data);
    // The object key is now KMS's to give: a disabled key makes the object unreadable.
    await setEnabled(keyA, false);
    try {
      assert.match((await outcome(body('s3-to-kms')))!, /^KMS\.DisabledException/);
    } finally {
      await setEnabled(keyA, true);
    }
    // S3 asked KMS on the caller's behalf, and CloudTrail says so.
    const events = await auditEvents(s.dataDir);
    const updated = events.find((e) => e.eventName === 'UpdateObjectEncryption')!;
    assert.equal(updated.eventSource, 's3.amazonaws.com');
    const kmsCall = events.find((e) => e.eventName === 'Encrypt' && e.requestID === updated.requestID)!;
    assert.equal((kmsCall.userIdentity as { invokedBy?: string }).invokedBy, 's3.amazonaws.com');
  });

  it('moves an SSE-KMS object to another key and a bucket key; the old key is no longer needed', async () => {
    const data = randomBytes(70_000);
    await s3.send(new PutObjectCommand({ Bucket, Key: 'kms-to-kms', Body: data, ServerSideEncryption: 'aws:kms', SSEKMSKeyId: keyA }));
    await update('kms-to-kms', keyB, true);
    const head = await s3.send(new HeadObjectCommand({ Bucket, Key: 'kms-to-kms' }));
    assert.deepEqual([head.ServerSideEncryption, head.SSEKMSKeyId, head.BucketKeyEnabled], ['aws:kms', keyB, true]);
    await setEnabled(keyA, false);
    try {
      assert.deepEqual(await body('kms-to-kms'), data);
    } finally {
      await setEnabled(keyA, true);
    }
  });

  it('moves every part of a multipart object; whole and ranged reads still match', async () => {
    const part1 = randomBytes(5 * 1024 * 1024);
    const part2 = randomBytes(300_000);
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key: 'multi' }));
    const e1 = await s3.send(new UploadPartCommand({ Bucket, Key: 'multi', UploadId, PartNumber: 1, Body: part1 }));
    const e2 = await s3.send(new UploadPartCommand({ Bucket, Key: 'multi', UploadId, PartNumber: 2, Body: part2 }));
    await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket,
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
    await update('multi', keyB);
    const all = Buffer.concat([part1, part2]);
    assert.deepEqual(await body('multi'), all);
    const from = part1.length - 1000;
    assert.deepEqual(await body('multi', `bytes=${from}-${from + 1999}`), all.subarray(from, from + 2000));
    assert.equal((await s3.send(new HeadObjectCommand({ Bucket, Key: 'multi' }))).SSEKMSKeyId, keyB);
  });

  it('updates only the version it names', async () => {
    const versioned = 'reencrypt-versions';
    await s3.send(new CreateBucketCommand({ Bucket: versioned }));
    await s3.send(new PutBucketVersioningCommand({ Bucket: versioned, VersioningConfiguration: { Status: 'Enabled' } }));
    const v1 = (await s3.send(new PutObjectCommand({ Bucket: versioned, Key: 'k', Body: 'one' }))).VersionId;
    await s3.send(new PutObjectCommand({ Bucket: versioned, Key: 'k', Body: 'two' }));
    await s3.send(new UpdateObjectEncryptionCommand({ Bucket: versioned, Key: 'k', VersionId: v1, ObjectEncryption: { SSEKMS: { KMSKeyArn: keyA } } }));
    assert.equal((await s3.send(new HeadObjectCommand({ Bucket: versioned, Key: 'k', VersionId: v1 }))).ServerSideEncryption, 'aws:kms');
    assert.equal((await s3.send(new HeadObjectCommand({ Bucket: versioned, Key: 'k' }))).ServerSideEncryption, 'AES256');
  });

  it('refuses what the API reference lists, and changes nothing', async () => {
    await s3.send(new PutObjectCommand({ Bucket, Key: 'plain', Body: 'x' }));
    const unchanged = async () => assert.equal((await s3.send(new HeadObjectCommand({ Bucket, Key: 'plain' }))).ServerSideEncryption, 'AES256');
    assert.match((await outcome(update('plain', 'alias/aws/s3')))!, /^InvalidRequest: .*require a valid AWS KMS key Amazon Resource Name/);
    assert.match(
      (await outcome(update('plain', keyA.replace(/:\d{12}:/, ':111122223333:'))))!,
      /^AccessDenied: The AWS KMS key in the request must be owned by the same account as the bucket/,
    );
    assert.match((await outcome(update('missing', keyA)))!, /^NoSuchKey/);
    await unchanged();

    // Bodies the SDK cannot send: another target type, no key ARN, a BucketKeyEnabled that is not a boolean.
    const raw = async (xml: string) => {
      const r = await (
        await signedS3(
          s.endpoint,
          s.agent,
          s.credentials,
          'PUT',
          `/${Bucket}/plain?encryption`,
          { 'content-md5': createHash('md5').update(xml).digest('base64'), 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
          xml,
        )
      ).send();
      const message = /<Message>(.*?)<\/Message>/.exec(r.body)?.[1]?.replace(/&apos;/g, "'");
      return `${r.status} ${/<Code>(.*?)<\/Code>/.exec(r.body)?.[1]}: ${message}`;
    };
    assert.match(
      await raw('<ObjectEncryption><SSE-C/></ObjectEncryption>'),
      /^400 InvalidRequest: .*doesn't support updating the encryption type to DSSE-KMS or SSE-C/,
    );
    assert.match(
      await raw('<ObjectEncryption><SSE-S3/></ObjectEncryption>'),
      /^400 InvalidRequest: .*require a valid new encryption type\. Valid values are SSEKMS/,
    );
    assert.match(await raw('<ObjectEncryption><SSE-KMS></SSE-KMS></ObjectEncryption>'), /^400 InvalidRequest: .*require an AWS KMS key Amazon Resource Name/);
    assert.match(
      await raw(`<ObjectEncryption><SSE-KMS><KMSKeyArn>${keyA}</KMSKeyArn><BucketKeyEnabled>yes</BucketKeyEnabled></SSE-KMS></ObjectEncryption>`),
      /^400 InvalidRequest: The BucketKeyEnabled value isn't valid/,
    );
    await unchanged();

    // SSE-C sources are not supported.
    await allowSseC(s3, Bucket);
    await s3.send(new PutObjectCommand({ Bucket, Key: 'customer', Body: 'c', ...sseC(randomBytes(32)) }));
    assert.match((await outcome(update('customer', keyA)))!, /^InvalidRequest: .*doesn't support source objects with the encryption type DSSE-KMS or SSE-C/);

    // Object Lock: a legal hold keeps the object as it is.
    const locked = 'reencrypt-locked';
    await s3.send(new CreateBucketCommand({ Bucket: locked, ObjectLockEnabledForBucket: true }));
    await s3.send(new PutObjectCommand({ Bucket: locked, Key: 'held', Body: 'h', ObjectLockLegalHoldStatus: 'ON', ChecksumAlgorithm: 'CRC32' }));
    const held = await outcome(s3.send(new UpdateObjectEncryptionCommand({ Bucket: locked, Key: 'held', ObjectEncryption: { SSEKMS: { KMSKeyArn: keyA } } })));
    assert.match(held!, /^AccessDenied: .*protected by S3 Object Lock/);
    await s3.send(new PutObjectLegalHoldCommand({ Bucket: locked, Key: 'held', LegalHold: { Status: 'OFF' }, ChecksumAlgorithm: 'CRC32' }));
    await s3.send(new UpdateObjectEncryptionCommand({ Bucket: locked, Key: 'held', ObjectEncryption: { SSEKMS: { KMSKeyArn: keyA } } }));
    assert.equal((await s3.send(new HeadObjectCommand({ Bucket: locked, Key: 'held' }))).SSEKMSKeyId, keyA);
  });
});
