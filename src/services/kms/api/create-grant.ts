// CreateGrant (https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateGrant.html): Name makes the
// call idempotent (same name and parameters -> the same grant). A grantee that creates a grant through
// its own grant may only pass on operations it holds.
import { optString } from '../../../protocol/fields.js';
import { grantToken } from '../domain/grants.js';
import { LimitExceededException } from '../errors.js';
import { defineOperation, dryRunIfAsked, grantTokens, reqKeyId } from './common.js';
import { checkGrantOperationsFor, grantConstraints, grantOperations, principalParam } from './grant-input.js';

const MAX_GRANTS_PER_KEY = 50_000;

export default defineOperation({
  name: 'CreateGrant',
  readOnly: false,
  async handler({ access, grants }, ctx, input) {
    const keyIdInput = reqKeyId(input);
    const grantee = principalParam(input, 'GranteePrincipal', true)!;
    const retiring = principalParam(input, 'RetiringPrincipal', false);
    const operations = grantOperations(input);
    const constraints = grantConstraints(input);
    const name = optString(input, 'Name', { min: 1, max: 256, pattern: /^[a-zA-Z0-9:/_-]+$/ });
    grantTokens(input);
    ctx.conditionKeys = new Map<string, ReadonlyArray<string>>([
      ['kms:grantoperations', operations],
      ['kms:granteeprincipal', [grantee]],
      ['kms:grantisforawsresource', ['false']],
      ...(retiring ? [['kms:retiringprincipal', [retiring]] as [string, string[]]] : []),
      ...(constraints ? [['kms:grantconstrainttype', Object.keys(constraints)] as [string, string[]]] : []),
    ]);
    const key = await access.resolve(ctx, keyIdInput);
    checkGrantOperationsFor(key, operations);
    access.requireNotPendingDeletion(key);
    access.requireEnabled(key);
    dryRunIfAsked(input);
    const existing = await grants.forKey(key.keyId);
    if (name) {
      const same = existing.find(
        (g) =>
          g.name === name &&
          g.granteePrincipal === grantee &&
          g.retiringPrincipal === retiring &&
          JSON.stringify([...g.operations].sort()) === JSON.stringify([...operations].sort()) &&
          JSON.stringify(g.constraints) === JSON.stringify(constraints),
      );
      if (same) return { GrantToken: grantToken(same), GrantId: same.grantId };
    }
    if (existing.length >= MAX_GRANTS_PER_KEY) throw new LimitExceededException(`The grant limit for this key (${MAX_GRANTS_PER_KEY}) has been reached.`);
    const g = await grants.create({
      keyId: key.keyId,
      keyArn: key.arn,
      accountId: key.accountId,
      region: key.region,
      ...(name ? { name } : {}),
      creationDate: access.clock(),
      granteePrincipal: grantee,
      ...(retiring ? { retiringPrincipal: retiring } : {}),
      operations,
      ...(constraints ? { constraints } : {}),
    });
    return { GrantToken: grantToken(g), GrantId: g.grantId };
  },
});
