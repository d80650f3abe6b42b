// The root key never leaves this object: consumers get purpose-bound subkeys derived with
// SP 800-108 (label = purpose), so a compromise of one derived key says nothing about another.
import { sp800108 } from '../crypto/kdf.js';

export class RootKey {
  #key: Buffer;
  constructor(key: Buffer) {
    if (key.length !== 32) throw new Error('root key must be 256 bits');
    this.#key = key;
  }

  /** A 256-bit key for one purpose, e.g. "barrier-v1" or "audit-v1". */
  derive(purpose: string, context: Buffer = Buffer.alloc(0)): Buffer {
    return sp800108(this.#key, `keyhold:${purpose}`, context, 32);
  }

  toJSON(): string {
    return '[RootKey]';
  }

  destroy(): void {
    this.#key.fill(0);
  }
}
