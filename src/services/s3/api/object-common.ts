// Pieces shared by the object operations: metadata from headers, version ids, writing a version
// (compare-and-set on the key's entry), encrypting a body into a blob with its digests, the SSE response
// headers, and reading back a (ranged) plaintext stream of a stored version.
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { KvConflictError } from '../../../storage/kv/interface.js';
import { BlobNotFoundError } from '../../../storage/blob/interface.js';
import { type ChecksumAlgorithm, createChecksum } from '../../../protocol/checksums.js';
import { STREAM_SALT_BYTES, StreamAuthError } from '../../../crypto/stream-aead.js';
import { encryptLayers, planLayers } from '../sse/layers.js';
import { S3 } from '../errors.js';
import { type BucketRecord, blobsOf, type ObjectEntry, type SealedObjectKey, type StandardHeaders, type VersionRecord } from '../model.js';
import { header, type S3Deps, type S3Handler, type S3Request } from '../request.js';
import { binding } from '../sse/object-keys.js';
import { type ChecksumPlan, checkClaim } from './checksum-request.js';
import { decodeMetadataValue } from './metadata-encoding.js';
import { parseTaggingHeader, type Tag } from './tag-rules.js';
import { checkWriteCondition, type WriteCondition } from './write-conditions.js';
import { needFor, needToAdd } from '../object-pages.js';

export const SEGMENT_BYTES = 64 * 1024;

export function userMetadata(req: S3Request): Record<string, string> {
  const out: Record<string, string> = {};
  let size = 0;
  // A name sent more than once (in any case) keeps all its values, joined with "," as S3 joins them.
  for (const [k, v] of Object.entries(req.headersDistinct)) {
    if (!k.startsWith('x-amz-meta-') || v === undefined) continue;
    const value = v.join(',');
    out[k.slice('x-amz-meta-'.length)] = req.fromForm ? value : decodeMetadataValue(value);
    size += k.length - 11 + value.length;
  }
  if (size > 2048) throw S3.MetadataTooLarge();
  return out;
}

export function standardHeaders(req: S3Request): StandardHeaders {
  const enc = header(req, 'content-encoding')
    ?.split(',')
    .map((s) => s.trim())
    .filter((s) => s && s !== 'aws-chunked')
    .join(', ');
  return {
    contentType: header(req, 'content-type') ?? 'binary/octet-stream',
    ...(enc ? { contentEncoding: enc } : {}),
    ...(header(req, 'content-disposition') ? { contentDisposition: header(req, 'content-disposition') } : {}),
    ...(header(req, 'content-language') ? { contentLanguage: header(req, 'content-language') } : {}),
    ...(header(req, 'cache-control') ? { cacheControl: header(req, 'cache-control') } : {}),
    ...(header(req, 'expires') ? { expires: header(req, 'expires') } : {}),
    ...websiteRedirect(req),
  };
}

/**
 * x-amz-website-redirect-location: a path in the bucket or an http(s) URL, at most 2 KB (API reference, PutObject
 * WebsiteRedirectLocation); anything else is S3's InvalidRedirectLocation.
 */
export function websiteRedirect(req: S3Request): Pick<VersionRecord, 'websiteRedirectLocation'> {
  const value = header(req, 'x-amz-website-redirect-location');
  if (value === undefined) return {};
  if (!/^(\/|https?:\/\/)/.test(value) || Buffer.byteLength(value) > 2048)
    throw S3.InvalidRedirectLocation("The website redirect location must have a prefix of 'http://' or 'https://' or '/'.");
  return { websiteRedirectLocation: value };
}

export function taggingHeader(req: S3Request): Tag[] {
  return parseTaggingHeader(header(req, 'x-amz-tagging'));
}

/**
 * A versionId the request names: "null", or 32 characters of S3's version-id alphabet (letters, digits, "." and
 * "_"; "-" too, which ids issued before Keyhold used S3's alphabet contain); anything else is S3's InvalidArgument
 * "Invalid version id specified".
 */
export function versionIdParam(value: string | null | undefined): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (value !== 'null' && !/^[A-Za-z0-9._-]{32}$/.test(value)) throw invalidVersionId(value);
  return value;
}

export function invalidVersionId(value: string) {
  return S3.InvalidArgument('Invalid version id specified', { ArgumentName: 'versionId', ArgumentValue: value });
}

// A version id is 24 bytes in 32 characters of base64url with "." for "-" (S3's ids use letters, digits, "." and
// "_": localstack's test_object_version_id_format): the creation time (6 bytes, milliseconds), 12 random bytes,
// and 6 check bytes over both. S3's ids have structure too: it refuses a made-up or altered id as "Invalid
// version id specified" and answers NoSuchVersion only for an id it could have issued, and it resumes a version
// listing after a marker version that was deleted meanwhile (localstack's recordings of AWS, February 2026). The
// check bytes tell an issued id from a made-up one, the time places a vanished marker. Neither is a secret.
const VERSION_TIME_BYTES = 6;
const VERSION_BODY_BYTES = VERSION_TIME_BYTES + 12;
const VERSION_CHECK_BYTES = 6;

function versionCheck(body: Buffer): Buffer {
  return createHash('sha256').update('keyhold s3 version id\0').update(body).digest().subarray(0, VERSION_CHECK_BYTES);
}

/** A fresh version id (for a new version or a delete marker in a versioning-enabled bucket) made at `now`. */
export function randomVersionId(now = Date.now()): string {
  const body = Buffer.alloc(VERSION_BODY_BYTES);
  body.writeUIntBE(now, 0, VERSION_TIME_BYTES);
  randomBytes(VERSION_BODY_BYTES - VERSION_TIME_BYTES).copy(body, VERSION_TIME_BYTES);
  return Buffer.concat([body, versionCheck(body)])
    .toString('base64url')
    .replaceAll('-', '.');
}

export function newVersionId(bucket: BucketRecord, now?: number): string {
  return bucket.versioning === 'Enabled' ? randomVersionId(now) : 'null';
}

/** The 18 bytes of an id Keyhold issued (time and random), or undefined for any other id. */
function issuedBody(versionId: string): Buffer | undefined {
  const raw = Buffer.from(versionId.replaceAll('.', '-'), 'base64url');
  if (raw.length !== VERSION_BODY_BYTES + VERSION_CHECK_BYTES) return undefined;
  const body = raw.subarray(0, VERSION_BODY_BYTES);
  return versionCheck(body).equals(raw.subarray(VERSION_BODY_BYTES)) ? body : undefined;
}

/**
 * Whether Keyhold could have issued `versionId` ("null", or an id whose check bytes match). Asked only of an id
 * that names no stored version, so versions stored before ids carried check bytes stay addressable.
 */
export function couldBeIssued(versionId: string): boolean {
  return versionId === 'null' || issuedBody(versionId) !== undefined;
}

/** When an id Keyhold issued was made (ms since the epoch); undefined for "null" and any other id. */
export function versionIdTime(versionId: string): number | undefined {
  return issuedBody(versionId)?.readUIntBE(0, VERSION_TIME_BYTES);
}

/** The error for a version that is not there: NoSuchKey without a versionId, else NoSuchVersion or, for an id never issued, InvalidArgument. */
export function versionNotFound(versionId: string | undefined, key: string) {
  if (versionId === undefined) return S3.NoSuchKey(undefined, { Key: key });
  if (!couldBeIssued(versionId)) return invalidVersionId(versionId);
  return S3.NoSuchVersion(undefined, { Key: key, VersionId: versionId });
}

/**
 * The version a request on an object's subresource (tagging, ACL, retention, legal hold) names: the one given or
 * the current one. None → versionNotFound; a delete marker, named or current → 405 MethodNotAllowed naming the
 * method and ResourceType DeleteMarker, as S3 answers (localstack's recordings of AWS).
 */
export function subresourceVersion(entry: ObjectEntry | undefined, versionId: string | undefined, key: string, method: string): VersionRecord {
  const v = findVersion(entry, versionId);
  if (!v) throw versionNotFound(versionId, key);
  if (v.deleteMarker) {
    throw S3.MethodNotAllowed(undefined, { 'x-amz-delete-marker': 'true', 'x-amz-version-id': v.versionId, Method: method, ResourceType: 'DeleteMarker' });
  }
  return v;
}

/**
 * Applies `change` to the version a subresource request names (subresourceVersion), retrying on a concurrent
 * commit; the version as changed.
 */
export async function changeVersion(
  deps: S3Deps,
  b: BucketRecord,
  req: S3Request,
  versionId: string | undefined,
  change: (v: VersionRecord) => void,
): Promise<VersionRecord> {
  for (;;) {
    const cur = await deps.store.getObject(b.name, req.key!, needFor(versionId));
    const v = subresourceVersion(cur?.entry, versionId, req.key!, req.method);
    if (!cur) throw S3.NoSuchKey(undefined, { Key: req.key! });
    change(v);
    try {
      await deps.store.putObject(b.name, cur.entry, cur.version);
      return v;
    } catch (err) {
      if (!(err instanceof KvConflictError)) throw err;
    }
  }
}

/**
 * Adds a version to a key's entry; returns blob ids no longer referenced (to delete after the commit). A write
 * condition is checked against the entry the commit replaces; when it fails, the new version's own blobs are
 * deleted and the error thrown.
 */
export async function commitVersion(deps: S3Deps, bucket: BucketRecord, key: string, v: VersionRecord, condition?: WriteCondition): Promise<string[]> {
  for (;;) {
    const current = await deps.store.getObject(bucket.name, key, needToAdd(v.versionId));
    try {
      checkWriteCondition(condition, current?.entry, key);
    } catch (err) {
      await deleteBlobs(deps, blobsOf(v));
      throw err;
    }
    const entry: ObjectEntry = current ? current.entry : { key, versions: [] };
    const dropped = v.versionId === 'null' ? entry.versions.filter((x) => x.versionId === 'null') : [];
    entry.versions = [v, ...entry.versions.filter((x) => !dropped.includes(x))];
    try {
      await deps.store.putObject(bucket.name, entry, current?.version ?? 0);
      return dropped.flatMap(blobsOf);
    } catch (err) {
      if (err instanceof KvConflictError) continue;
      // A failed commit (a full disk, say) must not leave the version's data behind, unless it landed anyway.
      if (!(await versionStored(deps, bucket.name, key, v))) await deleteBlobs(deps, blobsOf(v));
      throw err;
    }
  }
}

/**
 * After a commit that failed with anything but a conflict: whether the version it carried is stored anyway. A
 * commit can fail after it landed (the transaction is in the database and the flush that makes it durable
 * fails), so the version's blobs are deleted only when no stored version uses them: a failed write then leaves
 * no data behind (docs/decisions.md 103) and never takes the data of a version that is there. When even the read
 * fails, the blobs stay (the sweep after an unclean stop, or `keyhold admin check-blobs`, removes them).
 */
async function versionStored(deps: S3Deps, bucket: string, key: string, v: VersionRecord): Promise<boolean> {
  const ours = blobsOf(v)[0];
  if (ours === undefined) return false;
  try {
    const entry = (await deps.store.getObject(bucket, key))?.entry;
    return entry?.versions.some((x) => blobsOf(x).includes(ours)) ?? false;
  } catch {
    return true;
  }
}

export async function deleteBlobs(deps: S3Deps, ids: string[]): Promise<void> {
  for (const id of ids) await deps.blobs.delete(id).catch(() => undefined);
}

// Domain separation for the SSE-KMS / SSE-C ETag MAC (the object key's other use, SP 800-108, starts its
// input with a 32-bit counter, never with this text).
const ETAG_LABEL = 'keyhold-s3-etag-v1';

export interface Digests {
  /** S3's ETag of the stored data, without quotes (see writeEncryptedBlob). */
  etag: string;
  size: number;
  checksum?: { algorithm: ChecksumAlgorithm; value: string };
}

/**
 * Encrypts a plaintext body into a new blob under `objectKey`, checking Content-MD5 and any declared
 * checksum once the whole body is in; on any failure the blob is deleted and nothing becomes visible.
 *
 * The ETag: S3 documents it as the MD5 of the data for SSE-S3 objects, and as not an MD5 digest of the data
 * for SSE-KMS and SSE-C objects (https://docs.aws.amazon.com/AmazonS3/latest/API/API_Object.html). So the
 * MD5 — the costliest pass of an upload (docs/benchmarks.md part 2) — is computed only when the ETag or a
 * Content-MD5 check needs it; an SSE-KMS or SSE-C ETag is an HMAC under the object key of the segments'
 * GCM tags (which depend on every byte), so it reveals nothing about the data and changes with the content.
 */
export async function writeEncryptedBlob(
  deps: S3Deps,
  req: S3Request,
  objectKey: Buffer,
  sealed: SealedObjectKey,
  place: Buffer,
  source: AsyncIterable<Buffer>,
  opts: { requestBody: boolean; checksum?: ChecksumPlan },
): Promise<{ blobId: string; salt: string; cipherSize: number } & Digests> {
  const salt = randomBytes(STREAM_SALT_BYTES);
  const contentMd5 = opts.requestBody ? header(req, 'content-md5') : undefined;
  const md5EtagWanted = sealed.mode === 'AES256';
  const md5 = md5EtagWanted || contentMd5 !== undefined ? createHash('md5') : undefined;
  const tagMac = md5EtagWanted ? undefined : createHmac('sha256', objectKey).update(ETAG_LABEL);
  const plan = opts.checksum;
  const sum = plan ? createChecksum(plan.algorithm) : undefined;
  let size = 0;
  async function* tap(): AsyncGenerator<Buffer> {
    for await (const c of source) {
      md5?.update(c);
      sum?.update(c);
      size += c.length;
      yield c;
    }
  }
  const put = await deps.blobs.put(encryptLayers(objectKey, salt, place, SEGMENT_BYTES, tap(), tagMac ? (tag) => tagMac.update(tag) : undefined));
  try {
    const md5raw = md5?.digest();
    const etag = md5EtagWanted ? md5raw!.toString('hex') : tagMac!.digest('hex').slice(0, 32);
    const checksum = plan && sum ? { algorithm: plan.algorithm, value: sum.digest() } : undefined;
    if (opts.requestBody) {
      await req.bodyVerified();
      const expectedLength =
        header(req, 'x-amz-decoded-content-length') ?? (header(req, 'content-encoding')?.includes('aws-chunked') ? undefined : header(req, 'content-length'));
      if (expectedLength !== undefined && Number(expectedLength) !== size) throw S3.IncompleteBody();
      if (contentMd5 !== undefined) {
        if (Buffer.from(contentMd5, 'base64').length !== 16) throw S3.InvalidDigest(undefined, { 'Content-MD5': contentMd5 });
        const calculated = md5raw!.toString('base64');
        // The digests as AWS recorded them: the one received in base64, the one expected as the request gave it for
        // UploadPart but in hex for PutObject (localstack test_s3.py test_s3_invalid_content_md5).
        if (calculated !== contentMd5)
          throw S3.BadDigest(undefined, {
            CalculatedDigest: calculated,
            ExpectedDigest: req.query.has('uploadId') ? contentMd5 : Buffer.from(contentMd5, 'base64').toString('hex'),
          });
      }
      if (plan && checksum) checkClaim(plan, checksum.value, req);
    }
    return { blobId: put.id, salt: salt.toString('base64'), cipherSize: put.size, etag, size, ...(checksum ? { checksum } : {}) };
  } catch (err) {
    await deps.blobs.delete(put.id).catch(() => undefined);
    throw err;
  }
}

export function sseHeaders(sealed: SealedObjectKey | undefined, opts: { customerKeyMd5?: string; withContext?: boolean } = {}): Record<string, string> {
  if (!sealed) return {};
  switch (sealed.mode) {
    case 'AES256':
      return { 'x-amz-server-side-encryption': 'AES256' };
    case 'aws:kms': {
      const user = Object.fromEntries(Object.entries(sealed.context).filter(([k]) => k !== 'aws:s3:arn'));
      return {
        'x-amz-server-side-encryption': sealed.dsse ? 'aws:kms:dsse' : 'aws:kms',
        'x-amz-server-side-encryption-aws-kms-key-id': sealed.kmsKeyArn,
        ...(sealed.bucketKey ? { 'x-amz-server-side-encryption-bucket-key-enabled': 'true' } : {}),
        ...(opts.withContext
          ? { 'x-amz-server-side-encryption-context': Buffer.from(JSON.stringify({ ...user, 'aws:s3:arn': sealed.context['aws:s3:arn'] })).toString('base64') }
          : {}),
      };
    }
    case 'SSE-C':
      return {
        'x-amz-server-side-encryption-customer-algorithm': 'AES256',
        ...(opts.customerKeyMd5 ? { 'x-amz-server-side-encryption-customer-key-md5': opts.customerKeyMd5 } : {}),
      };
  }
}

/** The place a stream is bound to: the version for single-part objects, the upload for multipart parts. */
export const partBindingId = (uploadId: string) => `upload:${uploadId}`;

export function findVersion(entry: ObjectEntry | undefined, versionId: string | undefined): VersionRecord | undefined {
  if (!entry) return undefined;
  return versionId === undefined ? entry.versions[0] : entry.versions.find((v) => v.versionId === versionId);
}

/**
 * Plaintext bytes [start, end] of a stored version (single or multipart), decrypted segment by segment. The
 * version's blobs are leased from the first read to the end (../blob-leases.ts): an overwrite or delete
 * committed meanwhile unlinks them only after. A blob already gone when it is opened (a delete that came first)
 * throws BlobNotFoundError.
 */
export async function* readPlaintext(
  deps: S3Deps,
  req: S3Request,
  bucket: string,
  key: string,
  v: VersionRecord,
  start: number,
  end: number,
  customerKey?: Buffer,
): AsyncGenerator<Buffer> {
  const release = deps.blobs.lease(blobsOf(v));
  try {
    const bucketArnStr = `arn:aws:s3:::${bucket}`;
    if (v.parts && v.parts.length > 0) {
      let offset = 0;
      for (const part of v.parts) {
        const pStart = offset;
        const pEnd = offset + part.size - 1;
        offset += part.size;
        if (part.size === 0 || pEnd < start || pStart > end) continue;
        const place = binding(bucket, key, part.bindingId, part.partNumber);
        const objectKey = await deps.keys.open(req.ctx, part.sse, bucketArnStr, place, customerKey);
        yield* readStream(deps, part.blobId, objectKey, part.salt, place, part.size, Math.max(start, pStart) - pStart, Math.min(end, pEnd) - pStart);
      }
      return;
    }
    if (!v.blobId || !v.stream || !v.sse) throw S3.InternalError('The object has no stored data.');
    const place = binding(bucket, key, v.versionId);
    const objectKey = await deps.keys.open(req.ctx, v.sse, bucketArnStr, place, customerKey);
    yield* readStream(deps, v.blobId, objectKey, v.stream.salt, place, v.size, start, end);
  } finally {
    release();
  }
}

/** A read that finds a blob gone three times running has lost a file, not a race: that one stays a 500. */
const MAX_LOOKUPS = 3;

/**
 * Runs a read again when a blob of the version it looked up was unlinked before the read opened it: an
 * overwrite or delete that came just before the read's lease (../blob-leases.ts), or one in another cluster
 * worker. The read then finds the object as it now is, or finds it gone (NoSuchKey), as S3 answers a read that
 * comes after the change. For GetObject, whose handler reads the first bytes before the answer starts, and for
 * CopyObject and UploadPartCopy, which have no request body and commit nothing before their read ends.
 */
export function againIfBlobVanished(handler: S3Handler): S3Handler {
  return async (deps, req) => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await handler(deps, req);
      } catch (err) {
        if (!(err instanceof BlobNotFoundError) || attempt === MAX_LOOKUPS) throw err;
      }
    }
  };
}

async function* readStream(
  deps: S3Deps,
  blobId: string,
  objectKey: Buffer,
  salt: string,
  place: Buffer,
  size: number,
  start: number,
  end: number,
): AsyncGenerator<Buffer> {
  const blobSize = await deps.blobs.size(blobId);
  if (blobSize === undefined) throw new BlobNotFoundError(blobId);
  const plan = planLayers(objectKey, place, size, start, end, SEGMENT_BYTES);
  // A blob whose size is not the one its metadata implies was truncated or extended: refuse it before reading.
  if (blobSize !== plan.storedLength) throw new StreamAuthError('object ciphertext length does not match its metadata');
  const cipher = await deps.blobs.get(blobId, { start: plan.cipherStart, end: plan.cipherEnd });
  yield* plan.open(Buffer.from(salt, 'base64'), cipher);
}
