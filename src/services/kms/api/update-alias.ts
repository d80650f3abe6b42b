// UpdateAlias: points an existing customer alias at another key.
import { aliasArn } from '../domain/types.js';
import { NotFoundException } from '../errors.js';
import { aliasTarget, customerAliasName } from './alias-input.js';
import { defineOperation } from './common.js';

export default defineOperation({
  name: 'UpdateAlias',
  readOnly: false,
  async handler({ access }, ctx, input) {
    const aliasName = customerAliasName(input);
    const existing = await access.store.getAlias(ctx.principal.accountId, ctx.region, aliasName);
    if (!existing) throw new NotFoundException(`Alias ${aliasArn(ctx.region, ctx.principal.accountId, aliasName)} is not found.`);
    const target = await aliasTarget(access, ctx, input);
    await access.store.putAlias({ ...existing, targetKeyId: target.keyId, lastUpdatedDate: access.clock() }, false);
    return {};
  },
});
