// PutKeyPolicy: stored and returned exactly as given. The policy lockout safety check needs the policy
// engine (authorization issue); BypassPolicyLockoutSafetyCheck is accepted now.
import { optBool, optString, reqString } from '../../../protocol/fields.js';
import { putPolicy, requireCustomerManaged } from '../domain/lifecycle.js';
import { validatePolicyDocument } from '../domain/policy.js';
import { NotFoundException } from '../errors.js';
import { defineOperation, reqKeyId } from './common.js';

export default defineOperation({
  name: 'PutKeyPolicy',
  readOnly: false,
  async handler({ access }, ctx, input) {
    const keyId = reqKeyId(input);
    const name = optString(input, 'PolicyName', { min: 1, max: 128, pattern: /^[\w]+$/ }) ?? 'default';
    const policy = reqString(input, 'Policy', { min: 1, max: 32768 });
    optBool(input, 'BypassPolicyLockoutSafetyCheck');
    const rec = await access.resolve(ctx, keyId);
    if (name !== 'default') throw new NotFoundException(`No such policy exists: ${name}`);
    requireCustomerManaged(rec, 'PutKeyPolicy');
    validatePolicyDocument(policy);
    await putPolicy(access, rec, policy);
    return {};
  },
});
