// Authentication failures, protocol-neutral. Each protocol edge maps the reason to its own AWS error
// code (JSON: UnrecognizedClientException / InvalidSignatureException / IncompleteSignatureException /
// MissingAuthenticationTokenException; S3: InvalidAccessKeyId / SignatureDoesNotMatch /
// RequestTimeTooSkewed / AuthorizationHeaderMalformed / AccessDenied).
export type AuthFailure =
  | 'MissingAuthentication'
  | 'IncompleteSignature'
  | 'MalformedAuthorization'
  | 'UnknownAccessKey'
  | 'SignatureMismatch'
  | 'RequestTimeTooSkewed'
  | 'PresignExpired'
  | 'PresignNotYetValid'
  | 'InvalidPresignExpiry'
  | 'WrongService'
  | 'InactiveAccessKey'
  | 'ContentSha256Mismatch'
  /** A presigned URL's query authentication is incomplete or malformed. */
  | 'MalformedPresign'
  /** Headers that must be signed (any x-amz-* header of a presigned request) are present unsigned. */
  | 'HeadersNotSigned'
  /** A session token came with the signature: Keyhold's keys are all long-term, so no token is valid. */
  | 'InvalidSessionToken'
  /** A SigV2 presigned URL without all of AWSAccessKeyId, Expires and Signature (../sigv2/query-auth.ts). */
  | 'IncompleteQueryAuth'
  /** A SigV2 Authorization header without a valid Date or x-amz-date header (../sigv2/header-auth.ts). */
  | 'InvalidSigV2Date';

export class SigV4Error extends Error {
  constructor(
    readonly reason: AuthFailure,
    message: string,
    /** HeadersNotSigned: the headers concerned. */
    readonly headers: ReadonlyArray<string> = [],
  ) {
    super(message);
    this.name = 'SigV4Error';
  }
}
