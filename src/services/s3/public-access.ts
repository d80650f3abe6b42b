// Public access to a bucket (https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html):
// whether a bucket policy is public, and the bucket's Block Public Access settings. A new bucket gets S3's
// configuration with all four on (decision 89). A bucket without one (made before that, or with
// --s3-legacy-defaults) refuses unsigned requests (RestrictPublicBuckets) but accepts public policies, as Keyhold
// always has: buckets made before Keyhold had anonymous access must not become reachable by an upgrade, and
// policies they were given must keep working (docs/decisions.md 56).
import { cachedPolicy, type PolicyDocument } from '../../iam/policy/document.js';

export interface PublicAccessBlock {
  blockPublicAcls: boolean;
  ignorePublicAcls: boolean;
  blockPublicPolicy: boolean;
  restrictPublicBuckets: boolean;
}

/** What a bucket without a configuration enforces. */
const UNCONFIGURED: Readonly<PublicAccessBlock> = Object.freeze({
  blockPublicAcls: true,
  ignorePublicAcls: true,
  blockPublicPolicy: false,
  restrictPublicBuckets: true,
});
const BLOCK_NONE: Readonly<PublicAccessBlock> = Object.freeze({
  blockPublicAcls: false,
  ignorePublicAcls: false,
  blockPublicPolicy: false,
  restrictPublicBuckets: false,
});

/**
 * What S3 gives every new bucket since April 2023, all four settings on; Keyhold too since decision 89 (buckets
 * made before keep what they had; with --s3-legacy-defaults a new bucket gets none, as before).
 */
export const NEW_BUCKET_BLOCK: Readonly<PublicAccessBlock> = Object.freeze({
  blockPublicAcls: true,
  ignorePublicAcls: true,
  blockPublicPolicy: true,
  restrictPublicBuckets: true,
});

/** A bucket's stored setting: absent = never configured; "none" = the owner deleted the configuration. */
export type StoredPublicAccessBlock = PublicAccessBlock | 'none' | undefined;

export function effectiveBlock(stored: StoredPublicAccessBlock): Readonly<PublicAccessBlock> {
  return stored === 'none' ? BLOCK_NONE : (stored ?? UNCONFIGURED);
}

// Condition keys whose values pin a statement to known callers; a statement restricted by one of them is not
// public (S3's "The meaning of public").
const FIXING_KEYS = new Set([
  'aws:sourceip',
  'aws:sourcevpc',
  'aws:sourcevpce',
  'aws:sourcearn',
  'aws:sourceaccount',
  'aws:sourceowner',
  'aws:principalaccount',
  'aws:principalarn',
  'aws:principalorgid',
  'aws:principalorgpaths',
  'aws:userid',
  's3:dataaccesspointarn',
  's3:dataaccesspointaccount',
]);

/**
 * Whether a policy grants something to everyone without pinning it to known callers: "*" (or {"AWS": "*"}), or
 * an Allow with NotPrincipal, which grants everyone not listed — anonymous callers included.
 */
export function policyIsPublic(doc: PolicyDocument): boolean {
  return doc.statements.some(
    (s) =>
      s.effect === 'Allow' &&
      (s.principal?.any === true || s.principal?.aws.includes('*') === true || s.notPrincipal !== undefined) &&
      !s.conditions.some((c) => FIXING_KEYS.has(c.key) && !c.values.some((v) => v === '*' || v === '0.0.0.0/0' || v === '::/0')),
  );
}

/** policyIsPublic of a stored policy text, through the shared parse cache (called on cross-account requests). */
export function publicPolicyText(text: string): boolean {
  return policyIsPublic(cachedPolicy(text, 'resource'));
}
