// GenerateRandom: 1-1024 bytes from the CSPRNG.
import { randomBytes } from 'node:crypto';
import { optInt, optString } from '../../../protocol/fields.js';
import { ValidationException } from '../../../protocol/errors.js';
import { CustomKeyStoreNotFoundException, UnsupportedOperationException } from '../errors.js';
import { b64, defineOperation } from './common.js';

export default defineOperation({
  name: 'GenerateRandom',
  readOnly: true,
  keyless: true,
  async handler(_deps, _ctx, input) {
    const n = optInt(input, 'NumberOfBytes', 1, 1024);
    const store = optString(input, 'CustomKeyStoreId', { min: 1, max: 64 });
    if (n === undefined) throw new ValidationException('NumberOfBytes is required.');
    if (store !== undefined) throw new CustomKeyStoreNotFoundException(`Custom key store ${store} does not exist.`);
    if (input.Recipient !== undefined) throw new UnsupportedOperationException('Recipient (attested decryption) is not supported by Keyhold.');
    return { Plaintext: b64(randomBytes(n)) };
  },
});
