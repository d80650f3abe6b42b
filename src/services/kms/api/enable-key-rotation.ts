// EnableKeyRotation: RotationPeriodInDays 90-2560, default 365.
import { optInt } from '../../../protocol/fields.js';
import { enableRotation } from '../domain/rotation.js';
import { defineOperation, memberKeys, reqKeyId } from './common.js';

export default defineOperation({
  name: 'EnableKeyRotation',
  readOnly: false,
  conditionKeys: (input) => memberKeys(input, [['kms:rotationperiodindays', 'RotationPeriodInDays', 365]]),
  async handler({ access }, ctx, input) {
    const keyId = reqKeyId(input);
    const period = optInt(input, 'RotationPeriodInDays', 90, 2560);
    await enableRotation(access, await access.resolve(ctx, keyId), period);
    return {};
  },
});
