// S3 server-side encryption through the SDK: SSE-S3 default, SSE-KMS (explicit key, alias/aws/s3, context,
// disabled keys, requester permissions, bucket keys), SSE-C with every error case, default bucket
// encryption with SSE-C blocked, a bucket policy that requires SSE-KMS, versioning with per-version keys,
// and multipart uploads (lib-storage) with SSE-C on every part.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { CreateKeyCommand, DisableKeyCommand, EnableKeyCommand } from '@aws-sdk/client-kms';
import { CreateAccessKeyCommand, CreateUserCommand, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import {
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketEncryptionCommand,
  DeleteObjectCommand,
  GetBucketEncryptionCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  PutBucketEncryptionCommand,
  PutBucketPolicyCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { allowSseC, sseC } from '../helpers/sse-c.js';
import { errorName, startTestServer, type TestServer } from '../helpers/server.js';

const body = async (b: unknown) => Buffer.from(await (b as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray());
const copySseC = (key: Buffer) => ({
  CopySourceSSECustomerAlgorithm: 'AES256',
  CopySourceSSECustomerKey: key.toString('base64'),
  CopySourceSSECustomerKeyMD5: createHash('md5').update(key).digest('base64'),
});

describe('S3 server-side encryption (wire)', () => {
  let s: TestServer;
  let s3: S3Client;
  let keyArn: string;
  before(async () => {
    s = await startTestServer({ config: { httpPort: 0 } });
    s3 = s.s3();
    keyArn = (await s.kms().send(new CreateKeyCommand({}))).KeyMetadata!.Arn!;
    await s3.send(new CreateBucketCommand({ Bucket: 'enc' }));
  });
  after(() => s.stop());

  it('a new bucket reports the SSE-S3 default with SSE-C blocked; puts default to AES256', async () => {
    const e = await s3.send(new GetBucketEncryptionCommand({ Bucket: 'enc' }));
    const rule = e.ServerSideEncryptionConfiguration?.Rules?.[0];
    assert.equal(rule?.ApplyServerSideEncryptionByDefault?.SSEAlgorithm, 'AES256');
    assert.deepEqual(rule?.BlockedEncryptionTypes?.EncryptionType, ['SSE-C']);
    const put = await s3.send(new PutObjectCommand({ Bucket: 'enc', Key: 'plain', Body: 'x' }));
    assert.equal(put.ServerSideEncryption, 'AES256');
    const key = randomBytes(32);
    assert.equal(
      await errorName(s3.send(new PutObjectCommand({ Bucket: 'enc', Key: 'c', Body: 'x', ...sseC(key) }))),
      'AccessDenied',
      'SSE-C blocked by default',
    );
  });

  it('SSE-KMS with an explicit key, a context, and alias/aws/s3; the ETag is not the MD5', async () => {
    const data = randomBytes(5000);
    const put = await s3.send(
      new PutObjectCommand({
        Bucket: 'enc',
        Key: 'kms',
        Body: data,
        ServerSideEncryption: 'aws:kms',
        SSEKMSKeyId: keyArn,
        SSEKMSEncryptionContext: Buffer.from(JSON.stringify({ team: 'a' })).toString('base64'),
      }),
    );
    assert.equal(put.SSEKMSKeyId, keyArn);
    // The context given is echoed with the aws:s3:arn S3 adds; a PUT that gives none gets none back (as S3).
    assert.deepEqual(JSON.parse(Buffer.from(put.SSEKMSEncryptionContext!, 'base64').toString()), { team: 'a', 'aws:s3:arn': 'arn:aws:s3:::enc/kms' });
    assert.notEqual(put.ETag, `"${createHash('md5').update(data).digest('hex')}"`);
    const got = await s3.send(new GetObjectCommand({ Bucket: 'enc', Key: 'kms' }));
    assert.deepEqual(await body(got.Body), data);
    assert.equal(got.ServerSideEncryption, 'aws:kms');
    assert.equal(got.SSEKMSKeyId, keyArn);
    const managed = await s3.send(new PutObjectCommand({ Bucket: 'enc', Key: 'kms-default', Body: 'm', ServerSideEncryption: 'aws:kms' }));
    assert.match(managed.SSEKMSKeyId!, /:key\//);
    assert.equal(managed.SSEKMSEncryptionContext, undefined);
    assert.equal((await body((await s3.send(new GetObjectCommand({ Bucket: 'enc', Key: 'kms-default' }))).Body)).toString(), 'm');
    assert.equal(
      await errorName(s3.send(new PutObjectCommand({ Bucket: 'enc', Key: 'k', Body: 'x', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: 'alias/none' }))),
      'KMS.NotFoundException',
    );
  });

  it('a disabled KMS key makes GET fail at once; re-enabling restores it', async () => {
    const k = (await s.kms().send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    await s3.send(new PutObjectCommand({ Bucket: 'enc', Key: 'disable-me', Body: 'x', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: k }));
    await s.kms().send(new DisableKeyCommand({ KeyId: k }));
    assert.equal(await errorName(s3.send(new GetObjectCommand({ Bucket: 'enc', Key: 'disable-me' }))), 'KMS.DisabledException');
    await s.kms().send(new EnableKeyCommand({ KeyId: k }));
    assert.equal((await body((await s3.send(new GetObjectCommand({ Bucket: 'enc', Key: 'disable-me' }))).Body)).toString(), 'x');
  });

  it('KMS permissions of the requester apply: s3:GetObject without kms:Decrypt is refused', async () => {
    const iam = s.iam();
    await iam.send(new CreateUserCommand({ UserName: 'reader' }));
    const k = await iam.send(new CreateAccessKeyCommand({ UserName: 'reader' }));
    const creds = { accessKeyId: k.AccessKey!.AccessKeyId!, secretAccessKey: k.AccessKey!.SecretAccessKey! };
    await iam.send(
      new PutUserPolicyCommand({
        UserName: 'reader',
        PolicyName: 's3',
        PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] }),
      }),
    );
    const reader = s.s3({ credentials: creds });
    assert.equal(
      (await body((await reader.send(new GetObjectCommand({ Bucket: 'enc', Key: 'plain' }))).Body)).toString(),
      'x',
      'SSE-S3 needs no KMS permission',
    );
    assert.equal(await errorName(reader.send(new GetObjectCommand({ Bucket: 'enc', Key: 'kms' }))), 'KMS.AccessDeniedException');
    await iam.send(
      new PutUserPolicyCommand({
        UserName: 'reader',
        PolicyName: 'kms',
        PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:Decrypt', Resource: keyArn }] }),
      }),
    );
    assert.equal((await reader.send(new GetObjectCommand({ Bucket: 'enc', Key: 'kms' }))).SSEKMSKeyId, keyArn);
  });

  it('bucket keys cut KMS calls by at least 99% for many small puts', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'bkeys' }));
    await s3.send(
      new PutBucketEncryptionCommand({
        Bucket: 'bkeys',
        ServerSideEncryptionConfiguration: {
          Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: keyArn }, BucketKeyEnabled: true }],
        },
      }),
    );
    const kms = s.s3Service().s3.kms;
    const before = kms.calls;
    for (let i = 0; i < 100; i++) {
      const r = await s3.send(new PutObjectCommand({ Bucket: 'bkeys', Key: `o${i}`, Body: `v${i}` }));
      assert.equal(r.BucketKeyEnabled, true);
    }
    for (let i = 0; i < 100; i += 10)
      assert.equal((await body((await s3.send(new GetObjectCommand({ Bucket: 'bkeys', Key: `o${i}` }))).Body)).toString(), `v${i}`);
    const calls = kms.calls - before;
    assert.ok(calls <= 2, `${calls} KMS calls for 100 puts and 10 gets (without bucket keys: 110)`);
  });

  it('SSE-KMS and SSE-C: Content-MD5 is checked when sent, the ETag (not the MD5) is stable and follows the content', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'etags' }));
    await allowSseC(s3, 'etags');
    const data = randomBytes(70_000); // more than one 64 KiB segment
    const md5 = createHash('md5').update(data).digest();
    for (const [key, enc] of [
      ['md5-kms', { ServerSideEncryption: 'aws:kms' as const, SSEKMSKeyId: keyArn }],
      ['md5-c', sseC(randomBytes(32))],
    ] as const) {
      const ok = await s3.send(new PutObjectCommand({ Bucket: 'etags', Key: key, Body: data, ContentMD5: md5.toString('base64'), ...enc }));
      assert.match(ok.ETag!, /^"[0-9a-f]{32}"$/, key);
      assert.notEqual(ok.ETag, `"${md5.toString('hex')}"`, `${key}: not the MD5`);
      const head = await s3.send(new HeadObjectCommand({ Bucket: 'etags', Key: key, ...('SSECustomerKey' in enc ? enc : {}) }));
      assert.equal(head.ETag, ok.ETag, `${key}: HEAD answers the ETag the PUT returned`);
      const bad = await errorName(
        s3.send(
          new PutObjectCommand({ Bucket: 'etags', Key: `${key}-bad`, Body: data, ContentMD5: createHash('md5').update('other').digest('base64'), ...enc }),
        ),
      );
      assert.equal(bad, 'BadDigest', `${key}: a wrong Content-MD5 is refused without computing the MD5 for the ETag`);
      assert.equal(
        await errorName(s3.send(new HeadObjectCommand({ Bucket: 'etags', Key: `${key}-bad`, ...('SSECustomerKey' in enc ? enc : {}) }))),
        'NotFound',
      );
      const other = Buffer.from(data);
      other[69_999] = other[69_999]! ^ 1;
      const changed = await s3.send(new PutObjectCommand({ Bucket: 'etags', Key: `${key}-2`, Body: other, ...enc }));
      assert.notEqual(changed.ETag, ok.ETag, `${key}: one changed byte changes the ETag`);
    }
  });

  it('SSE-C: round trip, missing/wrong/bad-MD5 keys, key on a non-SSE-C object, HTTP refused, key rotation by copy', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'ssec' }));
    await allowSseC(s3, 'ssec');
    const key = randomBytes(32);
    const data = randomBytes(70_000);
    const put = await s3.send(new PutObjectCommand({ Bucket: 'ssec', Key: 'c', Body: data, ...sseC(key) }));
    assert.equal(put.SSECustomerAlgorithm, 'AES256');
    assert.equal(put.ServerSideEncryption, undefined);
    assert.deepEqual(await body((await s3.send(new GetObjectCommand({ Bucket: 'ssec', Key: 'c', ...sseC(key) }))).Body), data);
    const ranged = await s3.send(new GetObjectCommand({ Bucket: 'ssec', Key: 'c', Range: 'bytes=65530-65600', ...sseC(key) }));
    assert.deepEqual(await body(ranged.Body), data.subarray(65530, 65601));
    assert.equal(await errorName(s3.send(new GetObjectCommand({ Bucket: 'ssec', Key: 'c' }))), 'InvalidRequest');
    const wrong = (await s3.send(new GetObjectCommand({ Bucket: 'ssec', Key: 'c', ...sseC(randomBytes(32)) })).catch((e: unknown) => e)) as {
      name: string;
      $metadata: { httpStatusCode: number };
    };
    assert.equal(wrong.$metadata.httpStatusCode, 403);
    assert.equal(
      (
        (await s3.send(new HeadObjectCommand({ Bucket: 'ssec', Key: 'c', ...sseC(randomBytes(32)) })).catch((e: unknown) => e)) as {
          $metadata: { httpStatusCode: number };
        }
      ).$metadata.httpStatusCode,
      403,
    );
    // A wrong key is refused before ranges and conditions, whose answers would reveal the size and the ETag.
    const wrongKey = sseC(randomBytes(32));
    for (const probe of [{ Range: 'bytes=999999-' }, { IfNoneMatch: put.ETag }, { IfMatch: '"0"' }]) {
      const r = (await s3.send(new GetObjectCommand({ Bucket: 'ssec', Key: 'c', ...probe, ...wrongKey })).catch((e: unknown) => e)) as {
        $metadata: { httpStatusCode: number };
      };
      assert.equal(r.$metadata.httpStatusCode, 403, JSON.stringify(probe));
    }
    await s3.send(new PutObjectCommand({ Bucket: 'ssec', Key: 'plain', Body: 'p' }));
    assert.equal(await errorName(s3.send(new GetObjectCommand({ Bucket: 'ssec', Key: 'plain', ...sseC(key) }))), 'InvalidRequest');
    const http = s.s3({ endpoint: s.kh.httpEndpoint });
    assert.equal(await errorName(http.send(new PutObjectCommand({ Bucket: 'ssec', Key: 'h', Body: 'x', ...sseC(key) }))), 'InvalidRequest');
    const newKey = randomBytes(32);
    await s3.send(new CopyObjectCommand({ Bucket: 'ssec', Key: 'c', CopySource: 'ssec/c', ...sseC(newKey), ...copySseC(key) }));
    assert.deepEqual(await body((await s3.send(new GetObjectCommand({ Bucket: 'ssec', Key: 'c', ...sseC(newKey) }))).Body), data);
    assert.equal(
      ((await s3.send(new GetObjectCommand({ Bucket: 'ssec', Key: 'c', ...sseC(key) })).catch((e: unknown) => e)) as { $metadata: { httpStatusCode: number } })
        .$metadata.httpStatusCode,
      403,
      'the old key no longer opens it',
    );
    // Copied onto itself with a wrong source key: AccessDenied (checked first); with the right one and no key for
    // the copy, the object leaves SSE-C for the bucket default, a change of encryption S3 allows in place.
    assert.equal(await errorName(s3.send(new CopyObjectCommand({ Bucket: 'ssec', Key: 'c', CopySource: 'ssec/c', ...copySseC(key) }))), 'AccessDenied');
    const out = await s3.send(new CopyObjectCommand({ Bucket: 'ssec', Key: 'c', CopySource: 'ssec/c', ...copySseC(newKey) }));
    assert.equal(out.ServerSideEncryption, 'AES256');
    assert.deepEqual(await body((await s3.send(new GetObjectCommand({ Bucket: 'ssec', Key: 'c' }))).Body), data);
  });

  it('default bucket encryption with SSE-KMS applies to puts without headers; DELETE returns to SSE-S3', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'defkms' }));
    await s3.send(
      new PutBucketEncryptionCommand({
        Bucket: 'defkms',
        ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: keyArn } }] },
      }),
    );
    const r = await s3.send(new PutObjectCommand({ Bucket: 'defkms', Key: 'k', Body: 'x' }));
    assert.equal(r.ServerSideEncryption, 'aws:kms');
    assert.equal(r.SSEKMSKeyId, keyArn);
    const override = await s3.send(new PutObjectCommand({ Bucket: 'defkms', Key: 'k2', Body: 'x', ServerSideEncryption: 'AES256' }));
    assert.equal(override.ServerSideEncryption, 'AES256', 'a request header overrides the default');
    await s3.send(new DeleteBucketEncryptionCommand({ Bucket: 'defkms' }));
    assert.equal((await s3.send(new PutObjectCommand({ Bucket: 'defkms', Key: 'k3', Body: 'x' }))).ServerSideEncryption, 'AES256');
  });

  it('a bucket policy denying puts without SSE-KMS refuses an SSE-S3 put and accepts an SSE-KMS put', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'policed' }));
    await s3.send(
      new PutBucketPolicyCommand({
        Bucket: 'policed',
        Policy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'RequireKms',
              Effect: 'Deny',
              Principal: '*',
              Action: 's3:PutObject',
              Resource: 'arn:aws:s3:::policed/*',
              Condition: { StringNotEquals: { 's3:x-amz-server-side-encryption': 'aws:kms' } },
            },
          ],
        }),
      }),
    );
    assert.equal(await errorName(s3.send(new PutObjectCommand({ Bucket: 'policed', Key: 'a', Body: 'x', ServerSideEncryption: 'AES256' }))), 'AccessDenied');
    assert.equal(await errorName(s3.send(new PutObjectCommand({ Bucket: 'policed', Key: 'a', Body: 'x' }))), 'AccessDenied');
    // The policy is evaluated before the header's value is checked: an invalid algorithm is denied too, as S3.
    const invalid = 'AES192' as 'AES256';
    assert.equal(await errorName(s3.send(new PutObjectCommand({ Bucket: 'policed', Key: 'a', Body: 'x', ServerSideEncryption: invalid }))), 'AccessDenied');
    assert.equal(await errorName(s3.send(new CreateMultipartUploadCommand({ Bucket: 'policed', Key: 'a', ServerSideEncryption: invalid }))), 'AccessDenied');
    assert.equal(
      await errorName(s3.send(new CopyObjectCommand({ Bucket: 'policed', Key: 'a', CopySource: 'defkms/k', ServerSideEncryption: invalid }))),
      'AccessDenied',
    );
    assert.equal(await errorName(s3.send(new PutObjectCommand({ Bucket: 'defkms', Key: 'a', Body: 'x', ServerSideEncryption: invalid }))), 'InvalidArgument');
    await s3.send(new PutObjectCommand({ Bucket: 'policed', Key: 'a', Body: 'x', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: keyArn }));
    assert.equal(await errorName(s3.send(new PutBucketPolicyCommand({ Bucket: 'policed', Policy: '{"Statement":[]}' }))), 'MalformedPolicy');
    // A policy can also pin the KMS key.
    const other = (await s.kms().send(new CreateKeyCommand({}))).KeyMetadata!.Arn!;
    await s3.send(
      new PutBucketPolicyCommand({
        Bucket: 'policed',
        Policy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Deny',
              Principal: '*',
              Action: 's3:PutObject',
              Resource: 'arn:aws:s3:::policed/*',
              Condition: { StringNotEquals: { 's3:x-amz-server-side-encryption-aws-kms-key-id': keyArn } },
            },
          ],
        }),
      }),
    );
    assert.equal(
      await errorName(s3.send(new PutObjectCommand({ Bucket: 'policed', Key: 'b', Body: 'x', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: other }))),
      'AccessDenied',
    );
    await s3.send(new PutObjectCommand({ Bucket: 'policed', Key: 'b', Body: 'x', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: keyArn }));
  });

  it('versioning keeps every version with its own key; delete markers; versionId reads', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'versions' }));
    await s3.send(new PutBucketVersioningCommand({ Bucket: 'versions', VersioningConfiguration: { Status: 'Enabled' } }));
    const v1 = await s3.send(new PutObjectCommand({ Bucket: 'versions', Key: 'doc', Body: 'one' }));
    const v2 = await s3.send(new PutObjectCommand({ Bucket: 'versions', Key: 'doc', Body: 'two', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: keyArn }));
    assert.ok(v1.VersionId && v2.VersionId && v1.VersionId !== v2.VersionId);
    assert.equal((await body((await s3.send(new GetObjectCommand({ Bucket: 'versions', Key: 'doc' }))).Body)).toString(), 'two');
    const old = await s3.send(new GetObjectCommand({ Bucket: 'versions', Key: 'doc', VersionId: v1.VersionId }));
    assert.equal((await body(old.Body)).toString(), 'one');
    assert.equal(old.ServerSideEncryption, 'AES256');
    const del = await s3.send(new DeleteObjectCommand({ Bucket: 'versions', Key: 'doc' }));
    assert.equal(del.DeleteMarker, true);
    assert.equal(await errorName(s3.send(new GetObjectCommand({ Bucket: 'versions', Key: 'doc' }))), 'NoSuchKey');
    const list = await s3.send(new ListObjectVersionsCommand({ Bucket: 'versions' }));
    assert.equal(list.Versions?.length, 2);
    assert.equal(list.DeleteMarkers?.length, 1);
    await s3.send(new DeleteObjectCommand({ Bucket: 'versions', Key: 'doc', VersionId: del.VersionId }));
    assert.equal(
      (await body((await s3.send(new GetObjectCommand({ Bucket: 'versions', Key: 'doc' }))).Body)).toString(),
      'two',
      'removing the marker restores the object',
    );
  });

  it('multipart upload (lib-storage) with SSE-C on every part, partNumber reads, md5-of-md5s ETag', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'mpu' }));
    await allowSseC(s3, 'mpu');
    const key = randomBytes(32);
    const data = randomBytes(11 * 1024 * 1024 + 123);
    const up = new Upload({ client: s3, params: { Bucket: 'mpu', Key: 'big', Body: data, ...sseC(key) }, partSize: 5 * 1024 * 1024, queueSize: 2 });
    const done = await up.done();
    assert.match(done.ETag!, /-3"$/);
    const got = await s3.send(new GetObjectCommand({ Bucket: 'mpu', Key: 'big', ...sseC(key) }));
    assert.deepEqual(await body(got.Body), data);
    const p2 = await s3.send(new GetObjectCommand({ Bucket: 'mpu', Key: 'big', PartNumber: 2, ...sseC(key) }));
    assert.equal(p2.PartsCount, 3);
    assert.deepEqual(await body(p2.Body), data.subarray(5 * 1024 * 1024, 10 * 1024 * 1024));
    const range = await s3.send(
      new GetObjectCommand({ Bucket: 'mpu', Key: 'big', Range: `bytes=${5 * 1024 * 1024 - 10}-${5 * 1024 * 1024 + 10}`, ...sseC(key) }),
    );
    assert.deepEqual(await body(range.Body), data.subarray(5 * 1024 * 1024 - 10, 5 * 1024 * 1024 + 11), 'a range across two parts');
    assert.equal(await errorName(s3.send(new GetObjectCommand({ Bucket: 'mpu', Key: 'big' }))), 'InvalidRequest');
    const plain = new Upload({ client: s3, params: { Bucket: 'mpu', Key: 'plain-big', Body: data.subarray(0, 6 * 1024 * 1024) }, partSize: 5 * 1024 * 1024 });
    await plain.done();
    assert.deepEqual(await body((await s3.send(new GetObjectCommand({ Bucket: 'mpu', Key: 'plain-big' }))).Body), data.subarray(0, 6 * 1024 * 1024));
  });
});
