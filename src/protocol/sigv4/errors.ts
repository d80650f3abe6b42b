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
  | 'ContentSha256Mismatch';

export class SigV4Error extends Error {
  constructor(
    readonly reason: AuthFailure,
    message: string,
  ) {
    super(message);
    this.name = 'SigV4Error';
  }
}
