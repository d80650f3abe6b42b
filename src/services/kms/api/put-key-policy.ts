// PutKeyPolicy: validated with the IAM policy grammar, checked by the lockout safety check unless
// BypassPolicyLockoutSafetyCheck, then stored and returned exactly as given.
import { optBool, optString, reqString } from '../../../protocol/fields.js';
import { putPolicy, requireCustomerManaged } from '../domain/lifecycle.js';
import { LOCKOUT_MESSAGE, validatePolicyDocument } from '../domain/policy.js';
import { MalformedPolicyDocumentException, NotFoundException } from '../errors.js';
import { defineOperation, memberKeys, reqKeyId } from './common.js';

export default defineOperation({
  name: 'PutKeyPolicy',
  readOnly: false,
  conditionKeys: (input) => memberKeys(input, [['kms:bypasspolicylockoutsafetycheck', 'BypassPolicyLockoutSafetyCheck', false]]),
  async handler({ access }, ctx, input) {
    const keyId = reqKeyId(input);
    const name = optString(input, 'PolicyName', { min: 1, max: 128, pattern: /^[\w]+$/ }) ?? 'default';
    const policy = reqString(input, 'Policy', { min: 1, max: 32768 });
    const bypass = optBool(input, 'BypassPolicyLockoutSafetyCheck') ?? false;
    const rec = await access.resolve(ctx, keyId);
    if (name !== 'default') throw new NotFoundException(`No such policy exists: ${name}`);
    requireCustomerManaged(rec, 'PutKeyPolicy');
    validatePolicyDocument(policy);
    if (!bypass && !access.policyKeepsCallerInControl(ctx, policy, rec)) throw new MalformedPolicyDocumentException(LOCKOUT_MESSAGE);
    await putPolicy(access, rec, policy);
    return {};
  },
});
