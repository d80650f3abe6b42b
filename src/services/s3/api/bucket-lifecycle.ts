// Put/Get/DeleteBucketLifecycleConfiguration: the bucket's lifecycle rules (lifecycle/rules.ts), carried out by
// the background sweep (lifecycle/sweeper.ts). Delete is authorized by s3:PutLifecycleConfiguration, as in S3.
// Both answers name the transition minimum object size S3 has used by default since 2024.
import { authorizeS3 } from '../authorize.js';
import { S3 } from '../errors.js';
import { lifecycleDocumentBody, parseLifecycleConfiguration } from '../lifecycle/rules.js';
import { bucketArn } from '../model.js';
import type { S3Handler } from '../request.js';
import { parseXmlBody, xmlDocument } from '../xml.js';
import { requireBucket } from './bucket-common.js';

const MINIMUM_SIZE = { 'x-amz-transition-default-minimum-object-size': 'all_storage_classes_128K' };

export const putBucketLifecycle: S3Handler = async (deps, req) => {
  const b = await requireBucket(deps, req);
  authorizeS3(deps, req, 's3:PutLifecycleConfiguration', bucketArn(b.name), b);
  const rules = parseLifecycleConfiguration(parseXmlBody(await req.readBody(512 * 1024)));
  await deps.store.updateBucket(b.name, (x) => {
    x.lifecycle = rules;
  });
  return { status: 200, headers: { ...MINIMUM_SIZE } };
};

export const getBucketLifecycle: S3Handler = async (deps, req) => {
  const b = await requireBucket(deps, req);
  authorizeS3(deps, req, 's3:GetLifecycleConfiguration', bucketArn(b.name), b);
  if (!b.lifecycle?.length) throw S3.NoSuchLifecycleConfiguration(undefined, { BucketName: b.name });
  return {
    status: 200,
    headers: { 'content-type': 'application/xml', ...MINIMUM_SIZE },
    body: xmlDocument('LifecycleConfiguration', lifecycleDocumentBody(b.lifecycle)),
  };
};

export const deleteBucketLifecycle: S3Handler = async (deps, req) => {
  const b = await requireBucket(deps, req);
  authorizeS3(deps, req, 's3:PutLifecycleConfiguration', bucketArn(b.name), b);
  if (b.lifecycle) {
    await deps.store.updateBucket(b.name, (x) => {
      delete x.lifecycle;
    });
  }
  return { status: 204 };
};
