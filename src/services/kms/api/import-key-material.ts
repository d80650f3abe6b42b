// ImportKeyMaterial: unwraps the customer's 256-bit key material with the import token's private key and makes
// the EXTERNAL key usable (https://docs.aws.amazon.com/kms/latest/APIReference/API_ImportKeyMaterial.html).
import { ValidationException } from '../../../protocol/errors.js';
import { optString, reqBlob } from '../../../protocol/fields.js';
import { type ImportType, importMaterial } from '../domain/imported-material.js';
import type { ExpirationModel } from '../domain/types.js';
import { defineOperation, memberKeys, reqKeyId } from './common.js';

/** ValidTo as the JSON protocol carries a timestamp: epoch seconds. */
function validTo(input: Record<string, unknown>): number | undefined {
  const v = input.ValidTo;
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0)
    throw new ValidationException("1 validation error detected: Value at 'validTo' failed to satisfy constraint: Member must be a timestamp");
  return Math.round(v * 1000);
}

export default defineOperation({
  name: 'ImportKeyMaterial',
  readOnly: false,
  logResponse: false,
  conditionKeys: (input) =>
    memberKeys(input, [
      ['kms:expirationmodel', 'ExpirationModel'],
      ['kms:validto', 'ValidTo'],
    ]),
  async handler({ access }, ctx, input) {
    const keyId = reqKeyId(input);
    const token = reqBlob(input, 'ImportToken', 1, 6144);
    const encrypted = reqBlob(input, 'EncryptedKeyMaterial', 1, 6144);
    const until = validTo(input);
    // The API reference: "The default is KEY_MATERIAL_EXPIRES", so an import naming neither ExpirationModel nor
    // ValidTo is refused ("A validTo date must be set ..."), as AWS answered in localstack's 2025 recording.
    const model = (optString(input, 'ExpirationModel', { enum: ['KEY_MATERIAL_EXPIRES', 'KEY_MATERIAL_DOES_NOT_EXPIRE'] }) ??
      'KEY_MATERIAL_EXPIRES') as ExpirationModel;
    if (model === 'KEY_MATERIAL_DOES_NOT_EXPIRE' && until !== undefined) {
      throw new ValidationException('ValidTo must not be set when ExpirationModel is KEY_MATERIAL_DOES_NOT_EXPIRE.');
    }
    const importType = optString(input, 'ImportType', { enum: ['NEW_KEY_MATERIAL', 'EXISTING_KEY_MATERIAL'] }) as ImportType | undefined;
    const keyMaterialId = optString(input, 'KeyMaterialId', { min: 64, max: 64, pattern: /^[a-f0-9]+$/ });
    const description = optString(input, 'KeyMaterialDescription', { min: 0, max: 256 });
    const rec = await access.resolve(ctx, keyId);
    const imported = await importMaterial(access, rec, {
      token,
      encrypted,
      expirationModel: model,
      ...(until !== undefined ? { validTo: until } : {}),
      ...(importType ? { importType } : {}),
      ...(keyMaterialId ? { keyMaterialId } : {}),
      ...(description !== undefined ? { description } : {}),
    });
    return { KeyId: imported.rec.arn, KeyMaterialId: imported.materialId };
  },
});
