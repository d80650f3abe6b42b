// GenerateMac (https://docs.aws.amazon.com/kms/latest/APIReference/API_GenerateMac.html): the HMAC of a message
// (1-4096 bytes) under an HMAC key, with the algorithm its key spec fixes.
import { computeMac } from '../domain/hmac.js';
import { b64, defineOperation, dryRunIfAsked } from './common.js';
import { macConditionKeys, macMaterial, macRequest } from './mac-input.js';

export default defineOperation({
  name: 'GenerateMac',
  readOnly: true,
  conditionKeys: macConditionKeys,
  async handler({ access }, ctx, input) {
    const { key, message, algorithm } = await macRequest(access, ctx, input);
    dryRunIfAsked(input);
    const mac = computeMac(key.keySpec, await macMaterial(access, key), message);
    return { Mac: b64(mac), MacAlgorithm: algorithm, KeyId: key.arn };
  },
});
