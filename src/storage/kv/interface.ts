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
  | { type: 'delete'; namespace: string; key: string; expectVersion?: number };

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

export interface KvStore {
  get(namespace: string, key: string): Promise<KvEntry | undefined>;
  list(namespace: string, options?: ListOptions): Promise<KvEntry[]>;
  /** Applies every op or none; throws KvConflictError when an expectVersion does not hold. */
  commit(ops: ReadonlyArray<KvOp>): Promise<void>;
  close(): Promise<void>;
}
