// ListKeyRotations: completed rotations (not the original material), oldest first, paged
// (Limit 1-1000, default 100).
import { decodeMarker, defineOperation, encodeMarker, limit, reqKeyId } from './common.js';

export default defineOperation({
  name: 'ListKeyRotations',
  readOnly: true,
  async handler({ access }, ctx, input) {
    const rec = await access.resolve(ctx, reqKeyId(input));
    const max = limit(input, 1000, 100);
    const after = decodeMarker(input);
    const rotations = rec.materials.filter((m) => m.rotationType !== undefined);
    const start = after === undefined ? 0 : rotations.findIndex((m) => m.id === after) + 1;
    const page = rotations.slice(start, start + max);
    const truncated = start + max < rotations.length;
    return {
      Rotations: page.map((m) => ({
        KeyId: rec.arn,
        KeyMaterialId: m.id,
        KeyMaterialState: m.id === rec.currentMaterialId ? 'CURRENT' : 'NON_CURRENT',
        RotationDate: m.createdAt / 1000,
        RotationType: m.rotationType,
      })),
      Truncated: truncated,
      ...(truncated ? { NextMarker: encodeMarker(page[page.length - 1]!.id) } : {}),
    };
  },
});
