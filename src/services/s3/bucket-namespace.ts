// Account regional namespaces for general purpose buckets (S3, March 2026; user guide gpbucketnamespaces.html):
// CreateBucket with `x-amz-bucket-namespace: account-regional` makes a bucket whose name ends in the creating
// account's suffix, `-<account id>-<region>-an`, and that suffix belongs to that account alone.
import { REGION_RE } from '../../server/serve-options.js';
import { S3 } from './errors.js';

/** The suffix of `accountId`'s namespace in `region`. */
const accountRegionalSuffix = (accountId: string, region: string) => `-${accountId}-${region}-an`;

/** Whether a name is shaped like a bucket of some account's regional namespace (`-<12 digits>-<Region>-an`). */
function looksAccountRegional(name: string): boolean {
  const m = /-\d{12}-([a-z0-9-]+)-an$/.exec(name);
  return m !== null && REGION_RE.test(m[1]!);
}

/**
 * Checks the namespace a CreateBucket asks for (the x-amz-bucket-namespace header, `global` when absent):
 * - account-regional: the name must carry the caller's suffix for the bucket's Region; otherwise
 *   InvalidNamespaceHeader, in the wording moto's S3 tests expect;
 * - global: a name shaped like a regional namespace's is refused as InvalidBucketName, so that no bucket in the
 *   shared namespace can take an account's suffix (Keyhold's decision: AWS says only that such requests from
 *   other accounts "are automatically rejected").
 */
export function checkBucketNamespace(namespace: string | undefined, name: string, accountId: string, region: string): void {
  if (namespace !== undefined && namespace !== 'global' && namespace !== 'account-regional') {
    throw S3.InvalidArgument('Invalid x-amz-bucket-namespace header value.', { ArgumentName: 'x-amz-bucket-namespace', ArgumentValue: namespace });
  }
  if (namespace === 'account-regional') {
    const suffix = accountRegionalSuffix(accountId, region);
    if (!name.endsWith(suffix) || name.length === suffix.length) {
      throw S3.InvalidNamespaceHeader(
        'The requested bucket name did not include the account-regional namespace suffix, but the provided x-amz-bucket-namespace ' +
          `header value is account-regional. Specify ${suffix} as the bucket name suffix to create a bucket in your account-regional ` +
          'namespace, or remove the header.',
      );
    }
    return;
  }
  if (looksAccountRegional(name)) throw S3.InvalidBucketName(undefined, { BucketName: name });
}
