// Errors are a catalog: one class per AWS error code, carrying its HTTP status. Domain code throws
// them; each protocol edge renders them once (JSON: {"__type","message"}; S3: XML). Anything else that
// escapes a handler becomes InternalFailure with the request id, never a stack trace.
export class ServiceError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = code;
  }
}

export type ErrorClass = new (message?: string) => ServiceError;

/** Defines the class for one AWS error code. */
export function defineError(code: string, status = 400, defaultMessage = ''): ErrorClass {
  return class extends ServiceError {
    constructor(message = defaultMessage) {
      super(code, message, status);
    }
  };
}

// Errors common to every AWS JSON service (shared/reference/kms.md §2).
export const ValidationException = defineError('ValidationException');
export const SerializationException = defineError('SerializationException');
export const UnknownOperationException = defineError('UnknownOperationException');
export const AccessDeniedException = defineError('AccessDeniedException');
export const ThrottlingException = defineError('ThrottlingException');
export const UnrecognizedClientException = defineError('UnrecognizedClientException', 400, 'The security token included in the request is invalid.');
export const InvalidSignatureException = defineError('InvalidSignatureException');
export const IncompleteSignatureException = defineError('IncompleteSignatureException');
export const MissingAuthenticationTokenException = defineError('MissingAuthenticationTokenException', 400, 'Missing Authentication Token');
export const RequestEntityTooLargeException = defineError('RequestEntityTooLargeException', 413);
export const InternalFailure = defineError('InternalFailure', 500, 'An internal error occurred. Retry your request.');
export const ServiceUnavailableException = defineError('ServiceUnavailableException', 503);
