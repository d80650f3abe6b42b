// Aborting a multipart upload while it is being completed: whichever commits first wins, and a completion that
// was acknowledged always reads back whole (the abort never deletes parts the object uses).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { failure, startTestServer, type TestServer } from '../helpers/server.js';

describe('S3 multipart races', () => {
  let s: TestServer;
  const Bucket = 'race-bucket';

  before(async () => {
    s = await startTestServer();
    await s.s3().send(new CreateBucketCommand({ Bucket }));
  });
  after(() => s.stop());

  it('complete and abort sent together: an acknowledged completion is never missing its parts', async () => {
    const outcomes = new Set<string>();
    for (let i = 0; i < 12; i++) {
      const Key = `raced-${i}`;
      const data = randomBytes(2048);
      const { UploadId } = await s.s3().send(new CreateMultipartUploadCommand({ Bucket, Key }));
      const part = await s.s3().send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 1, Body: data }));
      const complete = s
        .s3()
        .send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] } }));
      const abort = s.s3().send(new AbortMultipartUploadCommand({ Bucket, Key, UploadId }));
      const [c, a] = await Promise.allSettled([complete, abort]);
      if (c.status === 'fulfilled') {
        const got = await s.s3().send(new GetObjectCommand({ Bucket, Key }));
        assert.deepEqual(Buffer.from(await got.Body!.transformToByteArray()), data, 'the completed object reads back whole');
        outcomes.add(a.status === 'fulfilled' ? 'both acknowledged (abort after completion)' : 'completed');
      } else {
        assert.equal((await failure(complete)).name, 'NoSuchUpload');
        assert.equal(a.status, 'fulfilled');
        outcomes.add('aborted');
      }
    }
    assert.ok(outcomes.size >= 1);
  });
});
