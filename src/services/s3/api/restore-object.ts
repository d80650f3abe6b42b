// RestoreObject (POST /bucket/key?restore, https://docs.aws.amazon.com/AmazonS3/latest/API/API_RestoreObject.html):
// a restored copy of an archived version (./archive.ts) for `Days` days, until the midnight UTC after them.
// 202 Accepted when the copy is made, 200 OK when one already exists (its expiry is moved). Keyhold's restore
// completes at once (all tiers). SELECT-type restores are not supported.
import { authorizeS3 } from '../authorize.js';
import { S3 } from '../errors.js';
import { dueAfter } from '../lifecycle/rules.js';
import { objectArn } from '../model.js';
import type { S3Handler } from '../request.js';
import { parseXmlBody, xmlText } from '../xml.js';
import { isArchiveClass } from './archive.js';
import { requireBucket } from './bucket-common.js';
import { changeVersion, versionIdParam } from './object-common.js';

const TIERS = new Set(['Standard', 'Bulk', 'Expedited']);

function restoreDays(body: Buffer): number {
  const doc = parseXmlBody(body).RestoreRequest as Record<string, unknown> | undefined;
  if (!doc || typeof doc !== 'object') throw S3.MalformedXML();
  if (doc.Type !== undefined || doc.OutputLocation !== undefined || doc.SelectParameters !== undefined)
    throw S3.NotImplemented('SELECT-type restores are not supported by this Keyhold version.');
  const tier = xmlText((doc.GlacierJobParameters as Record<string, unknown> | undefined)?.Tier);
  if (tier !== undefined && !TIERS.has(tier)) throw S3.MalformedXML();
  const days = xmlText(doc.Days);
  if (days === undefined || !/^\d{1,5}$/.test(days) || Number(days) < 1) throw S3.MalformedXML();
  return Number(days);
}

export const restoreObject: S3Handler = async (deps, req) => {
  const b = await requireBucket(deps, req);
  const versionId = versionIdParam(req.query.get('versionId'));
  authorizeS3(deps, req, 's3:RestoreObject', objectArn(b.name, req.key!), b);
  const days = restoreDays(await req.readBody(64 * 1024));
  const now = req.ctx.now;
  let restored = false;
  const v = await changeVersion(deps, b, req, versionId, (x) => {
    if (!isArchiveClass(x.storageClass)) throw S3.InvalidObjectState("Restore is not allowed for the object's current storage class");
    restored = x.restoreExpiry !== undefined && now < x.restoreExpiry;
    x.restoreExpiry = dueAfter(now, days);
  });
  const headers: Record<string, string> = b.versioning !== 'Unversioned' ? { 'x-amz-version-id': v.versionId } : {};
  return { status: restored ? 200 : 202, headers };
};
