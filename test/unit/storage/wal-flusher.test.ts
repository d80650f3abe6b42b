// The WAL flusher acknowledges a commit only after a flush that started after it, shares each flush among the
// commits that finished meanwhile, and fails every later commit once a flush has failed.
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { WalFlusher } from '../../../src/storage/kv/wal-flusher.js';
import { tempDir } from '../../helpers/server.js';

/** A flush the test completes by hand. */
function manualFlushes() {
  const pending: Array<{ resolve: () => void; reject: (e: Error) => void }> = [];
  const flush = () => new Promise<void>((resolve, reject) => pending.push({ resolve, reject }));
  return { flush, pending };
}

function walFile(): { path: string; cleanup: () => void } {
  const dir = tempDir();
  const path = join(dir, 'kv.db-wal');
  writeFileSync(path, '');
  return { path, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

it('waits for the next flush when one is already under way, and shares it', async () => {
  const wal = walFile();
  const { flush, pending } = manualFlushes();
  const flusher = new WalFlusher(wal.path, flush);
  const done: string[] = [];
  const first = flusher.durable().then(() => done.push('first'));
  // These commits finished after the first flush started: it may not cover them.
  const second = flusher.durable().then(() => done.push('second'));
  const third = flusher.durable().then(() => done.push('third'));
  assert.equal(pending.length, 1, 'one flush at a time');
  pending[0]!.resolve();
  await first;
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(done, ['first'], 'the later commits wait for a flush of their own');
  assert.equal(pending.length, 2, 'one more flush, shared by both');
  pending[1]!.resolve();
  await Promise.all([second, third]);
  assert.deepEqual(done, ['first', 'second', 'third']);
  await flusher.close();
  wal.cleanup();
});

it('fails the waiting commits and every later one after a failed flush', async () => {
  const wal = walFile();
  const { flush, pending } = manualFlushes();
  const flusher = new WalFlusher(wal.path, flush);
  const first = flusher.durable();
  const second = flusher.durable();
  pending[0]!.reject(new Error('EIO'));
  await assert.rejects(first, /flushing the WAL failed \(EIO\)/);
  await assert.rejects(second, /flushing the WAL failed/);
  await assert.rejects(flusher.durable(), /flushing the WAL failed/);
  assert.equal(pending.length, 1, 'no flush is tried after a failure');
  await flusher.close();
  wal.cleanup();
});

it('refuses to open without a WAL file', () => {
  const dir = tempDir();
  assert.throws(() => new WalFlusher(join(dir, 'missing-wal')), /ENOENT/);
  rmSync(dir, { recursive: true, force: true });
});
