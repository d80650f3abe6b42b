// ListResourceTags: paged (Limit 1-50, default 50).
import { decodeMarker, defineOperation, encodeMarker, limit, reqKeyId } from './common.js';

export default defineOperation({
  name: 'ListResourceTags',
  readOnly: true,
  async handler({ access }, ctx, input) {
    const keyId = reqKeyId(input);
    const max = limit(input, 50, 50);
    const after = decodeMarker(input);
    const rec = await access.resolve(ctx, keyId);
    const sorted = [...rec.tags].sort((a, b) => (a.TagKey < b.TagKey ? -1 : 1)).filter((t) => after === undefined || t.TagKey > after);
    const page = sorted.slice(0, max);
    const truncated = sorted.length > max;
    return { Tags: page, Truncated: truncated, ...(truncated ? { NextMarker: encodeMarker(page[page.length - 1]!.TagKey) } : {}) };
  },
});
