// Blobs being read are not unlinked under their readers. An overwrite or a delete commits its metadata and then
// deletes the blobs the old version used, while a GET (or a copy) that looked that version up a moment earlier
// has still to open them: the GET then found no file and answered 500. An open file survives its unlink
// (POSIX), so the danger is from the lookup to the open of each blob — for a multipart object, to the open of
// its last part. A reader leases the version's blobs before it opens the first; deleting a leased blob waits
// until its last lease ends. A delete decided before the lease can still win the race for the first blob: the
// reader then finds it gone before its answer has started and looks the object up again (api/get-object.ts).
// Leases are per process: in cluster mode a reader in another worker is covered only by that second lookup.
import type { Readable } from 'node:stream';
import type { BlobRange, BlobStore } from '../../storage/blob/interface.js';

export class LeasedBlobStore implements BlobStore {
  readonly #leases = new Map<string, number>();
  readonly #deferred = new Set<string>();

  constructor(private readonly inner: BlobStore) {}

  /** Keeps `ids` from being unlinked until the returned function is called (once; later calls do nothing). */
  lease(ids: readonly string[]): () => void {
    for (const id of ids) this.#leases.set(id, (this.#leases.get(id) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      for (const id of ids) {
        const left = (this.#leases.get(id) ?? 1) - 1;
        if (left > 0) {
          this.#leases.set(id, left);
          continue;
        }
        this.#leases.delete(id);
        // Nothing awaits a deferred delete; one that fails leaves an unreferenced file, as a crash would
        // (swept after an unclean stop, docs/decisions.md 72).
        if (this.#deferred.delete(id)) this.inner.delete(id).catch(() => undefined);
      }
    };
  }

  /** Blobs whose delete waits for their readers: for tests. */
  get deferredDeletes(): number {
    return this.#deferred.size;
  }

  async delete(id: string): Promise<void> {
    if (this.#leases.has(id)) {
      this.#deferred.add(id);
      return;
    }
    await this.inner.delete(id);
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

  close(): Promise<void> {
    return this.inner.close();
  }
}
