// VerifyMac (https://docs.aws.amazon.com/kms/latest/APIReference/API_VerifyMac.html): recomputes the HMAC and
// compares it in constant time; a MAC that does not match is KMSInvalidMacException (with no message, as AWS
// answers, recorded), never MacValid false.
import { reqBlob } from '../../../protocol/fields.js';
import { macMatches } from '../domain/hmac.js';
import { KMSInvalidMacException } from '../errors.js';
import { defineOperation, dryRunIfAsked } from './common.js';
import { macConditionKeys, macMaterial, macRequest } from './mac-input.js';

export default defineOperation({
  name: 'VerifyMac',
  readOnly: true,
  conditionKeys: macConditionKeys,
  async handler({ access }, ctx, input) {
    const mac = reqBlob(input, 'Mac', 1, 6144);
    const { key, message, algorithm } = await macRequest(access, ctx, input);
    dryRunIfAsked(input);
    if (!macMatches(key.keySpec, await macMaterial(access, key), message, mac)) throw new KMSInvalidMacException('');
    return { KeyId: key.arn, MacValid: true, MacAlgorithm: algorithm };
  },
});
