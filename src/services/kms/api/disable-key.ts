// DisableKey: the next cryptographic request with this key is refused (the key cache is updated by
// the same write), not "eventually".
import { setEnabled } from '../domain/lifecycle.js';
import { defineOperation, reqKeyId } from './common.js';

export default defineOperation({
  name: 'DisableKey',
  readOnly: false,
  async handler({ access }, ctx, input) {
    await setEnabled(access, await access.resolve(ctx, reqKeyId(input)), false);
    return {};
  },
});
