// TagResource: adds or overwrites tags (refused while the key is pending deletion).
import { defineOperation, reqKeyId } from './common.js';
import { mergeTags, parseTags } from './tags-input.js';

export default defineOperation({
  name: 'TagResource',
  readOnly: false,
  async handler({ access }, ctx, input) {
    const keyId = reqKeyId(input);
    const tags = parseTags(input);
    const rec = await access.resolve(ctx, keyId, { requestTags: tags });
    access.requireNotPendingDeletion(rec);
    await access.store.update(rec.keyId, (r) => {
      r.tags = mergeTags(r.tags, tags);
      return undefined;
    });
    return {};
  },
});
