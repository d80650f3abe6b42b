// KeyMetadata as DescribeKey, CreateKey and friends return it (kms.md §4): absent members are omitted,
// timestamps are epoch seconds.
import { isHmacSpec, macAlgorithmOf } from './hmac.js';
import type { KeyRecord } from './types.js';

export function keyMetadata(rec: KeyRecord): Record<string, unknown> {
  return {
    AWSAccountId: rec.accountId,
    KeyId: rec.keyId,
    Arn: rec.arn,
    CreationDate: rec.creationDate / 1000,
    Enabled: rec.state === 'Enabled',
    Description: rec.description,
    KeyUsage: rec.keyUsage,
    KeyState: rec.state,
    ...(rec.state === 'PendingDeletion' && rec.deletionDate !== undefined ? { DeletionDate: rec.deletionDate / 1000 } : {}),
    Origin: rec.origin,
    KeyManager: rec.keyManager,
    CustomerMasterKeySpec: rec.keySpec,
    KeySpec: rec.keySpec,
    ...(isHmacSpec(rec.keySpec) ? { MacAlgorithms: [macAlgorithmOf(rec.keySpec)] } : { EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'] }),
    MultiRegion: false,
    ...(rec.origin === 'EXTERNAL' && rec.imported?.expirationModel ? { ExpirationModel: rec.imported.expirationModel } : {}),
    ...(rec.origin === 'EXTERNAL' && rec.imported?.validTo !== undefined ? { ValidTo: rec.imported.validTo / 1000 } : {}),
    // Kept after imported material is deleted (AWS's recorded answer); absent only before a first import, and for
    // HMAC keys, whose DescribeKey AWS answers without it (recorded).
    ...(rec.currentMaterialId && rec.keyUsage === 'ENCRYPT_DECRYPT' ? { CurrentKeyMaterialId: rec.currentMaterialId } : {}),
  };
}
