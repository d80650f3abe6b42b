// A GET in progress when its object is overwritten or deleted reads the version it began with, whole, as on S3:
// the blobs of a multipart object are leased for the read (src/services/s3/blob-leases.ts), so the overwrite's
// delete of the old parts waits for it, and happens once it ends.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  PutObjectCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { storedBlobFiles } from '../helpers/blob-files.js';
import { pausedS3Get } from '../helpers/paused-get.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

describe('S3 reads racing overwrites and deletes', () => {
  let s: TestServer;
  const Bucket = 'read-races';
  before(async () => {
    s = await startTestServer();
    await s.s3().send(new CreateBucketCommand({ Bucket }));
  });
  after(() => s.stop());

  const pausedGet = (key: string) => pausedS3Get({ endpoint: s.endpoint, agent: s.agent, credentials: s.credentials }, Bucket, key);

  async function multipartObject(key: string): Promise<Buffer> {
    const s3 = s.s3();
    const parts = [randomBytes(5 * 1024 * 1024), randomBytes(3 * 1024 * 1024)];
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key: key }));
    const etags: string[] = [];
    for (const [i, Body] of parts.entries()) etags.push((await s3.send(new UploadPartCommand({ Bucket, Key: key, UploadId, PartNumber: i + 1, Body }))).ETag!);
    await s3.send(
      new CompleteMultipartUploadCommand({ Bucket, Key: key, UploadId, MultipartUpload: { Parts: etags.map((ETag, i) => ({ ETag, PartNumber: i + 1 })) } }),
    );
    return Buffer.concat(parts);
  }

  for (const change of ['overwritten', 'deleted'] as const) {
    it(`a multipart object ${change} during its GET is read whole as it was; its old parts go once the read ends`, async () => {
      const key = `big-${change}`;
      const data = await multipartObject(key);
      const before = storedBlobFiles(s.dataDir).length;
      const get = await pausedGet(key);
      assert.equal(get.status, 200);
      if (change === 'overwritten') await s.s3().send(new PutObjectCommand({ Bucket, Key: key, Body: 'new' }));
      else await s.s3().send(new DeleteObjectCommand({ Bucket, Key: key }));
      assert.equal(storedBlobFiles(s.dataDir).length, before + (change === 'overwritten' ? 1 : 0), 'the parts being read are still on disk');
      const body = Buffer.concat([get.first, await get.rest()]);
      assert.ok(body.equals(data), 'the GET returned the version it began with, whole');
      // The deferred deletes run once the read has released its lease.
      for (let i = 0; i < 200 && storedBlobFiles(s.dataDir).length > before - 2 + (change === 'overwritten' ? 1 : 0); i++) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      assert.equal(storedBlobFiles(s.dataDir).length, before - 2 + (change === 'overwritten' ? 1 : 0), 'the old parts are deleted after the read');
    });
  }
});
