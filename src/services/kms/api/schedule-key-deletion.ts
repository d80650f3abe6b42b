// ScheduleKeyDeletion: PendingWindowInDays 7-30 (default 30); the key is destroyed when the window
// ends, by the scheduler or on the first access after it.
import { optInt } from '../../../protocol/fields.js';
import { scheduleDeletion } from '../domain/lifecycle.js';
import { defineOperation, memberKeys, reqKeyId } from './common.js';

export default defineOperation({
  name: 'ScheduleKeyDeletion',
  readOnly: false,
  conditionKeys: (input) => memberKeys(input, [['kms:schedulekeydeletionpendingwindowindays', 'PendingWindowInDays', 30]]),
  async handler({ access }, ctx, input) {
    const keyId = reqKeyId(input);
    const days = optInt(input, 'PendingWindowInDays', 7, 30) ?? 30;
    const rec = await scheduleDeletion(access, await access.resolve(ctx, keyId), days);
    return { KeyId: rec.arn, DeletionDate: (rec.deletionDate ?? 0) / 1000, KeyState: rec.state, PendingWindowInDays: days };
  },
});
