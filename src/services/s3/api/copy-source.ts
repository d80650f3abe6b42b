// The source of CopyObject / UploadPartCopy: x-amz-copy-source ("/bucket/key?versionId=..." URL-encoded),
// its conditions (x-amz-copy-source-if-*), its SSE-C key, and read permission on it.
import { authorizeS3 } from '../authorize.js';
import { S3 } from '../errors.js';
import { type BucketRecord, objectArn, type VersionRecord } from '../model.js';
import { header, type S3Deps, type S3Request } from '../request.js';
import { customerKeyMatches } from '../sse/object-keys.js';
import { customerKey } from '../sse/request-headers.js';
import { etagListMatches, parseEtagList } from '../etag-list.js';
import { checkExpectedOwner } from './bucket-common.js';
import { checkReadable } from './archive.js';
import { findVersion, versionIdParam, versionNotFound } from './object-common.js';
import { needFor } from '../object-pages.js';

export interface CopySource {
  bucket: BucketRecord;
  key: string;
  version: VersionRecord;
  /** The source named a version (`?versionId=`): on a versioned bucket that makes an in-place copy legal. */
  namedVersion: boolean;
  customerKey?: Buffer;
}

export async function copySource(deps: S3Deps, req: S3Request): Promise<CopySource> {
  // A whole path-style URL ("https://<endpoint>/<bucket>/<key>") names its path: AWS copies from it (localstack's
  // AWS-validated test_s3_timestamp_precision and test_response_structure send the copy source so).
  const raw = (header(req, 'x-amz-copy-source') ?? '').replace(/^https?:\/\/[^/]*/i, '');
  const [pathPart, queryPart] = raw.split('?') as [string, string | undefined];
  let path: string;
  try {
    // "+" is a space, as in a form: AWS's recorded answer to Go clients that encode a space so (localstack's
    // test_copy_object_special_character_plus_for_space); a literal "+" arrives as %2B from every SDK and the CLI.
    path = decodeURIComponent(pathPart.replace(/\+/g, ' ')).replace(/^\//, '');
  } catch {
    throw S3.InvalidArgument('Invalid copy source encoding');
  }
  const slash = path.indexOf('/');
  if (slash <= 0 || slash === path.length - 1)
    throw S3.InvalidArgument('Invalid copy source object key', { ArgumentName: 'x-amz-copy-source', ArgumentValue: 'x-amz-copy-source' });
  const bucketName = path.slice(0, slash);
  const key = path.slice(slash + 1);
  const versionId = versionIdParam(new URLSearchParams(queryPart ?? '').get('versionId'));
  const bucket = await deps.store.getBucket(bucketName);
  if (!bucket) throw S3.NoSuchBucket(undefined, { BucketName: bucketName });
  checkExpectedOwner(header(req, 'x-amz-source-expected-bucket-owner'), bucket);
  authorizeS3(deps, req, versionId ? 's3:GetObjectVersion' : 's3:GetObject', objectArn(bucketName, key), bucket);
  const entry = (await deps.store.getObject(bucketName, key, needFor(versionId)))?.entry;
  const version = findVersion(entry, versionId);
  if (version?.deleteMarker && versionId) throw S3.InvalidRequest('The source of a copy request may not specifically refer to a delete marker by version id.');
  if (!version || version.deleteMarker) throw versionNotFound(versionId, key);
  // An archived source is copied only from a restored copy (./archive.ts).
  checkReadable(version, req.ctx.now, 'copy source');
  const lm = Math.floor(version.lastModified / 1000) * 1000;
  const ifMatch = header(req, 'x-amz-copy-source-if-match');
  const ifNoneMatch = header(req, 'x-amz-copy-source-if-none-match');
  const ifMod = header(req, 'x-amz-copy-source-if-modified-since');
  const ifUnmod = header(req, 'x-amz-copy-source-if-unmodified-since');
  const matches = (l: string) => etagListMatches(parseEtagList(l), version.etag);
  // S3's order, and the header it names as the Condition (localstack's recordings of AWS, test_s3_preconditions):
  // If-Match, If-Unmodified-Since (when no If-Match), If-None-Match, If-Modified-Since (when no If-None-Match).
  // A date in the future is not a valid validator and is ignored (RFC 9110 §13.1.3, as S3 ignores it).
  const failed = (name: string) => S3.PreconditionFailed(undefined, { Condition: `x-amz-copy-source-${name}` });
  const pastDate = (v: string | undefined) => (v !== undefined && Date.parse(v) <= req.ctx.now ? Date.parse(v) : undefined);
  const unmodSince = pastDate(ifUnmod);
  const modSince = pastDate(ifMod);
  if (ifMatch !== undefined && !matches(ifMatch)) throw failed('If-Match');
  if (ifMatch === undefined && unmodSince !== undefined && unmodSince < lm) throw failed('If-Unmodified-Since');
  if (ifNoneMatch !== undefined && matches(ifNoneMatch)) throw failed('If-None-Match');
  if (ifNoneMatch === undefined && modSince !== undefined && modSince >= lm) throw failed('If-Modified-Since');
  const sse = version.sse ?? version.parts?.[0]?.sse;
  const ck = customerKey(req.headers, req.secure, 'x-amz-copy-source-');
  if (sse?.mode === 'SSE-C' && !ck)
    throw S3.InvalidRequest('The object was stored using a form of Server Side Encryption. The correct parameters must be provided to retrieve the object.');
  if (ck && sse?.mode !== 'SSE-C') throw S3.InvalidRequest('The encryption parameters are not applicable to this object.');
  // A wrong key is refused here, before anything else about the copy is decided (as a read refuses it first).
  if (sse?.mode === 'SSE-C' && ck && !customerKeyMatches(sse, ck))
    throw S3.AccessDenied('Requests specifying Server Side Encryption with Customer provided keys must provide the correct secret key.');
  return { bucket, key, version, namedVersion: versionId !== undefined, ...(ck ? { customerKey: ck } : {}) };
}
