// Which S3 operation a request is: method, bucket/key presence and sub-resources, as S3's REST API maps
// them. Sub-resources Keyhold does not implement answer NotImplemented instead of being ignored; a method
// no operation takes on the resource (POST on an object without ?uploads or ?uploadId, DELETE on the
// service) answers 405 MethodNotAllowed naming the method and the resource type, as S3 does.
export interface Route {
  name: string;
  readOnly: boolean;
  /** Object-level operations are CloudTrail data events. */
  data: boolean;
}

const UNSUPPORTED = [
  'acl',
  'website',
  'logging',
  'notification',
  'replication',
  'torrent',
  'restore',
  'select',
  'attributes',
  'ownershipControls',
  'accelerate',
  'requestPayment',
  'analytics',
  'metrics',
  'inventory',
  'intelligent-tiering',
  'renameObject',
];

const r = (name: string, readOnly: boolean, data = false): Route => ({ name, readOnly, data });

// Of the settings above, those a bucket can be asked about and answers "not configured" (Get) or deletes as
// a no-op (Delete): api/unconfigured-settings.ts. Putting one stays unsupported.
const UNCONFIGURED_GET: Readonly<Record<string, string>> = {
  website: 'GetBucketWebsite',
  replication: 'GetBucketReplication',
  logging: 'GetBucketLogging',
  notification: 'GetBucketNotificationConfiguration',
  accelerate: 'GetBucketAccelerateConfiguration',
  requestPayment: 'GetBucketRequestPayment',
};
const UNCONFIGURED_DELETE: Readonly<Record<string, string>> = {
  website: 'DeleteBucketWebsite',
  replication: 'DeleteBucketReplication',
};
// Sets of named configurations a bucket has none of: listing one is empty, naming one (id=) is NoSuchConfiguration.
const CONFIGURATION_SETS: Readonly<Record<string, string>> = {
  analytics: 'Analytics',
  metrics: 'Metrics',
  inventory: 'Inventory',
  'intelligent-tiering': 'IntelligentTiering',
};

/** Object attributes, ACLs (disabled, api/acl.ts) and the settings above, before the unsupported sub-resources are refused. */
function settingsRoute(method: string, key: string | undefined, q: URLSearchParams): Route | undefined {
  if (q.has('attributes') && key !== undefined && method === 'GET') return r('GetObjectAttributes', true, true);
  // Looked up before it is refused (api/object-torrent.ts); a torrent of a bucket or a PUT stays unsupported.
  if (q.has('torrent') && key !== undefined && method === 'GET') return r('GetObjectTorrent', true, true);
  if (q.has('restore') && key !== undefined && method === 'POST') return r('RestoreObject', false, true);
  if (q.has('acl')) {
    if (method === 'GET') return key === undefined ? r('GetBucketAcl', true) : r('GetObjectAcl', true, true);
    if (method === 'PUT') return key === undefined ? r('PutBucketAcl', false) : r('PutObjectAcl', false, true);
    return undefined;
  }
  // BucketOwnerEnforced is every bucket's setting; putting it is accepted (api/acl.ts), other modes are not.
  if (q.has('ownershipControls') && key === undefined) {
    if (method === 'PUT') return r('PutBucketOwnershipControls', false);
    if (method === 'GET') return r('GetBucketOwnershipControls', true);
    if (method === 'DELETE') return r('DeleteBucketOwnershipControls', false);
    return undefined;
  }
  if (key !== undefined || (method !== 'GET' && method !== 'DELETE')) return undefined;
  for (const sub in CONFIGURATION_SETS) {
    if (!q.has(sub)) continue;
    const kind = CONFIGURATION_SETS[sub]!;
    if (!q.has('id')) return method === 'GET' ? r(`ListBucket${kind}Configurations`, true) : undefined;
    return method === 'GET' ? r(`GetBucket${kind}Configuration`, true) : r(`DeleteBucket${kind}Configuration`, false);
  }
  const table = method === 'GET' ? UNCONFIGURED_GET : UNCONFIGURED_DELETE;
  for (const sub in table) if (q.has(sub)) return r(table[sub]!, method === 'GET');
  return undefined;
}

/** What S3 calls the resource a method is not allowed on (the ResourceType of its MethodNotAllowed). */
export type ResourceType = 'SERVICE' | 'BUCKET' | 'OBJECT';

export function route(
  method: string,
  bucket: string | undefined,
  key: string | undefined,
  q: URLSearchParams,
  hasCopySource: boolean,
): Route | { unsupported: string } | { notAllowed: ResourceType } {
  const setting = bucket ? settingsRoute(method, key, q) : undefined;
  if (setting) return setting;
  const unsupported = UNSUPPORTED.find((s) => q.has(s));
  if (unsupported) return { unsupported };
  if (!bucket) return method === 'GET' ? r('ListBuckets', true) : { notAllowed: 'SERVICE' };
  if (key === undefined) {
    switch (method) {
      case 'PUT':
        if (q.has('cors')) return r('PutBucketCors', false);
        if (q.has('publicAccessBlock')) return r('PutPublicAccessBlock', false);
        if (q.has('lifecycle')) return r('PutBucketLifecycleConfiguration', false);
        if (q.has('object-lock')) return r('PutObjectLockConfiguration', false);
        if (q.has('encryption')) return r('PutBucketEncryption', false);
        if (q.has('policy')) return r('PutBucketPolicy', false);
        if (q.has('versioning')) return r('PutBucketVersioning', false);
        if (q.has('tagging')) return r('PutBucketTagging', false);
        return r('CreateBucket', false);
      case 'GET':
        if (q.has('cors')) return r('GetBucketCors', true);
        if (q.has('publicAccessBlock')) return r('GetPublicAccessBlock', true);
        if (q.has('lifecycle')) return r('GetBucketLifecycleConfiguration', true);
        if (q.has('object-lock')) return r('GetObjectLockConfiguration', true);
        if (q.has('encryption')) return r('GetBucketEncryption', true);
        if (q.has('policyStatus')) return r('GetBucketPolicyStatus', true);
        if (q.has('policy')) return r('GetBucketPolicy', true);
        if (q.has('versioning')) return r('GetBucketVersioning', true);
        if (q.has('tagging')) return r('GetBucketTagging', true);
        if (q.has('location')) return r('GetBucketLocation', true);
        if (q.has('versions')) return r('ListObjectVersions', true, true);
        if (q.has('uploads')) return r('ListMultipartUploads', true, true);
        if (q.get('list-type') === '2') return r('ListObjectsV2', true, true);
        return r('ListObjects', true, true);
      case 'DELETE':
        if (q.has('cors')) return r('DeleteBucketCors', false);
        if (q.has('publicAccessBlock')) return r('DeletePublicAccessBlock', false);
        if (q.has('lifecycle')) return r('DeleteBucketLifecycle', false);
        if (q.has('encryption')) return r('DeleteBucketEncryption', false);
        if (q.has('policy')) return r('DeleteBucketPolicy', false);
        if (q.has('tagging')) return r('DeleteBucketTagging', false);
        return r('DeleteBucket', false);
      case 'HEAD':
        return r('HeadBucket', true);
      case 'POST':
        if (q.has('delete')) return r('DeleteObjects', false, true);
        // Browser-based uploads: a multipart/form-data body naming the key (post-object/).
        return r('PostObject', false, true);
    }
    return { notAllowed: 'BUCKET' };
  }
  switch (method) {
    case 'PUT':
      if (q.has('uploadId') && q.has('partNumber')) return hasCopySource ? r('UploadPartCopy', false, true) : r('UploadPart', false, true);
      if (q.has('tagging')) return r('PutObjectTagging', false, true);
      if (q.has('retention')) return r('PutObjectRetention', false, true);
      if (q.has('legal-hold')) return r('PutObjectLegalHold', false, true);
      if (q.has('encryption')) return r('UpdateObjectEncryption', false, true);
      return hasCopySource ? r('CopyObject', false, true) : r('PutObject', false, true);
    case 'GET':
      if (q.has('uploadId')) return r('ListParts', true, true);
      if (q.has('tagging')) return r('GetObjectTagging', true, true);
      if (q.has('retention')) return r('GetObjectRetention', true, true);
      if (q.has('legal-hold')) return r('GetObjectLegalHold', true, true);
      return r('GetObject', true, true);
    case 'HEAD':
      return r('HeadObject', true, true);
    case 'DELETE':
      if (q.has('uploadId')) return r('AbortMultipartUpload', false, true);
      if (q.has('tagging')) return r('DeleteObjectTagging', false, true);
      return r('DeleteObject', false, true);
    case 'POST':
      if (q.has('uploads')) return r('CreateMultipartUpload', false, true);
      if (q.has('uploadId')) return r('CompleteMultipartUpload', false, true);
      return { notAllowed: 'OBJECT' };
  }
  return { notAllowed: 'OBJECT' };
}
