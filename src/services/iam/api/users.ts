// IAM users: CreateUser, GetUser, ListUsers, DeleteUser, ListGroupsForUser
// (https://docs.aws.amazon.com/IAM/latest/APIReference/).
import { authorizeIam, type IamOperationDef, param, requireUser, targetUser, userArn, userShape } from './common.js';
import { requestTags } from './user-tags.js';

export const createUser: IamOperationDef = {
  name: 'CreateUser',
  readOnly: false,
  async handler(deps, ctx, input) {
    const name = param(input, 'UserName', true);
    const path = param(input, 'Path') ?? '/';
    const tags = requestTags(input);
    authorizeIam(deps, ctx, 'CreateUser', userArn(ctx.principal.accountId, name));
    // Tags at creation need iam:TagUser too (IAM user guide, "Permissions required for tagging").
    if (tags.length) authorizeIam(deps, ctx, 'TagUser', userArn(ctx.principal.accountId, name));
    return { User: userShape(await deps.identity.createUser(ctx.principal.accountId, name, path, tags), true) };
  },
};

export const getUser: IamOperationDef = {
  name: 'GetUser',
  readOnly: true,
  async handler(deps, ctx, input) {
    const name = targetUser(ctx, input);
    const account = ctx.principal.accountId;
    if (name === undefined) {
      // The root user asking about itself, as AWS answers it.
      authorizeIam(deps, ctx, 'GetUser', ctx.principal.arn);
      return { User: { UserId: account, Arn: ctx.principal.arn, CreateDate: new Date(0) } };
    }
    authorizeIam(deps, ctx, 'GetUser', userArn(account, name));
    return { User: userShape(await requireUser(deps, account, name), true) };
  },
};

export const listUsers: IamOperationDef = {
  name: 'ListUsers',
  readOnly: true,
  async handler(deps, ctx, input) {
    authorizeIam(deps, ctx, 'ListUsers', `arn:aws:iam::${ctx.principal.accountId}:user/`);
    const prefix = param(input, 'PathPrefix') ?? '/';
    const users = (await deps.identity.listUsers(ctx.principal.accountId)).filter((u) => u.path.startsWith(prefix));
    return { Users: users.map((u) => userShape(u)), IsTruncated: false };
  },
};

export const deleteUser: IamOperationDef = {
  name: 'DeleteUser',
  readOnly: false,
  async handler(deps, ctx, input) {
    const name = param(input, 'UserName', true);
    authorizeIam(deps, ctx, 'DeleteUser', userArn(ctx.principal.accountId, name));
    await deps.identity.deleteUser(ctx.principal.accountId, name);
    return {};
  },
};

/**
 * ListGroupsForUser: Keyhold has no IAM groups, so a user belongs to none (Terraform's aws_iam_user removes a
 * user from its groups before deleting it, and lists them first).
 */
export const listGroupsForUser: IamOperationDef = {
  name: 'ListGroupsForUser',
  readOnly: true,
  async handler(deps, ctx, input) {
    const name = param(input, 'UserName', true);
    authorizeIam(deps, ctx, 'ListGroupsForUser', userArn(ctx.principal.accountId, name));
    await requireUser(deps, ctx.principal.accountId, name);
    return { Groups: [], IsTruncated: false };
  },
};
