// DeleteAlias: the key itself is unaffected.
import { aliasArn } from '../domain/types.js';
import { NotFoundException } from '../errors.js';
import { customerAliasName } from './alias-input.js';
import { defineOperation } from './common.js';

export default defineOperation({
  name: 'DeleteAlias',
  readOnly: false,
  async handler({ access }, ctx, input) {
    const aliasName = customerAliasName(input);
    const existing = await access.store.getAlias(ctx.principal.accountId, ctx.region, aliasName);
    if (!existing) throw new NotFoundException(`Alias ${aliasArn(ctx.region, ctx.principal.accountId, aliasName)} is not found.`);
    await access.store.deleteAlias(existing);
    return {};
  },
});
