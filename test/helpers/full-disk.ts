// The errors a full disk really raises, taken from the system rather than made up: ENOSPC from a write to
// /dev/full, SQLITE_FULL from a SQLite database held to the pages it has.
import { writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';

export function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (err) {
    return err;
  }
  throw new Error('expected a failure');
}

export const enospcError = (): unknown => thrown(() => writeFileSync('/dev/full', 'x'));

export function sqliteFullError(): unknown {
  const db = new Database(':memory:');
  try {
    db.exec('CREATE TABLE t (v BLOB)');
    db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true })}`);
    return thrown(() => db.prepare('INSERT INTO t VALUES (?)').run(Buffer.alloc(64 * 1024)));
  } finally {
    db.close();
  }
}
