// IAM users: CreateUser, GetUser, ListUsers, DeleteUser (https://docs.aws.amazon.com/IAM/latest/APIReference/).
import { NoSuchEntity } from '../errors.js';
import { authorizeIam, type IamOperationDef, param, targetUser, userArn, userShape } from './common.js';

export const createUser: IamOperationDef = {
  name: 'CreateUser',
  readOnly: false,
  async handler({ identity, authorizer }, ctx, input) {
    const name = param(input, 'UserName', true);
    const path = param(input, 'Path') ?? '/';
    authorizeIam({ identity, authorizer }, ctx, 'CreateUser', userArn(ctx.principal.accountId, name));
    return { User: userShape(await identity.createUser(ctx.principal.accountId, name, path)) };
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
    const user = await deps.identity.getUser(account, name);
    if (!user) throw new NoSuchEntity(`The user with name ${name} cannot be found.`);
    return { User: userShape(user) };
  },
};

export const listUsers: IamOperationDef = {
  name: 'ListUsers',
  readOnly: true,
  async handler(deps, ctx, input) {
    authorizeIam(deps, ctx, 'ListUsers', `arn:aws:iam::${ctx.principal.accountId}:user/`);
    const prefix = param(input, 'PathPrefix') ?? '/';
    const users = (await deps.identity.listUsers(ctx.principal.accountId)).filter((u) => u.path.startsWith(prefix));
    return { Users: users.map(userShape), IsTruncated: false };
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
