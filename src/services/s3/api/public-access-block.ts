// Put/Get/DeletePublicAccessBlock for a bucket (public-access.ts has the settings' meaning). Delete is authorized
// by s3:PutBucketPublicAccessBlock, as in S3.
import { authorizeS3 } from '../authorize.js';
import { S3 } from '../errors.js';
import { bucketArn } from '../model.js';
import type { PublicAccessBlock } from '../public-access.js';
import type { S3Handler } from '../request.js';
import { parseXmlBody, xmlDocument } from '../xml.js';
import { requireBucket } from './bucket-common.js';

const FIELDS: ReadonlyArray<[keyof PublicAccessBlock, string]> = [
  ['blockPublicAcls', 'BlockPublicAcls'],
  ['ignorePublicAcls', 'IgnorePublicAcls'],
  ['blockPublicPolicy', 'BlockPublicPolicy'],
  ['restrictPublicBuckets', 'RestrictPublicBuckets'],
];

export const putPublicAccessBlock: S3Handler = async (deps, req) => {
  const b = await requireBucket(deps, req);
  authorizeS3(deps, req, 's3:PutBucketPublicAccessBlock', bucketArn(b.name), b);
  const doc = parseXmlBody(await req.readBody(64 * 1024)).PublicAccessBlockConfiguration;
  if (doc === undefined || (doc !== '' && (doc === null || typeof doc !== 'object'))) throw S3.MalformedXML();
  const fields = doc === '' ? {} : (doc as Record<string, unknown>);
  const next = {} as PublicAccessBlock;
  for (const [field, element] of FIELDS) {
    const v = fields[element];
    if (v !== undefined && v !== 'true' && v !== 'false') throw S3.MalformedXML();
    next[field] = v === 'true';
  }
  await deps.store.updateBucket(b.name, (x) => {
    x.publicAccessBlock = next;
  });
  return { status: 200 };
};

export const getPublicAccessBlock: S3Handler = async (deps, req) => {
  const b = await requireBucket(deps, req);
  authorizeS3(deps, req, 's3:GetBucketPublicAccessBlock', bucketArn(b.name), b);
  // Never configured or deleted: no configuration to return (what an unconfigured bucket enforces: public-access.ts).
  if (b.publicAccessBlock === 'none' || b.publicAccessBlock === undefined) throw S3.NoSuchPublicAccessBlockConfiguration(undefined, { BucketName: b.name });
  const e = b.publicAccessBlock;
  return {
    status: 200,
    headers: { 'content-type': 'application/xml' },
    body: xmlDocument('PublicAccessBlockConfiguration', Object.fromEntries(FIELDS.map(([field, element]) => [element, e[field]]))),
  };
};

export const deletePublicAccessBlock: S3Handler = async (deps, req) => {
  const b = await requireBucket(deps, req);
  authorizeS3(deps, req, 's3:PutBucketPublicAccessBlock', bucketArn(b.name), b);
  await deps.store.updateBucket(b.name, (x) => {
    x.publicAccessBlock = 'none';
  });
  return { status: 204 };
};
