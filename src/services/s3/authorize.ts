// S3 authorization through the shared engine: identity policies plus the bucket policy, with the S3
// condition keys (https://docs.aws.amazon.com/AmazonS3/latest/userguide/amazon-s3-policy-keys.html).
import { Authorizer } from '../../iam/authorizer.js';
import { S3 } from './errors.js';
import { effectiveBlock, publicPolicyText } from './public-access.js';
import type { BucketRecord } from './model.js';
import { header, type S3Deps, type S3Request } from './request.js';

/** The decision on one S3 action, and S3's denial text when it is refused. */
function decideS3(
  deps: S3Deps,
  req: S3Request,
  action: string,
  resource: string,
  bucket: BucketRecord,
  extra: Record<string, string[]>,
): { allowed: true } | { allowed: false; message: string } {
  const keys = new Map<string, ReadonlyArray<string>>();
  const set = (k: string, v: string | undefined) => {
    if (v !== undefined) keys.set(k, [v]);
  };
  set('s3:x-amz-server-side-encryption', header(req, 'x-amz-server-side-encryption'));
  set('s3:x-amz-server-side-encryption-aws-kms-key-id', header(req, 'x-amz-server-side-encryption-aws-kms-key-id'));
  set('s3:x-amz-server-side-encryption-customer-algorithm', header(req, 'x-amz-server-side-encryption-customer-algorithm'));
  set('s3:prefix', req.query.get('prefix') ?? undefined);
  set('s3:delimiter', req.query.get('delimiter') ?? undefined);
  set('s3:max-keys', req.query.get('max-keys') ?? undefined);
  set('s3:versionid', req.query.get('versionId') ?? undefined);
  set('s3:x-amz-acl', header(req, 'x-amz-acl'));
  set('s3:x-amz-storage-class', header(req, 'x-amz-storage-class'));
  set('s3:x-amz-copy-source', header(req, 'x-amz-copy-source'));
  set('s3:x-amz-metadata-directive', header(req, 'x-amz-metadata-directive'));
  set('s3:x-amz-content-sha256', header(req, 'x-amz-content-sha256') ?? req.query.get('X-Amz-Content-Sha256') ?? undefined);
  // How the request was signed and carried (a bucket policy can require header signing, a TLS version, ...).
  // An unsigned request has neither (S3 sets them only for authenticated requests).
  if (req.auth.type !== 'ANONYMOUS') {
    set('s3:authtype', req.auth.type);
    // "AWS" for Signature Version 2, "AWS4-HMAC-SHA256" for version 4 (S3's condition-key list).
    set('s3:signatureversion', req.auth.sigV2 ? 'AWS' : 'AWS4-HMAC-SHA256');
  }
  set('s3:tlsversion', req.auth.tlsVersion);
  // Object Lock on writes (object-lock-managing.html: a policy can cap the mode or the retention period).
  set('s3:object-lock-mode', header(req, 'x-amz-object-lock-mode'));
  set('s3:object-lock-retain-until-date', header(req, 'x-amz-object-lock-retain-until-date'));
  set('s3:object-lock-legal-hold', header(req, 'x-amz-object-lock-legal-hold'));
  // Conditional writes (a bucket policy can require them: conditional-writes-enforce.html).
  if (req.method === 'PUT' || req.method === 'POST') {
    set('s3:if-match', header(req, 'if-match'));
    set('s3:if-none-match', header(req, 'if-none-match'));
  }
  for (const [k, v] of Object.entries(extra)) keys.set(k.toLowerCase(), v);
  const ctx = { ...req.ctx, conditionKeys: keys };
  // RestrictPublicBuckets: while the bucket's policy is public, it grants nothing to callers of other accounts
  // (anonymous ones are already turned away at the edge), "including non-public delegation to specific accounts".
  const crossAccount = req.ctx.principal.accountId !== bucket.accountId;
  const restricted =
    crossAccount && bucket.policy !== undefined && effectiveBlock(bucket.publicAccessBlock).restrictPublicBuckets && publicPolicyText(bucket.policy);
  const check = { action, resource, resourceAccount: bucket.accountId, resourcePolicy: restricted ? undefined : bucket.policy };
  const decision = deps.authorizer.decide(ctx, check);
  return decision.allowed ? decision : { allowed: false, message: Authorizer.message(req.ctx, check, decision) };
}

export function authorizeS3(deps: S3Deps, req: S3Request, action: string, resource: string, bucket: BucketRecord, extra: Record<string, string[]> = {}): void {
  const d = decideS3(deps, req, action, resource, bucket, extra);
  if (!d.allowed) throw S3.AccessDenied(d.message);
}

/** Whether the caller may also do `action` (reads that show more only to those who may, as S3 does). */
export function allowedS3(deps: S3Deps, req: S3Request, action: string, resource: string, bucket: BucketRecord, extra: Record<string, string[]> = {}): boolean {
  return decideS3(deps, req, action, resource, bucket, extra).allowed;
}
