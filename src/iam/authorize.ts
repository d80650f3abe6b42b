// The authorization decision, combining policies as AWS documents it
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html,
//  https://docs.aws.amazon.com/kms/latest/developerguide/determining-access.html):
// 1. an explicit Deny in any applicable policy wins;
// 2. KMS: the key policy must allow — naming the principal (or "*") allows directly; naming the account
//    root delegates to the account's IAM policies, which must then allow; a grant also allows;
// 3. other resources (S3 buckets): same account — an identity policy or a resource policy naming the
//    principal allows; cross-account — both the resource policy and the caller's identity policy must allow;
// 4. actions without a resource policy (CreateKey, ListKeys, IAM): identity policies only.
// The account root user is allowed by its own account's identity side without policies, as in AWS.
import type { PolicyDocument } from './policy/document.js';
import { type EvalRequest, evaluatePolicy } from './policy/evaluate.js';

export type DenyReason = 'explicit' | 'implicit';

export interface AuthorizeInput {
  request: EvalRequest;
  /** The account that owns the resource (undefined: the caller's own account). */
  resourceAccount?: string;
  resourcePolicy?: PolicyDocument;
  /** KMS keys: access must come from the key policy (or a grant), never from IAM alone. */
  resourcePolicyRequired?: boolean;
  identityPolicies: ReadonlyArray<PolicyDocument>;
  /** A KMS grant allows this request (computed by the KMS domain). */
  grantAllows?: boolean;
  /**
   * Condition keys only identity (IAM) policies can read, absent when the resource policy is evaluated
   * (kms:ResourceAliases: "IAM policies only", https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html).
   */
  identityOnlyKeys?: ReadonlySet<string>;
}

export type Decision = { allowed: true } | { allowed: false; reason: DenyReason };

export function authorize(a: AuthorizeInput): Decision {
  const { principal } = a.request;
  const rp = a.resourcePolicy ? evaluatePolicy(a.resourcePolicy, resourcePolicyRequest(a)) : { deny: false, allow: false as const };
  // An anonymous caller has no identity policies and no account: a resource policy statement that names
  // everyone ("*") is the only thing that can allow it (https://docs.aws.amazon.com/AmazonS3/latest/userguide/example-bucket-policies.html).
  if (principal.type === 'Anonymous') {
    if (rp.deny) return { allowed: false, reason: 'explicit' };
    return rp.allow === 'direct' && !a.resourcePolicyRequired ? { allowed: true } : { allowed: false, reason: 'implicit' };
  }
  const ids = a.identityPolicies.map((d) => evaluatePolicy(d, a.request));
  if (rp.deny || ids.some((r) => r.deny)) return { allowed: false, reason: 'explicit' };
  if (a.grantAllows) return { allowed: true };
  const sameAccount = a.resourceAccount === undefined || a.resourceAccount === principal.accountId;
  const identityAllows = principal.type === 'Root' || ids.some((r) => r.allow !== false);
  let allowed: boolean;
  if (a.resourcePolicyRequired) {
    allowed = sameAccount ? rp.allow === 'direct' || (rp.allow === 'account' && identityAllows) : rp.allow !== false && identityAllows;
  } else if (a.resourcePolicy) {
    allowed = sameAccount ? identityAllows || rp.allow === 'direct' : rp.allow !== false && identityAllows;
  } else {
    allowed = sameAccount && identityAllows;
  }
  return allowed ? { allowed: true } : { allowed: false, reason: 'implicit' };
}

function testsAny(doc: PolicyDocument, keys: ReadonlySet<string>): boolean {
  for (const k of keys) if (doc.conditionKeys.has(k)) return true;
  return false;
}

/** The request as the resource policy sees it: without the keys only identity policies may read. */
function resourcePolicyRequest(a: AuthorizeInput): EvalRequest {
  const hidden = a.identityOnlyKeys;
  // The usual case costs nothing: a policy that tests none of the hidden keys sees the request as it is.
  if (!hidden || !a.resourcePolicy || !testsAny(a.resourcePolicy, hidden)) return a.request;
  const { context } = a.request;
  return { ...a.request, context: { get: (key) => (hidden.has(key.toLowerCase()) ? undefined : context.get(key)) } };
}
