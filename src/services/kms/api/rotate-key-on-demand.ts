// RotateKeyOnDemand: immediate rotation, at most 10 per key; the automatic schedule is unchanged.
import { rotateOnDemand } from '../domain/rotation.js';
import { defineOperation, reqKeyId } from './common.js';

export default defineOperation({
  name: 'RotateKeyOnDemand',
  readOnly: false,
  async handler({ access }, ctx, input) {
    const rec = await rotateOnDemand(access, await access.resolve(ctx, reqKeyId(input)));
    return { KeyId: rec.arn };
  },
});
