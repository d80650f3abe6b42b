// The IAM service (AWS Query protocol, signing name "iam", Version 2010-05-08): users and their tags, access
// keys (with their last use) and inline user policies. IAM is global: requests are accepted whatever region they are scoped to.
import type { ServiceDeps } from '../../server/registry.js';
import type { QueryService } from '../../server/service.js';
import { createAccessKey, deleteAccessKey, getAccessKeyLastUsed, listAccessKeys, updateAccessKey } from './api/access-keys.js';
import { bindIamOperation, type IamOperationDef } from './api/common.js';
import { deleteUserPolicy, getUserPolicy, listUserPolicies, putUserPolicy } from './api/user-policies.js';
import { listUserTags, tagUser, untagUser } from './api/user-tags.js';
import { createUser, deleteUser, getUser, listGroupsForUser, listUsers, updateUser } from './api/users.js';

export const IAM_OPERATIONS: ReadonlyArray<IamOperationDef> = [
  createUser,
  getUser,
  updateUser,
  listUsers,
  deleteUser,
  listGroupsForUser,
  createAccessKey,
  listAccessKeys,
  updateAccessKey,
  deleteAccessKey,
  getAccessKeyLastUsed,
  putUserPolicy,
  getUserPolicy,
  listUserPolicies,
  deleteUserPolicy,
  tagUser,
  untagUser,
  listUserTags,
];

export async function createIamService(deps: ServiceDeps): Promise<QueryService> {
  const iamDeps = { identity: deps.identity, authorizer: deps.authorizer, accessKeyUses: deps.accessKeyUses };
  return {
    protocol: 'query',
    signingName: 'iam',
    eventSource: 'iam.amazonaws.com',
    xmlNamespace: 'https://iam.amazonaws.com/doc/2010-05-08/',
    operations: new Map(IAM_OPERATIONS.map((d) => [d.name, bindIamOperation(d, iamDeps)])),
  };
}
