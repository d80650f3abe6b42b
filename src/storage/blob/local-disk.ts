// Local-disk blob store. Blob ids are random 128-bit hex strings made here, validated on every call,
// so no caller input ever reaches a file path (security.md §6). Writes go to a temp file in the same
// directory, are fsynced, renamed into place, then the directory is fsynced (security.md §7).
// Temp files left by a crash are swept at open.
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { type FileHandle, mkdir, open, readdir, rename, stat, unlink } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BlobNotFoundError, type BlobRange, type BlobStore } from './interface.js';

const ID_RE = /^[0-9a-f]{32}$/;
const SHARD_RE = /^[0-9a-f]{2}$/;
const TMP_DIR = 'tmp';
/**
 * File I/O in 1 MiB units, both ways. Reads: fewer, larger chunks for the decryptor downstream (64 MiB GET
 * 239 -> 341 MiB/s), into one buffer per read that is reused (readReusing). Writes: a write stream's default
 * 16 KiB buffer is full after one 64 KiB segment, so each segment waited for its own thread-pool write; with
 * 1 MiB buffered, the segments that arrive while a write is in flight go out together in one writev
 * (docs/benchmarks.md part 2). Memory stays bounded by these buffers, never by the object.
 */
export const BLOB_IO_BYTES = 1024 * 1024;

/** Where a blob's file is under the store's root: a shard directory per first two hex digits. */
export function blobFilePath(root: string, id: string): { dir: string; file: string } {
  if (!ID_RE.test(id)) throw new BlobNotFoundError(id);
  const dir = join(root, id.slice(0, 2));
  return { dir, file: join(dir, id) };
}

export class LocalDiskBlobStore implements BlobStore {
  /**
   * Temp files left by a crash are swept at open, unless other processes may be writing theirs right now
   * (`sweepTemp: false` for cluster workers; the cluster's primary sweeps once before starting them).
   */
  constructor(
    private readonly root: string,
    opts: { sweepTemp?: boolean } = {},
  ) {
    mkdirSync(join(root, TMP_DIR), { recursive: true, mode: 0o700 });
    if (opts.sweepTemp === false) return;
    for (const name of readdirSync(join(root, TMP_DIR))) rmSync(join(root, TMP_DIR, name), { force: true });
  }

  // Shard directories (at most 256) this process has made sure of, and a read handle on each, kept open so that
  // the directory fsync after a rename is one thread-pool call, not open + fsync + close.
  readonly #dirs = new Map<string, Promise<FileHandle>>();

  /** The shard directory, made if need be, as a handle to fsync it by on the thread pool. */
  #dirHandle(dir: string): Promise<FileHandle> {
    let handle = this.#dirs.get(dir);
    if (!handle) {
      handle = mkdir(dir, { recursive: true, mode: 0o700 }).then(() => open(dir, 'r'));
      this.#dirs.set(dir, handle);
      handle.catch(() => this.#dirs.delete(dir));
    }
    return handle;
  }

  #path(id: string): { dir: string; file: string } {
    return blobFilePath(this.root, id);
  }

  async put(source: AsyncIterable<Buffer | Uint8Array> | Readable): Promise<{ id: string; size: number }> {
    const id = randomBytes(16).toString('hex');
    const tmp = join(this.root, TMP_DIR, id);
    const { dir, file } = this.#path(id);
    let size = 0;
    // flush: the stream fsyncs the file before it finishes (Node >= 20.10), on the descriptor it wrote
    // with: no second open and close just to sync.
    const out = createWriteStream(tmp, { flags: 'wx', mode: 0o600, highWaterMark: BLOB_IO_BYTES, flush: true });
    try {
      await pipeline(
        source instanceof Readable ? source : Readable.from(source),
        async function* count(chunks: AsyncIterable<Buffer>) {
          for await (const c of chunks) {
            size += c.length;
            yield c;
          }
        },
        out,
      );
      const dirHandle = await this.#dirHandle(dir);
      await rename(tmp, file);
      await dirHandle.sync();
      return { id, size };
    } catch (err) {
      // A failed pipeline destroys the stream but may reject before its descriptor is closed; a put that
      // has failed leaves nothing open.
      if (!out.closed) await new Promise<void>((resolve) => out.once('close', () => resolve()));
      await unlink(tmp).catch(() => undefined);
      throw err;
    }
  }

  async get(id: string, range?: BlobRange): Promise<AsyncIterable<Buffer>> {
    const { file } = this.#path(id);
    const st = await stat(file).catch(() => undefined);
    if (!st) throw new BlobNotFoundError(id);
    if (range && (range.start < 0 || range.end < range.start || range.end >= st.size)) throw new RangeError('blob range out of bounds');
    return readReusing(file, range ? range.start : 0, range ? range.end + 1 : st.size);
  }

  async size(id: string): Promise<number | undefined> {
    if (!ID_RE.test(id)) return undefined;
    const st = await stat(this.#path(id).file).catch(() => undefined);
    return st?.size;
  }

  async *list(): AsyncIterable<string> {
    for (const shard of await readdir(this.root)) {
      if (!SHARD_RE.test(shard)) continue;
      for (const name of await readdir(join(this.root, shard))) if (ID_RE.test(name) && name.startsWith(shard)) yield name;
    }
  }

  /**
   * No directory fsync after the unlink (docs/decisions.md 68): callers delete a blob only after the metadata
   * that referenced it is durably gone, so an unlink that a crash undoes leaves an unreferenced file, ciphertext
   * whose object key went with that metadata: space, never data, reclaimed at the next start (decision 72). The
   * flush cost an overwriting 4 KiB PUT 10% of its CPU.
   */
  async delete(id: string): Promise<void> {
    if (!ID_RE.test(id)) return;
    await unlink(this.#path(id).file).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'ENOENT') throw e;
    });
  }

  async close(): Promise<void> {
    const handles = [...this.#dirs.values()];
    this.#dirs.clear();
    await Promise.all(handles.map((h) => h.then((fh) => fh.close()).catch(() => undefined)));
  }
}

/**
 * Reads [start, end) of a file in BLOB_IO_BYTES chunks into one buffer of its own: each chunk is valid until the
 * next one is requested (BlobStore.get's contract); reads are pulled, so none starts before the consumer asks.
 * A fresh 1 MiB buffer per read cost a 64 MiB GET a fifth of its CPU: each is a new mapping whose pages fault
 * in, and external memory that drives V8's full collections (docs/benchmarks.md part 2, round 6).
 */
async function* readReusing(file: string, start: number, end: number): AsyncGenerator<Buffer> {
  // Unlinked since its size was read: gone, as get() reports a blob it does not find.
  const fh = await open(file, 'r').catch((e: NodeJS.ErrnoException) => {
    throw e.code === 'ENOENT' ? new BlobNotFoundError(basename(file)) : e;
  });
  try {
    const buffer = Buffer.allocUnsafeSlow(Math.min(BLOB_IO_BYTES, end - start));
    for (let pos = start; pos < end; ) {
      const { bytesRead } = await fh.read(buffer, 0, Math.min(buffer.length, end - pos), pos);
      // A file cut short since its size was read ends the stream early; the decryptor refuses a truncated blob.
      if (bytesRead === 0) return;
      pos += bytesRead;
      yield buffer.subarray(0, bytesRead);
    }
  } finally {
    await fh.close();
  }
}
