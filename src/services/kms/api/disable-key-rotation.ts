// DisableKeyRotation: stops automatic rotation; existing material is kept.
import { disableRotation } from '../domain/rotation.js';
import { defineOperation, reqKeyId } from './common.js';

export default defineOperation({
  name: 'DisableKeyRotation',
  readOnly: false,
  async handler({ access }, ctx, input) {
    await disableRotation(access, await access.resolve(ctx, reqKeyId(input)));
    return {};
  },
});
