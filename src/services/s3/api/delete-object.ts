// DeleteObject and DeleteObjects: unversioned buckets remove the object; versioned buckets add a delete
// marker, or remove one version permanently when a versionId is given (as S3).
import { KvConflictError } from '../../../storage/kv/interface.js';
import { authorizeS3 } from '../authorize.js';
import { S3 } from '../errors.js';
import { type BucketRecord, blobsOf, objectArn, type VersionRecord } from '../model.js';
import { etagListMatches, parseEtagList } from '../etag-list.js';
import { header, type S3Deps, type S3Handler, type S3Request } from '../request.js';
import { parseXmlBody, type XmlNode, xmlDocument, xmlText } from '../xml.js';
import { requireBucket } from './bucket-common.js';
import { lockedVersion, protection, wantsBypass } from '../object-lock/rules.js';
import { needFor, needToAdd, type VersionNeed } from '../object-pages.js';
import { couldBeIssued, deleteBlobs, invalidVersionId, newVersionId, versionIdParam } from './object-common.js';

interface Deleted {
  key: string;
  versionId?: string;
  deleteMarker?: boolean;
  deleteMarkerVersionId?: string;
}

/**
 * Object Lock: a version under a legal hold or a running retention is not deleted, except governance-mode
 * retention with x-amz-bypass-governance-retention and s3:BypassGovernanceRetention.
 */
function lockGuard(deps: S3Deps, req: S3Request, b: BucketRecord, key: string): (v: VersionRecord) => void {
  return (v) => {
    const p = protection(v, deps.clock());
    if (p === undefined) return;
    if (p !== 'governance' || !wantsBypass(req)) throw lockedVersion();
    authorizeS3(deps, req, 's3:BypassGovernanceRetention', objectArn(b.name, key), b);
  };
}

async function deleteOne(
  deps: S3Deps,
  b: BucketRecord,
  key: string,
  versionId: string | undefined,
  guard: (v: VersionRecord) => void,
  unissued: (versionId: string) => Error,
  ifMatch?: string[],
): Promise<Deleted> {
  // A suspended bucket's delete replaces the null version, wherever it is; an unversioned one's removes the key.
  const need: VersionNeed =
    versionId !== undefined ? needFor(versionId) : b.versioning === 'Enabled' ? 'recent' : b.versioning === 'Suspended' ? needToAdd('null') : 'all';
  for (;;) {
    const current = await deps.store.getObject(b.name, key, need);
    const entry = current?.entry ?? { key, versions: [] };
    if (ifMatch) {
      // A conditional delete (If-Match) removes only the version it names (or the current object) when its
      // ETag is one of those given, checked against the state this commit replaces.
      const target = versionId !== undefined ? entry.versions.find((v) => v.versionId === versionId) : entry.versions[0];
      if (!target || target.deleteMarker) throw S3.NoSuchKey(undefined, { Key: key });
      if (!etagListMatches(ifMatch, target.etag)) throw S3.PreconditionFailed(undefined, { Condition: 'If-Match' });
    }
    let dropped: VersionRecord[] = [];
    let result: Deleted = { key };
    if (versionId !== undefined) {
      dropped = entry.versions.filter((v) => v.versionId === versionId);
      // Deleting a version that is not there succeeds, unless the id is one S3 could never have issued.
      if (dropped.length === 0 && !couldBeIssued(versionId)) throw unissued(versionId);
      // Checked against the state this commit replaces, so a lock set concurrently is never missed.
      dropped.forEach(guard);
      entry.versions = entry.versions.filter((v) => v.versionId !== versionId);
      // Removing a delete marker names it twice, as S3 answers: VersionId and DeleteMarkerVersionId.
      result = { key, versionId, ...(dropped[0]?.deleteMarker ? { deleteMarker: true, deleteMarkerVersionId: versionId } : {}) };
    } else if (b.versioning === 'Unversioned') {
      dropped = entry.versions;
      entry.versions = [];
    } else {
      const markerId = newVersionId(b, deps.clock());
      if (b.versioning === 'Suspended') dropped = entry.versions.filter((v) => v.versionId === 'null');
      const marker: VersionRecord = {
        versionId: markerId,
        deleteMarker: true,
        lastModified: deps.clock(),
        size: 0,
        etag: '',
        userMetadata: {},
        tags: [],
        storageClass: 'STANDARD',
      };
      entry.versions = [marker, ...entry.versions.filter((v) => !dropped.includes(v))];
      result = { key, deleteMarker: true, deleteMarkerVersionId: markerId };
    }
    if (!current && entry.versions.length === 0) return result;
    try {
      await deps.store.putObject(b.name, entry, current?.version ?? 0);
      await deleteBlobs(deps, dropped.flatMap(blobsOf));
      return result;
    } catch (err) {
      if (!(err instanceof KvConflictError)) throw err;
    }
  }
}

export const deleteObject: S3Handler = async (deps, req) => {
  const b = await requireBucket(deps, req);
  const versionId = versionIdParam(req.query.get('versionId'));
  authorizeS3(deps, req, versionId ? 's3:DeleteObjectVersion' : 's3:DeleteObject', objectArn(b.name, req.key!), b);
  const ifMatchHeader = header(req, 'if-match');
  const ifMatch = ifMatchHeader === undefined ? undefined : parseEtagList(ifMatchHeader);
  const r = await deleteOne(deps, b, req.key!, versionId, lockGuard(deps, req, b, req.key!), invalidVersionId, ifMatch);
  return {
    status: 204,
    headers: {
      ...(r.deleteMarker ? { 'x-amz-delete-marker': 'true' } : {}),
      ...(r.deleteMarkerVersionId ? { 'x-amz-version-id': r.deleteMarkerVersionId } : r.versionId ? { 'x-amz-version-id': r.versionId } : {}),
    },
  };
};

export const deleteObjects: S3Handler = async (deps, req: S3Request) => {
  const b = await requireBucket(deps, req);
  const doc = parseXmlBody(await req.readBody(2 * 1024 * 1024)).Delete as Record<string, unknown> | undefined;
  const objects = (doc?.Object as unknown[] | undefined) ?? [];
  if (objects.length === 0 || objects.length > 1000) throw S3.MalformedXML();
  // Every <Object> needs its <Key> (S3's schema): a body naming an object without one deletes nothing.
  const named = objects.map((o) => {
    const node = (o !== null && typeof o === 'object' ? o : {}) as Record<string, unknown>;
    const key = xmlText(node.Key);
    if (key === undefined) throw S3.MalformedXML();
    return { key, versionId: xmlText(node.VersionId) };
  });
  const quiet = xmlText(doc?.Quiet) === 'true';
  const deleted: Array<Record<string, XmlNode>> = [];
  const errors: Array<Record<string, XmlNode>> = [];
  for (const { key, versionId } of named) {
    try {
      versionIdParam(versionId);
      authorizeS3(deps, req, versionId ? 's3:DeleteObjectVersion' : 's3:DeleteObject', objectArn(b.name, key), b);
      // DeleteObjects reports an id S3 could never have issued as that key's NoSuchVersion (AWS's recorded answer).
      const r = await deleteOne(deps, b, key, versionId, lockGuard(deps, req, b, key), (id) => S3.NoSuchVersion(undefined, { Key: key, VersionId: id }));
      if (!quiet) {
        deleted.push({
          Key: key,
          ...(r.versionId ? { VersionId: r.versionId } : {}),
          ...(r.deleteMarker ? { DeleteMarker: true } : {}),
          ...(r.deleteMarkerVersionId ? { DeleteMarkerVersionId: r.deleteMarkerVersionId } : {}),
        });
      }
    } catch (err) {
      const e = err as { code?: string; message?: string };
      errors.push({ Key: key, ...(versionId ? { VersionId: versionId } : {}), Code: e.code ?? 'InternalError', Message: e.message ?? '' });
    }
  }
  return { status: 200, headers: { 'content-type': 'application/xml' }, body: xmlDocument('DeleteResult', { Deleted: deleted, Error: errors }) };
};
