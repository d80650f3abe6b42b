// Multipart uploads: CreateMultipartUpload, UploadPart, UploadPartCopy, CompleteMultipartUpload (ETag
// "md5-of-md5s-N"), AbortMultipartUpload (ListParts and ListMultipartUploads: multipart-listings.ts). Every part is its own encrypted
// stream with its own object key, bound to the upload and part number; SSE-C parts must repeat the
// upload's key; SSE-KMS parts each get a data key (or share the bucket key).
import { recordSseApplied } from '../audit-details.js';
import { createHash, randomBytes } from 'node:crypto';
import { KvConflictError } from '../../../storage/kv/interface.js';
import { authorizeS3 } from '../authorize.js';
import { checkObjectWriteAcl } from './acl.js';
import { checkDeclaredBodyLength } from './body-length.js';
import { S3, S3Error } from '../errors.js';
import { type BucketRecord, bucketArn, objectArn, type StoredPart, type UploadRecord, type VersionRecord } from '../model.js';
import { header, type S3Deps, type S3Handler, type S3Request, type S3Response } from '../request.js';
import type { PartAt } from '../store.js';
import { binding, customerKeyMatches, customerKeyVerifier, type WriteEncryption } from '../sse/object-keys.js';
import { customerKey, customerKeyMd5, writeEncryption } from '../sse/request-headers.js';
import { parseXmlBody, xmlDocument, xmlText } from '../xml.js';
import { lockOnWrite } from '../object-lock/on-write.js';
import { requireBucket } from './bucket-common.js';
import { copySource } from './copy-source.js';
import {
  checkCompleteChecksumMode,
  checkListedPartChecksums,
  chosenChecksum,
  completedChecksum,
  partChecksumElements,
  partChecksumPlan,
  uploadChecksumHeaders,
} from './multipart-checksums.js';
import {
  deleteBlobs,
  newVersionId,
  partBindingId,
  randomVersionId,
  readPlaintext,
  sseHeaders,
  standardHeaders,
  taggingHeader,
  userMetadata,
  writeEncryptedBlob,
} from './object-common.js';
import { requestTagKeys } from './tag-rules.js';
import { checkUnchangedSince, checkWriteCondition, keyState, preconditions } from './write-conditions.js';
import { expirationHeader } from '../lifecycle/rules.js';
import { requestedStorageClass } from './storage-class.js';
import { objectUrl } from '../object-url.js';
import { needToAdd } from '../object-pages.js';

const MIN_PART_BYTES = 5 * 1024 * 1024;

/** The request's upload (uploadId of this bucket and key), if it exists. */
async function findUpload(deps: S3Deps, req: S3Request): Promise<{ upload: UploadRecord; version: number } | undefined> {
  const u = await deps.store.getUpload(req.bucket!, req.query.get('uploadId') ?? '');
  return u && u.upload.key === req.key ? u : undefined;
}

export async function requireUpload(deps: S3Deps, req: S3Request): Promise<{ upload: UploadRecord; version: number }> {
  const u = await findUpload(deps, req);
  if (!u) throw S3.NoSuchUpload(undefined, { UploadId: req.query.get('uploadId') ?? '' });
  return u;
}

/** The encryption of one part: the upload's choice; SSE-C parts must bring the same key. */
function partEncryption(req: S3Request, u: UploadRecord): WriteEncryption {
  const ck = customerKey(req.headers, req.secure);
  if (u.sse.mode === 'SSE-C') {
    if (!ck)
      throw S3.InvalidRequest(
        'The multipart upload initiate requested encryption. Subsequent part requests must include the appropriate encryption parameters.',
      );
    if (!customerKeyMatches({ keyHmacSalt: u.sse.customerKeyHmac!.salt, keyHmac: u.sse.customerKeyHmac!.hmac }, ck)) {
      throw S3.InvalidRequest('The provided encryption parameters did not match the ones used originally.');
    }
    return { mode: 'SSE-C', customerKey: ck };
  }
  // S3 answers a customer key on a part of an upload begun without one with the same words as the reverse case.
  if (ck)
    throw S3.InvalidRequest('The multipart upload initiate requested encryption. Subsequent part requests must include the appropriate encryption parameters.');
  if (u.sse.mode === 'aws:kms')
    return { mode: 'aws:kms', keyId: u.sse.kmsKeyId!, context: u.sse.context ?? {}, bucketKey: u.sse.bucketKey ?? false, dualLayer: u.sse.dualLayer };
  return { mode: 'AES256' };
}

export const createMultipartUpload: S3Handler = async (deps, req) => {
  const b = await requireBucket(deps, req);
  // Policy before the encryption headers' values, as for PutObject.
  authorizeS3(deps, req, 's3:PutObject', objectArn(b.name, req.key!), b, requestTagKeys(taggingHeader(req)));
  checkObjectWriteAcl(req, b.accountId);
  const enc = writeEncryption(req.headers, req.secure, b);
  recordSseApplied(req, enc);
  const checksum = chosenChecksum(req);
  const storageClass = requestedStorageClass(req);
  // The lock is decided at initiation (headers, or the bucket's default counted from now) and given at completion.
  const lock = lockOnWrite(deps, req, b, { uploadsBody: false });
  const uploadId = randomBytes(32).toString('base64url');
  let sse: UploadRecord['sse'];
  if (enc.mode === 'SSE-C') sse = { mode: 'SSE-C', customerKeyHmac: customerKeyVerifier(enc.customerKey) };
  else if (enc.mode === 'aws:kms') {
    // Resolve the key now (and check the caller may generate data keys with it), as S3 does at initiate.
    const probe = await deps.kms.generateDataKey(req.ctx, enc.keyId, { 'aws:s3:arn': objectArn(b.name, req.key!), ...enc.context });
    probe.plaintext.fill(0);
    sse = { mode: 'aws:kms', kmsKeyId: probe.keyArn, context: enc.context, bucketKey: enc.bucketKey, ...(enc.dualLayer ? { dualLayer: true } : {}) };
  } else sse = { mode: 'AES256' };
  const std = standardHeaders(req);
  // What the key holds now: a conditional completion refuses to land over a write made after this point.
  const keyStateAtStart = keyState((await deps.store.getObject(b.name, req.key!, 'recent'))?.entry);
  const initiated = deps.clock();
  const u: UploadRecord = {
    uploadId,
    bucket: b.name,
    key: req.key!,
    initiated,
    initiator: req.ctx.principal.arn,
    ...(std.contentType ? { contentType: std.contentType } : {}),
    ...(Object.keys(std).length > 1 ? { standardHeaders: std } : {}),
    userMetadata: userMetadata(req),
    tags: taggingHeader(req),
    sse,
    ...checksum,
    ...(lock ? { lock } : {}),
    parts: {},
    keyStateAtStart,
    ...(storageClass ? { storageClass } : {}),
    // The object's version id is known from the start in a versioned bucket (decision 102).
    ...(b.versioning === 'Enabled' ? { versionId: randomVersionId(initiated) } : {}),
  };
  await deps.store.putUpload(u, 0);
  const echo: Record<string, string> =
    sse.mode === 'SSE-C'
      ? {
          'x-amz-server-side-encryption-customer-algorithm': 'AES256',
          'x-amz-server-side-encryption-customer-key-md5': customerKeyMd5((enc as { customerKey: Buffer }).customerKey),
        }
      : sse.mode === 'aws:kms'
        ? {
            'x-amz-server-side-encryption': sse.dualLayer ? 'aws:kms:dsse' : 'aws:kms',
            'x-amz-server-side-encryption-aws-kms-key-id': sse.kmsKeyId!,
            ...(sse.bucketKey ? { 'x-amz-server-side-encryption-bucket-key-enabled': 'true' } : {}),
          }
        : { 'x-amz-server-side-encryption': 'AES256' };
  return {
    status: 200,
    headers: { 'content-type': 'application/xml', ...echo, ...uploadChecksumHeaders(u), ...uploadVersionHeader(u) },
    body: xmlDocument('InitiateMultipartUploadResult', { Bucket: b.name, Key: req.key!, UploadId: uploadId }),
  };
};

function partNumberOf(req: S3Request): number {
  const n = Number(req.query.get('partNumber'));
  if (!Number.isInteger(n) || n < 1 || n > 10000)
    throw S3.InvalidArgument('Part number must be an integer between 1 and 10000, inclusive', {
      ArgumentName: 'partNumber',
      ArgumentValue: req.query.get('partNumber') ?? '',
    });
  return n;
}

async function storePart(deps: S3Deps, req: S3Request, source: AsyncIterable<Buffer>, fromRequest: boolean) {
  const b = await requireBucket(deps, req);
  authorizeS3(deps, req, 's3:PutObject', objectArn(b.name, req.key!), b);
  const { upload } = await requireUpload(deps, req);
  const n = partNumberOf(req);
  const enc = partEncryption(req, upload);
  const checksum = partChecksumPlan(req, upload, fromRequest);
  const place = binding(b.name, req.key!, partBindingId(upload.uploadId), n);
  const { objectKey, sealed } = await deps.keys.seal(req.ctx, enc, bucketArn(b.name), objectArn(b.name, req.key!), place);
  const written = await writeEncryptedBlob(deps, req, objectKey, sealed, place, source, { requestBody: fromRequest, checksum });
  const etag = written.etag;
  objectKey.fill(0);
  const part: StoredPart = {
    partNumber: n,
    size: written.size,
    etag,
    blobId: written.blobId,
    salt: written.salt,
    sse: sealed,
    cipherSize: written.cipherSize,
    ...(written.checksum ? { checksum: written.checksum } : {}),
  };
  for (;;) {
    const cur = await findUpload(deps, req);
    if (!cur) {
      // Aborted or completed while the part was being written: the part's blob is nobody's.
      await deleteBlobs(deps, [written.blobId]);
      throw S3.NoSuchUpload(undefined, { UploadId: req.query.get('uploadId') ?? '' });
    }
    // Only this part's record is read and written (store.ts, decision 107); the upload's is checked.
    const old = await deps.store.getUploadPart(cur.upload, n);
    try {
      await deps.store.putUploadPart(cur.upload, cur.version, part, old?.version ?? 0);
      if (old) await deleteBlobs(deps, [old.part.blobId]);
      break;
    } catch (err) {
      if (!(err instanceof KvConflictError)) {
        // Unless the commit landed before it failed (the flush after it did): then the upload names the part.
        if (!(await partStored(deps, cur.upload, n, written.blobId))) await deleteBlobs(deps, [written.blobId]);
        throw err;
      }
    }
  }
  return { etag, sealed, written, enc, upload };
}

/** Whether the upload names `blobId` as part `n` (after a failed commit: see object-common.ts, versionStored). */
async function partStored(deps: S3Deps, upload: UploadRecord, n: number, blobId: string): Promise<boolean> {
  try {
    return (await deps.store.getUploadPart(upload, n))?.part.blobId === blobId;
  } catch {
    return true;
  }
}

/**
 * x-amz-version-id of the object an upload will make, on every answer about the upload: S3 chooses it at
 * CreateMultipartUpload in a bucket with versioning Enabled (the S3 API model of late 2026: "Returns the Version
 * ID of the object for the initiated multipart upload, if bucket versioning is enabled", and likewise for the
 * uploaded part, the copied part, the listed parts and the aborted upload).
 */
export function uploadVersionHeader(u: UploadRecord): Record<string, string> {
  return u.versionId ? { 'x-amz-version-id': u.versionId } : {};
}

export const uploadPart: S3Handler = async (deps, req) => {
  checkDeclaredBodyLength(req);
  const { etag, sealed, written, enc, upload } = await storePart(deps, req, req.body, true);
  return {
    status: 200,
    headers: {
      etag: `"${etag}"`,
      ...uploadVersionHeader(upload),
      ...sseHeaders(sealed, { customerKeyMd5: enc.mode === 'SSE-C' ? customerKeyMd5(enc.customerKey) : undefined }),
      ...(written.checksum ? { [`x-amz-checksum-${written.checksum.algorithm}`]: written.checksum.value } : {}),
    },
  };
};

export const uploadPartCopy: S3Handler = async (deps, req) => {
  const src = await copySource(deps, req);
  const v = src.version;
  let start = 0;
  let end = v.size - 1;
  const range = header(req, 'x-amz-copy-source-range');
  if (range !== undefined) {
    const m = /^bytes=(\d+)-(\d+)$/.exec(range);
    if (!m || Number(m[1]) > Number(m[2]))
      throw S3.InvalidArgument(
        'The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy',
        { ArgumentName: 'x-amz-copy-source-range', ArgumentValue: range },
      );
    // A range starting past the end and one ending past it are different errors on S3.
    if (Number(m[1]) >= v.size) throw S3.InvalidRequest('The specified copy range is invalid for the source object size');
    if (Number(m[2]) >= v.size)
      throw S3.InvalidArgument(`Range specified is not valid for source object of size: ${v.size}`, {
        ArgumentName: 'x-amz-copy-source-range',
        ArgumentValue: range,
      });
    start = Number(m[1]);
    end = Number(m[2]);
  }
  const source = v.size === 0 ? (async function* () {})() : readPlaintext(deps, req, src.bucket.name, src.key, v, start, end, src.customerKey);
  const { etag, sealed, enc, written, upload } = await storePart(deps, req, source, false);
  return {
    status: 200,
    headers: {
      'content-type': 'application/xml',
      ...uploadVersionHeader(upload),
      ...sseHeaders(sealed, { customerKeyMd5: enc.mode === 'SSE-C' ? customerKeyMd5(enc.customerKey) : undefined }),
    },
    body: xmlDocument('CopyPartResult', { ETag: `"${etag}"`, LastModified: new Date(deps.clock()), ...partChecksumElements(written) }),
  };
};

export const completeMultipartUpload: S3Handler = async (deps, req) => {
  const b = await requireBucket(deps, req);
  authorizeS3(deps, req, 's3:PutObject', objectArn(b.name, req.key!), b);
  // A repeated complete of a completed upload answers as the first one did, before any condition is judged:
  // If-None-Match: * does not fail on the object the upload itself made (moto's AWS-verified
  // test_idempotent_multipart_upload).
  const found = await findUpload(deps, req);
  if (!found) return completedBefore(deps, req, b);
  const condition = await preconditions(deps, req, b);
  const { upload } = found;
  const listed = await listedParts(req);
  checkCompleteChecksumMode(req, upload);
  const { uploadId } = upload;
  for (let i = 1; i < listed.length; i++) if (listed[i]!.n <= listed[i - 1]!.n) throw S3.InvalidPartOrder(undefined, { UploadId: uploadId });
  const stored = await deps.store.uploadParts(upload);
  const byNumber = new Map(stored.map((p) => [p.part.partNumber, p.part]));
  const parts = listed.map((l, i) => {
    const p = byNumber.get(l.n);
    if (!p || p.etag !== l.etag) throw S3.InvalidPart(undefined, { ETag: l.etag, PartNumber: String(l.n), UploadId: uploadId });
    if (i < listed.length - 1 && p.size < MIN_PART_BYTES)
      // With the part's ETag, unquoted (AWS's recording, localstack test_multipart_complete_multipart_too_small).
      throw S3.EntityTooSmall(undefined, { ProposedSize: String(p.size), MinSizeAllowed: String(MIN_PART_BYTES), PartNumber: String(l.n), ETag: p.etag });
    return p;
  });
  checkListedPartChecksums(upload, listed, parts);
  const checksum = completedChecksum(req, upload, parts);
  // x-amz-mp-object-size: the size the client expects the object to have, checked before anything is committed.
  const totalSize = parts.reduce((sum, p) => sum + p.size, 0);
  const expectedSize = header(req, 'x-amz-mp-object-size');
  if (expectedSize !== undefined && Number(expectedSize) !== totalSize)
    throw S3.InvalidRequest(`The provided 'x-amz-mp-object-size' header value ${expectedSize} does not match what was computed: ${totalSize}`);
  const md5s = Buffer.concat(parts.map((p) => Buffer.from(p.etag, 'hex')));
  const etag = `${createHash('md5').update(md5s).digest('hex')}-${parts.length}`;
  // The id announced at CreateMultipartUpload while the bucket is still versioned; the null version if versioning
  // was suspended meanwhile (every write to a suspended bucket makes it); a fresh id if it was enabled meanwhile.
  const versionId = b.versioning === 'Enabled' && upload.versionId ? upload.versionId : newVersionId(b, deps.clock());
  const v: VersionRecord = {
    versionId,
    deleteMarker: false,
    lastModified: deps.clock(),
    size: totalSize,
    etag,
    // Uploads begun before the other standard headers were kept have only the Content-Type.
    ...(upload.contentType ? { contentType: upload.contentType } : {}),
    ...upload.standardHeaders,
    userMetadata: upload.userMetadata,
    tags: upload.tags,
    ...(checksum ? { checksum } : {}),
    storageClass: upload.storageClass ?? 'STANDARD',
    ...(upload.lock ? { lock: upload.lock } : {}),
    parts: parts.map((p) => ({
      partNumber: p.partNumber,
      size: p.size,
      etag: p.etag,
      ...(p.checksum ? { checksum: p.checksum } : {}),
      salt: p.salt,
      blobId: p.blobId,
      bindingId: partBindingId(upload.uploadId),
      sse: p.sse,
    })),
  };
  const used = new Set(parts.map((p) => p.blobId));
  const unused = stored.filter((p) => !used.has(p.part.blobId)).map((p) => p.part.blobId);
  // The version and the upload's removal are one commit: a crash leaves either the upload or the object.
  let orphaned: string[] = [];
  for (;;) {
    const cur = await deps.store.getObject(b.name, req.key!, needToAdd(versionId));
    // A refused condition leaves the upload as it is: its parts can still be completed without it (S3 likewise).
    checkWriteCondition(condition, cur?.entry, req.key!);
    checkUnchangedSince(condition, upload.keyStateAtStart, cur?.entry, req.key!);
    const entry = cur?.entry ?? { key: req.key!, versions: [] };
    const dropped = versionId === 'null' ? entry.versions.filter((x) => x.versionId === 'null') : [];
    entry.versions = [v, ...entry.versions.filter((x) => !dropped.includes(x))];
    try {
      await deps.store.completeUpload(b.name, entry, cur?.version ?? 0, upload, found.version, deps.clock(), stored);
      orphaned = dropped.flatMap((d) => [...(d.blobId ? [d.blobId] : []), ...(d.parts ?? []).map((p) => p.blobId)]);
      break;
    } catch (err) {
      if (!(err instanceof KvConflictError)) throw err;
      // The object's entry moved (retry), or the upload did: aborted or completed meanwhile (its parts are
      // no longer ours to use), or given another part (what was checked above no longer holds).
      const now = await deps.store.getUpload(b.name, upload.uploadId);
      if (!now) throw S3.NoSuchUpload(undefined, { UploadId: upload.uploadId });
      if (now.version !== found.version || !samePartRecords(stored, await deps.store.uploadParts(upload))) throw uploadChanged();
    }
  }
  // A part stored under a new number while this completion ran is in no object and in no upload now.
  const late = await deps.store.dropPartRecords(upload);
  await deleteBlobs(deps, [...unused, ...orphaned, ...late]);
  return completeResult(req, b, v);
};

/** Whether two readings of an upload's parts found the same part records at the same versions. */
function samePartRecords(a: ReadonlyArray<PartAt>, b: ReadonlyArray<PartAt>): boolean {
  return a.length === b.length && a.every((p, i) => p.part.partNumber === b[i]!.part.partNumber && p.version === b[i]!.version);
}

/**
 * The parts a CompleteMultipartUpload body lists. None (no body, or no <Part>) is InvalidRequest "You must specify
 * at least one part", as AWS answers (recorded February 2026; an empty upload still needs one empty part). A part
 * without its PartNumber or ETag does not validate against S3's schema: MalformedXML.
 */
async function listedParts(req: S3Request): Promise<Array<{ n: number; etag: string; node: Record<string, unknown> }>> {
  const doc = parseXmlBody(await req.readBody(4 * 1024 * 1024, { checksums: false })).CompleteMultipartUpload;
  if (doc !== undefined && doc !== '' && (doc === null || typeof doc !== 'object' || Array.isArray(doc))) throw S3.MalformedXML();
  const parts = ((doc || {}) as Record<string, unknown>).Part as unknown[] | undefined;
  if (!parts || parts.length === 0) throw S3.InvalidRequest('You must specify at least one part');
  return parts.map((p) => {
    if (p === null || typeof p !== 'object' || Array.isArray(p)) throw S3.MalformedXML();
    const node = p as Record<string, unknown>;
    const number = xmlText(node.PartNumber);
    const etag = xmlText(node.ETag);
    if (number === undefined || !/^\s*-?\d+\s*$/.test(number) || etag === undefined) throw S3.MalformedXML();
    return { n: Number(number), etag: etag.replace(/"/g, ''), node };
  });
}

function completeResult(req: S3Request, b: BucketRecord, v: VersionRecord): S3Response {
  const key = req.key!;
  const sse = v.parts![0]!.sse;
  return {
    status: 200,
    headers: {
      'content-type': 'application/xml',
      ...(sse.mode !== 'SSE-C' ? sseHeaders(sse) : {}),
      // A write that made the null version (unversioned or suspended bucket) names no version, as S3.
      ...(v.versionId !== 'null' ? { 'x-amz-version-id': v.versionId } : {}),
      ...expirationHeader(b.lifecycle, key, v),
    },
    body: xmlDocument('CompleteMultipartUploadResult', {
      Location: objectUrl({ secure: req.secure, host: req.headers.host, virtualHosted: req.virtualHosted }, b.name, key),
      Bucket: b.name,
      Key: key,
      ETag: `"${v.etag}"`,
      ...(v.checksum ? { ...partChecksumElements({ checksum: v.checksum }), ChecksumType: v.checksum.type } : {}),
    }),
  };
}

/**
 * A CompleteMultipartUpload repeated after it succeeded (a client retrying a response it lost) gets the same
 * answer while the object it made still exists with the same parts, as S3 answers it; otherwise NoSuchUpload.
 * The object's parts remember the upload they came from (their stream binding).
 */
async function completedBefore(deps: S3Deps, req: S3Request, b: BucketRecord): Promise<S3Response> {
  const id = req.query.get('uploadId') ?? '';
  const made = await versionMadeBy(deps, b, req.key!, id);
  if (!made) throw S3.NoSuchUpload(undefined, { UploadId: id });
  const listed = await listedParts(req);
  const same = listed.length === made.parts!.length && listed.every((l, i) => made.parts![i]!.partNumber === l.n && made.parts![i]!.etag === l.etag);
  if (!same) throw S3.NoSuchUpload(undefined, { UploadId: id });
  return completeResult(req, b, made);
}

/** The version of the object that the upload `uploadId` completed into, while it exists (its parts name the upload). */
async function versionMadeBy(deps: S3Deps, b: BucketRecord, key: string, uploadId: string): Promise<VersionRecord | undefined> {
  const entry = (await deps.store.getObject(b.name, key))?.entry;
  return entry?.versions.find((v) => v.parts?.[0]?.bindingId === partBindingId(uploadId));
}

/** How long an upload that ended (completed or aborted) is remembered for AbortMultipartUpload. */
export const ENDED_UPLOAD_MEMORY_MS = 3_600_000;

/**
 * Aborting an upload that already ended succeeds and changes nothing, as S3 answers it for hours after (minio
 * issue 2250; boto3's AWS-run integration test aborts after completing and deleting), so a clean-up abort after
 * a complete, or an abort retried after a lost answer, works. Keyhold remembers an ended upload for at least
 * ENDED_UPLOAD_MEMORY_MS (the lifecycle sweep forgets it after that), and a completed one as long as the object
 * it made exists (docs/decisions.md 91).
 */
async function endedLately(deps: S3Deps, b: BucketRecord, req: S3Request): Promise<boolean> {
  const id = req.query.get('uploadId') ?? '';
  const ended = await deps.store.getEndedUpload(b.name, id);
  if (ended && ended.key === req.key && deps.clock() - ended.endedAt < ENDED_UPLOAD_MEMORY_MS) return true;
  return (await versionMadeBy(deps, b, req.key!, id)) !== undefined;
}

export const abortMultipartUpload: S3Handler = async (deps, req) => {
  const b = await requireBucket(deps, req);
  authorizeS3(deps, req, 's3:AbortMultipartUpload', objectArn(b.name, req.key!), b);
  // x-amz-if-match-initiated-time: abort only the upload begun at that time (an HTTP date, to the second).
  const initiatedTime = Date.parse(header(req, 'x-amz-if-match-initiated-time') ?? '');
  for (;;) {
    const found = await findUpload(deps, req);
    if (!found) {
      if (await endedLately(deps, b, req)) return { status: 204 };
      throw S3.NoSuchUpload(undefined, { UploadId: req.query.get('uploadId') ?? '' });
    }
    const { upload, version } = found;
    if (!Number.isNaN(initiatedTime) && Math.floor(initiatedTime / 1000) !== Math.floor(upload.initiated / 1000)) throw S3.PreconditionFailed();
    if (await removeUpload(deps, upload, version)) return { status: 204, headers: uploadVersionHeader(upload) };
  }
};

const uploadChanged = () =>
  new S3Error(
    'ConditionalRequestConflict',
    409,
    'A conflicting operation occurred: a part of this upload changed while it was being completed. Retry the request.',
  );

/**
 * Removes an upload and its parts' blobs if it is still as read; false if it changed meanwhile (a completion or
 * an abort took it, or a part was added: read it again). Aborts and lifecycle both come through here.
 */
export async function removeUpload(deps: S3Deps, upload: UploadRecord, version: number): Promise<boolean> {
  try {
    await deps.store.deleteUpload(upload, version, deps.clock());
  } catch (err) {
    if (err instanceof KvConflictError) return false;
    throw err;
  }
  // Its parts: those kept in its record (uploads begun before decision 107) and their own records.
  await deleteBlobs(deps, [...Object.values(upload.parts).map((p) => p.blobId), ...(await deps.store.dropPartRecords(upload))]);
  return true;
}
