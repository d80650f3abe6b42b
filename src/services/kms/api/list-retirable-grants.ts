// ListRetirableGrants: grants in the caller's account and region whose retiring principal is the one given.
import { decodeMarker, defineOperation, encodeMarker, limit } from './common.js';
import { grantShape, principalParam } from './grant-input.js';

export default defineOperation({
  name: 'ListRetirableGrants',
  readOnly: true,
  keyless: true,
  async handler({ grants }, ctx, input) {
    const retiring = principalParam(input, 'RetiringPrincipal', true)!;
    const max = limit(input, 100, 50);
    const after = decodeMarker(input);
    const all = (await grants.inAccount(ctx.principal.accountId, ctx.region))
      .filter((g) => g.retiringPrincipal === retiring)
      .sort((a, b) => (a.grantId < b.grantId ? -1 : 1))
      .filter((g) => after === undefined || g.grantId > after);
    const page = all.slice(0, max);
    const truncated = all.length > max;
    return { Grants: page.map(grantShape), Truncated: truncated, ...(truncated ? { NextMarker: encodeMarker(page[page.length - 1]!.grantId) } : {}) };
  },
});
