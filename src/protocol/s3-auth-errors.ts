// SigV4 failures as S3 answers them (REST-XML edge): codes and statuses from the S3 error list
// (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html). The S3 edge renders these as XML.
import type { SigV4Error } from './sigv4/errors.js';

export interface S3AuthError {
  code: string;
  status: number;
  message: string;
  /** Extra elements of the error document (HeadersNotSigned). */
  extra?: Record<string, string>;
}

export function authErrorToS3(err: SigV4Error): S3AuthError {
  switch (err.reason) {
    case 'UnknownAccessKey':
    case 'InactiveAccessKey':
      return { code: 'InvalidAccessKeyId', status: 403, message: 'The AWS Access Key Id you provided does not exist in our records.' };
    case 'SignatureMismatch':
      return {
        code: 'SignatureDoesNotMatch',
        status: 403,
        message: 'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
        extra: err.details,
      };
    case 'RequestTimeTooSkewed':
      return { code: 'RequestTimeTooSkewed', status: 403, message: 'The difference between the request time and the current time is too large.' };
    case 'ContentSha256Mismatch':
      return { code: 'XAmzContentSHA256Mismatch', status: 400, message: 'The provided x-amz-content-sha256 header does not match what was computed.' };
    case 'PresignExpired':
      return { code: 'AccessDenied', status: 403, message: 'Request has expired', extra: err.details };
    case 'PresignNotYetValid':
      return { code: 'AccessDenied', status: 403, message: 'Request is not valid yet' };
    case 'InvalidPresignExpiry':
    case 'MalformedPresign':
      return { code: 'AuthorizationQueryParametersError', status: 400, message: err.message };
    case 'HeadersNotSigned':
      return { code: 'AccessDenied', status: 403, message: err.message, extra: { HeadersNotSigned: err.headers.join(', ') } };
    case 'MissingAuthentication':
      return { code: 'AccessDenied', status: 403, message: 'Access Denied' };
    case 'IncompleteQueryAuth':
    case 'InvalidSigV2Date':
      return { code: 'AccessDenied', status: 403, message: err.message };
    case 'InvalidSessionToken':
      return { code: 'InvalidToken', status: 400, message: 'The provided token is malformed or otherwise invalid.' };
    case 'WrongService':
    case 'MalformedAuthorization':
    case 'IncompleteSignature':
      return { code: 'AuthorizationHeaderMalformed', status: 400, message: err.message };
  }
}
