// Shared pieces of the IAM operations: the operation shape, authorization of iam:<Action> through the
// caller's identity policies (the account root user is always allowed), parameter helpers, record shapes.
import type { AccessKeyUses } from '../../../iam/access-key-uses.js';
import type { Authorizer } from '../../../iam/authorizer.js';
import { Authorizer as AuthorizerClass } from '../../../iam/authorizer.js';
import type { IdentityStore, User } from '../../../iam/identity-store.js';
import { type Input, missingMemberMessage } from '../../../protocol/fields.js';
import type { RequestContext } from '../../../server/context.js';
import type { ApiOperation } from '../../../server/service.js';
import { AccessDenied, fromIdentityError, NoSuchEntity, ValidationError } from '../errors.js';

export interface IamDeps {
  identity: IdentityStore;
  authorizer: Authorizer;
  accessKeyUses: AccessKeyUses;
}

export interface IamOperationDef {
  name: string;
  readOnly: boolean;
  handler(deps: IamDeps, ctx: RequestContext, input: Input): Promise<Record<string, unknown>>;
}

export function bindIamOperation(def: IamOperationDef, deps: IamDeps): ApiOperation {
  return {
    readOnly: def.readOnly,
    handler: async (ctx, input) => {
      try {
        return await def.handler(deps, ctx, input);
      } catch (err) {
        throw fromIdentityError(err);
      }
    },
    audit: (_ctx, input, output) => ({
      requestParameters: Object.fromEntries(Object.entries(input).map(([k, v]) => [k.charAt(0).toLowerCase() + k.slice(1), v])),
      responseElements: def.readOnly || !output ? null : output,
    }),
  };
}

export function authorizeIam(deps: IamDeps, ctx: RequestContext, action: string, resource: string): void {
  const check = { action: `iam:${action}`, resource };
  const decision = deps.authorizer.decide(ctx, check);
  if (!decision.allowed) throw new AccessDenied(AuthorizerClass.message(ctx, check, decision));
}

/** A user's ARN: its path between "user" and its name (arn:aws:iam::123456789012:user/division/alice). */
export const userArn = (accountId: string, userName: string, path = '/') => `arn:aws:iam::${accountId}:user${path}${userName}`;

/**
 * Reads user `userName` of the caller's account once and authorizes `action` on it: on the user's ARN with its
 * path, as IAM evaluates it (a policy naming user/division/* covers the users under /division/, and a Deny on
 * them holds); for a user that does not exist, on the ARN with the root path, so the request is still authorized
 * before its NoSuchEntity is told. Returns the user read, undefined when there is none (see `existing`).
 */
export async function authorizeOnUser(deps: IamDeps, ctx: RequestContext, action: string, userName: string): Promise<User | undefined> {
  const user = await deps.identity.getUser(ctx.principal.accountId, userName);
  authorizeIam(deps, ctx, action, user?.arn ?? userArn(ctx.principal.accountId, userName));
  return user;
}

/** The user read, or IAM's NoSuchEntity naming it. */
export function existing(user: User | undefined, userName: string): User {
  if (!user) throw new NoSuchEntity(`The user with name ${userName} cannot be found.`);
  return user;
}

export function param(input: Input, name: string, required: true): string;
export function param(input: Input, name: string, required?: false): string | undefined;
export function param(input: Input, name: string, required = false): string | undefined {
  const v = input[name];
  if (v === undefined || v === '') {
    if (required) throw new ValidationError(missingMemberMessage(name));
    return undefined;
  }
  return String(v);
}

/** A user as IAM returns it; `withTags` for CreateUser and GetUser (ListUsers leaves tags out, as IAM does). */
export function userShape(u: User, withTags = false): Record<string, unknown> {
  return {
    Path: u.path,
    UserName: u.userName,
    UserId: u.userId,
    Arn: u.arn,
    CreateDate: new Date(u.createdAt),
    ...(withTags && u.tags?.length ? { Tags: u.tags } : {}),
  };
}

/** The user an operation is about: the named one, or the caller when no UserName is given. */
export function targetUser(ctx: RequestContext, input: Input): string | undefined {
  return param(input, 'UserName') ?? ctx.principal.userName;
}
