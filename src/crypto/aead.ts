// AES-GCM with a strict parameter policy: 12-byte IVs and 16-byte tags only.
// Why strict: GCM accepts IVs of any length and Node 20 accepts truncated tags unless authTagLength is
// set (nodejs/node#52345, DEP0182); a permissive decoder lets an attacker pick weaker parameters
// (NIST SP 800-38D §5.2.1.1 recommends 96-bit IVs). See shared/reference/security.md §1.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

export const GCM_IV_BYTES = 12;
export const GCM_TAG_BYTES = 16;

/** Thrown for every authentication failure; callers collapse it into their protocol's error. */
export class AeadError extends Error {
  constructor(message = 'authentication failed') {
    super(message);
    this.name = 'AeadError';
  }
}

function cipherName(key: Buffer): 'aes-128-gcm' | 'aes-192-gcm' | 'aes-256-gcm' {
  switch (key.length) {
    case 16:
      return 'aes-128-gcm';
    case 24:
      return 'aes-192-gcm';
    case 32:
      return 'aes-256-gcm';
    default:
      throw new AeadError('invalid key length');
  }
}

export interface GcmSealed {
  iv: Buffer;
  ciphertext: Buffer;
  tag: Buffer;
}

export function gcmSeal(key: Buffer, plaintext: Buffer, aad: Buffer, iv: Buffer = randomBytes(GCM_IV_BYTES)): GcmSealed {
  if (iv.length !== GCM_IV_BYTES) throw new AeadError('invalid IV length');
  const cipher = createCipheriv(cipherName(key), key, iv, { authTagLength: GCM_TAG_BYTES });
  cipher.setAAD(aad);
  const head = cipher.update(plaintext);
  // GCM is a stream mode: final() returns nothing, so the update output is the whole ciphertext (no copy).
  const tail = cipher.final();
  const ciphertext = tail.length === 0 ? head : Buffer.concat([head, tail]);
  return { iv, ciphertext, tag: cipher.getAuthTag() };
}

/** Opens a GCM ciphertext; plaintext is only returned after the tag verified (final() succeeded). */
export function gcmOpen(key: Buffer, iv: Buffer, ciphertext: Buffer, tag: Buffer, aad: Buffer): Buffer {
  if (iv.length !== GCM_IV_BYTES || tag.length !== GCM_TAG_BYTES) throw new AeadError('invalid IV or tag length');
  try {
    const decipher = createDecipheriv(cipherName(key), key, iv, { authTagLength: GCM_TAG_BYTES });
    decipher.setAAD(aad);
    decipher.setAuthTag(tag);
    const head = decipher.update(ciphertext);
    const tail = decipher.final();
    return tail.length === 0 ? head : Buffer.concat([head, tail]);
  } catch {
    throw new AeadError();
  }
}
