// Key rotation (https://docs.aws.amazon.com/kms/latest/developerguide/rotate-keys.html): rotation adds
// new key material and keeps all earlier material, so every ciphertext ever returned still decrypts;
// new encryptions use the newest material. Automatic rotation every RotationPeriodInDays (90-2560,
// default 365); on-demand rotation at most 10 times per key, without changing the automatic schedule.
import { LimitExceededException, UnsupportedOperationException } from '../errors.js';
import { type KeyAccess, newMaterial, ROTATION_DEFAULT_DAYS } from './key-access.js';
import { rotateToImported } from './imported-material.js';
import { requireCustomerManaged } from './lifecycle.js';
import type { KeyRecord, RotationType } from './types.js';

const DAY_MS = 86_400_000;
export const MAX_ON_DEMAND_ROTATIONS = 10;

/**
 * Only symmetric encryption keys rotate, not HMAC keys (as AWS: "Automatic key rotation is supported only on
 * symmetric encryption KMS keys"); keys with imported material rotate on demand only, to material the customer
 * imported for it (imported-material.ts), never automatically.
 */
export function requireRotatable(rec: KeyRecord, kind: RotationType): void {
  // Wordings as AWS answers them (recorded): no message for another key spec, the origin for imported material.
  if (rec.keySpec !== 'SYMMETRIC_DEFAULT') throw new UnsupportedOperationException('');
  if (kind === 'AUTOMATIC' && rec.origin === 'EXTERNAL')
    throw new UnsupportedOperationException(`${rec.arn} origin is EXTERNAL which is not valid for this operation.`);
}

export async function enableRotation(access: KeyAccess, rec: KeyRecord, periodDays = ROTATION_DEFAULT_DAYS): Promise<KeyRecord> {
  access.requireEnabled(rec);
  requireCustomerManaged(rec, 'EnableKeyRotation');
  requireRotatable(rec, 'AUTOMATIC');
  const now = access.clock();
  return access.store.update(rec.keyId, (r) => {
    // A changed period counts from the last automatic rotation, or from now when rotation starts.
    const lastAutomatic = [...r.materials].reverse().find((m) => m.rotationType === 'AUTOMATIC')?.createdAt;
    const base = r.rotation.enabled ? (lastAutomatic ?? now) : now;
    r.rotation = { ...r.rotation, enabled: true, periodDays, nextRotationDate: base + periodDays * DAY_MS };
    return undefined;
  });
}

export async function disableRotation(access: KeyAccess, rec: KeyRecord): Promise<KeyRecord> {
  access.requireEnabled(rec);
  requireCustomerManaged(rec, 'DisableKeyRotation');
  return access.store.update(rec.keyId, (r) => {
    r.rotation = { onDemandCount: r.rotation.onDemandCount, enabled: false };
    return undefined;
  });
}

export async function rotate(access: KeyAccess, rec: KeyRecord, type: RotationType): Promise<KeyRecord> {
  const now = access.clock();
  return access.store.update(rec.keyId, (r) => {
    if (type === 'ON_DEMAND') {
      if (r.rotation.onDemandCount >= MAX_ON_DEMAND_ROTATIONS) {
        throw new LimitExceededException(
          `The on-demand rotations limit has been reached for the given keyId. No more on-demand rotations can be performed for this key: ${r.arn}`,
        );
      }
      r.rotation.onDemandCount++;
      // Imported material is the customer's: the rotation makes current what they imported for it.
      if (r.origin === 'EXTERNAL') {
        rotateToImported(r, now);
        return undefined;
      }
    } else if (r.rotation.periodDays) {
      r.rotation.nextRotationDate = now + r.rotation.periodDays * DAY_MS;
    }
    const added = newMaterial();
    r.materials.push({ id: added.materialId, createdAt: now, rotationType: type });
    r.currentMaterialId = added.materialId;
    return added;
  });
}

export async function rotateOnDemand(access: KeyAccess, rec: KeyRecord): Promise<KeyRecord> {
  access.requireEnabled(rec);
  if (rec.keyManager === 'AWS')
    throw new UnsupportedOperationException(`${rec.arn} is an AWS managed key; RotateKeyOnDemand is not allowed on AWS managed keys.`);
  requireRotatable(rec, 'ON_DEMAND');
  return rotate(access, rec, 'ON_DEMAND');
}

export function isRotationDue(rec: KeyRecord, now: number): boolean {
  return rec.state === 'Enabled' && rec.rotation.enabled && rec.rotation.nextRotationDate !== undefined && rec.rotation.nextRotationDate <= now;
}
