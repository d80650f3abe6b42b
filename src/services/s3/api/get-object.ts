// GetObject and HeadObject: version selection, conditional requests (RFC 9110 §13 as S3 applies them),
// Range and partNumber, response-* overrides, SSE-C keys, checksums on request (the object's, or a part's for a part read; never for a Range).
// Plaintext leaves only after its segment authenticated; the first segment is checked before the status
// line, so a damaged object answers with an error, never with wrong bytes.
import { allowedS3, authorizeS3 } from '../authorize.js';
import { S3, S3Error } from '../errors.js';
import { type BucketRecord, bucketArn, objectArn, type VersionRecord } from '../model.js';
import { header, type S3Handler, type S3Request } from '../request.js';
import { customerKeyMatches } from '../sse/object-keys.js';
import { customerKey, customerKeyMd5, refuseSseOnRead } from '../sse/request-headers.js';
import { etagListMatches, parseEtagList } from '../etag-list.js';
import { requireBucket } from './bucket-common.js';
import { servedChecksum } from './checksum-request.js';
import { existingTagKeys } from './tag-rules.js';
import { mailSafe } from './metadata-encoding.js';
import { checkReadable, restoreHeader } from './archive.js';
import { againIfBlobVanished, couldBeIssued, findVersion, readPlaintext, sseHeaders, versionIdParam, versionNotFound } from './object-common.js';
import { lockHeaders, type VersionLock } from '../object-lock/rules.js';
import { expirationHeader } from '../lifecycle/rules.js';
import { needFor } from '../object-pages.js';

const httpDate = (ms: number) => new Date(ms).toUTCString();

/** 304 carries the validators a 200 would have (RFC 9110 §15.4.5); clients keep the ETag from it. */
const notModified = (etag: string, lastModified: number) => new S3Error('NotModified', 304, 'Not Modified', { etag, 'last-modified': httpDate(lastModified) });

function checkConditions(req: S3Request, v: VersionRecord): void {
  const etag = `"${v.etag}"`;
  const lastModified = Math.floor(v.lastModified / 1000) * 1000;
  const ifMatch = header(req, 'if-match');
  const ifNoneMatch = header(req, 'if-none-match');
  const ifModifiedSince = header(req, 'if-modified-since');
  const ifUnmodifiedSince = header(req, 'if-unmodified-since');
  const matches = (list: string) => etagListMatches(parseEtagList(list), v.etag);
  if (ifMatch !== undefined) {
    if (!matches(ifMatch)) throw S3.PreconditionFailed(undefined, { Condition: 'If-Match' });
  } else if (ifUnmodifiedSince !== undefined && Date.parse(ifUnmodifiedSince) < lastModified) {
    throw S3.PreconditionFailed(undefined, { Condition: 'If-Unmodified-Since' });
  }
  if (ifNoneMatch !== undefined) {
    if (matches(ifNoneMatch)) throw notModified(etag, lastModified);
  } else if (ifModifiedSince !== undefined) {
    // A date in the future is not a valid validator: S3 ignores it (RFC 9110 §13.1.3; localstack's recording of
    // AWS, test_s3_get_object_preconditions), as it ignores one that does not parse.
    const since = Date.parse(ifModifiedSince);
    if (since <= req.ctx.now && since >= lastModified) throw notModified(etag, lastModified);
  }
}

/** bytes=a-b | a- | -n; undefined for no (or an ignorable) Range header; InvalidRange when unsatisfiable. */
function parseRange(value: string | undefined, size: number): { start: number; end: number } | undefined {
  if (!value) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(value.trim());
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  // S3 names the range it was asked for and the object's size (localstack's recordings of AWS).
  const unsatisfiable = () => S3.InvalidRange(undefined, { RangeRequested: value, ActualObjectSize: String(size) });
  let start: number;
  let end: number;
  if (m[1] === '') {
    const n = Number(m[2]);
    if (n === 0) throw unsatisfiable();
    start = Math.max(0, size - n);
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
    if (m[2] !== '' && Number(m[2]) < start) return undefined;
  }
  if (start >= size) throw unsatisfiable();
  return { start, end };
}

/**
 * A response-* override as a header value: HTTP carries ISO-8859-1 text without control characters (RFC 9110
 * §5.5), so anything else is refused as S3 refuses it instead of failing while the response is written.
 */
function overrideValue(param: string, value: string): string {
  if (/[^\t\x20-\x7e\x80-\xff]/.test(value)) {
    const beyondLatin1 = [...value].some((ch) => ch.codePointAt(0)! > 0xff);
    const message = beyondLatin1 ? 'Header value cannot be represented using ISO-8859-1.' : 'Header value cannot contain control characters.';
    throw S3.InvalidArgument(message, { ArgumentName: param, ArgumentValue: value });
  }
  return value;
}

const OVERRIDES: Record<string, string> = {
  'response-content-type': 'content-type',
  'response-content-language': 'content-language',
  'response-expires': 'expires',
  'response-cache-control': 'cache-control',
  'response-content-disposition': 'content-disposition',
  'response-content-encoding': 'content-encoding',
};

/** The lock headers of a read, each only to a caller allowed to read it (s3:GetObjectRetention / LegalHold, as S3). */
function visibleLockHeaders(deps: Parameters<S3Handler>[0], req: S3Request, b: BucketRecord, key: string, lock: VersionLock): Record<string, string> {
  const retention = lock.mode !== undefined && allowedS3(deps, req, 's3:GetObjectRetention', objectArn(b.name, key), b);
  const hold = lock.legalHold !== undefined && allowedS3(deps, req, 's3:GetObjectLegalHold', objectArn(b.name, key), b);
  return lockHeaders({ ...(retention ? { mode: lock.mode, retainUntil: lock.retainUntil } : {}), ...(hold ? { legalHold: lock.legalHold } : {}) });
}

/**
 * S3 answers a read of a missing object with 404 only to a caller who may list the bucket (s3:ListBucket, with
 * the key as s3:prefix); anyone else gets 403, so reads cannot probe which keys exist
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html, "Permissions").
 */
function hideAbsenceFromNonListers(deps: Parameters<S3Handler>[0], req: S3Request, b: BucketRecord, key: string): void {
  // A plain "Access Denied": a message naming s3:ListBucket would itself say that the key does not exist.
  if (!allowedS3(deps, { ...req, query: new URLSearchParams({ prefix: key }) }, 's3:ListBucket', bucketArn(b.name), b)) throw S3.AccessDenied();
}

/**
 * The object version a read names (versionId or the current one), after the read permission, the version's
 * existence (NoSuchKey, NoSuchVersion, a delete marker's 405) and its SSE-C key: missing or unneeded
 * (InvalidRequest), or wrong (403) — refused before anything else about the object is answered (conditions,
 * ranges, attributes), since those would tell a caller without the key the object's ETag and size.
 */
export async function readableVersion(deps: Parameters<S3Handler>[0], req: S3Request, actions: ReadonlyArray<string>) {
  const b = await requireBucket(deps, req);
  const key = req.key!;
  const versionId = versionIdParam(req.query.get('versionId'));
  // The version is looked up first so a policy can read its tags (s3:ExistingObjectTag); whether it exists is
  // still answered only after authorization.
  const entry = (await deps.store.getObject(b.name, key, needFor(versionId)))?.entry;
  const v = findVersion(entry, versionId);
  for (const action of actions) authorizeS3(deps, req, action, objectArn(b.name, key), b, existingTagKeys(v));
  refuseSseOnRead(req.headers);
  if (!v || (v.deleteMarker && !versionId)) hideAbsenceFromNonListers(deps, req, b, key);
  // An unknown key with a versionId S3 could have issued is NoSuchKey; one it could not have is InvalidArgument.
  if (!v) throw versionId && (entry || !couldBeIssued(versionId)) ? versionNotFound(versionId, key) : S3.NoSuchKey(undefined, { Key: key });
  if (v.deleteMarker) {
    if (versionId)
      // Allow: what can be done to a delete marker (RFC 9110 §15.5.6 asks a 405 for it; S3 sends "DELETE").
      throw S3.MethodNotAllowed(undefined, {
        'x-amz-delete-marker': 'true',
        'x-amz-version-id': v.versionId,
        allow: 'DELETE',
        Method: req.method,
        ResourceType: 'DeleteMarker',
      });
    throw S3.NoSuchKey(undefined, { Key: key, 'x-amz-delete-marker': 'true', ...(b.versioning !== 'Unversioned' ? { 'x-amz-version-id': v.versionId } : {}) });
  }
  const sse = v.sse ?? v.parts?.[0]?.sse;
  const ck = customerKey(req.headers, req.secure);
  if (ck && sse?.mode !== 'SSE-C') throw S3.InvalidRequest('The encryption parameters are not applicable to this object.');
  if (sse?.mode === 'SSE-C' && !ck)
    throw S3.InvalidRequest('The object was stored using a form of Server Side Encryption. The correct parameters must be provided to retrieve the object.');
  if (sse?.mode === 'SSE-C' && ck && !customerKeyMatches(sse, ck))
    throw S3.AccessDenied('Requests specifying Server Side Encryption with Customer provided keys must provide the correct secret key.');
  return { b, key, v, sse, ck };
}

async function serve(deps: Parameters<S3Handler>[0], req: S3Request, head: boolean) {
  const versionId = versionIdParam(req.query.get('versionId'));
  const { b, key, v, sse, ck } = await readableVersion(deps, req, [versionId ? 's3:GetObjectVersion' : 's3:GetObject']);
  checkConditions(req, v);
  // An archived object's data is read only from a restored copy; its metadata (HEAD) always (./archive.ts).
  if (!head) checkReadable(v, req.ctx.now);

  let range = parseRange(header(req, 'range'), v.size);
  const partNumber = req.query.get('partNumber');
  const headers: Record<string, string> = {};
  // The checksum a part read returns: the part's own (multipart) or the object's (a single part).
  let partChecksum: Record<string, string> | undefined;
  if (partNumber !== null) {
    if (header(req, 'range') !== undefined) throw S3.InvalidRequest('Cannot specify both Range header and partNumber query parameter');
    const n = Number(partNumber);
    if (!Number.isInteger(n) || n < 1 || n > 10000) throw S3.InvalidArgument('Part number must be an integer between 1 and 10000, inclusive');
    const count = v.parts?.length || 1;
    const unsatisfiable = () => S3.InvalidPartNumber(undefined, { ActualPartCount: String(count), PartNumberRequested: String(n) });
    if (v.parts?.length) {
      const idx = v.parts.findIndex((p) => p.partNumber === n);
      if (idx < 0) throw unsatisfiable();
      const part = v.parts[idx]!;
      const start = v.parts.slice(0, idx).reduce((s, p) => s + p.size, 0);
      range = { start, end: start + part.size - 1 };
      headers['x-amz-mp-parts-count'] = String(v.parts.length);
      // As AWS recorded it (localstack test_s3.py test_get_object_part_checksum, *_checksum_composite/full_object):
      // a COMPOSITE object serves the part's own checksum; a FULL_OBJECT one serves its checksum only when the part
      // is the whole object, and nothing for a part of several.
      if (v.checksum?.type === 'COMPOSITE')
        partChecksum =
          part.checksum && header(req, 'x-amz-checksum-mode')?.toUpperCase() === 'ENABLED'
            ? { [`x-amz-checksum-${part.checksum.algorithm}`]: part.checksum.value, 'x-amz-checksum-type': 'COMPOSITE' }
            : {};
      else partChecksum = servedChecksum(req, v, v.parts.length > 1);
    } else {
      if (n !== 1) throw unsatisfiable();
      // Part 1 of a single-part object is all of it: a 206 with its Content-Range (none for an empty object).
      if (v.size > 0) range = { start: 0, end: v.size - 1 };
      partChecksum = servedChecksum(req, v, false);
    }
  }
  Object.assign(headers, {
    'last-modified': httpDate(v.lastModified),
    etag: `"${v.etag}"`,
    'accept-ranges': 'bytes',
    'content-type': v.contentType ?? 'binary/octet-stream',
    ...(v.contentEncoding ? { 'content-encoding': v.contentEncoding } : {}),
    ...(v.contentDisposition ? { 'content-disposition': v.contentDisposition } : {}),
    ...(v.contentLanguage ? { 'content-language': v.contentLanguage } : {}),
    ...(v.cacheControl ? { 'cache-control': v.cacheControl } : {}),
    ...(v.expires ? { expires: v.expires } : {}),
    ...(v.websiteRedirectLocation ? { 'x-amz-website-redirect-location': v.websiteRedirectLocation } : {}),
    ...Object.fromEntries(Object.entries(v.userMetadata).map(([k, val]) => [`x-amz-meta-${k}`, mailSafe(val)])),
    ...(v.tags.length ? { 'x-amz-tagging-count': String(v.tags.length) } : {}),
    ...(b.versioning !== 'Unversioned' ? { 'x-amz-version-id': v.versionId } : {}),
    ...(v.storageClass !== 'STANDARD' ? { 'x-amz-storage-class': v.storageClass } : {}),
    ...restoreHeader(v, req.ctx.now),
    ...(v.lock ? visibleLockHeaders(deps, req, b, key, v.lock) : {}),
    ...(versionId === undefined ? expirationHeader(b.lifecycle, key, v) : {}),
    ...sseHeaders(sse, { customerKeyMd5: ck ? customerKeyMd5(ck) : undefined }),
  });
  // A range that covers the whole object is the whole object: its checksum is served (as S3 serves it).
  const partial = range !== undefined && !(range.start === 0 && range.end === v.size - 1);
  Object.assign(headers, partChecksum ?? servedChecksum(req, v, partial));
  for (const [param, name] of Object.entries(OVERRIDES)) {
    const value = req.query.get(param);
    if (value !== null) headers[name] = overrideValue(param, value);
  }
  const start = range?.start ?? 0;
  const end = range?.end ?? v.size - 1;
  headers['content-length'] = String(v.size === 0 ? 0 : end - start + 1);
  if (range) headers['content-range'] = `bytes ${start}-${end}/${v.size}`;
  const status = range ? 206 : 200;
  if (head) return { status, headers };
  return { status, headers, body: readPlaintext(deps, req, b.name, key, v, start, end, ck) };
}

/**
 * The version looked up can be replaced or deleted, and its blobs unlinked, before the first of them is opened
 * (a delete decided before the read's lease, ../blob-leases.ts; or one in another cluster worker). So the first
 * bytes are read here, before the answer has started, where a blob found gone can still mean "look again"
 * (againIfBlobVanished): never a 500.
 */
export const getObject: S3Handler = againIfBlobVanished(async (deps, req) => {
  const r = await serve(deps, req, false);
  if (!r.body) return r;
  const body = r.body[Symbol.asyncIterator]();
  return { ...r, body: resumed(await body.next(), body) };
});

/** The rest of a stream whose first result was read already; return() ends the stream (its file, its lease). */
function resumed(first: IteratorResult<Buffer>, rest: AsyncIterator<Buffer>): AsyncIterableIterator<Buffer> {
  let pending: IteratorResult<Buffer> | undefined = first;
  const it: AsyncIterableIterator<Buffer> = {
    [Symbol.asyncIterator]: () => it,
    next: async () => {
      const p = pending;
      pending = undefined;
      return p ?? rest.next();
    },
    return: async () => {
      pending = undefined;
      await rest.return?.(undefined);
      return { done: true, value: undefined };
    },
  };
  return it;
}
export const headObject: S3Handler = (deps, req) => serve(deps, req, true);
