// Blobs being read are not unlinked under their readers. An overwrite or a delete commits its metadata and then
// deletes the blobs the old version used, while a GET (or a copy) that looked that version up a moment earlier
// has still to open them: the GET then found no file and answered 500. An open file survives its unlink
// (POSIX), so the danger is from the lookup to the open of each blob — for a multipart object, to the open of
// its last part. A reader leases the version's blobs before it opens the first; deleting a leased blob waits
// until its last lease ends. A delete decided before the lease can still win the race for the first blob: the
// reader then finds it gone before its answer has started and looks the object up again (api/get-object.ts).
// Leases are per process. In cluster mode a reader in another worker cannot be seen, so there every delete
// also waits a grace period (`deleteDelayMs`) before it unlinks: long enough for the reads that began before
// the change to open their first blob. A read of several blobs (a multipart object's parts, opened one after the
// other) also records them in the store the workers share (`shared`, shared-read-leases.ts), and a blob held
// there when its grace period ends waits another one. Deletes still waiting when the store closes run then; a
// crash leaves their files for the sweep after an unclean stop (docs/decisions.md 72).
import type { Readable } from 'node:stream';
import type { BlobRange, BlobStore } from '../../storage/blob/interface.js';
import type { SharedReadLeases } from './shared-read-leases.js';

export class LeasedBlobStore implements BlobStore {
  readonly #leases = new Map<string, number>();
  /** Leased blobs whose delete waits for their readers; true once the grace period is behind them. */
  readonly #deferred = new Map<string, boolean>();
  /** Deletes waiting out the grace period, oldest first (one timer for all of them). */
  readonly #graceQueue: Array<{ id: string; due: number }> = [];
  #graceTimer: NodeJS.Timeout | undefined;
  /** The round of due deletes in progress (it may ask the shared leases first). */
  #unlinking: Promise<void> | undefined;

  constructor(
    private readonly inner: BlobStore,
    private readonly opts: { deleteDelayMs?: number; shared?: SharedReadLeases } = {},
  ) {}

  /** Keeps `ids` from being unlinked until the returned function is called (once; later calls do nothing). */
  lease(ids: readonly string[]): () => void {
    for (const id of ids) this.#leases.set(id, (this.#leases.get(id) ?? 0) + 1);
    // Other workers need to know only of reads that open a blob after their first: see shared-read-leases.ts.
    const endShared = ids.length > 1 ? this.opts.shared?.acquire(ids) : undefined;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      endShared?.();
      for (const id of ids) {
        const left = (this.#leases.get(id) ?? 1) - 1;
        if (left > 0) {
          this.#leases.set(id, left);
          continue;
        }
        this.#leases.delete(id);
        const graced = this.#deferred.get(id);
        if (graced === undefined) continue;
        this.#deferred.delete(id);
        // Nothing awaits a deferred delete; one that fails leaves an unreferenced file, as a crash would
        // (swept after an unclean stop, docs/decisions.md 72).
        (graced ? this.inner.delete(id) : this.#afterGrace(id)).catch(() => undefined);
      }
    };
  }

  /** Blobs whose delete waits for their readers: for tests. */
  get deferredDeletes(): number {
    return this.#deferred.size;
  }

  async delete(id: string): Promise<void> {
    if (this.#leases.has(id)) {
      this.#deferred.set(id, false);
      return;
    }
    await this.#afterGrace(id);
  }

  /** Unlinks now, or (cluster mode) queues the unlink behind the grace period. */
  async #afterGrace(id: string): Promise<void> {
    const delay = this.opts.deleteDelayMs ?? 0;
    if (delay <= 0) {
      await this.inner.delete(id);
      return;
    }
    this.#graceQueue.push({ id, due: Date.now() + delay });
    this.#graceTimer ??= setTimeout(() => this.#deleteDue(), delay).unref();
  }

  /** Deletes waiting out the grace period: for tests. */
  get delayedDeletes(): number {
    return this.#graceQueue.length;
  }

  #deleteDue(): void {
    this.#graceTimer = undefined;
    const due: string[] = [];
    while (this.#graceQueue.length > 0 && this.#graceQueue[0]!.due <= Date.now()) due.push(this.#graceQueue.shift()!.id);
    // One round at a time: a round may wait for the shared leases while the next falls due.
    const round = (this.#unlinking ?? Promise.resolve()).then(() => this.#unlinkDue(due));
    this.#unlinking = round;
    void round.finally(() => {
      if (this.#unlinking === round) this.#unlinking = undefined;
      const next = this.#graceQueue[0];
      if (next && !this.#graceTimer) this.#graceTimer = setTimeout(() => this.#deleteDue(), Math.max(next.due - Date.now(), 1)).unref();
    });
  }

  /**
   * Unlinks blobs whose grace period is over, unless a read in another worker still holds them (the shared
   * leases): those wait another grace period, which keeps the queue in order of due time. Leases that cannot be
   * read hold everything: a file kept too long is space, a file unlinked under a reader is a broken answer.
   */
  async #unlinkDue(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    const shared = this.opts.shared;
    const held = shared ? await shared.heldIds().catch(() => undefined) : new Set<string>();
    for (const id of ids) {
      if (held === undefined || held.has(id)) this.#graceQueue.push({ id, due: Date.now() + (this.opts.deleteDelayMs ?? 0) });
      else await this.#unlinkUnlessLeased(id);
    }
  }

  /** After the grace period: a blob leased meanwhile (by a reader in this process) waits for its readers. */
  #unlinkUnlessLeased(id: string): Promise<void> {
    if (this.#leases.has(id)) {
      this.#deferred.set(id, true);
      return Promise.resolve();
    }
    return this.inner.delete(id).catch(() => undefined);
  }

  put(source: AsyncIterable<Buffer | Uint8Array> | Readable): Promise<{ id: string; size: number }> {
    return this.inner.put(source);
  }

  get(id: string, range?: BlobRange): Promise<AsyncIterable<Buffer>> {
    return this.inner.get(id, range);
  }

  size(id: string): Promise<number | undefined> {
    return this.inner.size(id);
  }

  list(): AsyncIterable<string> {
    return this.inner.list();
  }

  /** Runs the deletes still waiting out their grace period: at a stop, once this process serves no more reads. */
  async flushDelayedDeletes(): Promise<void> {
    clearTimeout(this.#graceTimer);
    this.#graceTimer = undefined;
    await this.#unlinking;
    clearTimeout(this.#graceTimer);
    this.#graceTimer = undefined;
    // The shared leases are not asked: at a stop every worker is finishing its last requests, and a file left
    // behind by a clean stop would never be swept.
    const waiting = this.#graceQueue.splice(0);
    await Promise.all(waiting.map(({ id }) => this.#unlinkUnlessLeased(id)));
  }

  async close(): Promise<void> {
    await this.flushDelayedDeletes();
    this.opts.shared?.close();
    await this.inner.close();
  }
}
