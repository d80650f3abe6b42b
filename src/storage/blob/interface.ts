// The blob store: large opaque byte streams under store-generated ids. User-supplied names never
// become paths; callers keep the mapping from their names to blob ids in the metadata store.
// Every implementation must pass ./conformance.ts.
import type { Readable } from 'node:stream';

export interface BlobRange {
  /** Inclusive start offset. */
  start: number;
  /** Inclusive end offset. */
  end: number;
}

export interface BlobStore {
  /** Streams `source` into a new blob; resolves only once the bytes are durable. */
  put(source: AsyncIterable<Buffer | Uint8Array> | Readable): Promise<{ id: string; size: number }>;
  /**
   * Streams a blob (or a byte range of it) out without buffering it whole. The store may read into buffers
   * it reuses: a chunk is valid only until the next one is requested, so a consumer copies what it keeps.
   * Stopping early (`break`, `return()`) releases the blob's file.
   */
  get(id: string, range?: BlobRange): Promise<AsyncIterable<Buffer>>;
  size(id: string): Promise<number | undefined>;
  /** The id of every blob stored (finished puts only, in no particular order): for the orphan sweep. */
  list(): AsyncIterable<string>;
  delete(id: string): Promise<void>;
  close(): Promise<void>;
}

export class BlobNotFoundError extends Error {
  constructor(id: string) {
    super(`blob ${id} not found`);
    this.name = 'BlobNotFoundError';
  }
}
