// The SQLite metadata store passes the shared conformance suite and applies its durability settings.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import Database from 'better-sqlite3';
import { runKvConformance } from '../../../src/storage/kv/conformance.js';
import { SCHEMA_VERSION } from '../../../src/storage/kv/sqlite-migrations.js';
import { SqliteKvStore } from '../../../src/storage/kv/sqlite.js';
import { tempDir } from '../../helpers/server.js';

runKvConformance('sqlite', async () => {
  const dir = tempDir();
  return { store: new SqliteKvStore(join(dir, 'kv.db')), cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
});

it('opens in WAL mode with the current schema version, also when reopened', async () => {
  const dir = tempDir();
  const store = new SqliteKvStore(join(dir, 'kv.db'));
  await store.commit([{ type: 'put', namespace: 'ns', key: 'k', value: Buffer.from('v') }]);
  await store.close();
  await store.close();
  // Reopening finds a WAL file again (the WAL flusher needs one) and the committed value.
  const again = new SqliteKvStore(join(dir, 'kv.db'));
  assert.equal((await again.get('ns', 'k'))?.value.toString(), 'v');
  await again.close();
  const db = new Database(join(dir, 'kv.db'));
  assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
  assert.equal(db.pragma('user_version', { simple: true }), SCHEMA_VERSION);
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

it('refuses a database from a newer Keyhold', async () => {
  const dir = tempDir();
  const db = new Database(join(dir, 'kv.db'));
  db.pragma(`user_version = ${SCHEMA_VERSION + 5}`);
  db.close();
  assert.throws(() => new SqliteKvStore(join(dir, 'kv.db')), /newer than this Keyhold/);
  rmSync(dir, { recursive: true, force: true });
});

it('tells a second connection which namespaces another committed to, and only then', async () => {
  const dir = tempDir();
  const a = new SqliteKvStore(join(dir, 'kv.db'));
  const b = new SqliteKvStore(join(dir, 'kv.db'));
  const seen: string[] = [];
  b.changes.watch(['kms/'], () => {
    seen.push('kms');
  });
  b.changes.watch(['iam/key'], () => {
    seen.push('iam');
  });
  assert.equal(b.changes.sync(), undefined, 'nothing committed elsewhere: the fast path');
  await a.commit([{ type: 'put', namespace: 'kms/key', key: 'k1', value: Buffer.from('x') }]);
  await b.changes.sync();
  assert.deepEqual(seen, ['kms']);
  assert.equal(b.changes.sync(), undefined, 'a change is reported once');
  await a.commit([
    { type: 'put', namespace: 'iam/key', key: 'AKIA1', value: Buffer.from('x') },
    { type: 'put', namespace: 's3/object', key: 'o', value: Buffer.from('x') },
  ]);
  await b.changes.sync();
  assert.deepEqual(seen, ['kms', 'iam'], 'a commit to an unwatched namespace runs no listener');
  await b.commit([{ type: 'put', namespace: 'kms/key', key: 'k2', value: Buffer.from('y') }]);
  assert.equal(b.changes.sync(), undefined, "a connection's own commits do not change its data_version");
  await a.close();
  await b.close();
  rmSync(dir, { recursive: true, force: true });
});

it('makes a request that arrives while listeners run wait for them', async () => {
  const dir = tempDir();
  const a = new SqliteKvStore(join(dir, 'kv.db'));
  const b = new SqliteKvStore(join(dir, 'kv.db'));
  let release!: () => void;
  let reloaded = false;
  b.changes.watch(['kms/'], async () => {
    await new Promise<void>((r) => {
      release = r;
    });
    reloaded = true;
  });
  await a.commit([{ type: 'put', namespace: 'kms/key', key: 'k1', value: Buffer.from('x') }]);
  const first = b.changes.sync();
  const second = b.changes.sync();
  assert.ok(first && second, 'the second caller gets the running reload, not the fast path');
  release();
  await second;
  assert.ok(reloaded);
  await a.close();
  await b.close();
  rmSync(dir, { recursive: true, force: true });
});
