// GenerateDataKey and GenerateDataKeyWithoutPlaintext share their input rules and their work: exactly
// one of KeySpec (AES_128 / AES_256) and NumberOfBytes (1-1024), an optional encryption context, DryRun.
import { type Input, optInt, optString } from '../../../protocol/fields.js';
import { ValidationException } from '../../../protocol/errors.js';
import type { RequestContext } from '../../../server/context.js';
import type { CryptoOps, Encrypted } from '../domain/crypto-ops.js';
import { UnsupportedOperationException } from '../errors.js';
import { dryRunIfAsked, encryptionContext, grantTokens, reqKeyId } from './common.js';

export function dataKeyBytes(input: Input): number {
  const spec = optString(input, 'KeySpec', { enum: ['AES_256', 'AES_128'] });
  const bytes = optInt(input, 'NumberOfBytes', 1, 1024);
  if ((spec === undefined) === (bytes === undefined)) throw new ValidationException('Please specify either number of bytes or key spec.');
  return bytes ?? (spec === 'AES_128' ? 16 : 32);
}

/** Validates the request, then makes a data key; the caller returns (and then zeroes) the plaintext. */
export async function generateDataKey(crypto: CryptoOps, ctx: RequestContext, input: Input): Promise<Encrypted & { plaintext: Buffer }> {
  const keyId = reqKeyId(input);
  const bytes = dataKeyBytes(input);
  const context = encryptionContext(input);
  grantTokens(input);
  if (input.Recipient !== undefined) throw new UnsupportedOperationException('Recipient (attested decryption) is not supported by Keyhold.');
  const key = await crypto.usableKey(ctx, keyId, { encryptionContext: context });
  dryRunIfAsked(input);
  return crypto.generateDataKey(key, bytes, context);
}
