// Look-ups shared by the handlers: the bucket of a request (with its region check) and defaults.
import { S3, S3Error } from '../errors.js';
import type { BucketEncryptionRule, BucketRecord } from '../model.js';
import { header, type S3Deps, type S3Request } from '../request.js';

export const BUCKET_NAME_RE = /^(?!\d+\.\d+\.\d+\.\d+$)(?!xn--)(?!.*\.\.)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/**
 * The encryption rule of a bucket without its own: SSE-S3, and since April 2026 SSE-C blocked
 * (shared/reference/s3.md §5). With `--s3-legacy-defaults` SSE-C stays open, as on buckets created before then.
 */
export function defaultEncryption(deps: Pick<S3Deps, 'legacyDefaults'>): BucketEncryptionRule {
  return { SSEAlgorithm: 'AES256', BucketKeyEnabled: false, BlockedEncryptionTypes: deps.legacyDefaults ? [] : ['SSE-C'] };
}

/** The request's bucket; NoSuchBucket, or a region error when it lives in another region than the request names. */
/**
 * x-amz-expected-bucket-owner / x-amz-source-expected-bucket-owner: the request proceeds only if the bucket belongs to
 * that account (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-owner-condition.html): another owner is
 * AccessDenied, a value that is not an account id InvalidBucketOwnerAWSAccountID (message as recorded from AWS).
 */
export function checkExpectedOwner(expected: string | undefined, b: BucketRecord): void {
  if (expected === undefined) return;
  if (!/^\d{12}$/.test(expected))
    throw new S3Error('InvalidBucketOwnerAWSAccountID', 400, `The value of the expected bucket owner parameter must be an AWS Account ID... [${expected}]`);
  if (expected !== b.accountId) throw S3.AccessDenied();
}

/**
 * A request signed for another Region than the one that serves it: S3 names the Region it expects, in the error
 * document and in x-amz-bucket-region, and clients (s3cmd, the SDKs' region redirects) sign again for it.
 */
export function wrongRegion(given: string, expected: string): S3Error {
  return new S3Error('AuthorizationHeaderMalformed', 400, `The authorization header is malformed; the region '${given}' is wrong; expecting '${expected}'`, {
    Region: expected,
    'x-amz-bucket-region': expected,
  });
}

export async function requireBucket(deps: S3Deps, req: S3Request): Promise<BucketRecord> {
  const b = req.bucket ? await deps.store.getBucket(req.bucket) : undefined;
  if (!b) throw S3.NoSuchBucket(undefined, { BucketName: req.bucket ?? '' });
  if (b.region !== req.ctx.region) throw wrongRegion(req.ctx.region, b.region);
  const bucketEntry = req.audit.resources?.find((r) => r.type === 'AWS::S3::Bucket');
  if (bucketEntry) bucketEntry.accountId = b.accountId;
  checkExpectedOwner(header(req, 'x-amz-expected-bucket-owner'), b);
  return b;
}
