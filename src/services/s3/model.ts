// S3 domain records. Object metadata lives in the metadata store, object bytes (always encrypted, see
// docs/formats.md "object stream") in the blob store.
import type { CorsRule } from './cors/rules.js';
import type { LifecycleRule } from './lifecycle/rules.js';
import type { PublicAccessBlock } from './public-access.js';
import type { BucketObjectLock, VersionLock } from './object-lock/rules.js';
export type Versioning = 'Unversioned' | 'Enabled' | 'Suspended';
export type SseMode = 'AES256' | 'aws:kms' | 'SSE-C';

export interface BucketEncryptionRule {
  SSEAlgorithm: 'AES256' | 'aws:kms' | 'aws:kms:dsse';
  KMSMasterKeyID?: string;
  BucketKeyEnabled: boolean;
  /** Encryption types blocked for writes to this bucket ("SSE-C" by default for new buckets since April 2026). */
  BlockedEncryptionTypes: string[];
}

export interface BucketRecord {
  name: string;
  accountId: string;
  region: string;
  creationDate: number;
  versioning: Versioning;
  encryption: BucketEncryptionRule;
  /** True once PutBucketEncryption set it; false while it is the implicit default. */
  encryptionExplicit: boolean;
  policy?: string;
  tags?: Array<{ Key: string; Value: string }>;
  /** Object Lock, once enabled (at creation or by PutObjectLockConfiguration on a versioned bucket); never removed. */
  objectLock?: BucketObjectLock;
  /** Block Public Access: absent = never configured (unsigned requests refused), "none" = deleted by the owner (public-access.ts). */
  publicAccessBlock?: PublicAccessBlock | 'none';
  /**
   * True once DeleteBucketOwnershipControls removed the bucket's Object Ownership setting (GetBucketOwnershipControls
   * then answers OwnershipControlsNotFoundError until it is put again). ACLs stay disabled either way (api/acl.ts).
   */
  ownershipControlsDeleted?: boolean;
  /** Lifecycle rules (PutBucketLifecycleConfiguration), absent when the bucket has none. */
  lifecycle?: LifecycleRule[];
  /** The lifecycle configuration's TransitionDefaultMinimumObjectSize when not S3's default (all_storage_classes_128K). */
  lifecycleMinimumSize?: 'varies_by_storage_class';
  /** CORS rules (PutBucketCors), absent when the bucket has none. */
  cors?: CorsRule[];
  /** "EU", the legacy alias of eu-west-1, when the bucket was created with it: GetBucketLocation returns it as given. */
  locationConstraint?: 'EU';
}

/** How an object's key is protected; never the key itself in clear. */
export type SealedObjectKey =
  | { mode: 'AES256'; masterVersion: number; wrapped: string }
  | {
      mode: 'aws:kms';
      kmsKeyArn: string;
      context: Record<string, string>;
      kmsCiphertext: string;
      bucketKey?: { wrapped: string };
      /** DSSE-KMS: the second layer's key, wrapped under the SSE-S3 master key of that version. */
      dsse?: { masterVersion: number; wrapped: string };
    }
  | { mode: 'SSE-C'; keyHmacSalt: string; keyHmac: string; wrapped: string };

/** A stored checksum: algorithm as in x-amz-checksum-<algorithm>, value base64 (a composite one ends "-<parts>"). */
export interface StoredChecksum {
  algorithm: string;
  value: string;
  /** Absent on records written before multipart checksums: FULL_OBJECT. */
  type?: 'COMPOSITE' | 'FULL_OBJECT';
}

export interface PartInfo {
  partNumber: number;
  size: number;
  etag: string;
  /** The part's own checksum, when its upload or its request had one. */
  checksum?: { algorithm: string; value: string };
}

export interface VersionRecord {
  versionId: string;
  deleteMarker: boolean;
  lastModified: number;
  size: number;
  etag: string;
  contentType?: string;
  contentEncoding?: string;
  contentDisposition?: string;
  contentLanguage?: string;
  cacheControl?: string;
  expires?: string;
  /** x-amz-website-redirect-location as the write gave it (stored and returned; Keyhold serves no website). */
  websiteRedirectLocation?: string;
  /** An archived version's restored copy is readable until then (epoch ms; RestoreObject, api/archive.ts). */
  restoreExpiry?: number;
  userMetadata: Record<string, string>;
  tags: Array<{ Key: string; Value: string }>;
  checksum?: StoredChecksum;
  storageClass: string;
  blobId?: string;
  stream?: { salt: string; segmentBytes: number };
  sse?: SealedObjectKey;
  /** Object Lock retention and legal hold of this version. */
  lock?: VersionLock;
  /** Multipart objects: each part is its own stream, stored back to back in one blob. */
  parts?: Array<PartInfo & { salt: string; blobId: string; bindingId: string; sse: SealedObjectKey }>;
}

/** The headers of a write that an object keeps and returns as they were given. */
export type StandardHeaders = Pick<
  VersionRecord,
  'contentType' | 'contentEncoding' | 'contentDisposition' | 'contentLanguage' | 'cacheControl' | 'expires' | 'websiteRedirectLocation'
>;

export interface ObjectEntry {
  key: string;
  /** Newest first. */
  versions: VersionRecord[];
}

export interface UploadRecord {
  uploadId: string;
  bucket: string;
  key: string;
  initiated: number;
  initiator: string;
  contentType?: string;
  /** The other standard headers CreateMultipartUpload gave (since decision 85), for the completed object. */
  standardHeaders?: StandardHeaders;
  userMetadata: Record<string, string>;
  tags: Array<{ Key: string; Value: string }>;
  /** The encryption chosen at CreateMultipartUpload; SSE-C parts must repeat the same key. */
  sse: {
    mode: SseMode;
    kmsKeyId?: string;
    context?: Record<string, string>;
    bucketKey?: boolean;
    /** DSSE-KMS (aws:kms:dsse): two layers of encryption. */
    dualLayer?: boolean;
    customerKeyHmac?: { salt: string; hmac: string };
  };
  /** Chosen at CreateMultipartUpload (x-amz-checksum-algorithm; stored upper-case), with its checksum type. */
  checksumAlgorithm?: string;
  checksumType?: 'COMPOSITE' | 'FULL_OBJECT';
  /** The Object Lock the completed object gets (from CreateMultipartUpload's headers or the bucket default). */
  lock?: VersionLock;
  /** Parts stored before decision 107 (each part has its own record since: store.ts); {} in newer uploads. */
  parts: Record<string, StoredPart>;
  /** The key's state when the upload began (write-conditions.ts, keyState); absent in uploads from before it was kept. */
  keyStateAtStart?: string;
  /** x-amz-storage-class at CreateMultipartUpload, given to the completed object (STANDARD when absent). */
  storageClass?: string;
  /**
   * The version id the completed object gets, chosen at CreateMultipartUpload when the bucket's versioning is
   * Enabled (S3 returns it from every multipart operation since late 2026); absent otherwise and in uploads
   * from before decision 102.
   */
  versionId?: string;
}

/** One part of an unfinished upload: its data's blob and how it is sealed. */
export type StoredPart = PartInfo & { blobId: string; salt: string; sse: SealedObjectKey; cipherSize: number };

/** The blobs holding a version's data: one, one per part of a multipart object, or none (a delete marker). */
export function blobsOf(v: VersionRecord): string[] {
  return [...(v.blobId ? [v.blobId] : []), ...(v.parts ?? []).map((p) => p.blobId)];
}

export const objectArn = (bucket: string, key: string) => `arn:aws:s3:::${bucket}/${key}`;
export const bucketArn = (bucket: string) => `arn:aws:s3:::${bucket}`;
