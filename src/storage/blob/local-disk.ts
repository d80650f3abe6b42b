// Local-disk blob store. Blob ids are random 128-bit hex strings made here, validated on every call,
// so no caller input ever reaches a file path (security.md §6). Writes go to a temp file in the same
// directory, are fsynced, renamed into place, then the directory is fsynced (security.md §7).
// Temp files left by a crash are swept at open.
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { type FileHandle, mkdir, open, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BlobNotFoundError, type BlobRange, type BlobStore } from './interface.js';

const ID_RE = /^[0-9a-f]{32}$/;
const READ_CHUNK = 1024 * 1024;
const TMP_DIR = 'tmp';

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
  // the directory fsync after a rename or unlink is one thread-pool call, not open + fsync + close.
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
    if (!ID_RE.test(id)) throw new BlobNotFoundError(id);
    const dir = join(this.root, id.slice(0, 2));
    return { dir, file: join(dir, id) };
  }

  async put(source: AsyncIterable<Buffer | Uint8Array> | Readable): Promise<{ id: string; size: number }> {
    const id = randomBytes(16).toString('hex');
    const tmp = join(this.root, TMP_DIR, id);
    const { dir, file } = this.#path(id);
    let size = 0;
    try {
      const out = createWriteStream(tmp, { flags: 'wx', mode: 0o600 });
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
      const fh = await open(tmp, 'r');
      try {
        await fh.sync();
      } finally {
        await fh.close();
      }
      const dirHandle = await this.#dirHandle(dir);
      await rename(tmp, file);
      await dirHandle.sync();
      return { id, size };
    } catch (err) {
      await unlink(tmp).catch(() => undefined);
      throw err;
    }
  }

  async get(id: string, range?: BlobRange): Promise<{ size: number; body: Readable }> {
    const { file } = this.#path(id);
    // One open file answers both the size and the bytes: a GET makes three thread-pool calls (open, fstat,
    // read) plus the close, where a stat by name, then an open, cost one more each time.
    const fh = await open(file, 'r').catch((e: NodeJS.ErrnoException) => {
      throw e.code === 'ENOENT' ? new BlobNotFoundError(id) : e;
    });
    try {
      const { size } = await fh.stat();
      if (range && (range.start < 0 || range.end < range.start || range.end >= size)) throw new RangeError('blob range out of bounds');
      const start = range?.start ?? 0;
      const length = range ? range.end - range.start + 1 : size;
      // Up to one read's worth: read it whole and close, without a read stream's machinery.
      if (length <= READ_CHUNK) {
        const body = await readExactly(fh, start, length);
        await fh.close();
        return { size, body: Readable.from(length > 0 ? [body] : []) };
      }
      // Larger: 1 MiB reads, fewer and larger chunks for the decryptor downstream (memory stays bounded by the
      // stream's buffer); the stream closes the file when it ends or is destroyed.
      return { size, body: fh.createReadStream({ start, end: start + length - 1, highWaterMark: READ_CHUNK }) };
    } catch (err) {
      await fh.close().catch(() => undefined);
      throw err;
    }
  }

  async delete(id: string): Promise<void> {
    if (!ID_RE.test(id)) return;
    const { dir, file } = this.#path(id);
    await unlink(file).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'ENOENT') throw e;
    });
    await (await this.#dirHandle(dir)).sync();
  }

  async close(): Promise<void> {
    const handles = [...this.#dirs.values()];
    this.#dirs.clear();
    await Promise.all(handles.map((h) => h.then((fh) => fh.close()).catch(() => undefined)));
  }
}

/** `length` bytes from `position`; a file that ends sooner was cut short after its size was read. */
async function readExactly(fh: FileHandle, position: number, length: number): Promise<Buffer> {
  const buf = Buffer.allocUnsafe(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await fh.read(buf, done, length - done, position + done);
    if (bytesRead === 0) throw new RangeError('blob ended before its size');
    done += bytesRead;
  }
  return buf;
}
