// KMS condition keys of a request (https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html),
// computed only when a policy reads them.
import type { EncryptionContext } from '../../../crypto/encryption-context.js';
import type { RequestContext } from '../../../server/context.js';
import type { KeyRecord } from './types.js';

export interface KmsRequestFacts {
  encryptionContext?: EncryptionContext;
  /** The KeyId as the request gave it, for kms:RequestAlias. */
  keyIdInput?: string;
  /** Tags the request sets (CreateKey, TagResource), for aws:RequestTag/<key> and aws:TagKeys. */
  requestTags?: ReadonlyArray<{ TagKey: string; TagValue: string }>;
  /** Tag keys the request names (UntagResource), for aws:TagKeys. */
  tagKeys?: ReadonlyArray<string>;
  /** The alias names pointing at the key, for kms:ResourceAliases. */
  resourceAliases?: ReadonlyArray<string>;
}

/** kms:ResourceAliases is read by IAM policies only, never by a key policy (conditions-kms.html). */
export const KMS_IDENTITY_ONLY_KEYS: ReadonlySet<string> = new Set(['kms:resourcealiases']);

// The operations that take an encryption algorithm (kms:EncryptionAlgorithm); Keyhold's keys are symmetric.
const ALGORITHM_OPERATIONS: ReadonlySet<string> = new Set(['Encrypt', 'Decrypt', 'ReEncrypt', 'ReEncryptFrom', 'ReEncryptTo']);

export function kmsConditionKeys(ctx: RequestContext, key: KeyRecord | undefined, facts: KmsRequestFacts): Map<string, ReadonlyArray<string>> {
  const m = new Map<string, ReadonlyArray<string>>(ctx.conditionKeys ?? []);
  m.set('kms:calleraccount', [ctx.principal.accountId]);
  if (ctx.viaService) m.set('kms:viaservice', [ctx.viaService]);
  if (facts.encryptionContext) {
    const keys = Object.keys(facts.encryptionContext);
    if (keys.length > 0) m.set('kms:encryptioncontextkeys', keys);
    for (const k of keys) m.set(`kms:encryptioncontext:${k.toLowerCase()}`, [facts.encryptionContext[k]!]);
  }
  for (const t of facts.requestTags ?? []) m.set(`aws:requesttag/${t.TagKey.toLowerCase()}`, [t.TagValue]);
  const tagKeys = facts.tagKeys ?? facts.requestTags?.map((t) => t.TagKey);
  if (tagKeys?.length) m.set('aws:tagkeys', tagKeys);
  const alias = facts.keyIdInput?.startsWith('alias/') ? facts.keyIdInput : /^arn:aws:kms:[^:]*:\d{12}:(alias\/.+)$/.exec(facts.keyIdInput ?? '')?.[1];
  if (alias) m.set('kms:requestalias', [alias]);
  if (key) {
    m.set('kms:keyspec', [key.keySpec]);
    m.set('kms:keyusage', [key.keyUsage]);
    m.set('kms:keyorigin', [key.origin]);
    m.set('kms:keymanager', [key.keyManager]);
    m.set('kms:multiregion', ['false']);
    // Attribute-based access control: a policy can allow or deny by the key's tags (abac.html).
    for (const t of key.tags) m.set(`aws:resourcetag/${t.TagKey.toLowerCase()}`, [t.TagValue]);
    // ABAC by alias: every alias name pointing at the key, however the request named it (absent when none).
    if (facts.resourceAliases?.length) m.set('kms:resourcealiases', facts.resourceAliases);
    if (ALGORITHM_OPERATIONS.has(ctx.operation)) m.set('kms:encryptionalgorithm', ['SYMMETRIC_DEFAULT']);
  }
  return m;
}
