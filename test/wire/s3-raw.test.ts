// S3 requests the SDKs do not send, signed by the SDK's signer: signed aws-chunked uploads, digests
// that do not match (nothing becomes visible), DOCTYPE bodies, SSE headers on reads, bad SSE-C MD5.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { Agent } from 'node:https';
import { after, before, describe, it } from 'node:test';
import {
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetBucketEncryptionCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListPartsCommand,
  PutBucketEncryptionCommand,
  PutObjectCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { chunkSignature } from '../../src/protocol/sigv4/chunked.js';
import { deriveSigningKey } from '../../src/protocol/sigv4/signing-key.js';
import { signedS3 } from '../helpers/s3-signer.js';
import { errorName, startTestServer, type TestServer } from '../helpers/server.js';

describe('S3 raw requests', () => {
  let s: TestServer;
  const bucket = 'raw-bucket';
  const signed = (method: string, path: string, headers: Record<string, string>, body?: Buffer | string, date = new Date()) =>
    signedS3(s.endpoint, s.agent, s.credentials, method, path, headers, body, date);
  const exists = async (key: string) =>
    (await errorName(
      s
        .s3()
        .send(new HeadObjectCommand({ Bucket: bucket, Key: key }))
        .then(() => Promise.reject(Object.assign(new Error(), { name: 'Exists' }))),
    ).catch(() => 'x')) === 'Exists';

  before(async () => {
    s = await startTestServer();
    await s.s3().send(new CreateBucketCommand({ Bucket: bucket }));
  });
  after(() => s.stop());

  it('a request refused before its body was read keeps the connection when the body is moderate, closes it otherwise', async () => {
    const put = async (size: number) =>
      (await signed('PUT', '/no-such-bucket-here/k', { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD', 'content-length': String(size) })).send(
        Buffer.alloc(size, 1),
      );
    const small = await put(1024 * 1024);
    assert.equal(small.status, 404);
    assert.notEqual(small.headers.connection, 'close', 'the body is drained and the client reads the error');
    const large = await put(17 * 1024 * 1024);
    assert.equal(large.headers.connection, 'close', 'a large unread body is not read for nothing');
  });

  it('an upload of unknown length is refused (501 chunked, 411 aws-chunked without its length), one over 5 GiB is EntityTooLarge, before the body is read', async () => {
    // The Go SDK v2 sends an unseekable body with a trailing checksum so (chunked, no decoded length), and S3 answers 411.
    const streamed = {
      'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
      'content-encoding': 'aws-chunked',
      'x-amz-trailer': 'x-amz-checksum-crc32c',
    };
    const framed = 'b\r\nhello world\r\n0\r\nx-amz-checksum-crc32c:yZRlqg==\r\n\r\n';
    const mpu = await s.s3().send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'no-length' }));
    for (const path of [`/${bucket}/no-length`, `/${bucket}/no-length?partNumber=1&uploadId=${mpu.UploadId}`]) {
      const unknown = await (await signed('PUT', path, { ...streamed, 'transfer-encoding': 'chunked' })).send(framed);
      assert.equal(unknown.status, 411, path);
      assert.match(unknown.body.toString(), /<Code>MissingContentLength<\/Code>/);
      const huge = await (await signed('PUT', path, { ...streamed, 'x-amz-decoded-content-length': String(5 * 1024 ** 3 + 1) })).send(framed);
      assert.equal(huge.status, 400, path);
      assert.match(huge.body.toString(), /<Code>EntityTooLarge<\/Code>.*<ProposedSize>5368709121<\/ProposedSize><MaxSizeAllowed>5368709120<\/MaxSizeAllowed>/s);
    }
    // Plain HTTP chunking, S3's 501 naming the header.
    const chunked = await (await signed('PUT', `/${bucket}/no-length`, { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD', 'transfer-encoding': 'chunked' })).send(
      'hello',
    );
    assert.equal(chunked.status, 501);
    assert.match(chunked.body.toString(), /<Code>NotImplemented<\/Code>.*<Header>Transfer-Encoding<\/Header>/s);
    assert.equal(await exists('no-length'), false);
    const parts = await s.s3().send(new ListPartsCommand({ Bucket: bucket, Key: 'no-length', UploadId: mpu.UploadId }));
    assert.equal(parts.Parts?.length ?? 0, 0, 'no part stored');
    const known = await (await signed('PUT', `/${bucket}/no-length`, { ...streamed, 'x-amz-decoded-content-length': '11' })).send(framed);
    assert.equal(known.status, 200, 'the same upload with its decoded length is taken');
  });

  it('a method no operation takes on the resource is 405 MethodNotAllowed naming method and resource type', async () => {
    const hash = { 'x-amz-content-sha256': createHash('sha256').update('').digest('hex') };
    for (const [method, path, type] of [
      ['POST', `/${bucket}/some-key`, 'OBJECT'],
      ['DELETE', '/', 'SERVICE'],
      ['PUT', '/', 'SERVICE'],
      ['PATCH', `/${bucket}`, 'BUCKET'],
    ] as const) {
      const r = await (await signed(method, path, hash, '')).send();
      assert.equal(r.status, 405, `${method} ${path}`);
      assert.match(r.body, new RegExp(`<Code>MethodNotAllowed</Code>.*<Method>${method}</Method><ResourceType>${type}</ResourceType>`));
    }
    assert.equal(await exists('some-key'), false);
  });

  it('an error body is Code, Message, the fields of the error, RequestId and HostId, as S3 sends it (no Resource)', async () => {
    const hash = { 'x-amz-content-sha256': createHash('sha256').update('').digest('hex') };
    const r = await (await signed('GET', `/${bucket}/no-such-key`, hash, '')).send();
    assert.equal(r.status, 404);
    const requestId = r.headers['x-amz-request-id'];
    const hostId = r.headers['x-amz-id-2'];
    assert.ok(typeof requestId === 'string' && typeof hostId === 'string');
    assert.equal(
      r.body,
      `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><Key>no-such-key</Key><RequestId>${requestId}</RequestId><HostId>${hostId}</HostId></Error>`,
    );
  });

  it('an aws-chunked upload refused mid-body leaves its connection usable for the next request', async () => {
    // One socket, so the second request must travel on the connection the refused upload used.
    const one = new Agent({ ca: s.ca, keepAlive: true, maxSockets: 1 });
    try {
      for (const where of ['first chunk', 'middle']) {
        const headers = {
          'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
          'content-encoding': 'aws-chunked',
          'x-amz-decoded-content-length': '300000',
        };
        const put = await signedS3(s.endpoint, one, s.credentials, 'PUT', `/${bucket}/refused-mid-body`, headers);
        // Chunks whose signatures are wrong: the first is refused as soon as it is read, the rest never is.
        const chunk = (n: number) =>
          Buffer.concat([Buffer.from(`${n.toString(16)};chunk-signature=${'0'.repeat(64)}\r\n`), Buffer.alloc(n, 7), Buffer.from('\r\n')]);
        const body = where === 'first chunk' ? Buffer.concat([chunk(100_000), chunk(100_000), chunk(100_000)]) : Buffer.concat([chunk(1), chunk(299_999)]);
        const refused = await put.send(body);
        assert.ok(refused.status === 403 || refused.status === 400, refused.body);
        const hash = { 'x-amz-content-sha256': createHash('sha256').update('').digest('hex') };
        const next = await (await signedS3(s.endpoint, one, s.credentials, 'GET', `/${bucket}/refused-mid-body`, hash)).send();
        assert.equal(next.status, 404, `${where}: ${next.body}`);
      }
    } finally {
      one.destroy();
    }
  });

  it('an empty Expect header expects nothing; another expectation than 100-continue is 417', async () => {
    const put = async (expect: string) =>
      (await signed('PUT', `/${bucket}/expect`, { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD', 'content-length': '3', expect })).send('bar');
    assert.equal((await put('')).status, 200);
    assert.equal(await exists('expect'), true);
    assert.equal((await put('something-else')).status, 417);
  });

  it('accepts a signed aws-chunked upload (STREAMING-AWS4-HMAC-SHA256-PAYLOAD) and stores the decoded bytes', async () => {
    const data = randomBytes(20_000);
    const date = new Date();
    const r = await signed(
      'PUT',
      `/${bucket}/chunked`,
      { 'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD', 'content-encoding': 'aws-chunked', 'x-amz-decoded-content-length': String(data.length) },
      undefined,
      date,
    );
    const seed = /Signature=([0-9a-f]{64})/.exec(r.headers.authorization!)![1]!;
    const amzDate = r.headers['x-amz-date']!;
    const signing = {
      signingKey: deriveSigningKey(s.credentials.secretAccessKey, amzDate.slice(0, 8), 'us-east-1', 's3'),
      amzDate,
      scope: `${amzDate.slice(0, 8)}/us-east-1/s3/aws4_request`,
      seedSignature: seed,
    };
    const c1 = data.subarray(0, 8192);
    const c2 = data.subarray(8192);
    const s1 = chunkSignature(signing, seed, c1);
    const s2 = chunkSignature(signing, s1, c2);
    const s3sig = chunkSignature(signing, s2, Buffer.alloc(0));
    const frame = (d: Buffer, sig: string) => Buffer.concat([Buffer.from(`${d.length.toString(16)};chunk-signature=${sig}\r\n`), d, Buffer.from('\r\n')]);
    const body = Buffer.concat([frame(c1, s1), frame(c2, s2), Buffer.from(`0;chunk-signature=${s3sig}\r\n\r\n`)]);
    const res = await r.send(body);
    assert.equal(res.status, 200, res.body);
    const got = await s.s3().send(new (await import('@aws-sdk/client-s3')).GetObjectCommand({ Bucket: bucket, Key: 'chunked' }));
    assert.deepEqual(Buffer.from(await got.Body!.transformToByteArray()), data);
    const tampered = Buffer.from(body);
    tampered[100] = tampered[100]! ^ 1;
    const r2 = await signed(
      'PUT',
      `/${bucket}/chunked-bad`,
      { 'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD', 'content-encoding': 'aws-chunked', 'x-amz-decoded-content-length': String(data.length) },
      undefined,
      date,
    );
    const bad = await r2.send(tampered);
    assert.equal(bad.status, 403);
    assert.match(bad.body, /SignatureDoesNotMatch/);
    assert.equal(await exists('chunked-bad'), false, 'nothing visible after a failed upload');
  });

  it('refuses bodies whose digests do not match, leaving nothing visible', async () => {
    const payload = 'the real body';
    const wrongHash = await signed('PUT', `/${bucket}/h`, { 'x-amz-content-sha256': createHash('sha256').update('another body').digest('hex') }, payload);
    const r1 = await wrongHash.send();
    assert.equal(r1.status, 400);
    assert.match(r1.body, /XAmzContentSHA256Mismatch/);
    const md5 = await signed(
      'PUT',
      `/${bucket}/m`,
      { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD', 'content-md5': createHash('md5').update('nope').digest('base64') },
      payload,
    );
    const r2 = await md5.send();
    assert.equal(r2.status, 400);
    assert.match(r2.body, /BadDigest/);
    const crc = await signed('PUT', `/${bucket}/c`, { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD', 'x-amz-checksum-crc32': 'AAAAAA==' }, payload);
    const r3 = await crc.send();
    assert.equal(r3.status, 400);
    assert.match(r3.body, /BadDigest/);
    for (const k of ['h', 'm', 'c']) assert.equal(await exists(k), false, k);
    assert.equal(await errorName(s.s3().send(new PutObjectCommand({ Bucket: bucket, Key: 'ok', Body: payload }))).catch(() => 'ok'), 'ok');
  });

  it('refuses DOCTYPE in XML bodies, SSE headers on reads, and a wrong SSE-C key MD5', async () => {
    const xxe =
      '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>&e;</SSEAlgorithm></ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>';
    const r = await (await signed('PUT', `/${bucket}?encryption`, { 'x-amz-content-sha256': createHash('sha256').update(xxe).digest('hex') }, xxe)).send();
    assert.equal(r.status, 400);
    assert.match(r.body, /MalformedXML/);
    await s.s3().send(new PutObjectCommand({ Bucket: bucket, Key: 'read-me', Body: 'x' }));
    const g = await (
      await signed('GET', `/${bucket}/read-me`, { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD', 'x-amz-server-side-encryption': 'AES256' })
    ).send();
    assert.equal(g.status, 400);
    assert.match(g.body, /InvalidArgument/);
    await s.s3().send(
      new PutBucketEncryptionCommand({
        Bucket: bucket,
        ServerSideEncryptionConfiguration: {
          Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' }, BlockedEncryptionTypes: { EncryptionType: ['NONE'] } }],
        },
      }),
    );
    const key = randomBytes(32);
    const md5 = await signed(
      'PUT',
      `/${bucket}/ssec`,
      {
        'x-amz-content-sha256': 'UNSIGNED-PAYLOAD',
        'x-amz-server-side-encryption-customer-algorithm': 'AES256',
        'x-amz-server-side-encryption-customer-key': key.toString('base64'),
        'x-amz-server-side-encryption-customer-key-md5': createHash('md5').update('other').digest('base64'),
      },
      'x',
    );
    const m = await md5.send();
    assert.equal(m.status, 400);
    assert.match(m.body, /InvalidArgument/);
    assert.doesNotMatch(m.body + JSON.stringify(m.headers), new RegExp(key.toString('base64').replace(/[+/=]/g, '.')), 'the key is never echoed');
  });

  it('signed chunks with a signed checksum trailer, and unsigned trailers with CRC32C / SHA-256 checked', async () => {
    const { createChecksum } = await import('../../src/protocol/checksums.js');
    const { trailerSignature } = await import('../../src/protocol/sigv4/chunked.js');
    const data = randomBytes(12_000);
    const crc = createChecksum('crc32c');
    crc.update(data);
    const headers = {
      'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER',
      'content-encoding': 'aws-chunked',
      'x-amz-decoded-content-length': String(data.length),
      'x-amz-trailer': 'x-amz-checksum-crc32c',
    };
    const r = await signed('PUT', `/${bucket}/signed-trailer`, headers);
    const seed = /Signature=([0-9a-f]{64})/.exec(r.headers.authorization!)![1]!;
    const amzDate = r.headers['x-amz-date']!;
    const signing = {
      signingKey: deriveSigningKey(s.credentials.secretAccessKey, amzDate.slice(0, 8), 'us-east-1', 's3'),
      amzDate,
      scope: `${amzDate.slice(0, 8)}/us-east-1/s3/aws4_request`,
      seedSignature: seed,
    };
    const s1 = chunkSignature(signing, seed, data);
    const fin = chunkSignature(signing, s1, Buffer.alloc(0));
    const trailer = (value: string) => `x-amz-checksum-crc32c:${value}\n`;
    const framed = (value: string) =>
      Buffer.concat([
        Buffer.from(`${data.length.toString(16)};chunk-signature=${s1}\r\n`),
        data,
        Buffer.from(
          `\r\n0;chunk-signature=${fin}\r\nx-amz-checksum-crc32c:${value}\r\nx-amz-trailer-signature:${trailerSignature(signing, fin, trailer(value))}\r\n\r\n`,
        ),
      ]);
    const ok = await r.send(framed(crc.digest()));
    assert.equal(ok.status, 200, ok.body);
    assert.equal(ok.headers['x-amz-checksum-crc32c'], crc.digest());
    const r2 = await signed('PUT', `/${bucket}/signed-trailer-bad`, headers);
    const seed2 = /Signature=([0-9a-f]{64})/.exec(r2.headers.authorization!)![1]!;
    const signing2 = { ...signing, amzDate: r2.headers['x-amz-date']!, seedSignature: seed2 };
    const t1 = chunkSignature(signing2, seed2, data);
    const tf = chunkSignature(signing2, t1, Buffer.alloc(0));
    const wrongValue = 'AAAAAA==';
    const badBody = Buffer.concat([
      Buffer.from(`${data.length.toString(16)};chunk-signature=${t1}\r\n`),
      data,
      Buffer.from(
        `\r\n0;chunk-signature=${tf}\r\nx-amz-checksum-crc32c:${wrongValue}\r\nx-amz-trailer-signature:${trailerSignature(signing2, tf, trailer(wrongValue))}\r\n\r\n`,
      ),
    ]);
    const bad = await r2.send(badBody);
    assert.equal(bad.status, 400);
    assert.match(bad.body, /BadDigest/);
    assert.equal(await exists('signed-trailer-bad'), false);

    for (const alg of ['crc32c', 'sha256'] as const) {
      const sum = createChecksum(alg);
      sum.update(data);
      const unsignedHeaders = {
        'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
        'content-encoding': 'aws-chunked',
        'x-amz-decoded-content-length': String(data.length),
        'x-amz-trailer': `x-amz-checksum-${alg}`,
      };
      const body = (v: string) =>
        Buffer.concat([Buffer.from(`${data.length.toString(16)}\r\n`), data, Buffer.from(`\r\n0\r\nx-amz-checksum-${alg}:${v}\r\n\r\n`)]);
      const good = await (await signed('PUT', `/${bucket}/unsigned-${alg}`, unsignedHeaders)).send(body(sum.digest()));
      assert.equal(good.status, 200, good.body);
      const wrong = await (await signed('PUT', `/${bucket}/unsigned-${alg}-bad`, unsignedHeaders)).send(
        body(alg === 'sha256' ? createHash('sha256').update('x').digest('base64') : 'AAAAAA=='),
      );
      assert.equal(wrong.status, 400, wrong.body);
      assert.equal(await exists(`unsigned-${alg}-bad`), false);
    }
  });

  it('a CompleteMultipartUpload, DeleteObjects or bucket-encryption body that does not validate against the schema is MalformedXML and changes nothing', async () => {
    const s3 = s.s3();
    /** Sends an XML body; the answer as "MalformedXML" when it is that refusal, else its status and body. */
    const xml = async (method: string, path: string, body: string, headers: Record<string, string> = {}) => {
      const r = await (await signed(method, path, { 'x-amz-content-sha256': createHash('sha256').update(body).digest('hex'), ...headers }, body)).send();
      return r.status === 400 && /<Code>MalformedXML<\/Code>/.test(r.body) ? 'MalformedXML' : `${r.status} ${r.body}`;
    };
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'mp' }));
    const { ETag } = await s3.send(new UploadPartCommand({ Bucket: bucket, Key: 'mp', UploadId, PartNumber: 1, Body: 'part' }));
    const complete = `/${bucket}/mp?uploadId=${encodeURIComponent(UploadId!)}`;
    for (const body of ['', '<CompleteMultipartUpload/>'])
      assert.match(await xml('POST', complete, body), /<Code>InvalidRequest<\/Code><Message>You must specify at least one part<\/Message>/, body);
    for (const body of [
      `<CompleteMultipartUpload><Part><ETag>${ETag}</ETag></Part></CompleteMultipartUpload>`,
      '<CompleteMultipartUpload><Part><PartNumber>1</PartNumber></Part></CompleteMultipartUpload>',
      `<CompleteMultipartUpload><Part><PartNumber>one</PartNumber><ETag>${ETag}</ETag></Part></CompleteMultipartUpload>`,
      `<CompleteMultipartUpload><Part><PartNumber><n>1</n></PartNumber><ETag>${ETag}</ETag></Part></CompleteMultipartUpload>`,
      `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>${ETag}</ETag><ETag>${ETag}</ETag></Part></CompleteMultipartUpload>`,
    ])
      assert.equal(await xml('POST', complete, body), 'MalformedXML', body);
    assert.equal(await exists('mp'), false);
    // The upload is still there to complete.
    const done = `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>${ETag}</ETag></Part></CompleteMultipartUpload>`;
    assert.match(await xml('POST', complete, done), /^200 /);

    const md5 = (b: string) => ({ 'content-md5': createHash('md5').update(b).digest('base64') });
    for (const body of [
      '<Delete><Object><VersionId>x</VersionId></Object></Delete>',
      '<Delete><Object><Key>mp</Key></Object><Object/></Delete>',
      '<Delete><Object><Key><k>mp</k></Key></Object></Delete>',
      '<Delete><Object><Key>mp</Key><Key>read-me</Key></Object></Delete>',
    ])
      assert.equal(await xml('POST', `/${bucket}?delete`, body, md5(body)), 'MalformedXML', body);
    assert.equal(await exists('mp'), true, 'no object of a refused DeleteObjects was deleted');

    const before = await s3.send(new GetBucketEncryptionCommand({ Bucket: bucket }));
    for (const inner of ['<KMSMasterKeyID><Arn>k</Arn></KMSMasterKeyID>', '<KMSMasterKeyID>a</KMSMasterKeyID><KMSMasterKeyID>b</KMSMasterKeyID>']) {
      const body = `<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>aws:kms</SSEAlgorithm>${inner}</ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>`;
      assert.equal(await xml('PUT', `/${bucket}?encryption`, body), 'MalformedXML', body);
    }
    assert.deepEqual(
      (await s3.send(new GetBucketEncryptionCommand({ Bucket: bucket }))).ServerSideEncryptionConfiguration,
      before.ServerSideEncryptionConfiguration,
    );
    const located = '<CreateBucketConfiguration><LocationConstraint><Name>eu-west-1</Name></LocationConstraint></CreateBucketConfiguration>';
    assert.equal(await xml('PUT', '/not-created-here', located), 'MalformedXML');
    assert.equal(await errorName(s3.send(new HeadBucketCommand({ Bucket: 'not-created-here' }))), 'NotFound');
  });
});
