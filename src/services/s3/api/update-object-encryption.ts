// UpdateObjectEncryption (PUT /{Key}?encryption): moves an SSE-S3 or SSE-KMS object version to SSE-KMS under
// another key, with or without a bucket key, without moving its data
// (https://docs.aws.amazon.com/AmazonS3/latest/API/API_UpdateObjectEncryption.html). Keyhold's envelope makes
// this exact: every object version (and every part of a multipart object) has its own object key, which is
// opened and sealed again; the blob, ETag, checksum, dates and metadata stay as they were. Errors and their
// messages are the ones the API reference lists.
import { KvConflictError } from '../../../storage/kv/interface.js';
import { isAnonymous } from '../../../iam/principal.js';
import { authorizeS3 } from '../authorize.js';
import { S3 } from '../errors.js';
import { bucketArn, objectArn, type SealedObjectKey, type VersionRecord } from '../model.js';
import { protection } from '../object-lock/rules.js';
import type { S3Deps, S3Handler, S3Request } from '../request.js';
import { binding } from '../sse/object-keys.js';
import { parseXmlBody } from '../xml.js';
import { requireBucket } from './bucket-common.js';
import { findVersion, versionIdParam, versionNotFound } from './object-common.js';
import { needFor } from '../object-pages.js';

const KEY_ARN = /^arn:aws[\w-]*:kms:[a-z0-9-]+:(\d{12}):key\/[A-Za-z0-9-]+$/;

interface Target {
  keyArn: string;
  bucketKey: boolean;
}

/** The requested encryption: exactly one SSE-KMS member with a key ARN (S3 accepts no other new type). */
function parseTarget(body: Buffer): Target {
  const doc = parseXmlBody(body).ObjectEncryption;
  if (doc === undefined) throw S3.MalformedXML();
  const members = doc !== null && typeof doc === 'object' ? Object.keys(doc).filter((k) => !k.startsWith('@_')) : [];
  if (members.some((m) => m === 'SSE-C' || m === 'DSSE-KMS' || m === 'SSEC' || m === 'DSSEKMS'))
    throw S3.InvalidRequest(
      "The UpdateObjectEncryption operation doesn't support updating the encryption type to DSSE-KMS or SSE-C. Modify the request to specify SSE-KMS for the updated encryption type, and then try again.",
    );
  if (members.length !== 1 || members[0] !== 'SSE-KMS')
    throw S3.InvalidRequest(
      'Requests that modify an object encryption configuration require a valid new encryption type. Valid values are SSEKMS. Modify the request to specify SSE-KMS for the updated encryption type, and then try again.',
    );
  const kms = (doc as Record<string, unknown>)['SSE-KMS'];
  const fields = kms !== null && typeof kms === 'object' ? (kms as Record<string, unknown>) : {};
  const arn = fields.KMSKeyArn;
  if (arn === undefined || arn === '')
    throw S3.InvalidRequest(
      "Requests that modify an object's encryption type to SSE-KMS require an AWS KMS key Amazon Resource Name (ARN). Modify the request to specify a KMS key ARN, and then try again.",
    );
  if (typeof arn !== 'string' || !KEY_ARN.test(arn))
    throw S3.InvalidRequest(
      "Requests that modify an object's encryption type to SSE-KMS require a valid AWS KMS key Amazon Resource Name (ARN). Confirm that you have a correctly formatted KMS key ARN in your request, and then try again.",
    );
  const bucketKey = fields.BucketKeyEnabled === undefined ? 'false' : String(fields.BucketKeyEnabled);
  if (bucketKey !== 'true' && bucketKey !== 'false')
    throw S3.InvalidRequest(
      "The BucketKeyEnabled value isn't valid. Valid values are true or false. Modify the request to specify a valid value, and then try again.",
    );
  return { keyArn: arn, bucketKey: bucketKey === 'true' };
}

/** A source the operation accepts: SSE-S3 or SSE-KMS, not DSSE-KMS or SSE-C (Keyhold stores nothing unencrypted). */
function checkSource(v: VersionRecord): void {
  const sealed = v.parts ? v.parts.map((p) => p.sse) : [v.sse];
  if (sealed.some((k) => !k || (k.mode !== 'AES256' && k.mode !== 'aws:kms') || (k.mode === 'aws:kms' && k.dsse)))
    throw S3.InvalidRequest(
      "The UpdateObjectEncryption operation doesn't support source objects with the encryption type DSSE-KMS or SSE-C. Only source objects encrypted with SSE-S3 or SSE-KMS are supported.",
    );
}

/** The encryption context a key wrapped by KMS gets: the object's ARN, and the caller's own pairs of an SSE-KMS source. */
function contextFor(sealed: SealedObjectKey, arn: string): Record<string, string> {
  const own = sealed.mode === 'aws:kms' && !sealed.bucketKey ? Object.entries(sealed.context).filter(([k]) => k !== 'aws:s3:arn') : [];
  return { 'aws:s3:arn': arn, ...Object.fromEntries(own) };
}

async function reseal(deps: S3Deps, req: S3Request, bucket: string, v: VersionRecord, target: Target): Promise<void> {
  const arn = objectArn(bucket, req.key!);
  const move = async (sealed: SealedObjectKey, place: Buffer): Promise<SealedObjectKey> => {
    const objectKey = await deps.keys.open(req.ctx, sealed, bucketArn(bucket), place);
    try {
      return await deps.keys.resealKms(
        req.ctx,
        objectKey,
        { keyId: target.keyArn, bucketKey: target.bucketKey, context: contextFor(sealed, arn) },
        bucketArn(bucket),
        place,
      );
    } finally {
      objectKey.fill(0);
    }
  };
  if (v.parts) {
    for (const part of v.parts) part.sse = await move(part.sse, binding(bucket, req.key!, part.bindingId, part.partNumber));
  } else {
    if (!v.sse) throw S3.InternalError('The object has no stored data.');
    v.sse = await move(v.sse, binding(bucket, req.key!, v.versionId));
  }
}

export const updateObjectEncryption: S3Handler = async (deps, req) => {
  const b = await requireBucket(deps, req);
  const versionId = versionIdParam(req.query.get('versionId'));
  authorizeS3(deps, req, 's3:UpdateObjectEncryption', objectArn(b.name, req.key!), b);
  if (isAnonymous(req.ctx.principal))
    throw S3.InvalidRequest(
      'Requests that modify an object encryption configuration require AWS Signature Version 4. Modify the request to use AWS Signature Version 4, and then try again.',
    );
  const target = parseTarget(await req.readBody(64 * 1024));
  if (KEY_ARN.exec(target.keyArn)![1] !== b.accountId)
    throw S3.AccessDenied(
      'The AWS KMS key in the request must be owned by the same account as the bucket. Modify the request to specify a KMS key from the same account, and then try again.',
    );
  for (;;) {
    const cur = await deps.store.getObject(b.name, req.key!, needFor(versionId));
    const v = findVersion(cur?.entry, versionId);
    if (!cur || !v || v.deleteMarker) throw versionNotFound(versionId, req.key!);
    checkSource(v);
    if (protection(v, req.ctx.now))
      throw S3.AccessDenied(
        "The encryption type for the specified object can't be updated because that object is protected by S3 Object Lock. If the object has a governance-mode retention period or a legal hold, you must first remove the Object Lock status on the object before you issue your UpdateObjectEncryption request. You can't use the UpdateObjectEncryption operation with objects that have an Object Lock compliance mode retention period applied to them.",
      );
    await reseal(deps, req, b.name, v, target);
    try {
      // Compare-and-set on the object entry: a concurrent overwrite or delete is never undone by this update.
      await deps.store.putObject(b.name, cur.entry, cur.version);
      return { status: 200 };
    } catch (err) {
      if (!(err instanceof KvConflictError)) throw err;
    }
  }
};
