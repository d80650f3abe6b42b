// Key lifecycle: create, enable, disable, describe, schedule and cancel deletion, update description.
// State rules follow https://docs.aws.amazon.com/kms/latest/developerguide/key-state.html and
// https://docs.aws.amazon.com/kms/latest/developerguide/deleting-keys.html (window 7-30 days,
// CancelKeyDeletion returns the key to Disabled).
import { randomUUID } from 'node:crypto';
import type { RequestContext } from '../../../server/context.js';
import { KMSInvalidStateException, UnsupportedOperationException } from '../errors.js';
import { type KeyAccess, newMaterial } from './key-access.js';
import { defaultKeyPolicy } from './policy.js';
import { hmacKeyBytes, isHmacSpec } from './hmac.js';
import { type KeyRecord, type KeySpec, keyArn, type Tag } from './types.js';

const DAY_MS = 86_400_000;

export function requireCustomerManaged(rec: KeyRecord, operation: string): void {
  if (rec.keyManager === 'AWS') {
    throw new UnsupportedOperationException(`${rec.arn} is an AWS managed key; ${operation} is not allowed on AWS managed keys.`);
  }
}

export async function createKey(
  access: KeyAccess,
  ctx: RequestContext,
  p: { description: string; policy?: string; tags: Tag[]; origin?: 'AWS_KMS' | 'EXTERNAL'; keySpec?: KeySpec },
): Promise<KeyRecord> {
  const now = access.clock();
  const keyId = randomUUID();
  // An EXTERNAL key has no material until the customer imports it (imported-material.ts).
  const external = p.origin === 'EXTERNAL';
  const keySpec = p.keySpec ?? 'SYMMETRIC_DEFAULT';
  const hmac = isHmacSpec(keySpec);
  const { materialId, material } = external ? { materialId: '', material: undefined } : newMaterial(hmac ? hmacKeyBytes(keySpec) : 32);
  const rec: KeyRecord = {
    keyId,
    accountId: ctx.principal.accountId,
    region: ctx.region,
    arn: keyArn(ctx.region, ctx.principal.accountId, keyId),
    creationDate: now,
    description: p.description,
    keyUsage: hmac ? 'GENERATE_VERIFY_MAC' : 'ENCRYPT_DECRYPT',
    keySpec,
    origin: external ? 'EXTERNAL' : 'AWS_KMS',
    keyManager: 'CUSTOMER',
    state: external ? 'PendingImport' : 'Enabled',
    rotation: { enabled: false, onDemandCount: 0 },
    materials: external ? [] : [{ id: materialId, createdAt: now }],
    currentMaterialId: materialId,
    policy: p.policy ?? defaultKeyPolicy(ctx.principal.accountId),
    tags: p.tags,
  };
  await access.store.create(rec, material);
  return rec;
}

export async function setEnabled(access: KeyAccess, rec: KeyRecord, enabled: boolean): Promise<KeyRecord> {
  access.requireNotPendingDeletion(rec);
  requireCustomerManaged(rec, enabled ? 'EnableKey' : 'DisableKey');
  if (rec.state === 'PendingImport') throw new KMSInvalidStateException(`${rec.arn} is pending import.`);
  return access.store.update(rec.keyId, (r) => {
    r.state = enabled ? 'Enabled' : 'Disabled';
    return undefined;
  });
}

export async function scheduleDeletion(access: KeyAccess, rec: KeyRecord, windowDays: number): Promise<KeyRecord> {
  requireCustomerManaged(rec, 'ScheduleKeyDeletion');
  access.requireNotPendingDeletion(rec);
  const deletionDate = access.clock() + windowDays * DAY_MS;
  return access.store.update(rec.keyId, (r) => {
    r.state = 'PendingDeletion';
    r.deletionDate = deletionDate;
    r.pendingWindowInDays = windowDays;
    return undefined;
  });
}

export async function cancelDeletion(access: KeyAccess, rec: KeyRecord): Promise<KeyRecord> {
  if (rec.state !== 'PendingDeletion') throw new KMSInvalidStateException(`${rec.arn} is not pending deletion.`);
  return access.store.update(rec.keyId, (r) => {
    r.state = 'Disabled';
    delete r.deletionDate;
    delete r.pendingWindowInDays;
    return undefined;
  });
}

export async function updateDescription(access: KeyAccess, rec: KeyRecord, description: string): Promise<KeyRecord> {
  access.requireNotPendingDeletion(rec);
  return access.store.update(rec.keyId, (r) => {
    r.description = description;
    return undefined;
  });
}

export async function putPolicy(access: KeyAccess, rec: KeyRecord, policy: string): Promise<KeyRecord> {
  requireCustomerManaged(rec, 'PutKeyPolicy');
  return access.store.update(rec.keyId, (r) => {
    r.policy = policy;
    return undefined;
  });
}
