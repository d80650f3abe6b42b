// Alias name rules (https://docs.aws.amazon.com/kms/latest/developerguide/alias-create.html): 1-256
// characters of [a-zA-Z0-9/_-], starting with "alias/", and "alias/aws/" reserved for AWS managed keys.
import { type Input, reqString } from '../../../protocol/fields.js';
import { ValidationException } from '../../../protocol/errors.js';
import type { RequestContext } from '../../../server/context.js';
import type { KeyAccess } from '../domain/key-access.js';
import type { KeyRecord } from '../domain/types.js';
import { InvalidAliasNameException, NotFoundException, UnsupportedOperationException } from '../errors.js';
import { parseKeyRef } from '../domain/identifiers.js';

export function customerAliasName(input: Input): string {
  const name = reqString(input, 'AliasName', { min: 1, max: 256, pattern: /^[a-zA-Z0-9:/_-]+$/ });
  // A missing prefix is a ValidationException (as recorded from AWS in localstack's KMS snapshots).
  if (!name.startsWith('alias/') || name === 'alias/')
    throw new ValidationException('Alias must start with the prefix "alias/". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html');
  // The API's pattern admits ':' (it is shared with alias ARNs), but an alias name may hold only letters, digits,
  // '/', '_' and '-' (alias-create.html). The message is the one moto's KMS tests expect.
  if (name.includes(':')) throw new ValidationException(`${name} contains invalid characters for an alias`);
  if (name.startsWith('alias/aws/'))
    throw new InvalidAliasNameException(`Alias ${name} must not begin with alias/aws/; that prefix is reserved for AWS managed keys.`);
  return name;
}

/** TargetKeyId must name a key by id or key ARN (not an alias), customer managed and not pending deletion. */
export async function aliasTarget(access: KeyAccess, ctx: RequestContext, input: Input): Promise<KeyRecord> {
  const target = reqString(input, 'TargetKeyId', { min: 1, max: 2048 });
  const ref = parseKeyRef(target);
  if (ref && (ref.kind === 'alias' || ref.kind === 'aliasArn')) throw new NotFoundException(`Invalid keyId '${target}'`);
  const rec = await access.resolve(ctx, target);
  access.requireNotPendingDeletion(rec);
  if (rec.keyManager === 'AWS') throw new UnsupportedOperationException(`${rec.arn} is an AWS managed key; aliases cannot point to it.`);
  return rec;
}
