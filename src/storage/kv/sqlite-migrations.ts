// Versioned schema migrations, applied in order at open inside one transaction each.
// Never edit a shipped migration: add a new one.
import type Database from 'better-sqlite3';

const MIGRATIONS: ReadonlyArray<string> = [
  // 1: the key-value table. BINARY collation orders TEXT by its UTF-8 bytes, as the interface requires.
  `CREATE TABLE kv (
     ns TEXT NOT NULL,
     k TEXT NOT NULL COLLATE BINARY,
     v BLOB NOT NULL,
     version INTEGER NOT NULL,
     PRIMARY KEY (ns, k)
   ) WITHOUT ROWID;`,
  // 2: per-namespace change counters, bumped by every commit, read by other processes sharing the file
  //    to invalidate their caches (./sqlite-change-feed.ts).
  `CREATE TABLE kv_changes (
     ns TEXT PRIMARY KEY,
     n INTEGER NOT NULL
   ) WITHOUT ROWID;`,
];

export function applyMigrations(db: Database.Database): void {
  const current = Number(db.pragma('user_version', { simple: true }));
  if (current > MIGRATIONS.length) {
    throw new Error(`the database schema (version ${current}) is newer than this Keyhold (version ${MIGRATIONS.length}); upgrade Keyhold`);
  }
  for (let v = current; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v] as string);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}

export const SCHEMA_VERSION = MIGRATIONS.length;
