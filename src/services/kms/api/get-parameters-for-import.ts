// GetParametersForImport: an RSA public key to wrap key material with and the import token that names its
// private half, both valid for 24 hours (https://docs.aws.amazon.com/kms/latest/APIReference/API_GetParametersForImport.html).
import { reqString } from '../../../protocol/fields.js';
import { parametersForImport, WRAPPING_ALGORITHMS, WRAPPING_KEY_SPECS } from '../domain/imported-material.js';
import { defineOperation, memberKeys, reqKeyId } from './common.js';

export default defineOperation({
  name: 'GetParametersForImport',
  // CloudTrail records it as a read with no response elements (ct-getparametersforimport.html): the token and
  // public key stay out of the trail.
  readOnly: true,
  conditionKeys: (input) =>
    memberKeys(input, [
      ['kms:wrappingalgorithm', 'WrappingAlgorithm'],
      ['kms:wrappingkeyspec', 'WrappingKeySpec'],
    ]),
  async handler({ access }, ctx, input) {
    const keyId = reqKeyId(input);
    const algorithm = reqString(input, 'WrappingAlgorithm', { enum: WRAPPING_ALGORITHMS });
    const spec = reqString(input, 'WrappingKeySpec', { enum: WRAPPING_KEY_SPECS });
    const rec = await access.resolve(ctx, keyId);
    const p = await parametersForImport(access, rec, algorithm, spec);
    return { KeyId: rec.arn, ImportToken: p.token.toString('base64'), PublicKey: p.publicKey.toString('base64'), ParametersValidTo: p.validTo / 1000 };
  },
});
