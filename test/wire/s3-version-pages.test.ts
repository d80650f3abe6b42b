// A key's versions beyond the newest few are stored in pages behind its head record (object-pages.ts, decision
// 109). With small pages, every operation on an old version reaches into them: reads by version id, tagging,
// deletion, listing across pages, the null version a suspended bucket replaces, removals that empty the head,
// a restart's blob sweep; and a key written before paging (every version in its head) is paged by its next write.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  ListObjectVersionsCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { StartOptions } from '../../src/server/bootstrap.js';
import { CLEAN_STOP_FILE } from '../../src/server/clean-stop.js';
import type { KvOp, KvStore } from '../../src/storage/kv/interface.js';
import { KvPassThrough } from '../helpers/kv-pass-through.js';
import { startTestServer, type TestServer, tempDir } from '../helpers/server.js';

const PAGING = { headMax: 4, headKeep: 2, pageVersions: 3 };

interface Head {
  versions: Array<{ versionId: string }>;
  pages?: string[];
}

/** The metadata store, counting the pages read (gets in s3/object-page) and the commits that write one. */
class PageCounting extends KvPassThrough {
  pagesRead = 0;
  pagesWritten = 0;
  override get(namespace: string, key: string) {
    if (namespace === 's3/object-page') this.pagesRead++;
    return super.get(namespace, key);
  }
  override commit(ops: ReadonlyArray<KvOp>) {
    this.pagesWritten += ops.filter((o) => o.namespace === 's3/object-page' && o.type === 'put').length;
    return super.commit(ops);
  }
}

/** A server whose metadata store the test can read, with the paging given (the default when none). */
async function start(dataDir: string, paging?: StartOptions['versionPaging']): Promise<{ s: TestServer; kv: () => PageCounting }> {
  let kv: PageCounting | undefined;
  const s = await startTestServer({ dataDir, start: { ...(paging ? { versionPaging: paging } : {}), kvStore: (k) => (kv = new PageCounting(k)) } });
  return { s, kv: () => kv! };
}

/** A fresh server with tiny pages (a head of at most three versions, pages of two) and a versioned bucket. */
async function versionedBucket(Bucket: string): Promise<{ s: TestServer; kv: () => PageCounting; s3: S3Client }> {
  const { s, kv } = await start(tempDir(), { headMax: 3, headKeep: 1, pageVersions: 2 });
  const s3 = s.s3({ checksums: 'WHEN_REQUIRED' });
  await s3.send(new CreateBucketCommand({ Bucket }));
  await s3.send(new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: 'Enabled' } }));
  return { s, kv, s3 };
}

async function text(s3: S3Client, Bucket: string, Key: string, VersionId?: string): Promise<string> {
  return (await s3.send(new GetObjectCommand({ Bucket, Key, VersionId }))).Body!.transformToString();
}

/** Every version id of a key, newest first, listed page by page with MaxKeys rows a page. */
async function listedIds(s3: S3Client, Bucket: string, MaxKeys: number): Promise<string[]> {
  const ids: string[] = [];
  let KeyMarker: string | undefined;
  let VersionIdMarker: string | undefined;
  for (;;) {
    const r = await s3.send(new ListObjectVersionsCommand({ Bucket, MaxKeys, KeyMarker, VersionIdMarker }));
    // Only versions here (no delete markers), so the SDK's list keeps the document's order: newest first.
    const rows = [...(r.Versions ?? []), ...(r.DeleteMarkers ?? [])];
    assert.ok(rows.length <= MaxKeys);
    ids.push(...rows.map((v) => v.VersionId!));
    if (!r.IsTruncated) return ids;
    KeyMarker = r.NextKeyMarker;
    VersionIdMarker = r.NextVersionIdMarker;
  }
}

async function head(kv: KvStore, Bucket: string, key: string): Promise<Head> {
  return JSON.parse((await kv.get('s3/object', `${Bucket}/${key}`))!.value.toString()) as Head;
}

describe('S3 versions stored in pages behind the head record', () => {
  const dataDir = tempDir();
  let s: TestServer;
  let kv: () => PageCounting;
  let s3: S3Client;
  const Bucket = 'paged-versions';
  /** Version ids of key "k", newest first, and the body each was written with. */
  let ids: string[] = [];
  const bodies = new Map<string, string>();

  before(async () => {
    ({ s, kv } = await start(dataDir, PAGING));
    s3 = s.s3();
    await s3.send(new CreateBucketCommand({ Bucket }));
    await s3.send(new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: 'Enabled' } }));
    for (let i = 0; i < 20; i++) {
      const r = await s3.send(new PutObjectCommand({ Bucket, Key: 'k', Body: `body ${i}` }));
      ids.unshift(r.VersionId!);
      bodies.set(r.VersionId!, `body ${i}`);
    }
  });
  after(() => s.stop());

  it('keeps the head record small and the older versions in pages', async () => {
    const h = await head(kv(), Bucket, 'k');
    assert.ok(h.versions.length <= PAGING.headMax, `head holds ${h.versions.length} versions`);
    assert.ok((h.pages?.length ?? 0) >= 5, 'older versions are in pages');
    const paged = await kv().list('s3/object-page', { prefix: `${Bucket}/` });
    assert.equal(paged.length, h.pages!.length, 'no page is left that the head does not name');
    assert.equal(h.versions.length + paged.reduce((n, p) => n + (JSON.parse(p.value.toString()) as Head).versions.length, 0), 20);
  });

  it('reads and writes the current version without reading a page, and an old one reading pages down to it only', async () => {
    const h = await head(kv(), Bucket, 'k');
    kv().pagesRead = 0;
    kv().pagesWritten = 0;
    assert.equal(await text(s3, Bucket, 'k'), 'body 19');
    await s3.send(new PutObjectTaggingCommand({ Bucket, Key: 'k', Tagging: { TagSet: [] } }));
    assert.equal(kv().pagesRead, 0, 'the current version is in the head');
    assert.equal(kv().pagesWritten, 0, 'a change to the head rewrites no page');
    // The version just behind the head is in the first page: reads begin with two pages.
    assert.equal(await text(s3, Bucket, 'k', ids[h.versions.length]), bodies.get(ids[h.versions.length]!));
    assert.ok(kv().pagesRead <= 2, `${kv().pagesRead} pages read for a version in the first`);
    kv().pagesRead = 0;
    assert.equal(await text(s3, Bucket, 'k', ids[ids.length - 1]), 'body 0');
    assert.ok(kv().pagesRead >= h.pages!.length, 'the oldest version is in the last page');
  });

  it('reads every version by id, and lists them all in order across pages of any size', async () => {
    for (const id of ids) assert.equal(await text(s3, Bucket, 'k', id), bodies.get(id));
    assert.equal(await text(s3, Bucket, 'k'), 'body 19');
    for (const max of [1, 3, 7, 1000]) assert.deepEqual(await listedIds(s3, Bucket, max), ids, `MaxKeys ${max}`);
  });

  it('tags a version in a page, rewriting that page only', async () => {
    const oldest = ids[ids.length - 1]!;
    const before = (await head(kv(), Bucket, 'k')).pages!;
    await s3.send(new PutObjectTaggingCommand({ Bucket, Key: 'k', VersionId: oldest, Tagging: { TagSet: [{ Key: 'age', Value: 'old' }] } }));
    assert.deepEqual((await s3.send(new GetObjectTaggingCommand({ Bucket, Key: 'k', VersionId: oldest }))).TagSet, [{ Key: 'age', Value: 'old' }]);
    const now = (await head(kv(), Bucket, 'k')).pages!;
    assert.equal(now.length, before.length);
    assert.deepEqual(now.slice(0, -1), before.slice(0, -1), 'the other pages keep their ids');
    assert.notEqual(now[now.length - 1], before[before.length - 1], 'the changed page is written under a new id');
    assert.equal((await kv().list('s3/object-page', { prefix: `${Bucket}/` })).length, now.length, 'the replaced page is gone');
  });

  it('deletes versions in pages and, deleting the current ones, brings the next page into the head', async () => {
    const middle = ids[10]!;
    await s3.send(new DeleteObjectCommand({ Bucket, Key: 'k', VersionId: middle }));
    ids = ids.filter((id) => id !== middle);
    assert.deepEqual(await listedIds(s3, Bucket, 4), ids);
    // Delete the current version until the head's versions are gone: the newest page's become current.
    for (let i = 0; i < 6; i++) {
      await s3.send(new DeleteObjectCommand({ Bucket, Key: 'k', VersionId: ids[0] }));
      ids.shift();
      assert.equal(await text(s3, Bucket, 'k'), bodies.get(ids[0]!), `current after ${i + 1} deletions`);
    }
    assert.deepEqual(await listedIds(s3, Bucket, 5), ids);
    const h = await head(kv(), Bucket, 'k');
    assert.ok(h.versions.length > 0 && h.versions[0]!.versionId === ids[0]);
  });

  it('a suspended bucket replaces the null version even deep in a page', async () => {
    const B = 'paged-null';
    await s3.send(new CreateBucketCommand({ Bucket: B }));
    await s3.send(new PutObjectCommand({ Bucket: B, Key: 'n', Body: 'the first null' }));
    await s3.send(new PutBucketVersioningCommand({ Bucket: B, VersioningConfiguration: { Status: 'Enabled' } }));
    for (let i = 0; i < 12; i++) await s3.send(new PutObjectCommand({ Bucket: B, Key: 'n', Body: `v${i}` }));
    await s3.send(new PutBucketVersioningCommand({ Bucket: B, VersioningConfiguration: { Status: 'Suspended' } }));
    await s3.send(new PutObjectCommand({ Bucket: B, Key: 'n', Body: 'the second null' }));
    const listed = await listedIds(s3, B, 1000);
    assert.equal(listed.length, 13, 'the old null version was replaced, not kept');
    assert.equal(listed.filter((id) => id === 'null').length, 1);
    assert.equal(listed[0], 'null');
    assert.equal(await text(s3, B, 'n', 'null'), 'the second null');
    // And a delete in the suspended bucket replaces it again, with a null delete marker.
    await s3.send(new DeleteObjectCommand({ Bucket: B, Key: 'n' }));
    const after = await s3.send(new ListObjectVersionsCommand({ Bucket: B }));
    assert.equal(after.DeleteMarkers?.[0]?.VersionId, 'null');
    assert.equal((after.Versions ?? []).filter((v) => v.VersionId === 'null').length, 0);
  });

  it('keeps every paged version through a restart that sweeps for unreferenced blobs', async () => {
    // A stop that does not record itself as clean makes the next start sweep (clean-stop.ts).
    await s.stop({ keepData: true });
    rmSync(join(dataDir, CLEAN_STOP_FILE), { force: true });
    ({ s, kv } = await start(dataDir, PAGING));
    s3 = s.s3();
    for (const id of ids) assert.equal(await text(s3, Bucket, 'k', id), bodies.get(id));
  });
});

describe('S3 versions in pages under concurrent writes', () => {
  it('loses no acknowledged version and leaves no page behind when puts and deletes of one key race', async () => {
    const Bucket = 'racing-versions';
    const { s, kv, s3 } = await versionedBucket(Bucket);
    try {
      const live = new Map<string, string>();
      // Eight writers: each puts versions and deletes one of the versions put so far (often one in a page).
      await Promise.all(
        Array.from({ length: 8 }, async (_, w) => {
          for (let i = 0; i < 12; i++) {
            const body = `w${w}-${i}`;
            const { VersionId } = await s3.send(new PutObjectCommand({ Bucket, Key: 'k', Body: body }));
            live.set(VersionId!, body);
            if (i % 3 === 2) {
              const victim = [...live.keys()][(w * 7 + i) % live.size]!;
              live.delete(victim);
              await s3.send(new DeleteObjectCommand({ Bucket, Key: 'k', VersionId: victim }));
            }
          }
        }),
      );
      const listed = await listedIds(s3, Bucket, 5);
      assert.deepEqual([...listed].sort(), [...live.keys()].sort(), 'the versions listed are those put and not deleted');
      for (const [id, body] of live) assert.equal(await text(s3, Bucket, 'k', id), body);
      const h = await head(kv(), Bucket, 'k');
      const pages = await kv().list('s3/object-page', { prefix: `${Bucket}/` });
      assert.deepEqual(pages.map((p) => p.key.split('/')[1]).sort(), [...(h.pages ?? [])].sort(), 'every page is named by the head');
    } finally {
      await s.stop();
    }
  });
});

describe('S3 versions whose page is missing (metadata damaged outside Keyhold)', () => {
  it('answers 500 InternalError instead of reading forever, and still serves the versions in the head', async () => {
    const Bucket = 'damaged-versions';
    const { s, kv, s3 } = await versionedBucket(Bucket);
    try {
      const ids: string[] = [];
      for (let i = 0; i < 6; i++) ids.unshift((await s3.send(new PutObjectCommand({ Bucket, Key: 'k', Body: `v${i}` }))).VersionId!);
      const h = await head(kv(), Bucket, 'k');
      await kv().commit(h.pages!.map((id) => ({ type: 'delete' as const, namespace: 's3/object-page', key: `${Bucket}/${id}/k` })));
      const status = (p: Promise<unknown>) =>
        p.then(
          () => 200,
          (err: { $metadata: { httpStatusCode: number } }) => err.$metadata.httpStatusCode,
        );
      assert.equal(await text(s3, Bucket, 'k'), 'v5', 'the current version is in the head');
      assert.equal(await status(s3.send(new GetObjectCommand({ Bucket, Key: 'k', VersionId: ids[5] }))), 500);
      // Deleting the head's versions works until the last, which needs the next page to take its place.
      const inHead = h.versions.length;
      for (let i = 0; i < inHead - 1; i++) assert.equal(await status(s3.send(new DeleteObjectCommand({ Bucket, Key: 'k', VersionId: ids[i] }))), 200);
      assert.equal(await status(s3.send(new DeleteObjectCommand({ Bucket, Key: 'k', VersionId: ids[inHead - 1] }))), 500);
      assert.equal(await text(s3, Bucket, 'k'), `v${6 - inHead}`, 'the refused delete changed nothing');
    } finally {
      await s.stop();
    }
  });
});

describe('S3 keys written before version paging', () => {
  it('are read as they are and paged by their next write', async () => {
    const dataDir = tempDir();
    const Bucket = 'legacy-versions';
    // Written with the default paging, ten versions stay in the head: the shape of a record from before.
    let { s } = await start(dataDir);
    let s3 = s.s3();
    await s3.send(new CreateBucketCommand({ Bucket }));
    await s3.send(new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: 'Enabled' } }));
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) ids.unshift((await s3.send(new PutObjectCommand({ Bucket, Key: 'old', Body: `old ${i}` }))).VersionId!);
    await s.stop({ keepData: true });
    let kv: () => PageCounting;
    ({ s, kv } = await start(dataDir, PAGING));
    s3 = s.s3();
    try {
      assert.equal((await head(kv(), Bucket, 'old')).versions.length, 10);
      assert.equal(await text(s3, Bucket, 'old', ids[9]), 'old 0');
      ids.unshift((await s3.send(new PutObjectCommand({ Bucket, Key: 'old', Body: 'new' }))).VersionId!);
      const h = await head(kv(), Bucket, 'old');
      assert.ok(h.versions.length <= PAGING.headMax && (h.pages?.length ?? 0) > 0, 'the write paged the older versions');
      assert.deepEqual(await listedIds(s3, Bucket, 1000), ids);
      for (let i = 0; i < 10; i++) assert.equal(await text(s3, Bucket, 'old', ids[10 - i]), `old ${i}`);
    } finally {
      await s.stop();
    }
  });
});
