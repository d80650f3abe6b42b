// The local-disk blob store passes the shared conformance suite, sweeps temp files at open, and keeps one
// handle per shard directory for its directory fsyncs and none per read.
import assert from 'node:assert/strict';
import fs, { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { it } from 'node:test';
import { runBlobConformance } from '../../../src/storage/blob/conformance.js';
import { LocalDiskBlobStore } from '../../../src/storage/blob/local-disk.js';
import { tempDir } from '../../helpers/server.js';

runBlobConformance('local-disk', async () => {
  const dir = tempDir();
  return { store: new LocalDiskBlobStore(dir), cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
});

it('sweeps temp files left by a crash', () => {
  const dir = tempDir();
  new LocalDiskBlobStore(dir);
  writeFileSync(join(dir, 'tmp', 'deadbeef'), 'partial');
  new LocalDiskBlobStore(dir);
  assert.deepEqual(readdirSync(join(dir, 'tmp')), []);
  rmSync(dir, { recursive: true, force: true });
});

it('leaves temp files alone when other processes may be writing them (cluster workers)', () => {
  const dir = tempDir();
  new LocalDiskBlobStore(dir);
  writeFileSync(join(dir, 'tmp', 'cafebabe'), 'in flight elsewhere');
  new LocalDiskBlobStore(dir, { sweepTemp: false });
  assert.deepEqual(readdirSync(join(dir, 'tmp')), ['cafebabe']);
  rmSync(dir, { recursive: true, force: true });
});

it('holds one handle per shard directory it writes to, and closes them all with the store', async () => {
  const dir = tempDir();
  const fds = () => readdirSync('/proc/self/fd').length;
  const before = fds();
  const store = new LocalDiskBlobStore(dir);
  const ids: string[] = [];
  for (let i = 0; i < 40; i++) ids.push((await store.put(Readable.from([Buffer.from(`blob ${i}`)]))).id);
  for (const id of ids.slice(0, 10)) await store.delete(id);
  const shards = new Set(ids.map((id) => id.slice(0, 2))).size;
  assert.equal(fds() - before, shards, 'a handle per shard directory, none per write');
  await store.close();
  assert.equal(fds(), before);
  rmSync(dir, { recursive: true, force: true });
});

it('closes the blob file after every read: small, large, refused, or abandoned half-way', async () => {
  const dir = tempDir();
  const store = new LocalDiskBlobStore(dir);
  const small = await store.put(Readable.from([Buffer.alloc(4096, 1)]));
  const large = await store.put(Readable.from([Buffer.alloc(3 * 1024 * 1024, 2)]));
  const fds = () => readdirSync('/proc/self/fd').length;
  const before = fds();
  for await (const _ of await store.get(small.id));
  for await (const _ of await store.get(large.id));
  await assert.rejects(store.get(small.id, { start: 0, end: 4096 }), RangeError);
  // Leaving the loop early closes the file before the loop statement completes.
  for await (const _ of await store.get(large.id)) break;
  assert.equal(fds(), before);
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

it('flushes a blob to disk before naming it, and a failed flush fails the put and leaves no file', async (t) => {
  const dir = tempDir();
  const store = new LocalDiskBlobStore(dir);
  // The write stream syncs through node:fs's fsync (the directory syncs use file handles, not this).
  const synced: number[] = [];
  let fail = false;
  t.mock.method(fs, 'fsync', (fd: number, cb: (err: NodeJS.ErrnoException | null) => void) => {
    synced.push(fd);
    if (fail) return cb(Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' }));
    return fs.fdatasync(fd, cb);
  });
  const { id } = await store.put(Readable.from([Buffer.from('durable')]));
  assert.equal(synced.length, 1);
  assert.equal(readFileSync(join(dir, id.slice(0, 2), id), 'utf8'), 'durable');
  fail = true;
  const shardsBefore = readdirSync(dir).sort();
  await assert.rejects(store.put(Readable.from([Buffer.from('lost')])), { code: 'EIO' });
  assert.deepEqual(readdirSync(join(dir, 'tmp')), [], 'the temp file is removed');
  const named = readdirSync(dir)
    .filter((d) => d !== 'tmp')
    .flatMap((d) => readdirSync(join(dir, d)));
  assert.deepEqual(named, [id], 'only the first blob was named');
  assert.deepEqual(readdirSync(dir).sort().slice(0, shardsBefore.length), shardsBefore);
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});
