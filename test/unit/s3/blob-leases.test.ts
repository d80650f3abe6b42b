// A leased blob is not unlinked while it is read: its delete waits for the last lease to end, and then happens;
// a copy whose source blob vanished before its lease runs again.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { againIfBlobVanished } from '../../../src/services/s3/api/object-common.js';
import { LeasedBlobStore } from '../../../src/services/s3/blob-leases.js';
import { SharedReadLeases } from '../../../src/services/s3/shared-read-leases.js';
import type { S3Handler } from '../../../src/services/s3/request.js';
import { BlobNotFoundError } from '../../../src/storage/blob/interface.js';
import { LocalDiskBlobStore } from '../../../src/storage/blob/local-disk.js';
import { SqliteKvStore } from '../../../src/storage/kv/sqlite.js';
import { tempDir } from '../../helpers/server.js';

async function readAll(blobs: LeasedBlobStore, id: string): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of await blobs.get(id)) parts.push(Buffer.from(c));
  return Buffer.concat(parts);
}

describe('blob leases', () => {
  let blobs: LeasedBlobStore;
  before(() => {
    blobs = new LeasedBlobStore(new LocalDiskBlobStore(tempDir()));
  });
  after(() => blobs.close());

  it('defers the delete of a leased blob until its last lease ends', async () => {
    const { id } = await blobs.put(Readable.from([Buffer.from('kept while read')]));
    const first = blobs.lease([id]);
    const second = blobs.lease([id]);
    await blobs.delete(id);
    assert.equal(blobs.deferredDeletes, 1);
    assert.equal((await readAll(blobs, id)).toString(), 'kept while read', 'a reader that opens it after the delete still finds it');
    first();
    first(); // a second call of the same release does nothing
    assert.equal(await blobs.size(id), 15, 'one lease is left');
    second();
    await new Promise((resolve) => setImmediate(resolve));
    for (let i = 0; i < 100 && (await blobs.size(id)) !== undefined; i++) await new Promise((resolve) => setTimeout(resolve, 5));
    assert.equal(await blobs.size(id), undefined, 'deleted once the last lease ended');
    assert.equal(blobs.deferredDeletes, 0);
  });

  it('deletes an unleased blob at once, and a lease ending without a delete deletes nothing', async () => {
    const { id } = await blobs.put(Readable.from([Buffer.from('x')]));
    blobs.lease([id])();
    assert.equal(await blobs.size(id), 1);
    await blobs.delete(id);
    assert.equal(await blobs.size(id), undefined);
  });

  it('a blob unlinked before its read opened it is reported as not found', async () => {
    const { id } = await blobs.put(Readable.from([Buffer.from('gone')]));
    const stream = await blobs.get(id);
    await blobs.delete(id);
    await assert.rejects(async () => {
      for await (const _ of stream) break;
    }, BlobNotFoundError);
  });

  it('a copy whose source blob vanished is run again, up to three times; other errors are not', async () => {
    let calls = 0;
    const flaky = againIfBlobVanished(async () => {
      if (++calls < 3) throw new BlobNotFoundError('x');
      return { status: 200, headers: {} };
    });
    const deps = {} as Parameters<S3Handler>[0];
    const req = {} as Parameters<S3Handler>[1];
    assert.equal((await flaky(deps, req)).status, 200);
    assert.equal(calls, 3);
    calls = 0;
    const lost = againIfBlobVanished(async () => {
      calls++;
      throw new BlobNotFoundError('x');
    });
    await assert.rejects(lost(deps, req), BlobNotFoundError);
    assert.equal(calls, 3, 'a blob missing three times running is a lost file');
    calls = 0;
    const other = againIfBlobVanished(async () => {
      calls++;
      throw new Error('other');
    });
    await assert.rejects(other(deps, req), /other/);
    assert.equal(calls, 1);
  });

  it('with a grace period (cluster mode) a delete waits it out, a leased blob after its readers too; a flush runs them now', async () => {
    const graced = new LeasedBlobStore(new LocalDiskBlobStore(tempDir()), { deleteDelayMs: 60 });
    try {
      const { id: plain } = await graced.put(Readable.from([Buffer.from('a')]));
      const { id: leased } = await graced.put(Readable.from([Buffer.from('b')]));
      const release = graced.lease([leased]);
      await graced.delete(plain);
      await graced.delete(leased);
      assert.equal(await graced.size(plain), 1, 'still there during the grace period');
      assert.equal(graced.delayedDeletes, 1);
      release();
      assert.equal(await graced.size(leased), 1, 'its last reader gone, it still waits out the grace period');
      for (let i = 0; i < 100 && (await graced.size(plain)) !== undefined; i++) await new Promise((resolve) => setTimeout(resolve, 10));
      assert.equal(await graced.size(plain), undefined, 'deleted after the grace period');
      const { id: late } = await graced.put(Readable.from([Buffer.from('c')]));
      await graced.delete(late);
      await graced.flushDelayedDeletes();
      assert.equal(await graced.size(late), undefined, 'a flush (at a stop) runs the waiting deletes at once');
      assert.equal(await graced.size(leased), undefined);
    } finally {
      await graced.close();
    }
  });

  it('cluster mode: a read of several blobs in one worker holds them against another worker until it ends; a dead worker holds nothing', async () => {
    // Two workers: each its own blob store and connection on one blob directory and one database, as in cluster mode.
    const dir = tempDir();
    const db = join(tempDir(), 'kv.db');
    const kvs = [new SqliteKvStore(db), new SqliteKvStore(db)];
    const [reader, deleter] = kvs.map((kv) => new LeasedBlobStore(new LocalDiskBlobStore(dir), { deleteDelayMs: 40, shared: new SharedReadLeases(kv) })) as [
      LeasedBlobStore,
      LeasedBlobStore,
    ];
    const until = async (what: string, done: () => Promise<boolean>) => {
      for (let i = 0; i < 400 && !(await done()); i++) await new Promise((resolve) => setTimeout(resolve, 5));
      assert.ok(await done(), what);
    };
    try {
      const ids = [];
      for (const text of ['part 1', 'part 2', 'single']) ids.push((await reader.put(Readable.from([Buffer.from(text)]))).id);
      const [p1, p2, single] = ids as [string, string, string];
      const releaseParts = reader.lease([p1, p2]);
      const releaseSingle = reader.lease([single]);
      const seenByOthers = new SharedReadLeases(kvs[1]!);
      await until('the read is recorded for the other workers', async () => (await seenByOthers.heldIds()).has(p2));
      assert.equal((await seenByOthers.heldIds()).has(single), false, 'a one-blob read is not recorded: its file is opened at once');
      for (const id of ids) await deleter.delete(id);
      await until('the unheld blob goes after the grace period', async () => (await deleter.size(single)) === undefined);
      assert.equal(await deleter.size(p1), 6, 'held by the read in the other worker');
      assert.equal(await deleter.size(p2), 6);
      assert.equal(deleter.delayedDeletes, 2, 'waiting another grace period');
      releaseParts();
      releaseSingle();
      await until('unlinked once the read has ended', async () => (await deleter.size(p1)) === undefined && (await deleter.size(p2)) === undefined);
      assert.equal((await seenByOthers.heldIds()).size, 0);

      // A lease its worker stopped renewing (it died) expires, and the next reader of the leases removes it.
      const dead = new SharedReadLeases(kvs[0]!, () => Date.now() - 10 * 60_000);
      dead.acquire(['x', 'y']);
      await until("the dead worker's lease is written", async () => (await kvs[1]!.list('s3/read-lease')).length === 1);
      assert.equal((await seenByOthers.heldIds()).size, 0);
      assert.equal((await kvs[1]!.list('s3/read-lease')).length, 0, 'removed');
      dead.close();
      seenByOthers.close();
    } finally {
      await reader.close();
      await deleter.close();
      for (const kv of kvs) await kv.close();
    }
  });
});
