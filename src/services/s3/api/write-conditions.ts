// Conditional writes (https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes.html):
// PutObject, CopyObject and CompleteMultipartUpload with `If-None-Match: *` write only when the key has no
// current object, and with `If-Match: <ETag>` only when its current object has that ETag (NoSuchKey when it
// has none). The condition is checked against the state the write commits over, inside the same
// compare-and-swap loop, so two racing "create only" writes cannot both succeed; it is also checked before a
// body is stored, so a refused upload does not first write its blob.
import { authorizeS3 } from '../authorize.js';
import { S3 } from '../errors.js';
import { type BucketRecord, blobsOf, type ObjectEntry, objectArn } from '../model.js';
import { etagListMatches, parseEtagList } from '../etag-list.js';
import { header, type S3Deps, type S3Request } from '../request.js';

export interface WriteCondition {
  /** `If-None-Match: *`: the key must have no current object (none, or a delete marker). */
  absent: boolean;
  /** `If-Match`: the ETags (quoted or not, comma-separated as RFC 9110 allows) the current object may have. */
  etags?: string[];
}

/** The write condition a request asks for; undefined when it asks for none. */
export function writeCondition(req: S3Request): WriteCondition | undefined {
  const ifNoneMatch = header(req, 'if-none-match');
  const ifMatch = header(req, 'if-match');
  if (ifNoneMatch === undefined && ifMatch === undefined) return undefined;
  // S3's refusals, in its order, with its Header and additionalMessage fields (localstack's recordings of AWS).
  const unsupported = (name: string, additionalMessage: string) =>
    S3.NotImplemented('A header you provided implies functionality that is not implemented', { Header: name, additionalMessage });
  if (ifNoneMatch !== undefined && ifMatch !== undefined)
    throw unsupported('If-Match,If-None-Match', 'Multiple conditional request headers present in the request');
  if (ifNoneMatch !== undefined && ifNoneMatch.trim() !== '*')
    throw unsupported('If-None-Match', "We don't accept the provided value of If-None-Match header for this API");
  if (ifMatch !== undefined && ifMatch.trim() === '*') throw unsupported('If-Match', "We don't accept the provided value of If-Match header for this API");
  return {
    absent: ifNoneMatch !== undefined,
    ...(ifMatch !== undefined ? { etags: parseEtagList(ifMatch) } : {}),
  };
}

/** Throws PreconditionFailed (412) or NoSuchKey (404) unless `entry`'s current object meets `cond`. */
export function checkWriteCondition(cond: WriteCondition | undefined, entry: ObjectEntry | undefined, key: string): void {
  if (!cond) return;
  const current = entry?.versions[0];
  const exists = current !== undefined && !current.deleteMarker;
  if (cond.absent && exists) throw S3.PreconditionFailed(undefined, { Condition: 'If-None-Match' });
  if (cond.etags) {
    if (!exists) throw S3.NoSuchKey(undefined, { Key: key });
    if (!etagListMatches(cond.etags, current.etag)) throw S3.PreconditionFailed(undefined, { Condition: 'If-Match' });
  }
}

/**
 * The request's write condition, authorized and checked against the key's state now (before a body is read
 * and stored); the write checks it again when it commits. If-Match also needs s3:GetObject, as on S3: it
 * tells the caller something about the current object.
 */
export async function preconditions(deps: S3Deps, req: S3Request, bucket: BucketRecord): Promise<WriteCondition | undefined> {
  const cond = writeCondition(req);
  if (!cond) return undefined;
  if (cond.etags) authorizeS3(deps, req, 's3:GetObject', objectArn(bucket.name, req.key!), bucket);
  checkWriteCondition(cond, (await deps.store.getObject(bucket.name, req.key!, 'recent'))?.entry, req.key!);
  return cond;
}

/**
 * What the key's current object is, as a string that changes with every write or delete of the key: the current
 * version's id, time and blobs ("" when there is none). CreateMultipartUpload records it; see checkUnchangedSince.
 */
export function keyState(entry: ObjectEntry | undefined): string {
  const v = entry?.versions[0];
  return v ? `${v.versionId}/${v.lastModified}/${blobsOf(v).join(',')}` : '';
}

/**
 * A conditional CompleteMultipartUpload fails with 409 ConditionalRequestConflict when the key was written or
 * deleted after the upload began, even if the condition itself holds now: the client must start the upload
 * again (S3 user guide, "Conditional writes"; localstack's recordings of AWS, February 2026). Checked after the
 * condition, which answers 412 / 404 first. Uploads begun before Keyhold recorded the state are not checked.
 */
export function checkUnchangedSince(cond: WriteCondition | undefined, startState: string | undefined, entry: ObjectEntry | undefined, key: string): void {
  if (!cond || startState === undefined || keyState(entry) === startState) return;
  throw S3.ConditionalRequestConflict(undefined, { Condition: cond.absent ? 'If-None-Match' : 'If-Match', Key: key });
}
