// Archived storage classes (S3 user guide, "Working with archived objects"): an object stored as GLACIER
// (Flexible Retrieval) or DEEP_ARCHIVE is listed and its metadata read (HEAD), but its data is read (GET, and as
// a copy source) only while a restored copy exists: RestoreObject makes one for a number of days. Keyhold keeps
// every object on its one disk, so a restore completes at once; what it keeps is S3's contract, so code that
// works here works against S3 (localstack's recordings of AWS, test_put_object_storage_class and
// test_s3_get_deep_archive_object_restore). GLACIER_IR (Instant Retrieval) is read directly, as on S3.
import { S3 } from '../errors.js';
import type { VersionRecord } from '../model.js';

const ARCHIVED = new Set(['GLACIER', 'DEEP_ARCHIVE']);

export const isArchiveClass = (storageClass: string) => ARCHIVED.has(storageClass);

/**
 * Refuses to read the data of an archived version with no restored copy: 403 InvalidObjectState. As a copy's
 * source S3 words it for the source ("Operation is not valid for the source object's storage class", as s3cmd
 * users reported it from S3 for a copy of a GLACIER object).
 */
export function checkReadable(v: VersionRecord, now: number, as: 'object' | 'copy source' = 'object'): void {
  if (!isArchiveClass(v.storageClass) || (v.restoreExpiry !== undefined && now < v.restoreExpiry)) return;
  const message = as === 'copy source' ? "Operation is not valid for the source object's storage class" : undefined;
  throw S3.InvalidObjectState(message, { StorageClass: v.storageClass });
}

/** x-amz-restore of HeadObject / GetObject for a version with a restored copy (S3: ongoing-request and expiry-date). */
export function restoreHeader(v: VersionRecord, now: number): Record<string, string> {
  if (v.restoreExpiry === undefined || now >= v.restoreExpiry) return {};
  return { 'x-amz-restore': `ongoing-request="false", expiry-date="${new Date(v.restoreExpiry).toUTCString()}"` };
}

/**
 * The RestoreStatus a listing gives a version when asked for it (x-amz-optional-object-attributes: RestoreStatus):
 * present while a restored copy exists (never in progress here: restores complete at once), absent otherwise.
 */
export function restoreStatus(v: VersionRecord, now: number): { RestoreStatus?: { IsRestoreInProgress: boolean; RestoreExpiryDate: Date } } {
  if (v.restoreExpiry === undefined || now >= v.restoreExpiry) return {};
  return { RestoreStatus: { IsRestoreInProgress: false, RestoreExpiryDate: new Date(v.restoreExpiry) } };
}
