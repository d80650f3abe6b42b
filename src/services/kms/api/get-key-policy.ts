// GetKeyPolicy: PolicyName is optional and must be "default".
import { optString } from '../../../protocol/fields.js';
import { NotFoundException } from '../errors.js';
import { defineOperation, reqKeyId } from './common.js';

export default defineOperation({
  name: 'GetKeyPolicy',
  readOnly: true,
  async handler({ access }, ctx, input) {
    const keyId = reqKeyId(input);
    const name = optString(input, 'PolicyName', { min: 1, max: 128, pattern: /^[\w]+$/ }) ?? 'default';
    const rec = await access.resolve(ctx, keyId);
    if (name !== 'default') throw new NotFoundException(`No such policy exists: ${name}`);
    return { Policy: rec.policy, PolicyName: 'default' };
  },
});
