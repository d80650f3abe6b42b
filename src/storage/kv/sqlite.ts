// SQLite implementation of KvStore (better-sqlite3 12.x).
// Durability: journal_mode=WAL with synchronous=NORMAL, asserted at open. Under NORMAL a COMMIT does not flush
// the WAL, so a committed transaction could roll back after a power loss
// (https://www.sqlite.org/pragma.html#pragma_synchronous); commit() therefore resolves only after an
// fdatasync of the WAL file that started after the transaction (wal-flusher.ts), on the thread pool instead
// of on the event loop, shared by the commits that finished meanwhile.
import Database from 'better-sqlite3';
import { type KvEntry, KvConflictError, type KvOp, type KvStore, type ListOptions } from './interface.js';
import { SqliteChangeFeed } from './sqlite-change-feed.js';
import { applyMigrations } from './sqlite-migrations.js';
import { WalFlusher } from './wal-flusher.js';

type Row = { k: string; v: Buffer; version: number };

export class SqliteKvStore implements KvStore {
  readonly #db: Database.Database;
  readonly #get: Database.Statement<[string, string], Row>;
  readonly #insert: Database.Statement<[string, string, Buffer]>;
  readonly #update: Database.Statement<[Buffer, string, string]>;
  readonly #delete: Database.Statement<[string, string]>;
  readonly #commitTx: (ops: ReadonlyArray<KvOp>) => void;
  readonly changes: SqliteChangeFeed;
  readonly #flusher: WalFlusher;
  #closing: Promise<void> | undefined;

  constructor(path: string) {
    this.#db = new Database(path);
    this.#db.pragma('journal_mode = WAL');
    this.#db.pragma('synchronous = NORMAL');
    this.#db.pragma('busy_timeout = 5000');
    this.#db.pragma('foreign_keys = ON');
    const mode = String(this.#db.pragma('journal_mode', { simple: true }));
    const sync = Number(this.#db.pragma('synchronous', { simple: true }));
    if (mode !== 'wal' || sync !== 1) throw new Error(`SQLite durability settings not applied (journal_mode=${mode}, synchronous=${sync})`);
    applyMigrations(this.#db);
    // The WAL file exists from the first access in WAL mode (the migrations above read the schema version).
    try {
      this.#flusher = new WalFlusher(`${path}-wal`);
    } catch (err) {
      this.#db.close();
      throw err;
    }
    this.#get = this.#db.prepare('SELECT k, v, version FROM kv WHERE ns = ? AND k = ?');
    this.#insert = this.#db.prepare('INSERT INTO kv (ns, k, v, version) VALUES (?, ?, ?, 1)');
    this.#update = this.#db.prepare('UPDATE kv SET v = ?, version = version + 1 WHERE ns = ? AND k = ?');
    this.#delete = this.#db.prepare('DELETE FROM kv WHERE ns = ? AND k = ?');
    this.changes = new SqliteChangeFeed(this.#db);
    // BEGIN IMMEDIATE: the write lock is taken first, waiting up to busy_timeout for another process's commit
    // (cluster mode: workers share this file). A deferred transaction reads first and then upgrades; if another
    // process committed in between, SQLite refuses the upgrade at once with SQLITE_BUSY, busy_timeout or not
    // (https://www.sqlite.org/lang_transaction.html, "SQLITE_BUSY_SNAPSHOT"): concurrent S3 writes in two
    // workers answered 500 "database is locked".
    const commitTx = this.#db.transaction((ops: ReadonlyArray<KvOp>) => {
      for (const op of ops) {
        const current = this.#get.get(op.namespace, op.key);
        if (op.expectVersion !== undefined && (current?.version ?? 0) !== op.expectVersion) {
          throw new KvConflictError(op.namespace, op.key);
        }
        if (op.type === 'put') {
          if (current) this.#update.run(op.value, op.namespace, op.key);
          else this.#insert.run(op.namespace, op.key, op.value);
        } else if (op.type === 'delete' && current) {
          this.#delete.run(op.namespace, op.key);
        }
      }
      this.changes.bump(ops.filter((op) => op.type !== 'check').map((op) => op.namespace));
    });
    this.#commitTx = commitTx.immediate;
  }

  /** Synchronous read for hot paths that cannot afford a promise per call (SQLite only). */
  getSync(namespace: string, key: string): KvEntry | undefined {
    const row = this.#get.get(namespace, key);
    return row ? { key: row.k, value: row.v, version: row.version } : undefined;
  }

  async get(namespace: string, key: string): Promise<KvEntry | undefined> {
    return this.getSync(namespace, key);
  }

  async list(namespace: string, options: ListOptions = {}): Promise<KvEntry[]> {
    const clauses = ['ns = ?'];
    const params: unknown[] = [namespace];
    if (options.prefix) {
      // Byte-wise prefix range: keys >= prefix and < prefix followed by the highest code point.
      clauses.push('k >= ? AND k < ?');
      params.push(options.prefix, `${options.prefix}\u{10FFFF}`);
    }
    if (options.after !== undefined) {
      clauses.push('k > ?');
      params.push(options.after);
    }
    const limit = options.limit ?? -1;
    const rows = this.#db.prepare(`SELECT k, v, version FROM kv WHERE ${clauses.join(' AND ')} ORDER BY k LIMIT ?`).all(...params, limit) as Row[];
    return rows.map((r) => ({ key: r.k, value: r.v, version: r.version }));
  }

  async commit(ops: ReadonlyArray<KvOp>): Promise<void> {
    this.#commitTx(ops);
    await this.#flusher.durable();
  }

  close(): Promise<void> {
    this.#closing ??= this.#flusher.close().finally(() => this.#db.close());
    return this.#closing;
  }
}
