// CreateKey (https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateKey.html).
// Keyhold creates symmetric encryption keys (SYMMETRIC_DEFAULT / ENCRYPT_DECRYPT) with AWS_KMS origin, or
// EXTERNAL origin for imported material (domain/imported-material.ts), and HMAC keys (HMAC_224/256/384/512 /
// GENERATE_VERIFY_MAC, domain/hmac.ts) with generated material;
// other key specs, origins, custom key stores and multi-Region keys are refused clearly, never
// downgraded silently.
import { optBool, optString } from '../../../protocol/fields.js';
import { ValidationException } from '../../../protocol/errors.js';
import { createKey } from '../domain/lifecycle.js';
import { keyMetadata } from '../domain/metadata.js';
import { LOCKOUT_MESSAGE, validatePolicyDocument } from '../domain/policy.js';
import { isHmacSpec } from '../domain/hmac.js';
import { type KeySpec, keyArn } from '../domain/types.js';
import { CustomKeyStoreNotFoundException, MalformedPolicyDocumentException, UnsupportedOperationException } from '../errors.js';
import { defineOperation, memberKeys } from './common.js';
import { parseTags } from './tags-input.js';

const KEY_SPECS = [
  'SYMMETRIC_DEFAULT',
  'RSA_2048',
  'RSA_3072',
  'RSA_4096',
  'ECC_NIST_P256',
  'ECC_NIST_P384',
  'ECC_NIST_P521',
  'ECC_SECG_P256K1',
  'ECC_NIST_EDWARDS25519',
  'HMAC_224',
  'HMAC_256',
  'HMAC_384',
  'HMAC_512',
  'ML_DSA_44',
  'ML_DSA_65',
  'ML_DSA_87',
  'ML_KEM_512',
  'ML_KEM_768',
  'ML_KEM_1024',
  'SM2',
];
const KEY_USAGES = ['ENCRYPT_DECRYPT', 'SIGN_VERIFY', 'GENERATE_VERIFY_MAC', 'KEY_AGREEMENT', 'ENCAPSULATE_DECAPSULATE'];
const ORIGINS = ['AWS_KMS', 'EXTERNAL', 'AWS_CLOUDHSM', 'EXTERNAL_KEY_STORE'];

export default defineOperation({
  name: 'CreateKey',
  readOnly: false,
  keyless: true,
  // What the key would be (the request's values or their defaults): a policy can allow creating only some keys.
  conditionKeys: (input) =>
    memberKeys(input, [
      ['kms:keyspec', input.KeySpec === undefined ? 'CustomerMasterKeySpec' : 'KeySpec', 'SYMMETRIC_DEFAULT'],
      ['kms:keyusage', 'KeyUsage', 'ENCRYPT_DECRYPT'],
      ['kms:keyorigin', 'Origin', 'AWS_KMS'],
      ['kms:multiregion', 'MultiRegion', false],
      ['kms:bypasspolicylockoutsafetycheck', 'BypassPolicyLockoutSafetyCheck', false],
    ]),
  async handler({ access }, ctx, input) {
    const policy = optString(input, 'Policy', { min: 1, max: 32768 });
    const description = optString(input, 'Description', { max: 8192 }) ?? '';
    const usageGiven = optString(input, 'KeyUsage', { enum: KEY_USAGES });
    const keyUsage = usageGiven ?? 'ENCRYPT_DECRYPT';
    const keySpec = optString(input, 'KeySpec', { enum: KEY_SPECS }) ?? optString(input, 'CustomerMasterKeySpec', { enum: KEY_SPECS }) ?? 'SYMMETRIC_DEFAULT';
    const origin = optString(input, 'Origin', { enum: ORIGINS }) ?? 'AWS_KMS';
    const customKeyStoreId = optString(input, 'CustomKeyStoreId', { min: 1, max: 64 });
    const bypass = optBool(input, 'BypassPolicyLockoutSafetyCheck') ?? false;
    const multiRegion = optBool(input, 'MultiRegion');
    optString(input, 'XksKeyId', { min: 1, max: 128 });
    const tags = parseTags(input);
    if (input.KeySpec !== undefined && input.CustomerMasterKeySpec !== undefined) {
      throw new ValidationException(
        'You cannot specify KeySpec and CustomerMasterKeySpec in the same request. CustomerMasterKeySpec parameter is deprecated. Use KeySpec parameter instead.',
      );
    }
    if (keySpec === 'SYMMETRIC_DEFAULT' && keyUsage !== 'ENCRYPT_DECRYPT') {
      throw new ValidationException(`KeyUsage ${keyUsage} is not compatible with KeySpec SYMMETRIC_DEFAULT`);
    }
    // Every key but a symmetric encryption key must say what it is for (message as AWS answers, recorded).
    if (keySpec !== 'SYMMETRIC_DEFAULT' && usageGiven === undefined) {
      throw new ValidationException('You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys.');
    }
    if (isHmacSpec(keySpec) && keyUsage !== 'GENERATE_VERIFY_MAC')
      throw new ValidationException(`KeyUsage ${keyUsage} is not compatible with KeySpec ${keySpec}`);
    if (customKeyStoreId !== undefined) throw new CustomKeyStoreNotFoundException(`Custom key store ${customKeyStoreId} does not exist.`);
    if (keySpec !== 'SYMMETRIC_DEFAULT' && !isHmacSpec(keySpec))
      throw new UnsupportedOperationException(
        `KeySpec ${keySpec} is not supported by this Keyhold version; only SYMMETRIC_DEFAULT and HMAC keys can be created.`,
      );
    if (origin !== 'AWS_KMS' && origin !== 'EXTERNAL')
      throw new UnsupportedOperationException(`Origin ${origin} is not supported by this Keyhold version; only AWS_KMS and EXTERNAL keys can be created.`);
    if (multiRegion) throw new UnsupportedOperationException('Multi-Region keys are not supported by this Keyhold version.');
    if (policy !== undefined) {
      validatePolicyDocument(policy);
      const future = { arn: keyArn(ctx.region, ctx.principal.accountId, '00000000-0000-0000-0000-000000000000'), accountId: ctx.principal.accountId };
      if (!bypass && !access.policyKeepsCallerInControl(ctx, policy, future)) throw new MalformedPolicyDocumentException(LOCKOUT_MESSAGE);
    }
    const rec = await createKey(access, ctx, { description, policy, tags, origin, keySpec: keySpec as KeySpec });
    return { KeyMetadata: keyMetadata(rec) };
  },
});
