// CancelKeyDeletion: PendingDeletion -> Disabled (not Enabled), as AWS documents.
import { cancelDeletion } from '../domain/lifecycle.js';
import { defineOperation, reqKeyId } from './common.js';

export default defineOperation({
  name: 'CancelKeyDeletion',
  readOnly: false,
  async handler({ access }, ctx, input) {
    const rec = await cancelDeletion(access, await access.resolve(ctx, reqKeyId(input)));
    return { KeyId: rec.arn };
  },
});
