// ListAliases: the caller's aliases in the region (customer and AWS managed), optionally only those of
// one key, paged (Limit 1-100, default 50). Without KeyId the list also names the predefined AWS managed aliases
// whose key does not exist yet, with no TargetKeyId: "The response might include several aliases that do not have
// a TargetKeyId field. These are predefined aliases that AWS has created but has not yet associated with a KMS key"
// (API reference, ListAliases). Keyhold creates such a key on first use (../domain/key-access.ts).
import { MANAGED_ALIASES } from '../domain/identifiers.js';
import { aliasArn } from '../domain/types.js';
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
    const existing = await access.store.listAliases(ctx.principal.accountId, ctx.region);
    const made = new Set(existing.map((a) => a.aliasName));
    const predefined = filterKey === undefined ? [...MANAGED_ALIASES].filter((name) => !made.has(name)) : [];
    const entries = [
      ...existing
        .filter((a) => filterKey === undefined || a.targetKeyId === filterKey)
        .map((a) => ({
          AliasName: a.aliasName,
          AliasArn: a.aliasArn,
          TargetKeyId: a.targetKeyId,
          CreationDate: a.creationDate / 1000,
          LastUpdatedDate: a.lastUpdatedDate / 1000,
        })),
      ...predefined.map((name) => ({ AliasName: name, AliasArn: aliasArn(ctx.region, ctx.principal.accountId, name) })),
    ];
    const all = entries.filter((a) => after === undefined || a.AliasName > after).sort((a, b) => (a.AliasName < b.AliasName ? -1 : 1));
    const page = all.slice(0, max);
    const truncated = all.length > max;
    return {
      Aliases: page,
      Truncated: truncated,
      ...(truncated ? { NextMarker: encodeMarker(page[page.length - 1]!.AliasName) } : {}),
    };
  },
});
