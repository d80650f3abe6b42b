// Put/Get/DeleteBucketLifecycleConfiguration: the bucket's lifecycle rules (lifecycle/rules.ts), carried out by
// the background sweep (lifecycle/sweeper.ts). Delete is authorized by s3:PutLifecycleConfiguration, as in S3.
// Both answers name the transition minimum object size: S3's default since 2024 (all_storage_classes_128K), or
// varies_by_storage_class when the PUT asked for it.
import { authorizeS3 } from '../authorize.js';
import { S3 } from '../errors.js';
import { lifecycleDocumentBody, parseLifecycleConfiguration } from '../lifecycle/rules.js';
import { type BucketRecord, bucketArn } from '../model.js';
import { header, type S3Handler } from '../request.js';
import { parseXmlBody, xmlDocument } from '../xml.js';
import { requireBucket } from './bucket-common.js';

const MINIMUM_SIZE_HEADER = 'x-amz-transition-default-minimum-object-size';
const DEFAULT_MINIMUM_SIZE = 'all_storage_classes_128K';
const MINIMUM_SIZES = [DEFAULT_MINIMUM_SIZE, 'varies_by_storage_class'];

/** The configuration's transition minimum object size, as the header that carries it both ways. */
const minimumSize = (b: BucketRecord) => ({ [MINIMUM_SIZE_HEADER]: b.lifecycleMinimumSize ?? DEFAULT_MINIMUM_SIZE });

export const putBucketLifecycle: S3Handler = async (deps, req) => {
  const b = await requireBucket(deps, req);
  authorizeS3(deps, req, 's3:PutLifecycleConfiguration', bucketArn(b.name), b);
  const size = header(req, MINIMUM_SIZE_HEADER);
  // AWS's recorded answer to a value it does not know.
  if (size !== undefined && !MINIMUM_SIZES.includes(size)) throw S3.InvalidRequest(`Invalid TransitionDefaultMinimumObjectSize found: ${size}`);
  const rules = parseLifecycleConfiguration(parseXmlBody(await req.readBody(512 * 1024)));
  await deps.store.updateBucket(b.name, (x) => {
    x.lifecycle = rules;
    if (size === 'varies_by_storage_class') x.lifecycleMinimumSize = size;
    else delete x.lifecycleMinimumSize;
  });
  return { status: 200, headers: { [MINIMUM_SIZE_HEADER]: size ?? DEFAULT_MINIMUM_SIZE } };
};

export const getBucketLifecycle: S3Handler = async (deps, req) => {
  const b = await requireBucket(deps, req);
  authorizeS3(deps, req, 's3:GetLifecycleConfiguration', bucketArn(b.name), b);
  if (!b.lifecycle?.length) throw S3.NoSuchLifecycleConfiguration(undefined, { BucketName: b.name });
  return {
    status: 200,
    headers: { 'content-type': 'application/xml', ...minimumSize(b) },
    body: xmlDocument('LifecycleConfiguration', lifecycleDocumentBody(b.lifecycle)),
  };
};

export const deleteBucketLifecycle: S3Handler = async (deps, req) => {
  const b = await requireBucket(deps, req);
  authorizeS3(deps, req, 's3:PutLifecycleConfiguration', bucketArn(b.name), b);
  if (b.lifecycle) {
    await deps.store.updateBucket(b.name, (x) => {
      delete x.lifecycle;
      delete x.lifecycleMinimumSize;
    });
  }
  return { status: 204 };
};
