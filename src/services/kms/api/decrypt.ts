// Decrypt (https://docs.aws.amazon.com/kms/latest/APIReference/API_Decrypt.html): KeyId is optional for
// symmetric ciphertext (the blob names its key); when given and different -> IncorrectKeyException.
// Recipient (Nitro Enclaves attestation) is refused: Keyhold has no enclaves to attest.
import { reqBlob } from '../../../protocol/fields.js';
import { UnsupportedOperationException } from '../errors.js';
import { b64, defineOperation, dryRunIfAsked, encryptionContext, grantTokens, optKeyId, symmetricAlgorithm, validateAlgorithmEnum } from './common.js';

export default defineOperation({
  name: 'Decrypt',
  readOnly: true,
  auditDefaults: (output) => ({ encryptionAlgorithm: 'SYMMETRIC_DEFAULT', ...(output?.KeyId ? { keyId: output.KeyId } : {}) }),
  async handler({ crypto }, ctx, input) {
    const blob = reqBlob(input, 'CiphertextBlob', 1, 6144);
    const context = encryptionContext(input);
    const keyId = optKeyId(input);
    grantTokens(input);
    validateAlgorithmEnum(input, 'EncryptionAlgorithm');
    if (input.Recipient !== undefined) throw new UnsupportedOperationException('Recipient (attested decryption) is not supported by Keyhold.');
    const { key, materialId } = await crypto.keyForBlob(ctx, blob, keyId, { encryptionContext: context });
    symmetricAlgorithm(input, 'EncryptionAlgorithm', key.arn);
    dryRunIfAsked(input);
    const { plaintext } = await crypto.decryptWith(key, materialId, blob, context);
    return { KeyId: key.arn, Plaintext: b64(plaintext), EncryptionAlgorithm: 'SYMMETRIC_DEFAULT', KeyMaterialId: materialId };
  },
});
