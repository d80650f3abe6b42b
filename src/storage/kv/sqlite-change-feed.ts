// Cross-process cache coherence for the SQLite metadata store (cluster mode, docs/architecture.md).
//
// Services keep exact in-memory caches (keys, grants, access keys) that they update after their own
// commits. When several processes share one database, a commit in one must invalidate the others' caches
// before they serve their next request. Every commit bumps a counter per namespace it touched, in the same
// transaction (table kv_changes). Before each request a process asks SQLite's PRAGMA data_version, which
// changes exactly when another connection has committed (https://www.sqlite.org/pragma.html#pragma_data_version);
// only then does it read the counters and run the listeners of the namespaces that moved. A request that
// starts after another process acknowledged a change therefore sees it (read-your-writes across workers).
// A process's own commits also move counters; the next sync may then re-run a listener needlessly, which
// is harmless (a cache reload) and never misses a change made elsewhere.
import type Database from 'better-sqlite3';
import type { ChangeFeed, ChangeListener } from './interface.js';

export class SqliteChangeFeed implements ChangeFeed {
  readonly #dataVersion: Database.Statement<[], number>;
  readonly #counters: Database.Statement<[], { ns: string; n: number }>;
  readonly #bump: Database.Statement<[string]>;
  readonly #seen = new Map<string, number>();
  readonly #listeners: Array<{ prefixes: ReadonlyArray<string>; listener: ChangeListener }> = [];
  #lastVersion: number;
  #running: Promise<void> | undefined;

  constructor(db: Database.Database) {
    this.#dataVersion = db.prepare<[], number>('PRAGMA data_version').pluck();
    this.#counters = db.prepare<[], { ns: string; n: number }>('SELECT ns, n FROM kv_changes');
    this.#bump = db.prepare('INSERT INTO kv_changes (ns, n) VALUES (?, 1) ON CONFLICT (ns) DO UPDATE SET n = n + 1');
    this.#lastVersion = this.#dataVersion.get()!;
    for (const row of this.#counters.all()) this.#seen.set(row.ns, row.n);
  }

  /** Called inside a commit's transaction with the namespaces it writes. */
  bump(namespaces: Iterable<string>): void {
    for (const ns of new Set(namespaces)) this.#bump.run(ns);
  }

  watch(prefixes: ReadonlyArray<string>, listener: ChangeListener): void {
    this.#listeners.push({ prefixes, listener });
  }

  sync(): Promise<void> | undefined {
    // A request arriving while listeners run waits for them too, so nobody reads a half-reloaded cache.
    if (this.#running) return this.#running;
    const version = this.#dataVersion.get()!;
    if (version === this.#lastVersion) return undefined;
    this.#lastVersion = version;
    const moved: string[] = [];
    for (const { ns, n } of this.#counters.all()) {
      if (this.#seen.get(ns) !== n) moved.push(ns);
      this.#seen.set(ns, n);
    }
    const due = this.#listeners.filter((l) => moved.some((ns) => l.prefixes.some((p) => ns.startsWith(p))));
    if (due.length === 0) return undefined;
    this.#running = (async () => {
      try {
        for (const l of due) await l.listener();
      } finally {
        this.#running = undefined;
      }
    })();
    return this.#running;
  }
}
