// GenerateDataKey: a fresh random data key, returned in clear once and encrypted under the KMS key.
// The plaintext key is never stored or logged.
import { b64, defineOperation } from './common.js';
import { generateDataKey } from './data-key-size.js';

export default defineOperation({
  name: 'GenerateDataKey',
  readOnly: true,
  async handler({ crypto }, ctx, input) {
    const out = await generateDataKey(crypto, ctx, input);
    const result = { CiphertextBlob: b64(out.blob), Plaintext: b64(out.plaintext), KeyId: out.key.arn, KeyMaterialId: out.materialId };
    out.plaintext.fill(0);
    return result;
  },
});
