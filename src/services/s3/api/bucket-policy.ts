// Bucket policies: Put/Get/DeleteBucketPolicy and GetBucketPolicyStatus, validated with the shared policy
// grammar (MalformedPolicy otherwise) and evaluated by the shared engine on every request to the bucket.
import { parsePolicy, PolicyError } from '../../../iam/policy/document.js';
import { wildcardMatch } from '../../../iam/policy/wildcard.js';
import { authorizeS3 } from '../authorize.js';
import { S3 } from '../errors.js';
import { bucketArn } from '../model.js';
import type { S3Handler } from '../request.js';
import { xmlDocument } from '../xml.js';
import { effectiveBlock, policyIsPublic } from '../public-access.js';
import { requireBucket } from './bucket-common.js';

const MAX_POLICY_BYTES = 20 * 1024;

export const putBucketPolicy: S3Handler = async (deps, req) => {
  const b = await requireBucket(deps, req);
  authorizeS3(deps, req, 's3:PutBucketPolicy', bucketArn(b.name), b);
  const text = (await req.readBody(MAX_POLICY_BYTES + 1)).toString('utf8');
  if (text.length > MAX_POLICY_BYTES) throw S3.MalformedPolicy('Policy exceeds the maximum allowed document size.');
  s3PolicyShape(text);
  try {
    const doc = parsePolicy(text, { kind: 'resource' });
    for (const s of doc.statements) {
      // Only S3's own actions can be granted by a bucket policy (whether each s3: name exists is not checked:
      // a partial catalogue would refuse valid policies, docs/decisions.md 44).
      for (const a of [...(s.action ?? []), ...(s.notAction ?? [])]) {
        if (a !== '*' && !a.toLowerCase().startsWith('s3:')) throw new PolicyError('Policy has invalid action');
      }
      for (const r of [...(s.resource ?? []), ...(s.notResource ?? [])]) {
        if (!resourceCoversBucket(r, b.name)) throw new PolicyError('Policy has invalid resource');
      }
    }
    // Block Public Access: a public policy is refused while BlockPublicPolicy is on (every bucket's default).
    if (effectiveBlock(b.publicAccessBlock).blockPublicPolicy && policyIsPublic(doc)) {
      throw S3.AccessDenied(
        `User: ${req.ctx.principal.arn} is not authorized to perform: s3:PutBucketPolicy on resource: "${bucketArn(b.name)}" because public policies are blocked by the BlockPublicPolicy block public access setting.`,
      );
    }
  } catch (err) {
    if (err instanceof PolicyError) throw S3.MalformedPolicy(err.message);
    throw err;
  }
  await deps.store.updateBucket(b.name, (x) => {
    x.policy = text;
  });
  return { status: 204 };
};

/**
 * A bucket policy's resource must be able to name this bucket or objects in it (S3 refuses others with
 * "Policy has invalid resource"): "arn:aws:s3:::*" and "arn:aws:s3:::my-*" do; "arn:aws:s3:::other/*" and
 * "arn:aws:s3:::my-bucket-2/*" (for my-bucket) do not. Before, any resource merely starting with the
 * bucket's ARN passed and a wildcard over buckets was refused.
 */
export function resourceCoversBucket(pattern: string, bucket: string): boolean {
  const arn = `arn:aws:s3:::${bucket}`;
  return wildcardMatch(pattern, arn) || canMatchWithPrefix(pattern, `${arn}/`);
}

/** Whether some string starting with `prefix` matches the wildcard pattern ('*' any run, '?' one character). */
function canMatchWithPrefix(pattern: string, prefix: string): boolean {
  for (let i = 0; i < prefix.length; i++) {
    const c = pattern[i];
    if (c === undefined) return false;
    if (c === '*') return true;
    if (c !== '?' && c !== prefix[i]) return false;
  }
  return true;
}

/** The document errors S3 words its own way, checked before the shared policy grammar (messages recorded from AWS). */
function s3PolicyShape(text: string): void {
  if (!text.trimStart().startsWith('{')) throw S3.MalformedPolicy("Policies must be valid JSON and the first byte must be '{'");
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw S3.MalformedPolicy('This policy contains invalid Json');
  }
  const statement = (doc as Record<string, unknown>).Statement;
  if (statement === undefined) throw S3.MalformedPolicy('Missing required field Statement');
  if (Array.isArray(statement) && statement.length === 0) throw S3.MalformedPolicy('Could not parse the policy: Statement is empty!');
}

export const getBucketPolicy: S3Handler = async (deps, req) => {
  const b = await requireBucket(deps, req);
  authorizeS3(deps, req, 's3:GetBucketPolicy', bucketArn(b.name), b);
  if (!b.policy) throw S3.NoSuchBucketPolicy(undefined, { BucketName: b.name });
  return { status: 200, headers: { 'content-type': 'application/json' }, body: b.policy };
};

export const deleteBucketPolicy: S3Handler = async (deps, req) => {
  const b = await requireBucket(deps, req);
  authorizeS3(deps, req, 's3:DeleteBucketPolicy', bucketArn(b.name), b);
  await deps.store.updateBucket(b.name, (x) => {
    delete x.policy;
  });
  return { status: 204 };
};

export const getBucketPolicyStatus: S3Handler = async (deps, req) => {
  const b = await requireBucket(deps, req);
  authorizeS3(deps, req, 's3:GetBucketPolicyStatus', bucketArn(b.name), b);
  if (!b.policy) throw S3.NoSuchBucketPolicy(undefined, { BucketName: b.name });
  const doc = parsePolicy(b.policy, { kind: 'resource' });
  const isPublic = policyIsPublic(doc);
  return { status: 200, headers: { 'content-type': 'application/xml' }, body: xmlDocument('PolicyStatus', { IsPublic: isPublic }) };
};
