// S3 answers checked against AWS's own, as localstack's AWS-validated snapshots recorded them (February 2026;
// read, not copied: docs/decisions.md 44): version ids, delete markers, conditional writes and copies, ranges,
// tagging input, listing echoes. Each case is one that Keyhold answered differently before.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectAclCommand,
  GetObjectCommand,
  GetBucketLifecycleConfigurationCommand,
  GetObjectTaggingCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  PutBucketLifecycleConfigurationCommand,
  PutBucketVersioningCommand,
  PutObjectLegalHoldCommand,
  PutObjectRetentionCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
  type S3Client,
  UploadPartCommand,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { rawHttps } from '../helpers/raw-https.js';
import { signedS3 } from '../helpers/s3-signer.js';
import { failure, startTestServer, type TestServer } from '../helpers/server.js';

describe('S3 answers as AWS recorded them (wire)', () => {
  let s: TestServer;
  let s3: S3Client;
  const Bucket = 'recorded';
  const Versioned = 'recorded-versioned';
  const raw = async (method: string, path: string, headers: Record<string, string> = {}, body = '', region = 'us-east-1') =>
    (
      await signedS3(
        s.endpoint,
        s.agent,
        s.credentials,
        method,
        path,
        { 'x-amz-content-sha256': createHash('sha256').update(body).digest('hex'), ...headers },
        body,
        new Date(),
        region,
      )
    ).send();
  const ENTITIES: Record<string, string> = { amp: '&', apos: "'", quot: '"', lt: '<', gt: '>' };
  /** The text of each child element of <Error>, by name, with XML's entities decoded. */
  const errorFields = (xml: string) =>
    Object.fromEntries([...xml.matchAll(/<([\w-]+)>([^<]*)<\/\1>/g)].map((m) => [m[1]!, m[2]!.replace(/&(\w+);/g, (e, n: string) => ENTITIES[n] ?? e)]));

  before(async () => {
    s = await startTestServer();
    s3 = s.s3();
    await s3.send(new CreateBucketCommand({ Bucket }));
    await s3.send(new CreateBucketCommand({ Bucket: Versioned }));
    await s3.send(new PutBucketVersioningCommand({ Bucket: Versioned, VersioningConfiguration: { Status: 'Enabled' } }));
  });
  after(() => s.stop());

  it('version ids are 32 characters of letters, digits, "." and "_"', async () => {
    for (let i = 0; i < 20; i++) {
      const put = await s3.send(new PutObjectCommand({ Bucket: Versioned, Key: 'id-format', Body: 'x' }));
      assert.match(put.VersionId!, /^[A-Za-z0-9._]{32}$/);
    }
  });

  it('removing a delete marker by version id names it as VersionId and DeleteMarkerVersionId', async () => {
    await s3.send(new PutObjectCommand({ Bucket: Versioned, Key: 'marked', Body: 'x' }));
    const marker = (await s3.send(new DeleteObjectCommand({ Bucket: Versioned, Key: 'marked' }))).VersionId!;
    const r = await s3.send(new DeleteObjectsCommand({ Bucket: Versioned, Delete: { Objects: [{ Key: 'marked', VersionId: marker }] } }));
    assert.deepEqual(r.Deleted, [{ Key: 'marked', VersionId: marker, DeleteMarker: true, DeleteMarkerVersionId: marker }]);
  });

  it('reading the ACL of a key whose current version is a delete marker is NoSuchKey; naming the marker, 405', async () => {
    await s3.send(new PutObjectCommand({ Bucket: Versioned, Key: 'acl-marked', Body: 'x' }));
    const marker = await s3.send(new DeleteObjectCommand({ Bucket: Versioned, Key: 'acl-marked' }));
    const current = await failure(s3.send(new GetObjectAclCommand({ Bucket: Versioned, Key: 'acl-marked' })));
    assert.deepEqual([current.name, current.status], ['NoSuchKey', 404]);
    const named = await failure(s3.send(new GetObjectAclCommand({ Bucket: Versioned, Key: 'acl-marked', VersionId: marker.VersionId })));
    assert.deepEqual([named.name, named.status], ['MethodNotAllowed', 405]);
  });

  it('a copy into a bucket with versioning suspended names the null version it made, and never a null source version', async () => {
    const Bucket = 'recorded-suspended';
    await s3.send(new CreateBucketCommand({ Bucket }));
    await s3.send(new PutObjectCommand({ Bucket, Key: 'doc', Body: '{}', Metadata: { key: 'value' } }));
    await s3.send(new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: 'Suspended' } }));
    const put = await s3.send(new PutObjectCommand({ Bucket, Key: 'doc', Body: '{}', Metadata: { key: 'value' } }));
    assert.equal(put.VersionId, undefined, 'a PutObject there names none');
    const copy = await s3.send(new CopyObjectCommand({ Bucket, Key: 'doc', CopySource: `${Bucket}/doc`, MetadataDirective: 'REPLACE' }));
    assert.deepEqual([copy.VersionId, copy.CopySourceVersionId], ['null', undefined]);
    // From a versioned source the copy names its source version, as before.
    const src = await s3.send(new PutObjectCommand({ Bucket: Versioned, Key: 'copy-source', Body: 'x' }));
    const fromVersioned = await s3.send(new CopyObjectCommand({ Bucket, Key: 'from-versioned', CopySource: `${Versioned}/copy-source` }));
    assert.deepEqual([fromVersioned.VersionId, fromVersioned.CopySourceVersionId], ['null', src.VersionId]);
  });

  it('a delete marker has no tags, ACL or body: 405 naming the method and ResourceType DeleteMarker; a GET also gets Allow: DELETE', async () => {
    await s3.send(new PutObjectCommand({ Bucket: Versioned, Key: 'gone', Body: 'x' }));
    const marker = (await s3.send(new DeleteObjectCommand({ Bucket: Versioned, Key: 'gone' }))).VersionId!;
    for (const [method, path, body] of [
      ['GET', `/${Versioned}/gone?tagging`, ''],
      ['GET', `/${Versioned}/gone?tagging&versionId=${marker}`, ''],
      ['PUT', `/${Versioned}/gone?tagging&versionId=${marker}`, '<Tagging><TagSet></TagSet></Tagging>'],
      ['DELETE', `/${Versioned}/gone?tagging`, ''],
      ['GET', `/${Versioned}/gone?acl&versionId=${marker}`, ''],
    ] as const) {
      const r = await raw(method, path, {}, body);
      assert.equal(r.status, 405, `${method} ${path}: ${r.body}`);
      const f = errorFields(r.body);
      assert.deepEqual([f.Code, f.Method, f.ResourceType], ['MethodNotAllowed', method, 'DeleteMarker'], `${method} ${path}`);
    }
    const get = await raw('GET', `/${Versioned}/gone?versionId=${marker}`);
    assert.equal(get.status, 405);
    assert.deepEqual([get.headers.allow, get.headers['x-amz-delete-marker'], get.headers['x-amz-version-id']], ['DELETE', 'true', marker]);
    assert.equal((await failure(s3.send(new GetObjectTaggingCommand({ Bucket: Versioned, Key: 'gone' })))).status, 405);
    assert.equal((await failure(s3.send(new GetObjectAclCommand({ Bucket: Versioned, Key: 'gone', VersionId: marker })))).status, 405);
  });

  it('a version listing resumes after a marker version deleted since the previous page', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.unshift((await s3.send(new PutObjectCommand({ Bucket: Versioned, Key: 'paged', Body: String(i) }))).VersionId!);
    const page1 = await s3.send(new ListObjectVersionsCommand({ Bucket: Versioned, Prefix: 'paged', MaxKeys: 2 }));
    assert.deepEqual(
      page1.Versions?.map((v) => v.VersionId),
      ids.slice(0, 2),
    );
    await s3.send(new DeleteObjectsCommand({ Bucket: Versioned, Delete: { Objects: ids.slice(0, 2).map((VersionId) => ({ Key: 'paged', VersionId })) } }));
    const page2 = await s3.send(
      new ListObjectVersionsCommand({
        Bucket: Versioned,
        Prefix: 'paged',
        MaxKeys: 5,
        KeyMarker: page1.NextKeyMarker,
        VersionIdMarker: page1.NextVersionIdMarker,
      }),
    );
    assert.deepEqual(
      page2.Versions?.map((v) => v.VersionId),
      ids.slice(2),
    );
    const r = await raw('GET', `/${Versioned}?versions&version-id-marker=${ids[2]}`);
    assert.equal(r.status, 400);
    const f = errorFields(r.body);
    assert.deepEqual(
      [f.Code, f.Message, f.ArgumentName, f.ArgumentValue],
      ['InvalidArgument', 'A version-id marker cannot be specified without a key marker.', 'version-id-marker', ids[2]],
    );
  });

  it('copy-source conditions: S3 order, the header named as Condition, and a date in the future ignored', async () => {
    const put = await s3.send(new PutObjectCommand({ Bucket, Key: 'copy-src', Body: 'data' }));
    const head = await s3.send(new HeadObjectCommand({ Bucket, Key: 'copy-src' }));
    const lastModified = head.LastModified!;
    const dayBefore = new Date(lastModified.getTime() - 86_400_000);
    const dayAfter = new Date(Date.now() + 86_400_000);
    const copy = (more: Record<string, unknown>) => s3.send(new CopyObjectCommand({ Bucket, Key: 'copy-dst', CopySource: `${Bucket}/copy-src`, ...more }));
    const condition = async (more: Record<string, unknown>) => {
      const r = await raw('PUT', `/${Bucket}/copy-dst`, { 'x-amz-copy-source': `/${Bucket}/copy-src`, ...more } as Record<string, string>);
      return [r.status, errorFields(r.body).Condition];
    };
    const all = {
      'x-amz-copy-source-if-match': '"etag123"',
      'x-amz-copy-source-if-unmodified-since': dayBefore.toUTCString(),
      'x-amz-copy-source-if-none-match': put.ETag!,
      'x-amz-copy-source-if-modified-since': lastModified.toUTCString(),
    };
    const { 'x-amz-copy-source-if-match': _m, ...noMatch } = all;
    const { 'x-amz-copy-source-if-unmodified-since': _u, ...noneMatchAndModified } = noMatch;
    const { 'x-amz-copy-source-if-none-match': _n, ...modifiedOnly } = noneMatchAndModified;
    assert.deepEqual(await condition(all), [412, 'x-amz-copy-source-If-Match']);
    assert.deepEqual(await condition(noMatch), [412, 'x-amz-copy-source-If-Unmodified-Since']);
    assert.deepEqual(await condition(noneMatchAndModified), [412, 'x-amz-copy-source-If-None-Match']);
    assert.deepEqual(await condition(modifiedOnly), [412, 'x-amz-copy-source-If-Modified-Since']);
    assert.ok((await copy({ CopySourceIfModifiedSince: dayAfter })).CopyObjectResult?.ETag, 'a future date is ignored');
    assert.ok((await copy({ CopySourceIfMatch: put.ETag, CopySourceIfUnmodifiedSince: dayBefore })).CopyObjectResult, 'If-Match wins over If-Unmodified-Since');
    const upload = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key: 'part-copy' }));
    const part = await s3.send(
      new UploadPartCopyCommand({
        Bucket,
        Key: 'part-copy',
        UploadId: upload.UploadId,
        PartNumber: 1,
        CopySource: `${Bucket}/copy-src`,
        CopySourceIfModifiedSince: dayAfter,
      }),
    );
    assert.ok(part.CopyPartResult?.ETag);
  });

  it('a conditional CompleteMultipartUpload: 412 or 404 first, then 409 ConditionalRequestConflict for a write since the upload began', async () => {
    const Key = 'conditional-mpu';
    const first = await s3.send(new PutObjectCommand({ Bucket, Key, Body: 'one' }));
    const begin = async () => {
      const u = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key }));
      const p = await s3.send(new UploadPartCommand({ Bucket, Key, UploadId: u.UploadId, PartNumber: 1, Body: 'part' }));
      return (more: Record<string, unknown>) =>
        s3.send(
          new CompleteMultipartUploadCommand({ Bucket, Key, UploadId: u.UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: p.ETag }] }, ...more }),
        );
    };
    const complete = await begin();
    const second = await s3.send(new PutObjectCommand({ Bucket, Key, Body: 'two' }));
    assert.deepEqual(await failure(complete({ IfMatch: first.ETag })), {
      name: 'PreconditionFailed',
      message: 'At least one of the pre-conditions you specified did not hold',
      status: 412,
    });
    assert.deepEqual(await failure(complete({ IfMatch: second.ETag })), {
      name: 'ConditionalRequestConflict',
      message: 'The conditional request cannot succeed due to a conflicting operation against this resource.',
      status: 409,
    });
    assert.equal((await s3.send(new GetObjectCommand({ Bucket, Key }))).ETag, second.ETag, 'nothing replaced');
    // Started again after the write, the same condition lands.
    const again = await begin();
    assert.match((await again({ IfMatch: second.ETag })).ETag!, /-1"$/);
    // If-None-Match: the object is there (412); deleted since the upload began (409).
    const create = await begin();
    assert.equal((await failure(create({ IfNoneMatch: '*' }))).status, 412);
    await s3.send(new DeleteObjectCommand({ Bucket, Key }));
    const conflict = await failure(create({ IfNoneMatch: '*' }));
    assert.deepEqual([conflict.name, conflict.status], ['ConditionalRequestConflict', 409]);
    // Without a condition a completion is not checked for intervening writes.
    assert.ok((await create({})).ETag);
  });

  it('write conditions S3 does not take are NotImplemented naming the header, in S3 order', async () => {
    const check = async (headers: Record<string, string>, header: string, additional: string) => {
      const r = await raw('PUT', `/${Bucket}/validated`, headers, 'x');
      assert.equal(r.status, 501, r.body);
      const f = errorFields(r.body);
      assert.deepEqual(
        [f.Code, f.Message, f.Header, f.additionalMessage],
        ['NotImplemented', 'A header you provided implies functionality that is not implemented', header, additional],
      );
    };
    await check({ 'if-none-match': '"abc"' }, 'If-None-Match', "We don't accept the provided value of If-None-Match header for this API");
    await check({ 'if-match': '*' }, 'If-Match', "We don't accept the provided value of If-Match header for this API");
    await check({ 'if-match': '"abc"', 'if-none-match': '"abc"' }, 'If-Match,If-None-Match', 'Multiple conditional request headers present in the request');
  });

  it('a range that covers the whole object serves its checksum; an unsatisfiable one names the range asked for', async () => {
    await s3.send(new PutObjectCommand({ Bucket, Key: 'ranged', Body: '0123456789', ChecksumAlgorithm: 'CRC32' }));
    for (const Range of ['bytes=0-100', 'bytes=-15', 'bytes=0-9']) {
      const r = await s3.send(new GetObjectCommand({ Bucket, Key: 'ranged', Range, ChecksumMode: 'ENABLED' }));
      assert.deepEqual([r.ContentRange, r.ChecksumCRC32, r.ChecksumType], ['bytes 0-9/10', 'poTHxg==', 'FULL_OBJECT'], Range);
    }
    const partial = await s3.send(new GetObjectCommand({ Bucket, Key: 'ranged', Range: 'bytes=0-8', ChecksumMode: 'ENABLED' }));
    assert.equal(partial.ChecksumCRC32, undefined);
    const r = await raw('GET', `/${Bucket}/ranged`, { range: 'bytes=100-200' });
    assert.equal(r.status, 416);
    const f = errorFields(r.body);
    assert.deepEqual([f.Code, f.RangeRequested, f.ActualObjectSize], ['InvalidRange', 'bytes=100-200', '10']);
  });

  it('tagging input: an unencoded "=" in x-amz-tagging is named with the header as sent; a Tag without Value is MalformedXML; a missing key as S3 names it', async () => {
    for (const tagging of ['key1=val1,key2=val2', 'key1=val1&key1=val2']) {
      const r = await raw('PUT', `/${Bucket}/tagged`, { 'x-amz-tagging': tagging }, 'x');
      assert.equal(r.status, 400);
      const f = errorFields(r.body);
      assert.deepEqual([f.Code, f.ArgumentName, f.ArgumentValue], ['InvalidArgument', 'x-amz-tagging', tagging]);
    }
    await s3.send(new PutObjectCommand({ Bucket, Key: 'tagged', Body: 'x' }));
    for (const path of [`/${Bucket}?tagging`, `/${Bucket}/tagged?tagging`]) {
      const r = await raw('PUT', path, {}, '<Tagging><TagSet><Tag><Key>key1</Key></Tag></TagSet></Tagging>');
      assert.deepEqual(
        [r.status, errorFields(r.body).Code, errorFields(r.body).Message],
        [400, 'MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema'],
      );
    }
    await s3.send(new PutObjectTaggingCommand({ Bucket, Key: 'tagged', Tagging: { TagSet: [{ Key: 'empty', Value: '' }] } }));
    assert.deepEqual((await s3.send(new GetObjectTaggingCommand({ Bucket, Key: 'tagged' }))).TagSet, [{ Key: 'empty', Value: '' }]);
    // A missing key: GetObjectTagging names it as "<bucket>/<key>", PutObjectTagging and DeleteObjectTagging as the key.
    const tagging = '<Tagging><TagSet></TagSet></Tagging>';
    for (const [method, body, named] of [
      ['GET', '', `${Bucket}/fake-key`],
      ['PUT', tagging, 'fake-key'],
      ['DELETE', '', 'fake-key'],
    ] as const) {
      const r = await raw(method, `/${Bucket}/fake-key?tagging`, body ? { 'content-md5': createHash('md5').update(body).digest('base64') } : {}, body);
      assert.deepEqual([r.status, errorFields(r.body).Code, errorFields(r.body).Key], [404, 'NoSuchKey', named], method);
    }
  });

  it('listing echoes: ListMultipartUploads names Prefix only when asked; ListObjectsV2 with a token ignores start-after', async () => {
    const u = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key: 'listed-upload' }));
    const all = await raw('GET', `/${Bucket}?uploads`);
    assert.doesNotMatch(all.body, /<Prefix>/);
    assert.match((await raw('GET', `/${Bucket}?uploads&prefix=listed`)).body, /<Prefix>listed<\/Prefix>/);
    const parts = await raw('GET', `/${Bucket}/listed-upload?uploadId=${u.UploadId}&max-parts=&part-number-marker=`);
    assert.equal(parts.status, 200, 'an empty integer parameter is the default');
    assert.match(parts.body, /<MaxParts>1000<\/MaxParts>/);
    assert.ok((await s3.send(new ListMultipartUploadsCommand({ Bucket }))).Uploads?.some((x) => x.UploadId === u.UploadId));
    for (const Key of ['a1', 'a2', 'a3']) await s3.send(new PutObjectCommand({ Bucket: 'recorded', Key, Body: 'x' }));
    const page = await s3.send(new ListObjectsV2Command({ Bucket, Prefix: 'a', MaxKeys: 1 }));
    const next = await s3.send(new ListObjectsV2Command({ Bucket, Prefix: 'a', ContinuationToken: page.NextContinuationToken, StartAfter: 'a2' }));
    assert.deepEqual(
      next.Contents?.map((c) => c.Key),
      ['a2', 'a3'],
    );
    assert.equal(next.StartAfter, undefined);
    // Timestamps in listings have whole seconds, the instant HEAD's Last-Modified names.
    const listed = await raw('GET', `/${Bucket}?list-type=2&prefix=a1`);
    const stamp = /<LastModified>([^<]+)<\/LastModified>/.exec(listed.body)?.[1];
    assert.match(stamp ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/);
    const headA1 = await s3.send(new HeadObjectCommand({ Bucket, Key: 'a1' }));
    assert.equal(new Date(stamp!).getTime(), headA1.LastModified!.getTime());
    const uploads = await raw('GET', `/${Bucket}?uploads`);
    assert.match(uploads.body, /<Initiated>[^<]+\.000Z<\/Initiated>/);
    const empty = await raw('GET', `/${Bucket}?list-type=2&continuation-token=`);
    assert.equal(empty.status, 400);
    assert.deepEqual([errorFields(empty.body).ArgumentName, errorFields(empty.body).ArgumentValue], ['continuation-token', undefined]);
  });

  it('a storage class a general-purpose bucket does not take is InvalidStorageClass; a 204 has no Content-Length', async () => {
    for (const [method, path] of [
      ['PUT', `/${Bucket}/classed`],
      ['POST', `/${Bucket}/classed?uploads`],
    ] as const) {
      for (const cls of ['FakeClass', 'OUTPOSTS']) {
        const r = await raw(method, path, { 'x-amz-storage-class': cls }, method === 'PUT' ? 'x' : '');
        const f = errorFields(r.body);
        assert.deepEqual([r.status, f.Code, f.StorageClassRequested], [400, 'InvalidStorageClass', cls], `${method} ${cls}`);
      }
    }
    await s3.send(new PutObjectCommand({ Bucket, Key: 'classed', Body: 'x', StorageClass: 'STANDARD_IA' }));
    assert.equal((await s3.send(new HeadObjectCommand({ Bucket, Key: 'classed' }))).StorageClass, 'STANDARD_IA');
    const u = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key: 'classed-mpu', StorageClass: 'GLACIER_IR' }));
    const p = await s3.send(new UploadPartCommand({ Bucket, Key: 'classed-mpu', UploadId: u.UploadId, PartNumber: 1, Body: 'x' }));
    await s3.send(
      new CompleteMultipartUploadCommand({ Bucket, Key: 'classed-mpu', UploadId: u.UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: p.ETag }] } }),
    );
    assert.equal((await s3.send(new HeadObjectCommand({ Bucket, Key: 'classed-mpu' }))).StorageClass, 'GLACIER_IR');
    const deleted = await raw('DELETE', `/${Bucket}/classed`);
    assert.equal(deleted.status, 204);
    assert.equal(deleted.headers['content-length'], undefined);
  });

  it('on a versioned bucket a version named by id may be copied onto its own key; unnamed, the in-place copy is refused', async () => {
    // moto's AWS-verified test_copy_object_in_place_with_versioning.
    const old = await s3.send(new PutObjectCommand({ Bucket: Versioned, Key: 'restore-me', Body: 'old' }));
    await s3.send(new PutObjectCommand({ Bucket: Versioned, Key: 'restore-me', Body: 'new' }));
    const CopySource = `${Versioned}/restore-me?versionId=${old.VersionId}`;
    const copied = await s3.send(new CopyObjectCommand({ Bucket: Versioned, Key: 'restore-me', CopySource }));
    assert.notEqual(copied.VersionId, old.VersionId);
    assert.equal(await (await s3.send(new GetObjectCommand({ Bucket: Versioned, Key: 'restore-me' }))).Body!.transformToString(), 'old');
    const listed = await s3.send(new ListObjectVersionsCommand({ Bucket: Versioned, Prefix: 'restore-me' }));
    assert.equal(listed.Versions?.length, 3);
    const unnamed = await failure(s3.send(new CopyObjectCommand({ Bucket: Versioned, Key: 'restore-me', CopySource: `${Versioned}/restore-me` })));
    assert.equal(unnamed.name, 'InvalidRequest');
    await s3.send(new PutObjectCommand({ Bucket, Key: 'plain-in-place', Body: 'x' }));
    const named = await failure(s3.send(new CopyObjectCommand({ Bucket, Key: 'plain-in-place', CopySource: `${Bucket}/plain-in-place?versionId=null` })));
    assert.equal(named.name, 'InvalidRequest', 'an unversioned bucket still refuses it');
  });

  it('SignatureDoesNotMatch shows what the server signed; an expired URL shows its times', async () => {
    // The fields AWS returns (localstack's recordings of AWS, TestS3PresignedUrl, February 2026).
    const wrong = { accessKeyId: s.credentials.accessKeyId, secretAccessKey: 'not-the-secret-key-000000000000000000000' };
    const sent = await signedS3(s.endpoint, s.agent, wrong, 'GET', `/${Bucket}?list-type=2`, {
      'x-amz-content-sha256': createHash('sha256').update('').digest('hex'),
    });
    const r = await sent.send();
    const f = errorFields(r.body);
    assert.deepEqual(
      [r.status, f.Code, f.AWSAccessKeyId, f.SignatureProvided],
      [403, 'SignatureDoesNotMatch', wrong.accessKeyId, /Signature=(\w+)/.exec(sent.headers.authorization!)![1]],
    );
    const shown = (bytes: string) => Buffer.from(bytes.split(' ').map((b) => Number.parseInt(b, 16))).toString('utf8');
    assert.equal(shown(f.StringToSignBytes!), f.StringToSign);
    assert.equal(shown(f.CanonicalRequestBytes!), f.CanonicalRequest);
    assert.match(f.CanonicalRequest!, new RegExp(`^GET\n/${Bucket}\nlist-type=2\n`));
    assert.equal(f.StringToSign!.split('\n').at(-1), createHash('sha256').update(f.CanonicalRequest!).digest('hex'));
    assert.ok(Object.keys(f).indexOf('AWSAccessKeyId') < Object.keys(f).indexOf('CanonicalRequestBytes'), 'in the order AWS writes them');

    // A signed header the request lacks: the same answer, its line signed empty (AWS's recording, no-meta-headers).
    const withMeta = await getSignedUrl(s3, new PutObjectCommand({ Bucket, Key: 'meta', Metadata: { foo: 'bar' } }), {
      expiresIn: 60,
      unhoistableHeaders: new Set(['x-amz-meta-foo']),
    });
    const lacking = await rawHttps(s, 'PUT', withMeta, { 'content-length': '1' }, 'x');
    const l = errorFields(lacking.body);
    assert.deepEqual([lacking.status, l.Code], [403, 'SignatureDoesNotMatch']);
    assert.match(l.CanonicalRequest!, /\nx-amz-meta-foo:\n/);
    const withHeader = await rawHttps(s, 'PUT', withMeta, { 'content-length': '1', 'x-amz-meta-foo': 'bar' }, 'x');
    assert.equal(withHeader.status, 200, withHeader.body);

    const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket, Key: 'anything' }), { expiresIn: 1, signingDate: new Date(Date.now() - 10_000) });
    const expired = errorFields((await rawHttps(s, 'GET', url, {})).body);
    assert.equal(expired.Message, 'Request has expired');
    assert.equal(expired['X-Amz-Expires'], '1');
    assert.match(expired.Expires!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.ok(Date.parse(expired.ServerTime!) > Date.parse(expired.Expires!));
  });

  it("CompleteMultipartUpload's Location is the object's URL with its key percent-encoded", async () => {
    // localstack's recording of AWS, test_multipart_with_unicode_character_location: "<bucket-url>/test-unicode_%E2%80%94_file".
    const Key = 'test-unicode_\u2014_file/a b';
    const u = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key }));
    const p = await s3.send(new UploadPartCommand({ Bucket, Key, UploadId: u.UploadId, PartNumber: 1, Body: 'x' }));
    const done = await s3.send(
      new CompleteMultipartUploadCommand({ Bucket, Key, UploadId: u.UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: p.ETag }] } }),
    );
    assert.equal(done.Location, `${s.endpoint}/${Bucket}/test-unicode_%E2%80%94_file/a%20b`);
  });

  it('a response-* override HTTP cannot carry names itself and its value', async () => {
    // localstack's recording of AWS, test_get_response_overrides_unicode_metadata_with_sig_s3.
    await s3.send(new PutObjectCommand({ Bucket, Key: 'override-me', Body: 'x' }));
    const value = 'non-ascii-%E2%80%94_\u2014_\u00e9_';
    const r = await raw('GET', `/${Bucket}/override-me?response-cache-control=${encodeURIComponent(value)}`);
    assert.equal(r.status, 400);
    const f = errorFields(r.body);
    assert.deepEqual(
      [f.Code, f.Message, f.ArgumentName, f.ArgumentValue],
      ['InvalidArgument', 'Header value cannot be represented using ISO-8859-1.', 'response-cache-control', value],
    );
  });

  it('a website redirect is kept and returned, refused without its prefix, and makes an in-place copy a change; multipart uploads keep their headers', async () => {
    await s3.send(new PutObjectCommand({ Bucket, Key: 'redirected', Body: 'x', WebsiteRedirectLocation: '/test/direct' }));
    assert.equal((await s3.send(new HeadObjectCommand({ Bucket, Key: 'redirected' }))).WebsiteRedirectLocation, '/test/direct');
    const bad = await failure(s3.send(new PutObjectCommand({ Bucket, Key: 'redirected-bad', Body: 'x', WebsiteRedirectLocation: 'ftp://x' })));
    assert.deepEqual(bad, {
      name: 'InvalidRedirectLocation',
      message: "The website redirect location must have a prefix of 'http://' or 'https://' or '/'.",
      status: 400,
    });
    await s3.send(new CopyObjectCommand({ Bucket, Key: 'redirected', CopySource: `${Bucket}/redirected`, WebsiteRedirectLocation: '/test/direct' }));
    assert.equal((await s3.send(new HeadObjectCommand({ Bucket, Key: 'redirected' }))).WebsiteRedirectLocation, '/test/direct');
    await s3.send(new CopyObjectCommand({ Bucket, Key: 'redirected-copy', CopySource: `${Bucket}/redirected` }));
    assert.equal((await s3.send(new HeadObjectCommand({ Bucket, Key: 'redirected-copy' }))).WebsiteRedirectLocation, undefined, 'not copied');
    const headers = { CacheControl: 'max-age=60', ContentDisposition: 'attachment', ContentLanguage: 'de', WebsiteRedirectLocation: 'https://example.com/' };
    const u = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key: 'mpu-headers', ContentType: 'text/plain', ...headers }));
    const p = await s3.send(new UploadPartCommand({ Bucket, Key: 'mpu-headers', UploadId: u.UploadId, PartNumber: 1, Body: 'x' }));
    await s3.send(
      new CompleteMultipartUploadCommand({ Bucket, Key: 'mpu-headers', UploadId: u.UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: p.ETag }] } }),
    );
    const head = await s3.send(new HeadObjectCommand({ Bucket, Key: 'mpu-headers' }));
    assert.deepEqual(
      [head.ContentType, head.CacheControl, head.ContentDisposition, head.ContentLanguage, head.WebsiteRedirectLocation],
      ['text/plain', ...Object.values(headers)],
    );
  });

  it('error details S3 gives: the not-configured errors name the bucket, ownership refusals quote the value', async () => {
    const lock = await raw('GET', `/${Bucket}?object-lock`);
    assert.deepEqual([lock.status, errorFields(lock.body).Code, errorFields(lock.body).BucketName], [404, 'ObjectLockConfigurationNotFoundError', Bucket]);
    for (const [sub, code] of [
      ['website', 'NoSuchWebsiteConfiguration'],
      ['replication', 'ReplicationConfigurationNotFoundError'],
    ]) {
      const r = await raw('GET', `/${Bucket}?${sub}`);
      assert.deepEqual([r.status, errorFields(r.body).Code, errorFields(r.body).BucketName], [404, code, Bucket]);
    }
    const own = await raw('PUT', '/recorded-ownership', { 'x-amz-object-ownership': 'RandomValue' });
    assert.deepEqual(
      [own.status, errorFields(own.body).Message, errorFields(own.body).ArgumentName],
      [400, 'Invalid x-amz-object-ownership header: RandomValue', 'x-amz-object-ownership'],
    );
    const enc = await raw(
      'PUT',
      `/${Bucket}?encryption`,
      {},
      '<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm><KMSMasterKeyID>k</KMSMasterKeyID></ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>',
    );
    assert.deepEqual([enc.status, errorFields(enc.body).ArgumentName], [400, 'ApplyServerSideEncryptionByDefault']);
  });

  it('SSE-C header errors name x-amz-server-side-encryption; SSE-C beside another encryption is refused first', async () => {
    const key = Buffer.alloc(32, 7);
    const ssec = (alg: string) => ({
      'x-amz-server-side-encryption-customer-algorithm': alg,
      'x-amz-server-side-encryption-customer-key': key.toString('base64'),
      'x-amz-server-side-encryption-customer-key-md5': createHash('md5').update(key).digest('base64'),
    });
    const fields = (r: { status: number; body: string }) => {
      const f = errorFields(r.body);
      return [r.status, f.Code, f.ArgumentName, f.ArgumentValue];
    };
    // Both: the conflict, even though the customer algorithm is itself invalid.
    assert.deepEqual(fields(await raw('PUT', `/${Bucket}/ssec-both`, { ...ssec('KMS'), 'x-amz-server-side-encryption': 'AES256' })), [
      400,
      'InvalidArgument',
      'x-amz-server-side-encryption',
      'AES256',
    ]);
    assert.deepEqual(fields(await raw('PUT', `/${Bucket}/ssec-algo`, ssec('KMS'))), [
      400,
      'InvalidEncryptionAlgorithmError',
      'x-amz-server-side-encryption',
      'KMS',
    ]);
    const { 'x-amz-server-side-encryption-customer-key-md5': _md5, ...noMd5 } = ssec('AES256');
    await s3.send(new PutObjectCommand({ Bucket, Key: 'ssec-read', Body: 'x' }));
    assert.deepEqual(fields(await raw('GET', `/${Bucket}/ssec-read`, noMd5)), [400, 'InvalidArgument', 'x-amz-server-side-encryption', undefined]);
  });

  it('error details: InvalidPart and InvalidPartOrder name the upload, digest errors the digests', async () => {
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key: 'details' }));
    const part = await s3.send(new UploadPartCommand({ Bucket, Key: 'details', UploadId, PartNumber: 1, Body: 'x' }));
    const complete = (parts: string) =>
      raw('POST', `/${Bucket}/details?uploadId=${UploadId}`, {}, `<CompleteMultipartUpload>${parts}</CompleteMultipartUpload>`);
    const wrong = errorFields((await complete('<Part><PartNumber>1</PartNumber><ETag>"d41d8cd98f00b204e9800998ecf8427e"</ETag></Part>')).body);
    assert.deepEqual([wrong.Code, wrong.ETag, wrong.PartNumber, wrong.UploadId], ['InvalidPart', 'd41d8cd98f00b204e9800998ecf8427e', '1', UploadId]);
    const order = errorFields(
      (await complete(`<Part><PartNumber>2</PartNumber><ETag>${part.ETag}</ETag></Part><Part><PartNumber>1</PartNumber><ETag>${part.ETag}</ETag></Part>`)).body,
    );
    assert.deepEqual([order.Code, order.UploadId], ['InvalidPartOrder', UploadId]);
    // A small part before the last: its size, the minimum, its number and its ETag (unquoted).
    const second = await s3.send(new UploadPartCommand({ Bucket, Key: 'details', UploadId, PartNumber: 3, Body: 'y' }));
    const small = errorFields(
      (await complete(`<Part><PartNumber>1</PartNumber><ETag>${part.ETag}</ETag></Part><Part><PartNumber>3</PartNumber><ETag>${second.ETag}</ETag></Part>`))
        .body,
    );
    assert.deepEqual(
      [small.Code, small.ProposedSize, small.MinSizeAllowed, small.PartNumber, small.ETag],
      ['EntityTooSmall', '1', '5242880', '1', part.ETag!.replaceAll('"', '')],
    );

    const invalid = errorFields((await raw('PUT', `/${Bucket}/digest`, { 'content-md5': 'MTIz' }, 'data')).body);
    assert.deepEqual([invalid.Code, invalid['Content-MD5']], ['InvalidDigest', 'MTIz']);
    const given = createHash('md5').update('other').digest('base64');
    const calculated = createHash('md5').update('data').digest('base64');
    // PutObject gives the expected digest in hex, UploadPart as it was sent.
    const bad = errorFields((await raw('PUT', `/${Bucket}/digest`, { 'content-md5': given }, 'data')).body);
    assert.deepEqual([bad.Code, bad.CalculatedDigest, bad.ExpectedDigest], ['BadDigest', calculated, Buffer.from(given, 'base64').toString('hex')]);
    const badPart = errorFields((await raw('PUT', `/${Bucket}/details?partNumber=2&uploadId=${UploadId}`, { 'content-md5': given }, 'data')).body);
    assert.deepEqual([badPart.Code, badPart.CalculatedDigest, badPart.ExpectedDigest], ['BadDigest', calculated, given]);
  });

  it('CompleteMultipartUpload judges x-amz-checksum-type against the upload before the listed parts', async () => {
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key: 'mode', ChecksumAlgorithm: 'SHA256' }));
    const part = await s3.send(new UploadPartCommand({ Bucket, Key: 'mode', UploadId, PartNumber: 1, Body: 'x', ChecksumAlgorithm: 'SHA256' }));
    const f = await failure(
      s3.send(
        new CompleteMultipartUploadCommand({
          Bucket,
          Key: 'mode',
          UploadId,
          ChecksumType: 'FULL_OBJECT',
          MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] },
        }),
      ),
    );
    assert.deepEqual(
      [f.name, f.message],
      ['InvalidRequest', 'The upload was created using the COMPOSITE checksum mode. The complete request must use the same checksum mode.'],
    );
  });

  it('CreateBucket and HeadBucket give the bucket ARN; HeadBucket says it is not an access point alias', async () => {
    const created = await s3.send(new CreateBucketCommand({ Bucket: 'recorded-arn' }));
    assert.equal(created.BucketArn, 'arn:aws:s3:::recorded-arn');
    const head = await s3.send(new HeadBucketCommand({ Bucket: 'recorded-arn' }));
    assert.deepEqual([head.BucketArn, head.AccessPointAlias, head.BucketRegion], ['arn:aws:s3:::recorded-arn', false, 'us-east-1']);
    // Location: a us-east-1 bucket's path, any other bucket's virtual-hosted URL over http (as AWS answers).
    assert.equal(created.Location, '/recorded-arn');
    const west = await s3.send(new CreateBucketCommand({ Bucket: 'recorded-location-west', CreateBucketConfiguration: { LocationConstraint: 'us-west-2' } }));
    assert.equal(west.Location, `http://recorded-location-west.s3.localhost:${new URL(s.endpoint).port}/`);
  });

  it('lifecycle: an empty Filter comes back empty; TransitionDefaultMinimumObjectSize is kept and checked', async () => {
    const Rules = [{ ID: 'whole', Status: 'Enabled' as const, Filter: {}, Expiration: { Days: 7 } }];
    const put = await s3.send(
      new PutBucketLifecycleConfigurationCommand({
        Bucket,
        LifecycleConfiguration: { Rules },
        TransitionDefaultMinimumObjectSize: 'varies_by_storage_class',
      }),
    );
    assert.equal(put.TransitionDefaultMinimumObjectSize, 'varies_by_storage_class');
    const got = await s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket }));
    assert.deepEqual([got.Rules?.[0]?.Filter, got.TransitionDefaultMinimumObjectSize], [{}, 'varies_by_storage_class']);
    await s3.send(new PutBucketLifecycleConfigurationCommand({ Bucket, LifecycleConfiguration: { Rules } }));
    assert.equal((await s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket }))).TransitionDefaultMinimumObjectSize, 'all_storage_classes_128K');
    const bad = await raw('PUT', `/${Bucket}?lifecycle`, { 'x-amz-transition-default-minimum-object-size': 'value' }, '<LifecycleConfiguration/>');
    assert.deepEqual([bad.status, errorFields(bad.body).Message], [400, 'Invalid TransitionDefaultMinimumObjectSize found: value']);
  });

  it('Object Lock errors name the argument at fault; a missing legal hold document is MalformedXML first', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'recorded-lock', ObjectLockEnabledForBucket: true }));
    const put = (headers: Record<string, string>) =>
      raw('PUT', '/recorded-lock/locked', { 'content-md5': createHash('md5').update('').digest('base64'), ...headers });
    const noDate = errorFields((await put({ 'x-amz-object-lock-mode': 'GOVERNANCE' })).body);
    assert.deepEqual([noDate.Code, noDate.ArgumentName], ['InvalidArgument', 'x-amz-object-lock-retain-until-date']);
    const noMode = errorFields((await put({ 'x-amz-object-lock-retain-until-date': '2099-01-01T00:00:00Z' })).body);
    assert.deepEqual([noMode.Code, noMode.ArgumentName], ['InvalidArgument', 'x-amz-object-lock-mode']);
    await s3.send(new PutObjectCommand({ Bucket: 'recorded-lock', Key: 'k', Body: 'x', ChecksumAlgorithm: 'CRC32' }));
    const past = await failure(
      s3.send(new PutObjectRetentionCommand({ Bucket: 'recorded-lock', Key: 'k', Retention: { Mode: 'GOVERNANCE', RetainUntilDate: new Date('2019-12-31') } })),
    );
    assert.deepEqual([past.name, past.message], ['InvalidArgument', 'The retain until date must be in the future!']);
    const pastBody = await raw(
      'PUT',
      '/recorded-lock/k?retention',
      {},
      '<Retention><Mode>GOVERNANCE</Mode><RetainUntilDate>2019-12-31T00:00:00Z</RetainUntilDate></Retention>',
    );
    assert.equal(errorFields(pastBody.body).ArgumentName, 'RetainUntilDate');
    // On a bucket without Object Lock: no document is MalformedXML, a document the missing configuration.
    assert.equal((await failure(s3.send(new PutObjectLegalHoldCommand({ Bucket, Key: 'k' })))).name, 'MalformedXML');
    assert.equal((await failure(s3.send(new PutObjectLegalHoldCommand({ Bucket, Key: 'k', LegalHold: { Status: 'ON' } })))).name, 'InvalidRequest');
  });

  it('CreateBucket: a constraint that is no Region name is InvalidLocationConstraint; aws: tags are refused in its words', async () => {
    const f = await failure(s3.send(new CreateBucketCommand({ Bucket: 'recorded-foo', CreateBucketConfiguration: { LocationConstraint: 'foo' as never } })));
    assert.deepEqual([f.name, f.message], ['InvalidLocationConstraint', 'The specified location-constraint is not valid']);
    const eu = await failure(
      s
        .s3({ region: 'eu-west-1' })
        .send(new CreateBucketCommand({ Bucket: 'recorded-bar', CreateBucketConfiguration: { LocationConstraint: 'bar' as never } })),
    );
    assert.deepEqual(
      [eu.name, eu.message],
      ['IllegalLocationConstraintException', 'The bar location constraint is incompatible for the region specific endpoint this request was sent to.'],
    );
    const tagged = await raw(
      'PUT',
      '/recorded-tagged',
      {},
      '<CreateBucketConfiguration><Tags><Tag><Key>aws:test</Key><Value>v</Value></Tag></Tags></CreateBucketConfiguration>',
    );
    const t = errorFields(tagged.body);
    assert.deepEqual(
      [t.Code, t.Message, t.TagKey],
      [
        'InvalidTag',
        'User-defined tag keys can\'t start with "aws:". This prefix is reserved for system tags. Remove "aws:" from your tag keys and try again.',
        undefined,
      ],
    );
  });

  it('listings name the bucket Region in x-amz-bucket-region', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'recorded-west', CreateBucketConfiguration: { LocationConstraint: 'us-west-2' } }));
    for (const path of ['/recorded-west?list-type=2', '/recorded-west', '/recorded-west?versions']) {
      const r = await raw('GET', path, {}, '', 'us-west-2');
      assert.deepEqual([r.status, r.headers['x-amz-bucket-region']], [200, 'us-west-2'], path);
    }
  });

  it('x-amz-copy-source reads "+" as a space, as Go clients encode one (a literal "+" comes as %2B), and takes a whole URL', async () => {
    await s3.send(new PutObjectCommand({ Bucket, Key: 'test key.txt', Body: 'spaced' }));
    await s3.send(new PutObjectCommand({ Bucket, Key: 'a+b.txt', Body: 'plus' }));
    const spaced = await raw('PUT', `/${Bucket}/copied-spaced`, { 'x-amz-copy-source': `${Bucket}%2Ftest+key.txt` });
    assert.equal(spaced.status, 200, spaced.body);
    const plus = await raw('PUT', `/${Bucket}/copied-plus`, { 'x-amz-copy-source': `${Bucket}/a%2Bb.txt` });
    assert.equal(plus.status, 200, plus.body);
    // A whole path-style URL names its path, as AWS reads it.
    const url = await raw('PUT', `/${Bucket}/copied-url`, { 'x-amz-copy-source': `${s.endpoint}/${Bucket}/a%2Bb.txt` });
    assert.equal(url.status, 200, url.body);
    const body = async (Key: string) => (await s3.send(new GetObjectCommand({ Bucket, Key }))).Body!.transformToString();
    assert.deepEqual([await body('copied-spaced'), await body('copied-plus'), await body('copied-url')], ['spaced', 'plus', 'plus']);
  });
});
