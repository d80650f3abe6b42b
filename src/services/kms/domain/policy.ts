// Key policies are stored and returned exactly as given; evaluating them is the authorization engine's
// job (src/iam). Here: the default policy, and the structural checks PutKeyPolicy/CreateKey apply.
import { parsePolicy, PolicyError } from '../../../iam/policy/document.js';
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

/**
 * The policy of an AWS managed key: usable by the account's principals only through the owning service
 * (kms:ViaService), readable by the account; nobody can manage it. The same shape AWS gives aws/<service> keys.
 */
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
          Condition: { StringEquals: { 'kms:CallerAccount': accountId, 'kms:ViaService': service } },
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

/** Validates a key policy with the IAM policy grammar; MalformedPolicyDocumentException when it is not valid. */
export function validatePolicyDocument(policy: string): void {
  try {
    parsePolicy(policy, { kind: 'resource', maxBytes: POLICY_MAX_BYTES });
  } catch (err) {
    if (err instanceof PolicyError) throw new MalformedPolicyDocumentException(err.message);
    throw err;
  }
}

export const LOCKOUT_MESSAGE = 'The new key policy will not allow you to update the key policy in the future.';
