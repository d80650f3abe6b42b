// The metadata store: namespaced keys, opaque byte values, a per-key version for optimistic
// concurrency, and atomic multi-key commits. SQLite today, PostgreSQL later; every implementation must
// pass the conformance suite in ./conformance.ts.
//
// Ordering: list() returns keys in ascending byte order of their UTF-8 encoding.
export interface KvEntry {
  key: string;
  value: Buffer;
  /** 1 for a fresh key, +1 on every put. */
  version: number;
}

export type KvOp =
  /** expectVersion: 0 = the key must not exist; n = the key must currently be at version n. */
  | { type: 'put'; namespace: string; key: string; value: Buffer; expectVersion?: number }
  | { type: 'delete'; namespace: string; key: string; expectVersion?: number }
  /** Writes nothing: the commit happens only if the key is at expectVersion (a record others' commits depend on). */
  | { type: 'check'; namespace: string; key: string; expectVersion: number };

export interface ListOptions {
  prefix?: string;
  /** Exclusive lower bound (a key returned by an earlier page). */
  after?: string;
  limit?: number;
}

export class KvConflictError extends Error {
  constructor(
    readonly namespace: string,
    readonly key: string,
  ) {
    super(`version conflict on ${namespace}/${key}`);
    this.name = 'KvConflictError';
  }
}

export type ChangeListener = () => void | Promise<void>;

/** Commits made by other processes sharing one store, for cache invalidation (cluster mode). */
export interface ChangeFeed {
  /** Runs `listener` after another process commits to a namespace starting with one of `prefixes`. */
  watch(prefixes: ReadonlyArray<string>, listener: ChangeListener): void;
  /** Undefined when nothing changed elsewhere since the last call (the per-request fast path). */
  sync(): Promise<void> | undefined;
}

export interface KvStore {
  /** Commits made by other processes sharing the store (cluster mode); see sqlite-change-feed.ts. */
  readonly changes?: ChangeFeed;
  get(namespace: string, key: string): Promise<KvEntry | undefined>;
  list(namespace: string, options?: ListOptions): Promise<KvEntry[]>;
  /** Applies every op or none; throws KvConflictError when an expectVersion does not hold. */
  commit(ops: ReadonlyArray<KvOp>): Promise<void>;
  close(): Promise<void>;
}
