// The Object Lock a write gives its new version (PutObject, POST uploads, CopyObject, CreateMultipartUpload),
// with S3's two extra requirements: the x-amz-object-lock-* headers need their own permissions
// (s3:PutObjectRetention, s3:PutObjectLegalHold), and a locked upload must carry an integrity check
// (Content-MD5 or an x-amz-checksum), since its bytes cannot be replaced afterwards.
import { authorizeS3 } from '../authorize.js';
import { declaredChecksum } from '../api/checksum-request.js';
import { S3 } from '../errors.js';
import { type BucketRecord, objectArn } from '../model.js';
import { header, type S3Deps, type S3Request } from '../request.js';
import { lockForNewVersion, type VersionLock } from './rules.js';

export function lockOnWrite(deps: S3Deps, req: S3Request, b: BucketRecord, opts: { uploadsBody: boolean }): VersionLock | undefined {
  const lock = lockForNewVersion(req, b, deps.clock());
  if (header(req, 'x-amz-object-lock-mode') !== undefined) authorizeS3(deps, req, 's3:PutObjectRetention', objectArn(b.name, req.key!), b);
  if (header(req, 'x-amz-object-lock-legal-hold') !== undefined) authorizeS3(deps, req, 's3:PutObjectLegalHold', objectArn(b.name, req.key!), b);
  if (lock && opts.uploadsBody && header(req, 'content-md5') === undefined && declaredChecksum(req) === undefined) {
    throw S3.InvalidRequest('Content-MD5 OR x-amz-checksum- HTTP header is required for Put Object requests with Object Lock parameters');
  }
  return lock;
}
