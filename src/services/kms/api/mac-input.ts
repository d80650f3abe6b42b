// What GenerateMac and VerifyMac share (https://docs.aws.amazon.com/kms/latest/APIReference/API_GenerateMac.html):
// the message (1-4096 bytes), the MAC algorithm, and the key checks in AWS's order — resolved and authorized,
// then a key for MACs (InvalidKeyUsageException otherwise), an algorithm its spec allows, enabled.
import { type Input, reqBlob, reqString } from '../../../protocol/fields.js';
import type { RequestContext } from '../../../server/context.js';
import { InvalidKeyUsageException } from '../errors.js';
import { type HmacKeySpec, isHmacSpec, MAC_ALGORITHMS, type MacAlgorithm, macAlgorithmOf } from '../domain/hmac.js';
import type { KeyAccess } from '../domain/key-access.js';
import type { KeyRecord } from '../domain/types.js';
import { grantTokens, memberKeys, reqKeyId } from './common.js';

export interface MacRequest {
  key: KeyRecord & { keySpec: HmacKeySpec };
  message: Buffer;
  algorithm: MacAlgorithm;
}

/** kms:MacAlgorithm, for a policy that allows only some algorithms (conditions-kms.html). */
export const macConditionKeys = (input: Input) => memberKeys(input, [['kms:macalgorithm', 'MacAlgorithm']]);

export async function macRequest(access: KeyAccess, ctx: RequestContext, input: Input): Promise<MacRequest> {
  const keyId = reqKeyId(input);
  const message = reqBlob(input, 'Message', 1, 4096);
  const algorithm = reqString(input, 'MacAlgorithm', { enum: MAC_ALGORITHMS }) as MacAlgorithm;
  grantTokens(input);
  const key = await access.resolve(ctx, keyId);
  access.requireUsage(key, 'GENERATE_VERIFY_MAC', ctx.operation);
  if (!isHmacSpec(key.keySpec) || macAlgorithmOf(key.keySpec) !== algorithm) {
    throw new InvalidKeyUsageException(`Algorithm ${algorithm} is incompatible with key spec ${key.keySpec}.`);
  }
  access.requireEnabled(key);
  return { key: key as MacRequest['key'], message, algorithm };
}

/** The key's current material (HMAC keys do not rotate: it is the only one). */
export async function macMaterial(access: KeyAccess, key: KeyRecord): Promise<Buffer> {
  const material = access.store.cachedMaterial(key.keyId, key.currentMaterialId) ?? (await access.store.material(key.keyId, key.currentMaterialId));
  if (!material) throw new Error(`material ${key.currentMaterialId} of ${key.keyId} is missing`);
  return material;
}
