// Operational logs (pino JSON), separate from the audit trail. Secret-bearing fields are redacted by
// path as a second line of defence: code never passes secrets to the logger in the first place.
import pino from 'pino';

export type Logger = pino.Logger;

const SECRET_PATHS = [
  'secretAccessKey',
  '*.secretAccessKey',
  'plaintext',
  '*.plaintext',
  'Plaintext',
  '*.Plaintext',
  'privateKey',
  '*.privateKey',
  'passphrase',
  '*.passphrase',
  'req.headers.authorization',
  'headers.authorization',
  '*.headers["x-amz-server-side-encryption-customer-key"]',
];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino({ level, base: { service: 'keyhold' }, redact: { paths: SECRET_PATHS, censor: '[redacted]' } }, destination);
}
