// Reads in progress, as the other cluster workers see them. A worker's blob leases (blob-leases.ts) protect a
// read from deletes made in the same process; a version replaced through another worker is unlinked there after
// a grace period, which a slow read through a multi-GiB multipart object can outlast (its later parts are opened
// only when the read reaches them). So a read of a version made of several blobs also records them here, in the
// metadata store every worker shares, and a worker about to unlink a blob after the grace period asks first: a
// blob still held waits another grace period. Single-blob reads need none of this: their one file is opened at
// once, before the answer starts, and an open file survives its unlink (POSIX).
//
// A lease lasts LEASE_TTL_MS unless its worker renews it, which it does while the read goes on; the lease of a
// worker that died expires, and whoever next reads the leases removes it. A renewal or a release that loses a
// race with the other (both are conditional writes) changes nothing it should not.
import { randomBytes } from 'node:crypto';
import type { KvOp, KvStore } from '../../storage/kv/interface.js';

const NS = 's3/read-lease';

/** A lease not renewed for this long belongs to a worker that is gone. */
export const LEASE_TTL_MS = 120_000;

interface LeaseRecord {
  ids: string[];
  /** Epoch ms after which the lease no longer holds. */
  until: number;
}

export class SharedReadLeases {
  /** This process's prefix for its lease keys. */
  readonly #owner = randomBytes(8).toString('hex');
  #seq = 0;
  /** This process's live leases: key, blob ids, and the record's version once written (for conditional writes). */
  readonly #mine = new Map<string, { ids: string[]; version: number | undefined }>();
  #renewTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly kv: KvStore,
    private readonly clock: () => number = Date.now,
    private readonly ttlMs = LEASE_TTL_MS,
  ) {}

  /** Records a read of `ids` for the other workers; the returned function ends it (once). */
  acquire(ids: readonly string[]): () => void {
    const key = `${this.#owner}/${++this.#seq}`;
    const lease = { ids: [...ids], version: undefined as number | undefined };
    this.#mine.set(key, lease);
    const written = this.kv
      .commit([this.#put(key, lease.ids, 0)])
      .then(() => {
        lease.version = 1;
      })
      .catch(() => undefined);
    this.#renewTimer ??= setInterval(() => void this.#renew(), this.ttlMs / 3).unref();
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this.#mine.delete(key);
      if (this.#mine.size === 0) this.#stopRenewing();
      // After its own write, so the record never outlives the read (a failed delete expires with the TTL).
      void written.then(() => this.kv.commit([{ type: 'delete', namespace: NS, key }])).catch(() => undefined);
    };
  }

  /** The blobs some worker's unexpired lease holds; expired leases found on the way are removed. */
  async heldIds(): Promise<Set<string>> {
    const now = this.clock();
    const held = new Set<string>();
    const expired: KvOp[] = [];
    for (const entry of await this.kv.list(NS)) {
      let record: LeaseRecord;
      try {
        record = JSON.parse(entry.value.toString('utf8')) as LeaseRecord;
      } catch {
        expired.push({ type: 'delete', namespace: NS, key: entry.key, expectVersion: entry.version });
        continue;
      }
      if (record.until > now) for (const id of record.ids) held.add(id);
      else expired.push({ type: 'delete', namespace: NS, key: entry.key, expectVersion: entry.version });
    }
    // Conditional: a lease renewed meanwhile stays. Best effort: the next reader of the leases tries again.
    if (expired.length > 0) await this.kv.commit(expired).catch(() => undefined);
    return held;
  }

  close(): void {
    this.#stopRenewing();
  }

  #put(key: string, ids: string[], expectVersion: number): KvOp {
    const record: LeaseRecord = { ids, until: this.clock() + this.ttlMs };
    return { type: 'put', namespace: NS, key, value: Buffer.from(JSON.stringify(record)), expectVersion };
  }

  /** Extends every live lease of this process; one that ended meanwhile fails its condition and stays ended. */
  async #renew(): Promise<void> {
    for (const [key, lease] of this.#mine) {
      const version = lease.version;
      if (version === undefined) continue;
      await this.kv
        .commit([this.#put(key, lease.ids, version)])
        .then(() => {
          if (lease.version === version) lease.version = version + 1;
        })
        .catch(() => undefined);
    }
  }

  #stopRenewing(): void {
    clearInterval(this.#renewTimer);
    this.#renewTimer = undefined;
  }
}
