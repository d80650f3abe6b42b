// GenerateDataKey: a fresh random data key, returned in clear once and encrypted under the KMS key.
// The plaintext key is never stored or logged.
import { UnsupportedOperationException } from '../errors.js';
import { b64, defineOperation, dryRunIfAsked, encryptionContext, grantTokens, reqKeyId } from './common.js';
import { dataKeyBytes } from './data-key-size.js';

export default defineOperation({
  name: 'GenerateDataKey',
  readOnly: true,
  async handler({ crypto }, ctx, input) {
    const keyId = reqKeyId(input);
    const bytes = dataKeyBytes(input);
    const context = encryptionContext(input);
    grantTokens(input);
    if (input.Recipient !== undefined) throw new UnsupportedOperationException('Recipient (attested decryption) is not supported by Keyhold.');
    const key = await crypto.usableKey(ctx, keyId);
    dryRunIfAsked(input);
    const out = await crypto.generateDataKey(key, bytes, context);
    const result = { CiphertextBlob: b64(out.blob), Plaintext: b64(out.plaintext), KeyId: out.key.arn, KeyMaterialId: out.materialId };
    out.plaintext.fill(0);
    return result;
  },
});
