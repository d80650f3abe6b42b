// ListAliases: the caller's aliases in the region (customer and AWS managed), optionally only those of
// one key, paged (Limit 1-100, default 50).
import { decodeMarker, defineOperation, encodeMarker, limit, optKeyId } from './common.js';

export default defineOperation({
  name: 'ListAliases',
  readOnly: true,
  keyless: true,
  async handler({ access }, ctx, input) {
    const keyIdInput = optKeyId(input);
    const max = limit(input, 100, 50);
    const after = decodeMarker(input);
    const filterKey = keyIdInput === undefined ? undefined : (await access.resolve(ctx, keyIdInput, { skipAuthorization: true })).keyId;
    const all = (await access.store.listAliases(ctx.principal.accountId, ctx.region)).filter(
      (a) => (filterKey === undefined || a.targetKeyId === filterKey) && (after === undefined || a.aliasName > after),
    );
    const page = all.slice(0, max);
    const truncated = all.length > max;
    return {
      Aliases: page.map((a) => ({
        AliasName: a.aliasName,
        AliasArn: a.aliasArn,
        TargetKeyId: a.targetKeyId,
        CreationDate: a.creationDate / 1000,
        LastUpdatedDate: a.lastUpdatedDate / 1000,
      })),
      Truncated: truncated,
      ...(truncated ? { NextMarker: encodeMarker(page[page.length - 1]!.aliasName) } : {}),
    };
  },
});
