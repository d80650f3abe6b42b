// The remaining S3 operations and behaviours: UploadPartCopy, AbortMultipartUpload, ListParts,
// ListMultipartUploads, GetObjectAttributes, bucket tagging, policy status and deletion, response-* overrides, virtual-hosted
// addressing, and SSE-S3 master-key rotation (old objects still open).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketPolicyCommand,
  DeletePublicAccessBlockCommand,
  DeleteBucketTaggingCommand,
  GetBucketPolicyCommand,
  GetBucketPolicyStatusCommand,
  GetBucketTaggingCommand,
  GetObjectAttributesCommand,
  GetObjectCommand,
  GetObjectTorrentCommand,
  ListMultipartUploadsCommand,
  ListPartsCommand,
  type ObjectAttributes,
  PutBucketPolicyCommand,
  PutBucketTaggingCommand,
  PutObjectCommand,
  S3Client,
  type S3Client as S3ClientType,
  UploadPartCommand,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { allowSseC, sseC } from '../helpers/sse-c.js';
import { errorName, startTestServer, type TestServer } from '../helpers/server.js';

const body = async (b: unknown) => Buffer.from(await (b as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray());
const DAY = 86_400_000;

describe('S3 more operations (wire)', () => {
  let s: TestServer;
  let s3: S3ClientType;
  let offset = 0;
  before(async () => {
    s = await startTestServer({ start: { clock: () => Date.now() + offset } });
    s3 = s.s3();
    await s3.send(new CreateBucketCommand({ Bucket: 'more' }));
  });
  after(() => s.stop());

  it('multipart: UploadPartCopy, ListParts, ListMultipartUploads, Abort', async () => {
    const src = randomBytes(6 * 1024 * 1024);
    await s3.send(new PutObjectCommand({ Bucket: 'more', Key: 'src', Body: src }));
    const up = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'more', Key: 'assembled' }));
    const p1 = await s3.send(
      new UploadPartCopyCommand({
        Bucket: 'more',
        Key: 'assembled',
        UploadId: up.UploadId,
        PartNumber: 1,
        CopySource: 'more/src',
        CopySourceRange: `bytes=0-${5 * 1024 * 1024 - 1}`,
      }),
    );
    const tail = randomBytes(1000);
    const p2 = await s3.send(new UploadPartCommand({ Bucket: 'more', Key: 'assembled', UploadId: up.UploadId, PartNumber: 2, Body: tail }));
    const parts = await s3.send(new ListPartsCommand({ Bucket: 'more', Key: 'assembled', UploadId: up.UploadId }));
    assert.deepEqual(
      parts.Parts?.map((p) => [p.PartNumber, p.Size]),
      [
        [1, 5 * 1024 * 1024],
        [2, 1000],
      ],
    );
    const uploads = await s3.send(new ListMultipartUploadsCommand({ Bucket: 'more' }));
    assert.ok(uploads.Uploads?.some((u) => u.UploadId === up.UploadId));
    await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: 'more',
        Key: 'assembled',
        UploadId: up.UploadId,
        MultipartUpload: {
          Parts: [
            { PartNumber: 1, ETag: p1.CopyPartResult!.ETag },
            { PartNumber: 2, ETag: p2.ETag },
          ],
        },
      }),
    );
    assert.deepEqual(
      await body((await s3.send(new GetObjectCommand({ Bucket: 'more', Key: 'assembled' }))).Body),
      Buffer.concat([src.subarray(0, 5 * 1024 * 1024), tail]),
    );
    const small = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'more', Key: 'too-small' }));
    const a = await s3.send(new UploadPartCommand({ Bucket: 'more', Key: 'too-small', UploadId: small.UploadId, PartNumber: 1, Body: 'tiny' }));
    const b = await s3.send(new UploadPartCommand({ Bucket: 'more', Key: 'too-small', UploadId: small.UploadId, PartNumber: 2, Body: 'tiny' }));
    assert.equal(
      await errorName(
        s3.send(
          new CompleteMultipartUploadCommand({
            Bucket: 'more',
            Key: 'too-small',
            UploadId: small.UploadId,
            MultipartUpload: {
              Parts: [
                { PartNumber: 1, ETag: a.ETag },
                { PartNumber: 2, ETag: b.ETag },
              ],
            },
          }),
        ),
      ),
      'EntityTooSmall',
    );
    assert.equal(
      await errorName(
        s3.send(
          new CompleteMultipartUploadCommand({
            Bucket: 'more',
            Key: 'too-small',
            UploadId: small.UploadId,
            MultipartUpload: {
              Parts: [
                { PartNumber: 2, ETag: b.ETag },
                { PartNumber: 1, ETag: a.ETag },
              ],
            },
          }),
        ),
      ),
      'InvalidPartOrder',
    );
    await s3.send(new AbortMultipartUploadCommand({ Bucket: 'more', Key: 'too-small', UploadId: small.UploadId }));
    assert.equal(await errorName(s3.send(new ListPartsCommand({ Bucket: 'more', Key: 'too-small', UploadId: small.UploadId }))), 'NoSuchUpload');
  });

  it('bucket tagging, policy status and deletion', async () => {
    await s3.send(new PutBucketTaggingCommand({ Bucket: 'more', Tagging: { TagSet: [{ Key: 'env', Value: 'test' }] } }));
    assert.deepEqual((await s3.send(new GetBucketTaggingCommand({ Bucket: 'more' }))).TagSet, [{ Key: 'env', Value: 'test' }]);
    await s3.send(new DeleteBucketTaggingCommand({ Bucket: 'more' }));
    assert.equal(await errorName(s3.send(new GetBucketTaggingCommand({ Bucket: 'more' }))), 'NoSuchTagSet');
    assert.equal(await errorName(s3.send(new GetBucketPolicyCommand({ Bucket: 'more' }))), 'NoSuchBucketPolicy');
    const policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::more/*' }],
    });
    // A public policy: the bucket's Block Public Access (all on, as S3 makes buckets) is turned off first.
    await s3.send(new DeletePublicAccessBlockCommand({ Bucket: 'more' }));
    await s3.send(new PutBucketPolicyCommand({ Bucket: 'more', Policy: policy }));
    assert.equal((await s3.send(new GetBucketPolicyCommand({ Bucket: 'more' }))).Policy, policy);
    assert.equal((await s3.send(new GetBucketPolicyStatusCommand({ Bucket: 'more' }))).PolicyStatus?.IsPublic, true);
    await s3.send(new DeleteBucketPolicyCommand({ Bucket: 'more' }));
    assert.equal(await errorName(s3.send(new GetBucketPolicyCommand({ Bucket: 'more' }))), 'NoSuchBucketPolicy');
  });

  it('GetObjectTorrent: a missing object is NoSuchKey, an existing one NotImplemented (no BitTorrent files)', async () => {
    await s3.send(new PutObjectCommand({ Bucket: 'more', Key: 'seed', Body: 'x' }));
    assert.equal(await errorName(s3.send(new GetObjectTorrentCommand({ Bucket: 'more', Key: 'no-such-seed' }))), 'NoSuchKey');
    assert.equal(await errorName(s3.send(new GetObjectTorrentCommand({ Bucket: 'more', Key: 'seed' }))), 'NotImplemented');
    assert.equal(await errorName(s3.send(new GetObjectTorrentCommand({ Bucket: 'no-such-bucket-here', Key: 'seed' }))), 'NoSuchBucket');
  });

  it('response-* overrides on GET', async () => {
    await s3.send(new PutObjectCommand({ Bucket: 'more', Key: 'doc', Body: 'x', ContentType: 'text/plain' }));
    const r = await s3.send(
      new GetObjectCommand({
        Bucket: 'more',
        Key: 'doc',
        ResponseContentType: 'application/json',
        ResponseContentDisposition: 'attachment; filename="d.json"',
        ResponseCacheControl: 'no-store',
      }),
    );
    assert.equal(r.ContentType, 'application/json');
    assert.equal(r.ContentDisposition, 'attachment; filename="d.json"');
    assert.equal(r.CacheControl, 'no-store');
  });

  it('virtual-hosted-style addressing (<bucket>.s3.localhost)', async () => {
    const vh = new S3Client({
      endpoint: `https://s3.localhost:${new URL(s.endpoint).port}`,
      region: 'us-east-1',
      credentials: s.credentials,
      forcePathStyle: false,
      maxAttempts: 1,
      requestHandler: new NodeHttpHandler({ httpsAgent: s.agent }),
    });
    // <bucket>.s3.localhost may not resolve on every machine: send the request to 127.0.0.1 with the virtual host.
    vh.middlewareStack.add(
      (next) => async (args) => {
        const req = args.request as { hostname: string; headers: Record<string, string> };
        req.headers.host = `${req.hostname}:${new URL(s.endpoint).port}`;
        req.hostname = '127.0.0.1';
        return next(args);
      },
      { step: 'finalizeRequest', priority: 'low', name: 'toLoopback' },
    );
    await vh.send(new PutObjectCommand({ Bucket: 'more', Key: 'vh/key.txt', Body: 'virtual' }));
    assert.equal((await body((await s3.send(new GetObjectCommand({ Bucket: 'more', Key: 'vh/key.txt' }))).Body)).toString(), 'virtual');
  });

  it('GetObjectAttributes: ETag, checksum, parts (paged), storage class and size; SSE-C needs its key', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'attributes' }));
    const put = await s3.send(new PutObjectCommand({ Bucket: 'attributes', Key: 'one', Body: 'hello attributes', ChecksumAlgorithm: 'SHA256' }));
    const all: ObjectAttributes[] = ['ETag', 'Checksum', 'ObjectParts', 'StorageClass', 'ObjectSize'];
    const one = await s3.send(new GetObjectAttributesCommand({ Bucket: 'attributes', Key: 'one', ObjectAttributes: all }));
    assert.equal(`"${one.ETag}"`, put.ETag);
    assert.equal(one.Checksum?.ChecksumSHA256, put.ChecksumSHA256);
    assert.equal(one.ObjectSize, 'hello attributes'.length);
    assert.equal(one.StorageClass, 'STANDARD');
    assert.equal(one.ObjectParts, undefined, 'a single-part object has no parts');
    assert.ok(one.LastModified instanceof Date);
    const sizeOnly = await s3.send(new GetObjectAttributesCommand({ Bucket: 'attributes', Key: 'one', ObjectAttributes: ['ObjectSize'] }));
    assert.equal(sizeOnly.ETag, undefined);
    assert.equal(sizeOnly.ObjectSize, 16);

    // Parts are listed for an object whose checksum is COMPOSITE (AWS's recorded answers; FULL_OBJECT and no
    // checksum give the count alone: test/wire/s3-checksums.test.ts).
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'attributes', Key: 'parts', ChecksumAlgorithm: 'SHA256' }));
    const sizes = [5 * 1024 * 1024, 5 * 1024 * 1024, 1000];
    const Parts = [];
    for (const [i, size] of sizes.entries()) {
      const r = await s3.send(
        new UploadPartCommand({ Bucket: 'attributes', Key: 'parts', UploadId, PartNumber: i + 1, Body: randomBytes(size), ChecksumAlgorithm: 'SHA256' }),
      );
      Parts.push({ PartNumber: i + 1, ETag: r.ETag, ChecksumSHA256: r.ChecksumSHA256 });
    }
    await s3.send(new CompleteMultipartUploadCommand({ Bucket: 'attributes', Key: 'parts', UploadId, MultipartUpload: { Parts } }));
    const first = await s3.send(new GetObjectAttributesCommand({ Bucket: 'attributes', Key: 'parts', ObjectAttributes: all, MaxParts: 2 }));
    assert.equal(first.ObjectParts?.TotalPartsCount, 3);
    assert.deepEqual(
      first.ObjectParts?.Parts?.map((p) => [p.PartNumber, p.Size]),
      [
        [1, sizes[0]],
        [2, sizes[1]],
      ],
    );
    assert.equal(first.ObjectParts?.IsTruncated, true);
    const rest = await s3.send(
      new GetObjectAttributesCommand({
        Bucket: 'attributes',
        Key: 'parts',
        ObjectAttributes: ['ObjectParts'],
        PartNumberMarker: first.ObjectParts?.NextPartNumberMarker,
      }),
    );
    assert.deepEqual(
      rest.ObjectParts?.Parts?.map((p) => p.PartNumber),
      [3],
    );
    assert.equal(rest.ObjectParts?.IsTruncated, false);
    assert.equal(
      first.ObjectSize,
      sizes.reduce((a, b) => a + b),
    );
    assert.match(first.ETag ?? '', /^[0-9a-f]{32}-3$/);

    assert.equal(await errorName(s3.send(new GetObjectAttributesCommand({ Bucket: 'attributes', Key: 'missing', ObjectAttributes: all }))), 'NoSuchKey');
    await allowSseC(s3, 'attributes');
    const customerKeyParams = sseC(randomBytes(32));
    await s3.send(new PutObjectCommand({ Bucket: 'attributes', Key: 'sse-c', Body: 'secret', ...customerKeyParams }));
    assert.equal(
      await errorName(s3.send(new GetObjectAttributesCommand({ Bucket: 'attributes', Key: 'sse-c', ObjectAttributes: ['ObjectSize'] }))),
      'InvalidRequest',
    );
    assert.equal(
      (await s3.send(new GetObjectAttributesCommand({ Bucket: 'attributes', Key: 'sse-c', ObjectAttributes: ['ObjectSize'], ...customerKeyParams })))
        .ObjectSize,
      6,
    );
    assert.equal(
      await errorName(s3.send(new GetObjectAttributesCommand({ Bucket: 'attributes', Key: 'one', ObjectAttributes: ['Nope' as ObjectAttributes] }))),
      'InvalidArgument',
    );
  });

  it('ListMultipartUploads pages with max-uploads, key and upload-id markers; prefix and delimiter', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'uploads' }));
    const made: string[] = [];
    for (const Key of ['a/1', 'a/2', 'b', 'b', 'b', 'c/x/1', 'd'])
      made.push((await s3.send(new CreateMultipartUploadCommand({ Bucket: 'uploads', Key }))).UploadId!);
    for (const MaxUploads of [1, 2, 3]) {
      const seen: string[] = [];
      let KeyMarker: string | undefined;
      let UploadIdMarker: string | undefined;
      for (let pages = 1; ; pages++) {
        assert.ok(pages <= 20);
        const r = await s3.send(new ListMultipartUploadsCommand({ Bucket: 'uploads', MaxUploads, KeyMarker, UploadIdMarker }));
        assert.ok((r.Uploads ?? []).length <= MaxUploads);
        seen.push(...(r.Uploads ?? []).map((u) => u.UploadId!));
        if (!r.IsTruncated) break;
        KeyMarker = r.NextKeyMarker;
        UploadIdMarker = r.NextUploadIdMarker;
      }
      // Every upload exactly once (uploads of one key started in the same millisecond may come in either order).
      assert.deepEqual([...seen].sort(), [...made].sort(), `MaxUploads ${MaxUploads}`);
      assert.deepEqual(seen.slice(0, 2), made.slice(0, 2), 'in key order');
      assert.deepEqual(seen.slice(5), made.slice(5), 'in key order');
    }
    const grouped = await s3.send(new ListMultipartUploadsCommand({ Bucket: 'uploads', Delimiter: '/' }));
    assert.deepEqual(
      grouped.CommonPrefixes?.map((p) => p.Prefix),
      ['a/', 'c/'],
    );
    assert.deepEqual(
      grouped.Uploads?.map((u) => u.Key),
      ['b', 'b', 'b', 'd'],
    );
    const underC = await s3.send(new ListMultipartUploadsCommand({ Bucket: 'uploads', Prefix: 'c/', Delimiter: '/' }));
    assert.deepEqual(
      underC.CommonPrefixes?.map((p) => p.Prefix),
      ['c/x/'],
    );
  });

  it('SSE-S3 master keys rotate; objects written under the old key still open', async () => {
    await s3.send(new PutObjectCommand({ Bucket: 'more', Key: 'old-master', Body: 'before rotation' }));
    const before = (await s.s3Service().s3.store.getObject('more', 'old-master'))!.entry.versions[0]!.sse as { masterVersion: number };
    offset += 91 * DAY;
    const c = s.s3();
    c.config.systemClockOffset = offset;
    await c.send(new PutObjectCommand({ Bucket: 'more', Key: 'new-master', Body: 'after rotation' }));
    const after = (await s.s3Service().s3.store.getObject('more', 'new-master'))!.entry.versions[0]!.sse as { masterVersion: number };
    assert.equal(after.masterVersion, before.masterVersion + 1);
    assert.equal((await body((await c.send(new GetObjectCommand({ Bucket: 'more', Key: 'old-master' }))).Body)).toString(), 'before rotation');
  });
});
