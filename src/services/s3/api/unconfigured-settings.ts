// Bucket settings Keyhold does not implement, answered as S3 answers a bucket that has none of them: the
// "not configured" error or the empty document of each Get, and a no-op Delete (S3 deletes a missing
// configuration with 204). Tools that read every setting of a bucket (Terraform's bucket refresh, s3cmd
// info, SDK scripts) then work; setting one (Put) still answers NotImplemented (routes.ts).
// https://docs.aws.amazon.com/AmazonS3/latest/API/API_Operations_Amazon_Simple_Storage_Service.html
import { authorizeS3 } from '../authorize.js';
import { S3, type S3Error } from '../errors.js';
import { bucketArn } from '../model.js';
import type { S3Handler } from '../request.js';
import { type XmlNode, xmlDocument } from '../xml.js';
import { requireBucket } from './bucket-common.js';

/** A Get that answers "not configured": an error (naming the bucket, as S3's do), or a document with the default content. */
function notConfigured(action: string, answer: ((bucketName: string) => S3Error) | { root: string; body: { [k: string]: XmlNode } }): S3Handler {
  return async (deps, req) => {
    const b = await requireBucket(deps, req);
    authorizeS3(deps, req, action, bucketArn(b.name), b);
    if (typeof answer === 'function') throw answer(b.name);
    return { status: 200, headers: { 'content-type': 'application/xml' }, body: xmlDocument(answer.root, answer.body) };
  };
}

/** Deleting a configuration the bucket does not have: authorized like the real Delete, then 204. */
function deleteNothing(action: string): S3Handler {
  return async (deps, req) => {
    const b = await requireBucket(deps, req);
    authorizeS3(deps, req, action, bucketArn(b.name), b);
    return { status: 204 };
  };
}

// The IAM action of each operation is S3's own (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html):
// the Delete operations of CORS, lifecycle, public access block and replication are authorized by their Put action.
export const UNCONFIGURED_SETTINGS: Readonly<Record<string, S3Handler>> = {
  // Both errors name the bucket (localstack's recordings of AWS: test_crud_website_configuration, test_replication_config).
  GetBucketWebsite: notConfigured('s3:GetBucketWebsite', (BucketName) => S3.NoSuchWebsiteConfiguration(undefined, { BucketName })),
  GetBucketReplication: notConfigured('s3:GetReplicationConfiguration', (BucketName) => S3.ReplicationConfigurationNotFoundError(undefined, { BucketName })),
  GetBucketLogging: notConfigured('s3:GetBucketLogging', { root: 'BucketLoggingStatus', body: {} }),
  GetBucketNotificationConfiguration: notConfigured('s3:GetBucketNotification', { root: 'NotificationConfiguration', body: {} }),
  GetBucketAccelerateConfiguration: notConfigured('s3:GetAccelerateConfiguration', { root: 'AccelerateConfiguration', body: {} }),
  GetBucketRequestPayment: notConfigured('s3:GetBucketRequestPayment', { root: 'RequestPaymentConfiguration', body: { Payer: 'BucketOwner' } }),
  DeleteBucketWebsite: deleteNothing('s3:DeleteBucketWebsite'),
  DeleteBucketReplication: deleteNothing('s3:PutReplicationConfiguration'),
  ...configurationSet('Analytics', 'ListBucketAnalyticsConfigurationResult', 'AnalyticsConfiguration'),
  ...configurationSet('Metrics', 'ListMetricsConfigurationsResult', 'MetricsConfiguration'),
  ...configurationSet('Inventory', 'ListInventoryConfigurationsResult', 'InventoryConfiguration'),
  ...configurationSet('IntelligentTiering', 'ListBucketIntelligentTieringConfigurationsOutput', 'IntelligentTieringConfiguration'),
};

/**
 * A set of named configurations (analytics, metrics, inventory, Intelligent-Tiering) the bucket has none of: an
 * empty list, NoSuchConfiguration for a named one (Get, Delete). IAM actions s3:Get<Kind>Configuration, and
 * s3:Put<Kind>Configuration for Delete.
 */
function configurationSet(kind: string, listRoot: string, action: string): Record<string, S3Handler> {
  return {
    [`ListBucket${kind}Configurations`]: notConfigured(`s3:Get${action}`, { root: listRoot, body: { IsTruncated: 'false' } }),
    [`GetBucket${kind}Configuration`]: notConfigured(`s3:Get${action}`, () => S3.NoSuchConfiguration()),
    [`DeleteBucket${kind}Configuration`]: notConfigured(`s3:Put${action}`, () => S3.NoSuchConfiguration()),
  };
}
