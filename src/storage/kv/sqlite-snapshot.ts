// A consistent copy of a live SQLite metadata file, taken from another process while servers write to it.
// `VACUUM INTO` runs in one read transaction, so the copy is the database as of one commit: in WAL mode it
// does not block the writers, nor is it restarted by them as the online-backup API is when another
// connection writes meanwhile (https://www.sqlite.org/lang_vacuum.html#vacuuminto,
// https://www.sqlite.org/backup.html). The connection is read-only: the backup never writes to the source.
import Database from 'better-sqlite3';
import { closeSync, fsyncSync, openSync } from 'node:fs';

export function snapshotSqlite(livePath: string, destPath: string): void {
  const db = new Database(livePath, { readonly: true, fileMustExist: true });
  try {
    // A checkpoint in another process holds a lock for a moment; wait for it as the servers do.
    db.pragma('busy_timeout = 5000');
    db.prepare('VACUUM INTO ?').run(destPath);
  } finally {
    db.close();
  }
  // VACUUM INTO does not flush its output (the copy is not a database SQLite journals until it is opened).
  const fd = openSync(destPath, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
