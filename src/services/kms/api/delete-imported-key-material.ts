// DeleteImportedKeyMaterial: the key's imported material is deleted at once and the key waits for a re-import
// of the same material (PendingImport); KeyMaterialId names one non-current or pending material to delete alone
// (https://docs.aws.amazon.com/kms/latest/APIReference/API_DeleteImportedKeyMaterial.html).
import { optString } from '../../../protocol/fields.js';
import { deleteImportedMaterial } from '../domain/imported-material.js';
import { defineOperation, reqKeyId } from './common.js';

export default defineOperation({
  name: 'DeleteImportedKeyMaterial',
  readOnly: false,
  async handler({ access }, ctx, input) {
    const keyId = reqKeyId(input);
    const keyMaterialId = optString(input, 'KeyMaterialId', { min: 64, max: 64, pattern: /^[a-f0-9]+$/ });
    const { rec, deletedMaterialId } = await deleteImportedMaterial(access, await access.resolve(ctx, keyId), keyMaterialId);
    return { KeyId: rec.arn, ...(deletedMaterialId ? { KeyMaterialId: deletedMaterialId } : {}) };
  },
});
