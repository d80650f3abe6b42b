// ACM error catalog (shared/reference/acm.md §3); every client error is 400 on the AWS JSON protocol.
import { defineError } from '../../protocol/errors.js';

export const ResourceNotFoundException = defineError('ResourceNotFoundException');
export const ResourceInUseException = defineError(
  'ResourceInUseException',
  400,
  "The certificate is in use by another Amazon Web Services service in the caller's account. Remove the association and try again.",
);
export const InvalidArnException = defineError('InvalidArnException');
export const InvalidDomainValidationOptionsException = defineError('InvalidDomainValidationOptionsException');
export const InvalidParameterException = defineError('InvalidParameterException');
export const InvalidStateException = defineError('InvalidStateException');
export const InvalidTagException = defineError('InvalidTagException');
export const TooManyTagsException = defineError('TooManyTagsException');
export const RequestInProgressException = defineError('RequestInProgressException');
export const LimitExceededException = defineError('LimitExceededException');
export const AcmValidationException = defineError('ValidationException');
export const AcmAccessDeniedException = defineError('AccessDeniedException');
