// Object keys: every object version (and every multipart part) has its own random 256-bit key, which
// encrypts its bytes (docs/formats.md "object stream") and is kept only sealed:
//   SSE-S3  AES-256-GCM under the current SSE-S3 master key
//   SSE-KMS the KMS data key is the object key (its KMS ciphertext is stored; UpdateObjectEncryption stores the
//           KMS Encrypt ciphertext of the existing object key instead); with a bucket key, a random
//           object key is wrapped under the bucket key and the bucket key's KMS ciphertext is stored
//   DSSE-KMS two keys, one per layer (docs/formats.md "object stream"): the KMS data key, as for SSE-KMS, and a
//           random key wrapped under the SSE-S3 master key; the object key is the two side by side (64 bytes)
//   SSE-C   wrapped under a key derived from the customer's key; only a salted HMAC of the customer key is
//           stored, to recognise it (a wrong key is AccessDenied, security.md §3)
// Every wrap binds the object's place (bucket, key, version, part) as AAD.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { AeadError, GCM_IV_BYTES, GCM_TAG_BYTES, gcmOpen, gcmSeal } from '../../../crypto/aead.js';
import { encodeParts } from '../../../crypto/encryption-context.js';
import { sp800108 } from '../../../crypto/kdf.js';
import type { RequestContext } from '../../../server/context.js';
import { S3 } from '../errors.js';
import type { SealedObjectKey } from '../model.js';
import { type KmsBridge, refuseAnonymousKms } from './kms-bridge.js';
import type { MasterKeys } from './master-keys.js';

export type WriteEncryption =
  | { mode: 'AES256' }
  | { mode: 'aws:kms'; keyId: string; context: Record<string, string>; bucketKey: boolean; dualLayer?: boolean }
  | { mode: 'SSE-C'; customerKey: Buffer };

export function binding(bucket: string, key: string, versionId: string, part = 0): Buffer {
  return encodeParts(['keyhold-s3-object-v1', bucket, key, versionId, String(part)]);
}

function wrap(kek: Buffer, objectKey: Buffer, aad: Buffer): string {
  const { iv, ciphertext, tag } = gcmSeal(kek, objectKey, aad);
  return Buffer.concat([iv, ciphertext, tag]).toString('base64');
}

function unwrap(kek: Buffer, wrapped: string, aad: Buffer): Buffer {
  const b = Buffer.from(wrapped, 'base64');
  try {
    return gcmOpen(kek, b.subarray(0, GCM_IV_BYTES), b.subarray(GCM_IV_BYTES, b.length - GCM_TAG_BYTES), b.subarray(b.length - GCM_TAG_BYTES), aad);
  } catch (err) {
    if (err instanceof AeadError) throw S3.InternalError('The object key failed to unwrap: the stored object is damaged or was moved.');
    throw err;
  }
}

const customerKek = (customerKey: Buffer, salt: Buffer) => sp800108(customerKey, 'keyhold:sse-c-wrap-v1', salt);
const customerHmac = (customerKey: Buffer, salt: Buffer) => createHmac('sha256', salt).update(customerKey).digest();

export function customerKeyMatches(sealed: { keyHmacSalt: string; keyHmac: string }, customerKey: Buffer): boolean {
  const expected = Buffer.from(sealed.keyHmac, 'base64');
  const actual = customerHmac(customerKey, Buffer.from(sealed.keyHmacSalt, 'base64'));
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

export function customerKeyVerifier(customerKey: Buffer): { salt: string; hmac: string } {
  const salt = randomBytes(16);
  return { salt: salt.toString('base64'), hmac: customerHmac(customerKey, salt).toString('base64') };
}

export class ObjectKeys {
  constructor(
    private readonly masters: MasterKeys,
    private readonly kms: KmsBridge,
  ) {}

  async seal(
    ctx: RequestContext,
    enc: WriteEncryption,
    bucketArn: string,
    objectArn: string,
    place: Buffer,
  ): Promise<{ objectKey: Buffer; sealed: SealedObjectKey }> {
    if (enc.mode === 'aws:kms') refuseAnonymousKms(ctx);
    switch (enc.mode) {
      case 'AES256': {
        const objectKey = randomBytes(32);
        const { version, key } = await this.masters.current();
        return { objectKey, sealed: { mode: 'AES256', masterVersion: version, wrapped: wrap(key, objectKey, place) } };
      }
      case 'aws:kms': {
        if (enc.bucketKey) {
          const bk = await this.kms.bucketKey(ctx, bucketArn, enc.keyId);
          const objectKey = randomBytes(32);
          return {
            objectKey,
            sealed: {
              mode: 'aws:kms',
              kmsKeyArn: bk.keyArn,
              context: { 'aws:s3:arn': bucketArn },
              kmsCiphertext: bk.ciphertext.toString('base64'),
              bucketKey: { wrapped: wrap(bk.plaintext, objectKey, place) },
            },
          };
        }
        const context = { 'aws:s3:arn': objectArn, ...enc.context };
        const dk = await this.kms.generateDataKey(ctx, enc.keyId, context);
        const sealed: SealedObjectKey = { mode: 'aws:kms', kmsKeyArn: dk.keyArn, context, kmsCiphertext: dk.ciphertext.toString('base64') };
        if (!enc.dualLayer) return { objectKey: dk.plaintext, sealed };
        // DSSE-KMS: a second, independent key for the outer layer, kept under Keyhold's own SSE-S3 master key.
        const outer = randomBytes(32);
        const { version, key } = await this.masters.current();
        sealed.dsse = { masterVersion: version, wrapped: wrap(key, outer, place) };
        const objectKey = Buffer.concat([dk.plaintext, outer]);
        dk.plaintext.fill(0);
        outer.fill(0);
        return { objectKey, sealed };
      }
      case 'SSE-C': {
        const objectKey = randomBytes(32);
        const v = customerKeyVerifier(enc.customerKey);
        return {
          objectKey,
          sealed: {
            mode: 'SSE-C',
            keyHmacSalt: v.salt,
            keyHmac: v.hmac,
            wrapped: wrap(customerKek(enc.customerKey, Buffer.from(v.salt, 'base64')), objectKey, place),
          },
        };
      }
    }
  }

  /**
   * Seals an existing object key under SSE-KMS (UpdateObjectEncryption): with a bucket key, wrapped under it;
   * without, encrypted by KMS under the object's encryption context (kms:Encrypt), so a read opens it as any
   * SSE-KMS object key (kms:Decrypt of a KMS ciphertext, whichever call made it).
   */
  async resealKms(
    ctx: RequestContext,
    objectKey: Buffer,
    target: { keyId: string; bucketKey: boolean; context: Record<string, string> },
    bucketArn: string,
    place: Buffer,
  ): Promise<SealedObjectKey> {
    refuseAnonymousKms(ctx);
    if (target.bucketKey) {
      const bk = await this.kms.bucketKey(ctx, bucketArn, target.keyId);
      return {
        mode: 'aws:kms',
        kmsKeyArn: bk.keyArn,
        context: { 'aws:s3:arn': bucketArn },
        kmsCiphertext: bk.ciphertext.toString('base64'),
        bucketKey: { wrapped: wrap(bk.plaintext, objectKey, place) },
      };
    }
    const out = await this.kms.encrypt(ctx, target.keyId, objectKey, target.context);
    return { mode: 'aws:kms', kmsKeyArn: out.keyArn, context: target.context, kmsCiphertext: out.ciphertext.toString('base64') };
  }

  async open(ctx: RequestContext, sealed: SealedObjectKey, bucketArn: string, place: Buffer, customerKey?: Buffer): Promise<Buffer> {
    if (sealed.mode === 'aws:kms') refuseAnonymousKms(ctx);
    switch (sealed.mode) {
      case 'AES256': {
        const master = await this.masters.get(sealed.masterVersion);
        if (!master) throw S3.InternalError('The SSE-S3 master key of this object is missing.');
        return unwrap(master, sealed.wrapped, place);
      }
      case 'aws:kms': {
        const blob = Buffer.from(sealed.kmsCiphertext, 'base64');
        if (sealed.bucketKey) return unwrap(await this.kms.openBucketKey(ctx, bucketArn, blob), sealed.bucketKey.wrapped, place);
        const inner = (await this.kms.decrypt(ctx, blob, sealed.context)).plaintext;
        if (!sealed.dsse) return inner;
        const master = await this.masters.get(sealed.dsse.masterVersion);
        if (!master) throw S3.InternalError('The SSE-S3 master key of this object is missing.');
        const outer = unwrap(master, sealed.dsse.wrapped, place);
        const objectKey = Buffer.concat([inner, outer]);
        inner.fill(0);
        outer.fill(0);
        return objectKey;
      }
      case 'SSE-C': {
        if (!customerKey)
          throw S3.InvalidRequest(
            'The object was stored using a form of Server Side Encryption. The correct parameters must be provided to retrieve the object.',
          );
        if (!customerKeyMatches(sealed, customerKey))
          throw S3.AccessDenied('Requests specifying Server Side Encryption with Customer provided keys must provide the correct secret key.');
        return unwrap(customerKek(customerKey, Buffer.from(sealed.keyHmacSalt, 'base64')), sealed.wrapped, place);
      }
    }
  }
}
