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

it('opens in WAL mode with synchronous=FULL and the current schema version', async () => {
  const dir = tempDir();
  const store = new SqliteKvStore(join(dir, 'kv.db'));
  await store.close();
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
