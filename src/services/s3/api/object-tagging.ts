// Put/Get/DeleteObjectTagging (up to 10 tags per object version).
import { KvConflictError } from '../../../storage/kv/interface.js';
import { authorizeS3 } from '../authorize.js';
import { S3, S3Error, withDetails } from '../errors.js';
import { objectArn } from '../model.js';
import type { S3Deps, S3Handler, S3Request, S3Response } from '../request.js';
import { xmlDocument } from '../xml.js';
import { requireBucket } from './bucket-common.js';
import { findVersion, subresourceVersion, versionIdParam } from './object-common.js';
import { parseTagSet } from './buckets.js';
import { byKey, checkTags, existingTagKeys, requestTagKeys } from './tag-rules.js';
import { needFor } from '../object-pages.js';

async function setTags(deps: S3Deps, req: S3Request, tags: Array<{ Key: string; Value: string }>, action: string): Promise<S3Response> {
  const b = await requireBucket(deps, req);
  const versionId = versionIdParam(req.query.get('versionId'));
  // The read that authorization needs (the version's tags) is also the first attempt's read.
  let cur = await deps.store.getObject(b.name, req.key!, needFor(versionId));
  authorizeS3(deps, req, action, objectArn(b.name, req.key!), b, { ...requestTagKeys(tags), ...existingTagKeys(findVersion(cur?.entry, versionId)) });
  for (; ; cur = await deps.store.getObject(b.name, req.key!, needFor(versionId))) {
    const v = subresourceVersion(cur?.entry, versionId, req.key!, req.method);
    if (!cur) throw S3.NoSuchKey(undefined, { Key: req.key! });
    v.tags = tags;
    try {
      await deps.store.putObject(b.name, cur.entry, cur.version);
      const headers: Record<string, string> = b.versioning !== 'Unversioned' ? { 'x-amz-version-id': v.versionId } : {};
      return { status: tags.length ? 200 : 204, headers };
    } catch (err) {
      if (!(err instanceof KvConflictError)) throw err;
    }
  }
}

export const putObjectTagging: S3Handler = async (deps, req) => {
  const tags = parseTagSet(await req.readBody(64 * 1024), 'Tagging');
  checkTags(tags, { max: 10, what: 'Object' });
  const r = await setTags(deps, req, tags, 's3:PutObjectTagging');
  return { ...r, status: 200 };
};

export const deleteObjectTagging: S3Handler = async (deps, req) => {
  const r = await setTags(deps, req, [], 's3:DeleteObjectTagging');
  return { ...r, status: 204 };
};

export const getObjectTagging: S3Handler = async (deps, req) => {
  const b = await requireBucket(deps, req);
  const versionId = versionIdParam(req.query.get('versionId'));
  const entry = (await deps.store.getObject(b.name, req.key!, needFor(versionId)))?.entry;
  authorizeS3(deps, req, 's3:GetObjectTagging', objectArn(b.name, req.key!), b, existingTagKeys(findVersion(entry, versionId)));
  let v: ReturnType<typeof subresourceVersion>;
  try {
    v = subresourceVersion(entry, versionId, req.key!, req.method);
  } catch (err) {
    // GetObjectTagging's NoSuchKey names the key as "<bucket>/<key>" (AWS's recorded answer, localstack's
    // test_object_tagging_exc), unlike PutObjectTagging's and DeleteObjectTagging's.
    if (err instanceof S3Error && err.code === 'NoSuchKey') throw withDetails(err, { Key: `${b.name}/${req.key!}` });
    throw err;
  }
  return {
    status: 200,
    headers: { 'content-type': 'application/xml', ...(b.versioning !== 'Unversioned' ? { 'x-amz-version-id': v.versionId } : {}) },
    body: xmlDocument('Tagging', { TagSet: { Tag: byKey(v.tags) } }),
  };
};
