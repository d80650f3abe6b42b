// Object Lock operations: the bucket configuration (Put/GetObjectLockConfiguration) and a version's retention
// and legal hold (Put/GetObjectRetention, Put/GetObjectLegalHold). The rules are in object-lock/rules.ts;
// deletion is refused in delete-object.ts. Each change is a compare-and-swap on the object's entry.
import { authorizeS3 } from '../authorize.js';
import { S3, S3Error } from '../errors.js';
import { type BucketRecord, bucketArn, objectArn, type VersionRecord } from '../model.js';
import {
  lockConfigurationBody,
  missingLockConfiguration,
  parseLegalHold,
  parseLockConfiguration,
  parseRetention,
  retained,
  wantsBypass,
} from '../object-lock/rules.js';
import type { S3Deps, S3Handler, S3Request } from '../request.js';
import { parseXmlBody, xmlDocument } from '../xml.js';
import { requireBucket } from './bucket-common.js';
import { changeVersion, subresourceVersion, versionIdParam } from './object-common.js';
import { needFor } from '../object-pages.js';

const noLockOnObject = () => new S3Error('NoSuchObjectLockConfiguration', 404, 'The specified object does not have a ObjectLock configuration');
const xml = (root: string, body: Record<string, unknown>) => ({
  status: 200,
  headers: { 'content-type': 'application/xml' },
  body: xmlDocument(root, body as never),
});

export const putObjectLockConfiguration: S3Handler = async (deps, req) => {
  const b = await requireBucket(deps, req);
  authorizeS3(deps, req, 's3:PutBucketObjectLockConfiguration', bucketArn(b.name), b);
  // S3 enables Object Lock on an existing bucket only while its versioning is Enabled.
  if (!b.objectLock && b.versioning !== 'Enabled') {
    throw new S3Error('InvalidBucketState', 409, "Versioning must be 'Enabled' on the bucket to apply a Object Lock configuration");
  }
  // No document at all is its own error on S3 (moto's AWS-verified test_put_object_lock_misconfiguration).
  const body = await req.readBody(64 * 1024);
  if (body.length === 0) throw S3.MissingRequestBodyError();
  const lock = parseLockConfiguration(parseXmlBody(body));
  await deps.store.updateBucket(b.name, (x) => {
    x.objectLock = lock;
  });
  return { status: 200 };
};

export const getObjectLockConfiguration: S3Handler = async (deps, req) => {
  const b = await requireBucket(deps, req);
  authorizeS3(deps, req, 's3:GetBucketObjectLockConfiguration', bucketArn(b.name), b);
  if (!b.objectLock) throw S3.ObjectLockConfigurationNotFoundError(undefined, { BucketName: b.name });
  return xml('ObjectLockConfiguration', lockConfigurationBody(b.objectLock));
};

/** The version a retention or legal-hold request names, in a bucket with Object Lock. */
async function lockedBucket(
  deps: S3Deps,
  req: S3Request,
  action: string,
  keys: Record<string, string[]> = {},
): Promise<{ b: BucketRecord; versionId: string | undefined }> {
  const b = await requireBucket(deps, req);
  const versionId = versionIdParam(req.query.get('versionId'));
  authorizeS3(deps, req, action, objectArn(b.name, req.key!), b, keys);
  if (!b.objectLock) throw missingLockConfiguration();
  return { b, versionId };
}

async function readVersion(deps: S3Deps, b: BucketRecord, req: S3Request, versionId: string | undefined): Promise<VersionRecord> {
  return subresourceVersion((await deps.store.getObject(b.name, req.key!, needFor(versionId)))?.entry, versionId, req.key!, req.method);
}

export const putObjectRetention: S3Handler = async (deps, req) => {
  const now = deps.clock();
  // The document is read first: a policy can limit what it asks (s3:object-lock-mode, -remaining-retention-days).
  const next = parseRetention(parseXmlBody(await req.readBody(64 * 1024)), now);
  const asked: Record<string, string[]> = next.mode
    ? {
        's3:object-lock-mode': [next.mode],
        's3:object-lock-retain-until-date': [next.retainUntil!],
        's3:object-lock-remaining-retention-days': [String(Math.ceil((Date.parse(next.retainUntil!) - now) / 86_400_000))],
      }
    : {};
  const { b, versionId } = await lockedBucket(deps, req, 's3:PutObjectRetention', asked);
  await changeVersion(deps, b, req, versionId, (v) => {
    const cur = v.lock;
    if (retained(cur, now)) {
      // A running retention can be lengthened in its own mode; anything else (shorter, another mode, none)
      // is never allowed for COMPLIANCE and needs the governance bypass for GOVERNANCE.
      const lengthens = next.mode === cur!.mode && next.retainUntil !== undefined && Date.parse(next.retainUntil) >= Date.parse(cur!.retainUntil!);
      if (!lengthens) {
        if (cur!.mode === 'COMPLIANCE' || !wantsBypass(req)) throw S3.AccessDenied('Access Denied because object protected by object lock.');
        authorizeS3(deps, req, 's3:BypassGovernanceRetention', objectArn(b.name, req.key!), b);
      }
    }
    const { mode: _m, retainUntil: _r, ...rest } = cur ?? {};
    v.lock = { ...rest, ...next };
  });
  return { status: 200 };
};

export const getObjectRetention: S3Handler = async (deps, req) => {
  const { b, versionId } = await lockedBucket(deps, req, 's3:GetObjectRetention');
  const v = await readVersion(deps, b, req, versionId);
  if (!v.lock?.mode) throw noLockOnObject();
  return xml('Retention', { Mode: v.lock.mode, RetainUntilDate: v.lock.retainUntil });
};

export const putObjectLegalHold: S3Handler = async (deps, req) => {
  // The document is judged first: a missing one is MalformedXML even on a bucket without Object Lock (AWS's
  // recorded answer, localstack test_s3.py test_put_object_legal_hold_exc).
  const on = parseLegalHold(parseXmlBody(await req.readBody(64 * 1024)));
  const { b, versionId } = await lockedBucket(deps, req, 's3:PutObjectLegalHold');
  await changeVersion(deps, b, req, versionId, (v) => {
    v.lock = { ...v.lock, legalHold: on };
  });
  return { status: 200 };
};

export const getObjectLegalHold: S3Handler = async (deps, req) => {
  const { b, versionId } = await lockedBucket(deps, req, 's3:GetObjectLegalHold');
  const v = await readVersion(deps, b, req, versionId);
  if (v.lock?.legalHold === undefined) throw noLockOnObject();
  return xml('LegalHold', { Status: v.lock.legalHold ? 'ON' : 'OFF' });
};
