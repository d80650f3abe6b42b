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
    /**
     * What S3 adds to the error document so a client can find its mistake (SignatureDoesNotMatch: the StringToSign
     * and canonical request the server computed; an expired URL: its times). Request data only, never a secret.
     */
    readonly details: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'SigV4Error';
  }
}

/** Text as S3 shows its bytes in an error document: each UTF-8 byte as two hex digits, separated by spaces. */
export const bytesShown = (text: string) => [...Buffer.from(text, 'utf8')].map((b) => b.toString(16).padStart(2, '0')).join(' ');

/** An instant as S3 writes one in an error document: ISO 8601 to the second ("2026-02-21T00:31:46Z"). */
export const isoSeconds = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
