// ReEncrypt: decrypt under the source key and context, encrypt under the destination key and context,
// without the plaintext ever leaving the server.
import { reqBlob } from '../../../protocol/fields.js';
import { CryptoOps } from '../domain/crypto-ops.js';
import {
  b64,
  defineOperation,
  dryRunIfAsked,
  encryptionContext,
  grantTokens,
  optKeyId,
  reqKeyId,
  symmetricAlgorithm,
  validateAlgorithmEnum,
} from './common.js';

export default defineOperation({
  name: 'ReEncrypt',
  readOnly: true,
  auditDefaults: () => ({ sourceEncryptionAlgorithm: 'SYMMETRIC_DEFAULT', destinationEncryptionAlgorithm: 'SYMMETRIC_DEFAULT' }),
  async handler({ access, crypto }, ctx, input) {
    const blob = reqBlob(input, 'CiphertextBlob', 1, 6144);
    const sourceContext = encryptionContext(input, 'SourceEncryptionContext');
    const sourceKeyId = optKeyId(input, 'SourceKeyId');
    const destinationKeyId = reqKeyId(input, 'DestinationKeyId');
    const destinationContext = encryptionContext(input, 'DestinationEncryptionContext');
    grantTokens(input);
    validateAlgorithmEnum(input, 'SourceEncryptionAlgorithm');
    validateAlgorithmEnum(input, 'DestinationEncryptionAlgorithm');
    // kms:ReEncryptOnSameKey, for both authorizations: does the destination name the key the blob was made under?
    const sourceId = CryptoOps.blobKeyId(blob);
    const sameKey = sourceId !== undefined && sourceId === (await access.keyIdNamed(ctx, destinationKeyId));
    ctx.conditionKeys = new Map([...(ctx.conditionKeys ?? []), ['kms:reencryptonsamekey', [String(sameKey)]]]);
    const source = await crypto.keyForBlob(ctx, blob, sourceKeyId, { action: 'kms:ReEncryptFrom', encryptionContext: sourceContext });
    symmetricAlgorithm(input, 'SourceEncryptionAlgorithm', source.key.arn);
    const destination = await crypto.usableKey(ctx, destinationKeyId, { action: 'kms:ReEncryptTo', encryptionContext: destinationContext });
    symmetricAlgorithm(input, 'DestinationEncryptionAlgorithm', destination.arn);
    const { plaintext } = await crypto.decryptWith(source.key, source.materialId, blob, sourceContext);
    dryRunIfAsked(input);
    const out = await crypto.encryptWith(destination, plaintext, destinationContext);
    plaintext.fill(0);
    return {
      CiphertextBlob: b64(out.blob),
      SourceKeyId: source.key.arn,
      KeyId: destination.arn,
      SourceEncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
      DestinationEncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
      SourceKeyMaterialId: source.materialId,
      DestinationKeyMaterialId: out.materialId,
    };
  },
});
