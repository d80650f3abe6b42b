// PutObject: the body (any payload mode) is encrypted on the way to the blob store under a fresh object
// key (SSE-S3 by default, SSE-KMS, or SSE-C), its digests checked, and only then is the version committed.
import { recordSseApplied } from '../audit-details.js';
import { authorizeS3 } from '../authorize.js';
import { checkObjectWriteAcl } from './acl.js';
import { checkDeclaredBodyLength } from './body-length.js';
import { objectArn, bucketArn, type VersionRecord } from '../model.js';
import { expirationHeader } from '../lifecycle/rules.js';
import { header, type S3Handler } from '../request.js';
import { requestedStorageClass } from './storage-class.js';
import { binding } from '../sse/object-keys.js';
import { customerKeyMd5, writeEncryption } from '../sse/request-headers.js';
import { lockOnWrite } from '../object-lock/on-write.js';
import { requireBucket } from './bucket-common.js';
import { checksumHeaders, declaredChecksum } from './checksum-request.js';
import { requestTagKeys } from './tag-rules.js';
import { preconditions } from './write-conditions.js';
import {
  commitVersion,
  deleteBlobs,
  newVersionId,
  SEGMENT_BYTES,
  sseHeaders,
  standardHeaders,
  taggingHeader,
  userMetadata,
  writeEncryptedBlob,
} from './object-common.js';

/** PutObject: a PUT whose body must declare its length (./body-length.ts). */
export const putObject: S3Handler = async (deps, req) => {
  checkDeclaredBodyLength(req);
  return writeObject(deps, req);
};

/** Stores the request's body as a new version: PutObject's work, and a POST form upload's (whose file has no length of its own). */
export const writeObject: S3Handler = async (deps, req) => {
  const b = await requireBucket(deps, req);
  const key = req.key!;
  const tags = taggingHeader(req);
  // Policy first, then the encryption headers' values: a bucket policy that denies a wrong algorithm answers
  // AccessDenied for any value, a valid one or not, as S3 does (s3-tests' incorrect-algorithm policy tests).
  authorizeS3(deps, req, 's3:PutObject', objectArn(b.name, key), b, requestTagKeys(tags));
  checkObjectWriteAcl(req, b.accountId);
  const enc = writeEncryption(req.headers, req.secure, b);
  recordSseApplied(req, enc);
  const lock = lockOnWrite(deps, req, b, { uploadsBody: true });
  const condition = await preconditions(deps, req, b);
  const checksum = declaredChecksum(req);
  const meta = userMetadata(req);
  const std = standardHeaders(req);
  const storageClass = requestedStorageClass(req) ?? 'STANDARD';
  const versionId = newVersionId(b, deps.clock());
  const place = binding(b.name, key, versionId);
  const { objectKey, sealed } = await deps.keys.seal(req.ctx, enc, bucketArn(b.name), objectArn(b.name, key), place);
  const written = await writeEncryptedBlob(deps, req, objectKey, sealed, place, req.body, { requestBody: true, checksum });
  const etag = written.etag;
  objectKey.fill(0);
  const v: VersionRecord = {
    versionId,
    deleteMarker: false,
    lastModified: deps.clock(),
    size: written.size,
    etag,
    ...std,
    userMetadata: meta,
    tags,
    ...(written.checksum ? { checksum: written.checksum } : {}),
    storageClass,
    blobId: written.blobId,
    stream: { salt: written.salt, segmentBytes: SEGMENT_BYTES },
    sse: sealed,
    ...(lock ? { lock } : {}),
  };
  const orphaned = await commitVersion(deps, b, key, v, condition);
  await deleteBlobs(deps, orphaned);
  req.audit.requestParameters = {
    ...req.audit.requestParameters,
    bucketName: b.name,
    key,
    ...(enc.mode !== 'SSE-C' ? { 'x-amz-server-side-encryption': enc.mode } : { 'x-amz-server-side-encryption-customer-algorithm': 'AES256' }),
  };
  return {
    status: 200,
    headers: {
      etag: `"${etag}"`,
      ...sseHeaders(sealed, {
        customerKeyMd5: enc.mode === 'SSE-C' ? customerKeyMd5(enc.customerKey) : undefined,
        // The context is echoed when the request gave one; S3 does not send it otherwise (localstack's recordings).
        withContext: header(req, 'x-amz-server-side-encryption-context') !== undefined,
      }),
      ...(versionId !== 'null' ? { 'x-amz-version-id': versionId } : {}),
      ...checksumHeaders(written.checksum),
      // When a lifecycle rule will expire the new object, the write says when, as a read does (S3 API, PutObject).
      ...expirationHeader(b.lifecycle, key, v),
    },
  };
};
