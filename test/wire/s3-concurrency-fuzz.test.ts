// Concurrent writers on a few keys: rounds of puts (every SSE mode), copies, deletes, batch deletes, one-part
// multipart uploads, tagging and reads, sent all at once, in an unversioned and a versioned bucket, by a seeded
// property. Every answer is a success or a 4xx (never a 5xx); every body read back, during the rounds or after,
// is exactly one that was written (no torn, mixed or foreign bytes); after the rounds the listing, HEAD and GET
// agree on every key and version; and at the end every blob file is referenced and every reference has its file.
// KEYHOLD_FUZZ_RUNS and KEYHOLD_FUZZ_SEED as in kms-field-fuzz.test.ts; KEYHOLD_FUZZ_CLUSTER=1 runs it against
// `keyhold serve --workers 2` (a process), so that the writers and readers race across workers.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Agent } from 'node:https';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
  S3Client,
  type ServerSideEncryption,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import fc from 'fast-check';
import { assertBlobsMatchMetadata } from '../helpers/blob-files.js';
import { countOutcome } from '../helpers/fuzz-stats.js';
import { allowSseC, sseC } from '../helpers/sse-c.js';
import { startServerProcess } from '../helpers/process.js';
import { ROOT_KEY_ID, ROOT_SECRET, startTestServer, type TestServer, tempDir } from '../helpers/server.js';

const KEYS = ['a', 'b', 'c/d'];
const CUSTOMER_KEY = Buffer.alloc(32, 9);
const SSE_C = sseC(CUSTOMER_KEY);

type Sse = 'none' | 'AES256' | 'aws:kms' | 'c';
type Op =
  | { op: 'put'; key: string; sse: Sse; size: number }
  | { op: 'copy'; from: string; to: string }
  | { op: 'delete'; key: string }
  | { op: 'deleteMany'; keys: string[] }
  | { op: 'multipart'; key: string; sse: Sse; size: number }
  | { op: 'tag'; key: string }
  | { op: 'get'; key: string; withCustomerKey: boolean };

/** Bodies carry their own digest, so any body read back can be checked whole: "<sha256 of the rest>\n<rest>". */
function makeBody(size: number): Buffer {
  const rest = randomBytes(size);
  return Buffer.concat([Buffer.from(`${createHash('sha256').update(rest).digest('hex')}\n`), rest]);
}
function assertWhole(body: Buffer, what: string): void {
  const nl = body.indexOf(0x0a);
  assert.ok(nl === 64, `${what}: not a body this test wrote`);
  assert.equal(createHash('sha256').update(body.subarray(65)).digest('hex'), body.subarray(0, 64).toString(), `${what}: torn or mixed body`);
}
const sseInput = (sse: Sse) => (sse === 'c' ? SSE_C : sse === 'none' ? {} : { ServerSideEncryption: sse as ServerSideEncryption });

describe('concurrent writers on a few keys (property)', () => {
  let s: Pick<TestServer, 'dataDir' | 'stop'>;
  let s3: S3Client;
  let scenario = 0;
  let stopped = false;
  before(async () => {
    if (process.env.KEYHOLD_FUZZ_CLUSTER) {
      const dataDir = tempDir();
      const server = await startServerProcess(dataDir, { KEYHOLD_ROOT_ACCESS_KEY_ID: ROOT_KEY_ID, KEYHOLD_ROOT_SECRET_ACCESS_KEY: ROOT_SECRET }, [
        '--workers',
        '2',
      ]);
      const agent = new Agent({ ca: readFileSync(join(dataDir, 'ca.pem')), keepAlive: true });
      s3 = new S3Client({
        endpoint: server.endpoint,
        region: 'us-east-1',
        maxAttempts: 1,
        forcePathStyle: true,
        credentials: { accessKeyId: ROOT_KEY_ID, secretAccessKey: ROOT_SECRET },
        requestHandler: new NodeHttpHandler({ httpsAgent: agent }),
      });
      s = {
        dataDir,
        stop: async () => {
          agent.destroy();
          await server.stop();
        },
      };
    } else {
      const server = await startTestServer();
      s3 = server.s3();
      s = server;
    }
  });
  after(() => (stopped ? undefined : s.stop()));

  /** Runs one operation; returns its HTTP status (200 for success). */
  async function run(Bucket: string, o: Op): Promise<number> {
    try {
      switch (o.op) {
        case 'put':
          await s3.send(new PutObjectCommand({ Bucket, Key: o.key, Body: makeBody(o.size), ...sseInput(o.sse) }));
          break;
        case 'copy':
          await s3.send(new CopyObjectCommand({ Bucket, Key: o.to, CopySource: `${Bucket}/${o.from}` }));
          break;
        case 'delete':
          await s3.send(new DeleteObjectCommand({ Bucket, Key: o.key }));
          break;
        case 'deleteMany':
          await s3.send(new DeleteObjectsCommand({ Bucket, Delete: { Objects: o.keys.map((Key) => ({ Key })) } }));
          break;
        case 'multipart': {
          const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key: o.key, ...sseInput(o.sse) }));
          const extra = o.sse === 'c' ? SSE_C : {};
          const part = await s3.send(new UploadPartCommand({ Bucket, Key: o.key, UploadId, PartNumber: 1, Body: makeBody(o.size), ...extra }));
          await s3.send(
            new CompleteMultipartUploadCommand({ Bucket, Key: o.key, UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] }, ...extra }),
          );
          break;
        }
        case 'tag':
          await s3.send(new PutObjectTaggingCommand({ Bucket, Key: o.key, Tagging: { TagSet: [{ Key: 't', Value: String(Date.now()) }] } }));
          break;
        case 'get': {
          const got = await s3.send(new GetObjectCommand({ Bucket, Key: o.key, ...(o.withCustomerKey ? SSE_C : {}) }));
          assertWhole(Buffer.from(await got.Body!.transformToByteArray()), `GET ${o.key} during the round`);
          break;
        }
      }
      return 200;
    } catch (err) {
      if (err instanceof assert.AssertionError) throw err;
      const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      return status ?? 0;
    }
  }

  /** GET (with the customer key when the object needs it), checked whole; undefined when there is nothing. */
  async function readWhole(Bucket: string, Key: string, VersionId?: string): Promise<{ etag?: string } | undefined> {
    for (const extra of [{}, SSE_C]) {
      try {
        const got = await s3.send(new GetObjectCommand({ Bucket, Key, VersionId, ...extra }));
        assertWhole(Buffer.from(await got.Body!.transformToByteArray()), `GET ${Key} ${VersionId ?? ''} after the rounds`);
        return { etag: got.ETag };
      } catch (err) {
        if (err instanceof assert.AssertionError) throw err;
        const e = err as { name: string; $metadata?: { httpStatusCode?: number } };
        if (e.name === 'NoSuchKey' || e.name === 'NoSuchVersion' || e.$metadata?.httpStatusCode === 405) return undefined;
        assert.equal(e.$metadata?.httpStatusCode, 400, `GET ${Key}: ${e.name}`); // SSE-C without the key: try with it
      }
    }
    assert.fail(`GET ${Key} ${VersionId ?? ''} refused with and without the customer key`);
  }

  it('keeps every body whole and listing, HEAD and GET in agreement', async () => {
    const key = fc.constantFrom(...KEYS);
    const sse = fc.constantFrom<Sse>('none', 'AES256', 'aws:kms', 'c');
    const op: fc.Arbitrary<Op> = fc.oneof(
      { weight: 5, arbitrary: fc.record({ op: fc.constant('put' as const), key, sse, size: fc.integer({ min: 0, max: 150_000 }) }) },
      { weight: 2, arbitrary: fc.record({ op: fc.constant('copy' as const), from: key, to: key }) },
      { weight: 2, arbitrary: fc.record({ op: fc.constant('delete' as const), key }) },
      { weight: 1, arbitrary: fc.record({ op: fc.constant('deleteMany' as const), keys: fc.subarray(KEYS, { minLength: 1 }) }) },
      { weight: 2, arbitrary: fc.record({ op: fc.constant('multipart' as const), key, sse, size: fc.integer({ min: 0, max: 100_000 }) }) },
      { weight: 1, arbitrary: fc.record({ op: fc.constant('tag' as const), key }) },
      { weight: 3, arbitrary: fc.record({ op: fc.constant('get' as const), key, withCustomerKey: fc.boolean() }) },
    );
    await fc.assert(
      fc.asyncProperty(fc.boolean(), fc.array(fc.array(op, { minLength: 4, maxLength: 10 }), { minLength: 2, maxLength: 4 }), async (versioned, rounds) => {
        const Bucket = `concurrency-${scenario++}`;
        await s3.send(new CreateBucketCommand({ Bucket }));
        // New buckets block SSE-C, as on S3 since 2026: unblocked here so that every SSE mode races.
        await allowSseC(s3, Bucket);
        if (versioned) await s3.send(new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: 'Enabled' } }));
        for (const round of rounds) {
          const statuses = await Promise.all(round.map((o) => run(Bucket, o)));
          for (const [i, status] of statuses.entries()) {
            countOutcome(`${round[i]!.op} ${status}`);
            assert.ok(status >= 200 && status < 500, `${JSON.stringify(round[i])} -> ${status}`);
          }
        }
        // After the rounds: what the listing shows is exactly what HEAD and GET find, with the same ETag.
        const listed = new Map(((await s3.send(new ListObjectsV2Command({ Bucket }))).Contents ?? []).map((c) => [c.Key!, c.ETag]));
        for (const Key of KEYS) {
          const read = await readWhole(Bucket, Key);
          assert.equal(listed.has(Key), read !== undefined, `${Key}: listed ${listed.has(Key)}, readable ${read !== undefined}`);
          if (read) assert.equal(read.etag, listed.get(Key), `${Key}: GET and listing disagree on the ETag`);
          if (!read) continue;
          const head = await s3.send(new HeadObjectCommand({ Bucket, Key, ...SSE_C })).catch(() => s3.send(new HeadObjectCommand({ Bucket, Key })));
          assert.equal(head.ETag, read.etag, `${Key}: HEAD and GET disagree on the ETag`);
        }
        if (versioned) {
          const versions = (await s3.send(new ListObjectVersionsCommand({ Bucket }))).Versions ?? [];
          for (const v of versions) assert.ok(await readWhole(Bucket, v.Key!, v.VersionId), `version ${v.Key} ${v.VersionId} is listed but unreadable`);
        }
      }),
      {
        numRuns: Number(process.env.KEYHOLD_FUZZ_RUNS ?? 12),
        seed: Number(process.env.KEYHOLD_FUZZ_SEED ?? 20261129),
        includeErrorInReport: true,
        endOnFailure: true,
      },
    );
  });

  it('then every blob file is referenced and every reference has its file', async () => {
    stopped = true;
    await assertBlobsMatchMetadata(s);
  });
});
