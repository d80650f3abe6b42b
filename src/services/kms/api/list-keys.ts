// ListKeys: the caller's keys in the request's region, paged (Limit 1-1000, default 100).
import { keyArn } from '../domain/types.js';
import { decodeMarker, defineOperation, encodeMarker, limit } from './common.js';

export default defineOperation({
  name: 'ListKeys',
  readOnly: true,
  keyless: true,
  async handler({ access }, ctx, input) {
    const max = limit(input, 1000, 100);
    const after = decodeMarker(input);
    const ids = await access.store.listKeyIds(ctx.principal.accountId, ctx.region, after, max + 1);
    const page = ids.slice(0, max);
    const truncated = ids.length > max;
    return {
      Keys: page.map((id) => ({ KeyId: id, KeyArn: keyArn(ctx.region, ctx.principal.accountId, id) })),
      Truncated: truncated,
      ...(truncated ? { NextMarker: encodeMarker(page[page.length - 1]!) } : {}),
    };
  },
});
