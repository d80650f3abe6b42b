// GetKeyLastUsage: the last successful cryptographic operation with a key, when, and the CloudTrail event and
// KMS request that recorded it (https://docs.aws.amazon.com/kms/latest/APIReference/API_GetKeyLastUsage.html).
// KeyLastUsage is an empty object when no use was recorded since TrackingStartDate, which is the later of the
// key's creation and the day this node began recording (domain/key-last-usage.ts). Works in every key state.
import { defineOperation, reqKeyId } from './common.js';

export default defineOperation({
  name: 'GetKeyLastUsage',
  readOnly: true,
  async handler({ access, usage }, ctx, input) {
    const rec = await access.resolve(ctx, reqKeyId(input));
    const last = await usage.lastUse(rec.keyId);
    return {
      KeyId: rec.keyId,
      KeyLastUsage: last ? { Operation: last.operation, Timestamp: last.at / 1000, CloudTrailEventId: last.eventId, KmsRequestId: last.requestId } : {},
      TrackingStartDate: usage.trackingStartFor(rec.creationDate) / 1000,
      KeyCreationDate: rec.creationDate / 1000,
    };
  },
});
