// GenerateDataKeyWithoutPlaintext: as GenerateDataKey, but only the encrypted copy is returned.
import { b64, defineOperation } from './common.js';
import { generateDataKey } from './data-key-size.js';

export default defineOperation({
  name: 'GenerateDataKeyWithoutPlaintext',
  readOnly: true,
  async handler({ crypto }, ctx, input) {
    const out = await generateDataKey(crypto, ctx, input);
    out.plaintext.fill(0);
    return { CiphertextBlob: b64(out.blob), KeyId: out.key.arn, KeyMaterialId: out.materialId };
  },
});
