// The barrier seals every secret before it reaches a store, and binds each sealed record to its
// identity (namespace, id, version) through the AAD, so a record moved, swapped or replayed under
// another identity fails to open (OpenBao barrier v2 precedent; security.md §2).
//
// Sealed record format v1 (docs/formats.md "barrier record"):
//   0x01 | salt(16) | iv(12) | ciphertext | tag(16)
//   recordKey = SP800-108(barrierKey, "keyhold:barrier-record", salt)     (fresh key per record)
//   AAD       = encodeParts(["keyhold-barrier-v1", namespace, id, version])
import { AeadError, GCM_IV_BYTES, GCM_TAG_BYTES, gcmOpen, gcmSeal } from '../crypto/aead.js';
import { encodeParts } from '../crypto/encryption-context.js';
import { sp800108 } from '../crypto/kdf.js';
import { csprng, type RandomSource } from '../crypto/random.js';
import type { RootKey } from './root-key.js';

const VERSION = 0x01;
const SALT_BYTES = 16;
const HEADER = 1 + SALT_BYTES + GCM_IV_BYTES;

export interface RecordIdentity {
  namespace: string;
  id: string;
  version: number;
}

export class BarrierError extends Error {
  constructor(id: RecordIdentity) {
    super(`sealed record ${id.namespace}/${id.id}@${id.version} failed to open (tampered, moved or wrong root key)`);
    this.name = 'BarrierError';
  }
}

export class Barrier {
  readonly #key: Buffer;
  constructor(
    root: RootKey,
    private readonly random: RandomSource = csprng,
  ) {
    this.#key = root.derive('barrier-v1');
  }

  seal(identity: RecordIdentity, plaintext: Buffer): Buffer {
    const salt = this.random(SALT_BYTES);
    const key = sp800108(this.#key, 'keyhold:barrier-record', salt);
    const { iv, ciphertext, tag } = gcmSeal(key, plaintext, aad(identity), this.random(GCM_IV_BYTES));
    key.fill(0);
    return Buffer.concat([Buffer.of(VERSION), salt, iv, ciphertext, tag]);
  }

  open(identity: RecordIdentity, sealed: Buffer): Buffer {
    if (sealed.length < HEADER + GCM_TAG_BYTES || sealed[0] !== VERSION) throw new BarrierError(identity);
    const salt = sealed.subarray(1, 1 + SALT_BYTES);
    const key = sp800108(this.#key, 'keyhold:barrier-record', salt);
    try {
      return gcmOpen(
        key,
        sealed.subarray(1 + SALT_BYTES, HEADER),
        sealed.subarray(HEADER, sealed.length - GCM_TAG_BYTES),
        sealed.subarray(sealed.length - GCM_TAG_BYTES),
        aad(identity),
      );
    } catch (err) {
      if (err instanceof AeadError) throw new BarrierError(identity);
      throw err;
    } finally {
      key.fill(0);
    }
  }
}

function aad(id: RecordIdentity): Buffer {
  return encodeParts(['keyhold-barrier-v1', id.namespace, id.id, String(id.version)]);
}
