// Default bucket encryption: Put/Get/DeleteBucketEncryption (shared/reference/s3.md §5-§6). A new bucket
// reports the SSE-S3 default (no 404) with SSE-C blocked; DELETE returns to that default. With
// `--s3-legacy-defaults` (decision 87) a bucket without its own configuration answers GET with S3's pre-2023
// 404 instead, and SSE-C is blocked only where a configuration says so.
import { authorizeS3 } from '../authorize.js';
import { S3 } from '../errors.js';
import { bucketArn, type BucketEncryptionRule } from '../model.js';
import type { S3Handler } from '../request.js';
import { parseXmlBody, xmlDocument, xmlText } from '../xml.js';
import { defaultEncryption, requireBucket } from './bucket-common.js';

export const putBucketEncryption: S3Handler = async (deps, req) => {
  const b = await requireBucket(deps, req);
  authorizeS3(deps, req, 's3:PutEncryptionConfiguration', bucketArn(b.name), b);
  const doc = parseXmlBody(await req.readBody(64 * 1024)).ServerSideEncryptionConfiguration as Record<string, unknown> | undefined;
  const rules = (doc?.Rule as unknown[] | undefined) ?? [];
  if (rules.length !== 1) throw S3.MalformedXML();
  const rule = rules[0] as Record<string, unknown>;
  const apply = rule.ApplyServerSideEncryptionByDefault as Record<string, unknown> | undefined;
  const alg = apply?.SSEAlgorithm;
  if (alg !== 'AES256' && alg !== 'aws:kms' && alg !== 'aws:kms:dsse') throw S3.MalformedXML();
  const kmsKey = xmlText(apply?.KMSMasterKeyID);
  if (kmsKey !== undefined && alg === 'AES256')
    throw S3.InvalidArgument('a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms or aws:kms:dsse', {
      ArgumentName: 'ApplyServerSideEncryptionByDefault',
    });
  const blocked = (rule.BlockedEncryptionTypes as Record<string, unknown> | undefined)?.EncryptionType;
  // A rule that names no blocked types gets this server's default for new buckets.
  const blockedList = (Array.isArray(blocked) ? blocked : blocked !== undefined ? [blocked] : defaultEncryption(deps).BlockedEncryptionTypes).map(String);
  if (blockedList.some((t) => t !== 'SSE-C' && t !== 'NONE')) throw S3.InvalidArgument('EncryptionType must be SSE-C or NONE');
  const next: BucketEncryptionRule = {
    SSEAlgorithm: alg,
    ...(kmsKey ? { KMSMasterKeyID: kmsKey } : {}),
    BucketKeyEnabled: xmlText(rule.BucketKeyEnabled) === 'true',
    BlockedEncryptionTypes: blockedList.filter((t) => t !== 'NONE'),
  };
  await deps.store.updateBucket(b.name, (x) => {
    x.encryption = next;
    x.encryptionExplicit = true;
  });
  return { status: 200 };
};

export const getBucketEncryption: S3Handler = async (deps, req) => {
  const b = await requireBucket(deps, req);
  authorizeS3(deps, req, 's3:GetEncryptionConfiguration', bucketArn(b.name), b);
  if (deps.legacyDefaults && !b.encryptionExplicit) throw S3.ServerSideEncryptionConfigurationNotFoundError(undefined, { BucketName: b.name });
  const e = b.encryption;
  return {
    status: 200,
    headers: { 'content-type': 'application/xml' },
    body: xmlDocument('ServerSideEncryptionConfiguration', {
      Rule: {
        ApplyServerSideEncryptionByDefault: { SSEAlgorithm: e.SSEAlgorithm, ...(e.KMSMasterKeyID ? { KMSMasterKeyID: e.KMSMasterKeyID } : {}) },
        BucketKeyEnabled: e.BucketKeyEnabled,
        // Nothing blocked: no element, as AWS answered for a bucket that allowed SSE-C (localstack's recordings of
        // test_s3_bucket_encryption_sse_kms, February 2026).
        ...(e.BlockedEncryptionTypes.length ? { BlockedEncryptionTypes: { EncryptionType: e.BlockedEncryptionTypes } } : {}),
      },
    }),
  };
};

export const deleteBucketEncryption: S3Handler = async (deps, req) => {
  const b = await requireBucket(deps, req);
  authorizeS3(deps, req, 's3:PutEncryptionConfiguration', bucketArn(b.name), b);
  await deps.store.updateBucket(b.name, (x) => {
    x.encryption = { ...defaultEncryption(deps), BlockedEncryptionTypes: [...x.encryption.BlockedEncryptionTypes] };
    x.encryptionExplicit = false;
  });
  return { status: 204 };
};
