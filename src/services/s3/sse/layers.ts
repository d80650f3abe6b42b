// The encryption layers of an object's stream. An object key holds one 256-bit key per layer: SSE-S3, SSE-KMS and
// SSE-C objects have one layer, DSSE-KMS objects two (https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingDSSEncryption.html):
// the inner one under the KMS data key, the outer one under an independent key (sse/object-keys.ts). Each layer
// is a whole segmented AES-256-GCM stream (crypto/stream-aead.ts) with its own derived key; the outer layer's
// binding differs from the inner's, so the layers cannot be swapped or peeled in another order.
import { encodeParts } from '../../../crypto/encryption-context.js';
import { ciphertextLength, decryptRange, encryptStream, planRange, type SegmentPlan } from '../../../crypto/stream-aead.js';

interface Layer {
  key: Buffer;
  binding: Buffer;
}

/** Innermost first. */
function layersOf(objectKey: Buffer, place: Buffer): Layer[] {
  if (objectKey.length === 32) return [{ key: objectKey, binding: place }];
  if (objectKey.length === 64) {
    return [
      { key: objectKey.subarray(0, 32), binding: place },
      { key: objectKey.subarray(32), binding: encodeParts(['keyhold-dsse-outer-layer-v1', place]) },
    ];
  }
  throw new RangeError('an object key holds one or two 256-bit keys');
}

/** Encrypts a plaintext stream with every layer of `objectKey`; yields the stored bytes. `onTag` sees the outermost layer's tags. */
export function encryptLayers(
  objectKey: Buffer,
  salt: Buffer,
  place: Buffer,
  segmentBytes: number,
  source: AsyncIterable<Buffer>,
  onTag?: (tag: Buffer) => void,
): AsyncIterable<Buffer> {
  const layers = layersOf(objectKey, place);
  let stream: AsyncIterable<Buffer> = source;
  layers.forEach((layer, i) => {
    stream = encryptStream({ objectKey: layer.key, salt, binding: layer.binding, segmentBytes }, stream, i === layers.length - 1 ? onTag : undefined);
  });
  return stream;
}

/**
 * What reading plaintext bytes [start, end] of an object of `size` bytes needs: the stored range, and how to open it.
 * `open` accepts stored bytes in chunks that their producer reuses once the next is requested (BlobStore.get).
 */
export function planLayers(
  objectKey: Buffer,
  place: Buffer,
  size: number,
  start: number,
  end: number,
  segmentBytes: number,
): { storedLength: number; cipherStart: number; cipherEnd: number; open: (salt: Buffer, stored: AsyncIterable<Buffer>) => AsyncIterable<Buffer> } {
  const layers = layersOf(objectKey, place);
  // lengths[i]: the bytes layer i encrypts (lengths[0] the plaintext); plans[i]: the part of them the read needs.
  const lengths = [size];
  const plans: SegmentPlan[] = [size === 0 ? planRange(0, 0, 0, segmentBytes) : planRange(size, start, end, segmentBytes)];
  for (let i = 1; i < layers.length; i++) {
    lengths.push(ciphertextLength(lengths[i - 1]!, segmentBytes));
    plans.push(planRange(lengths[i]!, plans[i - 1]!.cipherStart, plans[i - 1]!.cipherEnd, segmentBytes));
  }
  const outer = plans[plans.length - 1]!;
  return {
    storedLength: ciphertextLength(lengths[lengths.length - 1]!, segmentBytes),
    cipherStart: outer.cipherStart,
    cipherEnd: outer.cipherEnd,
    open: (salt, stored) => {
      let stream = stored;
      for (let i = layers.length - 1; i >= 0; i--) {
        // The outermost layer reads the blob store's recycled buffers; inner layers read fresh plaintext.
        stream = decryptRange({ objectKey: layers[i]!.key, salt, binding: layers[i]!.binding, segmentBytes }, lengths[i]!, plans[i]!, stream, {
          sourceReusesBuffers: i === layers.length - 1,
        });
      }
      return stream;
    },
  };
}
