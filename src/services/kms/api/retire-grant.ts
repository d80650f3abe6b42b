// RetireGrant (by GrantToken, or KeyId + GrantId): allowed for the grant's retiring principal, its grantee
// when the grant includes RetireGrant, or a principal the key policy allows kms:RetireGrant.
import { optString } from '../../../protocol/fields.js';
import { AccessDeniedException, ValidationException } from '../../../protocol/errors.js';
import { defineError } from '../../../protocol/errors.js';
import { type GrantRecord, parseGrantToken, tokenMatches } from '../domain/grants.js';
import { NotFoundException } from '../errors.js';
import { defineOperation, dryRunIfAsked, optKeyId } from './common.js';

const InvalidGrantTokenException = defineError('InvalidGrantTokenException', 400, 'The grant token is not valid.');
const InvalidGrantIdException = defineError('InvalidGrantIdException', 400);

export default defineOperation({
  name: 'RetireGrant',
  readOnly: false,
  async handler({ access, grants }, ctx, input) {
    const token = optString(input, 'GrantToken', { min: 1, max: 8192 });
    const keyIdInput = optKeyId(input);
    const grantIdInput = optString(input, 'GrantId', { min: 1, max: 128 });
    let grant: GrantRecord | undefined;
    if (token !== undefined) {
      const parsed = parseGrantToken(token);
      if (!parsed) throw new InvalidGrantTokenException();
      grant = (await grants.forKey(parsed.keyId)).find((g) => g.grantId === parsed.grantId && tokenMatches(g, parsed.secret));
      if (!grant) throw new InvalidGrantTokenException();
    } else {
      if (keyIdInput === undefined || grantIdInput === undefined) throw new ValidationException('Specify either GrantToken, or both KeyId and GrantId.');
      const key = await access.resolve(ctx, keyIdInput, { skipAuthorization: true });
      grant = (await grants.forKey(key.keyId)).find((g) => g.grantId === grantIdInput);
      if (!grant) throw new InvalidGrantIdException(`Grant ID ${grantIdInput} not found.`);
    }
    const p = ctx.principal.arn;
    const allowedByGrant = grant.retiringPrincipal === p || (grant.granteePrincipal === p && grant.operations.includes('RetireGrant'));
    if (!allowedByGrant) {
      const key = await access.store.get(grant.keyId);
      if (!key) throw new NotFoundException(`Key '${grant.keyArn}' does not exist`);
      await access.beforeAuthorize(key);
      try {
        access.authorizeKey(ctx, key, { action: 'kms:RetireGrant' });
      } catch {
        throw new AccessDeniedException(`User: ${p} is not authorized to retire grant ${grant.grantId} on ${grant.keyArn}`);
      }
    }
    dryRunIfAsked(input);
    await grants.delete(grant);
    return {};
  },
});
