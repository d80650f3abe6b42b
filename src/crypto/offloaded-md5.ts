// MD5 of large request bodies on a helper thread. S3 needs the MD5 of every single-part upload (it is the
// ETag of SSE-S3 objects and what Content-MD5 is checked against); in the profile of a 64 MiB PUT it took 30%
// of the server's CPU, more than AES-GCM (docs/benchmarks.md, part 2). Hashing on the event loop serialises
// it with TLS and encryption; here each chunk is copied (a memcpy, far cheaper than MD5) and transferred to
// one helper thread, which hashes beside the event loop on another core. Small bodies, and any process where
// the helper cannot run, hash in-thread: same digest, no message round trip.
import { createHash } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import type { Md5Message } from './md5-worker.js';

export interface Md5Stream {
  update(chunk: Buffer): void;
  digest(): Promise<Buffer>;
  /** Drops the stream (the body was refused or the connection went away). */
  abort(): void;
}

/** Bodies below this are hashed in-thread: the round trip would cost more than it saves. */
export const OFFLOAD_MIN_BYTES = 1024 * 1024;

class InlineMd5 implements Md5Stream {
  readonly #h = createHash('md5');
  update(chunk: Buffer): void {
    this.#h.update(chunk);
  }
  async digest(): Promise<Buffer> {
    return this.#h.digest();
  }
  abort(): void {}
}

let helper: Worker | undefined;
let unavailable = false;
let nextId = 1;
let openStreams = 0;
const waiting = new Map<number, { resolve: (d: Buffer) => void; reject: (e: Error) => void }>();

function helperThread(): Worker | undefined {
  if (unavailable) return undefined;
  if (!helper) {
    try {
      // No inherited execArgv: flags meant for the main script (e.g. --input-type) must not reach it.
      helper = new Worker(new URL('./md5-worker.js', import.meta.url), { execArgv: [] });
    } catch {
      unavailable = true;
      return undefined;
    }
    helper.on('message', (m: { id: number; digest: Uint8Array }) => {
      const w = waiting.get(m.id);
      waiting.delete(m.id);
      w?.resolve(Buffer.from(m.digest.buffer, m.digest.byteOffset, m.digest.byteLength));
    });
    // Should the helper fail or exit, streams in flight fail (their requests get an error and nothing is
    // stored) and later ones hash in-thread.
    const lost = (err: Error) => {
      unavailable = true;
      helper = undefined;
      for (const w of waiting.values()) w.reject(err);
      waiting.clear();
    };
    helper.on('error', lost);
    helper.on('exit', (code) => lost(new Error(`MD5 helper thread exited (${code})`)));
    // The helper keeps the process alive only while a stream is open (after the listeners: attaching a
    // 'message' listener refs the worker again).
    helper.unref();
  }
  return helper;
}

class OffloadedMd5 implements Md5Stream {
  readonly #id = nextId++;
  #failed = false;
  #open = true;

  constructor(private readonly worker: Worker) {
    if (openStreams++ === 0) worker.ref();
  }

  #close(): void {
    if (!this.#open) return;
    this.#open = false;
    if (--openStreams === 0) this.worker.unref();
  }

  #send(m: Md5Message, transfer: ArrayBuffer[] = []): void {
    try {
      this.worker.postMessage(m, transfer);
    } catch {
      this.#failed = true;
    }
  }

  update(chunk: Buffer): void {
    const copy = new Uint8Array(chunk.length);
    copy.set(chunk);
    this.#send({ id: this.#id, chunk: copy.buffer }, [copy.buffer]);
  }

  digest(): Promise<Buffer> {
    if (this.#failed || unavailable) {
      this.#close();
      return Promise.reject(new Error('MD5 helper thread unavailable'));
    }
    return new Promise<Buffer>((resolve, reject) => {
      waiting.set(this.#id, { resolve, reject });
      this.#send({ id: this.#id, end: true });
    }).finally(() => this.#close());
  }

  abort(): void {
    if (!this.#open) return;
    this.#send({ id: this.#id, abort: true });
    this.#close();
  }
}

/** An MD5 for a body of about `expectedBytes` (undefined when unknown: hashed in-thread). */
export function md5Stream(expectedBytes: number | undefined): Md5Stream {
  const worker = expectedBytes !== undefined && expectedBytes >= OFFLOAD_MIN_BYTES ? helperThread() : undefined;
  return worker ? new OffloadedMd5(worker) : new InlineMd5();
}
