// GetKeyRotationStatus: KeyRotationEnabled, and when enabled RotationPeriodInDays and NextRotationDate.
import { defineOperation, reqKeyId } from './common.js';

export default defineOperation({
  name: 'GetKeyRotationStatus',
  readOnly: true,
  async handler({ access }, ctx, input) {
    const rec = await access.resolve(ctx, reqKeyId(input));
    access.requireNotPendingDeletion(rec);
    const r = rec.rotation;
    return {
      KeyRotationEnabled: r.enabled,
      KeyId: rec.arn,
      ...(r.enabled && r.periodDays ? { RotationPeriodInDays: r.periodDays } : {}),
      ...(r.enabled && r.nextRotationDate ? { NextRotationDate: r.nextRotationDate / 1000 } : {}),
    };
  },
});
