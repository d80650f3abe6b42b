// The S3 operation table: route name -> handler.
import {
  deleteBucketOwnershipControls,
  getBucketAcl,
  getBucketOwnershipControls,
  getObjectAcl,
  putBucketAcl,
  putBucketOwnershipControls,
  putObjectAcl,
} from './api/acl.js';
import { deleteBucketCors, getBucketCors, putBucketCors } from './api/bucket-cors.js';
import { deletePublicAccessBlock, getPublicAccessBlock, putPublicAccessBlock } from './api/public-access-block.js';
import { deleteBucketLifecycle, getBucketLifecycle, putBucketLifecycle } from './api/bucket-lifecycle.js';
import { deleteBucketEncryption, getBucketEncryption, putBucketEncryption } from './api/bucket-encryption.js';
import { deleteBucketPolicy, getBucketPolicy, getBucketPolicyStatus, putBucketPolicy } from './api/bucket-policy.js';
import {
  createBucket,
  deleteBucket,
  deleteBucketTagging,
  getBucketLocation,
  getBucketTagging,
  getBucketVersioning,
  headBucket,
  listBuckets,
  putBucketTagging,
  putBucketVersioning,
} from './api/buckets.js';
import { copyObject } from './api/copy-object.js';
import { againIfBlobVanished } from './api/object-common.js';
import { deleteObject, deleteObjects } from './api/delete-object.js';
import { getObject, headObject } from './api/get-object.js';
import { listObjects, listObjectsV2, listObjectVersions } from './api/list-objects.js';
import { abortMultipartUpload, completeMultipartUpload, createMultipartUpload, uploadPart, uploadPartCopy } from './api/multipart.js';
import { listMultipartUploads, listParts } from './api/multipart-listings.js';
import {
  getObjectLegalHold,
  getObjectLockConfiguration,
  getObjectRetention,
  putObjectLegalHold,
  putObjectLockConfiguration,
  putObjectRetention,
} from './api/object-lock.js';
import { deleteObjectTagging, getObjectTagging, putObjectTagging } from './api/object-tagging.js';
import { updateObjectEncryption } from './api/update-object-encryption.js';
import { getObjectAttributes } from './api/object-attributes.js';
import { getObjectTorrent } from './api/object-torrent.js';
import { restoreObject } from './api/restore-object.js';
import { putObject } from './api/put-object.js';
import { UNCONFIGURED_SETTINGS } from './api/unconfigured-settings.js';
import type { S3Handler } from './request.js';

export const HANDLERS: Readonly<Record<string, S3Handler>> = {
  ListBuckets: listBuckets,
  CreateBucket: createBucket,
  HeadBucket: headBucket,
  DeleteBucket: deleteBucket,
  GetBucketLocation: getBucketLocation,
  PutBucketLifecycleConfiguration: putBucketLifecycle,
  GetBucketLifecycleConfiguration: getBucketLifecycle,
  DeleteBucketLifecycle: deleteBucketLifecycle,
  PutPublicAccessBlock: putPublicAccessBlock,
  GetPublicAccessBlock: getPublicAccessBlock,
  DeletePublicAccessBlock: deletePublicAccessBlock,
  PutBucketCors: putBucketCors,
  GetBucketCors: getBucketCors,
  DeleteBucketCors: deleteBucketCors,
  PutBucketEncryption: putBucketEncryption,
  GetBucketEncryption: getBucketEncryption,
  DeleteBucketEncryption: deleteBucketEncryption,
  PutBucketPolicy: putBucketPolicy,
  GetBucketPolicy: getBucketPolicy,
  DeleteBucketPolicy: deleteBucketPolicy,
  GetBucketPolicyStatus: getBucketPolicyStatus,
  PutBucketVersioning: putBucketVersioning,
  GetBucketVersioning: getBucketVersioning,
  PutBucketTagging: putBucketTagging,
  GetBucketTagging: getBucketTagging,
  DeleteBucketTagging: deleteBucketTagging,
  PutObject: putObject,
  GetObject: getObject,
  HeadObject: headObject,
  DeleteObject: deleteObject,
  DeleteObjects: deleteObjects,
  CopyObject: againIfBlobVanished(copyObject),
  ListObjects: listObjects,
  ListObjectsV2: listObjectsV2,
  ListObjectVersions: listObjectVersions,
  PutObjectLockConfiguration: putObjectLockConfiguration,
  GetObjectLockConfiguration: getObjectLockConfiguration,
  PutObjectRetention: putObjectRetention,
  GetObjectRetention: getObjectRetention,
  PutObjectLegalHold: putObjectLegalHold,
  GetObjectLegalHold: getObjectLegalHold,
  PutObjectTagging: putObjectTagging,
  UpdateObjectEncryption: updateObjectEncryption,
  GetObjectTagging: getObjectTagging,
  DeleteObjectTagging: deleteObjectTagging,
  CreateMultipartUpload: createMultipartUpload,
  UploadPart: uploadPart,
  UploadPartCopy: againIfBlobVanished(uploadPartCopy),
  CompleteMultipartUpload: completeMultipartUpload,
  AbortMultipartUpload: abortMultipartUpload,
  ListParts: listParts,
  ListMultipartUploads: listMultipartUploads,
  GetBucketAcl: getBucketAcl,
  PutBucketAcl: putBucketAcl,
  PutBucketOwnershipControls: putBucketOwnershipControls,
  GetBucketOwnershipControls: getBucketOwnershipControls,
  DeleteBucketOwnershipControls: deleteBucketOwnershipControls,
  GetObjectAcl: getObjectAcl,
  GetObjectAttributes: getObjectAttributes,
  GetObjectTorrent: getObjectTorrent,
  RestoreObject: restoreObject,
  PutObjectAcl: putObjectAcl,
  ...UNCONFIGURED_SETTINGS,
};
