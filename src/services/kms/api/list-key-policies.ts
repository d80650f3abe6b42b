// ListKeyPolicies: every key has exactly one policy, named "default".
import { defineOperation, limit, reqKeyId } from './common.js';

export default defineOperation({
  name: 'ListKeyPolicies',
  readOnly: true,
  async handler({ access }, ctx, input) {
    limit(input, 1000, 100);
    await access.resolve(ctx, reqKeyId(input));
    return { PolicyNames: ['default'], Truncated: false };
  },
});
