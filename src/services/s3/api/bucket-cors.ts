// Put/Get/DeleteBucketCors: the bucket's CORS rules (cors/rules.ts), which the edge applies to cross-origin
// requests and preflights (cors/preflight.ts). Delete is authorized by s3:PutBucketCORS, as in S3.
import { authorizeS3 } from '../authorize.js';
import { corsDocumentBody, parseCorsConfiguration } from '../cors/rules.js';
import { S3 } from '../errors.js';
import { bucketArn } from '../model.js';
import type { S3Handler } from '../request.js';
import { parseXmlBody, xmlDocument } from '../xml.js';
import { requireBucket } from './bucket-common.js';

export const putBucketCors: S3Handler = async (deps, req) => {
  const b = await requireBucket(deps, req);
  authorizeS3(deps, req, 's3:PutBucketCORS', bucketArn(b.name), b);
  const rules = parseCorsConfiguration(parseXmlBody(await req.readBody(64 * 1024)));
  await deps.store.updateBucket(b.name, (x) => {
    x.cors = rules;
  });
  return { status: 200 };
};

export const getBucketCors: S3Handler = async (deps, req) => {
  const b = await requireBucket(deps, req);
  authorizeS3(deps, req, 's3:GetBucketCORS', bucketArn(b.name), b);
  if (!b.cors?.length) throw S3.NoSuchCORSConfiguration(undefined, { BucketName: b.name });
  return { status: 200, headers: { 'content-type': 'application/xml' }, body: xmlDocument('CORSConfiguration', corsDocumentBody(b.cors)) };
};

export const deleteBucketCors: S3Handler = async (deps, req) => {
  const b = await requireBucket(deps, req);
  authorizeS3(deps, req, 's3:PutBucketCORS', bucketArn(b.name), b);
  if (b.cors) {
    await deps.store.updateBucket(b.name, (x) => {
      delete x.cors;
    });
  }
  return { status: 204 };
};
