// S3 object checksums (https://docs.aws.amazon.com/AmazonS3/latest/userguide/checking-object-integrity.html)
// with @aws-sdk/client-s3 and raw signed requests: every algorithm on PutObject, checked and returned; malformed,
// multiple and mismatched checksum headers refused before anything is stored; multipart uploads with COMPOSITE
// and FULL_OBJECT checksums (parts checked at UploadPart and at Complete, the object's checksum derived and
// verified against a final header); ListParts, GetObjectAttributes and CopyObject carrying them.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { crc32 } from 'node:zlib';
import {
  type ChecksumAlgorithm,
  CompleteMultipartUploadCommand,
  type CompletedPart,
  type CompleteMultipartUploadCommandInput,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectAttributesCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  ListPartsCommand,
  PutObjectCommand,
  type S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { checksumOf } from '../../src/protocol/checksums.js';
import { Crc64Nvme } from '../../src/protocol/crc64nvme.js';
import { signedS3 } from '../helpers/s3-signer.js';
import { failure, startTestServer, type TestServer } from '../helpers/server.js';

const PART = 5 * 1024 * 1024;
type Alg = 'CRC32' | 'CRC32C' | 'CRC64NVME' | 'SHA1' | 'SHA256' | 'MD5';
const raw = (alg: string, data: Buffer) => checksumOf(alg.toLowerCase() as never, data);
const b64 = (alg: string, data: Buffer) => raw(alg, data).toString('base64');
const member = (alg: string) => `Checksum${alg}` as 'ChecksumCRC32';

describe('S3 checksums (wire)', () => {
  let s: TestServer;
  let s3: S3Client;
  /** A client that adds no checksum of its own (the legacy path), so tests choose every header. */
  let plain: S3Client;
  const Bucket = 'checksums';
  const blobFiles = () =>
    readdirSync(join(s.dataDir, 'blobs'), { recursive: true, withFileTypes: true }).filter((d) => d.isFile() && !d.parentPath.endsWith('tmp')).length;
  const put = (Key: string, headers: Record<string, string>, body: Buffer | string) =>
    signedS3(s.endpoint, s.agent, s.credentials, 'PUT', `/${Bucket}/${Key}`, { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD', ...headers }, body).then((r) =>
      r.send(),
    );

  before(async () => {
    s = await startTestServer();
    s3 = s.s3();
    plain = s.s3({ checksums: 'WHEN_REQUIRED' });
    await s3.send(new CreateBucketCommand({ Bucket }));
  });
  after(() => s.stop());

  it('PutObject: each algorithm is checked, stored and returned (GET/HEAD with checksum mode, full object only)', async () => {
    const body = Buffer.from('hello world');
    for (const alg of ['CRC32', 'CRC32C', 'CRC64NVME', 'SHA1', 'SHA256', 'MD5'] as const) {
      const out = await s3.send(new PutObjectCommand({ Bucket, Key: `p-${alg}`, Body: body, ChecksumAlgorithm: alg }));
      assert.equal(out[member(alg)], b64(alg, body), alg);
      assert.equal(out.ChecksumType, 'FULL_OBJECT');
      const got = await s3.send(new GetObjectCommand({ Bucket, Key: `p-${alg}`, ChecksumMode: 'ENABLED' }));
      assert.equal(await got.Body!.transformToString(), 'hello world');
      assert.equal(got[member(alg)], b64(alg, body), `${alg} on GET`);
      const head = await s3.send(new HeadObjectCommand({ Bucket, Key: `p-${alg}` }));
      assert.equal(head[member(alg)], undefined, 'not without x-amz-checksum-mode');
      const ranged = await s3.send(new GetObjectCommand({ Bucket, Key: `p-${alg}`, Range: 'bytes=0-3', ChecksumMode: 'ENABLED' }));
      await ranged.Body!.transformToString();
      assert.equal(ranged[member(alg)], undefined, 'never on a range');
    }
    // SHA-512 (the SDK computes it only with an extra implementation): sent as a header.
    const res = await put('p-SHA512', { 'x-amz-checksum-sha512': b64('SHA512', body) }, body);
    assert.equal(res.status, 200, res.body);
    assert.equal(res.headers['x-amz-checksum-sha512'], b64('SHA512', body));
    const list = await s3.send(new ListObjectsV2Command({ Bucket, Prefix: 'p-CRC64' }));
    assert.deepEqual(
      list.Contents?.map((c) => [c.ChecksumAlgorithm, c.ChecksumType]),
      [[['CRC64NVME'], 'FULL_OBJECT']],
    );
    const versions = await s3.send(new ListObjectVersionsCommand({ Bucket, Prefix: 'p-SHA1', EncodingType: 'url' }));
    assert.equal(versions.EncodingType, 'url', 'the encoding is echoed as in the other listings');
    assert.deepEqual(
      versions.Versions?.map((v) => [v.ChecksumAlgorithm, v.ChecksumType]),
      [[['SHA1'], 'FULL_OBJECT']],
    );
  });

  it('PutObject: a wrong, malformed, doubled or contradicted checksum is refused and stores nothing', async () => {
    const body = Buffer.from('some data');
    const blobs = blobFiles();
    const wrong = await put('bad', { 'x-amz-checksum-crc64nvme': b64('CRC64NVME', Buffer.from('other')) }, body);
    assert.equal(wrong.status, 400);
    assert.match(wrong.body, /<Code>BadDigest<\/Code>.*The CRC64NVME you specified did not match the calculated checksum\./s);
    for (const value of ['', 'invalid_base64!', 'c2RhZnNhZGZzZGFm']) {
      const r = await put('bad', { 'x-amz-checksum-crc32': value }, body);
      assert.equal(r.status, 400, `value ${JSON.stringify(value)}`);
      assert.match(r.body, /<Code>InvalidRequest<\/Code><Message>Value for x-amz-checksum-crc32 header is invalid\.<\/Message>/);
    }
    const two = await put('bad', { 'x-amz-checksum-crc32': b64('CRC32', body), 'x-amz-checksum-sha1': b64('SHA1', body) }, body);
    assert.match(two.body, /Expecting a single x-amz-checksum- header\. Multiple checksum Types are not allowed\./);
    const contradicted = await put('bad', { 'x-amz-checksum-crc32c': b64('CRC32C', body), 'x-amz-sdk-checksum-algorithm': 'CRC32' }, body);
    assert.match(contradicted.body, /Value for x-amz-sdk-checksum-algorithm header is invalid\./);
    const xx = await put('bad', { 'x-amz-checksum-xxhash64': 'AAAAAAAAAAA=' }, body);
    assert.equal(xx.status, 501);
    assert.match(xx.body, /<Code>NotImplemented<\/Code>/);
    assert.equal((await failure(plain.send(new HeadObjectCommand({ Bucket, Key: 'bad' })))).name, 'NotFound');
    assert.equal(blobFiles(), blobs, 'nothing stored');
  });

  it('multipart COMPOSITE (the default for CRC32, SHA-1, SHA-256, MD5): alg(raw part checksums)-N, checked at Complete', async () => {
    for (const alg of ['CRC32', 'SHA256', 'MD5'] as const) {
      const Key = `composite-${alg}`;
      const mpu = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key, ChecksumAlgorithm: alg }));
      assert.equal(mpu.ChecksumAlgorithm, alg);
      assert.equal(mpu.ChecksumType, 'COMPOSITE');
      const pending = (await s3.send(new ListMultipartUploadsCommand({ Bucket, Prefix: Key }))).Uploads?.[0];
      assert.deepEqual([pending?.ChecksumAlgorithm, pending?.ChecksumType], [alg, 'COMPOSITE']);
      const data = [randomBytes(PART), randomBytes(1000)];
      const Parts: CompletedPart[] = [];
      for (const [i, Body] of data.entries()) {
        const r = await s3.send(new UploadPartCommand({ Bucket, Key, UploadId: mpu.UploadId, PartNumber: i + 1, Body, ChecksumAlgorithm: alg }));
        assert.equal(r[member(alg)], b64(alg, Body));
        Parts.push({ PartNumber: i + 1, ETag: r.ETag, [member(alg)]: r[member(alg)] });
      }
      const listed = await s3.send(new ListPartsCommand({ Bucket, Key, UploadId: mpu.UploadId }));
      assert.equal(listed.ChecksumAlgorithm, alg);
      assert.equal(listed.ChecksumType, 'COMPOSITE');
      assert.deepEqual([listed.IsTruncated, listed.NextPartNumberMarker], [false, '2'], 'S3 gives the next marker even on a last page');
      assert.deepEqual(
        listed.Parts?.map((p) => p[member(alg)]),
        data.map((d) => b64(alg, d)),
      );
      const digest = raw(alg, Buffer.concat(data.map((d) => raw(alg, d)))).toString('base64');
      const expected = `${digest}-2`;
      const complete = (claimed: string) =>
        s3.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId: mpu.UploadId, MultipartUpload: { Parts }, [member(alg)]: claimed }));
      for (const wrong of [`${digest}-3`, b64(alg, data[0]!), `${b64(alg, data[0]!)}-2`])
        assert.equal((await failure(complete(wrong))).name, 'BadDigest', `${alg} ${wrong}`);
      // S3 takes the composite with or without its "-N" (minio-go sends it bare); the object's checksum has the "-N".
      const done = await complete(alg === 'SHA256' ? digest : expected);
      assert.equal(done[member(alg)], expected);
      assert.equal(done.ChecksumType, 'COMPOSITE');
      const head = await s3.send(new HeadObjectCommand({ Bucket, Key, ChecksumMode: 'ENABLED' }));
      assert.equal(head[member(alg)], expected);
      assert.equal(head.ChecksumType, 'COMPOSITE');
      const got = await s3.send(new GetObjectCommand({ Bucket, Key, ChecksumMode: 'ENABLED' }));
      assert.deepEqual(Buffer.from(await got.Body!.transformToByteArray()), Buffer.concat(data));
      const attrs = await s3.send(new GetObjectAttributesCommand({ Bucket, Key, ObjectAttributes: ['Checksum', 'ObjectParts'] }));
      // GetObjectAttributes gives a composite checksum without its "-N" (AWS's recorded answer).
      assert.equal(attrs.Checksum?.[member(alg)], expected.replace(/-2$/, ''));
      assert.equal(attrs.Checksum?.ChecksumType, 'COMPOSITE');
      assert.equal(attrs.ObjectParts?.Parts?.[1]?.[member(alg)], b64(alg, data[1]!));
      // A part read serves that part's checksum, with the object's type.
      const part = await s3.send(new GetObjectCommand({ Bucket, Key, PartNumber: 2, ChecksumMode: 'ENABLED' }));
      await part.Body?.transformToByteArray();
      assert.deepEqual([part[member(alg)], part.ChecksumType], [b64(alg, data[1]!), 'COMPOSITE']);
    }
  });

  it('multipart FULL_OBJECT (CRC32, CRC32C, CRC64NVME): the CRC of the whole object, parts without a checksum get one', async () => {
    const whole: Record<string, (d: Buffer) => string> = {
      CRC32: (d) => {
        const b = Buffer.alloc(4);
        b.writeUInt32BE(crc32(d));
        return b.toString('base64');
      },
      CRC32C: (d) => b64('CRC32C', d),
      CRC64NVME: (d) => new Crc64Nvme().update(d).digest().toString('base64'),
    };
    for (const alg of ['CRC32', 'CRC32C', 'CRC64NVME'] as const) {
      const Key = `full-${alg}`;
      const mpu = await s3.send(
        new CreateMultipartUploadCommand({ Bucket, Key, ChecksumAlgorithm: alg, ...(alg === 'CRC64NVME' ? {} : { ChecksumType: 'FULL_OBJECT' }) }),
      );
      assert.equal(mpu.ChecksumType, 'FULL_OBJECT');
      const data = [randomBytes(PART), randomBytes(PART + 3), randomBytes(77)];
      const Parts = [];
      for (const [i, Body] of data.entries()) {
        // Part 2 comes from a client that sends no checksum: the server computes it.
        const client = i === 1 ? plain : s3;
        const r = await client.send(
          new UploadPartCommand({ Bucket, Key, UploadId: mpu.UploadId, PartNumber: i + 1, Body, ...(i === 1 ? {} : { ChecksumAlgorithm: alg }) }),
        );
        assert.equal(r[member(alg)], b64(alg, Body), `part ${i + 1}`);
        Parts.push({ PartNumber: i + 1, ETag: r.ETag, [member(alg)]: r[member(alg)] });
      }
      const expected = whole[alg]!(Buffer.concat(data));
      const wrongFinal = await failure(
        s3.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId: mpu.UploadId, MultipartUpload: { Parts }, [member(alg)]: b64(alg, data[0]!) })),
      );
      assert.deepEqual(wrongFinal, {
        name: 'BadDigest',
        message: `The ${alg.toLowerCase()} you specified did not match the calculated checksum.`,
        status: 400,
      });
      const done = await s3.send(
        new CompleteMultipartUploadCommand({ Bucket, Key, UploadId: mpu.UploadId, MultipartUpload: { Parts }, [member(alg)]: expected }),
      );
      assert.equal(done[member(alg)], expected, alg);
      assert.equal(done.ChecksumType, 'FULL_OBJECT');
      // The SDK validates a full-object checksum against the body it reads.
      const got = await s3.send(new GetObjectCommand({ Bucket, Key, ChecksumMode: 'ENABLED' }));
      assert.equal(got[member(alg)], expected);
      assert.deepEqual(Buffer.from(await got.Body!.transformToByteArray()), Buffer.concat(data));
      // A part of a FULL_OBJECT object has no checksum of its own to serve, and the parts are not listed (AWS's
      // recorded answers).
      const part = await s3.send(new GetObjectCommand({ Bucket, Key, PartNumber: 2, ChecksumMode: 'ENABLED' }));
      await part.Body?.transformToByteArray();
      assert.deepEqual([part[member(alg)], part.ChecksumType, part.PartsCount], [undefined, undefined, 3]);
      const attrs = await s3.send(new GetObjectAttributesCommand({ Bucket, Key, ObjectAttributes: ['Checksum', 'ObjectParts'] }));
      assert.deepEqual(attrs.ObjectParts, { TotalPartsCount: 3 });
      assert.deepEqual([attrs.Checksum?.[member(alg)], attrs.Checksum?.ChecksumType], [expected, 'FULL_OBJECT']);
    }
  });

  it('CreateMultipartUpload refuses unknown algorithms and types, and types the algorithm cannot have', async () => {
    const create = (extra: Record<string, unknown>) => failure(s3.send(new CreateMultipartUploadCommand({ Bucket, Key: 'refused', ...extra })));
    assert.match((await create({ ChecksumAlgorithm: 'CRC16' })).message, /^Checksum algorithm provided is unsupported\./);
    assert.equal((await create({ ChecksumAlgorithm: 'CRC32', ChecksumType: 'PARTIAL' })).message, 'Value for x-amz-checksum-type header is invalid.');
    assert.equal(
      (await create({ ChecksumType: 'COMPOSITE' })).message,
      'The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm header.',
    );
    assert.equal(
      (await create({ ChecksumAlgorithm: 'CRC64NVME', ChecksumType: 'COMPOSITE' })).message,
      'The COMPOSITE checksum type cannot be used with the crc64nvme checksum algorithm.',
    );
    assert.equal(
      (await create({ ChecksumAlgorithm: 'SHA1', ChecksumType: 'FULL_OBJECT' })).message,
      'The FULL_OBJECT checksum type cannot be used with the sha1 checksum algorithm.',
    );
  });

  it('UploadPart must match the upload: another algorithm, or none for a COMPOSITE upload, is refused', async () => {
    const Key = 'part-rules';
    const mpu = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key, ChecksumAlgorithm: 'CRC32' }));
    const part = (client: S3Client, extra: Record<string, unknown>) =>
      failure(client.send(new UploadPartCommand({ Bucket, Key, UploadId: mpu.UploadId, PartNumber: 1, Body: 'data', ...extra })));
    assert.deepEqual(await part(s3, { ChecksumAlgorithm: 'SHA1' }), {
      name: 'InvalidRequest',
      message: 'Checksum Type mismatch occurred, expected checksum Type: crc32, actual checksum Type: sha1',
      status: 400,
    });
    assert.equal((await part(plain, {})).message, 'Checksum Type mismatch occurred, expected checksum Type: crc32, actual checksum Type: null');
    assert.equal((await part(s3, { ChecksumCRC32: b64('CRC32', Buffer.from('other')) })).name, 'BadDigest');
    const listed = await s3.send(new ListPartsCommand({ Bucket, Key, UploadId: mpu.UploadId }));
    assert.equal(listed.Parts, undefined, 'no part stored');
  });

  it('CompleteMultipartUpload checks the listed part checksums and the checksum mode', async () => {
    const Key = 'complete-rules';
    const setup = async (alg: Alg, type?: 'COMPOSITE' | 'FULL_OBJECT') => {
      const mpu = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key, ChecksumAlgorithm: alg, ChecksumType: type }));
      const Parts: CompletedPart[] = [];
      for (const [i, Body] of [randomBytes(PART), randomBytes(10)].entries()) {
        const r = await s3.send(new UploadPartCommand({ Bucket, Key, UploadId: mpu.UploadId, PartNumber: i + 1, Body, ChecksumAlgorithm: alg }));
        Parts.push({ PartNumber: i + 1, ETag: r.ETag, [member(alg)]: r[member(alg)] as string | undefined });
      }
      const complete = (over: Partial<CompleteMultipartUploadCommandInput> = {}, parts = Parts) =>
        s3.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId: mpu.UploadId, MultipartUpload: { Parts: parts }, ...over }));
      return { Parts, complete };
    };
    const sha1 = await setup('SHA1');
    assert.equal(
      (await failure(sha1.complete({}, [{ ...sha1.Parts[0]!, ChecksumSHA1: undefined }, sha1.Parts[1]!]))).message,
      'The upload was created using a sha1 checksum. The complete request must include the checksum for each part. It was missing for part 1 in the request.',
    );
    assert.equal((await failure(sha1.complete({}, [{ ...sha1.Parts[0]!, ChecksumSHA1: b64('SHA1', Buffer.from('x')) }, sha1.Parts[1]!]))).name, 'InvalidPart');
    const malformed = await failure(sha1.complete({}, [{ ...sha1.Parts[0]!, ChecksumSHA1: 'invalid_checksum' }, sha1.Parts[1]!]));
    assert.deepEqual([malformed.name, malformed.message], ['InvalidArgument', 'Invalid Base64 or multiple checksums present in request']);
    assert.equal((await failure(sha1.complete({ ChecksumSHA1: 'invalid_sha1' }))).message, 'Value for x-amz-checksum-sha1 header is invalid.');
    assert.equal(
      (await failure(sha1.complete({ ChecksumType: 'FULL_OBJECT' }))).message,
      'The upload was created using the COMPOSITE checksum mode. The complete request must use the same checksum mode.',
    );
    assert.match((await sha1.complete()).ChecksumSHA1 ?? '', /-2$/, 'completes once the parts are listed right');

    const crc32c = await setup('CRC32C', 'FULL_OBJECT');
    const other = await failure(
      crc32c.complete({}, [{ PartNumber: 1, ETag: crc32c.Parts[0]!.ETag, ChecksumSHA256: b64('SHA256', Buffer.from('x')) }, crc32c.Parts[1]!]),
    );
    assert.deepEqual([other.name, other.message], ['BadDigest', 'The sha256 you specified for part 1 did not match what we received.']);
    const otherFinal = await failure(crc32c.complete({ ChecksumCRC64NVME: b64('CRC64NVME', Buffer.from('x')) }));
    assert.deepEqual([otherFinal.name, otherFinal.message], ['BadDigest', 'The crc32c you specified did not match the calculated checksum.']);
    const compositeShaped = await failure(crc32c.complete({ ChecksumCRC32C: `${b64('CRC32C', Buffer.from('x'))}-2` }));
    assert.equal(compositeShaped.name, 'BadDigest', 'a composite-shaped value for a full-object upload is a mismatch');
    const unlisted = await crc32c.complete(
      {},
      crc32c.Parts.map((p) => ({ PartNumber: p.PartNumber, ETag: p.ETag })),
    );
    assert.equal(unlisted.ChecksumType, 'FULL_OBJECT', 'a FULL_OBJECT upload does not need the part checksums listed');
  });

  it('an upload without an algorithm ignores a final checksum header, refuses part checksums and a mode; its objects carry none', async () => {
    const Key = 'no-algorithm';
    const mpu = await plain.send(new CreateMultipartUploadCommand({ Bucket, Key }));
    const r = await plain.send(new UploadPartCommand({ Bucket, Key, UploadId: mpu.UploadId, PartNumber: 1, Body: 'only part' }));
    const crcPart = await s3.send(
      new UploadPartCommand({ Bucket, Key, UploadId: mpu.UploadId, PartNumber: 2, Body: 'second part', ChecksumAlgorithm: 'CRC32' }),
    );
    assert.ok(crcPart.ChecksumCRC32, 'a part checksum sent is checked and echoed');
    const parts = await s3.send(new ListPartsCommand({ Bucket, Key, UploadId: mpu.UploadId }));
    assert.equal(parts.Parts?.[1]?.ChecksumCRC32, undefined, 'but not listed: the upload has no algorithm');
    const withPartChecksum = await failure(
      plain.send(
        new CompleteMultipartUploadCommand({
          Bucket,
          Key,
          UploadId: mpu.UploadId,
          MultipartUpload: { Parts: [{ PartNumber: 1, ETag: r.ETag, ChecksumCRC32: b64('CRC32', Buffer.from('only part')) }] },
        }),
      ),
    );
    assert.equal(withPartChecksum.name, 'InvalidPart');
    const withMode = await failure(
      plain.send(
        new CompleteMultipartUploadCommand({
          Bucket,
          Key,
          UploadId: mpu.UploadId,
          MultipartUpload: { Parts: [{ PartNumber: 1, ETag: r.ETag }] },
          ChecksumType: 'COMPOSITE',
        }),
      ),
    );
    assert.equal(withMode.message, 'The upload was created using the null checksum mode. The complete request must use the same checksum mode.');
    const done = await plain.send(
      new CompleteMultipartUploadCommand({
        Bucket,
        Key,
        UploadId: mpu.UploadId,
        MultipartUpload: { Parts: [{ PartNumber: 1, ETag: r.ETag }] },
        ChecksumCRC64NVME: 'vqf3hRLTlJw=',
      }),
    );
    assert.equal(done.ChecksumCRC64NVME, undefined);
    const head = await plain.send(new HeadObjectCommand({ Bucket, Key, ChecksumMode: 'ENABLED' }));
    assert.equal(head.ChecksumType, undefined);
    const attrs = await plain.send(new GetObjectAttributesCommand({ Bucket, Key, ObjectAttributes: ['ObjectParts'] }));
    assert.deepEqual(attrs.ObjectParts, { TotalPartsCount: 1 }, 'parts are listed only for objects uploaded with checksums');
  });

  it('lib-storage Upload (CRC32 by default) and CopyObject: composite checksums are recomputed for the copy', async () => {
    const data = randomBytes(2 * PART + 5);
    const done = await new Upload({ client: s3, params: { Bucket, Key: 'lib', Body: data } }).done();
    assert.match(done.ChecksumCRC32 ?? '', /^[A-Za-z0-9+/]{6}==-3$/);
    const copied = await s3.send(new CopyObjectCommand({ Bucket, Key: 'lib-copy', CopySource: `${Bucket}/lib` }));
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(data));
    assert.equal(copied.CopyObjectResult?.ChecksumCRC32, crc.toString('base64'));
    assert.equal(copied.CopyObjectResult?.ChecksumType, 'FULL_OBJECT');
    const asked = await s3.send(
      new CopyObjectCommand({ Bucket, Key: 'lib-copy-sha', CopySource: `${Bucket}/lib`, ChecksumAlgorithm: 'SHA256' as ChecksumAlgorithm }),
    );
    assert.equal(asked.CopyObjectResult?.ChecksumSHA256, createHash('sha256').update(data).digest('base64'));
    const kept = await s3.send(new CopyObjectCommand({ Bucket, Key: 'p-copy', CopySource: `${Bucket}/p-CRC64NVME` }));
    assert.equal(kept.CopyObjectResult?.ChecksumCRC64NVME, b64('CRC64NVME', Buffer.from('hello world')));
  });

  it('XML documents: a Content-MD5 or x-amz-checksum-* that does not match the body is refused and changes nothing', async () => {
    await s3.send(new PutObjectCommand({ Bucket, Key: 'keep-me', Body: 'x' }));
    const doc = Buffer.from('<Delete><Object><Key>keep-me</Key></Object></Delete>');
    const post = (headers: Record<string, string>) =>
      signedS3(
        s.endpoint,
        s.agent,
        s.credentials,
        'POST',
        `/${Bucket}?delete`,
        { 'content-type': 'application/xml', 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD', ...headers },
        doc,
      ).then((r) => r.send());
    const badMd5 = await post({ 'content-md5': createHash('md5').update('other').digest('base64') });
    assert.equal(badMd5.status, 400);
    assert.match(badMd5.body, /<Code>BadDigest<\/Code>/);
    const badCrc = await post({ 'x-amz-checksum-crc32': b64('CRC32', Buffer.from('other')) });
    assert.match(badCrc.body, /<Code>BadDigest<\/Code>/);
    assert.equal((await s3.send(new HeadObjectCommand({ Bucket, Key: 'keep-me' }))).ContentLength, 1, 'not deleted');
    const good = await post({ 'x-amz-checksum-crc32': b64('CRC32', doc) });
    assert.equal(good.status, 200, good.body);
    assert.equal((await failure(s3.send(new HeadObjectCommand({ Bucket, Key: 'keep-me' })))).name, 'NotFound');
  });
});
