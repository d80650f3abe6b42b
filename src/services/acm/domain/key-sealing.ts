// Private keys of certificates and issuing CAs are sealed by KMS: a data key from the account's AWS managed
// key alias/aws/acm (created on first use, usable only via ACM: kms:ViaService acm.<region>.amazonaws.com)
// wraps the PKCS#8 key with AES-256-GCM, AAD = the owner's ARN. The key is never stored or logged in clear.
import { AeadError, GCM_IV_BYTES, GCM_TAG_BYTES, gcmOpen, gcmSeal } from '../../../crypto/aead.js';
import { encodeParts } from '../../../crypto/encryption-context.js';
import type { Principal } from '../../../iam/principal.js';
import type { RequestContext } from '../../../server/context.js';
import type { KmsService } from '../../kms/index.js';
import type { SealedPrivateKey } from '../model.js';

export function serviceContext(accountId: string, region: string, operation: string): RequestContext {
  const principal: Principal = { type: 'Root', accountId, arn: `arn:aws:iam::${accountId}:root`, principalId: accountId, accessKeyId: 'acm.amazonaws.com' };
  return {
    requestId: 'acm-internal',
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

export class KeySealer {
  constructor(private readonly kms: KmsService) {}

  async seal(accountId: string, region: string, owner: string, pkcs8: Buffer): Promise<SealedPrivateKey> {
    const ctx = serviceContext(accountId, region, 'GenerateDataKey');
    const key = await this.kms.crypto.usableKey(ctx, 'alias/aws/acm', { encryptionContext: { 'aws:acm:arn': owner } });
    const dk = await this.kms.crypto.generateDataKey(key, 32, { 'aws:acm:arn': owner });
    const { iv, ciphertext, tag } = gcmSeal(dk.plaintext, pkcs8, aad(owner));
    dk.plaintext.fill(0);
    return { kmsCiphertext: dk.blob.toString('base64'), wrapped: Buffer.concat([iv, ciphertext, tag]).toString('base64') };
  }

  async open(accountId: string, region: string, owner: string, sealed: SealedPrivateKey): Promise<Buffer> {
    const ctx = serviceContext(accountId, region, 'Decrypt');
    const { plaintext } = await this.kms.crypto.decrypt(ctx, Buffer.from(sealed.kmsCiphertext, 'base64'), { 'aws:acm:arn': owner });
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
