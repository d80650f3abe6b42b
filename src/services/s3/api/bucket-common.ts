// Look-ups shared by the handlers: the bucket of a request (with its region check) and defaults.
import { S3, S3Error } from '../errors.js';
import type { BucketRecord } from '../model.js';
import type { S3Deps, S3Request } from '../request.js';

export const BUCKET_NAME_RE = /^(?!\d+\.\d+\.\d+\.\d+$)(?!xn--)(?!.*\.\.)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

export const DEFAULT_ENCRYPTION = { SSEAlgorithm: 'AES256' as const, BucketKeyEnabled: false, BlockedEncryptionTypes: ['SSE-C'] };

/** The request's bucket; NoSuchBucket, or a region error when it lives in another region than the request names. */
export async function requireBucket(deps: S3Deps, req: S3Request): Promise<BucketRecord> {
  const b = req.bucket ? await deps.store.getBucket(req.bucket) : undefined;
  if (!b) throw S3.NoSuchBucket(undefined, { BucketName: req.bucket ?? '' });
  if (b.region !== req.ctx.region) {
    throw new S3Error(
      'AuthorizationHeaderMalformed',
      400,
      `The authorization header is malformed; the region '${req.ctx.region}' is wrong; expecting '${b.region}'`,
      { Region: b.region, 'x-amz-bucket-region': b.region },
    );
  }
  if (req.audit.resources?.[0]) req.audit.resources[0].accountId = b.accountId;
  return b;
}
