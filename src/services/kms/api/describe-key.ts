// DescribeKey: works in every key state (key-state table).
import { keyMetadata } from '../domain/metadata.js';
import { defineOperation, grantTokens, reqKeyId } from './common.js';

export default defineOperation({
  name: 'DescribeKey',
  readOnly: true,
  async handler({ access }, ctx, input) {
    const keyId = reqKeyId(input);
    grantTokens(input);
    return { KeyMetadata: keyMetadata(await access.resolve(ctx, keyId)) };
  },
});
