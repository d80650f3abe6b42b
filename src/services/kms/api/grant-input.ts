// Input rules shared by the grant operations.
import { type Input, missingMember, optList, optString, shownValue } from '../../../protocol/fields.js';
import { SerializationException, ValidationException } from '../../../protocol/errors.js';
import type { GrantConstraints, GrantRecord } from '../domain/grants.js';
import type { KeyRecord } from '../domain/types.js';

export const GRANT_OPERATIONS = [
  'Decrypt',
  'Encrypt',
  'GenerateDataKey',
  'GenerateDataKeyWithoutPlaintext',
  'GenerateDataKeyPair',
  'GenerateDataKeyPairWithoutPlaintext',
  'ReEncryptFrom',
  'ReEncryptTo',
  'Sign',
  'Verify',
  'GetPublicKey',
  'CreateGrant',
  'RetireGrant',
  'DescribeKey',
  'GenerateMac',
  'VerifyMac',
  'DeriveSharedSecret',
  'Encapsulate',
  'Decapsulate',
];
/** Operations a grant on a symmetric encryption key may name. */
const SYMMETRIC_GRANT_OPERATIONS: ReadonlySet<string> = new Set([
  'Decrypt',
  'Encrypt',
  'GenerateDataKey',
  'GenerateDataKeyWithoutPlaintext',
  'ReEncryptFrom',
  'ReEncryptTo',
  'CreateGrant',
  'RetireGrant',
  'DescribeKey',
  'GenerateDataKeyPair',
  'GenerateDataKeyPairWithoutPlaintext',
]);
/** Operations a grant on an HMAC key may name. */
const HMAC_GRANT_OPERATIONS: ReadonlySet<string> = new Set(['GenerateMac', 'VerifyMac', 'CreateGrant', 'RetireGrant', 'DescribeKey']);

export const PRINCIPAL_RE = /^(arn:aws:iam::\d{12}:(root|user\/[\w+=,.@/-]+|role\/[\w+=,.@/-]+)|[a-z0-9.-]+\.amazonaws\.com)$/;
export const GRANT_ID_RE = /^[0-9a-f]{64}$/;

export function principalParam(input: Input, field: string, required: boolean): string | undefined {
  const v = optString(input, field, { min: 1, max: 256 });
  if (v === undefined) {
    if (required) throw missingMember(field);
    return undefined;
  }
  if (!PRINCIPAL_RE.test(v)) throw new ValidationException(`${field} ${v} is not a valid principal ARN.`);
  return v;
}

export function grantOperations(input: Input): string[] {
  const list = optList(input, 'Operations');
  if (!list || list.length === 0) throw missingMember('Operations');
  for (const op of list) {
    if (typeof op !== 'string' || !GRANT_OPERATIONS.includes(op))
      throw new ValidationException(
        `1 validation error detected: Value '[${shownValue(op)}]' at 'operations' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [${GRANT_OPERATIONS.join(', ')}]]`,
      );
    if (!SYMMETRIC_GRANT_OPERATIONS.has(op) && !HMAC_GRANT_OPERATIONS.has(op))
      throw new ValidationException(`Grant operation ${op} is not valid for a symmetric encryption KMS key.`);
  }
  return [...new Set(list as string[])];
}

/** Once the key is known: the operations must be ones its kind of key has. */
export function checkGrantOperationsFor(key: KeyRecord, operations: ReadonlyArray<string>): void {
  const hmac = key.keyUsage === 'GENERATE_VERIFY_MAC';
  const allowed = hmac ? HMAC_GRANT_OPERATIONS : SYMMETRIC_GRANT_OPERATIONS;
  const bad = operations.find((op) => !allowed.has(op));
  if (bad) throw new ValidationException(`Grant operation ${bad} is not valid for ${hmac ? 'an HMAC' : 'a symmetric encryption'} KMS key.`);
}

export function grantConstraints(input: Input): GrantConstraints | undefined {
  const c = input.Constraints;
  if (c === undefined || c === null) return undefined;
  if (typeof c !== 'object' || Array.isArray(c)) throw new SerializationException('Constraints must be a structure');
  const out: GrantConstraints = {};
  for (const [k, v] of Object.entries(c as Record<string, unknown>)) {
    if (k !== 'EncryptionContextEquals' && k !== 'EncryptionContextSubset') throw new SerializationException(`Unknown constraint ${k}`);
    if (!v || typeof v !== 'object' || Array.isArray(v) || Object.values(v).some((x) => typeof x !== 'string'))
      throw new SerializationException(`${k} must map strings to strings`);
    out[k] = v as Record<string, string>;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

export function grantShape(g: GrantRecord): Record<string, unknown> {
  return {
    KeyId: g.keyArn,
    GrantId: g.grantId,
    ...(g.name ? { Name: g.name } : {}),
    CreationDate: g.creationDate / 1000,
    GranteePrincipal: g.granteePrincipal,
    ...(g.retiringPrincipal ? { RetiringPrincipal: g.retiringPrincipal } : {}),
    IssuingAccount: `arn:aws:iam::${g.accountId}:root`,
    Operations: g.operations,
    ...(g.constraints ? { Constraints: g.constraints } : {}),
  };
}
