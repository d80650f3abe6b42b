// `keyhold serve --s3-legacy-defaults` (docs/decisions.md 87): S3's defaults from before 2023 and April 2026 for
// older tools and test suites. New buckets accept SSE-C; a bucket without its own default encryption answers
// GetBucketEncryption with the 404 S3 gave before 2023 (ceph/s3-tests test_get_bucket_encryption_*); its objects
// are still encrypted with SSE-S3. A configuration that blocks SSE-C still blocks it.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketEncryptionCommand,
  GetBucketEncryptionCommand,
  GetObjectCommand,
  PutBucketEncryptionCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { parseOptions } from '../../src/cli/options.js';
import { SERVE_OPTIONS } from '../../src/server/serve-options.js';
import { sseC } from '../helpers/sse-c.js';
import { errorName, failure, startTestServer, type TestServer } from '../helpers/server.js';

describe('S3 legacy defaults (--s3-legacy-defaults)', () => {
  let s: TestServer;
  let s3: S3Client;
  const key = randomBytes(32);

  before(async () => {
    s = await startTestServer({ config: { s3LegacyDefaults: true } });
    s3 = s.s3();
  });
  after(() => s?.stop());

  it('is a serve flag and a KEYHOLD_ variable, off by default', () => {
    assert.equal(parseOptions(SERVE_OPTIONS, [], {}).values.s3LegacyDefaults, false);
    assert.equal(parseOptions(SERVE_OPTIONS, ['--s3-legacy-defaults'], {}).values.s3LegacyDefaults, true);
    assert.equal(parseOptions(SERVE_OPTIONS, [], { KEYHOLD_S3_LEGACY_DEFAULTS: 'true' }).values.s3LegacyDefaults, true);
  });

  it('a new bucket has no encryption configuration to read, and its objects are still SSE-S3', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'legacy-plain' }));
    const f = await failure(s3.send(new GetBucketEncryptionCommand({ Bucket: 'legacy-plain' })));
    assert.equal(f.name, 'ServerSideEncryptionConfigurationNotFoundError');
    assert.equal(f.status, 404);
    const put = await s3.send(new PutObjectCommand({ Bucket: 'legacy-plain', Key: 'k', Body: 'x' }));
    assert.equal(put.ServerSideEncryption, 'AES256');
  });

  it('a new bucket takes SSE-C writes: PutObject, CopyObject and multipart', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'legacy-ssec' }));
    const put = await s3.send(new PutObjectCommand({ Bucket: 'legacy-ssec', Key: 'c', Body: 'secret', ...sseC(key) }));
    assert.equal(put.SSECustomerAlgorithm, 'AES256');
    const got = await s3.send(new GetObjectCommand({ Bucket: 'legacy-ssec', Key: 'c', ...sseC(key) }));
    assert.equal(await got.Body?.transformToString(), 'secret');
    assert.equal(await errorName(s3.send(new GetObjectCommand({ Bucket: 'legacy-ssec', Key: 'c' }))), 'InvalidRequest');
    const copy = await s3.send(
      new CopyObjectCommand({
        Bucket: 'legacy-ssec',
        Key: 'c2',
        CopySource: 'legacy-ssec/c',
        ...sseC(key),
        CopySourceSSECustomerAlgorithm: 'AES256',
        CopySourceSSECustomerKey: key.toString('base64'),
        CopySourceSSECustomerKeyMD5: sseC(key).SSECustomerKeyMD5,
      }),
    );
    assert.equal(copy.SSECustomerAlgorithm, 'AES256');
    const mpu = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'legacy-ssec', Key: 'm', ...sseC(key) }));
    assert.ok(mpu.UploadId);
  });

  it('a configuration without BlockedEncryptionTypes leaves SSE-C open; one that blocks it blocks it; DELETE returns to the 404', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'legacy-config' }));
    await s3.send(
      new PutBucketEncryptionCommand({
        Bucket: 'legacy-config',
        ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' } }] },
      }),
    );
    const rule = (await s3.send(new GetBucketEncryptionCommand({ Bucket: 'legacy-config' }))).ServerSideEncryptionConfiguration?.Rules?.[0];
    assert.equal(rule?.ApplyServerSideEncryptionByDefault?.SSEAlgorithm, 'aws:kms');
    assert.equal(rule?.BlockedEncryptionTypes, undefined, 'nothing blocked: no element, as AWS answers');
    await s3.send(new PutObjectCommand({ Bucket: 'legacy-config', Key: 'c', Body: 'x', ...sseC(key) }));

    await s3.send(
      new PutBucketEncryptionCommand({
        Bucket: 'legacy-config',
        ServerSideEncryptionConfiguration: {
          Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' }, BlockedEncryptionTypes: { EncryptionType: ['SSE-C'] } }],
        },
      }),
    );
    assert.equal(await errorName(s3.send(new PutObjectCommand({ Bucket: 'legacy-config', Key: 'd', Body: 'x', ...sseC(key) }))), 'AccessDenied');
    // Reads of SSE-C objects written before the block go on working (S3: the block applies to writes only).
    const got = await s3.send(new GetObjectCommand({ Bucket: 'legacy-config', Key: 'c', ...sseC(key) }));
    assert.equal(await got.Body?.transformToString(), 'x');

    await s3.send(new DeleteBucketEncryptionCommand({ Bucket: 'legacy-config' }));
    assert.equal(await errorName(s3.send(new GetBucketEncryptionCommand({ Bucket: 'legacy-config' }))), 'ServerSideEncryptionConfigurationNotFoundError');
  });
});
