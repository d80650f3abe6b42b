// ListGrants: the grants of one key, optionally one grant or one grantee, paged (Limit 1-100, default 50).
import { optString } from '../../../protocol/fields.js';
import { decodeMarker, defineOperation, encodeMarker, limit, reqKeyId } from './common.js';
import { grantShape, principalParam } from './grant-input.js';

export default defineOperation({
  name: 'ListGrants',
  readOnly: true,
  async handler({ access, grants }, ctx, input) {
    const key = await access.resolve(ctx, reqKeyId(input));
    const max = limit(input, 100, 50);
    const after = decodeMarker(input);
    const grantId = optString(input, 'GrantId', { min: 1, max: 128 });
    const grantee = principalParam(input, 'GranteePrincipal', false);
    const all = (await grants.forKey(key.keyId))
      .filter((g) => (grantId === undefined || g.grantId === grantId) && (grantee === undefined || g.granteePrincipal === grantee))
      .sort((a, b) => (a.grantId < b.grantId ? -1 : 1))
      .filter((g) => after === undefined || g.grantId > after);
    const page = all.slice(0, max);
    const truncated = all.length > max;
    return { Grants: page.map(grantShape), Truncated: truncated, ...(truncated ? { NextMarker: encodeMarker(page[page.length - 1]!.grantId) } : {}) };
  },
});
