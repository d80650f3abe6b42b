// The symmetric cryptographic operations: Encrypt, Decrypt, ReEncrypt, GenerateDataKey(WithoutPlaintext).
// Every decrypt failure that could tell an attacker something (unknown key id in the blob, unknown
// material, wrong context, any flipped byte) is InvalidCiphertextException on purpose (DESIGN.md habit 4;
// AWS answers the same for all of them, aws/aws-cli#1100).
import type { EncryptionContext } from '../../../crypto/encryption-context.js';
import { csprng } from '../../../crypto/random.js';
import type { RequestContext } from '../../../server/context.js';
import { IncorrectKeyException, InvalidCiphertextException } from '../errors.js';
import { decryptBlob, encryptBlob, InvalidBlobError, readBlobHeader } from './ciphertext.js';
import type { AccessOptions, KeyAccess } from './key-access.js';
import type { KeyRecord } from './types.js';

export interface Encrypted {
  key: KeyRecord;
  blob: Buffer;
  materialId: string;
}

export interface Decrypted {
  key: KeyRecord;
  plaintext: Buffer;
  materialId: string;
}

export class CryptoOps {
  constructor(private readonly access: KeyAccess) {}

  /** Resolves and checks an encryption key only (DryRun and the first half of every operation). */
  async usableKey(ctx: RequestContext, keyIdInput: string, opts: AccessOptions = {}): Promise<KeyRecord> {
    const key = await this.access.resolve(ctx, keyIdInput, opts);
    this.access.requireUsage(key, 'ENCRYPT_DECRYPT', ctx.operation);
    this.access.requireEnabled(key);
    return key;
  }

  async encryptWith(key: KeyRecord, plaintext: Buffer, context: EncryptionContext | undefined): Promise<Encrypted> {
    const material = this.access.store.cachedMaterial(key.keyId, key.currentMaterialId) ?? (await this.access.store.material(key.keyId, key.currentMaterialId));
    if (!material) throw new Error(`material ${key.currentMaterialId} of ${key.keyId} is missing`);
    return { key, blob: encryptBlob({ keyId: key.keyId, materialId: key.currentMaterialId }, material, plaintext, context), materialId: key.currentMaterialId };
  }

  async encrypt(ctx: RequestContext, keyIdInput: string, plaintext: Buffer, context: EncryptionContext | undefined): Promise<Encrypted> {
    return this.encryptWith(await this.usableKey(ctx, keyIdInput, { encryptionContext: context }), plaintext, context);
  }

  /** Finds the key a blob was made under, checks it against an optional KeyId and its state. */
  async keyForBlob(
    ctx: RequestContext,
    blob: Buffer,
    keyIdInput: string | undefined,
    opts: AccessOptions = {},
  ): Promise<{ key: KeyRecord; materialId: string }> {
    let header: { keyId: string; materialId: string };
    try {
      header = readBlobHeader(blob);
    } catch {
      throw new InvalidCiphertextException();
    }
    // Cached records and grants are used without awaiting, as in KeyAccess.resolve.
    let key = this.access.store.cached(header.keyId);
    if (key === undefined) key = await this.access.store.get(header.keyId);
    if (!key || key.region !== ctx.region || (this.access.isDue(key) && (await this.access.purgeIfDue(key)))) throw new InvalidCiphertextException();
    ctx.resolvedArn = key.arn;
    if (keyIdInput !== undefined) {
      const named = await this.access.resolve(ctx, keyIdInput, { ...opts, skipAuthorization: true });
      if (named.keyId !== key.keyId) throw new IncorrectKeyException();
    }
    const loading = this.access.beforeAuthorize(key);
    if (loading) await loading;
    this.access.authorizeKey(ctx, key, { ...opts, keyIdInput });
    this.access.requireUsage(key, 'ENCRYPT_DECRYPT', ctx.operation);
    this.access.requireEnabled(key);
    return { key, materialId: header.materialId };
  }

  /** The key id a blob names in its header, or undefined for a blob that has none. */
  static blobKeyId(blob: Buffer): string | undefined {
    try {
      return readBlobHeader(blob).keyId;
    } catch {
      return undefined;
    }
  }

  async decryptWith(key: KeyRecord, materialId: string, blob: Buffer, context: EncryptionContext | undefined): Promise<Decrypted> {
    const material = this.access.store.cachedMaterial(key.keyId, materialId) ?? (await this.access.store.material(key.keyId, materialId));
    if (!material) throw new InvalidCiphertextException();
    try {
      return { key, plaintext: decryptBlob(blob, material, context), materialId };
    } catch (err) {
      if (err instanceof InvalidBlobError) throw new InvalidCiphertextException();
      throw err;
    }
  }

  async decrypt(ctx: RequestContext, blob: Buffer, context: EncryptionContext | undefined, keyIdInput?: string): Promise<Decrypted> {
    const { key, materialId } = await this.keyForBlob(ctx, blob, keyIdInput, { encryptionContext: context });
    return this.decryptWith(key, materialId, blob, context);
  }

  async generateDataKey(key: KeyRecord, bytes: number, context: EncryptionContext | undefined): Promise<Encrypted & { plaintext: Buffer }> {
    const plaintext = csprng(bytes);
    return { ...(await this.encryptWith(key, plaintext, context)), plaintext };
  }
}
