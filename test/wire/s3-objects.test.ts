// S3 buckets and objects through @aws-sdk/client-s3 with its default integrity settings (CRC32 checksums,
// aws-chunked uploads for streams) and with WHEN_REQUIRED: round trips, ranges across encryption segments,
// conditionals, listings, copies, tagging, presigned URLs, and the error shapes.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  DeleteObjectTaggingCommand,
  DeleteObjectsCommand,
  GetBucketLocationCommand,
  GetBucketTaggingCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListObjectsCommand,
  ListObjectsV2Command,
  ListMultipartUploadsCommand,
  CreateMultipartUploadCommand,
  PutBucketTaggingCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
  UploadPartCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { userWithPolicy } from '../helpers/iam-user.js';
import { send } from '../helpers/raw-request.js';
import { errorName, startTestServer, type TestServer } from '../helpers/server.js';
import { filesUnder } from '../helpers/paths.js';

const body = async (b: unknown) => Buffer.from(await (b as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray());

describe('S3 objects (wire, @aws-sdk/client-s3)', () => {
  let s: TestServer;
  let s3: S3Client;
  const bucket = 'objects-bucket';
  before(async () => {
    s = await startTestServer();
    s3 = s.s3();
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  });
  after(() => s.stop());

  it('buckets: create, head, list, location, duplicate and invalid names', async () => {
    await s3.send(new HeadBucketCommand({ Bucket: bucket }));
    const list = await s3.send(new ListBucketsCommand({}));
    assert.ok(list.Buckets?.some((b) => b.Name === bucket));
    assert.equal((await s3.send(new GetBucketLocationCommand({ Bucket: bucket }))).LocationConstraint, undefined);
    // us-east-1's legacy answer to re-creating an owned bucket with nothing to set: 200, nothing changed.
    assert.equal((await s3.send(new CreateBucketCommand({ Bucket: bucket }))).$metadata.httpStatusCode, 200);
    const retag = new CreateBucketCommand({ Bucket: bucket, CreateBucketConfiguration: { Tags: [{ Key: 'k', Value: 'v' }] } });
    assert.equal(await errorName(s3.send(retag)), 'BucketAlreadyOwnedByYou');
    assert.equal(await errorName(s3.send(new CreateBucketCommand({ Bucket: 'Bad_Name' }))), 'InvalidBucketName');
    assert.equal(await errorName(s3.send(new HeadBucketCommand({ Bucket: 'no-such-bucket-here' }))), 'NotFound');
    const eu = s.s3({ region: 'eu-west-1' });
    await eu.send(new CreateBucketCommand({ Bucket: 'eu-bucket-1', CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }));
    assert.equal((await eu.send(new GetBucketLocationCommand({ Bucket: 'eu-bucket-1' }))).LocationConstraint, 'eu-west-1');
    const again = new CreateBucketCommand({ Bucket: 'eu-bucket-1', CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } });
    assert.equal(await errorName(eu.send(again)), 'BucketAlreadyOwnedByYou', 'outside us-east-1 a re-create is always refused');
    // "EU", the legacy alias of eu-west-1, is accepted there and reported back as given.
    await eu.send(new CreateBucketCommand({ Bucket: 'eu-bucket-legacy', CreateBucketConfiguration: { LocationConstraint: 'EU' } }));
    assert.equal((await eu.send(new GetBucketLocationCommand({ Bucket: 'eu-bucket-legacy' }))).LocationConstraint, 'EU');
    // Signed for another Region, the constraint must name it; signed for us-east-1 (S3's global endpoint) a bucket
    // may be created in any Region, and lives there.
    assert.equal(
      await errorName(eu.send(new CreateBucketCommand({ Bucket: 'x-bucket-2', CreateBucketConfiguration: { LocationConstraint: 'eu-central-1' } }))),
      'IllegalLocationConstraintException',
    );
    await s3.send(new CreateBucketCommand({ Bucket: 'x-bucket-3', CreateBucketConfiguration: { LocationConstraint: 'eu-central-1' } }));
    const central = s.s3({ region: 'eu-central-1' });
    assert.equal((await central.send(new GetBucketLocationCommand({ Bucket: 'x-bucket-3' }))).LocationConstraint, 'eu-central-1');
    assert.equal((await central.send(new HeadBucketCommand({ Bucket: 'x-bucket-3' }))).BucketRegion, 'eu-central-1');
    // Refused, HeadBucket still names the Region: unsigned (how the Go SDK's manager.GetBucketRegion finds it), or
    // signed by a caller without s3:ListBucket.
    const strangerKey = await userWithPolicy(s, 'no-list', [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }]);
    for (const [name, region] of [
      ['x-bucket-3', 'eu-central-1'],
      [bucket, 'us-east-1'],
    ]) {
      const anonymous = await send(s.endpoint, s.agent, { method: 'HEAD', path: `/${name}`, headers: {} });
      assert.deepEqual([anonymous.status, anonymous.headers['x-amz-bucket-region']], [403, region]);
      type Refusal = { $metadata: { httpStatusCode?: number }; $response?: { headers: Record<string, string> } };
      const refused = (await s
        .s3({ region, credentials: strangerKey })
        .send(new HeadBucketCommand({ Bucket: name }))
        .catch((err: Refusal) => err)) as Refusal;
      assert.deepEqual([refused.$metadata.httpStatusCode, refused.$response?.headers['x-amz-bucket-region']], [403, region]);
    }
  });

  it('round-trips Buffer and stream bodies exactly (checksums on, and off)', async () => {
    for (const checksums of ['WHEN_SUPPORTED', 'WHEN_REQUIRED'] as const) {
      const c = s.s3({ checksums });
      const data = randomBytes(150_000);
      await c.send(
        new PutObjectCommand({ Bucket: bucket, Key: `buf-${checksums}`, Body: data, ContentType: 'application/x-test', Metadata: { color: 'blue' } }),
      );
      const got = await c.send(new GetObjectCommand({ Bucket: bucket, Key: `buf-${checksums}`, ChecksumMode: 'ENABLED' }));
      assert.deepEqual(await body(got.Body), data);
      assert.equal(got.ContentType, 'application/x-test');
      assert.equal(got.Metadata?.color, 'blue');
      assert.equal(got.ETag, `"${createHash('md5').update(data).digest('hex')}"`, 'SSE-S3 ETag is the MD5');
      assert.equal(got.ServerSideEncryption, 'AES256');
      if (checksums === 'WHEN_SUPPORTED') assert.ok(got.ChecksumCRC32);
      const streamed = randomBytes(300_000);
      await c.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: `stream-${checksums}`,
          Body: Readable.from([streamed.subarray(0, 70_000), streamed.subarray(70_000)]),
          ContentLength: streamed.length,
        }),
      );
      assert.deepEqual(await body((await c.send(new GetObjectCommand({ Bucket: bucket, Key: `stream-${checksums}` }))).Body), streamed);
    }
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'empty', Body: Buffer.alloc(0) }));
    assert.equal((await body((await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'empty' }))).Body)).length, 0);
  });

  it('ranges across 64 KiB encryption segments, suffix and open ranges, 416', async () => {
    const data = randomBytes(200 * 1024 + 7);
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'ranged', Body: data }));
    for (const [range, start, end] of [
      ['bytes=65530-65545', 65530, 65545],
      ['bytes=0-0', 0, 0],
      ['bytes=131071-131072', 131071, 131072],
      ['bytes=-100', data.length - 100, data.length - 1],
      ['bytes=200000-', 200000, data.length - 1],
      ['bytes=5-999999999', 5, data.length - 1],
    ] as const) {
      const r = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'ranged', Range: range }));
      assert.deepEqual(await body(r.Body), data.subarray(start, end + 1), range);
      assert.equal(r.ContentRange, `bytes ${start}-${end}/${data.length}`);
    }
    assert.equal(await errorName(s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'ranged', Range: `bytes=${data.length}-` }))), 'InvalidRange');
  });

  it('conditional GETs', async () => {
    const put = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'cond', Body: 'x' }));
    await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'cond', IfMatch: put.ETag }));
    assert.equal(await errorName(s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'cond', IfMatch: '"nope"' }))), 'PreconditionFailed');
    const notModified = (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'cond', IfNoneMatch: put.ETag })).catch((e: unknown) => e)) as {
      $metadata: { httpStatusCode: number };
    };
    assert.equal(notModified.$metadata.httpStatusCode, 304);
    assert.equal(
      await errorName(s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'cond', IfUnmodifiedSince: new Date(Date.now() - 86_400_000) }))),
      'PreconditionFailed',
    );
  });

  it('lists with v1 and v2, prefixes, delimiters and pagination', async () => {
    const b = 'list-bucket';
    await s3.send(new CreateBucketCommand({ Bucket: b }));
    const keys = ['a/1', 'a/2', 'a/b/3', 'c', 'd/4', 'é', 'z'];
    for (const k of keys) await s3.send(new PutObjectCommand({ Bucket: b, Key: k, Body: k }));
    const v1 = await s3.send(new ListObjectsCommand({ Bucket: b, Delimiter: '/' }));
    assert.deepEqual(
      v1.Contents?.map((c) => c.Key),
      ['c', 'z', 'é'],
    );
    assert.deepEqual(
      v1.CommonPrefixes?.map((p) => p.Prefix),
      ['a/', 'd/'],
    );
    const v2 = await s3.send(new ListObjectsV2Command({ Bucket: b, Prefix: 'a/' }));
    assert.deepEqual(
      v2.Contents?.map((c) => c.Key),
      ['a/1', 'a/2', 'a/b/3'],
    );
    assert.equal(v2.KeyCount, 3);
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const page = await s3.send(new ListObjectsV2Command({ Bucket: b, MaxKeys: 2, ContinuationToken: token }));
      seen.push(...(page.Contents ?? []).map((c) => c.Key!));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    assert.deepEqual(
      seen,
      [...keys].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y))),
    );
    let marker: string | undefined;
    const v1seen: string[] = [];
    for (;;) {
      const page = await s3.send(new ListObjectsCommand({ Bucket: b, MaxKeys: 3, Marker: marker }));
      v1seen.push(...(page.Contents ?? []).map((c) => c.Key!));
      if (!page.IsTruncated) break;
      marker = page.Contents![page.Contents!.length - 1]!.Key;
    }
    assert.equal(v1seen.length, keys.length);
    assert.equal(await errorName(s3.send(new DeleteBucketCommand({ Bucket: b }))), 'BucketNotEmpty');
    const del = await s3.send(new DeleteObjectsCommand({ Bucket: b, Delete: { Objects: keys.map((Key) => ({ Key })) } }));
    assert.equal(del.Deleted?.length, keys.length);
    await s3.send(new DeleteBucketCommand({ Bucket: b }));
  });

  it('pages common prefixes in UTF-8 byte order, not UTF-16 order (characters above U+FFFF)', async () => {
    const b = 'list-utf8';
    await s3.send(new CreateBucketCommand({ Bucket: b }));
    // UTF-8 order: U+FFFD (EF BF BD) before U+1F600 (F0 9F 98 80); UTF-16 order has them the other way round.
    const keys = ['\uFFFD', '\uFFFD\uFFFD-/', '\uFFFD😀0', '😀😀a'];
    for (const Key of keys) await s3.send(new PutObjectCommand({ Bucket: b, Key, Body: 'x' }));
    for (const MaxKeys of [1, 2, 3]) {
      const seen: string[] = [];
      let token: string | undefined;
      do {
        const page = await s3.send(new ListObjectsV2Command({ Bucket: b, Delimiter: '😀', MaxKeys, ContinuationToken: token }));
        seen.push(...(page.Contents ?? []).map((c) => `K ${c.Key}`), ...(page.CommonPrefixes ?? []).map((p) => `P ${p.Prefix}`));
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      assert.deepEqual(seen.sort(), ['K \uFFFD', 'K \uFFFD\uFFFD-/', 'P \uFFFD😀', 'P 😀'].sort(), `MaxKeys ${MaxKeys}`);
    }
    for (const Key of ['😀', '\uFFFD']) await s3.send(new CreateMultipartUploadCommand({ Bucket: b, Key }));
    const uploads = await s3.send(new ListMultipartUploadsCommand({ Bucket: b }));
    assert.deepEqual(
      uploads.Uploads?.map((u) => u.Key),
      ['\uFFFD', '😀'],
    );
  });

  it('deletes a bucket whose only contents are unfinished multipart uploads, discarding them and their parts', async () => {
    const b = 'uploads-only';
    await s3.send(new CreateBucketCommand({ Bucket: b }));
    const up = await s3.send(new CreateMultipartUploadCommand({ Bucket: b, Key: 'k' }));
    await s3.send(new UploadPartCommand({ Bucket: b, Key: 'k', UploadId: up.UploadId, PartNumber: 1, Body: randomBytes(1000) }));
    const blobsBefore = filesUnder(join(s.dataDir, 'blobs')).length;
    await s3.send(new DeleteBucketCommand({ Bucket: b }));
    assert.equal(filesUnder(join(s.dataDir, 'blobs')).length, blobsBefore - 1, 'the part is gone from disk');
    await s3.send(new CreateBucketCommand({ Bucket: b }));
    assert.equal((await s3.send(new ListMultipartUploadsCommand({ Bucket: b }))).Uploads, undefined, 'the upload did not come back');
    assert.equal(await errorName(s3.send(new UploadPartCommand({ Bucket: b, Key: 'k', UploadId: up.UploadId, PartNumber: 2, Body: 'x' }))), 'NoSuchUpload');
    await s3.send(new DeleteBucketCommand({ Bucket: b }));
  });

  it('answers a repeated CompleteMultipartUpload with the first answer while the object it made stands', async () => {
    const b = 'complete-twice';
    await s3.send(new CreateBucketCommand({ Bucket: b }));
    const up = await s3.send(new CreateMultipartUploadCommand({ Bucket: b, Key: 'k' }));
    const part = await s3.send(new UploadPartCommand({ Bucket: b, Key: 'k', UploadId: up.UploadId, PartNumber: 1, Body: 'only part' }));
    const complete = () =>
      s3.send(
        new CompleteMultipartUploadCommand({ Bucket: b, Key: 'k', UploadId: up.UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] } }),
      );
    const first = await complete();
    const again = await complete();
    assert.deepEqual([again.ETag, again.Key, again.Bucket, again.VersionId], [first.ETag, 'k', b, undefined]);
    const otherParts = s3.send(
      new CompleteMultipartUploadCommand({ Bucket: b, Key: 'k', UploadId: up.UploadId, MultipartUpload: { Parts: [{ PartNumber: 2, ETag: part.ETag }] } }),
    );
    assert.equal(await errorName(otherParts), 'NoSuchUpload', 'only the same parts get the same answer');
    // Aborting the completed upload (a clean-up step run after complete, as boto3's AWS-run integration test does)
    // succeeds and leaves the object.
    const abort = () => s3.send(new AbortMultipartUploadCommand({ Bucket: b, Key: 'k', UploadId: up.UploadId }));
    assert.equal((await abort()).$metadata.httpStatusCode, 204);
    assert.equal(await (await s3.send(new GetObjectCommand({ Bucket: b, Key: 'k' }))).Body?.transformToString(), 'only part');
    assert.equal(await errorName(s3.send(new AbortMultipartUploadCommand({ Bucket: b, Key: 'k', UploadId: 'never-an-upload' }))), 'NoSuchUpload');
    await s3.send(new PutObjectCommand({ Bucket: b, Key: 'k', Body: 'overwritten' }));
    assert.equal(await errorName(complete()), 'NoSuchUpload', 'not once the object is gone');
    assert.equal((await abort()).$metadata.httpStatusCode, 204, 'an abort still succeeds: the upload ended lately (s3-lifecycle.test.ts)');
    await s3.send(new DeleteObjectCommand({ Bucket: b, Key: 'k' }));
    await s3.send(new DeleteBucketCommand({ Bucket: b }));
  });

  it('decodes RFC 2047 metadata before storing it and returns non-ASCII text encoded as S3 encodes it', async () => {
    const Metadata = {
      plain: 'ascii only',
      accent: 'Hello World\u00e9',
      'q-word': '=?UTF-8?Q?actually-ascii?=',
      'b-word': '=?UTF-8?B?YWJj?=',
      'q-utf8': '=?UTF-8?Q?=C3=84M=C3=84Z_S3?=',
    };
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'meta-utf', Body: 'x', Metadata }));
    const h = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'meta-utf' }));
    // As AWS answered in localstack's recordings: encoded words are stored decoded; printable non-ASCII text comes
    // back in the Q encoding ("_" for space, "=5F" for "_"). Node's client sends "é" as the latin1 byte E9.
    assert.deepEqual(h.Metadata, {
      plain: 'ascii only',
      accent: '=?UTF-8?Q?Hello_World=C3=A9?=',
      'q-word': 'actually-ascii',
      'b-word': 'abc',
      'q-utf8': '=?UTF-8?Q?=C3=84M=C3=84Z_S3?=',
    });
  });

  it('a 304 carries the ETag and Last-Modified a 200 would have', async () => {
    const put = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'validators', Body: 'v' }));
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'validators' }));
    for (const condition of [{ IfNoneMatch: put.ETag }, { IfModifiedSince: head.LastModified! }]) {
      const e = (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'validators', ...condition })).catch((err: unknown) => err)) as {
        $metadata: { httpStatusCode: number };
        $response: { headers: Record<string, string> };
      };
      assert.equal(e.$metadata.httpStatusCode, 304);
      assert.equal(e.$response.headers.etag, put.ETag);
      assert.equal(e.$response.headers['last-modified'], head.LastModified!.toUTCString());
    }
    // A date in the future is no validator: S3 ignores it and answers 200 (RFC 9110 §13.1.3).
    const future = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'validators', IfModifiedSince: new Date(Date.now() + 86_400_000) }));
    assert.equal(future.$metadata.httpStatusCode, 200);
    assert.equal((await body(future.Body)).toString(), 'v');
  });

  it('copies with metadata COPY/REPLACE, refuses a no-op self-copy, and re-encrypts on a self-copy that changes encryption', async () => {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'src', Body: 'copy me', Metadata: { a: '1' }, ContentType: 'text/plain' }));
    await s3.send(new CopyObjectCommand({ Bucket: bucket, Key: 'dst', CopySource: `${bucket}/src` }));
    const d = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'dst' }));
    assert.equal((await body(d.Body)).toString(), 'copy me');
    assert.equal(d.Metadata?.a, '1');
    await s3.send(new CopyObjectCommand({ Bucket: bucket, Key: 'dst2', CopySource: `${bucket}/src`, MetadataDirective: 'REPLACE', Metadata: { b: '2' } }));
    const d2 = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'dst2' }));
    assert.deepEqual(d2.Metadata, { b: '2' });
    assert.equal(await errorName(s3.send(new CopyObjectCommand({ Bucket: bucket, Key: 'src', CopySource: `${bucket}/src` }))), 'InvalidRequest');
    const re = await s3.send(new CopyObjectCommand({ Bucket: bucket, Key: 'src', CopySource: `${bucket}/src`, ServerSideEncryption: 'aws:kms' }));
    assert.equal(re.ServerSideEncryption, 'aws:kms');
    const h = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'src' }));
    assert.equal(h.ServerSideEncryption, 'aws:kms');
    assert.match(h.SSEKMSKeyId!, /^arn:aws:kms:us-east-1:\d{12}:key\//);
    assert.equal(await errorName(s3.send(new CopyObjectCommand({ Bucket: bucket, Key: 'x', CopySource: `${bucket}/missing` }))), 'NoSuchKey');
  });

  it('object tagging', async () => {
    // Listed by key, whatever the order they were given in (as ceph's s3-tests expect; S3 keeps no order).
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'tagged', Body: 't', Tagging: 'b=2&a=1' }));
    assert.deepEqual((await s3.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: 'tagged' }))).TagSet, [
      { Key: 'a', Value: '1' },
      { Key: 'b', Value: '2' },
    ]);
    await s3.send(
      new PutBucketTaggingCommand({
        Bucket: bucket,
        Tagging: {
          TagSet: [
            { Key: 'zone', Value: 'z' },
            { Key: 'app', Value: 'a' },
          ],
        },
      }),
    );
    assert.deepEqual(
      (await s3.send(new GetBucketTaggingCommand({ Bucket: bucket }))).TagSet?.map((t) => t.Key),
      ['app', 'zone'],
    );
    await s3.send(new PutObjectTaggingCommand({ Bucket: bucket, Key: 'tagged', Tagging: { TagSet: [{ Key: 'c', Value: '3' }] } }));
    assert.deepEqual((await s3.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: 'tagged' }))).TagSet, [{ Key: 'c', Value: '3' }]);
    assert.equal((await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'tagged' }))).TagCount, 1);
    await s3.send(new DeleteObjectTaggingCommand({ Bucket: bucket, Key: 'tagged' }));
    assert.deepEqual((await s3.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: 'tagged' }))).TagSet ?? [], []);
  });

  it('presigned GET and PUT URLs', async () => {
    const data = randomBytes(1000);
    const putUrl = await getSignedUrl(s3, new PutObjectCommand({ Bucket: bucket, Key: 'presigned' }), { expiresIn: 300 });
    const put = await send(s.endpoint, s.agent, {
      method: 'PUT',
      path: new URL(putUrl).pathname + new URL(putUrl).search,
      headers: { 'content-length': String(data.length) },
      body: data,
    });
    assert.equal(put.status, 200, put.body);
    const getUrl = await getSignedUrl(s3, new GetObjectCommand({ Bucket: bucket, Key: 'presigned' }), { expiresIn: 300 });
    const { request } = await import('node:https');
    const got = await new Promise<Buffer>((resolve, reject) =>
      request(getUrl, { agent: s.agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve(Buffer.concat(chunks)));
      })
        .on('error', reject)
        .end(),
    );
    assert.deepEqual(got, data);
    const tampered = getUrl.replace(/X-Amz-Signature=([0-9a-f])/, (_m, c: string) => `X-Amz-Signature=${c === '0' ? '1' : '0'}`);
    const denied = await send(s.endpoint, s.agent, { method: 'GET', path: new URL(tampered).pathname + new URL(tampered).search, headers: {} });
    assert.equal(denied.status, 403);
    assert.match(denied.body, /<Code>SignatureDoesNotMatch<\/Code>/);
  });

  it('releases the blob file of a GET the client abandons mid-body', async () => {
    const blobFiles = () =>
      readdirSync('/proc/self/fd').filter((fd) => {
        try {
          return readlinkSync(`/proc/self/fd/${fd}`).startsWith(join(s.dataDir, 'blobs'));
        } catch {
          return false; // the fd of readdirSync itself, closed by now
        }
      }).length;
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'abandoned', Body: randomBytes(8 * 1024 * 1024) }));
    const before = blobFiles();
    for (let i = 0; i < 3; i++) {
      const r = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'abandoned' }));
      const stream = r.Body as Readable;
      await new Promise<void>((resolve) => stream.once('data', () => resolve()));
      stream.destroy();
    }
    // The server notices each closed connection on its own schedule: wait (bounded) for the files to be closed.
    for (let waited = 0; blobFiles() > before && waited < 5000; waited += 20) await new Promise((r) => setTimeout(r, 20));
    assert.equal(blobFiles(), before);
  });

  it('answers S3 XML errors (and none on HEAD) for missing keys and buckets', async () => {
    assert.equal(await errorName(s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'missing' }))), 'NoSuchKey');
    assert.equal(await errorName(s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'missing' }))), 'NotFound');
    assert.equal(await errorName(s3.send(new GetObjectCommand({ Bucket: 'missing-bucket', Key: 'k' }))), 'NoSuchBucket');
    const raw = await send(s.endpoint, s.agent, { method: 'GET', path: `/${bucket}?cors`, headers: {} });
    assert.equal(raw.status, 403, 'unsigned requests are refused');
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'missing' }));
  });
});
