// Copies blob files by id from a live blob directory into a backup's. Blob files never change once they are
// renamed into place (src/storage/blob/local-disk.ts), so a copy made once stays right for every later
// snapshot that still refers to the blob. A blob a server unlinks while the backup runs is reported as
// missing: the metadata snapshot that named it is older than the object's deletion.
import { mkdir, unlink } from 'node:fs/promises';
import { blobFilePath } from '../../storage/blob/local-disk.js';
import { copyFileDurable, syncPath } from '../../storage/durable-file.js';
import { eachLimited } from './each-limited.js';

/** Files copied at once: enough to keep a disk's queue busy, few enough not to run out of descriptors. */
const PARALLEL_COPIES = 8;

export class BlobCopier {
  /** Ids copied so far. */
  readonly copied = new Set<string>();
  readonly #dirs = new Map<string, Promise<unknown>>();

  constructor(
    private readonly fromRoot: string,
    private readonly toRoot: string,
  ) {}

  /** Copies every id not copied yet; resolves with the ids whose file was not there. */
  async copy(ids: Iterable<string>): Promise<string[]> {
    const missing: string[] = [];
    const todo = [...ids].filter((id) => !this.copied.has(id));
    await eachLimited(todo, PARALLEL_COPIES, async (id) => {
      const from = blobFilePath(this.fromRoot, id).file;
      const to = blobFilePath(this.toRoot, id);
      await this.#dir(to.dir);
      try {
        await copyFileDurable(from, to.file);
        this.copied.add(id);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        missing.push(id);
      }
    });
    return missing;
  }

  /** Removes the copies no longer referred to (objects deleted between two snapshots); returns their number. */
  async keepOnly(referenced: ReadonlySet<string>): Promise<number> {
    const gone = [...this.copied].filter((id) => !referenced.has(id));
    await eachLimited(gone, PARALLEL_COPIES, (id) => unlink(blobFilePath(this.toRoot, id).file));
    for (const id of gone) this.copied.delete(id);
    return gone.length;
  }

  /** Flushes the shard directories (and the root) so that the copied files' names survive a power loss. */
  async sync(): Promise<void> {
    for (const dir of this.#dirs.keys()) await syncPath(dir);
    await syncPath(this.toRoot);
  }

  #dir(dir: string): Promise<unknown> {
    let made = this.#dirs.get(dir);
    if (!made) {
      made = mkdir(dir, { recursive: true, mode: 0o700 });
      this.#dirs.set(dir, made);
    }
    return made;
  }
}
