// CopyObject: the source is decrypted and re-encrypted under a fresh object key with the destination's
// encryption (request headers or bucket default) — a change of encryption, or an SSE-C key rotation, is a
// copy onto itself. Metadata and tags are copied or replaced per the directives.
import { recordSseApplied } from '../audit-details.js';
import { isChecksumAlgorithm } from '../../../protocol/checksums.js';
import { authorizeS3 } from '../authorize.js';
import { checkObjectWriteAcl } from './acl.js';
import { S3 } from '../errors.js';
import { bucketArn, objectArn, type VersionRecord } from '../model.js';
import { expirationHeader } from '../lifecycle/rules.js';
import { header, type S3Handler } from '../request.js';
import { requestedStorageClass } from './storage-class.js';
import { binding } from '../sse/object-keys.js';
import { customerKeyMd5, writeEncryption } from '../sse/request-headers.js';
import { xmlDocument } from '../xml.js';
import { requireBucket } from './bucket-common.js';
import { copySource } from './copy-source.js';
import { algorithmHeader, partChecksumElements } from './multipart-checksums.js';
import {
  commitVersion,
  deleteBlobs,
  newVersionId,
  readPlaintext,
  SEGMENT_BYTES,
  sseHeaders,
  standardHeaders,
  taggingHeader,
  userMetadata,
  websiteRedirect,
  writeEncryptedBlob,
} from './object-common.js';
import { requestTagKeys } from './tag-rules.js';
import { preconditions } from './write-conditions.js';
import { lockOnWrite } from '../object-lock/on-write.js';

export const copyObject: S3Handler = async (deps, req) => {
  const b = await requireBucket(deps, req);
  const key = req.key!;
  const src = await copySource(deps, req);
  const metaDirective = header(req, 'x-amz-metadata-directive') ?? 'COPY';
  const tagDirective = header(req, 'x-amz-tagging-directive') ?? 'COPY';
  const replacedTags = tagDirective === 'REPLACE' ? taggingHeader(req) : [];
  // Policy before the encryption headers' values, as for PutObject.
  authorizeS3(deps, req, 's3:PutObject', objectArn(b.name, key), b, requestTagKeys(replacedTags));
  checkObjectWriteAcl(req, b.accountId);
  const enc = writeEncryption(req.headers, req.secure, b);
  recordSseApplied(req, enc);
  const condition = await preconditions(deps, req, b);
  if (!['COPY', 'REPLACE'].includes(metaDirective))
    throw S3.InvalidArgument('Unknown metadata directive.', { ArgumentName: 'x-amz-metadata-directive', ArgumentValue: metaDirective });
  if (!['COPY', 'REPLACE'].includes(tagDirective))
    throw S3.InvalidArgument('Unknown tagging directive.', { ArgumentName: 'x-amz-tagging-directive', ArgumentValue: tagDirective });
  // A copy onto itself must change something. Encryption counts when the request names one, when the copy's
  // encryption (the bucket default included: an SSE-C or SSE-KMS source copied without headers becomes SSE-S3)
  // differs in mode from the source's, and whenever the bucket's default encryption was configured explicitly
  // (AWS allows that in-place copy: localstack's recordings, test_s3_copy_object_in_place_with_encryption and
  // test_copy_in_place_with_bucket_encryption).
  const sourceMode = (src.version.sse ?? src.version.parts?.[0]?.sse)?.mode;
  const encryptionChanges =
    header(req, 'x-amz-server-side-encryption') !== undefined ||
    header(req, 'x-amz-server-side-encryption-customer-algorithm') !== undefined ||
    enc.mode !== sourceMode ||
    b.encryptionExplicit;
  const storageClass = requestedStorageClass(req);
  // The redirect is not copied with the metadata: the copy has the one its request gives, if any (API reference,
  // CopyObject WebsiteRedirectLocation); giving one, even the source's, makes an in-place copy a change.
  const redirect = websiteRedirect(req);
  // On a versioning-enabled bucket, copying a version named by id onto its key is legal as it is: it restores
  // that version as the current one (moto's AWS-verified test_copy_object_in_place_with_versioning).
  const restoresVersion = src.namedVersion && b.versioning === 'Enabled';
  const unchanged = !encryptionChanges && storageClass === undefined && redirect.websiteRedirectLocation === undefined && !restoresVersion;
  if (src.bucket.name === b.name && src.key === key && metaDirective === 'COPY' && unchanged) {
    throw S3.InvalidRequest(
      "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
    );
  }
  const s = src.version;
  // The copy's checksum: of the algorithm asked for, else the source's — its value kept when it is of the whole
  // object, computed anew over the copy when it was a composite of parts (the copy has one part).
  const asked = algorithmHeader(req);
  const kept = asked === undefined && s.checksum && (s.checksum.type ?? 'FULL_OBJECT') === 'FULL_OBJECT' ? s.checksum : undefined;
  const recompute = asked ?? (s.checksum && !kept && isChecksumAlgorithm(s.checksum.algorithm) ? s.checksum.algorithm : undefined);
  const checksum = recompute ? { algorithm: recompute } : undefined;
  // A copy's lock is its own (headers or the destination's default), never the source's (S3).
  const lock = lockOnWrite(deps, req, b, { uploadsBody: false });
  const versionId = newVersionId(b, deps.clock());
  const place = binding(b.name, key, versionId);
  const { objectKey, sealed } = await deps.keys.seal(req.ctx, enc, bucketArn(b.name), objectArn(b.name, key), place);
  const plaintext = readPlaintext(deps, req, src.bucket.name, src.key, s, 0, s.size - 1, src.customerKey);
  const written = await writeEncryptedBlob(deps, req, objectKey, sealed, place, plaintext, { requestBody: false, checksum });
  const etag = written.etag;
  objectKey.fill(0);
  const replaced = metaDirective === 'REPLACE';
  const v: VersionRecord = {
    versionId,
    deleteMarker: false,
    lastModified: deps.clock(),
    size: written.size,
    etag,
    ...(replaced
      ? standardHeaders(req)
      : {
          contentType: s.contentType,
          contentEncoding: s.contentEncoding,
          contentDisposition: s.contentDisposition,
          contentLanguage: s.contentLanguage,
          cacheControl: s.cacheControl,
          expires: s.expires,
          ...redirect,
        }),
    userMetadata: replaced ? userMetadata(req) : { ...s.userMetadata },
    tags: tagDirective === 'REPLACE' ? replacedTags : [...s.tags],
    ...(written.checksum ? { checksum: { ...written.checksum, type: 'FULL_OBJECT' as const } } : kept ? { checksum: kept } : {}),
    // A copy is STANDARD unless the request names a class: S3 does not copy the source's (API reference, CopyObject).
    storageClass: storageClass ?? 'STANDARD',
    blobId: written.blobId,
    stream: { salt: written.salt, segmentBytes: SEGMENT_BYTES },
    sse: sealed,
    ...(lock ? { lock } : {}),
  };
  await deleteBlobs(deps, await commitVersion(deps, b, key, v, condition));
  return {
    status: 200,
    headers: {
      'content-type': 'application/xml',
      ...sseHeaders(sealed, {
        customerKeyMd5: enc.mode === 'SSE-C' ? customerKeyMd5(enc.customerKey) : undefined,
        // The context is echoed when the request gave one; S3 does not send it otherwise (localstack's recordings).
        withContext: header(req, 'x-amz-server-side-encryption-context') !== undefined,
      }),
      // Unlike PutObject, a copy into a bucket whose versioning is suspended names the null version it made; a
      // null source version is not named (AWS's answers in localstack's recordings test_s3_copy_object_in_place_*).
      ...(b.versioning !== 'Unversioned' ? { 'x-amz-version-id': versionId } : {}),
      ...(src.bucket.versioning !== 'Unversioned' && s.versionId !== 'null' ? { 'x-amz-copy-source-version-id': s.versionId } : {}),
      ...expirationHeader(b.lifecycle, key, v),
    },
    body: xmlDocument('CopyObjectResult', {
      ETag: `"${etag}"`,
      LastModified: new Date(v.lastModified),
      ...(v.checksum ? { ...partChecksumElements(v), ChecksumType: v.checksum.type ?? 'FULL_OBJECT' } : {}),
    }),
  };
};
