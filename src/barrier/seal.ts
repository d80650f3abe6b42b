// A seal protects the root key at rest. The root key is wrapped (AES-256-GCM) under a key-encryption key
// that the seal provides; the keyring file records which seal was used and its parameters.
// Implementations today: key file (development) and passphrase (scrypt). Later: PKCS#11 HSM, external KMS.
export interface SealDescriptor {
  /** Stable identifier written into the keyring file, e.g. "keyfile" or "passphrase". */
  kind: string;
  /** Parameters needed to re-derive the KEK (salt, cost), never secret. */
  params: Record<string, unknown>;
}

export interface Seal {
  readonly kind: string;
  /** Creates the KEK for a brand-new keyring and describes how to get it again. */
  create(): Promise<{ kek: Buffer; descriptor: SealDescriptor }>;
  /** Re-derives the KEK from an existing descriptor. */
  open(descriptor: SealDescriptor): Promise<Buffer>;
}

export class SealError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SealError';
  }
}
