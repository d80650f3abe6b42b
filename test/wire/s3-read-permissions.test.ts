// Reads of a missing key: 404 only for a caller who may list the bucket (with the key as s3:prefix), 403
// for anyone else, so a caller without s3:ListBucket cannot learn which keys exist (S3's GetObject rule).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateBucketCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { userWithPolicy } from '../helpers/iam-user.js';
import { errorName, failure, startTestServer, type TestServer } from '../helpers/server.js';

describe('S3 reads of missing keys', () => {
  let s: TestServer;
  let reader: S3Client;
  const bucket = 'probe-bucket';

  before(async () => {
    s = await startTestServer();
    await s.s3().send(new CreateBucketCommand({ Bucket: bucket }));
    await s.s3().send(new PutObjectCommand({ Bucket: bucket, Key: 'private/here', Body: 'x' }));
    reader = s.s3({
      credentials: await userWithPolicy(s, 'reader', [
        { Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:aws:s3:::${bucket}/*` },
        { Effect: 'Allow', Action: 's3:ListBucket', Resource: `arn:aws:s3:::${bucket}`, Condition: { StringLike: { 's3:prefix': 'public/*' } } },
      ]),
    });
  });
  after(() => s.stop());

  it('answers 404 where the caller may list, 403 with a plain message elsewhere, and serves what exists', async () => {
    assert.equal(await errorName(reader.send(new GetObjectCommand({ Bucket: bucket, Key: 'public/missing' }))), 'NoSuchKey');
    const hidden = await failure(reader.send(new GetObjectCommand({ Bucket: bucket, Key: 'private/missing' })));
    assert.deepEqual([hidden.name, hidden.status, hidden.message], ['AccessDenied', 403, 'Access Denied']);
    assert.equal((await failure(reader.send(new HeadObjectCommand({ Bucket: bucket, Key: 'private/missing' })))).status, 403);
    assert.equal((await reader.send(new HeadObjectCommand({ Bucket: bucket, Key: 'private/here' }))).ContentLength, 1);
    assert.equal(await errorName(s.s3().send(new GetObjectCommand({ Bucket: bucket, Key: 'private/missing' }))), 'NoSuchKey', 'the owner may list');
  });
});
