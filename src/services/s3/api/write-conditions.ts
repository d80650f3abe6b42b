// Conditional writes (https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes.html):
// PutObject, CopyObject and CompleteMultipartUpload with `If-None-Match: *` write only when the key has no
// current object, and with `If-Match: <ETag>` only when its current object has that ETag (NoSuchKey when it
// has none). The condition is checked against the state the write commits over, inside the same
// compare-and-swap loop, so two racing "create only" writes cannot both succeed; it is also checked before a
// body is stored, so a refused upload does not first write its blob.
import { authorizeS3 } from '../authorize.js';
import { S3 } from '../errors.js';
import { type BucketRecord, type ObjectEntry, objectArn } from '../model.js';
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
  if (ifNoneMatch !== undefined && ifNoneMatch.trim() !== '*') throw S3.NotImplemented('If-None-Match on a write accepts only "*".');
  if (ifNoneMatch !== undefined && ifMatch !== undefined) throw S3.NotImplemented('If-Match and If-None-Match cannot be combined on a write.');
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
  checkWriteCondition(cond, (await deps.store.getObject(bucket.name, req.key!))?.entry, req.key!);
  return cond;
}
