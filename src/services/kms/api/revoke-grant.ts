// RevokeGrant: deletes a grant at once; needs kms:RevokeGrant on the key.
import { reqString } from '../../../protocol/fields.js';
import { defineError } from '../../../protocol/errors.js';
import { defineOperation, dryRunIfAsked, reqKeyId } from './common.js';

const InvalidGrantIdException = defineError('InvalidGrantIdException', 400);

export default defineOperation({
  name: 'RevokeGrant',
  readOnly: false,
  async handler({ access, grants }, ctx, input) {
    const key = await access.resolve(ctx, reqKeyId(input));
    const grantId = reqString(input, 'GrantId', { min: 1, max: 128 });
    const grant = (await grants.forKey(key.keyId)).find((g) => g.grantId === grantId);
    if (!grant) throw new InvalidGrantIdException(`Grant ID ${grantId} not found.`);
    dryRunIfAsked(input);
    await grants.delete(grant);
    return {};
  },
});
