// What a listing reads (decision 114): a page of current objects reads the head records it shows and one more,
// not a thousand, and a key's head record stays small however many versions the key has (8 to 39, with full
// pages of 32 behind it), since every listing reads the head of every key it passes.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { ListOptions } from '../../src/storage/kv/interface.js';
import { KvPassThrough } from '../helpers/kv-pass-through.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

/** The metadata store, counting the head records listings return. */
class HeadCounting extends KvPassThrough {
  headsListed = 0;
  override async list(namespace: string, options?: ListOptions) {
    const rows = await super.list(namespace, options);
    if (namespace === 's3/object') this.headsListed += rows.length;
    return rows;
  }
}

let srv: TestServer;
let kv: HeadCounting;
let s3: S3Client;
const Bucket = 'listing-reads';

before(async () => {
  srv = await startTestServer({ start: { kvStore: (k) => (kv = new HeadCounting(k)) } });
  s3 = srv.s3({ checksums: 'WHEN_REQUIRED' });
  await s3.send(new CreateBucketCommand({ Bucket }));
  await s3.send(new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: 'Enabled' } }));
  for (let i = 0; i < 40; i++) await s3.send(new PutObjectCommand({ Bucket, Key: `key-${String(i).padStart(2, '0')}`, Body: `${i}` }));
});
after(() => srv.stop());

async function headsReadBy<T>(f: () => Promise<T>): Promise<{ result: T; heads: number }> {
  const before = kv.headsListed;
  const result = await f();
  return { result, heads: kv.headsListed - before };
}

it('reads the heads a page shows and one more', async () => {
  const one = await headsReadBy(() => s3.send(new ListObjectsV2Command({ Bucket, MaxKeys: 1 })));
  assert.deepEqual(
    one.result.Contents?.map((c) => c.Key),
    ['key-00'],
  );
  assert.equal(one.result.IsTruncated, true);
  assert.equal(one.heads, 2);
  const ten = await headsReadBy(() => s3.send(new ListObjectsV2Command({ Bucket, MaxKeys: 10, StartAfter: 'key-04' })));
  assert.deepEqual(
    ten.result.Contents?.map((c) => c.Key),
    Array.from({ length: 10 }, (_, i) => `key-${String(i + 5).padStart(2, '0')}`),
  );
  assert.equal(ten.heads, 11);
});

it('reads on past keys a page does not show (delete markers), in growing batches, and lists them right', async () => {
  for (let i = 1; i < 30; i++) await s3.send(new DeleteObjectCommand({ Bucket, Key: `key-${String(i).padStart(2, '0')}` }));
  const page = await headsReadBy(() => s3.send(new ListObjectsV2Command({ Bucket, MaxKeys: 3 })));
  assert.deepEqual(
    page.result.Contents?.map((c) => c.Key),
    ['key-00', 'key-30', 'key-31'],
  );
  assert.equal(page.result.IsTruncated, true);
  // 4, then 8, 16 and 32 more: the batches double until the page is full (and one more is seen).
  assert.ok(page.heads <= 4 + 8 + 16 + 32, `${page.heads} heads read`);
  const all = await s3.send(new ListObjectsV2Command({ Bucket }));
  assert.equal(all.KeyCount, 11);
  assert.equal(all.IsTruncated, false);
});

it('keeps a head of 8 to 39 versions, the older ones in full pages of 32, all listed', async () => {
  const Key = 'many-versions';
  for (let i = 0; i < 100; i++) await s3.send(new PutObjectCommand({ Bucket, Key, Body: `v${i}` }));
  const head = JSON.parse((await kv.get('s3/object', `${Bucket}/${Key}`))!.value.toString()) as { versions: unknown[]; pages: string[] };
  // 100 = 36 in the head + two pages of 32: a page is moved out each time the head would pass 39.
  assert.equal(head.versions.length, 36);
  const pages = await Promise.all(head.pages.map((id) => kv.get('s3/object-page', `${Bucket}/${id}/${Key}`)));
  assert.deepEqual(
    pages.map((p) => (JSON.parse(p!.value.toString()) as { versions: unknown[] }).versions.length),
    [32, 32],
  );
  const listed = await s3.send(new ListObjectVersionsCommand({ Bucket, Prefix: Key }));
  assert.equal(listed.Versions?.length, 100);
});
