// DeleteImportedKeyMaterial: the key's imported material is deleted at once and the key waits for a re-import
// of the same material (PendingImport) (https://docs.aws.amazon.com/kms/latest/APIReference/API_DeleteImportedKeyMaterial.html).
import { deleteImportedMaterial } from '../domain/imported-material.js';
import { defineOperation, reqKeyId } from './common.js';

export default defineOperation({
  name: 'DeleteImportedKeyMaterial',
  readOnly: false,
  async handler({ access }, ctx, input) {
    const rec = await deleteImportedMaterial(access, await access.resolve(ctx, reqKeyId(input)));
    return { KeyId: rec.arn };
  },
});
