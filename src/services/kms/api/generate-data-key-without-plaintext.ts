// GenerateDataKeyWithoutPlaintext: as GenerateDataKey, but only the encrypted copy is returned.
import { b64, defineOperation, dryRunIfAsked, encryptionContext, grantTokens, reqKeyId } from './common.js';
import { dataKeyBytes } from './data-key-size.js';

export default defineOperation({
  name: 'GenerateDataKeyWithoutPlaintext',
  readOnly: true,
  async handler({ crypto }, ctx, input) {
    const keyId = reqKeyId(input);
    const bytes = dataKeyBytes(input);
    const context = encryptionContext(input);
    grantTokens(input);
    const key = await crypto.usableKey(ctx, keyId);
    dryRunIfAsked(input);
    const out = await crypto.generateDataKey(key, bytes, context);
    out.plaintext.fill(0);
    return { CiphertextBlob: b64(out.blob), KeyId: out.key.arn, KeyMaterialId: out.materialId };
  },
});
