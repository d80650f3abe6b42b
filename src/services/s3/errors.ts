// S3 errors (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html): XML bodies with Code,
// Message, the error's own fields, RequestId and HostId; HEAD responses carry no body. One class, a code catalog of factories.
import { ServiceError } from '../../protocol/errors.js';
import { authErrorToS3 } from '../../protocol/s3-auth-errors.js';
import type { SigV4Error } from '../../protocol/sigv4/errors.js';

export class S3Error extends ServiceError {
  constructor(
    code: string,
    status: number,
    message: string,
    readonly extra: Record<string, string> = {},
  ) {
    super(code, message, status);
  }
}

/** The same error with more fields or x-amz-* headers (an operation that answers a shared refusal its own way). */
export function withDetails(err: S3Error, details: Record<string, string>): S3Error {
  return new S3Error(err.code, err.status, err.message, { ...err.extra, ...details });
}

/** A signature failure (SigV4 or SigV2) as the S3 error it is answered with. */
export function s3AuthError(err: SigV4Error): S3Error {
  const e = authErrorToS3(err);
  return new S3Error(e.code, e.status, e.message, e.extra);
}

const e =
  (code: string, status: number, message: string) =>
  (msg = message, extra: Record<string, string> = {}) =>
    new S3Error(code, status, msg, extra);

export const S3 = {
  AccessDenied: e('AccessDenied', 403, 'Access Denied'),
  BadRequest: e('BadRequest', 400, 'Bad Request'),
  BadDigest: e('BadDigest', 400, 'The Content-MD5 you specified did not match what we received.'),
  BucketAlreadyExists: e(
    'BucketAlreadyExists',
    409,
    'The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.',
  ),
  BucketAlreadyOwnedByYou: e('BucketAlreadyOwnedByYou', 409, 'Your previous request to create the named bucket succeeded and you already own it.'),
  BucketNotEmpty: e('BucketNotEmpty', 409, 'The bucket you tried to delete is not empty'),
  EntityTooLarge: e('EntityTooLarge', 400, 'Your proposed upload exceeds the maximum allowed size'),
  EntityTooSmall: e('EntityTooSmall', 400, 'Your proposed upload is smaller than the minimum allowed size'),
  IllegalLocationConstraintException: e('IllegalLocationConstraintException', 400, 'The specified location-constraint is not valid for this request.'),
  IncompleteBody: e('IncompleteBody', 400, 'You did not provide the number of bytes specified by the Content-Length HTTP header.'),
  InternalError: e('InternalError', 500, 'We encountered an internal error. Please try again.'),
  IllegalVersioningConfigurationException: e('IllegalVersioningConfigurationException', 400, 'The Versioning element must be specified'),
  InvalidArgument: e('InvalidArgument', 400, 'Invalid Argument'),
  InvalidBucketName: e('InvalidBucketName', 400, 'The specified bucket is not valid.'),
  InvalidDigest: e('InvalidDigest', 400, 'The Content-MD5 you specified was invalid.'),
  InvalidEncryptionAlgorithmError: e('InvalidEncryptionAlgorithmError', 400, 'The Encryption request you specified is not valid. Supported value: AES256.'),
  InvalidPart: e(
    'InvalidPart',
    400,
    "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.",
  ),
  InvalidLocationConstraint: e('InvalidLocationConstraint', 400, 'The specified location-constraint is not valid'),
  InvalidNamespaceHeader: e('InvalidNamespaceHeader', 400, 'The x-amz-bucket-namespace header does not match the bucket name.'),
  InvalidPartNumber: e('InvalidPartNumber', 416, 'The requested partnumber is not satisfiable'),
  InvalidPartOrder: e('InvalidPartOrder', 400, 'The list of parts was not in ascending order. Parts must be ordered by part number.'),
  InvalidObjectState: e('InvalidObjectState', 403, "The operation is not valid for the object's storage class"),
  InvalidRange: e('InvalidRange', 416, 'The requested range is not satisfiable'),
  InvalidRedirectLocation: e('InvalidRedirectLocation', 400, "The website redirect location must have a prefix of 'http://' or 'https://' or '/'."),
  InvalidRequest: e('InvalidRequest', 400, 'Invalid Request'),
  InvalidTag: e('InvalidTag', 400, 'The tag provided was not a valid tag.'),
  InvalidStorageClass: e('InvalidStorageClass', 400, 'The storage class you specified is not valid'),
  KeyTooLongError: e('KeyTooLongError', 400, 'Your key is too long'),
  MalformedPolicy: e('MalformedPolicy', 400, "Policies must be valid JSON and the first byte must be '{'"),
  MissingRequestBodyError: e('MissingRequestBodyError', 400, 'Request Body is empty'),
  MalformedXML: e('MalformedXML', 400, 'The XML you provided was not well-formed or did not validate against our published schema'),
  MalformedTrailerError: e(
    'MalformedTrailerError',
    400,
    'The request contained trailing data that was not well-formed or did not conform to our published schema.',
  ),
  MetadataTooLarge: e('MetadataTooLarge', 400, 'Your metadata headers exceed the maximum allowed metadata size'),
  MethodNotAllowed: e('MethodNotAllowed', 405, 'The specified method is not allowed against this resource.'),
  MissingContentLength: e('MissingContentLength', 411, 'You must provide the Content-Length HTTP header.'),
  NoSuchBucket: e('NoSuchBucket', 404, 'The specified bucket does not exist'),
  NoSuchBucketPolicy: e('NoSuchBucketPolicy', 404, 'The bucket policy does not exist'),
  NoSuchKey: e('NoSuchKey', 404, 'The specified key does not exist.'),
  NoSuchTagSet: e('NoSuchTagSet', 404, 'The TagSet does not exist'),
  NoSuchUpload: e('NoSuchUpload', 404, 'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.'),
  NoSuchVersion: e('NoSuchVersion', 404, 'The specified version does not exist.'),
  NoSuchCORSConfiguration: e('NoSuchCORSConfiguration', 404, 'The CORS configuration does not exist'),
  NoSuchLifecycleConfiguration: e('NoSuchLifecycleConfiguration', 404, 'The lifecycle configuration does not exist'),
  NoSuchPublicAccessBlockConfiguration: e('NoSuchPublicAccessBlockConfiguration', 404, 'The public access block configuration was not found'),
  OwnershipControlsNotFoundError: e('OwnershipControlsNotFoundError', 404, 'The bucket ownership controls were not found'),
  NoSuchWebsiteConfiguration: e('NoSuchWebsiteConfiguration', 404, 'The specified bucket does not have a website configuration'),
  ObjectLockConfigurationNotFoundError: e('ObjectLockConfigurationNotFoundError', 404, 'Object Lock configuration does not exist for this bucket'),
  NoSuchConfiguration: e('NoSuchConfiguration', 404, 'The specified configuration does not exist.'),
  ReplicationConfigurationNotFoundError: e('ReplicationConfigurationNotFoundError', 404, 'The replication configuration was not found'),
  AccessControlListNotSupported: e('AccessControlListNotSupported', 400, 'The bucket does not allow ACLs'),
  InvalidBucketAclWithObjectOwnership: e(
    'InvalidBucketAclWithObjectOwnership',
    400,
    "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting",
  ),
  MalformedACLError: e('MalformedACLError', 400, 'The XML you provided was not well-formed or did not validate against our published schema'),
  NotImplemented: e('NotImplemented', 501, 'A header you provided implies functionality that is not implemented'),
  PreconditionFailed: e('PreconditionFailed', 412, 'At least one of the pre-conditions you specified did not hold'),
  ConditionalRequestConflict: e(
    'ConditionalRequestConflict',
    409,
    'The conditional request cannot succeed due to a conflicting operation against this resource.',
  ),
  NotModified: e('NotModified', 304, 'Not Modified'),
  ServerSideEncryptionConfigurationNotFoundError: e(
    'ServerSideEncryptionConfigurationNotFoundError',
    404,
    'The server side encryption configuration was not found',
  ),
  RequestTimeout: e(
    'RequestTimeout',
    400,
    'Your socket connection to the server was not read from or written to within the timeout period. Idle connections will be closed.',
  ),
  ServiceUnavailable: e('ServiceUnavailable', 503, 'Please reduce your request rate.'),
  SlowDown: e('SlowDown', 503, 'Please reduce your request rate.'),
  SignatureDoesNotMatch: e(
    'SignatureDoesNotMatch',
    403,
    'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
  ),
  XAmzContentSHA256Mismatch: e('XAmzContentSHA256Mismatch', 400, "The provided 'x-amz-content-sha256' header does not match what was computed."),
};

/** A KMS failure met while serving an S3 request, reported as S3 does: "KMS.<Exception>". */
export function kmsFailure(err: ServiceError): S3Error {
  const status = err.code === 'AccessDeniedException' ? 403 : err.code === 'ThrottlingException' ? 503 : 400;
  return new S3Error(`KMS.${err.code}`, status, err.message || err.code);
}
