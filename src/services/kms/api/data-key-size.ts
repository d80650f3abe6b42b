// GenerateDataKey* take exactly one of KeySpec (AES_128 / AES_256) and NumberOfBytes (1-1024).
import { type Input, optInt, optString } from '../../../protocol/fields.js';
import { ValidationException } from '../../../protocol/errors.js';

export function dataKeyBytes(input: Input): number {
  const spec = optString(input, 'KeySpec', { enum: ['AES_256', 'AES_128'] });
  const bytes = optInt(input, 'NumberOfBytes', 1, 1024);
  if (spec !== undefined && bytes !== undefined) throw new ValidationException('Please specify either number of bytes or key spec.');
  if (spec === undefined && bytes === undefined) throw new ValidationException('Please specify either number of bytes or key spec.');
  return bytes ?? (spec === 'AES_128' ? 16 : 32);
}
