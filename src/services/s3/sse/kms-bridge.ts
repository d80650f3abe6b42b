// S3 calling KMS on the requester's behalf, as AWS S3 does: the requester's identity and policies apply,
// with kms:ViaService = s3.<region>.amazonaws.com (so alias/aws/s3 and key policies that require it work),
// the KMS request quotas count these calls, and KMS errors reach the client as "KMS.<Exception>".
// Bucket keys: one KMS data key per (bucket, KMS key) wraps many object keys for a bounded time; decrypted
// bucket keys are cached per requester, and the KMS key's state is checked on every use, so DisableKey
// and ScheduleKeyDeletion take effect at once.
import { createHash } from 'node:crypto';
import type { EncryptionContext } from '../../../crypto/encryption-context.js';
import { ServiceError } from '../../../protocol/errors.js';
import type { RequestContext } from '../../../server/context.js';
import type { KmsService } from '../../kms/index.js';
import { recordedCall, type ServiceKmsCallRecorder } from '../../kms/service-calls.js';
import { kmsFailure, S3 } from '../errors.js';
import { isAnonymous } from '../../../iam/principal.js';

export const BUCKET_KEY_TTL_MS = 3_600_000;
const MAX_CACHE = 10_000;

export interface DataKey {
  plaintext: Buffer;
  ciphertext: Buffer;
  keyArn: string;
}

/**
 * SSE-KMS needs a KMS caller: S3 refuses unsigned requests to write or read SSE-KMS objects. ObjectKeys checks it
 * before any cache (a bucket key opened for someone else must not serve an anonymous read); every KMS call here too.
 */
export function refuseAnonymousKms(ctx: RequestContext): void {
  if (isAnonymous(ctx.principal))
    throw S3.InvalidArgument('Requests specifying Server Side Encryption with AWS KMS managed keys require AWS Signature Version 4.');
}

export class KmsBridge {
  // Promises, so concurrent requests that miss the cache share one KMS call (single flight).
  readonly #bucketKeys = new Map<string, { key: Promise<DataKey>; at: number }>();
  readonly #decrypted = new Map<string, { key: Promise<{ plaintext: Buffer; keyArn: string }>; at: number }>();
  /** KMS calls made (for the bucket-key benchmark). */
  calls = 0;

  constructor(
    private readonly kms: KmsService,
    private readonly clock: () => number,
    /** Records each KMS call as its own CloudTrail event, invokedBy s3.amazonaws.com (as AWS does). */
    private readonly record?: ServiceKmsCallRecorder,
  ) {}

  #as(ctx: RequestContext, operation: string): RequestContext {
    refuseAnonymousKms(ctx);
    return { ...ctx, operation, viaService: `s3.${ctx.region}.amazonaws.com`, conditionKeys: undefined };
  }

  /** KMS's refusals reach the client as "KMS.<Exception>". */
  async #kms<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw err instanceof ServiceError ? kmsFailure(err) : err;
    }
  }

  /** A KMS call made for the requester, recorded as its own CloudTrail event. */
  #run<T extends { keyArn: string; plaintext?: Buffer }>(
    fn: () => Promise<T>,
    audited: { ctx: RequestContext; operation: string; params: Record<string, unknown> },
  ): Promise<T> {
    return this.#kms(() => recordedCall(this.record, audited.ctx, audited.operation, audited.params, fn, (out) => out.keyArn));
  }

  async generateDataKey(ctx: RequestContext, keyId: string, context: EncryptionContext): Promise<DataKey> {
    const k = this.#as(ctx, 'GenerateDataKey');
    return this.#run(
      async () => {
        this.kms.checkQuota?.(k, 'GenerateDataKey');
        this.calls++;
        const key = await this.kms.crypto.usableKey(k, keyId, { encryptionContext: context });
        const out = await this.kms.crypto.generateDataKey(key, 32, context);
        return { plaintext: out.plaintext, ciphertext: out.blob, keyArn: key.arn };
      },
      { ctx: k, operation: 'GenerateDataKey', params: { keyId, encryptionContext: context, numberOfBytes: 32 } },
    );
  }

  async decrypt(ctx: RequestContext, ciphertext: Buffer, context: EncryptionContext): Promise<{ plaintext: Buffer; keyArn: string }> {
    const k = this.#as(ctx, 'Decrypt');
    return this.#run(
      async () => {
        this.kms.checkQuota?.(k, 'Decrypt');
        this.calls++;
        const out = await this.kms.crypto.decrypt(k, ciphertext, context);
        return { plaintext: out.plaintext, keyArn: out.key.arn };
      },
      { ctx: k, operation: 'Decrypt', params: { encryptionContext: context, encryptionAlgorithm: 'SYMMETRIC_DEFAULT' } },
    );
  }

  /** Encrypts an existing object key under a KMS key (UpdateObjectEncryption: the data stays, its key is wrapped anew). */
  async encrypt(ctx: RequestContext, keyId: string, plaintext: Buffer, context: EncryptionContext): Promise<{ ciphertext: Buffer; keyArn: string }> {
    const k = this.#as(ctx, 'Encrypt');
    return this.#run(
      async () => {
        this.kms.checkQuota?.(k, 'Encrypt');
        this.calls++;
        const out = await this.kms.crypto.encrypt(k, keyId, plaintext, context);
        return { ciphertext: out.blob, keyArn: out.key.arn };
      },
      { ctx: k, operation: 'Encrypt', params: { keyId, encryptionContext: context, encryptionAlgorithm: 'SYMMETRIC_DEFAULT' } },
    );
  }

  /** Resolves a KMS key id for a write (checking that the requester may use it) without a data key. */
  async #assertUsable(keyArn: string): Promise<void> {
    const keyId = keyArn.slice(keyArn.lastIndexOf('/') + 1);
    const rec = await this.kms.access.store.get(keyId);
    if (!rec) throw kmsFailure(new ServiceError('NotFoundException', `Key '${keyArn}' does not exist`));
    await this.#kms(async () => this.kms.access.requireEnabled(rec));
  }

  /** The bucket key for new objects: a cached KMS data key, renewed after the TTL. */
  async bucketKey(ctx: RequestContext, bucketArn: string, keyId: string): Promise<DataKey> {
    const id = `${ctx.principal.arn}\u0000${bucketArn}\u0000${keyId}`;
    let hit = this.#bucketKeys.get(id);
    if (hit && this.clock() - hit.at < BUCKET_KEY_TTL_MS) {
      const dk = await hit.key;
      await this.#assertUsable(dk.keyArn);
      return dk;
    }
    if (this.#bucketKeys.size > MAX_CACHE) this.#bucketKeys.clear();
    hit = { key: this.generateDataKey(ctx, keyId, { 'aws:s3:arn': bucketArn }), at: this.clock() };
    this.#bucketKeys.set(id, hit);
    hit.key.catch(() => this.#bucketKeys.delete(id));
    return hit.key;
  }

  /** A bucket key from its KMS ciphertext, decrypted at most once per TTL per requester. */
  async openBucketKey(ctx: RequestContext, bucketArn: string, ciphertext: Buffer): Promise<Buffer> {
    const id = `${ctx.principal.arn}\u0000${createHash('sha256').update(ciphertext).digest('hex')}`;
    let hit = this.#decrypted.get(id);
    if (hit && this.clock() - hit.at < BUCKET_KEY_TTL_MS) {
      const out = await hit.key;
      await this.#assertUsable(out.keyArn);
      return out.plaintext;
    }
    if (this.#decrypted.size > MAX_CACHE) this.#decrypted.clear();
    hit = { key: this.decrypt(ctx, ciphertext, { 'aws:s3:arn': bucketArn }), at: this.clock() };
    this.#decrypted.set(id, hit);
    hit.key.catch(() => this.#decrypted.delete(id));
    return (await hit.key).plaintext;
  }
}
