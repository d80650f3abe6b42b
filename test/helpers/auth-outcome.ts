// What an authentication check decided: 'verified', or the reason it refused (a SigV4Error's, for SigV4 and SigV2).
import { SigV4Error } from '../../src/protocol/sigv4/errors.js';

export function authOutcome(check: () => unknown): string {
  try {
    check();
  } catch (err) {
    if (err instanceof SigV4Error) return err.reason;
    throw err;
  }
  return 'verified';
}
