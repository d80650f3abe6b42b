// IAM users: CreateUser, GetUser, UpdateUser, ListUsers, DeleteUser, ListGroupsForUser
// (https://docs.aws.amazon.com/IAM/latest/APIReference/).
import type { Input } from '../../../protocol/fields.js';
import { ValidationError } from '../errors.js';
import { authorizeIam, authorizeOnUser, existing, type IamOperationDef, param, targetUser, userArn, userShape } from './common.js';
import { requestTags } from './user-tags.js';

export const createUser: IamOperationDef = {
  name: 'CreateUser',
  readOnly: false,
  async handler(deps, ctx, input) {
    const name = param(input, 'UserName', true);
    const path = userPath(input, 'Path') ?? '/';
    const tags = requestTags(input);
    const arn = userArn(ctx.principal.accountId, name, path);
    authorizeIam(deps, ctx, 'CreateUser', arn);
    // Tags at creation need iam:TagUser too (IAM user guide, "Permissions required for tagging").
    if (tags.length) authorizeIam(deps, ctx, 'TagUser', arn);
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
    return { User: userShape(existing(await authorizeOnUser(deps, ctx, 'GetUser', name), name), true) };
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

/**
 * A user's path: "/" or "/" + printable ASCII + "/", at most 512 characters (the API's pattern), refused in IAM's
 * words otherwise.
 */
function userPath(input: Input, member: 'Path' | 'NewPath'): string | undefined {
  const path = param(input, member);
  if (path !== undefined && (path.length > 512 || !/^(\/|\/[\u0021-\u007E]+\/)$/.test(path))) {
    throw new ValidationError(
      'The specified value for path is invalid. It must begin and end with / and contain only alphanumeric characters and/or / characters.',
    );
  }
  return path;
}

/**
 * UpdateUser (https://docs.aws.amazon.com/IAM/latest/APIReference/API_UpdateUser.html): a new name and/or path.
 * A rename needs iam:UpdateUser on both the user and the name it takes (IAM's rule); the user keeps its id, tags,
 * inline policies and access keys.
 */
export const updateUser: IamOperationDef = {
  name: 'UpdateUser',
  readOnly: false,
  async handler(deps, ctx, input) {
    const name = param(input, 'UserName', true);
    const newUserName = param(input, 'NewUserName');
    const newPath = userPath(input, 'NewPath');
    const account = ctx.principal.accountId;
    const user = await authorizeOnUser(deps, ctx, 'UpdateUser', name);
    // A rename is authorized on the name it takes too, at the path the user will have.
    if (newUserName !== undefined && newUserName !== name) authorizeIam(deps, ctx, 'UpdateUser', userArn(account, newUserName, newPath ?? user?.path));
    await deps.identity.updateUser(account, name, { newUserName, newPath });
    return {};
  },
};

export const deleteUser: IamOperationDef = {
  name: 'DeleteUser',
  readOnly: false,
  async handler(deps, ctx, input) {
    const name = param(input, 'UserName', true);
    await authorizeOnUser(deps, ctx, 'DeleteUser', name);
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
    existing(await authorizeOnUser(deps, ctx, 'ListGroupsForUser', name), name);
    return { Groups: [], IsTruncated: false };
  },
};
