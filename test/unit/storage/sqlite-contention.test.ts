// Two processes committing to one SQLite file at once, as cluster workers do: every commit succeeds. A deferred transaction read first and upgraded to a write lock,
// and SQLite refuses an upgrade after another connection's commit at once ("database is locked"), without
// waiting for busy_timeout; commits now take the write lock first (BEGIN IMMEDIATE).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { fork } from 'node:child_process';
import { SqliteKvStore } from '../../../src/storage/kv/sqlite.js';
import { tempDir } from '../../helpers/server.js';

/** For this long, each process commits to one shared key (and to keys of its own), as fast as it can. */
const RACE_MS = 1500;

/** Commits until the deadline, collecting the messages of the commits that threw. */
async function hammer(path: string, who: string, ready: () => void, start: Promise<void>): Promise<string[]> {
  const kv = new SqliteKvStore(path);
  const failures: string[] = [];
  try {
    ready();
    await start;
    const until = Date.now() + RACE_MS;
    for (let i = 0; Date.now() < until; i++) {
      // Batches not awaited one by one: their transactions run back to back, interleaving with the other
      // process's as tightly as they can (the durability waits that follow are shared).
      const batch: Promise<unknown>[] = [];
      for (let j = 0; j < 50; j++) {
        batch.push(
          kv
            .commit([
              { type: 'put', namespace: 'shared', key: 'k', value: Buffer.from(`${who} ${i} ${j}`) },
              { type: 'put', namespace: who, key: String(j % 10), value: Buffer.alloc(100, j) },
            ])
            .catch((err: Error) => failures.push(err.message)),
        );
      }
      await Promise.all(batch);
    }
  } finally {
    await kv.close();
  }
  return failures;
}

// SQLite's locks are per process (POSIX advisory locks): a second connection in the same process, even in a
// worker thread, does not race the way a cluster worker does. So the second writer is this file, forked.
const childPath = process.env.KEYHOLD_CONTENTION_CHILD;
if (childPath) {
  // Ready once its connection is open; starts when the parent says so, so that the two races overlap.
  const start = new Promise<void>((resolve) => process.once('message', () => resolve()));
  process.send!(await hammer(childPath, 'child', () => process.send!('ready'), start));
} else {
  describe('SQLite commits from two connections at once', () => {
    it('all succeed: the write lock is waited for, never refused', async () => {
      const path = join(tempDir(), 'contention.db');
      // Create the schema before the two connections race to.
      await new SqliteKvStore(path).close();
      const child = fork(fileURLToPath(import.meta.url), [], { env: { ...process.env, KEYHOLD_CONTENTION_CHILD: path }, stdio: 'ignore' });
      const childReady = new Promise<void>((resolve) => child.once('message', () => resolve()));
      const theirs = childReady.then(
        () =>
          new Promise<string[]>((resolve, reject) => {
            child.once('message', (m) => resolve(m as string[]));
            child.once('error', reject);
          }),
      );
      const ours = await hammer(
        path,
        'main',
        () => undefined,
        childReady.then(() => void child.send('start')),
      );
      const failures = [...ours, ...(await theirs)];
      assert.deepEqual(failures, [], `${failures.length} commits failed: ${failures[0]}`);
    });
  });
}
