// S3 Object Lock (https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lock.html): write-once-read-many
// protection of object versions by a retention period (GOVERNANCE: removable by whoever may bypass it;
// COMPLIANCE: by no one until it ends) and a legal hold (until turned off). This module holds the rules:
// the bucket configuration and the per-version lock, how they are read from requests, what they forbid.
import { S3, S3Error } from '../errors.js';
import type { BucketRecord, VersionRecord } from '../model.js';
import { header, type S3Request } from '../request.js';

export type LockMode = 'GOVERNANCE' | 'COMPLIANCE';

/** A bucket's Object Lock configuration; its presence means Object Lock is enabled (it cannot be disabled). */
export interface BucketObjectLock {
  defaultRetention?: { mode: LockMode; days?: number; years?: number };
}

/** A version's lock: a retention period (mode and date, ISO 8601 as given) and/or a legal hold. */
export interface VersionLock {
  mode?: LockMode;
  retainUntil?: string;
  legalHold?: boolean;
}

const MODES = new Set<string>(['GOVERNANCE', 'COMPLIANCE']);

export const missingLockConfiguration = () => S3.InvalidRequest('Bucket is missing Object Lock Configuration');
export const lockedVersion = () => S3.AccessDenied('Access Denied because object protected by object lock.');

/** Parses an ISO 8601 date-time (with zone) as S3 accepts it for RetainUntilDate. */
export function parseRetainUntil(value: string): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/.test(value.trim())) return undefined;
  const t = Date.parse(value.trim());
  return Number.isNaN(t) ? undefined : t;
}

/** The date as S3 returns it: ISO 8601 in UTC with milliseconds. */
export const formatRetainUntil = (ms: number) => new Date(ms).toISOString();

/** The <ObjectLockConfiguration> of PutObjectLockConfiguration (S3's MalformedXML / InvalidRetentionPeriod rules). */
export function parseLockConfiguration(doc: Record<string, unknown>): BucketObjectLock {
  const root = doc.ObjectLockConfiguration as Record<string, unknown> | undefined;
  if (!root || typeof root !== 'object' || root.ObjectLockEnabled !== 'Enabled') throw S3.MalformedXML();
  // The XML reader makes every <Rule> a list (bucket settings have several); Object Lock has at most one.
  const rules = root.Rule === undefined ? [] : Array.isArray(root.Rule) ? root.Rule : [root.Rule];
  if (rules.length > 1) throw S3.MalformedXML();
  const rule = rules[0] as Record<string, unknown> | string | undefined;
  // No <Rule> at all: Object Lock without a default retention. An empty <Rule/> is malformed (AWS's recorded answer).
  if (rule === undefined) return {};
  if (rule === '' || typeof rule !== 'object') throw S3.MalformedXML();
  const d = rule.DefaultRetention as Record<string, unknown> | undefined;
  if (!d || typeof d !== 'object') throw S3.MalformedXML();
  const mode = d.Mode;
  if (typeof mode !== 'string' || !MODES.has(mode)) throw S3.MalformedXML();
  if ((d.Days === undefined) === (d.Years === undefined)) throw S3.MalformedXML();
  const raw = String(d.Days ?? d.Years);
  if (!/^-?\d+$/.test(raw)) throw S3.MalformedXML();
  const n = Number(raw);
  if (n <= 0 || (d.Days !== undefined ? n > 36500 : n > 100)) {
    throw new S3Error('InvalidRetentionPeriod', 400, 'Default retention period must be a positive integer value.');
  }
  return { defaultRetention: { mode: mode as LockMode, ...(d.Days !== undefined ? { days: n } : { years: n }) } };
}

/** The configuration as GetObjectLockConfiguration returns it. */
export function lockConfigurationBody(lock: BucketObjectLock): Record<string, unknown> {
  const d = lock.defaultRetention;
  return {
    ObjectLockEnabled: 'Enabled',
    ...(d ? { Rule: { DefaultRetention: { Mode: d.mode, ...(d.days !== undefined ? { Days: d.days } : { Years: d.years }) } } } : {}),
  };
}

/** The <Retention> document of PutObjectRetention; an empty one removes the retention. */
export function parseRetention(doc: Record<string, unknown>, now: number): { mode?: LockMode; retainUntil?: string } {
  const r = doc.Retention as Record<string, unknown> | string | undefined;
  if (r === undefined) throw S3.MalformedXML();
  if (r === '') return {};
  const { Mode: mode, RetainUntilDate: until } = r as Record<string, unknown>;
  // No mode and no date removes it, also written as empty elements (the Go SDK v1 sends <Mode></Mode> for Mode "").
  if ((mode === undefined || mode === '') && (until === undefined || until === '')) return {};
  if (typeof mode !== 'string' || !MODES.has(mode) || typeof until !== 'string') throw S3.MalformedXML();
  const t = parseRetainUntil(until);
  if (t === undefined) throw S3.MalformedXML();
  if (t <= now) throw S3.InvalidArgument('The retain until date must be in the future!', { ArgumentName: 'RetainUntilDate' });
  return { mode: mode as LockMode, retainUntil: formatRetainUntil(t) };
}

/** The <LegalHold> document of PutObjectLegalHold. */
export function parseLegalHold(doc: Record<string, unknown>): boolean {
  const status = (doc.LegalHold as Record<string, unknown> | undefined)?.Status;
  if (status !== 'ON' && status !== 'OFF') throw S3.MalformedXML();
  return status === 'ON';
}

/**
 * The lock a new version gets (PutObject, CopyObject, CreateMultipartUpload): the x-amz-object-lock-* headers, or
 * else the bucket's default retention counted from `now`. Undefined when the version is not locked.
 */
export function lockForNewVersion(req: S3Request, bucket: BucketRecord, now: number): VersionLock | undefined {
  const mode = header(req, 'x-amz-object-lock-mode');
  const until = header(req, 'x-amz-object-lock-retain-until-date');
  const hold = header(req, 'x-amz-object-lock-legal-hold');
  if (mode === undefined && until === undefined && hold === undefined) return defaultLock(bucket, now);
  // The headers are judged before the bucket's lock configuration (S3's answers, reported in versitygw issues
  // 1733, 1734 and 2028): a malformed value is InvalidArgument even on a bucket without Object Lock.
  if ((mode === undefined) !== (until === undefined)) {
    // ArgumentName: the one missing (AWS's recorded answers).
    throw S3.InvalidArgument('x-amz-object-lock-retain-until-date and x-amz-object-lock-mode must both be supplied', {
      ArgumentName: mode === undefined ? 'x-amz-object-lock-mode' : 'x-amz-object-lock-retain-until-date',
    });
  }
  if (mode !== undefined && !MODES.has(mode))
    throw S3.InvalidArgument('Unknown wormMode directive.', { ArgumentName: 'x-amz-object-lock-mode', ArgumentValue: mode });
  if (hold !== undefined && hold !== 'ON' && hold !== 'OFF') {
    throw S3.InvalidArgument("Legal Hold must be either of 'ON' or 'OFF'", { ArgumentName: 'x-amz-object-lock-legal-hold', ArgumentValue: hold });
  }
  let retainUntil: string | undefined;
  if (until !== undefined) {
    const t = parseRetainUntil(until);
    if (t === undefined)
      throw S3.InvalidArgument('The retain until date must be provided in ISO 8601 format', {
        ArgumentName: 'x-amz-object-lock-retain-until-date',
        ArgumentValue: until,
      });
    if (t <= now)
      throw S3.InvalidArgument('The retain until date must be in the future!', { ArgumentName: 'x-amz-object-lock-retain-until-date', ArgumentValue: until });
    retainUntil = formatRetainUntil(t);
  }
  if (!bucket.objectLock) throw missingLockConfiguration();
  const explicit: VersionLock = {
    ...(mode !== undefined ? { mode: mode as LockMode, retainUntil } : {}),
    ...(hold === 'ON' ? { legalHold: true } : {}),
  };
  // A legal hold alone still gets the bucket's default retention.
  return mode === undefined ? { ...defaultLock(bucket, now), ...explicit } : explicit;
}

function defaultLock(bucket: BucketRecord, now: number): VersionLock | undefined {
  const d = bucket.objectLock?.defaultRetention;
  if (!d) return undefined;
  const until = new Date(now);
  if (d.days !== undefined) until.setTime(now + d.days * 86_400_000);
  else until.setUTCFullYear(until.getUTCFullYear() + (d.years ?? 0));
  return { mode: d.mode, retainUntil: formatRetainUntil(until.getTime()) };
}

/** Whether a version's retention period is still running. */
export function retained(lock: VersionLock | undefined, now: number): boolean {
  return lock?.retainUntil !== undefined && Date.parse(lock.retainUntil) > now;
}

/**
 * What stands in the way of permanently deleting (or overwriting the lock of) a version: "hold" (a legal hold,
 * never bypassed), "compliance" (never bypassed), "governance" (bypassed by x-amz-bypass-governance-retention
 * with s3:BypassGovernanceRetention), or undefined.
 */
export function protection(v: VersionRecord, now: number): 'hold' | 'compliance' | 'governance' | undefined {
  if (v.lock?.legalHold) return 'hold';
  if (!retained(v.lock, now)) return undefined;
  return v.lock?.mode === 'COMPLIANCE' ? 'compliance' : 'governance';
}

/** The x-amz-object-lock-* headers of HeadObject / GetObject. */
export function lockHeaders(lock: VersionLock | undefined): Record<string, string> {
  if (!lock) return {};
  return {
    ...(lock.mode ? { 'x-amz-object-lock-mode': lock.mode } : {}),
    ...(lock.retainUntil ? { 'x-amz-object-lock-retain-until-date': lock.retainUntil } : {}),
    ...(lock.legalHold !== undefined ? { 'x-amz-object-lock-legal-hold': lock.legalHold ? 'ON' : 'OFF' } : {}),
  };
}

/** Whether the request asks to bypass governance-mode retention. */
export const wantsBypass = (req: S3Request) => header(req, 'x-amz-bypass-governance-retention')?.toLowerCase() === 'true';
