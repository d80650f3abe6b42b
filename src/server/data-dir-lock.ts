// One server per data directory. The lock is an exclusive SQLite transaction on DIR/keyhold.lock: it is
// an fcntl lock held by the kernel, so it disappears with the process even after kill -9, and a second
// start fails at once instead of sharing (and corrupting) the store.
import Database from 'better-sqlite3';
import { join } from 'node:path';

export class DataDirLockedError extends Error {}

export class DataDirLock {
  private constructor(private readonly db: Database.Database) {}

  static acquire(dataDir: string): DataDirLock {
    const path = join(dataDir, 'keyhold.lock');
    const db = new Database(path);
    try {
      db.pragma('busy_timeout = 0');
      db.pragma('locking_mode = EXCLUSIVE');
      db.exec('CREATE TABLE IF NOT EXISTS holder (pid INTEGER)');
      db.exec('BEGIN EXCLUSIVE');
      db.prepare('DELETE FROM holder').run();
      db.prepare('INSERT INTO holder (pid) VALUES (?)').run(process.pid);
    } catch (err) {
      db.close();
      if (/locked|busy/i.test((err as Error).message)) {
        throw new DataDirLockedError(`the data directory ${dataDir} is in use by another Keyhold process; stop it first or choose another --data-dir`);
      }
      throw err;
    }
    return new DataDirLock(db);
  }

  release(): void {
    if (!this.db.open) return;
    try {
      this.db.exec('ROLLBACK');
    } catch {
      // nothing to roll back
    }
    this.db.close();
  }
}
