// KMS operations of the 2026 API model that this Keyhold version does not implement yet. They answer
// UnsupportedOperationException with a clear message instead of UnknownOperationException, so a client
// learns the operation is known but not available (never a silent success).
import { UnsupportedOperationException } from '../errors.js';
import { defineOperation, type KmsOperationDef } from './common.js';

const NOT_YET: ReadonlyArray<[string, string]> = [
  ['GetPublicKey', 'asymmetric keys are not supported yet'],
  ['Sign', 'asymmetric keys are not supported yet'],
  ['Verify', 'asymmetric keys are not supported yet'],
  ['GenerateDataKeyPair', 'asymmetric keys are not supported yet'],
  ['GenerateDataKeyPairWithoutPlaintext', 'asymmetric keys are not supported yet'],
  ['DeriveSharedSecret', 'asymmetric keys are not supported yet'],
  ['Encapsulate', 'ML-KEM keys are not supported yet'],
  ['Decapsulate', 'ML-KEM keys are not supported yet'],
  ['CreateCustomKeyStore', 'custom key stores are not supported'],
  ['ConnectCustomKeyStore', 'custom key stores are not supported'],
  ['DisconnectCustomKeyStore', 'custom key stores are not supported'],
  ['DeleteCustomKeyStore', 'custom key stores are not supported'],
  ['UpdateCustomKeyStore', 'custom key stores are not supported'],
  ['ReplicateKey', 'multi-Region keys are not supported'],
  ['UpdatePrimaryRegion', 'multi-Region keys are not supported'],
];

export const UNSUPPORTED_OPERATIONS: ReadonlyArray<KmsOperationDef> = NOT_YET.map(([name, why]) =>
  defineOperation({
    name,
    readOnly: true,
    async handler() {
      throw new UnsupportedOperationException(`${name} is not supported by this Keyhold version: ${why}.`);
    },
  }),
);

/** No custom key stores exist in Keyhold, so the honest answer is an empty list. */
export const describeCustomKeyStores = defineOperation({
  name: 'DescribeCustomKeyStores',
  readOnly: true,
  keyless: true,
  async handler() {
    return { CustomKeyStores: [], Truncated: false };
  },
});
