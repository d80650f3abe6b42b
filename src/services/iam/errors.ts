// IAM error catalog (https://docs.aws.amazon.com/IAM/latest/APIReference/CommonErrors.html and each action's
// Errors section), and the mapping from the identity store's errors.
import { defineError, type ServiceError } from '../../protocol/errors.js';
import { IdentityError } from '../../iam/identity-store.js';

export const NoSuchEntity = defineError('NoSuchEntity', 404);
export const EntityAlreadyExists = defineError('EntityAlreadyExists', 409);
export const LimitExceeded = defineError('LimitExceeded', 409);
export const DeleteConflict = defineError('DeleteConflict', 409);
export const InvalidInput = defineError('InvalidInput', 400);
export const ConcurrentModification = defineError('ConcurrentModification', 409);
export const MalformedPolicyDocument = defineError('MalformedPolicyDocument', 400);
export const ValidationError = defineError('ValidationError', 400);
export const AccessDenied = defineError('AccessDenied', 403);

export function fromIdentityError(err: unknown): unknown {
  if (!(err instanceof IdentityError)) return err;
  const map: Record<IdentityError['code'], new (m?: string) => ServiceError> = {
    NoSuchEntity,
    EntityAlreadyExists,
    LimitExceeded,
    DeleteConflict,
    InvalidInput,
    ConcurrentModification,
  };
  return new map[err.code](err.message);
}
