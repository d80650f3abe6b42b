// Account regional namespaces (S3, March 2026) through @aws-sdk/client-s3's BucketNamespace: a bucket named with
// the caller's `-<account>-<region>-an` suffix, refusals of a wrong suffix and of a suffix taken into the shared
// namespace, and the s3:x-amz-bucket-namespace condition key.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateBucketCommand, GetObjectCommand, HeadBucketCommand, ListBucketsCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { userWithPolicy } from '../helpers/iam-user.js';
import { errorName, failure, startTestServer, type TestServer } from '../helpers/server.js';

describe('S3 account regional namespace', () => {
  let s: TestServer;
  let account: string;
  before(async () => {
    s = await startTestServer();
    account = s.kh.accountId;
  });
  after(() => s.stop());

  it('creates a bucket named with the caller’s suffix for its Region, which then works like any other', async () => {
    const Bucket = `app-logs-${account}-us-east-1-an`;
    const made = await s.s3().send(new CreateBucketCommand({ Bucket, BucketNamespace: 'account-regional' }));
    assert.equal(made.BucketArn, `arn:aws:s3:::${Bucket}`);
    assert.equal((await s.s3().send(new HeadBucketCommand({ Bucket }))).BucketRegion, 'us-east-1');
    await s.s3().send(new PutObjectCommand({ Bucket, Key: 'k', Body: 'v' }));
    assert.equal(await (await s.s3().send(new GetObjectCommand({ Bucket, Key: 'k' }))).Body!.transformToString(), 'v');
    assert.ok((await s.s3().send(new ListBucketsCommand({}))).Buckets!.some((b) => b.Name === Bucket));
    // The suffix names the bucket's Region, which a LocationConstraint chooses.
    const west = `app-logs-${account}-us-west-2-an`;
    const w = s.s3({ region: 'us-west-2' });
    await w.send(
      new CreateBucketCommand({ Bucket: west, BucketNamespace: 'account-regional', CreateBucketConfiguration: { LocationConstraint: 'us-west-2' } }),
    );
    assert.equal((await w.send(new HeadBucketCommand({ Bucket: west }))).BucketRegion, 'us-west-2');
  });

  it('refuses the header without the caller’s suffix for the bucket’s Region, naming the suffix to use', async () => {
    for (const Bucket of ['plain-name', `app-${account}-us-west-2-an`, `app-111122223333-us-east-1-an`]) {
      const f = await failure(s.s3().send(new CreateBucketCommand({ Bucket, BucketNamespace: 'account-regional' })));
      assert.equal(f.name, 'InvalidNamespaceHeader', Bucket);
      assert.equal(f.status, 400);
      assert.match(f.message, new RegExp(`Specify -${account}-us-east-1-an as the bucket name suffix`));
    }
  });

  it('keeps every account’s suffix out of the shared namespace', async () => {
    assert.equal(await errorName(s.s3().send(new CreateBucketCommand({ Bucket: `mine-${account}-us-east-1-an` }))), 'InvalidBucketName');
    assert.equal(await errorName(s.s3().send(new CreateBucketCommand({ Bucket: 'theirs-111122223333-us-east-1-an' }))), 'InvalidBucketName');
    assert.equal(
      await errorName(s.s3().send(new CreateBucketCommand({ Bucket: 'theirs-111122223333-us-east-1-an', BucketNamespace: 'global' }))),
      'InvalidBucketName',
    );
    // A name that only looks a little like one is an ordinary global name.
    await s.s3().send(new CreateBucketCommand({ Bucket: 'release-2026-an' }));
  });

  it('a policy can require the account regional namespace (s3:x-amz-bucket-namespace)', async () => {
    const creds = await userWithPolicy(s, 'bucket-maker', [
      { Effect: 'Allow', Action: 's3:CreateBucket', Resource: '*' },
      { Effect: 'Deny', Action: 's3:CreateBucket', Resource: '*', Condition: { StringNotEquals: { 's3:x-amz-bucket-namespace': 'account-regional' } } },
    ]);
    const user = s.s3({ credentials: creds });
    assert.equal(await errorName(user.send(new CreateBucketCommand({ Bucket: 'user-global-bucket' }))), 'AccessDenied');
    await user.send(new CreateBucketCommand({ Bucket: `user-${account}-us-east-1-an`, BucketNamespace: 'account-regional' }));
  });
});
