// Makes SQLite commits durable off the event loop, several at a time.
//
// The store runs SQLite in WAL mode with synchronous = NORMAL, so a COMMIT appends its frames to the WAL
// without flushing them (https://www.sqlite.org/pragma.html#pragma_synchronous). A committed transaction is
// durable once the WAL file holding its frames is flushed: after a power loss SQLite replays the WAL up to its
// last valid commit frame (https://www.sqlite.org/wal.html, "Recovery"). synchronous = FULL does that flush
// inside COMMIT, on the event loop; here the flush is an fdatasync on the thread pool, and every commit
// finished before a flush starts is covered by it (group commit). A commit is acknowledged only after such a
// flush, so what the store acknowledges is as durable as under FULL. Others may read a commit before its flush
// completes; a power loss in that window can only undo commits that were never acknowledged.
//
// The handle stays valid: SQLite deletes a WAL file only when the last connection to the database closes,
// and the store's own connection stays open until the store is closed.
import { closeSync, fdatasync, fdatasyncSync, openSync } from 'node:fs';
import { promisify } from 'node:util';

const fdatasyncAsync = promisify(fdatasync);

export class WalFlusher {
  readonly #fd: number;
  readonly #flush: (fd: number) => Promise<void>;
  #inFlight: Promise<void> | undefined;
  #next: Promise<void> | undefined;
  #failure: Error | undefined;

  /**
   * Opens the WAL file now, so a missing one fails the store's opening rather than a later commit, and flushes
   * it once: whatever the opening wrote (migrations) is durable before the first request.
   */
  constructor(walPath: string, flush: (fd: number) => Promise<void> = fdatasyncAsync) {
    this.#flush = flush;
    this.#fd = openSync(walPath, 'r');
    try {
      fdatasyncSync(this.#fd);
    } catch (err) {
      closeSync(this.#fd);
      throw err;
    }
  }

  /**
   * Resolves once a flush that started after this call has completed. After a failed flush nothing can be
   * promised durable any more (the kernel may have dropped the dirty pages), so every later call fails too.
   */
  durable(): Promise<void> {
    if (this.#failure) return Promise.reject(this.#failure);
    if (!this.#inFlight) {
      const flush = this.#flush(this.#fd).catch((err: Error) => {
        this.#failure = new Error(`metadata store: flushing the WAL failed (${err.message}); restart Keyhold`);
        throw this.#failure;
      });
      this.#inFlight = flush.finally(() => {
        this.#inFlight = undefined;
      });
      return this.#inFlight;
    }
    // The flush under way may have started before the caller's commit: wait for the next one, shared by
    // every caller that arrives meanwhile.
    this.#next ??= this.#inFlight.then(
      () => this.#startNext(),
      () => this.#startNext(),
    );
    return this.#next;
  }

  #startNext(): Promise<void> {
    this.#next = undefined;
    return this.durable();
  }

  /** Waits for flushes under way, then closes the file. */
  async close(): Promise<void> {
    await Promise.allSettled([this.#inFlight, this.#next]);
    closeSync(this.#fd);
  }
}
