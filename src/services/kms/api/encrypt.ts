// Encrypt (https://docs.aws.amazon.com/kms/latest/APIReference/API_Encrypt.html): Plaintext 1-4096 bytes.
import { reqBlob } from '../../../protocol/fields.js';
import { b64, defineOperation, dryRunIfAsked, encryptionContext, grantTokens, reqKeyId, symmetricAlgorithm, validateAlgorithmEnum } from './common.js';

const SYMMETRIC_DEFAULT = { encryptionAlgorithm: 'SYMMETRIC_DEFAULT' };

export default defineOperation({
  name: 'Encrypt',
  readOnly: true,
  auditDefaults: () => SYMMETRIC_DEFAULT,
  async handler({ crypto }, ctx, input) {
    const keyId = reqKeyId(input);
    const plaintext = reqBlob(input, 'Plaintext', 1, 4096);
    const context = encryptionContext(input);
    grantTokens(input);
    validateAlgorithmEnum(input, 'EncryptionAlgorithm');
    const key = await crypto.usableKey(ctx, keyId, { encryptionContext: context });
    symmetricAlgorithm(input, 'EncryptionAlgorithm', key.arn);
    dryRunIfAsked(input);
    const { blob } = await crypto.encryptWith(key, plaintext, context);
    return { CiphertextBlob: b64(blob), KeyId: key.arn, EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' };
  },
});
