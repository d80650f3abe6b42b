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
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { GCM_TAG_BYTES } from './aead.js';
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
 * Bytes queued in arrival order. take(n) returns exactly n bytes as views of the queued chunks (one view
 * when the first chunk holds n bytes): a segment that straddles chunks is fed to the cipher piece by piece
 * instead of being joined first, so no byte is copied before the cipher reads it.
 */
class ByteQueue {
  #chunks: Buffer[] = [];
  length = 0;

  push(b: Buffer): void {
    if (b.length === 0) return;
    this.#chunks.push(b);
    this.length += b.length;
  }

  take(n: number): Buffer[] {
    const out: Buffer[] = [];
    this.length -= n;
    let left = n;
    while (left > 0) {
      const c = this.#chunks[0]!;
      if (c.length <= left) {
        this.#chunks.shift();
        out.push(c);
        left -= c.length;
      } else {
        out.push(c.subarray(0, left));
        this.#chunks[0] = c.subarray(left);
        left = 0;
      }
    }
    return out;
  }
}

/** Seals one segment given as pieces; returns the ciphertext pieces followed by the tag. */
function sealSegment(key: Buffer, iv: Buffer, aad: Buffer, pieces: ReadonlyArray<Buffer>): Buffer[] {
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: GCM_TAG_BYTES });
  cipher.setAAD(aad);
  const out: Buffer[] = [];
  for (const p of pieces) {
    const c = cipher.update(p);
    if (c.length) out.push(c);
  }
  const tail = cipher.final(); // GCM is a stream mode: final() yields no bytes, only the tag
  if (tail.length) out.push(tail);
  out.push(cipher.getAuthTag());
  return out;
}

/**
 * Opens one sealed segment given as pieces (ciphertext then the 16-byte tag, split anywhere). The
 * plaintext pieces are returned only after final() has verified the tag: nothing unauthenticated leaves.
 */
function openSegment(key: Buffer, iv: Buffer, aad: Buffer, pieces: ReadonlyArray<Buffer>, sealedLength: number): Buffer[] {
  const tagStart = sealedLength - GCM_TAG_BYTES;
  const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: GCM_TAG_BYTES });
  decipher.setAAD(aad);
  const out: Buffer[] = [];
  const tagPieces: Buffer[] = [];
  let at = 0;
  for (const p of pieces) {
    const ctPart = at >= tagStart ? 0 : Math.min(p.length, tagStart - at);
    if (ctPart > 0) {
      const d = decipher.update(ctPart === p.length ? p : p.subarray(0, ctPart));
      if (d.length) out.push(d);
    }
    if (ctPart < p.length) tagPieces.push(p.subarray(ctPart));
    at += p.length;
  }
  try {
    decipher.setAuthTag(tagPieces.length === 1 ? tagPieces[0]! : Buffer.concat(tagPieces));
    const tail = decipher.final();
    if (tail.length) out.push(tail);
  } catch {
    throw new StreamAuthError();
  }
  return out;
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
 * Encrypts a plaintext stream of any chunking into sealed segments, yielded as pieces (each segment's
 * ciphertext, then its tag) so that nothing is copied to join them; `onTag` sees every segment's tag.
 */
export async function* encryptStream(p: StreamParams, source: AsyncIterable<Buffer | Uint8Array>, onTag?: (tag: Buffer) => void): AsyncGenerator<Buffer> {
  const { key, aad, seg } = prepare(p);
  const pending = new ByteQueue();
  let index = 0;
  const seal = (final: boolean): Buffer[] => {
    const sealed = sealSegment(key, iv(index++, final), aad, pending.take(final ? pending.length : seg));
    onTag?.(sealed[sealed.length - 1]!);
    return sealed;
  };
  try {
    for await (const chunk of source) {
      pending.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
      // Seal a segment only once more data follows it, so the last one can be marked final.
      while (pending.length > seg) for (const piece of seal(false)) yield piece;
    }
    for (const piece of seal(true)) yield piece;
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
 * segment is the final one.
 */
export async function* decryptRange(
  p: StreamParams,
  plainLength: number,
  plan: SegmentPlan,
  source: AsyncIterable<Buffer | Uint8Array>,
): AsyncGenerator<Buffer> {
  const { key, aad, seg } = prepare(p);
  const lastIndex = segmentCount(plainLength, seg) - 1;
  const sealedSize = (i: number) => (i < lastIndex ? seg : plainLength - lastIndex * seg) + GCM_TAG_BYTES;
  let index = plan.firstSegment;
  let skip = plan.skip;
  let remaining = plan.length;
  // Incoming chunks are queued until a whole sealed segment is there, then fed to the decipher as they are.
  const queue = new ByteQueue();
  try {
    for await (const chunk of source) {
      queue.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
      while (index <= plan.lastSegment && queue.length >= sealedSize(index)) {
        const size = sealedSize(index);
        const plain = openSegment(key, iv(index, index === lastIndex), aad, queue.take(size), size);
        index++;
        // Release only the requested bytes: drop `skip` from the first segment, stop after `remaining`.
        for (const pt of plain) {
          const from = Math.min(skip, pt.length);
          skip -= from;
          const out = pt.subarray(from, from + Math.min(remaining, pt.length - from));
          remaining -= out.length;
          if (out.length) yield out;
        }
      }
      if (index > plan.lastSegment && queue.length > 0) throw new StreamAuthError('object ciphertext is longer than its metadata says');
    }
    if (index <= plan.lastSegment) throw new StreamAuthError('object ciphertext is truncated');
  } finally {
    key.fill(0);
  }
}
