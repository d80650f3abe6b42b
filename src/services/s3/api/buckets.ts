// Buckets: CreateBucket (regional, LocationConstraint), HeadBucket, DeleteBucket (must be empty),
// ListBuckets (paged, filtered), GetBucketLocation, Put/GetBucketVersioning, Put/Get/DeleteBucketTagging; tags may
// also be set at creation.
import { authorizeS3 } from '../authorize.js';
import { S3, S3Error, withDetails } from '../errors.js';
import type { BucketRecord } from '../model.js';
import { bucketArn } from '../model.js';
import { header, type S3Deps, type S3Handler, type S3Request } from '../request.js';
import { parseXmlBody, S3_NS, xmlDocument, xmlText } from '../xml.js';
import { NEW_BUCKET_BLOCK } from '../public-access.js';
import { checkCreateBucketAcl } from './acl.js';
import { REGION_RE } from '../../../server/serve-options.js';
import { BUCKET_NAME_RE, defaultEncryption, requireBucket } from './bucket-common.js';
import { checkBucketNamespace } from '../bucket-namespace.js';
import { deleteBlobs } from './object-common.js';
import { byKey, checkTags, type Tag } from './tag-rules.js';

export const createBucket: S3Handler = async (deps, req) => {
  const name = req.bucket!;
  if (!BUCKET_NAME_RE.test(name)) throw S3.InvalidBucketName(undefined, { BucketName: name });
  checkCreateBucketAcl(req, req.ctx.principal.accountId);
  const body = await req.readBody(64 * 1024);
  // LocationConstraint as S3 checks it: none means us-east-1; naming us-east-1 (or aws-global) explicitly in
  // us-east-1 is InvalidLocationConstraint. A request signed for us-east-1 (S3's global endpoint) may create the
  // bucket in any Region it names (API reference, CreateBucket; AWS's answer in localstack's recording
  // test_create_bucket_head_bucket); signed for another Region, the constraint must name that Region
  // (IllegalLocationConstraintException).
  let constraint: string | undefined;
  let tags: Tag[] = [];
  if (body.length > 0) {
    const doc = parseXmlBody(body).CreateBucketConfiguration as Record<string, unknown> | undefined;
    const lc = xmlText(doc?.LocationConstraint);
    if (lc) constraint = lc;
    // Tags set at creation (CreateBucketConfiguration.Tags), under the same rules as PutBucketTagging.
    tags = tagList((doc?.Tags as Record<string, unknown> | undefined)?.Tag);
    checkTags(tags, { max: 50, what: 'CreateBucket' });
  }
  // A constraint that is no Region name at all is InvalidLocationConstraint at the global endpoint (AWS's recorded
  // answer to "foo"); Keyhold serves any name shaped like a Region (--region's rule), not only AWS's list.
  if (
    req.ctx.region === 'us-east-1' &&
    (constraint === 'us-east-1' || constraint === 'aws-global' || (constraint !== undefined && constraint !== 'EU' && !REGION_RE.test(constraint)))
  )
    throw S3.InvalidLocationConstraint(undefined, { LocationConstraint: constraint });
  const location = constraint === undefined ? 'us-east-1' : constraint === 'EU' ? 'eu-west-1' : constraint;
  if (location !== req.ctx.region && req.ctx.region !== 'us-east-1') {
    throw S3.IllegalLocationConstraintException(
      `The ${constraint ?? 'unspecified'} location constraint is incompatible for the region specific endpoint this request was sent to.`,
    );
  }
  const namespace = header(req, 'x-amz-bucket-namespace');
  checkBucketNamespace(namespace, name, req.ctx.principal.accountId, location);
  const rec: BucketRecord = {
    name,
    accountId: req.ctx.principal.accountId,
    region: location,
    creationDate: deps.clock(),
    // Object Lock at creation turns versioning on for good (S3: it cannot be suspended afterwards).
    versioning: objectLockAtCreation(req) ? 'Enabled' : 'Unversioned',
    ...(objectLockAtCreation(req) ? { objectLock: {} } : {}),
    encryption: defaultEncryption(deps),
    encryptionExplicit: false,
    // Block Public Access all on, as S3 creates buckets (decision 89); none under the legacy defaults.
    ...(deps.legacyDefaults ? {} : { publicAccessBlock: { ...NEW_BUCKET_BLOCK } }),
    ...(tags.length ? { tags } : {}),
    ...(constraint === 'EU' ? { locationConstraint: 'EU' as const } : {}),
  };
  const existing = await deps.store.getBucket(name);
  // The caller's right to create is judged as for the bucket it would own: a name another account holds is that
  // account's bucket, whose policy says nothing about creating, and S3 answers BucketAlreadyExists (409) there,
  // not AccessDenied. The caller's own existing bucket is judged with its policy.
  const judged = existing?.accountId === rec.accountId ? existing : rec;
  // s3:x-amz-bucket-namespace lets a policy require buckets in the account regional namespace.
  authorizeS3(deps, req, 's3:CreateBucket', bucketArn(name), judged, namespace === undefined ? {} : { 's3:x-amz-bucket-namespace': [namespace] });
  if (tags.length) authorizeS3(deps, req, 's3:PutBucketTagging', bucketArn(name), judged);
  if (rec.objectLock) {
    // S3 requires both permissions for a bucket created with Object Lock (it sets the lock and versioning).
    authorizeS3(deps, req, 's3:PutBucketObjectLockConfiguration', bucketArn(name), judged);
    authorizeS3(deps, req, 's3:PutBucketVersioning', bucketArn(name), judged);
  }
  // us-east-1's legacy answer, as S3 documents and AWS still answers (recorded 2026): re-creating a bucket the
  // caller owns there, with nothing to set (no location, tags or Object Lock), is 200 and changes nothing;
  // anything else, and every other Region, is BucketAlreadyOwnedByYou.
  const plainRecreate = constraint === undefined && tags.length === 0 && !rec.objectLock && existing?.region === 'us-east-1';
  if (existing && existing.accountId === rec.accountId && plainRecreate) return { status: 200, headers: createdHeaders(deps, req, existing) };
  if (existing)
    throw existing.accountId === rec.accountId
      ? S3.BucketAlreadyOwnedByYou(undefined, { BucketName: name })
      : S3.BucketAlreadyExists(undefined, { BucketName: name });
  if (!(await deps.store.createBucket(rec))) throw S3.BucketAlreadyExists(undefined, { BucketName: name });
  return { status: 200, headers: createdHeaders(deps, req, rec) };
};

/**
 * CreateBucket's answer: where the bucket is and, as S3 has since 2025, its ARN (x-amz-bucket-arn). S3 gives a
 * us-east-1 bucket's path and any other bucket's virtual-hosted URL over http (AWS's answers in localstack's
 * recording test_create_bucket_head_bucket: "/<bucket>" and "http://<bucket>.s3.amazonaws.com/"); Keyhold's URL
 * is under its S3 base domain, with the port the request was sent to.
 */
function createdHeaders(deps: S3Deps, req: S3Request, b: BucketRecord): Record<string, string> {
  const port = /:(\d+)$/.exec(header(req, 'host') ?? '')?.[1];
  const location = b.region === 'us-east-1' || !deps.virtualHostDomain ? `/${b.name}` : `http://${b.name}.${deps.virtualHostDomain}${port ? `:${port}` : ''}/`;
  return { location, 'x-amz-bucket-arn': bucketArn(b.name) };
}

// HeadBucket's headers as AWS recorded them (localstack test_s3.py test_create_bucket_head_bucket): Region, ARN,
// and that the name is not an access point alias (Keyhold has no access points).
export const headBucket: S3Handler = async (deps, req) => {
  const b = await requireBucket(deps, req);
  try {
    authorizeS3(deps, req, 's3:ListBucket', bucketArn(b.name), b);
  } catch (err) {
    // HeadBucket names the bucket's Region whether or not the caller may list it (API reference, HeadBucket): SDKs
    // discover a Region so, with an unsigned HEAD (the Go SDK's manager.GetBucketRegion).
    if (err instanceof S3Error) throw withDetails(err, { 'x-amz-bucket-region': b.region });
    throw err;
  }
  return {
    status: 200,
    headers: {
      'content-type': 'application/xml',
      'x-amz-bucket-region': b.region,
      'x-amz-bucket-arn': bucketArn(b.name),
      'x-amz-access-point-alias': 'false',
    },
  };
};

export const deleteBucket: S3Handler = async (deps, req) => {
  const b = await requireBucket(deps, req);
  authorizeS3(deps, req, 's3:DeleteBucket', bucketArn(b.name), b);
  if (await deps.store.hasObjects(b.name))
    throw S3.BucketNotEmpty(
      b.versioning === 'Unversioned' ? undefined : 'The bucket you tried to delete is not empty. You must delete all versions in the bucket.',
      { BucketName: b.name },
    );
  // Unfinished multipart uploads are not objects: S3 deletes the bucket and discards them (their parts too).
  const uploads = await deps.store.listUploads(b.name);
  await deleteBlobs(deps, await deps.store.deleteBucket(b.name, uploads));
  return { status: 204 };
};

/**
 * ListBuckets (https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListBuckets.html): the caller's buckets in
 * name order, optionally filtered by prefix and bucket-region and paged by max-buckets (1-10000) with an
 * opaque continuation-token (base64url of the last name listed).
 */
export const listBuckets: S3Handler = async (deps, req) => {
  const check = { action: 's3:ListAllMyBuckets', resource: '*' };
  const decision = deps.authorizer.decide(req.ctx, check);
  if (!decision.allowed) throw S3.AccessDenied();
  const maxRaw = req.query.get('max-buckets');
  if (maxRaw !== null && (!/^\d{1,5}$/.test(maxRaw) || Number(maxRaw) < 1 || Number(maxRaw) > 10_000))
    throw S3.InvalidArgument('Argument max-buckets must be an integer between 1 and 10000.', { ArgumentName: 'max-buckets', ArgumentValue: maxRaw });
  const max = maxRaw === null ? 10_000 : Number(maxRaw);
  const prefix = req.query.get('prefix') ?? '';
  const region = req.query.get('bucket-region');
  // An empty token is no token (as S3 reads it).
  const token = req.query.get('continuation-token') || null;
  const after = token === null ? undefined : Buffer.from(token, 'base64url').toString('utf8');
  if (token !== null && !BUCKET_NAME_RE.test(after!))
    throw S3.InvalidArgument('The continuation token provided is incorrect', { ArgumentName: 'continuation-token', ArgumentValue: token });
  const own = (await deps.store.listBuckets())
    .filter((b) => b.accountId === req.ctx.principal.accountId && b.name.startsWith(prefix) && (region === null || b.region === region))
    .filter((b) => after === undefined || b.name > after)
    .sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
  const page = own.slice(0, max);
  return {
    status: 200,
    headers: { 'content-type': 'application/xml' },
    body: xmlDocument('ListAllMyBucketsResult', {
      Owner: { ID: req.ctx.principal.accountId },
      Buckets: { Bucket: page.map((b) => ({ Name: b.name, CreationDate: new Date(b.creationDate), BucketRegion: b.region, BucketArn: bucketArn(b.name) })) },
      ...(own.length > page.length ? { ContinuationToken: Buffer.from(page[page.length - 1]!.name).toString('base64url') } : {}),
      ...(req.query.has('prefix') ? { Prefix: prefix } : {}),
    }),
  };
};

export const getBucketLocation: S3Handler = async (deps, req) => {
  const b = await requireBucket(deps, req);
  authorizeS3(deps, req, 's3:GetBucketLocation', bucketArn(b.name), b);
  // us-east-1 is the empty LocationConstraint and a bucket created with "EU" reports "EU", as S3 answers them.
  const location = b.locationConstraint ?? (b.region === 'us-east-1' ? '' : b.region);
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<LocationConstraint xmlns="${S3_NS}">${location}</LocationConstraint>`;
  return { status: 200, headers: { 'content-type': 'application/xml' }, body };
};

export const putBucketVersioning: S3Handler = async (deps, req) => {
  const b = await requireBucket(deps, req);
  authorizeS3(deps, req, 's3:PutBucketVersioning', bucketArn(b.name), b);
  const doc = parseXmlBody(await req.readBody(64 * 1024)).VersioningConfiguration as Record<string, unknown> | undefined;
  const status = doc?.Status;
  // An empty configuration is S3's IllegalVersioningConfigurationException; a status other than these two, MalformedXML.
  if (status === undefined && doc?.MfaDelete === undefined) throw S3.IllegalVersioningConfigurationException('The Versioning element must be specified');
  if (status !== 'Enabled' && status !== 'Suspended') throw S3.MalformedXML();
  if (doc?.MfaDelete === 'Enabled') throw S3.NotImplemented('MFA Delete is not supported by this Keyhold version.');
  if (b.objectLock && status === 'Suspended') {
    throw new S3Error('InvalidBucketState', 409, 'An Object Lock configuration is present on this bucket, so the versioning state cannot be changed.');
  }
  await deps.store.updateBucket(b.name, (x) => {
    x.versioning = status;
  });
  return { status: 200 };
};

export const getBucketVersioning: S3Handler = async (deps, req) => {
  const b = await requireBucket(deps, req);
  authorizeS3(deps, req, 's3:GetBucketVersioning', bucketArn(b.name), b);
  return {
    status: 200,
    headers: { 'content-type': 'application/xml' },
    body: xmlDocument('VersioningConfiguration', b.versioning === 'Unversioned' ? {} : { Status: b.versioning }),
  };
};

export function parseTagSet(body: Buffer, root: string): Tag[] {
  const doc = parseXmlBody(body)[root] as Record<string, unknown> | undefined;
  return tagList((doc?.TagSet as Record<string, unknown> | undefined)?.Tag);
}

/**
 * The <Tag> elements of a parsed document as tags. Both Key and Value are required by S3's schema (an empty
 * <Value/> is an empty value): a Tag without either, or with one that is not text, is MalformedXML, as AWS
 * answers (localstack's recordings, test_tagging_validation).
 */
function tagList(set: unknown): Tag[] {
  const list = Array.isArray(set) ? set : set ? [set] : [];
  return list.map((t) => {
    const { Key, Value } = (t ?? {}) as Record<string, unknown>;
    if (typeof Key !== 'string' || typeof Value !== 'string') throw S3.MalformedXML();
    return { Key, Value };
  });
}

export const putBucketTagging: S3Handler = async (deps, req) => {
  const b = await requireBucket(deps, req);
  authorizeS3(deps, req, 's3:PutBucketTagging', bucketArn(b.name), b);
  const tags = parseTagSet(await req.readBody(64 * 1024), 'Tagging');
  checkTags(tags, { max: 50, what: 'Bucket' });
  await deps.store.updateBucket(b.name, (x) => {
    x.tags = tags;
  });
  return { status: 204 };
};

export const getBucketTagging: S3Handler = async (deps, req) => {
  const b = await requireBucket(deps, req);
  authorizeS3(deps, req, 's3:GetBucketTagging', bucketArn(b.name), b);
  if (!b.tags?.length) throw S3.NoSuchTagSet(undefined, { BucketName: b.name });
  return { status: 200, headers: { 'content-type': 'application/xml' }, body: xmlDocument('Tagging', { TagSet: { Tag: byKey(b.tags) } }) };
};

export const deleteBucketTagging: S3Handler = async (deps, req) => {
  const b = await requireBucket(deps, req);
  authorizeS3(deps, req, 's3:PutBucketTagging', bucketArn(b.name), b);
  await deps.store.updateBucket(b.name, (x) => {
    delete x.tags;
  });
  return { status: 204 };
};

/** x-amz-bucket-object-lock-enabled: true on CreateBucket (S3 reads the value case-insensitively). */
function objectLockAtCreation(req: S3Request): boolean {
  return header(req, 'x-amz-bucket-object-lock-enabled')?.toLowerCase() === 'true';
}
