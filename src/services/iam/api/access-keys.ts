// Access keys: CreateAccessKey (the secret is returned once and stored only sealed), ListAccessKeys,
// UpdateAccessKey, DeleteAccessKey, GetAccessKeyLastUsed. Without UserName they act on the caller (the root
// user's own keys for the root user), as IAM does.
import { NoSuchEntity, ValidationError } from '../errors.js';
import type { RequestContext } from '../../../server/context.js';
import { authorizeIam, authorizeOnUser, type IamDeps, type IamOperationDef, param, targetUser } from './common.js';

/** Authorizes an access key request on its user (with the user's path), or on the account's root user. */
async function authorizeKeyAction(deps: IamDeps, ctx: RequestContext, action: string, userName: string | undefined): Promise<void> {
  if (userName) await authorizeOnUser(deps, ctx, action, userName);
  else authorizeIam(deps, ctx, action, `arn:aws:iam::${ctx.principal.accountId}:root`);
}

export const createAccessKey: IamOperationDef = {
  name: 'CreateAccessKey',
  readOnly: false,
  async handler(deps, ctx, input) {
    const user = targetUser(ctx, input);
    await authorizeKeyAction(deps, ctx, 'CreateAccessKey', user);
    const k = await deps.identity.createAccessKey(ctx.principal.accountId, user);
    return {
      AccessKey: {
        UserName: user ?? ctx.principal.accountId,
        AccessKeyId: k.accessKeyId,
        Status: k.status,
        SecretAccessKey: k.secretAccessKey,
        CreateDate: new Date(k.createdAt),
      },
    };
  },
};

export const listAccessKeys: IamOperationDef = {
  name: 'ListAccessKeys',
  readOnly: true,
  async handler(deps, ctx, input) {
    const user = targetUser(ctx, input);
    await authorizeKeyAction(deps, ctx, 'ListAccessKeys', user);
    const keys = await deps.identity.listAccessKeys(ctx.principal.accountId, user);
    return {
      AccessKeyMetadata: keys.map((k) => ({
        UserName: k.userName ?? ctx.principal.accountId,
        AccessKeyId: k.accessKeyId,
        Status: k.status,
        CreateDate: new Date(k.createdAt),
      })),
      IsTruncated: false,
    };
  },
};

export const updateAccessKey: IamOperationDef = {
  name: 'UpdateAccessKey',
  readOnly: false,
  async handler(deps, ctx, input) {
    const id = param(input, 'AccessKeyId', true);
    const status = param(input, 'Status', true);
    if (status !== 'Active' && status !== 'Inactive')
      throw new ValidationError(
        "1 validation error detected: Value at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Active, Inactive]",
      );
    await authorizeKeyAction(deps, ctx, 'UpdateAccessKey', targetUser(ctx, input));
    await deps.identity.setAccessKeyStatus(ctx.principal.accountId, id, status);
    return {};
  },
};

export const deleteAccessKey: IamOperationDef = {
  name: 'DeleteAccessKey',
  readOnly: false,
  async handler(deps, ctx, input) {
    const id = param(input, 'AccessKeyId', true);
    await authorizeKeyAction(deps, ctx, 'DeleteAccessKey', targetUser(ctx, input));
    await deps.identity.deleteAccessKey(ctx.principal.accountId, id);
    return {};
  },
};

/**
 * GetAccessKeyLastUsed (https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccessKeyLastUsed.html): when
 * the key last signed a request, to which service and in which Region; "N/A" for both and no date when it never
 * has. Authorized on the key's owner (its user, or the account root user for a root key); a key of another
 * account is not found, as a deleted one is.
 */
export const getAccessKeyLastUsed: IamOperationDef = {
  name: 'GetAccessKeyLastUsed',
  readOnly: true,
  async handler(deps, ctx, input) {
    const id = param(input, 'AccessKeyId', true);
    const key = await deps.identity.getAccessKey(id);
    if (!key || key.accountId !== ctx.principal.accountId) throw new NoSuchEntity(`The Access Key with id ${id} cannot be found.`);
    await authorizeKeyAction(deps, ctx, 'GetAccessKeyLastUsed', key.userName);
    const use = await deps.accessKeyUses.lastUse(id);
    return {
      UserName: key.userName ?? key.accountId,
      AccessKeyLastUsed: use ? { LastUsedDate: new Date(use.at), ServiceName: use.service, Region: use.region } : { ServiceName: 'N/A', Region: 'N/A' },
    };
  },
};
