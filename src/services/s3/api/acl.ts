// Get/PutBucketAcl and Get/PutObjectAcl with ACLs disabled, as for every S3 bucket created since April 2023
// (Object Ownership "BucketOwnerEnforced"): access is decided by policies alone, reading an ACL shows the
// owner's FULL_CONTROL, and setting one succeeds only when it says the same thing (the canned `private` or
// `bucket-owner-full-control`, or that single grant as headers or XML); any other grant fails with
// AccessControlListNotSupported. https://docs.aws.amazon.com/AmazonS3/latest/userguide/about-object-ownership.html
import { escapeXml } from '../../../protocol/xml-writer.js';
import { authorizeS3 } from '../authorize.js';
import { S3 } from '../errors.js';
import { type BucketRecord, bucketArn, objectArn } from '../model.js';
import { header, type S3Deps, type S3Handler, type S3Request } from '../request.js';
import { parseXmlBody, S3_NS, xmlDocument } from '../xml.js';
import { requireBucket } from './bucket-common.js';
import { findVersion, subresourceVersion, versionIdParam } from './object-common.js';
import { needFor } from '../object-pages.js';

const OWNER_ONLY_CANNED = new Set(['private', 'bucket-owner-full-control']);
const GRANT_HEADERS = ['x-amz-grant-read', 'x-amz-grant-write', 'x-amz-grant-read-acp', 'x-amz-grant-write-acp'];

function ownerFullControl(owner: string): string {
  const id = escapeXml(owner);
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<AccessControlPolicy xmlns="${S3_NS}"><Owner><ID>${id}</ID></Owner><AccessControlList>` +
    `<Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser"><ID>${id}</ID></Grantee>` +
    '<Permission>FULL_CONTROL</Permission></Grant></AccessControlList></AccessControlPolicy>'
  );
}

/**
 * CreateBucket's ACL and ownership headers. Every Keyhold bucket is BucketOwnerEnforced (ACLs disabled, AWS's
 * default since April 2023): an ACL granting anything beyond the owner is refused as S3 refuses it for such a
 * bucket, and asking for another ownership mode (which would enable ACLs) is NotImplemented rather than ignored.
 */
export function checkCreateBucketAcl(req: S3Request, owner: string): void {
  const ownership = header(req, 'x-amz-object-ownership');
  if (ownership !== undefined && ownership !== 'BucketOwnerEnforced') {
    refuseOtherOwnership(ownership);
    throw S3.InvalidArgument(`Invalid x-amz-object-ownership header: ${ownership}`, { ArgumentName: 'x-amz-object-ownership' });
  }
  const canned = header(req, 'x-amz-acl');
  const fullControl = header(req, 'x-amz-grant-full-control');
  if (
    (canned !== undefined && canned !== 'private') ||
    GRANT_HEADERS.some((h) => header(req, h) !== undefined) ||
    (fullControl !== undefined && !namesOnlyOwner(fullControl, owner))
  )
    throw S3.InvalidBucketAclWithObjectOwnership();
}

/** An x-amz-grant-full-control value that grants the owner alone: id="<owner>" (quotes optional). */
function namesOnlyOwner(grant: string, owner: string): boolean {
  const g = grant.replace(/\s/g, '');
  return g === `id="${owner}"` || g === `id=${owner}`;
}

function refuseOtherOwnership(ownership: string | undefined): void {
  if (ownership === 'ObjectWriter' || ownership === 'BucketOwnerPreferred')
    throw S3.NotImplemented(`Object ownership ${ownership} (ACLs enabled) is not supported by this Keyhold version; buckets are BucketOwnerEnforced.`);
}

/**
 * PutBucketOwnershipControls: BucketOwnerEnforced, the one setting every Keyhold bucket has, is accepted as a
 * no-op (Terraform's aws_s3_bucket_ownership_controls sets it); another mode would enable ACLs: NotImplemented.
 */
export const putBucketOwnershipControls: S3Handler = async (deps, req) => {
  const b = await requireBucket(deps, req);
  authorizeS3(deps, req, 's3:PutBucketOwnershipControls', bucketArn(b.name), b);
  const doc = parseXmlBody(await req.readBody(64 * 1024)).OwnershipControls as Record<string, unknown> | undefined;
  // One rule (the XML reader keeps every <Rule> in a list).
  const rules = doc && typeof doc === 'object' && Array.isArray(doc.Rule) ? (doc.Rule as Array<Record<string, unknown> | undefined>) : [];
  const ownership = rules.length === 1 ? rules[0]?.ObjectOwnership : undefined;
  if (typeof ownership !== 'string') throw S3.MalformedXML();
  refuseOtherOwnership(ownership);
  if (ownership !== 'BucketOwnerEnforced') throw S3.MalformedXML();
  if (b.ownershipControlsDeleted) {
    await deps.store.updateBucket(b.name, (x) => {
      delete x.ownershipControlsDeleted;
    });
  }
  return { status: 200 };
};

/**
 * GetBucketOwnershipControls: BucketOwnerEnforced, the setting S3 gives new buckets since April 2023, unless
 * DeleteBucketOwnershipControls removed it: then OwnershipControlsNotFoundError, as S3 answers.
 */
export const getBucketOwnershipControls: S3Handler = async (deps, req) => {
  const b = await requireBucket(deps, req);
  authorizeS3(deps, req, 's3:GetBucketOwnershipControls', bucketArn(b.name), b);
  if (b.ownershipControlsDeleted) throw S3.OwnershipControlsNotFoundError(undefined, { BucketName: b.name });
  return {
    status: 200,
    headers: { 'content-type': 'application/xml' },
    body: xmlDocument('OwnershipControls', { Rule: { ObjectOwnership: 'BucketOwnerEnforced' } }),
  };
};

/**
 * DeleteBucketOwnershipControls (authorized by s3:PutBucketOwnershipControls, S3's action for it): the setting is
 * removed, so Get answers that it is not found (Terraform's aws_s3_bucket_ownership_controls waits for exactly
 * that when it is destroyed). On S3 a bucket without the setting would accept ACLs; Keyhold has no ACLs, so it
 * keeps refusing them as it does under BucketOwnerEnforced (docs/decisions.md 96).
 */
export const deleteBucketOwnershipControls: S3Handler = async (deps, req) => {
  const b = await requireBucket(deps, req);
  authorizeS3(deps, req, 's3:PutBucketOwnershipControls', bucketArn(b.name), b);
  await deps.store.updateBucket(b.name, (x) => {
    x.ownershipControlsDeleted = true;
  });
  return { status: 204 };
};

/**
 * The ACL headers of a write (PutObject, CopyObject, CreateMultipartUpload, a POST upload's `acl` field, and
 * Put*Acl): with ACLs disabled, S3 accepts none, `private`, `bucket-owner-full-control` or a full-control grant
 * to the owner alone, and refuses any other with 400 AccessControlListNotSupported rather than dropping it.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-ownership-error-responses.html
 */
export function checkObjectWriteAcl(req: S3Request, owner: string): void {
  const canned = header(req, 'x-amz-acl');
  if (canned !== undefined && !OWNER_ONLY_CANNED.has(canned)) throw S3.AccessControlListNotSupported();
  if (GRANT_HEADERS.some((h) => header(req, h) !== undefined)) throw S3.AccessControlListNotSupported();
  const fullControl = header(req, 'x-amz-grant-full-control');
  if (fullControl !== undefined && !namesOnlyOwner(fullControl, owner)) throw S3.AccessControlListNotSupported();
}

/** Throws unless the requested ACL grants exactly the owner's FULL_CONTROL (or nothing beyond it). */
async function checkOwnerOnlyAcl(req: S3Request, owner: string): Promise<void> {
  const canned = header(req, 'x-amz-acl');
  const fullControl = header(req, 'x-amz-grant-full-control');
  const body = await req.readBody(64 * 1024);
  if (canned === undefined && fullControl === undefined && body.length === 0 && !GRANT_HEADERS.some((h) => header(req, h) !== undefined)) {
    throw S3.MalformedACLError('An access control list must be given as the x-amz-acl header, x-amz-grant-* headers or a request body.');
  }
  checkObjectWriteAcl(req, owner);
  if (body.length === 0) return;
  const policy = parseXmlBody(body).AccessControlPolicy as Record<string, unknown> | undefined;
  if (!policy || typeof policy !== 'object') throw S3.MalformedACLError();
  const list = policy.AccessControlList as Record<string, unknown> | undefined;
  const grants = (list && typeof list === 'object' ? list.Grant : undefined) ?? [];
  if (!Array.isArray(grants)) throw S3.MalformedACLError();
  for (const g of grants as Array<Record<string, unknown> | undefined>) {
    const grantee = g?.Grantee as Record<string, unknown> | undefined;
    if (!grantee || typeof grantee !== 'object' || typeof g?.Permission !== 'string') throw S3.MalformedACLError();
    if (grantee.ID !== owner || g.Permission !== 'FULL_CONTROL' || 'URI' in grantee || 'EmailAddress' in grantee) throw S3.AccessControlListNotSupported();
  }
}

/** The object version an object ACL request names (object-common.ts, subresourceVersion). */
async function requireVersion(deps: S3Deps, req: S3Request, b: BucketRecord): Promise<{ versionId: string }> {
  const versionId = versionIdParam(req.query.get('versionId'));
  const cur = await deps.store.getObject(b.name, req.key!, needFor(versionId));
  // Reading the ACL of a key whose current version is a delete marker finds no object (404 NoSuchKey), where a
  // write, a read naming the marker, and the other subresources answer 405 (AWS's answers in localstack's
  // recording test_put_object_acl_on_delete_marker).
  const current = versionId === undefined ? findVersion(cur?.entry, undefined) : undefined;
  if (req.method === 'GET' && current?.deleteMarker) {
    throw S3.NoSuchKey(undefined, { Key: req.key!, 'x-amz-delete-marker': 'true', 'x-amz-version-id': current.versionId });
  }
  return subresourceVersion(cur?.entry, versionId, req.key!, req.method);
}

const xmlHeaders = { 'content-type': 'application/xml' };

export const getBucketAcl: S3Handler = async (deps, req) => {
  const b = await requireBucket(deps, req);
  authorizeS3(deps, req, 's3:GetBucketAcl', bucketArn(b.name), b);
  return { status: 200, headers: xmlHeaders, body: ownerFullControl(b.accountId) };
};

export const putBucketAcl: S3Handler = async (deps, req) => {
  const b = await requireBucket(deps, req);
  authorizeS3(deps, req, 's3:PutBucketAcl', bucketArn(b.name), b);
  await checkOwnerOnlyAcl(req, b.accountId);
  return { status: 200 };
};

// With a versionId the actions are the ...VersionAcl ones, as S3 authorizes them.
const versioned = (req: S3Request, action: string, versionAction: string) => (req.query.has('versionId') ? versionAction : action);

export const getObjectAcl: S3Handler = async (deps, req) => {
  const b = await requireBucket(deps, req);
  authorizeS3(deps, req, versioned(req, 's3:GetObjectAcl', 's3:GetObjectVersionAcl'), objectArn(b.name, req.key!), b);
  const v = await requireVersion(deps, req, b);
  const headers = b.versioning !== 'Unversioned' ? { ...xmlHeaders, 'x-amz-version-id': v.versionId } : xmlHeaders;
  return { status: 200, headers, body: ownerFullControl(b.accountId) };
};

export const putObjectAcl: S3Handler = async (deps, req) => {
  const b = await requireBucket(deps, req);
  authorizeS3(deps, req, versioned(req, 's3:PutObjectAcl', 's3:PutObjectVersionAcl'), objectArn(b.name, req.key!), b);
  const v = await requireVersion(deps, req, b);
  await checkOwnerOnlyAcl(req, b.accountId);
  const headers: Record<string, string> = b.versioning !== 'Unversioned' ? { 'x-amz-version-id': v.versionId } : {};
  return { status: 200, headers };
};
