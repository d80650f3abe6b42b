// ListKeyRotations: the key's rotations, oldest first, paged (Limit 1-1000, default 100); with IncludeKeyMaterial
// ALL_KEY_MATERIAL also its first material and imported material pending rotation. Entries of a key with imported
// material say whether the bytes are imported (ImportState), how they expire and their description.
import { optString } from '../../../protocol/fields.js';
import type { KeyAccess } from '../domain/key-access.js';
import type { KeyRecord, MaterialInfo } from '../domain/types.js';
import { decodeMarker, defineOperation, encodeMarker, limit, reqKeyId } from './common.js';

async function importedFacts(access: KeyAccess, rec: KeyRecord, m: MaterialInfo): Promise<Record<string, unknown>> {
  const current = m.id === rec.currentMaterialId;
  const present = !(current && rec.state === 'PendingImport') && (await access.store.hasMaterial(rec.keyId, m.id));
  const expiry = m.pendingRotation ?? (current ? rec.imported : m.expiry);
  return {
    ...(m.description ? { KeyMaterialDescription: m.description } : {}),
    ImportState: present ? 'IMPORTED' : 'PENDING_IMPORT',
    ...(expiry?.expirationModel ? { ExpirationModel: expiry.expirationModel } : {}),
    ...(expiry?.validTo !== undefined ? { ValidTo: expiry.validTo / 1000 } : {}),
  };
}

export default defineOperation({
  name: 'ListKeyRotations',
  readOnly: true,
  async handler({ access }, ctx, input) {
    const rec = await access.resolve(ctx, reqKeyId(input));
    const max = limit(input, 1000, 100);
    const after = decodeMarker(input);
    const all = optString(input, 'IncludeKeyMaterial', { enum: ['ALL_KEY_MATERIAL', 'ROTATIONS_ONLY'] }) === 'ALL_KEY_MATERIAL';
    const listed = all ? rec.materials : rec.materials.filter((m) => m.rotationType !== undefined);
    const start = after === undefined ? 0 : listed.findIndex((m) => m.id === after) + 1;
    const page = listed.slice(start, start + max);
    const truncated = start + max < listed.length;
    const Rotations = [];
    for (const m of page) {
      Rotations.push({
        KeyId: rec.arn,
        KeyMaterialId: m.id,
        ...(rec.origin === 'EXTERNAL' ? await importedFacts(access, rec, m) : {}),
        KeyMaterialState: m.pendingRotation ? 'PENDING_ROTATION' : m.id === rec.currentMaterialId ? 'CURRENT' : 'NON_CURRENT',
        ...(m.rotationType ? { RotationDate: m.createdAt / 1000, RotationType: m.rotationType } : {}),
      });
    }
    return { Rotations, Truncated: truncated, ...(truncated ? { NextMarker: encodeMarker(page[page.length - 1]!.id) } : {}) };
  },
});
