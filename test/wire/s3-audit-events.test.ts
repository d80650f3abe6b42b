// S3 data events in the audit trail as CloudTrail writes them
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/cloudtrail-logging-understanding-s3-entries.html): bucket,
// Host and key as requestParameters, the object and its bucket as resources, and additionalEventData — signature version, authentication method, TLS
// suite, bytes in and out, the answer's x-amz-id-2, and SSEApplied, which tells a default encryption from one the
// request asked for.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { CreateBucketCommand, GetObjectCommand, PutBucketEncryptionCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { auditEvents } from '../helpers/audit.js';
import { rawHttps } from '../helpers/raw-https.js';
import { sseC } from '../helpers/sse-c.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

describe('S3 data events in the audit trail (wire)', () => {
  let s: TestServer;
  let s3: S3Client;
  const Bucket = 'audited';

  before(async () => {
    s = await startTestServer();
    s3 = s.s3();
    await s3.send(new CreateBucketCommand({ Bucket }));
    // SSE-C is blocked for new buckets by default; this bucket takes it, to show SSE_C.
    await s3.send(
      new PutBucketEncryptionCommand({
        Bucket,
        ServerSideEncryptionConfiguration: {
          Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' }, BlockedEncryptionTypes: { EncryptionType: ['NONE'] } }],
        },
      }),
    );
  });
  after(() => s.stop());

  const events = () => auditEvents(s.dataDir);
  // The S3 event of a request (an SSE-KMS write also records the KMS calls S3 made for it, under the same request id).
  const byRequest = async (requestId: string | undefined) => (await events()).find((e) => e.requestID === requestId && e.eventSource === 's3.amazonaws.com');

  it('a PutObject records the object and its bucket, the transfer, the x-amz-id-2 of its answer, and SSEApplied', async () => {
    const body = randomBytes(1000);
    const put = await s3.send(new PutObjectCommand({ Bucket, Key: 'default.bin', Body: body }));
    const e = await byRequest(put.$metadata.requestId);
    assert.ok(e, 'the PutObject is recorded');
    assert.deepEqual(e.resources, [
      { type: 'AWS::S3::Object', ARN: `arn:aws:s3:::${Bucket}/default.bin` },
      { accountId: s.kh.accountId, type: 'AWS::S3::Bucket', ARN: `arn:aws:s3:::${Bucket}` },
    ]);
    assert.deepEqual(e.requestParameters, {
      bucketName: Bucket,
      Host: new URL(s.endpoint).host,
      key: 'default.bin',
      'x-amz-server-side-encryption': 'AES256',
    });
    const d = e.additionalEventData!;
    assert.equal(d.SignatureVersion, 'SigV4');
    assert.equal(d.AuthenticationMethod, 'AuthHeader');
    assert.match(String(d.CipherSuite), /^TLS_/);
    assert.equal(d.bytesTransferredOut, 0);
    assert.ok(Number(d.bytesTransferredIn) >= body.length, 'the body (aws-chunked framing included) came in');
    assert.equal(d['x-amz-id-2'], put.$metadata.extendedRequestId, 'the same x-amz-id-2 as the answer');
    assert.equal(d.SSEApplied, 'Default_SSE_S3', "the bucket's default chose the encryption");
  });

  it('SSEApplied names what the request asked for: SSE_S3, SSE_KMS, SSE_C; a GET records the bytes it sent', async () => {
    const asked = async (Key: string, input: Partial<ConstructorParameters<typeof PutObjectCommand>[0]>) =>
      (await byRequest((await s3.send(new PutObjectCommand({ Bucket, Key, Body: 'x', ...input }))).$metadata.requestId))?.additionalEventData?.SSEApplied;
    assert.equal(await asked('s3.txt', { ServerSideEncryption: 'AES256' }), 'SSE_S3');
    assert.equal(await asked('kms.txt', { ServerSideEncryption: 'aws:kms' }), 'SSE_KMS');
    const customerKeyParams = sseC(randomBytes(32));
    assert.equal(await asked('c.txt', customerKeyParams), 'SSE_C');

    const get = await s3.send(new GetObjectCommand({ Bucket, Key: 'default.bin' }));
    await get.Body!.transformToByteArray();
    const read = (await byRequest(get.$metadata.requestId))!.additionalEventData!;
    assert.equal(read.bytesTransferredOut, 1000);
    assert.equal(read.SSEApplied, undefined, 'only writes say which encryption they applied');
  });

  it('a presigned request is recorded as QueryString; a refused write records no SSEApplied', async () => {
    const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket, Key: 'default.bin' }), { expiresIn: 60 });
    const answer = await rawHttps(s, 'GET', url, {});
    assert.equal(answer.status, 200);
    const requestId = String(answer.headers['x-amz-request-id']);
    assert.equal((await byRequest(requestId))?.additionalEventData?.AuthenticationMethod, 'QueryString');

    const refused = await s3.send(new PutObjectCommand({ Bucket: 'no-such-bucket-here', Key: 'k', Body: 'x' })).then(
      () => undefined,
      (err: { $metadata: { requestId?: string } }) => err.$metadata.requestId,
    );
    const e = await byRequest(refused);
    assert.equal(e?.errorCode, 'NoSuchBucket');
    assert.equal(e?.additionalEventData?.SSEApplied, undefined);
  });
});
