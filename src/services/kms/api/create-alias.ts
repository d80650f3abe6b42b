// CreateAlias: one alias names exactly one key in the same account and region.
import { aliasArn } from '../domain/types.js';
import { AlreadyExistsException } from '../errors.js';
import { aliasTarget, customerAliasName } from './alias-input.js';
import { defineOperation } from './common.js';

export default defineOperation({
  name: 'CreateAlias',
  readOnly: false,
  async handler({ access }, ctx, input) {
    const aliasName = customerAliasName(input);
    const target = await aliasTarget(access, ctx, input);
    const arn = aliasArn(ctx.region, ctx.principal.accountId, aliasName);
    const now = access.clock();
    try {
      await access.store.putAlias(
        {
          aliasName,
          aliasArn: arn,
          accountId: ctx.principal.accountId,
          region: ctx.region,
          targetKeyId: target.keyId,
          creationDate: now,
          lastUpdatedDate: now,
        },
        true,
      );
    } catch {
      throw new AlreadyExistsException(`An alias with the name ${arn} already exists`);
    }
    return {};
  },
});
