// Archived storage classes and RestoreObject (src/services/s3/api/archive.ts): the data of a GLACIER or
// DEEP_ARCHIVE object is read only from a restored copy, for the days the restore asked for.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CopyObjectCommand,
  CreateBucketCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  PutObjectCommand,
  RestoreObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { failure, startTestServer, type TestServer } from '../helpers/server.js';

const DAY = 86_400_000;

describe('S3 archived objects and RestoreObject (wire)', () => {
  let s: TestServer;
  let offset = 0;
  const Bucket = 'archive';
  /** A client that signs at the server's (shifted) time. */
  const s3 = (): S3Client => s.s3({ clockOffset: offset });

  before(async () => {
    s = await startTestServer({ start: { clock: () => Date.now() + offset } });
    await s3().send(new CreateBucketCommand({ Bucket }));
  });
  after(() => s.stop());

  it('an archived object is listed and HEAD-able but not read or copied until restored; the restored copy expires', async () => {
    for (const StorageClass of ['GLACIER', 'DEEP_ARCHIVE'] as const) {
      const Key = `cold-${StorageClass}`;
      await s3().send(new PutObjectCommand({ Bucket, Key, Body: 'frozen', StorageClass }));
      const head = await s3().send(new HeadObjectCommand({ Bucket, Key }));
      assert.deepEqual([head.StorageClass, head.Restore], [StorageClass, undefined]);
      assert.deepEqual(await failure(s3().send(new GetObjectCommand({ Bucket, Key }))), {
        name: 'InvalidObjectState',
        message: "The operation is not valid for the object's storage class",
        status: 403,
      });
      assert.deepEqual(await failure(s3().send(new CopyObjectCommand({ Bucket, Key: `${Key}-copy`, CopySource: `${Bucket}/${Key}` }))), {
        name: 'InvalidObjectState',
        message: "Operation is not valid for the source object's storage class",
        status: 403,
      });

      const restored = await s3().send(new RestoreObjectCommand({ Bucket, Key, RestoreRequest: { Days: 1, GlacierJobParameters: { Tier: 'Standard' } } }));
      assert.equal(restored.$metadata.httpStatusCode, 202, 'a copy is made');
      const again = await s3().send(new RestoreObjectCommand({ Bucket, Key, RestoreRequest: { Days: 2 } }));
      assert.equal(again.$metadata.httpStatusCode, 200, 'a copy exists: its expiry moves');
      const h = await s3().send(new HeadObjectCommand({ Bucket, Key }));
      assert.match(h.Restore ?? '', /^ongoing-request="false", expiry-date="[^"]+ 00:00:00 GMT"$/);
      assert.equal(await (await s3().send(new GetObjectCommand({ Bucket, Key }))).Body?.transformToString(), 'frozen');
      // A copy is STANDARD unless the request names a class (S3 does not copy the source's), so it reads at once.
      await s3().send(new CopyObjectCommand({ Bucket, Key: `${Key}-copy`, CopySource: `${Bucket}/${Key}` }));
      assert.equal((await s3().send(new HeadObjectCommand({ Bucket, Key: `${Key}-copy` }))).StorageClass, undefined, 'STANDARD');
      assert.equal(await (await s3().send(new GetObjectCommand({ Bucket, Key: `${Key}-copy` }))).Body?.transformToString(), 'frozen');

      // Three days on, the two-day copy is gone: the data is archived again.
      offset = 3 * DAY;
      try {
        assert.equal((await failure(s3().send(new GetObjectCommand({ Bucket, Key })))).name, 'InvalidObjectState');
        assert.equal((await s3().send(new HeadObjectCommand({ Bucket, Key }))).Restore, undefined);
      } finally {
        offset = 0;
      }
    }
  });

  it('restores only archived objects, with a well-formed request; GLACIER_IR is read directly', async () => {
    await s3().send(new PutObjectCommand({ Bucket, Key: 'warm', Body: 'x' }));
    assert.deepEqual(await failure(s3().send(new RestoreObjectCommand({ Bucket, Key: 'warm', RestoreRequest: { Days: 1 } }))), {
      name: 'InvalidObjectState',
      message: "Restore is not allowed for the object's current storage class",
      status: 403,
    });
    await s3().send(new PutObjectCommand({ Bucket, Key: 'cold', Body: 'x', StorageClass: 'GLACIER' }));
    assert.equal((await failure(s3().send(new RestoreObjectCommand({ Bucket, Key: 'cold', RestoreRequest: {} })))).name, 'MalformedXML', 'Days is required');
    assert.equal((await failure(s3().send(new RestoreObjectCommand({ Bucket, Key: 'missing', RestoreRequest: { Days: 1 } })))).name, 'NoSuchKey');
    assert.equal((await failure(s3().send(new GetObjectCommand({ Bucket, Key: 'cold' })))).name, 'InvalidObjectState', 'nothing was restored');
    await s3().send(new PutObjectCommand({ Bucket, Key: 'instant', Body: 'ir', StorageClass: 'GLACIER_IR' }));
    assert.equal(await (await s3().send(new GetObjectCommand({ Bucket, Key: 'instant' }))).Body?.transformToString(), 'ir');
  });
  it('listings give RestoreStatus when asked (x-amz-optional-object-attributes) while a restored copy exists', async () => {
    const B = 'archive-listing';
    await s3().send(new CreateBucketCommand({ Bucket: B }));
    await s3().send(new PutObjectCommand({ Bucket: B, Key: 'a-restored', Body: 'x', StorageClass: 'DEEP_ARCHIVE' }));
    await s3().send(new PutObjectCommand({ Bucket: B, Key: 'b-frozen', Body: 'x', StorageClass: 'GLACIER' }));
    await s3().send(new PutObjectCommand({ Bucket: B, Key: 'c-standard', Body: 'x' }));
    await s3().send(new RestoreObjectCommand({ Bucket: B, Key: 'a-restored', RestoreRequest: { Days: 3 } }));
    const expiry = new Date(Math.ceil((Date.now() + offset + 3 * DAY) / DAY) * DAY);
    const asked = await s3().send(new ListObjectsV2Command({ Bucket: B, OptionalObjectAttributes: ['RestoreStatus'] }));
    assert.deepEqual(
      asked.Contents!.map((c) => [c.Key, c.RestoreStatus]),
      [
        ['a-restored', { IsRestoreInProgress: false, RestoreExpiryDate: expiry }],
        ['b-frozen', undefined],
        ['c-standard', undefined],
      ],
    );
    const v1 = await s3().send(new ListObjectsCommand({ Bucket: B, OptionalObjectAttributes: ['RestoreStatus'] }));
    assert.deepEqual(v1.Contents![0]!.RestoreStatus, { IsRestoreInProgress: false, RestoreExpiryDate: expiry });
    const versions = await s3().send(new ListObjectVersionsCommand({ Bucket: B, OptionalObjectAttributes: ['RestoreStatus'] }));
    assert.deepEqual(versions.Versions![0]!.RestoreStatus, { IsRestoreInProgress: false, RestoreExpiryDate: expiry });
    // Not asked, not given; an attribute S3 does not know is refused.
    assert.equal((await s3().send(new ListObjectsV2Command({ Bucket: B }))).Contents![0]!.RestoreStatus, undefined);
    const bad = await failure(s3().send(new ListObjectsV2Command({ Bucket: B, OptionalObjectAttributes: ['Owner' as 'RestoreStatus'] })));
    assert.equal(bad.name, 'InvalidArgument');
  });
});
