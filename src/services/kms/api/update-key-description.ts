// UpdateKeyDescription.
import { reqString } from '../../../protocol/fields.js';
import { updateDescription } from '../domain/lifecycle.js';
import { defineOperation, reqKeyId } from './common.js';

export default defineOperation({
  name: 'UpdateKeyDescription',
  readOnly: false,
  async handler({ access }, ctx, input) {
    const keyId = reqKeyId(input);
    const description = reqString(input, 'Description', { max: 8192 });
    await updateDescription(access, await access.resolve(ctx, keyId), description);
    return {};
  },
});
