// Keyhold's KMS ciphertext blob, format v1 (docs/formats.md "KMS ciphertext blob"). Pure: no I/O.
//
//   offset  size  field
//   0       1     version = 0x01
//   1       16    key id (the UUID's 16 bytes)
//   17      32    key material id
//   49      16    salt (random per call)
//   65      12    GCM IV (random per call)
//   77      n     ciphertext
//   77+n    16    GCM tag
//
//   dataKey = SP800-108-CTR-HMAC-SHA256(material, label "keyhold:kms-symmetric-v1", context salt)
//   AAD     = blob[0..65) || canonical(encryptionContext)
// A fresh key per call (as AWS KMS derives one per call from the HBK and a nonce, kms.md §7) keeps every
// key far from GCM's random-IV limit; the header in the AAD stops version/key/material swaps; the
// length-prefixed context encoding stops {"a":"bc"}/{"ab":"c"} confusion.
import { AeadError, GCM_IV_BYTES, GCM_TAG_BYTES, gcmOpen, gcmSeal } from '../../../crypto/aead.js';
import { type EncryptionContext, encodeEncryptionContext } from '../../../crypto/encryption-context.js';
import { sp800108 } from '../../../crypto/kdf.js';
import { csprng, type RandomSource } from '../../../crypto/random.js';

export const BLOB_VERSION = 0x01;
const KEY_ID_BYTES = 16;
export const MATERIAL_ID_BYTES = 32;
const SALT_BYTES = 16;
const HEADER_BYTES = 1 + KEY_ID_BYTES + MATERIAL_ID_BYTES + SALT_BYTES;
export const BLOB_OVERHEAD = HEADER_BYTES + GCM_IV_BYTES + GCM_TAG_BYTES;
const LABEL = Buffer.from('keyhold:kms-symmetric-v1');

export class InvalidBlobError extends Error {}

export interface BlobHeader {
  keyId: string;
  materialId: string;
}

export function uuidToBytes(uuid: string): Buffer {
  return Buffer.from(uuid.replace(/-/g, ''), 'hex');
}

function bytesToUuid(b: Buffer): string {
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

// version || key id || material id is the same for every blob under one material: encoded once.
const FIXED_BYTES = 1 + KEY_ID_BYTES + MATERIAL_ID_BYTES;
// Keyed by the material id's string alone (a stable string of the key record, hashed once by V8) and
// checked against the key id: ids are random 256-bit values, the check only guards the encoding.
const fixedHeads = new Map<string, { keyId: string; bytes: Buffer }>();

function fixedHead(header: BlobHeader): Buffer {
  const hit = fixedHeads.get(header.materialId);
  if (hit?.keyId === header.keyId) return hit.bytes;
  const fixed = Buffer.allocUnsafe(FIXED_BYTES);
  fixed[0] = BLOB_VERSION;
  uuidToBytes(header.keyId).copy(fixed, 1);
  Buffer.from(header.materialId, 'hex').copy(fixed, 1 + KEY_ID_BYTES);
  if (fixedHeads.size >= 10_000) fixedHeads.clear();
  fixedHeads.set(header.materialId, { keyId: header.keyId, bytes: fixed });
  return fixed;
}

export function encryptBlob(
  header: BlobHeader,
  material: Buffer,
  plaintext: Buffer,
  context: EncryptionContext | undefined,
  random: RandomSource = csprng,
): Buffer {
  const aadContext = encodeEncryptionContext(context);
  // The blob is assembled in place: header, salt and IV are written into it and used from there.
  const blob = Buffer.allocUnsafe(BLOB_OVERHEAD + plaintext.length);
  fixedHead(header).copy(blob, 0);
  random(SALT_BYTES).copy(blob, FIXED_BYTES);
  random(GCM_IV_BYTES).copy(blob, HEADER_BYTES);
  const head = blob.subarray(0, HEADER_BYTES);
  const key = sp800108(material, LABEL, blob.subarray(FIXED_BYTES, HEADER_BYTES));
  const { ciphertext, tag } = gcmSeal(key, plaintext, Buffer.concat([head, aadContext]), blob.subarray(HEADER_BYTES, HEADER_BYTES + GCM_IV_BYTES));
  key.fill(0);
  ciphertext.copy(blob, HEADER_BYTES + GCM_IV_BYTES);
  tag.copy(blob, blob.length - GCM_TAG_BYTES);
  return blob;
}

/** Reads the clear header; throws InvalidBlobError for anything that is not a v1 blob. */
export function readBlobHeader(blob: Buffer): BlobHeader {
  if (blob.length < BLOB_OVERHEAD || blob[0] !== BLOB_VERSION) throw new InvalidBlobError();
  return {
    keyId: bytesToUuid(blob.subarray(1, 1 + KEY_ID_BYTES)),
    materialId: blob.subarray(1 + KEY_ID_BYTES, 1 + KEY_ID_BYTES + MATERIAL_ID_BYTES).toString('hex'),
  };
}

export function decryptBlob(blob: Buffer, material: Buffer, context: EncryptionContext | undefined): Buffer {
  readBlobHeader(blob);
  const head = blob.subarray(0, HEADER_BYTES);
  const key = sp800108(material, LABEL, head.subarray(HEADER_BYTES - SALT_BYTES));
  try {
    return gcmOpen(
      key,
      blob.subarray(HEADER_BYTES, HEADER_BYTES + GCM_IV_BYTES),
      blob.subarray(HEADER_BYTES + GCM_IV_BYTES, blob.length - GCM_TAG_BYTES),
      blob.subarray(blob.length - GCM_TAG_BYTES),
      Buffer.concat([head, encodeEncryptionContext(context)]),
    );
  } catch (err) {
    if (err instanceof AeadError) throw new InvalidBlobError();
    throw err;
  } finally {
    key.fill(0);
  }
}
