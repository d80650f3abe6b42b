// UntagResource: removes tags by key; unknown keys are ignored, as AWS does.
import { missingMember, optStringList } from '../../../protocol/fields.js';
import { defineOperation, reqKeyId } from './common.js';

export default defineOperation({
  name: 'UntagResource',
  readOnly: false,
  async handler({ access }, ctx, input) {
    const keyId = reqKeyId(input);
    const keys = optStringList(input, 'TagKeys', 50);
    if (!keys) throw missingMember('TagKeys');
    const rec = await access.resolve(ctx, keyId, { tagKeys: keys });
    access.requireNotPendingDeletion(rec);
    const drop = new Set(keys);
    await access.store.update(rec.keyId, (r) => {
      r.tags = r.tags.filter((t) => !drop.has(t.TagKey));
      return undefined;
    });
    return {};
  },
});
