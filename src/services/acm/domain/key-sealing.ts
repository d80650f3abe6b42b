// Private keys of certificates and issuing CAs are sealed by KMS: a data key from the account's AWS managed
// key alias/aws/acm (created on first use, usable only via ACM: kms:ViaService acm.<region>.amazonaws.com)
// wraps the PKCS#8 key with AES-256-GCM, AAD = the owner's ARN. The key is never stored or logged in clear.
// Each KMS call is a CloudTrail event invoked by ACM (kms/service-calls.ts), written before the key is used.
import { randomUUID } from 'node:crypto';
import { AeadError, GCM_IV_BYTES, GCM_TAG_BYTES, gcmOpen, gcmSeal } from '../../../crypto/aead.js';
import { encodeParts } from '../../../crypto/encryption-context.js';
import type { Principal } from '../../../iam/principal.js';
import type { RequestContext } from '../../../server/context.js';
import type { KmsService } from '../../kms/index.js';
import { recordedCall, type ServiceKmsCallRecorder } from '../../kms/service-calls.js';
import type { SealedPrivateKey } from '../model.js';

export function serviceContext(accountId: string, region: string, operation: string): RequestContext {
  const principal: Principal = { type: 'Root', accountId, arn: `arn:aws:iam::${accountId}:root`, principalId: accountId, accessKeyId: 'acm.amazonaws.com' };
  return {
    requestId: randomUUID(),
    now: Date.now(),
    region,
    principal,
    sourceIp: '',
    userAgent: 'acm.amazonaws.com',
    secureTransport: true,
    operation,
    viaService: `acm.${region}.amazonaws.com`,
  };
}

const aad = (owner: string) => encodeParts(['keyhold-acm-private-key-v1', owner]);
const keyArnOf = (out: { key: { arn: string } }) => out.key.arn;

export class KeySealer {
  constructor(
    private readonly kms: KmsService,
    private readonly record?: ServiceKmsCallRecorder,
  ) {}

  async seal(accountId: string, region: string, owner: string, pkcs8: Buffer): Promise<SealedPrivateKey> {
    const ctx = serviceContext(accountId, region, 'GenerateDataKey');
    const encryptionContext = { 'aws:acm:arn': owner };
    const params = { keyId: 'alias/aws/acm', encryptionContext, numberOfBytes: 32 };
    const dk = await recordedCall(
      this.record,
      ctx,
      ctx.operation,
      params,
      async () => {
        const key = await this.kms.crypto.usableKey(ctx, 'alias/aws/acm', { encryptionContext });
        return this.kms.crypto.generateDataKey(key, 32, encryptionContext);
      },
      keyArnOf,
    );
    const { iv, ciphertext, tag } = gcmSeal(dk.plaintext, pkcs8, aad(owner));
    dk.plaintext.fill(0);
    return { kmsCiphertext: dk.blob.toString('base64'), wrapped: Buffer.concat([iv, ciphertext, tag]).toString('base64') };
  }

  async open(accountId: string, region: string, owner: string, sealed: SealedPrivateKey): Promise<Buffer> {
    const ctx = serviceContext(accountId, region, 'Decrypt');
    const encryptionContext = { 'aws:acm:arn': owner };
    const params = { encryptionContext, encryptionAlgorithm: 'SYMMETRIC_DEFAULT' };
    const { plaintext } = await recordedCall(
      this.record,
      ctx,
      ctx.operation,
      params,
      () => this.kms.crypto.decrypt(ctx, Buffer.from(sealed.kmsCiphertext, 'base64'), encryptionContext),
      keyArnOf,
    );
    const w = Buffer.from(sealed.wrapped, 'base64');
    try {
      return gcmOpen(
        plaintext,
        w.subarray(0, GCM_IV_BYTES),
        w.subarray(GCM_IV_BYTES, w.length - GCM_TAG_BYTES),
        w.subarray(w.length - GCM_TAG_BYTES),
        aad(owner),
      );
    } catch (err) {
      if (err instanceof AeadError) throw new Error(`the private key of ${owner} failed to unseal`);
      throw err;
    } finally {
      plaintext.fill(0);
    }
  }
}
