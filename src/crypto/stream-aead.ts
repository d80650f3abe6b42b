// Segmented streaming AEAD for objects at rest (format v1, docs/formats.md "object stream"), in the shape
// of MinIO's DARE and Tink's streaming AEAD (shared/reference/s3.md §14):
//   streamKey = SP800-108(objectKey, "keyhold:object-stream-v1", salt)          salt: 32 random bytes
//   segment i = AES-256-GCM(streamKey, iv = u64be(i) || u32be(final ? 1 : 0), aad, plaintext[i*S, (i+1)*S))
//   aad       = encodeParts(["keyhold-object-stream-v1", u32be(S), salt, binding])
// The blob is the concatenation of the sealed segments (ciphertext || tag); everything else (salt,
// segment size, plaintext length, wrapped key) lives in the object's metadata. A stream always ends
// with a segment marked final (an empty object is one empty final segment), so truncating, reordering,
// dropping or swapping segments — or moving them to another object (`binding`) — fails authentication.
// Ranges map arithmetically to segments; only the segments a range touches are read and decrypted, and
// no plaintext is released before its segment's tag has verified.
import { AeadError, GCM_TAG_BYTES, gcmOpen, gcmSeal } from './aead.js';
import { encodeParts } from './encryption-context.js';
import { sp800108 } from './kdf.js';

export const DEFAULT_SEGMENT_BYTES = 64 * 1024;
export const STREAM_SALT_BYTES = 32;

export interface StreamParams {
  /** The object's own 256-bit data key (never stored in clear). */
  objectKey: Buffer;
  salt: Buffer;
  /** Where the ciphertext belongs (bucket, key, version, part...): bound into every segment. */
  binding: Buffer;
  segmentBytes?: number;
}

export class StreamAuthError extends Error {
  constructor(message = 'object ciphertext failed authentication') {
    super(message);
    this.name = 'StreamAuthError';
  }
}

interface Prepared {
  key: Buffer;
  aad: Buffer;
  seg: number;
}

function prepare(p: StreamParams): Prepared {
  const seg = p.segmentBytes ?? DEFAULT_SEGMENT_BYTES;
  if (!Number.isInteger(seg) || seg < 16 || seg > 16 * 1024 * 1024) throw new RangeError('invalid segment size');
  if (p.salt.length !== STREAM_SALT_BYTES) throw new RangeError('invalid stream salt');
  const segBuf = Buffer.alloc(4);
  segBuf.writeUInt32BE(seg);
  return {
    key: sp800108(p.objectKey, 'keyhold:object-stream-v1', p.salt),
    aad: encodeParts(['keyhold-object-stream-v1', segBuf, p.salt, p.binding]),
    seg,
  };
}

/**
 * Bytes queued in arrival order. take(n) returns a view when the first chunk holds n bytes and otherwise
 * copies exactly n bytes, leaving the rest of the last chunk it touched as a view: reading 1 MiB chunks
 * into 64 KiB segments copies only the segments that straddle two chunks, not every chunk again.
 */
class ByteQueue {
  #chunks: Buffer[] = [];
  length = 0;

  push(b: Buffer): void {
    if (b.length === 0) return;
    this.#chunks.push(b);
    this.length += b.length;
  }

  take(n: number): Buffer {
    if (n === 0) return Buffer.alloc(0);
    const first = this.#chunks[0]!;
    this.length -= n;
    if (first.length >= n) {
      if (first.length === n) this.#chunks.shift();
      else this.#chunks[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n) {
      const c = this.#chunks[0]!;
      const used = Math.min(c.length, n - filled);
      c.copy(out, filled, 0, used);
      filled += used;
      if (used === c.length) this.#chunks.shift();
      else this.#chunks[0] = c.subarray(used);
    }
    return out;
  }

  /** Copies what is queued into a buffer of its own, so the chunks it came from may be reused. */
  detach(): void {
    if (this.#chunks.length > 0) this.#chunks = [Buffer.concat(this.#chunks, this.length)];
  }
}

function iv(index: number, final: boolean): Buffer {
  const b = Buffer.alloc(12);
  b.writeBigUInt64BE(BigInt(index), 0);
  b.writeUInt32BE(final ? 1 : 0, 8);
  return b;
}

export function segmentCount(plainLength: number, segmentBytes = DEFAULT_SEGMENT_BYTES): number {
  return Math.max(1, Math.ceil(plainLength / segmentBytes));
}

export function ciphertextLength(plainLength: number, segmentBytes = DEFAULT_SEGMENT_BYTES): number {
  return plainLength + segmentCount(plainLength, segmentBytes) * GCM_TAG_BYTES;
}

/**
 * Encrypts a plaintext stream of any chunking into sealed segments. Each segment is yielded as its ciphertext
 * and then its tag, two chunks that are never joined (the blob is their concatenation): joining them cost a
 * 64 KiB allocation and copy per segment, as much as sealing it (docs/benchmarks.md part 2). `onTag` sees
 * every segment's tag, in order.
 */
export async function* encryptStream(p: StreamParams, source: AsyncIterable<Buffer | Uint8Array>, onTag?: (tag: Buffer) => void): AsyncGenerator<Buffer> {
  const { key, aad, seg } = prepare(p);
  const pending = new ByteQueue();
  let index = 0;
  const seal = (pt: Buffer, final: boolean): [Buffer, Buffer] | [Buffer] => {
    const { ciphertext, tag } = gcmSeal(key, pt, aad, iv(index++, final));
    onTag?.(tag);
    return ciphertext.length > 0 ? [ciphertext, tag] : [tag];
  };
  try {
    for await (const chunk of source) {
      pending.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
      // Seal a segment only once more data follows it, so the last one can be marked final.
      while (pending.length > seg) yield* seal(pending.take(seg), false);
    }
    yield* seal(pending.take(pending.length), true);
  } finally {
    key.fill(0);
  }
}

/** A blob whose size is not the one its metadata implies was truncated or extended: refuse it before reading. */
export function assertCiphertextLength(blobSize: number, plainLength: number, segmentBytes = DEFAULT_SEGMENT_BYTES): void {
  if (blobSize !== ciphertextLength(plainLength, segmentBytes)) throw new StreamAuthError('object ciphertext length does not match its metadata');
}

export interface SegmentPlan {
  firstSegment: number;
  lastSegment: number;
  /** Inclusive byte range of the blob to read. */
  cipherStart: number;
  cipherEnd: number;
  /** Plaintext bytes to drop from the first segment, and to release in total. */
  skip: number;
  length: number;
}

/** Which segments (and blob bytes) an inclusive plaintext range needs. */
export function planRange(plainLength: number, start: number, end: number, segmentBytes = DEFAULT_SEGMENT_BYTES): SegmentPlan {
  if (plainLength === 0) return { firstSegment: 0, lastSegment: 0, cipherStart: 0, cipherEnd: GCM_TAG_BYTES - 1, skip: 0, length: 0 };
  if (start < 0 || end < start || end >= plainLength) throw new RangeError('range outside the object');
  const sealed = segmentBytes + GCM_TAG_BYTES;
  const firstSegment = Math.floor(start / segmentBytes);
  const lastSegment = Math.floor(end / segmentBytes);
  return {
    firstSegment,
    lastSegment,
    cipherStart: firstSegment * sealed,
    cipherEnd: Math.min((lastSegment + 1) * sealed, ciphertextLength(plainLength, segmentBytes)) - 1,
    skip: start - firstSegment * segmentBytes,
    length: end - start + 1,
  };
}

/**
 * Decrypts the blob bytes of `plan` (a whole object: planRange(len, 0, len - 1)) and yields exactly the
 * requested plaintext. `plainLength` is the authenticated-by-metadata object length: it decides which
 * segment is the final one. With `sourceReusesBuffers`, each source chunk is only valid until the next is
 * requested (the blob store reads into recycled buffers): the part of a segment left at the end of a chunk
 * is copied out before the next one is read. The yielded plaintext never aliases the source.
 */
export async function* decryptRange(
  p: StreamParams,
  plainLength: number,
  plan: SegmentPlan,
  source: AsyncIterable<Buffer | Uint8Array>,
  opts: { sourceReusesBuffers?: boolean } = {},
): AsyncGenerator<Buffer> {
  const { key, aad, seg } = prepare(p);
  const lastIndex = segmentCount(plainLength, seg) - 1;
  const sealedSize = (i: number) => (i < lastIndex ? seg : plainLength - lastIndex * seg) + GCM_TAG_BYTES;
  let index = plan.firstSegment;
  let skip = plan.skip;
  let remaining = plan.length;
  // Incoming chunks are queued and joined only once a whole sealed segment is available.
  const queue = new ByteQueue();
  const open = (sealed: Buffer): Buffer => {
    try {
      return gcmOpen(
        key,
        iv(index, index === lastIndex),
        sealed.subarray(0, sealed.length - GCM_TAG_BYTES),
        sealed.subarray(sealed.length - GCM_TAG_BYTES),
        aad,
      );
    } catch (err) {
      if (err instanceof AeadError) throw new StreamAuthError();
      throw err;
    }
  };
  try {
    for await (const chunk of source) {
      queue.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
      while (index <= plan.lastSegment && queue.length >= sealedSize(index)) {
        const pt = open(queue.take(sealedSize(index)));
        index++;
        const out = pt.subarray(skip, skip + Math.min(remaining, pt.length - skip));
        skip = 0;
        remaining -= out.length;
        if (out.length) yield out;
      }
      if (index > plan.lastSegment && queue.length > 0) throw new StreamAuthError('object ciphertext is longer than its metadata says');
      if (opts.sourceReusesBuffers) queue.detach();
    }
    if (index <= plan.lastSegment) throw new StreamAuthError('object ciphertext is truncated');
  } finally {
    key.fill(0);
  }
}
