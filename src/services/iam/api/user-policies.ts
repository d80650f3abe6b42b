// Inline user policies: PutUserPolicy (validated with the IAM policy grammar; MalformedPolicyDocument
// otherwise), GetUserPolicy (the document URL-encoded, as IAM returns it), ListUserPolicies, DeleteUserPolicy.
// A change takes effect on the next request: the identity store keeps the parsed policies exact.
import { parsePolicy, PolicyError } from '../../../iam/policy/document.js';
import { MalformedPolicyDocument, NoSuchEntity, ValidationError } from '../errors.js';
import { authorizeOnUser, type IamOperationDef, param } from './common.js';

const MAX_INLINE_POLICY_BYTES = 2048;
const POLICY_NAME_RE = /^[\w+=,.@-]{1,128}$/;

function policyName(input: Record<string, unknown>): string {
  const name = param(input, 'PolicyName', true);
  if (!POLICY_NAME_RE.test(name))
    throw new ValidationError(`The specified value for policyName is invalid. It must contain only alphanumeric characters and/or the following: +=,.@_-`);
  return name;
}

export const putUserPolicy: IamOperationDef = {
  name: 'PutUserPolicy',
  readOnly: false,
  async handler(deps, ctx, input) {
    const user = param(input, 'UserName', true);
    const name = policyName(input);
    const doc = param(input, 'PolicyDocument', true);
    await authorizeOnUser(deps, ctx, 'PutUserPolicy', user);
    try {
      parsePolicy(doc, { kind: 'identity', maxBytes: MAX_INLINE_POLICY_BYTES });
    } catch (err) {
      if (err instanceof PolicyError) throw new MalformedPolicyDocument(err.message);
      throw err;
    }
    await deps.identity.putUserPolicy(ctx.principal.accountId, user, name, doc);
    return {};
  },
};

export const getUserPolicy: IamOperationDef = {
  name: 'GetUserPolicy',
  readOnly: true,
  async handler(deps, ctx, input) {
    const user = param(input, 'UserName', true);
    const name = policyName(input);
    await authorizeOnUser(deps, ctx, 'GetUserPolicy', user);
    const doc = await deps.identity.getUserPolicy(ctx.principal.accountId, user, name);
    if (doc === undefined) throw new NoSuchEntity(`The user policy with name ${name} cannot be found.`);
    return { UserName: user, PolicyName: name, PolicyDocument: encodeURIComponent(doc) };
  },
};

export const listUserPolicies: IamOperationDef = {
  name: 'ListUserPolicies',
  readOnly: true,
  async handler(deps, ctx, input) {
    const user = param(input, 'UserName', true);
    await authorizeOnUser(deps, ctx, 'ListUserPolicies', user);
    return { PolicyNames: await deps.identity.listUserPolicies(ctx.principal.accountId, user), IsTruncated: false };
  },
};

export const deleteUserPolicy: IamOperationDef = {
  name: 'DeleteUserPolicy',
  readOnly: false,
  async handler(deps, ctx, input) {
    const user = param(input, 'UserName', true);
    const name = policyName(input);
    await authorizeOnUser(deps, ctx, 'DeleteUserPolicy', user);
    await deps.identity.deleteUserPolicy(ctx.principal.accountId, user, name);
    return {};
  },
};
