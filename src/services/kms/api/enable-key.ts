// EnableKey: Disabled -> Enabled; refused while pending deletion.
import { setEnabled } from '../domain/lifecycle.js';
import { defineOperation, reqKeyId } from './common.js';

export default defineOperation({
  name: 'EnableKey',
  readOnly: false,
  async handler({ access }, ctx, input) {
    await setEnabled(access, await access.resolve(ctx, reqKeyId(input)), true);
    return {};
  },
});
