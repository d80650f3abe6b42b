// Opens the keyring of a test data directory (development key-file seal) to read its audit trail.
import { KeyFileSeal } from '../../src/barrier/keyfile-seal.js';
import { openKeyring } from '../../src/barrier/keyring.js';
import type { RootKey } from '../../src/barrier/root-key.js';

export function openKeyringForTest(dataDir: string): Promise<RootKey> {
  return openKeyring(dataDir, new KeyFileSeal(dataDir));
}
