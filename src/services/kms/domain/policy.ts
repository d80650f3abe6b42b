// Key policies are stored and returned exactly as given; evaluating them is the authorization engine's
// job (src/iam). Here: the default policy, and the structural checks PutKeyPolicy/CreateKey apply.
import { MalformedPolicyDocumentException } from '../errors.js';

export const POLICY_MAX_BYTES = 32_768;

/** The default key policy: the account root principal gets kms:*, which delegates to IAM policies. */
export function defaultKeyPolicy(accountId: string): string {
  return JSON.stringify(
    {
      Version: '2012-10-17',
      Id: 'key-default-1',
      Statement: [
        {
          Sid: 'Enable IAM User Permissions',
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${accountId}:root` },
          Action: 'kms:*',
          Resource: '*',
        },
      ],
    },
    null,
    2,
  );
}

export function managedKeyPolicy(accountId: string, service: string): string {
  return JSON.stringify(
    {
      Version: '2012-10-17',
      Id: `auto-${service}-1`,
      Statement: [
        {
          Sid: `Allow access through ${service} for all principals in the account that are authorized to use ${service}`,
          Effect: 'Allow',
          Principal: { AWS: '*' },
          Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'],
          Resource: '*',
          Condition: { StringEquals: { 'kms:CallerAccount': accountId } },
        },
        {
          Sid: 'Allow direct access to key metadata to the account',
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${accountId}:root` },
          Action: ['kms:Describe*', 'kms:Get*', 'kms:List*'],
          Resource: '*',
        },
      ],
    },
    null,
    2,
  );
}

export function validatePolicyDocument(policy: string): void {
  if (Buffer.byteLength(policy) > POLICY_MAX_BYTES) {
    throw new MalformedPolicyDocumentException(`The key policy must be at most ${POLICY_MAX_BYTES} bytes.`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(policy);
  } catch {
    throw new MalformedPolicyDocumentException('The key policy is not valid JSON.');
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new MalformedPolicyDocumentException('The key policy must be a JSON object.');
  const statements = (doc as { Statement?: unknown }).Statement;
  const list = Array.isArray(statements) ? statements : statements && typeof statements === 'object' ? [statements] : undefined;
  if (!list || list.length === 0) throw new MalformedPolicyDocumentException('The key policy must contain at least one statement.');
  for (const s of list as Array<Record<string, unknown>>) {
    if (!s || typeof s !== 'object' || (s.Effect !== 'Allow' && s.Effect !== 'Deny')) {
      throw new MalformedPolicyDocumentException('Policy statement Effect must be "Allow" or "Deny".');
    }
    if (s.Principal === undefined && s.NotPrincipal === undefined) {
      throw new MalformedPolicyDocumentException('Policy contains a statement with no principal.');
    }
    if (s.Action === undefined && s.NotAction === undefined) {
      throw new MalformedPolicyDocumentException('Policy contains a statement with no action.');
    }
  }
}
