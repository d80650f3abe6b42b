// Append-only, encrypted JSON-lines audit file with group commit.
//
// Record line format v2 (docs/formats.md "audit file"):
//   {"v":2,"seq":<n>,"d":"<base64(ciphertext | tag)>"}\n     plaintext = the batch's events, one JSON per line
//   fileKey = SP800-108(auditKey, "keyhold:audit-file", fileSalt)   -- fileSalt is in the file name
//   iv      = 0x00000000 || seq as u64 big-endian                   -- a counter: unique per file key
//   AAD     = encodeParts(["keyhold-audit-v<v>", fileName, seq])
// A per-file key with a counter nonce never repeats an IV, whatever the request rate. Version 1 records
// (one event each, written before group sealing) are still read.
//
// Durability: events queue while a flush is in progress; each flush seals every queued event into one
// record, writes it with one O_DSYNC write, then resolves their promises (group commit). O_DSYNC makes
// each write(2) return only once its data is on disk, as write + fdatasync would, in one thread-pool trip
// instead of two (docs/benchmarks.md part 1, round 7).
// Sealing per batch rather than per event is what makes the trail cheap under load: one cipher and one
// line per disk flush instead of per request. A failure rejects the whole batch, so no caller is told an
// event is recorded unless it reached the disk.
//
// Preallocation: the file is extended with written zeros, PREALLOCATE_BYTES at a time, ahead of the
// records, and each record overwrites part of that zero tail. An append changes the file's size, so its
// synchronous write must also commit the inode through the ext4 journal; an overwrite inside the file's
// size flushes only the data block (open(2), O_DSYNC, and fdatasync(2): metadata "not needed for a
// subsequent data retrieval" is skipped). The zeros must be written, not fallocate()d: unwritten extents
// convert on first write, which is a metadata change again. Measured on this project's VM: 92 against
// 130 µs per flush of a 600-byte record (p50), and a third less CPU. With appends, O_DSYNC had gained
// nothing over write + fdatasync; with preallocation it gains a little (round 7). close() truncates the
// unused tail; after a crash the reader ignores a tail of zeros.
import { randomBytes } from 'node:crypto';
import { closeSync, constants, fstatSync, ftruncateSync, mkdirSync, openSync, rmSync, write } from 'node:fs';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { gcmSeal } from '../crypto/aead.js';
import { encodeParts } from '../crypto/encryption-context.js';
import { sp800108 } from '../crypto/kdf.js';
import type { AuditEvent } from './event.js';
import { type AuditSink, AuditUnavailableError } from './sink.js';

const writeAsync = promisify(write);

/** How far the file is extended with zeros at a time: about 1,700 events of ~600 bytes. */
export const PREALLOCATE_BYTES = 1 << 20;
const ZEROS = Buffer.alloc(PREALLOCATE_BYTES);

export function auditIv(seq: number): Buffer {
  const iv = Buffer.alloc(12);
  iv.writeBigUInt64BE(BigInt(seq), 4);
  return iv;
}

export function auditAad(fileName: string, seq: number, version: 1 | 2 = 2): Buffer {
  return encodeParts([`keyhold-audit-v${version}`, fileName, String(seq)]);
}

export function auditFileKey(auditKey: Buffer, fileName: string): Buffer {
  const salt = /-([0-9a-f]{32})\.jsonl$/.exec(fileName)?.[1];
  if (!salt) throw new Error(`not an audit file name: ${fileName}`);
  return sp800108(auditKey, 'keyhold:audit-file', Buffer.from(salt, 'hex'));
}

interface Pending {
  json: string;
  resolve: () => void;
  reject: (e: unknown) => void;
}

/** One open audit file: its descriptor, name (the key's salt is in it), key, and where records go. */
interface OpenFile {
  readonly path: string;
  readonly fd: number;
  readonly name: string;
  readonly key: Buffer;
  seq: number;
  /** Where the next record goes: the end of the records, before the zero tail. */
  end: number;
  /** The file's size: records plus the zero tail written ahead of them. */
  size: number;
  /** The end of the UTC day it was opened on (epoch ms; JavaScript's days are all 86,400,000 ms). */
  readonly dayEnds: number;
}

/** How long a sink that failed waits before it tries a new file (the disk may have space again by then). */
export const RETRY_AFTER_MS = 1000;

/**
 * A new file starts once the current one holds this much, and at the first write of each UTC day, so that the
 * trail is a series of bounded files, each complete once a newer one exists: old ones can be archived or
 * deleted by the date in their names, as CloudTrail's delivered files are (a file cannot be cut otherwise: its
 * records are bound to its name and their sequence).
 */
export const ROTATE_BYTES = 256 * 1024 * 1024;
const DAY_MS = 86_400_000;

export interface SinkOptions {
  /** RETRY_AFTER_MS unless given. */
  retryAfterMs?: number;
  /** ROTATE_BYTES unless given. */
  rotateBytes?: number;
  /** The clock that names files and tells the day (Date.now unless given; tests move it across midnight). */
  now?: () => number;
}

export class EncryptedJsonlSink implements AuditSink {
  readonly #auditKey: Buffer;
  readonly #target: { dir: string } | { path: string };
  #file: OpenFile;
  #queue: Pending[] = [];
  #flushing = false;
  #healthy = true;
  #retryTimer: NodeJS.Timeout | undefined;
  #retrying: Promise<boolean> | undefined;
  readonly #retryAfterMs: number;
  readonly #rotateBytes: number;
  readonly #now: () => number;
  /** After a new file could not be opened for rotation, when to try again (records go on into the current one). */
  #rotateNotBefore = 0;
  #closed = false;

  /** Creates a new file in `dir`, or writes after the end of `path` when given (tests point it at /dev/full). */
  constructor(auditKey: Buffer, target: { dir: string } | { path: string }, opts: SinkOptions = {}) {
    this.#auditKey = auditKey;
    this.#target = target;
    this.#retryAfterMs = opts.retryAfterMs ?? RETRY_AFTER_MS;
    this.#rotateBytes = opts.rotateBytes ?? ROTATE_BYTES;
    this.#now = opts.now ?? Date.now;
    this.#file = this.#open();
  }

  /** The file records go to now. */
  get path(): string {
    return this.#file.path;
  }

  #open(): OpenFile {
    const target = this.#target;
    const openedAt = this.#now();
    const opened = new Date(openedAt).toISOString();
    let path: string;
    if ('dir' in target) {
      mkdirSync(target.dir, { recursive: true, mode: 0o700 });
      const stamp = opened.replace(/[-:.]/g, '');
      path = join(target.dir, `audit-${stamp}-${randomBytes(16).toString('hex')}.jsonl`);
    } else {
      path = target.path;
    }
    const base = basename(path);
    const name = /-([0-9a-f]{32})\.jsonl$/.test(base) ? base : `${base}-${randomBytes(16).toString('hex')}.jsonl`;
    // Not O_APPEND: records are written at #end, inside the zero tail, so that pwrite's offset counts.
    const { O_CREAT, O_DSYNC, O_EXCL, O_RDWR } = constants;
    const fd = openSync(path, ('dir' in target ? O_CREAT | O_EXCL : 0) | O_RDWR | O_DSYNC, 0o600);
    const size = fstatSync(fd).size;
    return { path, fd, name, key: auditFileKey(this.#auditKey, name), seq: 0, end: size, size, dayEnds: (Math.floor(openedAt / DAY_MS) + 1) * DAY_MS };
  }

  /** False from a failed write until the sink has a file it can write again (see retry()). */
  get healthy(): boolean {
    return this.#healthy && !this.#closed;
  }

  /**
   * After a failure, a retry every RETRY_AFTER_MS until one succeeds. The edges refuse requests before they run
   * while the sink is unhealthy, so no request's write would ever find out that the disk has room again (a full
   * disk is the usual failure); the timer does not keep the process alive.
   */
  #failed(): void {
    this.#healthy = false;
    if (this.#retryTimer || this.#closed) return;
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      void this.retry();
    }, this.#retryAfterMs);
    this.#retryTimer.unref();
  }

  /**
   * Starts a new file and writes its first zero tail; true once the sink is healthy again. A file whose write
   * failed is not written again: the failed record used a sequence number (its IV under the file's key), which
   * must not be used twice, and skipping it would read as a deleted record. The old file ends at its last
   * whole record; the reader reads the files in order. A sink given a path (a test's /dev/full) has no
   * other file to go to and stays failed.
   */
  retry(): Promise<boolean> {
    this.#retrying ??= this.#retry().finally(() => {
      this.#retrying = undefined;
    });
    return this.#retrying;
  }

  async #retry(): Promise<boolean> {
    // A flush in progress (requests admitted before the failure) finishes first.
    while (this.#flushing) await new Promise((r) => setImmediate(r));
    if (this.#healthy || this.#closed) return this.#healthy;
    if (!('dir' in this.#target)) return false;
    this.#flushing = true;
    try {
      const next = this.#open();
      try {
        next.size += await writeAll(next.fd, ZEROS, next.size);
      } catch (err) {
        // Not left behind: a retry a second on a full disk would otherwise leave a file a second.
        closeSync(next.fd);
        rmSync(next.path, { force: true });
        throw err;
      }
      this.#retire(this.#file);
      this.#file = next;
      this.#healthy = true;
    } catch {
      this.#failed();
    } finally {
      this.#flushing = false;
    }
    if (this.#queue.length > 0) void this.#flush();
    return this.#healthy;
  }

  write(event: AuditEvent): Promise<void> {
    if (this.#closed) return Promise.reject(new AuditUnavailableError('sink closed'));
    const json = JSON.stringify(event);
    return new Promise<void>((resolve, reject) => {
      this.#queue.push({ json, resolve, reject });
      if (!this.#flushing) void this.#flush();
    });
  }

  async #flush(): Promise<void> {
    this.#flushing = true;
    while (this.#queue.length > 0) {
      const batch = this.#queue;
      this.#queue = [];
      if (!this.#healthy) {
        // The file failed: nothing more goes into it (see retry()).
        const e = new AuditUnavailableError('an earlier write failed');
        for (const p of batch) p.reject(e);
        continue;
      }
      if (this.#rotationDue()) this.#rotate();
      const f = this.#file;
      try {
        const data = this.#seal(f, batch);
        // Only the flush that grows the file commits a new size (with its zeros); every other flush
        // finds the record's blocks already allocated.
        while (f.end + data.length > f.size) f.size += await writeAll(f.fd, ZEROS, f.size);
        await writeAll(f.fd, data, f.end);
        f.end += data.length;
        for (const p of batch) p.resolve();
      } catch (err) {
        this.#failed();
        const e = new AuditUnavailableError(err);
        for (const p of batch) p.reject(e);
      }
    }
    this.#flushing = false;
  }

  /** Whether the current file is full or from an earlier UTC day (see ROTATE_BYTES). */
  #rotationDue(): boolean {
    const f = this.#file;
    if (!('dir' in this.#target) || (f.end === 0 && f.seq === 0)) return false;
    const now = this.#now();
    return now >= this.#rotateNotBefore && (f.end >= this.#rotateBytes || now >= f.dayEnds);
  }

  /**
   * Goes on in a new file; the current one ends at its last record. When no new file can be opened (no space for
   * a directory entry, no file descriptor), records go on into the current file, which still works, and the
   * rotation is tried again after RETRY_AFTER_MS.
   */
  #rotate(): void {
    try {
      const next = this.#open();
      this.#retire(this.#file);
      this.#file = next;
    } catch {
      this.#rotateNotBefore = this.#now() + this.#retryAfterMs;
    }
  }

  /**
   * Closes a file no longer written: its unused zero tail goes (a failed truncate leaves it for the reader). Never
   * throws: a file that failed may fail its close too, and what it holds was written or refused already.
   */
  #retire(f: OpenFile): void {
    try {
      if (f.size > f.end) ftruncateSync(f.fd, f.end);
    } catch {}
    try {
      closeSync(f.fd);
    } catch {}
  }

  /** One record for the whole batch: its events as JSON lines, sealed under the next sequence number. */
  #seal(f: OpenFile, batch: ReadonlyArray<Pending>): Buffer {
    const seq = ++f.seq;
    const plaintext = Buffer.from(batch.length === 1 ? batch[0]!.json : batch.map((p) => p.json).join('\n'));
    const { ciphertext, tag } = gcmSeal(f.key, plaintext, auditAad(f.name, seq), auditIv(seq));
    return Buffer.from(`{"v":2,"seq":${seq},"d":"${Buffer.concat([ciphertext, tag]).toString('base64')}"}\n`);
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#retryTimer);
    while (this.#flushing) await new Promise((r) => setImmediate(r));
    this.#retire(this.#file);
  }
}

/** Writes all of `data` at `position`; returns its length. */
async function writeAll(fd: number, data: Buffer, position: number): Promise<number> {
  let off = 0;
  while (off < data.length) off += (await writeAsync(fd, data, off, data.length - off, position + off)).bytesWritten;
  return data.length;
}
