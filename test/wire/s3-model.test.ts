// Model-based S3 test: random sequences of puts (every SSE mode, sizes around the 64 KiB segment, conditional or not), multipart
// uploads, ranged and keyed gets, copies that change or keep the encryption, deletes and default-encryption
// changes, run through the SDK and checked after every step against a plain in-memory model: the bytes read
// back, the encryption reported, and the errors S3 gives for a missing, wrong or unneeded SSE-C key.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutBucketEncryptionCommand,
  PutObjectCommand,
  type S3Client,
  type ServerSideEncryptionRule,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { CreateKeyCommand } from '@aws-sdk/client-kms';
import fc from 'fast-check';
import { errorName, startTestServer, type TestServer } from '../helpers/server.js';

type Sse = 'none' | 'AES256' | 'kms' | 'kmsKey' | 'ssec0' | 'ssec1';
type KeyGuess = 'none' | 'ssec0' | 'ssec1';
type Op =
  | { op: 'put'; key: string; size: number; sse: Sse; condition: 'none' | 'absent' | 'current' | 'stale' }
  | { op: 'mpu'; key: string; sse: Sse; last: number }
  | { op: 'get'; key: string; guess: KeyGuess; range: [number, number] | null }
  | { op: 'copy'; src: string; dst: string; srcGuess: KeyGuess; sse: Sse }
  | { op: 'del'; key: string }
  | { op: 'default'; mode: 'AES256' | 'kms' | 'kmsBucketKey' };

/** What the model knows of an object: its bytes, the encryption S3 reports, and which SSE-C key opens it. */
interface Model {
  body: Buffer;
  sse: 'AES256' | 'aws:kms' | 'SSE-C';
  customerKey?: number;
  /** As the write answered it (quoted), for If-Match. */
  etag?: string;
}

const KEYS = ['a', 'b', 'dir/c'];
const sseArb = fc.constantFrom<Sse>('none', 'AES256', 'kms', 'kmsKey', 'ssec0', 'ssec1');
const guessArb = fc.constantFrom<KeyGuess>('none', 'ssec0', 'ssec1');
const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constant('put' as const),
      key: fc.constantFrom(...KEYS),
      size: fc.constantFrom(0, 1, 100, 65_536, 70_000, 200_000),
      sse: sseArb,
      condition: fc.constantFrom('none' as const, 'none' as const, 'absent' as const, 'current' as const, 'stale' as const),
    }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('mpu' as const), key: fc.constantFrom(...KEYS), sse: sseArb, last: fc.constantFrom(1, 70_000) }) },
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constant('get' as const),
      key: fc.constantFrom(...KEYS),
      guess: guessArb,
      range: fc.option(fc.tuple(fc.nat(210_000), fc.nat(210_000)), { nil: null }),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({ op: fc.constant('copy' as const), src: fc.constantFrom(...KEYS), dst: fc.constantFrom(...KEYS), srcGuess: guessArb, sse: sseArb }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('del' as const), key: fc.constantFrom(...KEYS) }) },
  {
    weight: 1,
    arbitrary: fc.record({ op: fc.constant('default' as const), mode: fc.constantFrom('AES256' as const, 'kms' as const, 'kmsBucketKey' as const) }),
  },
);

describe('S3 against a model (wire, property)', () => {
  let s: TestServer;
  let s3: S3Client;
  let kmsKey: string;
  const customerKeys = [randomBytes(32), randomBytes(32)];
  const keyHeaders = (i: number, prefix: '' | 'CopySource' = '') => ({
    [`${prefix}SSECustomerAlgorithm`]: 'AES256',
    [`${prefix}SSECustomerKey`]: customerKeys[i]!.toString('base64'),
    [`${prefix}SSECustomerKeyMD5`]: createHash('md5').update(customerKeys[i]!).digest('base64'),
  });
  const customerKeyOf = (x: Sse | KeyGuess) => (x === 'ssec0' ? 0 : x === 'ssec1' ? 1 : undefined);
  const writeParams = (sse: Sse) => {
    if (sse === 'AES256') return { ServerSideEncryption: 'AES256' as const };
    if (sse === 'kms') return { ServerSideEncryption: 'aws:kms' as const };
    if (sse === 'kmsKey') return { ServerSideEncryption: 'aws:kms' as const, SSEKMSKeyId: kmsKey };
    const k = customerKeyOf(sse);
    return k === undefined ? {} : keyHeaders(k);
  };
  // SSE-C stays allowed through every default-encryption change (it is blocked by default, as on S3).
  const unblocked = (rule: ServerSideEncryptionRule): ServerSideEncryptionRule => ({ ...rule, BlockedEncryptionTypes: { EncryptionType: ['NONE'] } });

  before(async () => {
    s = await startTestServer();
    s3 = s.s3({ checksums: 'WHEN_REQUIRED' });
    kmsKey = (await s.kms().send(new CreateKeyCommand({}))).KeyMetadata!.Arn!;
  });
  after(() => s.stop());

  it('every read matches the model after random operation sequences', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 4, maxLength: 14 }), async (seq) => {
        const Bucket = `model-${n++}`;
        await s3.send(new CreateBucketCommand({ Bucket }));
        await s3.send(
          new PutBucketEncryptionCommand({
            Bucket,
            ServerSideEncryptionConfiguration: { Rules: [unblocked({ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } })] },
          }),
        );
        const model = new Map<string, Model>();
        let bucketDefault: 'AES256' | 'aws:kms' = 'AES256';
        const stored = (sse: Sse, body: Buffer): Model => {
          const k = customerKeyOf(sse);
          if (k !== undefined) return { body, sse: 'SSE-C', customerKey: k };
          return { body, sse: sse === 'AES256' ? 'AES256' : sse === 'kms' || sse === 'kmsKey' ? 'aws:kms' : bucketDefault };
        };
        for (const o of seq) {
          const step = JSON.stringify(o);
          if (o.op === 'default') {
            const rule: ServerSideEncryptionRule =
              o.mode === 'AES256'
                ? { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }
                : { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: kmsKey }, BucketKeyEnabled: o.mode === 'kmsBucketKey' };
            await s3.send(new PutBucketEncryptionCommand({ Bucket, ServerSideEncryptionConfiguration: { Rules: [unblocked(rule)] } }));
            bucketDefault = o.mode === 'AES256' ? 'AES256' : 'aws:kms';
          } else if (o.op === 'put') {
            const body = randomBytes(o.size);
            // Conditional writes: create only (If-None-Match: *), or replace only the ETag the model holds.
            const before = model.get(o.key);
            const condition =
              o.condition === 'absent'
                ? { IfNoneMatch: '*' }
                : o.condition === 'current'
                  ? { IfMatch: before?.etag ?? '"0"' }
                  : o.condition === 'stale'
                    ? { IfMatch: '"00000000000000000000000000000000"' }
                    : {};
            const refusal =
              o.condition === 'none'
                ? undefined
                : before
                  ? o.condition === 'current'
                    ? undefined
                    : 'PreconditionFailed'
                  : o.condition === 'absent'
                    ? undefined
                    : 'NoSuchKey';
            const request = new PutObjectCommand({ Bucket, Key: o.key, Body: body, ...writeParams(o.sse), ...condition });
            if (refusal) {
              assert.equal(await errorName(s3.send(request)), refusal, step);
              continue;
            }
            const r = await s3.send(request);
            const m = { ...stored(o.sse, body), etag: r.ETag };
            assert.equal(m.sse === 'SSE-C' ? r.SSECustomerAlgorithm : r.ServerSideEncryption, m.sse === 'SSE-C' ? 'AES256' : m.sse, step);
            model.set(o.key, m);
          } else if (o.op === 'mpu') {
            const parts = [randomBytes(5 * 1024 * 1024), randomBytes(o.last)];
            const k = customerKeyOf(o.sse);
            const partKey = k === undefined ? {} : keyHeaders(k);
            const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key: o.key, ...writeParams(o.sse) }));
            const etags = [];
            for (const [i, Body] of parts.entries()) {
              etags.push((await s3.send(new UploadPartCommand({ Bucket, Key: o.key, UploadId, PartNumber: i + 1, Body, ...partKey }))).ETag);
            }
            const Parts = etags.map((ETag, i) => ({ ETag, PartNumber: i + 1 }));
            const done = await s3.send(new CompleteMultipartUploadCommand({ Bucket, Key: o.key, UploadId, MultipartUpload: { Parts }, ...partKey }));
            model.set(o.key, { ...stored(o.sse, Buffer.concat(parts)), etag: done.ETag });
          } else if (o.op === 'get') {
            const m = model.get(o.key);
            const guess = customerKeyOf(o.guess);
            const range = o.range && m ? { start: Math.min(...o.range), end: Math.max(...o.range) } : undefined;
            const request = new GetObjectCommand({
              Bucket,
              Key: o.key,
              ...(guess === undefined ? {} : keyHeaders(guess)),
              ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}),
            });
            let expected = 'OK';
            if (!m) expected = 'NoSuchKey';
            else if (m.sse === 'SSE-C' && guess === undefined) expected = 'InvalidRequest';
            else if (m.sse === 'SSE-C' && guess !== m.customerKey) expected = 'AccessDenied';
            else if (m.sse !== 'SSE-C' && guess !== undefined) expected = 'InvalidRequest';
            else if (range && range.start >= m.body.length) expected = 'InvalidRange';
            if (expected !== 'OK') {
              assert.equal(await errorName(s3.send(request)), expected, step);
              continue;
            }
            const r = await s3.send(request);
            const got = Buffer.from(await r.Body!.transformToByteArray());
            const want = range ? m!.body.subarray(range.start, range.end + 1) : m!.body;
            assert.ok(got.equals(want), `${step}: ${got.length} bytes read, ${want.length} expected`);
            assert.equal(m!.sse === 'SSE-C' ? r.SSECustomerAlgorithm : r.ServerSideEncryption, m!.sse === 'SSE-C' ? 'AES256' : m!.sse, step);
          } else if (o.op === 'copy') {
            const m = model.get(o.src);
            const guess = customerKeyOf(o.srcGuess);
            const request = new CopyObjectCommand({
              Bucket,
              Key: o.dst,
              CopySource: `${Bucket}/${o.src}`,
              ...writeParams(o.sse),
              ...(guess === undefined ? {} : keyHeaders(guess, 'CopySource')),
            });
            let expected = 'OK';
            if (!m) expected = 'NoSuchKey';
            else if (m.sse === 'SSE-C' && guess === undefined) expected = 'InvalidRequest';
            else if (m.sse === 'SSE-C' && guess !== m.customerKey) expected = 'AccessDenied';
            else if (m.sse !== 'SSE-C' && guess !== undefined) expected = 'InvalidRequest';
            let etag: string | undefined;
            const outcome = await s3.send(request).then(
              (r) => {
                etag = r.CopyObjectResult?.ETag;
                return 'OK';
              },
              (err: { name: string }) => err.name,
            );
            // Copying an object onto itself with nothing changed is refused by S3 (InvalidRequest).
            const inPlace = expected === 'OK' && o.src === o.dst && o.sse === 'none';
            assert.ok(outcome === expected || (inPlace && outcome === 'InvalidRequest'), `${step}: ${outcome}, expected ${expected}`);
            if (outcome === 'OK') model.set(o.dst, { ...stored(o.sse, m!.body), etag });
          } else {
            await s3.send(new DeleteObjectCommand({ Bucket, Key: o.key }));
            model.delete(o.key);
          }
        }
        const listed = ((await s3.send(new ListObjectsV2Command({ Bucket }))).Contents ?? []).map((c) => c.Key);
        assert.deepEqual(listed.sort(), [...model.keys()].sort());
      }),
      { numRuns: Number(process.env.KEYHOLD_MODEL_RUNS ?? 8) },
    );
  });
});
