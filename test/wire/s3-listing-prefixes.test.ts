// A listing with a delimiter reads past a common prefix in one step, not key by key: listing the top level of a
// bucket whose keys sit under a few prefixes costs a read per thousand prefixes, however many keys are beneath
// them (as S3 lists), and the answer is the same.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateBucketCommand, ListObjectsCommand, ListObjectsV2Command, ListObjectVersionsCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { ListOptions } from '../../src/storage/kv/interface.js';
import { KvPassThrough } from '../helpers/kv-pass-through.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

/** The real metadata store, counting the reads of object listings. */
class CountingKv extends KvPassThrough {
  objectLists = 0;
  override list(namespace: string, options?: ListOptions) {
    if (namespace === 's3/object') this.objectLists++;
    return this.inner.list(namespace, options);
  }
}

describe('S3 listings step over common prefixes', () => {
  let s: TestServer;
  let kv: CountingKv;
  const Bucket = 'deep-prefixes';
  // More than two of the walk's thousand-key reads under one prefix.
  const DEEP = 2100;

  before(async () => {
    s = await startTestServer({
      start: {
        kvStore: (store) => {
          kv = new CountingKv(store);
          return kv;
        },
      },
    });
    await s.s3().send(new CreateBucketCommand({ Bucket }));
    for (const Key of ['a-top', 'z-top', 'other/x']) await s.s3().send(new PutObjectCommand({ Bucket, Key, Body: '' }));
    // The keys under deep/ are listing records only, copied from a-top's in one commit: thousands of PutObjects
    // would take most of a minute on two cores, and a listing reads nothing but these records.
    const template = JSON.parse((await kv.get('s3/object', `${Bucket}/a-top`))!.value.toString()) as { key: string };
    await kv.commit(
      Array.from({ length: DEEP }, (_, i) => {
        const key = `deep/${String(i).padStart(5, '0')}`;
        return { type: 'put' as const, namespace: 's3/object', key: `${Bucket}/${key}`, value: Buffer.from(JSON.stringify({ ...template, key })) };
      }),
    );
  });
  after(() => s.stop());

  async function reads<T>(f: () => Promise<T>): Promise<{ result: T; reads: number }> {
    const before = kv.objectLists;
    const result = await f();
    return { result, reads: kv.objectLists - before };
  }

  it('the top level of the bucket in two reads, not one per thousand keys beneath it', async () => {
    const v2 = await reads(() => s.s3().send(new ListObjectsV2Command({ Bucket, Delimiter: '/' })));
    assert.deepEqual(
      v2.result.Contents?.map((c) => c.Key),
      ['a-top', 'z-top'],
    );
    assert.deepEqual(
      v2.result.CommonPrefixes?.map((p) => p.Prefix),
      ['deep/', 'other/'],
    );
    assert.equal(v2.reads, 2);
    const v1 = await reads(() => s.s3().send(new ListObjectsCommand({ Bucket, Delimiter: '/' })));
    assert.deepEqual(
      v1.result.CommonPrefixes?.map((p) => p.Prefix),
      ['deep/', 'other/'],
    );
    assert.equal(v1.reads, 2);
    const versions = await reads(() => s.s3().send(new ListObjectVersionsCommand({ Bucket, Delimiter: '/' })));
    assert.deepEqual(
      versions.result.CommonPrefixes?.map((p) => p.Prefix),
      ['deep/', 'other/'],
    );
    assert.deepEqual(
      versions.result.Versions?.map((v) => v.Key),
      ['a-top', 'z-top'],
    );
  });

  it('pages that end at a prefix resume after it, and a listing inside the prefix still reads every key', async () => {
    const first = await s.s3().send(new ListObjectsV2Command({ Bucket, Delimiter: '/', MaxKeys: 2 }));
    assert.deepEqual([...(first.Contents ?? []).map((c) => c.Key), ...(first.CommonPrefixes ?? []).map((p) => p.Prefix)], ['a-top', 'deep/']);
    const rest = await reads(() => s.s3().send(new ListObjectsV2Command({ Bucket, Delimiter: '/', ContinuationToken: first.NextContinuationToken })));
    assert.deepEqual([...(rest.result.Contents ?? []).map((c) => c.Key), ...(rest.result.CommonPrefixes ?? []).map((p) => p.Prefix)], ['z-top', 'other/']);
    assert.equal(rest.reads, 2);
    let inside = 0;
    let token: string | undefined;
    do {
      const page = await s.s3().send(new ListObjectsV2Command({ Bucket, Prefix: 'deep/', Delimiter: '/', ContinuationToken: token }));
      inside += page.KeyCount ?? 0;
      token = page.NextContinuationToken;
    } while (token);
    assert.equal(inside, DEEP);
  });
});
