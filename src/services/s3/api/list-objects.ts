// ListObjects (v1, used by rclone and s3cmd), ListObjectsV2 and ListObjectVersions: keys in UTF-8 byte
// order, prefix and delimiter (CommonPrefixes), markers / continuation tokens / start-after, max-keys
// (default and maximum 1000), encoding-type=url.
import { authorizeS3 } from '../authorize.js';
import { S3 } from '../errors.js';
import { type BucketRecord, bucketArn, type ObjectEntry, type VersionRecord } from '../model.js';
import { header, type S3Deps, type S3Handler, type S3Request } from '../request.js';
import { XmlElements, type XmlNode, xmlDocument } from '../xml.js';
import type { ListedKey } from '../head-newest.js';
import { compareKeys } from '../key-order.js';
import { restoreStatus } from './archive.js';
import { requireBucket } from './bucket-common.js';
import { versionIdTime } from './object-common.js';

const BATCH = 1000;

/** A listing's page size (max-keys, max-uploads): 1000 by default and at most. */
export function pageSize(req: S3Request, param = 'max-keys'): number {
  const raw = req.query.get(param);
  // An empty value is no value: S3 answers max-parts= as the default (localstack's recording of AWS).
  if (raw === null || raw === '') return 1000;
  if (!/^\d+$/.test(raw)) throw S3.InvalidArgument(`Provided ${param} not an integer or within integer range`);
  return Math.min(1000, Number(raw));
}

/** Walks the keys `list` pages out after `after`, grouping by delimiter; stops after `max` results (keys + prefixes). */
async function walk<T extends { key: string }>(
  list: (page: { prefix: string; after: string | undefined; limit: number }) => Promise<T[]>,
  prefix: string,
  delimiter: string,
  after: string | undefined,
  max: number,
  include: (e: T) => boolean,
): Promise<{ entries: T[]; prefixes: string[]; truncated: boolean; last?: string }> {
  const entries: T[] = [];
  const prefixes: string[] = [];
  // max-keys=0 asks for an empty page, which S3 answers as complete (IsTruncated false, no marker or token).
  if (max === 0) return { entries, prefixes, truncated: false };
  let cursor = after;
  let last: string | undefined;
  // The common prefix the walk is in (listed, or before the marker): its other keys add nothing to the page.
  let within: string | undefined;
  // Records read per call: the page asked for and one more (which tells whether it is truncated) at first,
  // doubling while keys the page does not show (delete markers, keys inside a common prefix) use them up, up to
  // BATCH. A small page reads a few records, not a thousand (each a key's head record, up to 39 versions of it:
  // docs/decisions.md 114).
  let batch = Math.min(BATCH, max + 1);
  for (; ; batch = Math.min(BATCH, batch * 2)) {
    const page = await list({ prefix, after: cursor, limit: batch });
    for (const e of page) {
      cursor = e.key;
      if (!include(e)) continue;
      if (delimiter) {
        const i = e.key.indexOf(delimiter, prefix.length);
        if (i >= 0) {
          const p = e.key.slice(0, i + delimiter.length);
          within = p;
          if (prefixes[prefixes.length - 1] === p) continue;
          if (after !== undefined && compareKeys(p, after) <= 0) continue;
          if (entries.length + prefixes.length >= max) return { entries, prefixes, truncated: true, last };
          prefixes.push(p);
          last = p;
          continue;
        }
      }
      if (entries.length + prefixes.length >= max) return { entries, prefixes, truncated: true, last };
      entries.push(e);
      last = e.key;
    }
    if (page.length < batch) return { entries, prefixes, truncated: false, last };
    // A page that ended inside a common prefix resumes after all of it, not key by key through it: a listing of
    // a bucket's top level then reads a page per thousand prefixes, not every key of the bucket (as S3 lists).
    if (within !== undefined && cursor?.startsWith(within)) cursor = afterAllWithPrefix(within);
  }
}

/**
 * A key after every key that starts with `p`, in UTF-8 byte order (key-order.ts): `p` then U+10FFFF, the
 * highest code point. A key starting with `p` + U+10FFFF and more sorts after it and is still met by the walk,
 * which counts it in `p` again; no key outside `p` sorts before it.
 */
function afterAllWithPrefix(p: string): string {
  return `${p}\u{10FFFF}`;
}

/** encoding-type=url: keys and prefixes percent-encoded except '/'. */
export const enc = (req: S3Request) => {
  const type = req.query.get('encoding-type');
  if (type !== null && type !== 'url')
    throw S3.InvalidArgument('Invalid Encoding Method specified in Request', { ArgumentName: 'encoding-type', ArgumentValue: type });
  return type === 'url' ? (s: string) => encodeURIComponent(s).replace(/%2F/g, '/') : (s: string) => s;
};

/** The EncodingType element every listing echoes when the request asked for URL encoding. */
export const encodingTypeEcho = (req: S3Request) => (req.query.get('encoding-type') === 'url' ? { EncodingType: 'url' } : {});

// ListObjectsV2 continuation tokens: opaque to clients, "v1:" + the last key listed, base64url; anything else a
// client sends back is refused as S3 refuses it (InvalidArgument), not read as a key to start after.
const TOKEN_PREFIX = 'v1:';
const continuationToken = (key: string) => Buffer.from(TOKEN_PREFIX + key, 'utf8').toString('base64url');
function tokenKey(token: string): string {
  const text = Buffer.from(token, 'base64url').toString('utf8');
  if (!text.startsWith(TOKEN_PREFIX) || continuationToken(text.slice(TOKEN_PREFIX.length)) !== token)
    throw S3.InvalidArgument('The continuation token provided is incorrect', {
      ArgumentName: 'continuation-token',
      ...(token ? { ArgumentValue: token } : {}),
    });
  return text.slice(TOKEN_PREFIX.length);
}
/**
 * An object's owner: with ACLs disabled (BucketOwnerEnforced, every Keyhold bucket) the bucket owner owns every
 * object, whoever lists it. No DisplayName: S3 stopped returning it on 2025-11-21 (API reference, Owner).
 */
const owner = (b: BucketRecord) => ({ ID: b.accountId });
const live = (e: ListedKey) => e.newest !== undefined && !e.newest.deleteMarker;

/** The part every listing shares: the bucket (authorized), prefix, delimiter, max-keys, key encoder. */
async function listing(deps: S3Deps, req: S3Request, action: string) {
  const b = await requireBucket(deps, req);
  authorizeS3(deps, req, action, bucketArn(b.name), b);
  return { b, prefix: req.query.get('prefix') ?? '', delimiter: req.query.get('delimiter') ?? '', max: pageSize(req), e: enc(req) };
}

/**
 * Whether a listing was asked for each object's RestoreStatus (x-amz-optional-object-attributes, whose one value
 * is RestoreStatus: API reference, ListObjectsV2 OptionalObjectAttributes; rclone's `backend restore-status`).
 */
function wantsRestoreStatus(req: S3Request): boolean {
  const asked = header(req, 'x-amz-optional-object-attributes');
  if (asked === undefined) return false;
  for (const name of asked.split(',')) {
    if (name.trim() !== 'RestoreStatus') {
      throw S3.InvalidArgument('Invalid attribute name specified.', { ArgumentName: 'x-amz-optional-object-attributes', ArgumentValue: asked });
    }
  }
  return true;
}

// Listings name the bucket's Region in x-amz-bucket-region, as S3 does (AWS's recorded answer,
// test_region_header_exists_outside_us_east_1; SDKs read it to find a bucket's Region).
const xmlOk = (b: BucketRecord, root: string, body: Record<string, XmlNode>) => ({
  status: 200,
  headers: { 'content-type': 'application/xml', 'x-amz-bucket-region': b.region },
  body: xmlDocument(root, body),
});

function contents(req: S3Request, b: BucketRecord, e: ListedKey, withOwner: boolean, withRestore: boolean): Record<string, XmlNode> {
  const v = e.newest!;
  return {
    Key: enc(req)(e.key),
    LastModified: new Date(v.lastModified),
    ETag: `"${v.etag}"`,
    ...(v.checksum ? { ChecksumAlgorithm: v.checksum.algorithm.toUpperCase(), ChecksumType: v.checksum.type ?? 'FULL_OBJECT' } : {}),
    Size: v.size,
    ...(withOwner ? { Owner: owner(b) } : {}),
    StorageClass: v.storageClass,
    ...(withRestore ? restoreStatus(v, req.ctx.now) : {}),
  };
}

export const listObjects: S3Handler = async (deps, req) => {
  const { b, prefix, delimiter, max, e } = await listing(deps, req, 's3:ListBucket');
  const withRestore = wantsRestoreStatus(req);
  const marker = req.query.get('marker') ?? '';
  const r = await walk((page) => deps.store.listNewest(b.name, page), prefix, delimiter, marker || undefined, max, live);
  return xmlOk(b, 'ListBucketResult', {
    Name: b.name,
    Prefix: e(prefix),
    Marker: e(marker),
    ...(r.truncated && delimiter && r.last ? { NextMarker: e(r.last) } : {}),
    MaxKeys: max,
    ...(delimiter ? { Delimiter: e(delimiter) } : {}),
    IsTruncated: r.truncated,
    ...encodingTypeEcho(req),
    Contents: r.entries.map((x) => contents(req, b, x, true, withRestore)),
    CommonPrefixes: r.prefixes.map((p) => ({ Prefix: e(p) })),
  });
};

export const listObjectsV2: S3Handler = async (deps, req) => {
  const { b, prefix, delimiter, max, e } = await listing(deps, req, 's3:ListBucket');
  const withRestore = wantsRestoreStatus(req);
  const token = req.query.get('continuation-token');
  const startAfter = req.query.get('start-after') ?? '';
  let after: string | undefined = startAfter || undefined;
  if (token !== null) after = tokenKey(token);
  const r = await walk((page) => deps.store.listNewest(b.name, page), prefix, delimiter, after, max, live);
  return xmlOk(b, 'ListBucketResult', {
    Name: b.name,
    Prefix: e(prefix),
    ...(delimiter ? { Delimiter: e(delimiter) } : {}),
    MaxKeys: max,
    KeyCount: r.entries.length + r.prefixes.length,
    IsTruncated: r.truncated,
    ...(token !== null ? { ContinuationToken: token } : {}),
    ...(r.truncated && r.last ? { NextContinuationToken: continuationToken(r.last) } : {}),
    // With a continuation token S3 ignores start-after and does not echo it (localstack's recording of AWS).
    ...(startAfter && token === null ? { StartAfter: e(startAfter) } : {}),
    ...encodingTypeEcho(req),
    Contents: r.entries.map((x) => contents(req, b, x, req.query.get('fetch-owner') === 'true', withRestore)),
    CommonPrefixes: r.prefixes.map((p) => ({ Prefix: e(p) })),
  });
};

/**
 * Where a version listing resumes in a key's versions (newest first) after the marker version: just after it,
 * or, when it was deleted since the previous page, at the first version older than the time its id carries (as
 * S3 resumes: localstack's recording of AWS, test_list_objects_versions_with_prefix_only_and_pagination).
 * Undefined while neither is among `versions`: a marker that is neither in all of them nor one of Keyhold's ids
 * ends the key.
 */
function resumeAt(versions: ReadonlyArray<VersionRecord>, versionIdMarker: string): number | undefined {
  const at = versions.findIndex((v) => v.versionId === versionIdMarker);
  if (at >= 0) return at + 1;
  const made = versionIdTime(versionIdMarker);
  if (made === undefined) return undefined;
  const older = versions.findIndex((v) => v.lastModified < made);
  return older < 0 ? undefined : older;
}

/**
 * ListObjectVersions counts versions and delete markers (and common prefixes) against max-keys, so one key's
 * versions can span pages: a page ending inside a key says where with NextKeyMarker + NextVersionIdMarker,
 * and a request with both markers resumes after that version of that key (versions newest first, as S3).
 */
export const listObjectVersions: S3Handler = async (deps, req) => {
  const { b, prefix, delimiter, max, e } = await listing(deps, req, 's3:ListBucketVersions');
  const withRestore = wantsRestoreStatus(req);
  const keyMarker = req.query.get('key-marker') ?? '';
  const versionIdMarker = req.query.get('version-id-marker') ?? '';
  if (versionIdMarker && !keyMarker)
    throw S3.InvalidArgument('A version-id marker cannot be specified without a key marker.', {
      ArgumentName: 'version-id-marker',
      ArgumentValue: versionIdMarker,
    });
  type Row = { entry: ObjectEntry; index: number } | { prefix: string };
  const rows: Row[] = [];
  if (versionIdMarker && keyMarker.startsWith(prefix)) {
    // The rest of the key the previous page stopped in.
    // Its versions are read down to the marker and a page beyond (and one more, which tells whether it is truncated).
    const enough = (versions: ReadonlyArray<VersionRecord>) => {
      const at = resumeAt(versions, versionIdMarker);
      return at !== undefined && versions.length - at > max;
    };
    const resumed = (await deps.store.getObject(b.name, keyMarker, { enough }))?.entry;
    if (resumed) {
      for (let i = resumeAt(resumed.versions, versionIdMarker) ?? resumed.versions.length; i < resumed.versions.length; i++)
        rows.push({ entry: resumed, index: i });
    }
  }
  // Each entry has at least one version, so max entries after the marker always fill a page.
  const r = await walk(
    (page) => deps.store.listObjects(b.name, page),
    prefix,
    delimiter,
    keyMarker || undefined,
    max,
    (x) => x.versions.length > 0,
  );
  const ordered: Array<{ key: string; row: ObjectEntry | string }> = [
    ...r.entries.map((x) => ({ key: x.key, row: x })),
    ...r.prefixes.map((p) => ({ key: p, row: p })),
  ].sort((x, y) => compareKeys(x.key, y.key));
  for (const { row } of ordered) {
    if (rows.length > max) break;
    if (typeof row === 'string') {
      rows.push({ prefix: row });
      continue;
    }
    // A listed entry has its key's newest versions; older ones are read as far as the page reaches, and one
    // further, which tells whether the listing is truncated.
    const entry = await deps.store.newestVersions(b.name, row, max + 1 - rows.length);
    for (let index = 0; index < entry.versions.length; index++) rows.push({ entry, index });
  }
  const page = rows.slice(0, max);
  const truncated = max > 0 && (rows.length > max || r.truncated);
  const last = page[page.length - 1];
  const entries: Array<readonly ['Version' | 'DeleteMarker', XmlNode]> = [];
  const prefixes: string[] = [];
  for (const row of page) {
    if ('prefix' in row) {
      prefixes.push(row.prefix);
      continue;
    }
    const v = row.entry.versions[row.index]!;
    const common = { Key: e(row.entry.key), VersionId: v.versionId, IsLatest: row.index === 0, LastModified: new Date(v.lastModified), Owner: owner(b) };
    if (v.deleteMarker) entries.push(['DeleteMarker', common]);
    else
      entries.push([
        'Version',
        {
          ...common,
          ETag: `"${v.etag}"`,
          ...(v.checksum ? { ChecksumAlgorithm: v.checksum.algorithm.toUpperCase(), ChecksumType: v.checksum.type ?? 'FULL_OBJECT' } : {}),
          Size: v.size,
          StorageClass: v.storageClass,
          ...(withRestore ? restoreStatus(v, req.ctx.now) : {}),
        },
      ]);
  }
  const next =
    truncated && last
      ? 'prefix' in last
        ? { NextKeyMarker: e(last.prefix) }
        : { NextKeyMarker: e(last.entry.key), NextVersionIdMarker: last.entry.versions[last.index]!.versionId }
      : {};
  return xmlOk(b, 'ListVersionsResult', {
    Name: b.name,
    Prefix: e(prefix),
    KeyMarker: e(keyMarker),
    VersionIdMarker: versionIdMarker,
    ...next,
    MaxKeys: max,
    ...(delimiter ? { Delimiter: e(delimiter) } : {}),
    IsTruncated: truncated,
    ...encodingTypeEcho(req),
    // Versions and delete markers in one sequence, in the page's order (S3's answer; XmlElements).
    Versions: new XmlElements(entries),
    CommonPrefixes: prefixes.map((p) => ({ Prefix: e(p) })),
  });
};
