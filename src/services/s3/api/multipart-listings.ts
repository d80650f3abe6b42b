// The listings of multipart uploads: ListParts (an upload's parts, paged by part number) and ListMultipartUploads
// (a bucket's unfinished uploads in key order, with prefix, delimiter and markers).
import { authorizeS3 } from '../authorize.js';
import { S3 } from '../errors.js';
import { bucketArn, objectArn } from '../model.js';
import type { S3Handler, S3Request } from '../request.js';
import { xmlDocument } from '../xml.js';
import { compareKeys } from '../key-order.js';
import { requireBucket } from './bucket-common.js';
import { enc, encodingTypeEcho, pageSize } from './list-objects.js';
import { partChecksumElements, uploadChecksum, uploadChecksumElements } from './multipart-checksums.js';
import { requireUpload, uploadVersionHeader } from './multipart.js';

/**
 * Who started an upload, as ListParts and ListMultipartUploads name them. Unlike Owner, Initiator keeps its
 * DisplayName, "the name of the principal" (AWS still returns it: localstack's recordings of February 2026). An
 * IAM user is its ARN and user name; the account root its account id, the ID every Owner element carries.
 */
function initiator(arn: string): { ID: string; DisplayName: string } {
  const root = /^arn:aws:iam::(\d{12}):root$/.exec(arn);
  if (root) return { ID: root[1]!, DisplayName: root[1]! };
  return { ID: arn, DisplayName: arn.slice(arn.lastIndexOf('/') + 1) };
}

/** part-number-marker: a non-negative integer (InvalidArgument otherwise, as S3). */
function partNumberMarker(req: S3Request): number {
  const raw = req.query.get('part-number-marker');
  if (raw === null || raw === '') return 0;
  if (!/^\d{1,10}$/.test(raw) || Number(raw) > 2_147_483_647)
    throw S3.InvalidArgument(`Provided part-number-marker not an integer or within integer range`, { ArgumentName: 'part-number-marker', ArgumentValue: raw });
  return Number(raw);
}

function nextUploadMarkers(last: { key: string; uploadId?: string } | undefined, e: (s: string) => string): Record<string, string> {
  return { NextKeyMarker: last ? e(last.key) : '', NextUploadIdMarker: last?.uploadId ?? '' };
}

export const listParts: S3Handler = async (deps, req) => {
  const b = await requireBucket(deps, req);
  authorizeS3(deps, req, 's3:ListMultipartUploadParts', objectArn(b.name, req.key!), b);
  const { upload } = await requireUpload(deps, req);
  const marker = partNumberMarker(req);
  const max = pageSize(req, 'max-parts');
  const all = (await deps.store.uploadParts(upload))
    .map((p) => p.part)
    .sort((a, b2) => a.partNumber - b2.partNumber)
    .filter((p) => p.partNumber > marker);
  const page = all.slice(0, max);
  // A part's checksum is listed only for an upload with an algorithm (as S3 lists them).
  const withChecksums = uploadChecksum(upload) !== undefined;
  return {
    status: 200,
    headers: { 'content-type': 'application/xml', ...uploadVersionHeader(upload) },
    body: xmlDocument('ListPartsResult', {
      Bucket: b.name,
      Key: upload.key,
      UploadId: upload.uploadId,
      PartNumberMarker: marker,
      // Always given, as S3 gives it: the page's last part number, 0 for an empty page.
      NextPartNumberMarker: page[page.length - 1]?.partNumber ?? 0,
      MaxParts: max,
      IsTruncated: all.length > max,
      Initiator: initiator(upload.initiator),
      Owner: { ID: b.accountId },
      StorageClass: upload.storageClass ?? 'STANDARD',
      ...uploadChecksumElements(upload),
      Part: page.map((p) => ({
        PartNumber: p.partNumber,
        LastModified: new Date(upload.initiated),
        ETag: `"${p.etag}"`,
        Size: p.size,
        ...(withChecksums ? partChecksumElements(p) : {}),
      })),
    }),
  };
};

/**
 * ListMultipartUploads: uploads in key order (UTF-8 bytes) and, for one key, in initiation order; prefix and
 * delimiter (CommonPrefixes); max-uploads (at most 1000) pages resumed with key-marker, or key-marker +
 * upload-id-marker to resume within a key (upload-id-marker alone is ignored, as S3 ignores it).
 */
export const listMultipartUploads: S3Handler = async (deps, req) => {
  const b = await requireBucket(deps, req);
  authorizeS3(deps, req, 's3:ListBucketMultipartUploads', bucketArn(b.name), b);
  const prefix = req.query.get('prefix') ?? '';
  const delimiter = req.query.get('delimiter') ?? '';
  const keyMarker = req.query.get('key-marker') ?? '';
  const uploadIdMarker = keyMarker ? (req.query.get('upload-id-marker') ?? '') : '';
  const max = pageSize(req, 'max-uploads');
  const e = enc(req);
  const sorted = (await deps.store.listUploads(b.name))
    .filter((u) => u.key.startsWith(prefix))
    .sort((x, y) => compareKeys(x.key, y.key) || x.initiated - y.initiated || compareKeys(x.uploadId, y.uploadId));
  // Where the previous page ended: after key-marker, or within it after upload-id-marker.
  let from = 0;
  if (keyMarker) {
    const inKey = uploadIdMarker ? sorted.findIndex((u) => u.key === keyMarker && u.uploadId === uploadIdMarker) : -1;
    // An upload-id-marker must name an upload of key-marker's key (S3 refuses any other).
    if (uploadIdMarker && inKey < 0) throw S3.InvalidArgument('Invalid uploadId marker', { ArgumentName: 'upload-id-marker', ArgumentValue: uploadIdMarker });
    from = inKey >= 0 ? inKey + 1 : sorted.findIndex((u) => compareKeys(u.key, keyMarker) > 0);
    if (from < 0) from = sorted.length;
  }
  const uploads: typeof sorted = [];
  const prefixes: string[] = [];
  let truncated = false;
  let last: { key: string; uploadId?: string } | undefined;
  for (const u of sorted.slice(from)) {
    const cut = delimiter ? u.key.indexOf(delimiter, prefix.length) : -1;
    const common = cut >= 0 ? u.key.slice(0, cut + delimiter.length) : undefined;
    if (common !== undefined && (prefixes[prefixes.length - 1] === common || (keyMarker && compareKeys(common, keyMarker) <= 0))) continue;
    if (uploads.length + prefixes.length >= max) {
      truncated = max > 0; // an empty page asked for (max-uploads=0) is complete, as for max-keys=0
      break;
    }
    if (common !== undefined) {
      prefixes.push(common);
      last = { key: common };
    } else {
      uploads.push(u);
      last = { key: u.key, uploadId: u.uploadId };
    }
  }
  return {
    status: 200,
    headers: { 'content-type': 'application/xml' },
    body: xmlDocument('ListMultipartUploadsResult', {
      Bucket: b.name,
      KeyMarker: e(keyMarker),
      UploadIdMarker: uploadIdMarker,
      // Always given, as S3 gives them: a complete page names its last upload ("" when it lists none); a truncated
      // page names where to resume, a common prefix included.
      ...nextUploadMarkers(truncated ? last : uploads[uploads.length - 1], e),
      ...(delimiter ? { Delimiter: e(delimiter) } : {}),
      // Prefix only when the request gave one (localstack's recordings of AWS, test_list_multiparts_next_marker).
      ...(req.query.has('prefix') ? { Prefix: e(prefix) } : {}),
      MaxUploads: max,
      IsTruncated: truncated,
      ...encodingTypeEcho(req),
      Upload: uploads.map((u) => ({
        Key: e(u.key),
        UploadId: u.uploadId,
        Initiator: initiator(u.initiator),
        Owner: { ID: b.accountId },
        StorageClass: u.storageClass ?? 'STANDARD',
        Initiated: new Date(u.initiated),
        ...uploadChecksumElements(u),
        ...(u.versionId ? { VersionId: u.versionId } : {}),
      })),
      CommonPrefixes: prefixes.map((p) => ({ Prefix: e(p) })),
    }),
  };
};
