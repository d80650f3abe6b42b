// x-amz-storage-class on a write: one of the classes a general-purpose bucket takes (API reference, PutObject
// StorageClass; OUTPOSTS, EXPRESS_ONEZONE, SNOW and FSX_OPENZFS belong to other kinds of storage). Anything else is
// InvalidStorageClass naming the class asked for, as AWS answers it (localstack's recordings, February 2026).
// Keyhold keeps every object on its one disk: the class is recorded and returned, not acted on.
import { S3 } from '../errors.js';
import { header, type S3Request } from '../request.js';

const STORAGE_CLASSES = new Set([
  'STANDARD',
  'REDUCED_REDUNDANCY',
  'STANDARD_IA',
  'ONEZONE_IA',
  'INTELLIGENT_TIERING',
  'GLACIER',
  'DEEP_ARCHIVE',
  'GLACIER_IR',
]);

/** The storage class a write asks for, or undefined when it names none. */
export function requestedStorageClass(req: S3Request): string | undefined {
  const value = header(req, 'x-amz-storage-class');
  if (value !== undefined && !STORAGE_CLASSES.has(value)) throw S3.InvalidStorageClass(undefined, { StorageClassRequested: value });
  return value;
}
